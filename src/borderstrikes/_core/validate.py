"""Input checks shared by every public function (private).

One place for the CRS rules of the project: a missing CRS is an error, two
inputs in different CRSs are an error, and geodesic code converts to
EPSG:4326 itself.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj.exceptions import ProjError

from borderstrikes._core.constants import WGS84
from borderstrikes.errors import CRSError, GeometryError


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


def check_coordinates(source: gpd.GeoSeries, wgs: gpd.GeoSeries, name: str) -> None:
    """Raise CRSError when coordinates cannot be in the CRS they are declared in.

    Infinite coordinates raise GeometryError.

    Degrees declared as a projected CRS (every coordinate within 180 units of
    the origin), or a latitude beyond ±90° or a longitude beyond ±360° after
    conversion to EPSG:4326 (metres declared as EPSG:4326), would give
    distances off by thousands of km.
    """
    if source.crs.is_projected and len(source):
        x0, y0, x1, y1 = source.total_bounds
        if max(abs(x0), abs(x1)) <= 180 and max(abs(y0), abs(y1)) <= 90:
            msg = (
                f"{name} is in the projected CRS {source.crs.to_string()}, but all its "
                "coordinates lie within 180 units of the origin: they look like degrees. "
                f"If they are longitude/latitude, call {name}.set_crs('EPSG:4326', "
                "allow_override=True)."
            )
            raise CRSError(msg)
    if len(wgs):
        infinite = np.isinf(shapely.bounds(np.asarray(wgs.values))).any(axis=1)
        if infinite.any():
            labels = list(wgs.index[np.flatnonzero(infinite)[:5]])
            msg = (
                f"{name} has infinite coordinates in rows {labels!r} (after conversion to "
                "EPSG:4326); fix the coordinates, or check the CRS they are declared in."
            )
            raise GeometryError(msg)
        lon0, lat0, lon1, lat1 = wgs.total_bounds
        if lat0 < -90 or lat1 > 90 or lon0 < -360 or lon1 > 360:
            msg = (
                f"{name} has latitudes beyond ±90° or longitudes beyond ±360° after "
                "conversion to EPSG:4326; the coordinates are not in the declared CRS "
                f"(metres declared as degrees?). Set the right one with {name}.set_crs(..., "
                "allow_override=True)."
            )
            raise CRSError(msg)


def convert_to_wgs84(geoms: gpd.GeoSeries, name: str) -> gpd.GeoSeries:
    """``geoms.to_crs("EPSG:4326")``, raising CRSError when PROJ cannot do it."""
    if geoms.crs.equals(WGS84):
        return geoms
    try:
        return geoms.to_crs(WGS84)
    except ProjError as exc:
        msg = (
            f"{name} is in {geoms.crs.name!r}, which PROJ cannot convert to EPSG:4326 ({exc}). "
            "Check the CRS, or convert the data with a tool that knows the transformation."
        )
        raise CRSError(msg) from exc


def to_wgs84(data: Any, name: str) -> gpd.GeoSeries:
    """Geometry of ``data`` in EPSG:4326, after checking it has a CRS."""
    geoms = as_geoseries(data, name)
    require_crs(geoms, name)
    wgs = convert_to_wgs84(geoms, name)
    check_coordinates(geoms, wgs, name)
    return wgs


def point_lonlat(data: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (degrees, WGS84) of point geometries.

    Missing or empty geometries, and points with a NaN coordinate (what
    ``geopandas.points_from_xy`` makes of a missing value), give NaN. Any other
    geometry type, or an infinite coordinate, raises :class:`GeometryError`
    with a hint.
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


# --------------------------------------------------------------------------- arguments
# One set of validators for every keyword argument of the package. Each returns
# the value as the type the code uses and raises ValueError saying what was
# expected and what was given (``name`` is the argument's name).


def _real(value: Any) -> float:
    """``value`` as a float, NaN when it is not a real number (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return math.nan
    return float(value)


def check_number(
    value: Any,
    name: str,
    *,
    unit: str = "",
    minimum: float = 0.0,
    strict: bool = True,
    maximum: float = math.inf,
    hint: str = "",
) -> float:
    """Return ``value`` as a finite float > ``minimum`` (>= if not strict) and <= ``maximum``.

    Examples
    --------
    >>> check_number(5, "eps_km", unit="km")
    5.0
    >>> check_number(0, "eps_km", unit="km")
    Traceback (most recent call last):
    ...
    ValueError: eps_km must be a finite number of km > 0 (got 0).
    """
    number = _real(value)
    low_ok = number > minimum if strict else number >= minimum
    if not (math.isfinite(number) and low_ok and number <= maximum):
        of = f" of {unit}" if unit else ""
        bound = f"{'>' if strict else '>='} {minimum:g}"
        if math.isfinite(maximum):
            bound += f" and <= {maximum:g}"
        tail = f" {hint}" if hint else ""
        msg = f"{name} must be a finite number{of} {bound} (got {value!r}).{tail}"
        raise ValueError(msg)
    return number


def check_integer(value: Any, name: str, *, minimum: int = 1, hint: str = "") -> int:
    """Return ``value`` as an int ``>= minimum`` (numpy integers accepted, bools refused).

    Examples
    --------
    >>> check_integer(3, "min_samples")
    3
    >>> check_integer(2.0, "min_samples")
    Traceback (most recent call last):
    ...
    ValueError: min_samples must be an integer >= 1 (got 2.0).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        msg = f"{name} must be an integer >= {minimum} (got {value!r}).{' ' + hint if hint else ''}"
        raise ValueError(msg)
    return int(value)


def check_option(value: Any, name: str, options: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``options``.

    Examples
    --------
    >>> check_option("km", "unit", ("m", "km"))
    'km'
    >>> check_option("mi", "unit", ("m", "km"))
    Traceback (most recent call last):
    ...
    ValueError: unit must be one of ['km', 'm'] (got 'mi').
    """
    choices = list(options)
    try:
        ok = value in choices
    except TypeError:  # an unhashable value cannot be a key of a mapping of options
        ok = False
    if not ok:
        msg = f"{name} must be one of {sorted(choices, key=str)!r} (got {value!r})."
        raise ValueError(msg)
    return value


def location_radii_m(frame: Any, value: Any, n: int) -> np.ndarray:
    """Location radius (m) of each of ``n`` rows: a column of ``frame``, one number, or n numbers.

    ``value`` names a column of ``frame`` (values read as numbers; a missing
    column gives 0 for every row), or is one number for every row, or one per
    row. Missing or non-finite values count as 0 (a point taken as exact).

    Raises
    ------
    ValueError
        If ``value`` holds neither one number nor ``n``, or a radius is negative.

    Examples
    --------
    >>> location_radii_m(None, 2000, 3).tolist()
    [2000.0, 2000.0, 2000.0]
    >>> location_radii_m(pd.DataFrame({"r": [1.0, None]}), "r", 2).tolist()
    [1.0, 0.0]
    """
    if isinstance(value, str):
        if isinstance(frame, pd.DataFrame) and value in frame.columns:
            values = pd.to_numeric(frame[value], errors="coerce").to_numpy(dtype=float)
        else:
            values = np.zeros(n)
    elif np.ndim(value) == 0:
        values = np.full(n, check_number(value, "location_radius_m", unit="m", strict=False))
    else:
        values = np.asarray(value, dtype=float)
        if values.shape != (n,):
            msg = f"location_radius_m must be one number or one per row ({n})."
            raise ValueError(msg)
    values = np.where(np.isfinite(values), values, 0.0)
    if (values < 0).any():
        msg = "location_radius_m must not be negative."
        raise ValueError(msg)
    return values
