"""Lines on the ellipsoid as coordinate arrays: densify, measure, locate, cut and chain.

A line is an ``(n, 2)`` float array of longitudes and latitudes in degrees
(WGS84); its edges are geodesics between consecutive vertices. Positions
along a line are geodesic distances from its first vertex, in metres, and
``cum`` is the array of those positions at the vertices
(:func:`cumulative_m`). A *chain* is one border line followed end to end,
with the gaps in the data bridged (:func:`chain_lines`, :class:`Chain`).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import shapely

from borderstrikes._core.constants import GEOD
from borderstrikes.errors import BorderstrikesWarning, GeometryError

__all__ = [
    "MAX_GAP_M",
    "Chain",
    "border_chains",
    "bridged_m",
    "chain_lines",
    "cumulative_m",
    "densify_lonlat",
    "length_weighted_mean",
    "line_coords",
    "locate",
    "point_at",
    "split_pieces",
    "stretch",
    "substring",
]

#: Gaps in a border line (m) bridged by a geodesic when the line is followed.
MAX_GAP_M = 5_000.0


def densify_lonlat(coords: np.ndarray, step_m: float) -> np.ndarray:
    """Insert points along each geodesic edge so that no edge exceeds ``step_m``.

    Examples
    --------
    >>> line = np.array([[45.0, 40.0], [45.0, 40.1]])
    >>> len(densify_lonlat(line, 1_000.0))
    13
    """
    if len(coords) < 2:
        return coords
    lon1, lat1, lon2, lat2 = coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]
    azimuth, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    parts = np.maximum(1, np.ceil(dist / step_m)).astype(int)
    seg = np.repeat(np.arange(len(dist)), parts)
    k = np.arange(parts.sum()) - np.repeat(np.cumsum(parts) - parts, parts)
    lon, lat, _ = GEOD.fwd(lon1[seg], lat1[seg], azimuth[seg], dist[seg] * k / parts[seg])
    lon = np.where(k == 0, lon1[seg], lon)
    lat = np.where(k == 0, lat1[seg], lat)
    return np.vstack([np.column_stack([lon, lat]), coords[-1:, :2]])


def cumulative_m(coords: np.ndarray) -> np.ndarray:
    """Geodesic position (m) of every vertex along the line, starting at 0.

    Examples
    --------
    >>> cumulative_m(np.array([[45.0, 40.0], [45.0, 40.1]])).round(1).tolist()
    [0.0, 11103.6]
    """
    _, _, dist = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    return np.concatenate([[0.0], np.cumsum(dist)])


def split_pieces(coords: np.ndarray, piece_m: float) -> list[np.ndarray]:
    """Split a (densified) line at vertices into consecutive pieces of about ``piece_m``."""
    cum = cumulative_m(coords)
    n_pieces = max(1, math.ceil(cum[-1] / piece_m))
    cuts = np.searchsorted(cum, cum[-1] * np.arange(1, n_pieces) / n_pieces)
    bounds = [0, *sorted(set(cuts.tolist()) - {0, len(coords) - 1}), len(coords) - 1]
    return [coords[a : b + 1] for a, b in itertools.pairwise(bounds)]


def line_coords(geom: Any) -> list[np.ndarray]:
    """Coordinate arrays of every line part of a geometry (merged where parts touch).

    Polygons give their rings; points and missing or empty geometries give nothing.
    """
    if geom is None or geom.is_empty:
        return []
    kind = geom.geom_type
    if kind in {"LineString", "LinearRing"}:
        return [np.asarray(geom.coords)[:, :2]]
    if kind == "MultiLineString":
        merged = shapely.line_merge(geom)
        return (
            line_coords(merged)
            if merged.geom_type == "LineString"
            else [np.asarray(part.coords)[:, :2] for part in merged.geoms]
        )
    if kind == "Polygon":
        return [np.asarray(ring.coords)[:, :2] for ring in [geom.exterior, *geom.interiors]]
    if kind in {"MultiPolygon", "GeometryCollection"}:
        return [c for part in geom.geoms for c in line_coords(part)]
    return []


def point_at(coords: np.ndarray, cum: np.ndarray, s: float) -> np.ndarray:
    """Return the point (a ``(1, 2)`` array) at geodesic position ``s`` (m) along the line."""
    i = int(np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(coords) - 2))
    azimuth = GEOD.inv(coords[i, 0], coords[i, 1], coords[i + 1, 0], coords[i + 1, 1])[0]
    lon, lat, _ = GEOD.fwd(coords[i, 0], coords[i, 1], azimuth, s - cum[i])
    return np.array([[lon, lat]])


def substring(coords: np.ndarray, cum: np.ndarray, s0: float, s1: float) -> np.ndarray:
    """Part of the line between geodesic positions ``s0`` and ``s1`` (reversed if s0 > s1).

    Examples
    --------
    >>> line = np.array([[45.0, 40.0], [45.0, 40.1], [45.0, 40.2]])
    >>> part = substring(line, cumulative_m(line), 5_000.0, 15_000.0)
    >>> round(float(cumulative_m(part)[-1]), 6)
    10000.0
    """
    lo, hi = min(s0, s1), max(s0, s1)
    inner = coords[(cum > lo) & (cum < hi)]
    part = np.vstack([point_at(coords, cum, lo), inner, point_at(coords, cum, hi)])
    return part if s0 <= s1 else part[::-1]


def bridged_m(cum: np.ndarray, bridge: np.ndarray, s0: float, s1: float) -> float:
    """Length (m) of the bridged edges (``bridge[i]`` True) between positions s0 and s1."""
    lo, hi = min(s0, s1), max(s0, s1)
    overlap = np.clip(np.minimum(cum[1:], hi) - np.maximum(cum[:-1], lo), 0.0, None)
    return float(overlap[bridge].sum())


def length_weighted_mean(values: np.ndarray, coords: np.ndarray) -> float:
    """Mean of values given at the vertices, weighted by geodesic length (trapezoid rule)."""
    if len(values) == 1:
        return float(values[0])
    _, _, seg = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    if seg.sum() == 0:
        return float(values.mean())
    return float(np.sum((values[:-1] + values[1:]) / 2 * seg) / seg.sum())


# --------------------------------------------------------------------------- chains


class Chain(NamedTuple):
    """One border line followed end to end.

    ``bridge[i]`` tells whether edge ``i`` is a bridged gap rather than border.
    """

    label: Any
    coords: np.ndarray
    cum: np.ndarray
    bridge: np.ndarray


def chain_lines(
    lines: Iterable[np.ndarray], max_gap_m: float = MAX_GAP_M
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Join the open parts of one line end to end across gaps of at most ``max_gap_m``.

    Returns ``(coords, bridge)`` pairs, ``bridge[i]`` telling whether edge
    ``i`` is a bridged gap. The closest pair of ends is joined first.
    """
    parts = [(c, np.zeros(len(c) - 1, dtype=bool)) for c in lines if len(c) >= 2]
    while True:
        best = _closest_ends(parts, max_gap_m)
        if best is None:
            return parts
        gap, i, j, flip_a, flip_b = best
        (a, ba), (b, bb) = parts[i], parts[j]
        if flip_a:
            a, ba = a[::-1], ba[::-1]
        if flip_b:
            b, bb = b[::-1], bb[::-1]
        if gap == 0.0:
            joined = (np.vstack([a, b[1:]]), np.concatenate([ba, bb]))
        else:
            joined = (np.vstack([a, b]), np.concatenate([ba, [True], bb]))
        parts = [p for k, p in enumerate(parts) if k not in (i, j)] + [joined]


def _closest_ends(
    parts: list[tuple[np.ndarray, np.ndarray]], max_gap_m: float
) -> tuple[float, int, int, bool, bool] | None:
    best = None
    for i, (a, _) in enumerate(parts):
        for j, (b, _) in enumerate(parts):
            if i >= j or (a[0] == a[-1]).all() or (b[0] == b[-1]).all():
                continue
            for flip_a, flip_b in itertools.product((False, True), repeat=2):
                end = a[0] if flip_a else a[-1]
                start = b[-1] if flip_b else b[0]
                gap = GEOD.inv(end[0], end[1], start[0], start[1])[2]
                if gap <= max_gap_m and (best is None or gap < best[0]):
                    best = (gap, i, j, flip_a, flip_b)
    return best


def border_chains(labels: Iterable[Any], geoms: Iterable[Any]) -> list[Chain]:
    """Chains of every labelled border geometry (missing and empty ones are skipped)."""
    out = []
    for label, geom in zip(labels, geoms, strict=True):
        if geom is None or geom.is_empty:
            continue
        for coords, bridge in chain_lines(line_coords(geom)):
            out.append(Chain(label, coords, cumulative_m(coords), bridge))
    return out


def locate(chains: list[Chain], lon: float, lat: float) -> tuple[int, float]:
    """Chain nearest the border point (lon, lat) and the point's geodesic position along it, m."""
    point = shapely.Point(lon, lat)
    gaps = [shapely.distance(shapely.LineString(chain.coords), point) for chain in chains]
    k = int(np.argmin(gaps))
    coords, cum = chains[k].coords, chains[k].cum
    planar = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    along = shapely.line_locate_point(shapely.LineString(coords), point)
    i = int(np.clip(np.searchsorted(planar, along, side="right") - 1, 0, len(coords) - 2))
    return k, cum[i] + GEOD.inv(coords[i, 0], coords[i, 1], lon, lat)[2]


def stretch(
    chains: list[Chain],
    start: tuple[int, float],
    end: tuple[int, float] | None = None,
    *,
    length_m: float | None = None,
    stacklevel: int = 2,
) -> tuple[Any, np.ndarray, float, float]:
    """Stretch of a chain: (label, lon/lat coords, length m, bridged m).

    ``start`` and ``end`` are located points (:func:`locate`). With
    ``length_m``: a window of that length centred on ``start``, slid to stay
    on the line (the whole line, with a BorderstrikesWarning raised at
    ``stacklevel`` as seen from the caller, when the line is shorter); else
    the line from ``start`` to ``end``, which must lie on the same chain
    (GeometryError otherwise).
    """
    k, s = start
    label, coords, cum, bridge = chains[k]
    if length_m is not None:
        if length_m > cum[-1]:
            msg = (
                f"the border line {label!r} is only {cum[-1] / 1000:.1f} km long; "
                f"using all of it instead of {length_m / 1000:g} km."
            )
            warnings.warn(msg, BorderstrikesWarning, stacklevel=stacklevel + 1)
        s0 = float(np.clip(s - length_m / 2.0, 0.0, max(cum[-1] - length_m, 0.0)))
        s1 = min(s0 + length_m, cum[-1])
    elif end is None:
        msg = "stretch needs either end or length_m."
        raise ValueError(msg)
    else:
        k_end, s1 = end
        if k_end != k:
            msg = (
                f"the two feet lie on different border lines ({label!r} and "
                f"{chains[k_end].label!r}); a stretch follows one line."
            )
            raise GeometryError(msg)
        s0 = s
    line = substring(coords, cum, s0, s1)
    return label, line, abs(s1 - s0), bridged_m(cum, bridge, s0, s1)
