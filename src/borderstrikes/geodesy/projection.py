"""Azimuthal equidistant projections centred on a point of the WGS84 ellipsoid.

Distances and azimuths from the centre are exact (geodesic); elsewhere the
projection stretches, which callers bound themselves. One place builds them.
"""

from __future__ import annotations

import functools

import numpy as np
from pyproj import CRS, Transformer

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
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return forward, inverse


def to_aeqd(
    lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Project longitudes/latitudes (degrees) to metres around ``(lon0, lat0)``.

    Examples
    --------
    >>> x, y = to_aeqd(45.0, 40.0, np.array([45.0]), np.array([41.0]))
    >>> round(float(x[0]), 6), round(float(y[0]), 3)
    (0.0, 111044.261)
    """
    x, y = aeqd_transformers(float(lon0), float(lat0))[0].transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def from_aeqd(
    lon0: float, lat0: float, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_aeqd`: metres around ``(lon0, lat0)`` back to degrees."""
    lon, lat = aeqd_transformers(float(lon0), float(lat0))[1].transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
