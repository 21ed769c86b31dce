"""Time intervals of strike reports, for space-time clustering.

Each report covers an interval of local wall-clock time: a date alone is the
whole day, a timestamp is an instant, and a ``time_local`` of ``"HH:MM"`` or
``"HH:MM-HH:MM"`` narrows a date to that time or range (see
:func:`borderstrikes.clustering.cluster_strikes`, Notes).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from borderstrikes._core.constants import NS_PER_HOUR

__all__ = ["DAY_NS", "time_eps_ns", "time_intervals"]

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


def time_intervals(strikes: Any, time_column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end (int64 ns, local wall time) of each report, plus a missing mask.

    Raises
    ------
    ValueError
        If ``strikes`` has no ``time_column`` or its values are not dates.

    Examples
    --------
    >>> frame = pd.DataFrame(
    ...     {"date": pd.to_datetime(["2022-09-13", None]), "time_local": ["01:00-02:30", None]}
    ... )
    >>> start, end, missing = time_intervals(frame, "date")
    >>> int(end[0] - start[0]) // 60_000_000_000, missing.tolist()
    (90, [False, True])
    """
    if not isinstance(strikes, pd.DataFrame) or time_column not in strikes:
        msg = (
            f"space-time clustering needs a {time_column!r} column of dates in strikes; "
            "pass time_column=<name> or time_eps_hours=None."
        )
        raise ValueError(msg)
    try:
        stamps = pd.to_datetime(strikes[time_column])
    except (ValueError, TypeError) as exc:
        msg = f"column {time_column!r} cannot be read as dates: {exc}"
        raise ValueError(msg) from exc
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    missing = stamps.isna().to_numpy()
    day = stamps.dt.normalize().to_numpy(dtype="datetime64[ns]").view("int64")
    raw = stamps.to_numpy(dtype="datetime64[ns]").view("int64")
    start = np.where(raw != day, raw, day)
    end = np.where(raw != day, raw, day + DAY_NS)
    if "time_local" in strikes:
        offset0, offset1, parsed = _parse_time_local(strikes["time_local"])
        parsed &= ~missing
        start[parsed] = day[parsed] + offset0[parsed]
        end[parsed] = day[parsed] + offset1[parsed]
    start[missing] = 0
    end[missing] = 0
    return start, end, missing
