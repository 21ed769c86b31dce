"""Azimuths, compass points and geodesic wedges on the WGS84 ellipsoid: arrays in, arrays out.

Azimuths are in degrees clockwise from true north, in ``[0, 360)``. Every
geodesic problem is solved by GeographicLib through
:data:`~borderstrikes._core.constants.GEOD`. A *sector* is the set of
azimuths swept clockwise from ``start`` over ``width`` degrees; a *wedge* is
the set of points whose geodesic from an apex leaves in the sector and is
between ``min_m`` and ``max_m`` long (a range fan).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from borderstrikes._core.constants import GEOD

__all__ = [
    "COMPASS_POINTS",
    "compass_point",
    "compass_sector",
    "in_sector",
    "inverse",
    "normalize_deg",
    "wedge_rings",
]

#: The 16 points of the compass, clockwise from north, 22.5 degrees apart.
COMPASS_POINTS = (
    "N",
    "NNE",
    "NE",
    "ENE",
    "E",
    "ESE",
    "SE",
    "SSE",
    "S",
    "SSW",
    "SW",
    "WSW",
    "W",
    "WNW",
    "NW",
    "NNW",
)
_POINT_DEG = 360.0 / len(COMPASS_POINTS)


def normalize_deg(angle: Any) -> np.ndarray:
    """Angles in degrees brought into ``[0, 360)`` (NaN stays NaN).

    Examples
    --------
    >>> normalize_deg([-90.0, 360.0, 725.0]).tolist()
    [270.0, 0.0, 5.0]
    """
    out = np.mod(np.asarray(angle, dtype=float), 360.0)
    return np.where(out >= 360.0, 0.0, out) + 0.0  # mod(-tiny, 360) rounds to 360; -0.0 -> 0.0


def inverse(
    lon1: Any, lat1: Any, lon2: Any, lat2: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Azimuth from point 1 to point 2, azimuth from point 2 back to 1, and the distance.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array_like
        Degrees (WGS84); broadcast against each other.

    Returns
    -------
    azimuth_deg, back_azimuth_deg, distance_m : numpy.ndarray
        ``azimuth_deg`` is the direction in which the geodesic leaves point 1,
        ``back_azimuth_deg`` the direction from point 2 towards point 1 (the
        reverse of the geodesic's arrival azimuth), both in ``[0, 360)``;
        ``distance_m`` is the geodesic length in metres. Azimuths are NaN where
        the two points coincide (no direction) or a coordinate is NaN.

    Examples
    --------
    >>> az, back, dist = inverse(45.0, 40.0, 45.0, 41.0)
    >>> float(az), float(back), round(float(dist), 3)
    (0.0, 180.0, 111044.261)
    """
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (lon1, lat1, lon2, lat2))
    )
    shape = lon1.shape
    flat = [np.ravel(v) for v in (lon1, lat1, lon2, lat2)]
    ok = np.all([np.isfinite(v) for v in flat], axis=0)
    az = np.full(ok.shape, np.nan)
    back = np.full(ok.shape, np.nan)
    dist = np.full(ok.shape, np.nan)
    if ok.any():
        fwd, bwd, length = GEOD.inv(*(v[ok] for v in flat))
        az[ok] = np.asarray(fwd, dtype=float)
        back[ok] = np.asarray(bwd, dtype=float)
        dist[ok] = np.asarray(length, dtype=float)
    same = dist == 0.0
    az[same] = np.nan
    back[same] = np.nan
    return normalize_deg(az).reshape(shape), normalize_deg(back).reshape(shape), dist.reshape(shape)


def compass_point(azimuth_deg: Any) -> np.ndarray:
    """Name of the nearest of the 16 compass points (None for NaN).

    Examples
    --------
    >>> compass_point([0.0, 22.5, 33.0, 345.0, 350.0]).tolist()
    ['N', 'NNE', 'NNE', 'NNW', 'N']
    """
    az = np.atleast_1d(np.asarray(azimuth_deg, dtype=float))
    out = np.full(az.shape, None, dtype=object)
    ok = np.isfinite(az)
    k = np.floor(normalize_deg(az[ok]) / _POINT_DEG + 0.5).astype(int) % len(COMPASS_POINTS)
    out[ok] = np.asarray(COMPASS_POINTS, dtype=object)[k]
    return out


def compass_sector(direction: Any, *, half_width_deg: float | None = None) -> tuple[float, float]:
    """Centre azimuth and half-width (degrees) of a direction given as a compass point or degrees.

    Parameters
    ----------
    direction : str or float
        One of :data:`COMPASS_POINTS` (case-insensitive, e.g. ``"NNE"``) or an
        azimuth in degrees clockwise from north.
    half_width_deg : float, optional
        Half-width of the sector. Default: half a point of the 16-point
        compass, 11.25 degrees, so that ``"NNE"`` is 22.5 ± 11.25 degrees.

    Returns
    -------
    tuple of float
        ``(centre_deg, half_width_deg)``, the centre in ``[0, 360)``.

    Raises
    ------
    ValueError
        If ``direction`` is neither a compass point nor a finite number, or
        ``half_width_deg`` is not in ``(0, 180]``.

    Examples
    --------
    >>> compass_sector("NNE")
    (22.5, 11.25)
    >>> compass_sector(-10, half_width_deg=5)
    (350.0, 5.0)
    """
    width = 0.5 * _POINT_DEG if half_width_deg is None else half_width_deg
    if (
        isinstance(width, bool)
        or not isinstance(width, numbers.Real)
        or not (0.0 < float(width) <= 180.0)
    ):
        msg = f"half_width_deg must be a number in (0, 180] (got {half_width_deg!r})."
        raise ValueError(msg)
    if isinstance(direction, str):
        key = direction.strip().upper()
        if key not in COMPASS_POINTS:
            msg = (
                f"direction must be one of {list(COMPASS_POINTS)!r} or an azimuth in degrees "
                f"(got {direction!r})."
            )
            raise ValueError(msg)
        centre = COMPASS_POINTS.index(key) * _POINT_DEG
    elif (
        isinstance(direction, numbers.Real)
        and not isinstance(direction, bool)
        and math.isfinite(float(direction))
    ):
        centre = float(normalize_deg(float(direction)))
    else:
        msg = (
            f"direction must be a compass point such as 'NNE' or an azimuth in degrees "
            f"(got {direction!r})."
        )
        raise ValueError(msg)
    return float(centre), float(width)


def in_sector(azimuth_deg: Any, start_deg: Any, width_deg: Any) -> np.ndarray:
    """Whether azimuths lie in the sector swept clockwise from ``start_deg`` over ``width_deg``.

    Examples
    --------
    >>> in_sector([350.0, 5.0, 20.0], 340.0, 30.0).tolist()
    [True, True, False]
    """
    offset = normalize_deg(np.asarray(azimuth_deg, dtype=float) - np.asarray(start_deg))
    return (offset <= np.asarray(width_deg, dtype=float)) | (np.asarray(width_deg) >= 360.0)


def _arc(
    lon0: float, lat0: float, start: float, width: float, radius_m: float, step_m: float
) -> np.ndarray:
    """Points at geodesic distance ``radius_m`` from the apex, azimuths start .. start + width."""
    n = max(2, math.ceil(math.radians(width) * radius_m / step_m) + 1)
    az = start + np.linspace(0.0, width, n)
    lon, lat, _ = GEOD.fwd(np.full(n, lon0), np.full(n, lat0), az, np.full(n, radius_m))
    return np.column_stack([lon, lat])


def _radial(
    lon0: float, lat0: float, azimuth: float, s0: float, s1: float, step_m: float
) -> np.ndarray:
    """Points along the geodesic leaving the apex at ``azimuth``, from distance s0 to s1."""
    n = max(2, math.ceil(abs(s1 - s0) / step_m) + 1)
    s = np.linspace(s0, s1, n)
    lon, lat, _ = GEOD.fwd(np.full(n, lon0), np.full(n, lat0), np.full(n, azimuth), s)
    lon = np.where(s == 0.0, lon0, lon)
    lat = np.where(s == 0.0, lat0, lat)
    return np.column_stack([lon, lat])


def wedge_rings(
    lon0: float,
    lat0: float,
    start_deg: float,
    width_deg: float,
    max_m: float,
    *,
    min_m: float = 0.0,
    step_m: float = 250.0,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Outline of a geodesic wedge (range fan): its shell and, for a full annulus, its hole.

    Parameters
    ----------
    lon0, lat0 : float
        The apex, degrees.
    start_deg, width_deg : float
        The sector of azimuths, swept clockwise from ``start_deg``; a width of
        360 or more gives a disc (or annulus).
    max_m, min_m : float
        Outer and inner radius, metres (geodesic lengths from the apex).
    step_m : float, default 250
        Largest spacing of the outline's vertices along the radial edges and
        the arcs.

    Returns
    -------
    shell : numpy.ndarray
        ``(n, 2)`` closed ring of longitudes/latitudes: the radial geodesic at
        ``start_deg``, the outer arc clockwise, the radial geodesic back, and
        the inner arc (or the apex). Every vertex lies exactly on the wedge's
        boundary; longitudes stay continuous across ±180° from ``lon0``.
    hole : numpy.ndarray or None
        The inner circle of a full annulus, else None.

    Examples
    --------
    >>> shell, hole = wedge_rings(45.0, 40.0, 11.25, 22.5, 10_000.0, step_m=1_000.0)
    >>> shell[0].tolist() == shell[-1].tolist() == [45.0, 40.0], hole is None
    (True, True)
    """
    full = width_deg >= 360.0
    if full:
        shell = _arc(lon0, lat0, 0.0, 360.0, max_m, step_m)
        hole = _arc(lon0, lat0, 0.0, 360.0, min_m, step_m)[::-1] if min_m > 0 else None
        if hole is not None:
            hole[-1] = hole[0]
        shell[-1] = shell[0]
        return _unwrap(shell, lon0), None if hole is None else _unwrap(hole, lon0)
    end = start_deg + width_deg
    parts = [
        _radial(lon0, lat0, start_deg, min_m, max_m, step_m),
        _arc(lon0, lat0, start_deg, width_deg, max_m, step_m)[1:],
        _radial(lon0, lat0, end, max_m, min_m, step_m)[1:],
    ]
    if min_m > 0:
        parts.append(_arc(lon0, lat0, start_deg, width_deg, min_m, step_m)[::-1][1:])
    shell = np.vstack(parts)
    if not np.array_equal(shell[0], shell[-1]):
        shell = np.vstack([shell, shell[:1]])
    return _unwrap(shell, lon0), None


def _unwrap(coords: np.ndarray, lon0: float) -> np.ndarray:
    coords = coords.copy()
    coords[:, 0] = lon0 + np.mod(coords[:, 0] - lon0 + 180.0, 360.0) - 180.0
    return coords
