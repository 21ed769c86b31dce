"""Counts of reports over time, built from each report's date interval.

A report rarely says when a strike happened to the hour. A tally of damage
"on 13–14 September" covers two days; an ACLED event coded to the month covers
a month. Counting every report on one day piles such reports on the wrong bar.
:func:`timeline` spreads each report over its interval instead, and gives the
bounds that hold whatever the true time was:

- ``reports``: each report's one count shared out over the bins its interval
  overlaps, in proportion to the overlap (a two-day tally puts 0.5 on each
  day). Summed over all bins this is the number of dated reports.
- ``reports_min``: reports whose whole interval lies inside the bin (they
  certainly fall in it).
- ``reports_max``: reports whose interval overlaps the bin (they may fall in it).

The interval of a report is the one space-time clustering uses
(:func:`borderstrikes.clustering.times.time_intervals`): ``date_start`` to
``date_end`` (whole local days) when present, else the day of ``date``;
a clock time in ``time_local`` (``"HH:MM"`` or ``"HH:MM-HH:MM"``) narrows a
one-day report. All times are local wall-clock times.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from borderstrikes._core.validate import check_option
from borderstrikes.clustering.times import time_intervals

__all__ = ["FREQUENCIES", "report_intervals", "report_timeline"]

#: Bin widths :func:`timeline` accepts, by name.
FREQUENCIES = {"h": pd.Timedelta(hours=1), "D": pd.Timedelta(days=1)}

#: Group name of reports whose ``by`` value is missing.
UNKNOWN = "(not stated)"


def report_intervals(strikes: pd.DataFrame) -> pd.DataFrame:
    """Return the local time interval ``[start, end)`` each report covers.

    Parameters
    ----------
    strikes : pandas.DataFrame
        Reports with ``date`` (and optionally ``date_start``/``date_end`` and
        ``time_local``), e.g. :func:`borderstrikes.load_strikes`.

    Returns
    -------
    pandas.DataFrame
        Columns ``start`` and ``end`` (naive local datetimes; ``end`` is
        exclusive, so a whole day ends at the next midnight), NaT where the
        report has no date. Same index as ``strikes``.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "date": pd.to_datetime(["2022-09-13", "2022-09-14"]),
    ...     "time_local": ["00:05", None],
    ... })
    >>> report_intervals(frame)
                    start                 end
    0 2022-09-13 00:05:00 2022-09-13 00:05:00
    1 2022-09-14 00:00:00 2022-09-15 00:00:00
    """
    start, end, missing = time_intervals(strikes, "date")
    out = pd.DataFrame(
        {"start": start.astype("datetime64[ns]"), "end": end.astype("datetime64[ns]")},
        index=strikes.index,
    )
    out.loc[missing] = pd.NaT
    return out


def _counts(start: np.ndarray, end: np.ndarray, edges: np.ndarray) -> dict[str, np.ndarray]:
    """Shared-out, certain and possible counts of intervals per bin (all int64 ns)."""
    n_bins = len(edges) - 1
    instant = end == start
    # an instant counts wholly in the bin that holds it
    point_bin = np.searchsorted(edges, start[instant], side="right") - 1
    points = np.bincount(point_bin, minlength=n_bins).astype(float)
    s, e = start[~instant], end[~instant]
    # the cumulative share F(t) = sum of clip((t - s) / (e - s), 0, 1), at every edge, in
    # hours from the first edge (small numbers: no cancellation)
    hours = 3_600e9
    t = (edges - edges[0]) / hours
    s_h, e_h = (s - edges[0]) / hours, (e - edges[0]) / hours
    shares = np.zeros(len(edges))
    if len(s):
        inv = 1.0 / (e_h - s_h)
        order_s, order_e = np.argsort(s_h, kind="stable"), np.argsort(e_h, kind="stable")
        n_started = np.searchsorted(s_h[order_s], t, side="right")
        n_ended = np.searchsorted(e_h[order_e], t, side="right")
        slope = (
            np.concatenate([[0.0], np.cumsum(inv[order_s])])[n_started]
            - np.concatenate([[0.0], np.cumsum(inv[order_e])])[n_ended]
        )
        offset = (
            np.concatenate([[0.0], np.cumsum((s_h * inv)[order_s])])[n_started]
            - np.concatenate([[0.0], np.cumsum((e_h * inv)[order_e])])[n_ended]
        )
        shares = slope * t - offset  # an ended interval adds (e - s) / (e - s) = 1
    reports = np.diff(shares) + points
    # certain: the interval lies inside one bin; possible: it overlaps the bin
    first = np.searchsorted(edges, start, side="right") - 1
    last = np.searchsorted(edges, end, side="left") - 1  # bin of the last instant before `end`
    last = np.where(instant, first, last)
    certain = np.bincount(first[first == last], minlength=n_bins).astype(np.int64)
    possible = np.zeros(n_bins + 1, dtype=np.int64)
    np.add.at(possible, first, 1)
    np.add.at(possible, last + 1, -1)
    return {
        "reports": np.round(np.clip(reports, 0.0, None), 9),  # no 87.9999999999994
        "reports_min": certain,
        "reports_max": np.cumsum(possible)[:-1],
    }


def report_timeline(
    strikes: pd.DataFrame,
    *,
    freq: str = "D",
    by: str | None = None,
) -> pd.DataFrame:
    """Count reports per hour or day, each spread over its date interval.

    Parameters
    ----------
    strikes : pandas.DataFrame
        Reports with ``date`` (and optionally ``date_start``/``date_end``,
        ``time_local``), e.g. :func:`borderstrikes.load_strikes` or the events
        of :func:`borderstrikes.read_acled`.
    freq : {"D", "h"}, default "D"
        Bin width: a local calendar day or an hour.
    by : str, optional
        Column to count separately (e.g. ``"place"``, ``"claimant"``,
        ``"evidence"``); missing values form the group ``"(not stated)"``.

    Returns
    -------
    pandas.DataFrame
        One row per bin (and group), from the first bin any report touches to
        the last: ``start`` and ``end`` of the bin (local), the ``by`` column
        if given, ``reports`` (each report's count shared over the bins its
        interval overlaps, in proportion to the overlap; a float),
        ``reports_min`` (reports certainly in the bin) and ``reports_max``
        (reports possibly in it). ``attrs["undated"]`` counts the reports
        left out because they have no date.

    Raises
    ------
    ValueError
        If ``freq`` is not one of :data:`FREQUENCIES` or ``by`` is not a column.

    See Also
    --------
    borderstrikes.viz.timeline.plot_timeline : draws this table.

    Examples
    --------
    A tally dated 13–14 September counts half on each day; a report with a
    clock time counts wholly on its day:

    >>> frame = pd.DataFrame({
    ...     "date": pd.to_datetime(["2022-09-13", "2022-09-13"]),
    ...     "date_start": pd.to_datetime(["2022-09-13", "2022-09-13"]),
    ...     "date_end": pd.to_datetime(["2022-09-14", "2022-09-13"]),
    ...     "time_local": ["13-14 Sept", "00:05"],
    ... })
    >>> report_timeline(frame)[["start", "reports", "reports_min", "reports_max"]]
           start  reports  reports_min  reports_max
    0 2022-09-13      1.5            1            2
    1 2022-09-14      0.5            0            1
    """
    check_option(freq, "freq", tuple(FREQUENCIES))
    if by is not None and by not in strikes.columns:
        msg = f"by={by!r} is not a column of strikes; columns: {list(strikes.columns)}"
        raise ValueError(msg)
    intervals = report_intervals(strikes)
    dated = intervals["start"].notna().to_numpy()
    start = intervals["start"].to_numpy(dtype="datetime64[ns]")[dated].view("int64")
    end = intervals["end"].to_numpy(dtype="datetime64[ns]")[dated].view("int64")
    columns = ["start", "end", *([by] if by else []), "reports", "reports_min", "reports_max"]
    if not dated.any():
        out = pd.DataFrame({c: [] for c in columns})
        out.attrs["undated"] = int((~dated).sum())
        return out
    step = FREQUENCIES[freq]
    first = pd.Timestamp(start.min()).floor(step)
    last = pd.Timestamp(max(end.max(), start.max() + 1)).ceil(step)
    edges = pd.date_range(first, last, freq=step).to_numpy(dtype="datetime64[ns]").view("int64")
    frames: list[pd.DataFrame] = []
    if by is None:
        groups: list[tuple[Any, np.ndarray]] = [(None, np.ones(len(start), dtype=bool))]
    else:
        keys = strikes[by][dated].astype("object").where(strikes[by][dated].notna(), UNKNOWN)
        keys = keys.astype(str)
        groups = [(key, (keys == key).to_numpy()) for key in sorted(keys.unique())]
    for key, mask in groups:
        counts = _counts(start[mask], end[mask], edges)
        frame = pd.DataFrame(
            {
                "start": edges[:-1].astype("datetime64[ns]"),
                "end": edges[1:].astype("datetime64[ns]"),
                **({by: key} if by else {}),
                **counts,
            }
        )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)[columns]
    if by is not None:
        out = out.sort_values(["start", by], kind="stable", ignore_index=True)
    out.attrs["undated"] = int((~dated).sum())
    return out
