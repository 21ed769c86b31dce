"""The arguments of the clustering, checked, and the rows it clusters.

One place decides which reports take part (evidence, geometry, time, weight):
:func:`borderstrikes.clustering.cluster_strikes` in memory and the tiled
DBSCAN of :mod:`borderstrikes.dask` on every partition.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from borderstrikes._core.validate import check_integer, check_number, point_lonlat
from borderstrikes.clustering.times import time_eps_ns, time_intervals
from borderstrikes.errors import BorderstrikesWarning
from borderstrikes.strikes import is_strike_report

__all__ = ["ClusterOptions", "ClusterRows", "check_options", "cluster_rows", "warn_rows"]


@dataclass(frozen=True)
class ClusterOptions:
    """The parameters of :func:`~borderstrikes.clustering.cluster_strikes`, checked."""

    eps_km: float
    min_samples: int
    time_eps_hours: float | None
    weight: Any
    time_column: str
    exclude_evidence: tuple[str, ...]

    @property
    def time_eps_ns(self) -> int | None:
        """Temporal threshold in nanoseconds (None in purely spatial mode)."""
        return time_eps_ns(self.time_eps_hours)


def _check_time_eps(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return check_number(value, "time_eps_hours", minimum=0.0, strict=False)
    except ValueError:
        msg = (
            f"time_eps_hours must be None or a finite number >= 0 (got {value!r}); "
            "use None for purely spatial clustering."
        )
        raise ValueError(msg) from None


def check_options(
    eps_km: Any,
    min_samples: Any,
    time_eps_hours: Any = None,
    weight: Any = None,
    time_column: str = "date",
    exclude_evidence: Any = (),
) -> ClusterOptions:
    """Check the clustering parameters; return them as the types the code uses.

    Raises
    ------
    ValueError
        For ``eps_km``, ``min_samples`` or ``time_eps_hours`` out of range.
    TypeError
        If ``exclude_evidence`` is not a string, an iterable of strings or None.

    Examples
    --------
    >>> check_options(20, 3).eps_km
    20.0
    >>> check_options(0, 3)
    Traceback (most recent call last):
    ...
    ValueError: eps_km must be a finite number > 0 (got 0). Use e.g. eps_km=DEFAULT_EPS_KM.
    """
    eps = check_number(eps_km, "eps_km", hint="Use e.g. eps_km=DEFAULT_EPS_KM.")
    samples = check_integer(min_samples, "min_samples", minimum=1)
    hours = _check_time_eps(time_eps_hours)
    if isinstance(exclude_evidence, str):
        exclude_evidence = (exclude_evidence,)
    is_strike_report(pd.DataFrame(), exclude_evidence=exclude_evidence)  # checks the type
    excluded = tuple(exclude_evidence or ())
    return ClusterOptions(eps, samples, hours, weight, time_column, excluded)


def row_weights(strikes: Any, weight: Any) -> np.ndarray:
    """Sample weight of each row: ones, a column of ``strikes`` or one value per row."""
    n = len(strikes)
    if weight is None:
        return np.ones(n)
    if isinstance(weight, str):
        if not isinstance(strikes, pd.DataFrame) or weight not in strikes:
            have = list(strikes.columns) if isinstance(strikes, pd.DataFrame) else []
            msg = f"weight column {weight!r} not found in strikes (columns: {have!r})."
            raise ValueError(msg)
        values = pd.to_numeric(strikes[weight], errors="coerce").to_numpy(dtype=float)
    elif isinstance(weight, pd.Series):
        if not weight.index.equals(strikes.index):
            msg = "weight Series must have the same index as strikes; pass weight.to_numpy()."
            raise ValueError(msg)
        values = weight.to_numpy(dtype=float)
    else:
        values = np.asarray(weight, dtype=float)
    if values.shape != (n,):
        msg = f"weight must have one value per row of strikes ({n}); got shape {values.shape}."
        raise ValueError(msg)
    return values


def warn_rows(index: pd.Index, mask: np.ndarray, what: str, *, stacklevel: int = 3) -> None:
    """Warn that the rows of ``mask`` have ``what`` and get label -1 (or NaN).

    ``stacklevel`` 3 points at the caller of the function that calls this one.
    """
    labels = list(index[mask][:10])
    more = "" if mask.sum() <= 10 else f" and {int(mask.sum()) - 10} more"
    msg = f"{int(mask.sum())} row(s) of strikes have {what} and get label -1: {labels!r}{more}."
    warnings.warn(msg, BorderstrikesWarning, stacklevel=stacklevel)


@dataclass(frozen=True)
class ClusterRows:
    """What the DBSCAN needs of every row, and which rows take part (``use``)."""

    lon: np.ndarray
    lat: np.ndarray
    weight: np.ndarray
    t0: np.ndarray | None
    t1: np.ndarray | None
    use: np.ndarray


def cluster_rows(strikes: Any, options: ClusterOptions, *, warn: bool = True) -> ClusterRows:
    """Coordinates, weights and time intervals of ``strikes``, and the rows that are clustered.

    A row is left out (label -1) when its evidence is excluded, it has no
    point or, in space-time mode, no time; with ``warn`` the last two are
    named in a :class:`~borderstrikes.errors.BorderstrikesWarning`.

    Raises
    ------
    ValueError
        For a missing weight or time column, or a clustered row whose weight
        is negative or not finite.
    """
    lon, lat = point_lonlat(strikes, "strikes")
    n = len(lon)
    excluded = ~is_strike_report(strikes, exclude_evidence=options.exclude_evidence)
    weights = row_weights(strikes, options.weight)
    missing = np.isnan(lon) | np.isnan(lat)
    t0 = t1 = None
    no_time = np.zeros(n, dtype=bool)
    if options.time_eps_hours is not None:
        t0, t1, no_time = time_intervals(strikes, options.time_column)
    if warn and (missing & ~excluded).any():
        warn_rows(strikes.index, missing & ~excluded, "no (or an empty) geometry", stacklevel=4)
    if warn and (no_time & ~missing & ~excluded).any():
        what = f"no {options.time_column!r} value"
        warn_rows(strikes.index, no_time & ~missing & ~excluded, what, stacklevel=4)
    use = ~(excluded | missing | no_time)
    bad_weight = use & ~(np.isfinite(weights) & (weights >= 0))
    if bad_weight.any():
        labels = list(strikes.index[bad_weight][:10])
        msg = f"weights must be finite and >= 0; rows {labels!r} are not."
        raise ValueError(msg)
    return ClusterRows(lon, lat, weights, t0, t1, use)
