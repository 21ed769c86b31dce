"""Azimuthal equidistant projections centred on a point of the WGS84 ellipsoid.

Distances and azimuths from the centre are exact (geodesic); elsewhere the
projection stretches, which callers bound themselves. One place builds them,
in two forms that agree to a nanometre: :func:`to_aeqd` / :func:`from_aeqd`
solve the geodesics directly with :data:`~borderstrikes._core.constants.GEOD`
(no PROJ object per centre, so a centre can move cheaply), and
:func:`aeqd_crs` / :func:`aeqd_transformers` give PROJ's ``aeqd`` for code
that transforms whole geometries.
"""

from __future__ import annotations

import functools

import numpy as np
from pyproj import CRS, Transformer

from borderstrikes._core.constants import GEOD, WGS84

__all__ = ["aeqd_crs", "aeqd_transformers", "from_aeqd", "to_aeqd"]


def aeqd_crs(lon0: float, lat0: float) -> CRS:
    """Return the azimuthal equidistant CRS (metres, WGS84) centred on ``(lon0, lat0)``."""
    return CRS.from_proj4(
        f"+proj=aeqd +lat_0={float(lat0)!r} +lon_0={float(lon0)!r} +ellps=WGS84 +units=m +no_defs"
    )


@functools.lru_cache(maxsize=256)
def aeqd_transformers(lon0: float, lat0: float) -> tuple[Transformer, Transformer]:
    """Forward (lon/lat -> x/y metres) and inverse transformers of :func:`aeqd_crs`."""
    crs = aeqd_crs(lon0, lat0)
    forward = Transformer.from_crs(WGS84, crs, always_xy=True)
    inverse = Transformer.from_crs(crs, WGS84, always_xy=True)
    return forward, inverse


def to_aeqd(
    lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Project longitudes/latitudes (degrees) to metres (x east, y north) around ``(lon0, lat0)``.

    A point at geodesic distance ``s`` and azimuth ``az`` from the centre
    goes to ``(s sin az, s cos az)``; ``hypot(x, y)`` is that distance.

    Examples
    --------
    >>> x, y = to_aeqd(45.0, 40.0, np.array([45.0]), np.array([41.0]))
    >>> round(float(x[0]), 6), round(float(y[0]), 3)
    (0.0, 111044.261)
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    az, _, dist = GEOD.inv(
        np.full(lon.shape, float(lon0)), np.full(lat.shape, float(lat0)), lon, lat
    )
    az = np.radians(np.asarray(az, dtype=float))
    dist = np.asarray(dist, dtype=float)
    return dist * np.sin(az), dist * np.cos(az)


def from_aeqd(
    lon0: float, lat0: float, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_aeqd`; longitudes stay continuous across ±180° from ``lon0``.

    Examples
    --------
    >>> lon, lat = from_aeqd(45.0, 40.0, np.array([0.0]), np.array([111044.261]))
    >>> round(float(lon[0]), 9), round(float(lat[0]), 6)
    (45.0, 41.0)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    az = np.degrees(np.arctan2(x, y))
    lon, lat, _ = GEOD.fwd(
        np.full(x.shape, float(lon0)), np.full(x.shape, float(lat0)), az, np.hypot(x, y)
    )
    lon = float(lon0) + np.mod(np.asarray(lon, dtype=float) - float(lon0) + 180.0, 360.0) - 180.0
    return lon, np.asarray(lat, dtype=float)
