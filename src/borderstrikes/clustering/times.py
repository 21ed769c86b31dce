"""Time intervals of strike reports, for space-time clustering.

Each report covers an interval of local wall-clock time: ``date_start`` to
``date_end`` (whole days, inclusive) when a report has both, else its
``date``; a date alone is the whole day, a timestamp is an instant, and a
``time_local`` of ``"HH:MM"`` or ``"HH:MM-HH:MM"`` narrows a one-day report to
that time or range (see :func:`borderstrikes.clustering.cluster_strikes`, Notes).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from borderstrikes._core.constants import NS_PER_HOUR

__all__ = ["DAY_NS", "interval_columns", "intervals_if_dated", "time_eps_ns", "time_intervals"]

#: Nanoseconds in a day.
DAY_NS = 24 * NS_PER_HOUR

_MINUTE_NS = 60_000_000_000
_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*(?:[-\u2013]\s*(\d{1,2}):(\d{2})\s*)?$")


def time_eps_ns(time_eps_hours: float | None) -> int | None:
    """Return the temporal threshold in integer nanoseconds (capped at 2**62), or None.

    Examples
    --------
    >>> time_eps_ns(1.5), time_eps_ns(None)
    (5400000000000, None)
    """
    if time_eps_hours is None:
        return None
    return int(min(round(time_eps_hours * NS_PER_HOUR), 2**62))


def _parse_time_local(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end offsets (ns after midnight) of ``HH:MM`` / ``HH:MM-HH:MM`` values.

    Returns the offsets and a mask of the values that parsed; anything else
    (other text, missing values, impossible times) is left to the caller.
    """
    parts = values.astype("string").str.extract(_HHMM).astype("Float64")
    h0, m0, h1, m1 = (parts[k].to_numpy(dtype=float, na_value=np.nan) for k in range(4))
    single = np.isnan(h1)
    h1, m1 = np.where(single, h0, h1), np.where(single, m0, m1)
    ok = (
        ~np.isnan(h0)
        & (h0 <= 23)
        & (m0 <= 59)
        & (m1 <= 59)
        & ((h1 < 24) | ((h1 == 24) & (m1 == 0)))
    )
    start = (
        np.where(ok, (np.nan_to_num(h0) * 60 + np.nan_to_num(m0)), 0).astype(np.int64) * _MINUTE_NS
    )
    end = (
        np.where(ok, (np.nan_to_num(h1) * 60 + np.nan_to_num(m1)), 0).astype(np.int64) * _MINUTE_NS
    )
    end = np.where(end < start, end + DAY_NS, end)  # a range that crosses midnight
    return start, end, ok


def interval_columns(time_column: str) -> tuple[str, str]:
    """Names of the columns holding the first and last day of a report's interval.

    Examples
    --------
    >>> interval_columns("date")
    ('date_start', 'date_end')
    """
    return f"{time_column}_start", f"{time_column}_end"


def _as_stamps(values: pd.Series, column: str) -> pd.Series:
    """Naive local timestamps of a column (a timezone is dropped: wall time is kept)."""
    try:
        stamps = pd.to_datetime(values)
    except (ValueError, TypeError) as exc:
        msg = f"column {column!r} cannot be read as dates: {exc}"
        raise ValueError(msg) from exc
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps


def _ns(stamps: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Instant, start of its day (int64 ns) and missing mask of timestamps."""
    missing = stamps.isna().to_numpy()
    raw = stamps.to_numpy(dtype="datetime64[ns]").view("int64")
    day = stamps.dt.normalize().to_numpy(dtype="datetime64[ns]").view("int64")
    return raw, day, missing


def _date_intervals(
    strikes: pd.DataFrame, time_column: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Interval of ``time_column`` (narrowed by ``time_local``), its day and missing mask."""
    raw, day, missing = _ns(_as_stamps(strikes[time_column], time_column))
    start = np.where(raw != day, raw, day)
    end = np.where(raw != day, raw, day + DAY_NS)
    if "time_local" in strikes:
        offset0, offset1, parsed = _parse_time_local(strikes["time_local"])
        parsed &= ~missing
        start[parsed] = day[parsed] + offset0[parsed]
        end[parsed] = day[parsed] + offset1[parsed]
    return start, end, day, missing


def time_intervals(strikes: Any, time_column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end (int64 ns, local wall time) of each report, plus a missing mask.

    The end is exclusive: a report of one whole day ends at 24:00 of that day.
    Rows with both ``<time_column>_start`` and ``<time_column>_end`` (e.g.
    ``date_start`` and ``date_end``, the first and last day, inclusive) span
    from the start of the first day to the end of the last; a value with a
    time of day other than midnight is an instant instead. When those two are
    one day and ``time_column`` falls on it, the rule of ``time_column``
    applies (a timestamp is an instant; ``time_local`` narrows the day). Other
    rows use ``time_column``.

    Raises
    ------
    ValueError
        If ``strikes`` has no ``time_column`` (nor both interval columns), its
        values are not dates, or an interval ends before it starts.

    Examples
    --------
    >>> frame = pd.DataFrame(
    ...     {"date": pd.to_datetime(["2022-09-13", None]), "time_local": ["01:00-02:30", None]}
    ... )
    >>> start, end, missing = time_intervals(frame, "date")
    >>> int(end[0] - start[0]) // 60_000_000_000, missing.tolist()
    (90, [False, True])

    A month-precision report spans its month:

    >>> month = pd.DataFrame({
    ...     "date": pd.to_datetime(["2022-09-15"]),
    ...     "date_start": pd.to_datetime(["2022-09-01"]),
    ...     "date_end": pd.to_datetime(["2022-09-30"]),
    ... })
    >>> start, end, _ = time_intervals(month, "date")
    >>> str(pd.Timestamp(start[0])), str(pd.Timestamp(end[0]))
    ('2022-09-01 00:00:00', '2022-10-01 00:00:00')
    """
    first, last = interval_columns(time_column)
    has_range = isinstance(strikes, pd.DataFrame) and first in strikes and last in strikes
    if not isinstance(strikes, pd.DataFrame) or (time_column not in strikes and not has_range):
        msg = (
            f"space-time clustering needs a {time_column!r} column of dates in strikes; "
            "pass time_column=<name> or time_eps_hours=None."
        )
        raise ValueError(msg)
    n = len(strikes)
    if time_column in strikes:
        start, end, day, missing = _date_intervals(strikes, time_column)
    else:
        start = end = day = np.zeros(n, dtype=np.int64)
        missing = np.ones(n, dtype=bool)
    if has_range:
        raw0, day0, missing0 = _ns(_as_stamps(strikes[first], first))
        raw1, day1, missing1 = _ns(_as_stamps(strikes[last], last))
        ranged = ~(missing0 | missing1)
        one_day = ranged & ~missing & (day0 == day1) & (day0 == day) & (raw0 == day0)
        one_day &= raw1 == day1
        use = ranged & ~one_day
        start = np.where(use, raw0, start)
        end = np.where(use, np.where(raw1 != day1, raw1, day1 + DAY_NS), end)
        backwards = use & (end < start)
        if backwards.any():
            rows = list(strikes.index[backwards][:10])
            msg = f"{last!r} is before {first!r} in rows {rows!r}; fix or drop those rows."
            raise ValueError(msg)
        missing = missing & ~ranged
    start = np.where(missing, 0, start)
    end = np.where(missing, 0, end)
    return start, end, missing


def intervals_if_dated(strikes: Any, time_column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`time_intervals`, or every row missing when there is no date to read.

    Examples
    --------
    >>> intervals_if_dated(pd.DataFrame(index=[0, 1]), "date")[2].tolist()
    [True, True]
    """
    first, last = interval_columns(time_column)
    if isinstance(strikes, pd.DataFrame) and (
        time_column in strikes or (first in strikes and last in strikes)
    ):
        return time_intervals(strikes, time_column)
    n = len(strikes)
    return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
