"""Lazy :func:`borderstrikes.distance_interval`: one task per partition.

The random numbers of a report depend on its place among all located reports
(those with a point), as in memory. Building the graph therefore counts the
located rows of every partition (one eager pass over the input); each task
then calls the in-memory function on its partition with
``stream_position=(located rows before it, located rows in all)``, which
draws exactly the numbers the whole table would draw for those rows. A task
holds its partition plus the Monte Carlo samples of one block of rows at a
time, as in memory, whatever ``n`` is.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from borderstrikes import defaults, uncertainty
from borderstrikes._core.validate import point_lonlat
from borderstrikes.dask._shipping import (
    ShippedBorder,
    check_frame,
    dask_modules,
    prepared,
    ship_border,
)

__all__ = ["distance_interval"]


def _located(frame: Any) -> int:
    lon, _ = point_lonlat(frame, "strikes")
    return int(np.count_nonzero(~np.isnan(lon)))


def _count(frame: Any) -> pd.Series:
    return pd.Series([_located(frame)], dtype="int64")


def _partition(
    frame: Any,
    n: int,
    seed: Any,
    offsets: np.ndarray,
    shipped: ShippedBorder | None,
    country: str,
    countries: Any,
    partition_info: dict | None = None,
) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    first, last = int(offsets[number]), int(offsets[number + 1])
    located = _located(frame)
    if located != last - first:
        msg = (
            f"partition {number} of strikes changed between two computations "
            f"({last - first} then {located} located rows); "
            "persist the input before calling distance_interval."
        )
        raise RuntimeError(msg)
    return uncertainty.distance_interval(
        frame,
        n=n,
        seed=seed,
        border=prepared(shipped),
        country=country,
        countries=countries,
        stream_position=(first, int(offsets[-1])),
    )


def distance_interval(
    strikes: Any,
    *,
    n: int = 1000,
    seed: int | None = 0,
    border: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    country: str = defaults.COUNTRY,
    countries: Any = None,
) -> Any:
    """Lazy :func:`borderstrikes.distance_interval` of a dask-geopandas input.

    Parameters
    ----------
    strikes : dask_geopandas.GeoDataFrame
        Point reports with ``location_radius_m`` or ``location_precision``.
    n : int, default 1000
        Monte Carlo samples per report.
    seed : int, numpy.random.SeedSequence or None, default 0
        Seed of the generator; None draws one fresh seed for the whole input.
    border : geopandas.GeoDataFrame or geopandas.GeoSeries, optional
        In-memory border lines; default the shipped border.
    country : str, default "ARM"
        Country whose side counts as positive.
    countries : geopandas.GeoDataFrame, optional
        In-memory country polygons that decide the side; default the shipped ones.

    Returns
    -------
    dask.dataframe.DataFrame
        Partitioned and indexed like ``strikes``, with the columns of
        :func:`borderstrikes.distance_interval`. Computed with the same seed, it
        equals the in-memory result bit for bit, however the input is
        partitioned.

    Raises
    ------
    ValueError
        If ``n`` or ``seed`` is invalid, or the radius columns are missing.
    TypeError
        If ``strikes`` is not a dask-geopandas collection.

    See Also
    --------
    borderstrikes.distance_interval : the in-memory function.

    Notes
    -----
    The samples of a report are drawn from the same positions of the same
    random stream as in memory, which depend on how many located reports
    come before it. The function therefore computes, when called, the number
    of located rows of every partition (a pass over the input); the rest
    is lazy: each partition is the in-memory function with its
    ``stream_position``.

    Examples
    --------
    >>> import dask, dask_geopandas
    >>> strikes = bs.load_strikes()
    >>> with dask.config.set(scheduler="synchronous"):
    ...     lazy = bs.distance_interval(
    ...         dask_geopandas.from_geopandas(strikes, npartitions=3), n=50
    ...     )
    ...     result = lazy.compute()
    >>> result.equals(bs.distance_interval(strikes, n=50))
    True
    """
    meta = check_frame(strikes, "strikes")
    seed = uncertainty.shared_seed(seed)  # None: one fresh seed for every partition
    shipped, target = ship_border(border)
    empty = uncertainty.distance_interval(
        meta,
        n=n,
        seed=seed,
        border=target,
        country=country,
        countries=countries,
        stream_position=(0, 0),
    )  # checks n, the radius columns and country now, and gives the dtypes
    counts = strikes.map_partitions(_count, meta=pd.Series(dtype="int64")).compute()
    offsets = np.concatenate([[0], np.cumsum(counts.to_numpy(dtype=np.int64))])
    dask, _, _ = dask_modules()
    return strikes.map_partitions(
        _partition,
        n,
        seed,
        dask.delayed(offsets),
        shipped,
        country,
        countries,
        meta=empty,
    )
