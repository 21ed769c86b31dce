"""Lazy :func:`borderstrikes.distance_to_border`: one task per partition.

Each row depends on its own point only, so partitions are independent and
every task is the in-memory function on its partition. Building the graph
only checks the arguments (unit, CRS, border, country) on the driver.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from borderstrikes import border as border_module
from borderstrikes import defaults
from borderstrikes.dask._shipping import ShippedBorder, check_frame, prepared, ship_border

__all__ = ["distance_to_border"]


def _partition(
    points: Any,
    shipped: ShippedBorder | None,
    unit: str,
    signed: bool,
    country: str,
    countries: Any,
) -> pd.DataFrame:
    return border_module.distance_to_border(
        points,
        prepared(shipped),
        unit=unit,
        signed=signed,
        country=country,
        countries=countries,
        threads=1,  # the worker's threads are the parallelism; same bits for any count
    )


def distance_to_border(
    points: Any,
    border: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    *,
    unit: str = "km",
    signed: bool = True,
    country: str = defaults.COUNTRY,
    countries: Any = None,
) -> Any:
    """Lazy :func:`borderstrikes.distance_to_border` of a dask-geopandas input.

    Parameters
    ----------
    points : dask_geopandas.GeoDataFrame or dask_geopandas.GeoSeries
        Point geometries with a CRS.
    border : geopandas.GeoDataFrame or geopandas.GeoSeries, optional
        In-memory border lines; default the shipped Armenia-Azerbaijan border.
    unit : {'km', 'm', 'nmi'}, default 'km'
        Unit of the distance columns.
    signed : bool, default True
        Add ``signed_distance_<unit>``.
    country : str, default "ARM"
        ISO3 code of the country whose inside counts as positive.
    countries : geopandas.GeoDataFrame, optional
        In-memory country polygons that decide the side; default the shipped ones.

    Returns
    -------
    dask.dataframe.DataFrame
        Partitioned and indexed like ``points`` (same divisions), with the
        columns and dtypes of :func:`borderstrikes.distance_to_border`.
        Computed, it equals the in-memory result bit for bit.

    Raises
    ------
    TypeError
        If ``points`` is not a dask-geopandas collection.
    borderstrikes.errors.CRSError
        If ``points`` or ``border`` has no CRS.
    borderstrikes.errors.GeometryError, borderstrikes.errors.UnknownCountryError
        As :func:`borderstrikes.distance_to_border`. A bad border, unit or
        country raises at once; a non-point geometry raises when the
        partition holding it is computed.

    See Also
    --------
    borderstrikes.distance_to_border : the in-memory function; it calls this
        one when given a dask input.

    Notes
    -----
    Each row depends on its own point only, so partitions are independent: the
    function runs the in-memory code on every partition. See
    :mod:`borderstrikes.dask._shipping` for how the border reaches the workers.

    Examples
    --------
    >>> import dask, dask_geopandas, geopandas
    >>> towns = geopandas.GeoSeries.from_xy([45.3, 46.0], [40.35, 40.0], crs="EPSG:4326")
    >>> lazy = bs.distance_to_border(dask_geopandas.from_geopandas(towns, npartitions=2))
    >>> lazy.npartitions
    2
    >>> with dask.config.set(scheduler="synchronous"):
    ...     result = lazy.compute()
    >>> result["signed_distance_km"].round(2).tolist(), result["side"].tolist()
    ([21.08, -10.29], ['ARM', 'AZE'])
    """
    meta = check_frame(points, "points")
    shipped, target = ship_border(border)
    empty = border_module.distance_to_border(
        meta, target, unit=unit, signed=signed, country=country, countries=countries
    )  # checks unit and country now, and gives the dtypes
    return points.map_partitions(_partition, shipped, unit, signed, country, countries, meta=empty)
