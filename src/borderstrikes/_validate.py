"""Input checks shared by every public function (private).

One place for the CRS rules of the project: a missing CRS is an error, two
inputs in different CRSs are an error, and geodesic code converts to
EPSG:4326 itself.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from borderstrikes.errors import CRSError, GeometryError

WGS84 = "EPSG:4326"


def as_geoseries(data: Any, name: str) -> gpd.GeoSeries:
    """Return the active geometry of a GeoDataFrame/GeoSeries (no copy)."""
    if isinstance(data, gpd.GeoDataFrame):
        return data.geometry
    if isinstance(data, gpd.GeoSeries):
        return data
    msg = (
        f"{name} must be a GeoDataFrame or GeoSeries (got {type(data).__name__}). "
        "Build one with geopandas.GeoDataFrame(df, geometry=geopandas.points_from_xy(lon, lat), "
        "crs='EPSG:4326')."
    )
    raise TypeError(msg)


def require_crs(data: gpd.GeoSeries | gpd.GeoDataFrame, name: str) -> None:
    """Raise CRSError if ``data`` has no CRS."""
    if data.crs is None:
        msg = (
            f"{name} has no CRS; call {name}.set_crs('EPSG:4326') (or the CRS the "
            "coordinates are really in) first."
        )
        raise CRSError(msg)


def require_same_crs(
    a: gpd.GeoSeries | gpd.GeoDataFrame, b: gpd.GeoSeries | gpd.GeoDataFrame, names: str
) -> None:
    """Raise CRSError if the two inputs' CRSs differ (both must have one)."""
    if not a.crs.equals(b.crs):
        msg = (
            f"{names} are in different CRSs ({a.crs.to_string()} vs {b.crs.to_string()}); "
            "convert one with .to_crs() so both match."
        )
        raise CRSError(msg)


def to_wgs84(data: Any, name: str) -> gpd.GeoSeries:
    """Geometry of ``data`` in EPSG:4326, after checking it has a CRS."""
    geoms = as_geoseries(data, name)
    require_crs(geoms, name)
    if geoms.crs.equals(WGS84):
        return geoms
    return geoms.to_crs(WGS84)


def point_lonlat(data: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (degrees, WGS84) of point geometries.

    Missing or empty geometries give NaN. Any other geometry type raises
    :class:`GeometryError` with a hint.
    """
    geoms = to_wgs84(data, name)
    values = np.asarray(geoms.values)
    missing = shapely.is_missing(values) | shapely.is_empty(values)
    types = shapely.get_type_id(values)
    bad = ~missing & (types != shapely.GeometryType.POINT)
    if bad.any():
        first = np.flatnonzero(bad)[:5]
        kinds = sorted(set(geoms.iloc[first].geom_type))
        labels = list(geoms.index[first])
        msg = (
            f"{name} must contain only Point geometries; rows {labels!r} are {kinds!r}. "
            "Use .representative_point() or .centroid (in a projected CRS) to get one point "
            "per feature, or .explode() for multi-points."
        )
        raise GeometryError(msg)
    lon = np.full(len(values), np.nan)
    lat = np.full(len(values), np.nan)
    ok = ~missing
    lon[ok] = shapely.get_x(values[ok])
    lat[ok] = shapely.get_y(values[ok])
    if ok.any() and (np.abs(lat[ok]) > 90).any():
        msg = f"{name} has latitudes beyond ±90° after conversion to EPSG:4326; check its CRS."
        raise CRSError(msg)
    return lon, lat
