"""The brute-force GeographicLib oracle: distance from points to lines with geodesic edges.

This is the one implementation that the tests (``tests/test_geodesy.py``,
``tests/test_border.py``) and the benchmarks (``benchmarks/bench_distance.py``,
which puts this folder on ``sys.path``) compare borderstrikes against. It uses
``pyproj.Geod`` (GeographicLib) and numpy only -- shapely only to read the
vertices of a geometry -- and never calls borderstrikes, so that it can judge
borderstrikes' own geodesy.

Method
------
A line is a list of parts, each an ``(n, 2)`` array of (lon, lat) vertices in
degrees; every edge A-B is the geodesic from A to B on the WGS84 ellipsoid. For
a point P the oracle takes the minimum over the edges of ``f(s) = dist(P, Q(s))``,
where ``Q(s) = Geod.fwd(A, azimuth of A-B at A, s)`` for ``0 <= s <= L`` (L the
edge's length from ``Geod.inv``):

1. **Pruning by an independent bound.** Every point of an edge lies within
   ``L / 2`` of its geodesic midpoint M, so by the triangle inequality no point
   of the edge is closer to P than ``dist(P, M) - L / 2``; M lies on the line,
   so the nearest midpoint bounds the answer from above. Edges whose lower
   bound exceeds that upper bound by more than 1 m (far more than rounding)
   are skipped. Nothing else is skipped.
2. **Dense sampling.** Each remaining edge is sampled every ``spacing_m``
   (10 m by default; at most ``max_steps`` steps per edge, so a 900 km edge is
   sampled every 450 m) with ``Geod.fwd``, and ``f`` is evaluated with
   ``Geod.inv``. Sampling alone is not enough: at 10 m spacing the nearest
   sample of a point 1 m from the line can be 4 m too far.
3. **Refinement.** On every remaining edge the best sample's bracket (its two
   neighbouring samples) is narrowed by golden-section search (``rounds``
   steps, vectorised over all point-edge pairs), and the smallest of the
   samples and the refined values is the answer; its location is the foot.

The refinement finds an edge's minimum because ``f`` is unimodal along an edge:
on the sphere the nearest and the farthest point of a great circle are half a
circumference apart, so an arc shorter than that holds at most one interior
local minimum, and the sampled minimum sits next to it. The same holds on the
ellipsoid for edges much shorter than half a meridian and points away from the
antipodes of an edge -- every case in the tests and benchmarks (edges up to
~1,000 km) --; the dense sampling is a margin on top.

Accuracy
--------
After 60 golden-section steps a bracket has shrunk by 0.618**60 ~ 3e-13 of its
width (at most 2 x 450 m here), so the search adds well under a micrometre; the
rest is GeographicLib's own error (about 15 nm per ``inv``/``fwd``).
The oracle's distance is therefore guaranteed to within **1 µm** of the exact
geodesic distance under the assumptions above. The foot (the nearest point) is
less sharp, because the distance is flat at its minimum -- it grows only by
``s**2 / 2d`` a distance ``s`` from the foot -- so rounding of ~1e-9 m in the
distances moves it by up to ``sqrt(d * 2e-8 m)``: 1.4 mm for a point 100 m
away, 4.5 cm at 100 km, and exact to the nanometre for a point on the line.

How it was checked
------------------
- ``tests/test_geodesy.py::test_oracle_recovers_constructed_distances``:
  points placed with ``Geod.fwd`` at a known distance along the perpendicular
  geodesic from a known foot inside an edge (including across the
  antimeridian, at 70° N, and 1 cm to 1,000 km away), beyond an end along the
  edge's continuation, on the equator/meridian crossings, and on the edges:
  the oracle returns the constructed distance to 1e-6 m (the largest error
  seen in 4,000 such points was 5e-9 m) and the foot within the bound above
  (at most half of it).
- When the three former copies (the per-segment brute force of
  ``test_geodesy.py``, the densify-and-refine oracles of ``test_border.py`` and
  ``bench_distance.py``) were merged into this module, this oracle agreed with
  each of them on their own test points (the 120 segments and 4 polylines of
  ``test_geodesy.py``, the 1,088 border points of ``test_border.py``, the 1,000
  benchmark points) to 2e-9 m, and with the feet of ``test_border.py``'s oracle
  to 1e-8 m.
"""

from __future__ import annotations

import datetime
import re

import numpy as np
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0

#: Slack (metres) on the pruning bound: far above the rounding of Geod.inv.
PRUNE_SLACK_M = 1.0
#: Largest number of samples evaluated at once (memory bound, ~100 MB).
_CHUNK = 1_000_000


def line_parts(lines) -> list[np.ndarray]:
    """The parts of ``lines`` as a list of ``(n, 2)`` arrays of (lon, lat) vertices.

    ``lines`` is a list of such arrays already, a shapely (Multi)LineString, or a
    GeoSeries / GeoDataFrame of them in EPSG:4326 (missing rows are skipped).
    """
    import shapely

    if isinstance(lines, (list, tuple)) and all(isinstance(p, np.ndarray) for p in lines):
        return [np.asarray(p, dtype=float) for p in lines]
    geoms = getattr(lines, "geometry", lines)
    if isinstance(geoms, shapely.Geometry):
        geoms = [geoms]
    parts = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        parts.extend(shapely.get_coordinates(p) for p in shapely.get_parts(geom))
    return parts


def edges(lines) -> tuple[np.ndarray, np.ndarray]:
    """Start and end vertices ``(a, b)``, each ``(m, 2)``, of every edge of ``lines``."""
    parts = line_parts(lines)
    a = np.concatenate([p[:-1] for p in parts])
    b = np.concatenate([p[1:] for p in parts])
    return a, b


def distance_to_segment(lon, lat, lon_a, lat_a, lon_b, lat_b, **options):
    """Distance (m) from each point to its own geodesic segment A-B (all arrays alike).

    Returns ``(distance_m, foot_lon, foot_lat)``; ``options`` as for
    :func:`distance_to_line`.
    """
    lon, lat, lon_a, lat_a, lon_b, lat_b = (
        np.asarray(v, dtype=float).ravel()
        for v in np.broadcast_arrays(lon, lat, lon_a, lat_a, lon_b, lat_b)
    )
    az, _, length = GEOD.inv(lon_a, lat_a, lon_b, lat_b)
    return _nearest_on_edges(lon, lat, lon_a, lat_a, az, length, **options)


def distance_to_line(lon, lat, lines, **options):
    """Distance (m) from each point to the nearest point of ``lines`` (edges are geodesics).

    Parameters
    ----------
    lon, lat : array_like
        The points, in degrees. Non-finite points give NaN.
    lines : see :func:`line_parts`
    spacing_m : float, default 10.0
        Sampling step along each edge before refinement.
    max_steps : int, default 2000
        At most this many steps per edge (longer edges are sampled more coarsely).
    rounds : int, default 60
        Golden-section steps.

    Returns
    -------
    distance_m, foot_lon, foot_lat : numpy.ndarray

    Examples
    --------
    The equator is a geodesic and meets every meridian at right angles:

    >>> equator = [np.array([(10.0, 0.0), (11.0, 0.0)])]
    >>> d, foot_lon, foot_lat = distance_to_line([10.5], [0.2], equator)
    >>> float(d[0]) == GEOD.inv(10.5, 0.0, 10.5, 0.2)[2], float(foot_lon[0]), float(foot_lat[0])
    (True, 10.5, 0.0)
    """
    lon, lat = (np.asarray(v, dtype=float).ravel() for v in np.broadcast_arrays(lon, lat))
    a, b = edges(lines)
    az, _, length = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    mid_lon, mid_lat, _ = GEOD.fwd(a[:, 0], a[:, 1], az, length / 2)
    n_edges = len(a)

    distance = np.full(lon.size, np.nan)
    foot_lon = np.full(lon.size, np.nan)
    foot_lat = np.full(lon.size, np.nan)
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    step = max(1, _CHUNK // n_edges)
    for start in range(0, ok.size, step):
        rows = ok[start : start + step]
        # 1. pruning: lower bound dist(P, M) - L/2 against the nearest midpoint
        px, py = np.repeat(lon[rows], n_edges), np.repeat(lat[rows], n_edges)
        mx, my = np.tile(mid_lon, rows.size), np.tile(mid_lat, rows.size)
        to_mid = GEOD.inv(px, py, mx, my)[2].reshape(rows.size, -1)
        upper = to_mid.min(axis=1)
        point, edge = np.nonzero(to_mid - length / 2 <= upper[:, None] + PRUNE_SLACK_M)
        # 2-3. sampling and refinement of every remaining (point, edge) pair
        d, fx, fy = _nearest_on_edges(
            lon[rows][point], lat[rows][point], a[edge, 0], a[edge, 1], az[edge], length[edge],
            **options,
        )  # fmt: skip
        order = np.lexsort((d, point))
        first = order[np.r_[True, point[order][1:] != point[order][:-1]]]
        distance[rows[point[first]]] = d[first]
        foot_lon[rows[point[first]]] = fx[first]
        foot_lat[rows[point[first]]] = fy[first]
    return distance, foot_lon, foot_lat


def _nearest_on_edges(lon, lat, lon_a, lat_a, az, length, spacing_m=10.0, max_steps=2000,
                      rounds=60):  # fmt: skip
    """Minimum of dist(P_i, Q_i(s)) over 0 <= s <= length_i, for each pair i (vectorised)."""
    n = lon.size
    steps = np.clip(np.ceil(length / spacing_m), 1, max_steps).astype(np.int64)
    distance, foot_lon, foot_lat = np.empty(n), np.empty(n), np.empty(n)
    counts = steps + 1
    ends = np.cumsum(counts)
    begin = 0
    while begin < n:  # chunks of pairs holding at most _CHUNK samples (at least one pair)
        stop = max(begin + 1, int(np.searchsorted(ends, ends[begin] - counts[begin] + _CHUNK)))
        pairs = np.arange(begin, stop)
        k = counts[pairs]
        owner = np.repeat(pairs, k)
        first = np.cumsum(k) - k
        index = np.arange(owner.size) - np.repeat(first, k)
        s = index / steps[owner] * length[owner]

        def f(t, sel):
            qx, qy, _ = GEOD.fwd(lon_a[sel], lat_a[sel], az[sel], t)
            return GEOD.inv(lon[sel], lat[sel], qx, qy)[2], qx, qy

        d = f(s, owner)[0]
        # the first sample with the smallest distance of each pair, and its bracket
        order = np.lexsort((index, d, owner))
        best = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
        lo = s[np.maximum(best - 1, first)]
        hi = s[np.minimum(best + 1, first + k - 1)]
        s_best = s[best]
        c1, c2 = hi - GOLDEN * (hi - lo), lo + GOLDEN * (hi - lo)
        f1, f2 = f(c1, pairs)[0], f(c2, pairs)[0]
        for _ in range(rounds):
            left = f1 < f2  # the minimum is in [lo, c2]
            hi, lo = np.where(left, c2, hi), np.where(left, lo, c1)
            c1, c2 = (
                np.where(left, hi - GOLDEN * (hi - lo), c2),
                np.where(left, c1, lo + GOLDEN * (hi - lo)),
            )
            value = f(np.where(left, c1, c2), pairs)[0]
            f1, f2 = np.where(left, value, f2), np.where(left, f1, value)
        tries = [f(t, pairs) for t in (s_best, lo, hi, 0.5 * (lo + hi))]
        values = np.stack([t[0] for t in tries])
        pick = np.argmin(values, axis=0)
        column = np.arange(pairs.size)
        distance[pairs] = values[pick, column]
        foot_lon[pairs] = np.stack([t[1] for t in tries])[pick, column]
        foot_lat[pairs] = np.stack([t[2] for t in tries])[pick, column]
        begin = stop
    return distance, foot_lon, foot_lat


# ---------------------------------------------------------------------------
# The brute-force space-time oracle: report intervals and ST-DBSCAN on all pairs
#
# Written from the rule documented in ``cluster_strikes`` (Notes, "Time
# intervals") with Python's ``datetime`` and ``re`` only, one report at a time;
# it never calls borderstrikes. Distances are ``Geod.inv`` on every pair.

_ONE_DAY = datetime.timedelta(days=1)


def _is_midnight(stamp) -> bool:
    return (stamp.hour, stamp.minute, stamp.second, stamp.microsecond) == (0, 0, 0, 0)


def _time_of_day(text):
    """Offsets (start, end) after midnight of "HH:MM" or "HH:MM-HH:MM" (- or en dash), or None."""
    if not isinstance(text, str):
        return None
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*(?:[-\u2013]\s*(\d{1,2}):(\d{2})\s*)?", text)
    if match is None:
        return None
    h0, m0 = int(match[1]), int(match[2])
    h1, m1 = (int(match[3]), int(match[4])) if match[3] is not None else (h0, m0)
    if h0 > 23 or m0 > 59 or m1 > 59 or h1 > 24 or (h1 == 24 and m1 > 0):
        return None
    start = datetime.timedelta(hours=h0, minutes=m0)
    end = datetime.timedelta(hours=h1, minutes=m1)
    return start, end + _ONE_DAY if end < start else end


def report_interval(date=None, date_start=None, date_end=None, time_local=None):
    """``[start, end)`` of one report (naive ``datetime``s), or None without any date.

    ``date_start``..``date_end`` (whole days, inclusive) when both are given,
    unless both are the day of ``date``; else ``date``: midnight is the whole
    day (narrowed by a parseable ``time_local``), another time an instant.
    """

    def plain(value):
        if value is None or value != value:  # None, NaN or NaT
            return None
        if hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime()
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime(value.year, value.month, value.day)
        return value.replace(tzinfo=None)

    date, date_start, date_end = plain(date), plain(date_start), plain(date_end)
    if date_start is not None and date_end is not None:
        same_day = (
            date is not None
            and _is_midnight(date_start)
            and _is_midnight(date_end)
            and date_start.date() == date_end.date() == date.date()
        )
        if not same_day:
            end = date_end if not _is_midnight(date_end) else date_end + _ONE_DAY
            return date_start, end
    if date is None:
        return None
    if not _is_midnight(date):
        return date, date
    offsets = _time_of_day(time_local)
    if offsets is None:
        return date, date + _ONE_DAY
    return date + offsets[0], date + offsets[1]


def interval_gap_hours(a, b) -> float:
    """Hours between two ``[start, end)`` intervals; 0 if they overlap or touch."""
    gap = max(b[0] - a[1], a[0] - b[1]).total_seconds() / 3600.0
    return max(gap, 0.0)


def brute_force_st_dbscan(lon, lat, intervals, eps_km, min_samples, time_eps_hours):
    """ST-DBSCAN on all pairs: geodesic distance (``Geod.inv``) and interval gaps.

    Returns labels with -1 for noise; cluster ids are arbitrary (compare
    partitions). A border report joins the cluster of its nearest core
    neighbour (distance, then time gap, then smallest lon, lat, start, end).
    """
    from scipy.sparse.csgraph import connected_components

    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    n = len(lon)
    a, b = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    _, _, dist = GEOD.inv(lon[a.ravel()], lat[a.ravel()], lon[b.ravel()], lat[b.ravel()])
    dist = np.asarray(dist).reshape(n, n)
    gap = np.array([[interval_gap_hours(intervals[i], intervals[j]) for j in range(n)]
                    for i in range(n)])  # fmt: skip
    near = (dist <= eps_km * 1000.0) & (gap <= time_eps_hours)
    core = near.sum(axis=1) >= min_samples
    _, component = connected_components(near & core[:, None] & core[None, :], directed=False)
    label = np.where(core, component, -1)
    lon_norm = np.where(lon >= 180, lon - 360, lon)
    for i in np.flatnonzero(~core):
        js = list(np.flatnonzero(near[i] & core))
        if js:
            best = min(
                js,
                key=lambda j: (dist[i, j], gap[i, j], lon_norm[j], lat[j], *intervals[j]),
            )
            label[i] = label[best]
    return label
