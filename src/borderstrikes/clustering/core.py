"""Density clustering of strike reports on exact geodesic distances.

:func:`cluster_strikes` runs DBSCAN, or ST-DBSCAN when a temporal threshold is
given, with neighbourhoods decided by the geodesic distance on the WGS84
ellipsoid. :func:`describe_clusters` summarises each cluster: a name, its
places and dates, a geodesic centre, a footprint polygon with its geodesic
area, spread statistics and distances to the border. :func:`k_distance` helps
to choose ``eps_km``.

How the exact neighbourhoods stay fast
--------------------------------------
Points are mapped to Earth-centred Cartesian coordinates (ECEF, metres). The
straight-line distance ``c`` between two points on the ellipsoid (the chord)
never exceeds the geodesic distance ``s`` between them, and for ``c`` up to
1000 km

    s <= 2 rho asin(c / (2 rho)),   rho = b**2 / a = 6335.44 km,

because the plane through the two points and the Earth's centre cuts the
ellipsoid along an ellipse whose radius of curvature is nowhere smaller than
``b**2 / a``, and an arc whose curvature is bounded by ``1 / rho`` is no longer
than the circular arc of radius ``rho`` on the same chord. A pair is therefore
a neighbour for sure when its chord is below ``2 rho sin(eps / (2 rho))``, and
surely not one when its chord exceeds ``eps``. Only the pairs in the band
between the two (about 1 mm wide for a 10 km ``eps``) are decided with
:meth:`pyproj.Geod.inv`. Both tests keep a safety margin of 1 µm for
floating-point rounding. The result is the DBSCAN on the geodesic distance
itself, with no planar approximation, including across the antimeridian and
near the poles.

The chord bound also lets the algorithm work on a grid of cubes whose diagonal
is below the "sure" chord: all points in one cube are neighbours of each other,
so a cube holding at least ``min_samples`` of weight is made of core points,
all in one cluster, without enumerating its pairs. Only points in lighter
cubes have their neighbours enumerated (with a k-d tree), and two heavy cubes
are joined by looking for one close pair between them. Memory stays in
proportion to the number of distinct locations, not to the number of
neighbour pairs.
"""

from __future__ import annotations

import math
import numbers
import re
import warnings
from collections.abc import Iterable
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from borderstrikes._core.constants import GEOD as _GEOD
from borderstrikes._core.lazy import is_lazy, lazy_layer
from borderstrikes._core.validate import as_geoseries, point_lonlat
from borderstrikes.border import distance_to_border
from borderstrikes.errors import BorderstrikesWarning
from borderstrikes.geodesy import geodesic_distance_m
from borderstrikes.strikes import NOT_STRIKE_EVIDENCE

__all__ = [
    "CONCAVE_HULL_RATIO",
    "DEFAULT_EPS_KM",
    "DEFAULT_MIN_SAMPLES",
    "cluster_strikes",
    "describe_clusters",
    "k_distance",
]

DEFAULT_EPS_KM = 20.0
"""Default neighbourhood radius (km) for the packaged reports; see :func:`k_distance`."""

DEFAULT_MIN_SAMPLES = 3
"""Default ``min_samples`` for the packaged reports; see :func:`k_distance`."""


CONCAVE_HULL_RATIO = 0.5
"""``ratio`` passed to :func:`shapely.concave_hull` by ``footprint="concave"``."""

_WGS84 = "EPSG:4326"
_A_M = 6378137.0
_F = 1 / 298.257223563
_B_M = _A_M * (1 - _F)
_E2 = _F * (2 - _F)
_RHO_MIN_M = _B_M**2 / _A_M  # smallest radius of curvature of the WGS84 ellipsoid
_BOUND_MAX_CHORD_M = 1.0e6  # the chord-arc bound is only used below this chord
_ROUNDING_M = 1.0e-6  # margin for floating-point rounding in chord tests
_DENSIFY_M = 500.0  # vertex spacing of footprint edges
_NS_PER_HOUR = 3_600_000_000_000
_DAY_NS = 24 * _NS_PER_HOUR
_BRUTE_FORCE_PAIRS = 1 << 16
_PAIR_BUDGET = 1 << 22  # candidate pairs held in memory at once

_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*(?:[-\u2013]\s*(\d{1,2}):(\d{2})\s*)?$")


# ---------------------------------------------------------------------------
# scipy (imported on first use, so that ``import borderstrikes`` does not need it)


def _kdtree(points: np.ndarray) -> Any:
    try:
        from scipy.spatial import cKDTree
    except ImportError as exc:  # pragma: no cover - scipy comes with the cluster extra
        msg = "clustering needs scipy; install it with pip install scipy."
        raise ImportError(msg) from exc
    return cKDTree(points)


def _components(n: int, a: np.ndarray, b: np.ndarray) -> tuple[int, np.ndarray]:
    """Label the connected components of the undirected graph on n nodes, edges (a, b)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    return connected_components(graph, directed=False)


# ---------------------------------------------------------------------------
# geometry helpers


def _geodesic_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Geodesic distance (m, WGS84) between paired points, as a 1-D array."""
    if np.size(lon1) == 0:
        return np.zeros(0)
    return np.atleast_1d(np.asarray(geodesic_distance_m(lon1, lat1, lon2, lat2), dtype=float))


def _ecef_m(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Earth-centred Cartesian coordinates (m) of points on the WGS84 ellipsoid."""
    lam = np.radians(lon)
    phi = np.radians(lat)
    sin_phi = np.sin(phi)
    cos_phi = np.cos(phi)
    n = _A_M / np.sqrt(1.0 - _E2 * sin_phi**2)
    return np.column_stack(
        (n * cos_phi * np.cos(lam), n * cos_phi * np.sin(lam), n * (1.0 - _E2) * sin_phi)
    )


def _chord_thresholds(eps_m: float) -> tuple[float, float]:
    """Chord lengths below which a pair is surely within, above which surely beyond, eps_m."""
    reject = eps_m * (1 + 1e-12) + _ROUNDING_M
    bounded = min(eps_m, _BOUND_MAX_CHORD_M)
    accept = 2 * _RHO_MIN_M * math.sin(bounded / (2 * _RHO_MIN_M)) * (1 - 1e-12) - _ROUNDING_M
    return max(accept, 0.0), reject


def _normalise_lon(lon: np.ndarray) -> np.ndarray:
    """Longitudes in [-180, 180), -0.0 made 0.0; values already in range are untouched."""
    lon = lon + 0.0
    out = (lon < -180) | (lon >= 180)
    if out.any():
        lon = lon.copy()
        lon[out] = np.mod(lon[out] + 180.0, 360.0) - 180.0
    return lon


# ---------------------------------------------------------------------------
# input handling


def _check_params(
    eps_km: Any, min_samples: Any, time_eps_hours: Any
) -> tuple[float, int, float | None]:
    if (
        isinstance(eps_km, bool)
        or not isinstance(eps_km, numbers.Real)
        or not math.isfinite(eps_km)
        or eps_km <= 0
    ):
        msg = f"eps_km must be a finite number > 0 (got {eps_km!r}), e.g. eps_km=DEFAULT_EPS_KM."
        raise ValueError(msg)
    if isinstance(min_samples, bool) or not isinstance(min_samples, numbers.Integral):
        msg = f"min_samples must be an integer >= 1 (got {min_samples!r})."
        raise ValueError(msg)
    if min_samples < 1:
        msg = f"min_samples must be an integer >= 1 (got {min_samples!r})."
        raise ValueError(msg)
    if time_eps_hours is not None and (
        isinstance(time_eps_hours, bool)
        or not isinstance(time_eps_hours, numbers.Real)
        or not math.isfinite(time_eps_hours)
        or time_eps_hours < 0
    ):
        msg = (
            f"time_eps_hours must be None or a finite number >= 0 (got {time_eps_hours!r}); "
            "use None for purely spatial clustering."
        )
        raise ValueError(msg)
    return (
        float(eps_km),
        int(min_samples),
        None if time_eps_hours is None else float(time_eps_hours),
    )


def _excluded_rows(strikes: Any, exclude_evidence: Any) -> np.ndarray:
    """Boolean mask of rows whose ``evidence`` value is excluded."""
    if isinstance(exclude_evidence, str):
        exclude_evidence = (exclude_evidence,)
    if exclude_evidence is None:
        exclude_evidence = ()
    if not isinstance(exclude_evidence, Iterable):
        msg = (
            "exclude_evidence must be a tuple of evidence values "
            f"(got {exclude_evidence!r}); use exclude_evidence=() to cluster every report."
        )
        raise TypeError(msg)
    values = tuple(exclude_evidence)
    if not values or not isinstance(strikes, pd.DataFrame) or "evidence" not in strikes:
        return np.zeros(len(strikes), dtype=bool)
    return strikes["evidence"].isin(values).to_numpy()


def _row_weights(strikes: Any, weight: Any) -> np.ndarray:
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


def _warn_rows(index: pd.Index, mask: np.ndarray, what: str) -> None:
    labels = list(index[mask][:10])
    more = "" if mask.sum() <= 10 else f" and {int(mask.sum()) - 10} more"
    msg = f"{int(mask.sum())} row(s) of strikes have {what} and get label -1: {labels!r}{more}."
    warnings.warn(msg, BorderstrikesWarning, stacklevel=3)


def _parse_time_local(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end offsets (ns after midnight) of ``HH:MM`` / ``HH:MM-HH:MM`` values.

    Returns the offsets and a mask of the values that parsed; anything else
    (other text, missing values, impossible times) is left to the caller.
    """
    parts = values.astype("string").str.extract(_HHMM).astype("Float64")
    h0, m0, h1, m1 = (parts[k].to_numpy(dtype=float, na_value=np.nan) for k in range(4))
    single = np.isnan(h1)
    h1, m1 = np.where(single, h0, h1), np.where(single, m0, m1)
    ok = (
        ~np.isnan(h0)
        & (h0 <= 23)
        & (m0 <= 59)
        & (m1 <= 59)
        & ((h1 < 24) | ((h1 == 24) & (m1 == 0)))
    )
    minute_ns = 60_000_000_000
    start = (
        np.where(ok, (np.nan_to_num(h0) * 60 + np.nan_to_num(m0)), 0).astype(np.int64) * minute_ns
    )
    end = np.where(ok, (np.nan_to_num(h1) * 60 + np.nan_to_num(m1)), 0).astype(np.int64) * minute_ns
    end = np.where(end < start, end + _DAY_NS, end)  # a range that crosses midnight
    return start, end, ok


def _time_intervals(strikes: Any, time_column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end (int64 ns, local wall time) of each report, plus a missing mask."""
    if not isinstance(strikes, pd.DataFrame) or time_column not in strikes:
        msg = (
            f"space-time clustering needs a {time_column!r} column of dates in strikes; "
            "pass time_column=<name> or time_eps_hours=None."
        )
        raise ValueError(msg)
    try:
        stamps = pd.to_datetime(strikes[time_column])
    except (ValueError, TypeError) as exc:
        msg = f"column {time_column!r} cannot be read as dates: {exc}"
        raise ValueError(msg) from exc
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    missing = stamps.isna().to_numpy()
    day = stamps.dt.normalize().to_numpy(dtype="datetime64[ns]").view("int64")
    raw = stamps.to_numpy(dtype="datetime64[ns]").view("int64")
    start = np.where(raw != day, raw, day)
    end = np.where(raw != day, raw, day + _DAY_NS)
    if "time_local" in strikes:
        offset0, offset1, parsed = _parse_time_local(strikes["time_local"])
        parsed &= ~missing
        start[parsed] = day[parsed] + offset0[parsed]
        end[parsed] = day[parsed] + offset1[parsed]
    start[missing] = 0
    end[missing] = 0
    return start, end, missing


class _Sites:
    """Distinct locations (and time intervals) with summed weights and row counts."""

    def __init__(
        self,
        lon: np.ndarray,
        lat: np.ndarray,
        weight: np.ndarray,
        t0: np.ndarray | None,
        t1: np.ndarray | None,
    ) -> None:
        lon = _normalise_lon(lon)
        lat = lat + 0.0
        keys = [lat, lon] if t0 is None else [t1, t0, lat, lon]
        order = np.lexsort(keys)  # sorted by lon, then lat, then start, then end
        first = np.zeros(len(order), dtype=bool)
        first[:1] = True
        for key in keys:
            k = key[order]
            first[1:] |= k[1:] != k[:-1]
        site_of_sorted = np.cumsum(first) - 1
        self.inverse = np.empty(len(order), dtype=np.int64)
        self.inverse[order] = site_of_sorted
        heads = order[first]
        self.lon = lon[heads]
        self.lat = lat[heads]
        self.t0 = None if t0 is None else t0[heads]
        self.t1 = None if t1 is None else t1[heads]
        self.n = len(heads)
        self.weight = np.bincount(self.inverse, weights=weight, minlength=self.n)
        self.rows = np.bincount(self.inverse, minlength=self.n)
        self.xyz = _ecef_m(self.lon, self.lat)


# ---------------------------------------------------------------------------
# the DBSCAN core


class _Dbscan:
    """Exact (ST-)DBSCAN on geodesic distance over weighted distinct sites."""

    def __init__(
        self, sites: _Sites, eps_m: float, min_samples: int, time_eps_ns: int | None
    ) -> None:
        self.s = sites
        self.eps_m = eps_m
        self.min_samples = min_samples
        self.t_ns = time_eps_ns
        self.accept, self.reject = _chord_thresholds(eps_m)

    # -- exact pair test -------------------------------------------------
    def _neighbours(
        self, i: np.ndarray, j: np.ndarray, chord: np.ndarray | None = None
    ) -> np.ndarray:
        """Exact neighbour test for paired site ids (chord in m if already known)."""
        s = self.s
        if chord is None:
            chord = np.linalg.norm(s.xyz[i] - s.xyz[j], axis=1)
        ok = chord <= self.reject
        if self.t_ns is not None:
            gap = np.maximum(np.maximum(s.t0[j] - s.t1[i], s.t0[i] - s.t1[j]), 0)
            ok &= gap <= self.t_ns
        band = ok & (chord > self.accept)
        if band.any():
            bi, bj = i[band], j[band]
            ok[band] = _geodesic_m(s.lon[bi], s.lat[bi], s.lon[bj], s.lat[bj]) <= self.eps_m
        return ok

    # -- grid ------------------------------------------------------------
    def _cells(self) -> np.ndarray:
        """Cell id per site; sites in one cell are all neighbours of each other."""
        s = self.s
        side = self.accept / math.sqrt(3) * (1 - 1e-9)
        if side <= 0:
            return np.arange(s.n)
        keys = [np.floor(s.xyz[:, k] / side) for k in range(3)]
        if self.t_ns is not None:
            keys.append(s.t0 // self.t_ns if self.t_ns > 0 else s.t0)
        order = np.lexsort(keys[::-1])
        new = np.zeros(s.n, dtype=bool)
        new[0] = True
        for key in keys:
            k = key[order]
            new[1:] |= k[1:] != k[:-1]
        cell = np.empty(s.n, dtype=np.int64)
        cell[order] = np.cumsum(new) - 1
        return cell

    def _search_points(self) -> tuple[np.ndarray, float, float]:
        """Coordinates for a k-d tree where neighbours lie within (radius, p)."""
        s = self.s
        if self.t_ns is None:
            return s.xyz, self.reject * (1 + 1e-9) + _ROUNDING_M, 2.0
        # Chebyshev metric on (x, y, z, scaled start time): a neighbour's start
        # differs by at most time_eps + the longest interval; 1 s of slack
        # absorbs rounding (candidates are tested exactly afterwards).
        longest = float((s.t1 - s.t0).max()) if s.n else 0.0
        window_s = (self.t_ns + longest) / 1e9 + 1.0
        tau = (s.t0 - s.t0.min()).astype(float) / 1e9 * (self.reject / window_s)
        return np.column_stack((s.xyz, tau)), self.reject * (1 + 1e-9) + _ROUNDING_M, np.inf

    def run(self) -> np.ndarray:
        """Provisional cluster id per site (-1 for noise); ids are arbitrary."""
        s = self.s
        if s.n == 0:
            return np.zeros(0, dtype=np.int64)
        cell = self._cells()
        n_cells = int(cell.max()) + 1
        cell_weight = np.bincount(cell, weights=s.weight, minlength=n_cells)
        dense_cell = cell_weight >= self.min_samples
        core = dense_cell[cell].copy()

        # 1. weight of the neighbourhood of every site in a light cell
        points, radius, p = self._search_points()
        tree = _kdtree(points)
        light = np.flatnonzero(~core)
        chunks = self._chunks(tree, points, radius, p, light)
        cached = None
        neighbour_weight = np.zeros(s.n)
        for chunk in chunks:
            i, j = self._pairs(tree, points, radius, p, chunk)  # includes (i, i)
            neighbour_weight += np.bincount(i, weights=s.weight[j], minlength=s.n)
            if len(chunks) == 1:
                cached = (i, j)
        core[light] = neighbour_weight[light] >= self.min_samples

        # 2. from light sites: links between cells through core pairs, and
        # the nearest core neighbour of each border site
        link_parts = [np.zeros(0, dtype=np.int64)]
        border_site, border_core = [], []
        for chunk in chunks:
            i, j = cached if cached is not None else self._pairs(tree, points, radius, p, chunk)
            link = core[i] & core[j] & (cell[i] != cell[j])
            link_parts.append(np.unique(cell[i[link]] * n_cells + cell[j[link]]))
            b = ~core[i] & core[j]
            if b.any():
                bi, bj = self._nearest(i[b], j[b])
                border_site.append(bi)
                border_core.append(bj)
        links = np.unique(np.concatenate(link_parts))
        n_components, component = _components(n_cells, links // n_cells, links % n_cells)
        parent = list(range(n_components))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        # 3. link pairs of dense cells (all their sites are core)
        for a, b in self._dense_pairs(cell, dense_cell, component):
            ra, rb = find(int(component[a])), find(int(component[b]))
            if ra != rb and self._cells_linked(a, b):
                parent[max(ra, rb)] = min(ra, rb)
        roots = np.array([find(c) for c in range(n_components)])

        label = np.full(s.n, -1, dtype=np.int64)
        label[core] = roots[component[cell[core]]]

        # 4. border sites join the cluster of their nearest core neighbour
        if border_site:
            label[np.concatenate(border_site)] = label[np.concatenate(border_core)]
        self.core = core  # kept for the tiled DBSCAN of borderstrikes.distributed
        return label

    # -- light sites -------------------------------------------------------
    def _chunks(
        self, tree: Any, points: np.ndarray, radius: float, p: float, light: np.ndarray
    ) -> list[np.ndarray]:
        """Split light sites so that each chunk yields at most ~_PAIR_BUDGET candidates."""
        if len(light) == 0:
            return []
        counts = np.asarray(tree.query_ball_point(points[light], radius, p=p, return_length=True))
        if counts.sum() <= _PAIR_BUDGET:
            return [light]
        bounds = np.searchsorted(
            np.cumsum(counts), np.arange(1, counts.sum() // _PAIR_BUDGET + 1) * _PAIR_BUDGET
        )
        return [c for c in np.split(light, np.unique(bounds)) if len(c)]

    def _pairs(
        self, tree: Any, points: np.ndarray, radius: float, p: float, chunk: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """All neighbour pairs (i in chunk, j any site), decided exactly."""
        pairs = _kdtree(points[chunk]).sparse_distance_matrix(
            tree, radius, p=p, output_type="ndarray"
        )
        i = chunk[pairs["i"]]
        j = pairs["j"].astype(np.int64)
        keep = self._neighbours(i, j, pairs["v"] if self.t_ns is None else None)
        return i[keep], j[keep]

    def _nearest(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each site in i, the j nearest to it (distance, then time gap, then site order)."""
        s = self.s
        dist = _geodesic_m(s.lon[i], s.lat[i], s.lon[j], s.lat[j])
        if self.t_ns is not None:
            gap = np.maximum(np.maximum(s.t0[j] - s.t1[i], s.t0[i] - s.t1[j]), 0)
        else:
            gap = np.zeros(len(i), dtype=np.int64)
        order = np.lexsort((j, gap, dist, i))
        i, j = i[order], j[order]
        first = np.ones(len(i), dtype=bool)
        first[1:] = i[1:] != i[:-1]
        return i[first], j[first]

    # -- dense cell pairs -------------------------------------------------
    def _prepare_cells(self, cell: np.ndarray) -> None:
        order = np.argsort(cell, kind="stable")
        counts = np.bincount(cell)
        self._cell_order = order
        self._cell_start = np.concatenate(([0], np.cumsum(counts)))
        self._trees: dict[int, Any] = {}

    def _members(self, c: int) -> np.ndarray:
        return self._cell_order[self._cell_start[c] : self._cell_start[c + 1]]

    def _dense_pairs(
        self, cell: np.ndarray, dense_cell: np.ndarray, component: np.ndarray
    ) -> list[tuple[int, int]]:
        """Candidate pairs of dense cells in different components, nearest first."""
        self._prepare_cells(cell)
        dense = np.flatnonzero(dense_cell)
        if len(dense) < 2:
            return []
        points, _, _ = self._search_points()
        sorted_points = points[self._cell_order]
        starts = self._cell_start[:-1]
        lo = np.minimum.reduceat(sorted_points, starts, axis=0)[dense]
        hi = np.maximum.reduceat(sorted_points, starts, axis=0)[dense]
        centre = (lo + hi) / 2
        half = (hi - lo) / 2
        reach = self.reject * (1 + 1e-9) + _ROUNDING_M
        radius = reach + 2 * float(half.max())
        pairs = _kdtree(centre).query_pairs(radius, p=np.inf, output_type="ndarray")
        if len(pairs) == 0:
            return []
        a, b = pairs[:, 0], pairs[:, 1]
        gaps = np.maximum(np.abs(centre[a] - centre[b]) - half[a] - half[b], 0)
        spatial_gap = np.linalg.norm(gaps[:, :3], axis=1)
        keep = spatial_gap <= reach
        if self.t_ns is not None:
            keep &= gaps[:, 3] <= reach
        ca, cb = dense[a], dense[b]
        keep &= component[ca] != component[cb]
        ca, cb, spatial_gap = ca[keep], cb[keep], spatial_gap[keep]
        order = np.lexsort((cb, ca, spatial_gap))
        return list(zip(ca[order].tolist(), cb[order].tolist(), strict=True))

    def _cells_linked(self, a: int, b: int) -> bool:
        """Whether some site of cell a neighbours some site of cell b (all are core)."""
        small, big = (a, b) if len(self._members(a)) <= len(self._members(b)) else (b, a)
        ia, ib = self._members(small), self._members(big)
        if self.t_ns is None and len(ia) * len(ib) > _BRUTE_FORCE_PAIRS:
            tree = self._trees.get(big)
            if tree is None:
                tree = self._trees[big] = _kdtree(self.s.xyz[ib])
            reach = self.reject * (1 + 1e-9) + _ROUNDING_M
            dist, _ = tree.query(self.s.xyz[ia], k=1, distance_upper_bound=reach)
            if not np.isfinite(dist).any():
                return False
            if dist.min() <= self.accept:
                return True
            # rare: the closest pairs fall in the band the chord cannot settle
            ia = ia[np.isfinite(dist)]
            lists = tree.query_ball_point(self.s.xyz[ia], reach)
            i = np.repeat(ia, [len(x) for x in lists])
            j = ib[np.concatenate(lists).astype(np.int64)]
            return bool(self._neighbours(i, j).any())
        step = max(1, _BRUTE_FORCE_PAIRS // len(ib))
        for start in range(0, len(ia), step):
            block = ia[start : start + step]
            if self._neighbours(np.repeat(block, len(ib)), np.tile(ib, len(block))).any():
                return True
        return False


def _canonical_labels(site_label: np.ndarray, sites: _Sites) -> np.ndarray:
    """Renumber clusters: most reports first, then smallest (lon, lat, start, end) site."""
    in_cluster = site_label >= 0
    if not in_cluster.any():
        return site_label
    ids, inverse = np.unique(site_label[in_cluster], return_inverse=True)
    rows = np.bincount(inverse, weights=sites.rows[in_cluster], minlength=len(ids))
    first_site = np.full(len(ids), sites.n, dtype=np.int64)
    np.minimum.at(first_site, inverse, np.flatnonzero(in_cluster))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.lexsort((first_site, -rows))] = np.arange(len(ids))
    out = np.full(len(site_label), -1, dtype=np.int64)
    out[in_cluster] = rank[inverse]
    return out


# ---------------------------------------------------------------------------
# public API


def cluster_strikes(
    strikes: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    eps_km: float,
    min_samples: int = 3,
    time_eps_hours: float | None = None,
    weight: str | ArrayLike | None = None,
    time_column: str = "date",
    exclude_evidence: Iterable[str] = NOT_STRIKE_EVIDENCE,
) -> pd.Series:
    """Cluster strike reports with DBSCAN (or ST-DBSCAN) on geodesic distance.

    Two reports are neighbours when the geodesic distance between them on the
    WGS84 ellipsoid is at most ``eps_km`` and, in space-time mode, when their
    time intervals are at most ``time_eps_hours`` apart. A report is a *core*
    report when the weight of its neighbours, itself included, reaches
    ``min_samples``. Clusters are the connected groups of core reports plus the
    non-core reports within reach of one (*border* reports); everything else
    is noise (``-1``).

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame or geopandas.GeoSeries
        Point geometries with a CRS (any CRS; converted to EPSG:4326).
    eps_km : float
        Neighbourhood radius, geodesic kilometres; finite and > 0. For the
        packaged reports use :data:`DEFAULT_EPS_KM`.
    min_samples : int, default 3
        Weight (report count by default) a neighbourhood needs, the report
        itself included, to make the report core; >= 1.
    time_eps_hours : float or None, default None
        If given (>= 0), run ST-DBSCAN: neighbours must also be at most this
        many hours apart in time (see Notes).
    weight : str, array-like or None, default None
        Sample weight of each report: a column name or one value per row
        (finite, >= 0). ``min_samples`` is compared with summed weights.
        ``None`` gives every report weight 1.
    time_column : str, default "date"
        Column of dates or timestamps used when ``time_eps_hours`` is set.
    exclude_evidence : tuple of str, default ("displacement_only", "denial")
        Reports whose ``evidence`` column holds one of these values are not
        clustered and get ``-1``: a displacement or a denial is not a strike
        location. Ignored when there is no ``evidence`` column. Pass ``()`` to
        cluster every report.

    Returns
    -------
    pandas.Series
        ``int64`` cluster label per report, named ``"cluster"``, with the index
        of ``strikes``; ``-1`` is noise. Clusters are numbered ``0, 1, ...`` by
        descending number of reports, ties broken by the smallest
        ``(lon, lat)`` among their reports (then start and end time).

    Raises
    ------
    ValueError
        For a bad parameter, a missing weight or time column, or weights that
        are negative or not finite.
    borderstrikes.errors.CRSError
        If ``strikes`` has no CRS.
    borderstrikes.errors.GeometryError
        If a geometry is not a point.

    Warns
    -----
    borderstrikes.errors.BorderstrikesWarning
        Rows with a missing or empty geometry (or, in space-time mode, a missing
        time) cannot be placed; they get ``-1`` and the warning names them.

    See Also
    --------
    describe_clusters : One summary row per cluster.
    k_distance : Distance to the k-th nearest report, to choose ``eps_km``.

    Notes
    -----
    *Exactness.* Neighbourhoods are decided on the geodesic distance itself:
    pairs are screened in Earth-centred Cartesian coordinates with a proven
    chord-to-arc bound, and the few pairs the bound cannot settle (those
    within about ``eps_km**3 / 24 / 6335**2`` km of the threshold) are measured
    with :meth:`pyproj.Geod.inv`. The result is therefore that of DBSCAN on
    the geodesic distance, across the antimeridian and at any latitude. See the
    module documentation for the proof.

    *Co-located reports.* Reports at identical coordinates (and, in
    space-time mode, identical intervals) are merged into one weighted point
    for speed; they all get the same label and all count towards
    ``min_samples``. No report is dropped.

    *Border reports.* A non-core report within reach of several clusters joins
    the cluster of its nearest core report (geodesic distance; in space-time
    mode ties are broken by the smaller time gap); remaining ties go to the
    core report with the smallest ``(lon, lat)`` (then start, end). The labels
    therefore do not depend on the row order.

    *Time intervals* (space-time mode). Each report covers an interval of local
    wall-clock time. A value of ``time_column`` at exactly midnight is a date:
    the report spans that whole day, ``[00:00, 24:00)``. If a ``time_local``
    column holds ``"HH:MM"`` (an instant) or ``"HH:MM-HH:MM"`` (a range, hyphen
    or en dash; an end before the start crosses midnight), that time is used
    on the date instead; any other text (``"~23:00"``, ``"night"``,
    ``"00:48-02:48 (approx.)"``) leaves the whole day. A ``time_column`` value
    with a time of day other than midnight is an instant. The time distance
    between two reports is the gap between their intervals, 0 if they overlap
    or touch; so two date-only reports on the same day are always neighbours
    in time, a report at 23:00 on the 13th is 0 h from a date-only report on
    the 13th and 1 h from one on the 14th, and date-only reports on
    consecutive days touch (gap 0).

    Examples
    --------
    Three reports within a few kilometres and one 40 km away:

    >>> import geopandas as gpd
    >>> pts = gpd.GeoSeries.from_xy(
    ...     [45.67, 45.66, 45.68, 45.90], [39.84, 39.80, 39.85, 40.18], crs="EPSG:4326"
    ... )
    >>> cluster_strikes(pts, eps_km=10, min_samples=3).tolist()
    [0, 0, 0, -1]

    On the packaged reports, with the documented defaults:

    >>> strikes = bs.load_strikes()
    >>> labels = cluster_strikes(
    ...     strikes, eps_km=DEFAULT_EPS_KM, min_samples=DEFAULT_MIN_SAMPLES
    ... )
    >>> sorted(set(strikes.loc[labels == labels[strikes["place"] == "Jermuk"].iloc[0], "place"]))
    ['Jermuk', 'Kechut Reservoir']
    """
    if is_lazy(strikes):
        return lazy_layer().cluster_strikes_partitioned(
            strikes, eps_km=eps_km, min_samples=min_samples, time_eps_hours=time_eps_hours,
            weight=weight, time_column=time_column, exclude_evidence=exclude_evidence,
        )  # fmt: skip
    eps_km, min_samples, time_eps_hours = _check_params(eps_km, min_samples, time_eps_hours)
    as_geoseries(strikes, "strikes")
    lon, lat = point_lonlat(strikes, "strikes")
    n = len(lon)
    excluded = _excluded_rows(strikes, exclude_evidence)
    weights = _row_weights(strikes, weight)
    missing = np.isnan(lon) | np.isnan(lat)
    t0 = t1 = None
    no_time = np.zeros(n, dtype=bool)
    if time_eps_hours is not None:
        t0, t1, no_time = _time_intervals(strikes, time_column)
    if (missing & ~excluded).any():
        _warn_rows(strikes.index, missing & ~excluded, "no (or an empty) geometry")
    if (no_time & ~missing & ~excluded).any():
        _warn_rows(strikes.index, no_time & ~missing & ~excluded, f"no {time_column!r} value")
    use = ~(excluded | missing | no_time)
    bad_weight = use & ~(np.isfinite(weights) & (weights >= 0))
    if bad_weight.any():
        labels = list(strikes.index[bad_weight][:10])
        msg = f"weights must be finite and >= 0; rows {labels!r} are not."
        raise ValueError(msg)

    out = np.full(n, -1, dtype=np.int64)
    if use.any():
        sites = _Sites(
            lon[use],
            lat[use],
            weights[use],
            None if t0 is None else t0[use],
            None if t1 is None else t1[use],
        )
        time_eps_ns = None
        if time_eps_hours is not None:
            time_eps_ns = int(min(round(time_eps_hours * _NS_PER_HOUR), 2**62))
        site_label = _Dbscan(sites, eps_km * 1000.0, min_samples, time_eps_ns).run()
        out[use] = _canonical_labels(site_label, sites)[sites.inverse]
    return pd.Series(out, index=strikes.index.copy(), name="cluster", dtype="int64")


def k_distance(
    strikes: gpd.GeoDataFrame | gpd.GeoSeries,
    k: int,
    *,
    exclude_evidence: Iterable[str] = NOT_STRIKE_EVIDENCE,
) -> pd.Series:
    """Geodesic distance from each report to its k-th nearest other report.

    A report is a core report of :func:`cluster_strikes` with
    ``min_samples=k + 1`` (unit weights, spatial mode) exactly when its
    k-distance is at most ``eps_km``. Sorted in descending order, the values
    draw the usual "k-distance curve": a knee in the curve marks a radius
    below which most reports have ``k`` neighbours.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame or geopandas.GeoSeries
        Point geometries with a CRS.
    k : int
        Rank of the neighbour (>= 1). Other reports at the same coordinates
        count, at distance 0.
    exclude_evidence : tuple of str, default ("displacement_only", "denial")
        As in :func:`cluster_strikes`: those reports are neither measured
        nor counted as neighbours.

    Returns
    -------
    pandas.Series
        ``float64`` distances in kilometres on the WGS84 ellipsoid, named
        ``"k_distance_km"``, indexed like ``strikes`` (not sorted; use
        ``.sort_values(ascending=False)`` for the curve). NaN for excluded
        reports, reports without geometry, and when fewer than ``k`` other
        reports are left.

    Raises
    ------
    ValueError
        If ``k`` is not an integer >= 1.

    Warns
    -----
    borderstrikes.errors.BorderstrikesWarning
        Rows with a missing or empty geometry (they get NaN).

    See Also
    --------
    cluster_strikes : DBSCAN on geodesic distance.

    Notes
    -----
    *Default parameters for the packaged reports.* The reports of one place
    share one point, so the curve is a staircase of distances between named
    places. With ``k = 2`` (``min_samples = 3``), after excluding
    displacement-only and denial reports, every report but two has a
    k-distance of at most 16.3 km (Srashen, 16.3 km from Kapan); the two
    reports at Artanish follow at 33.8 km, the knee of the curve. Sweeping
    ``eps_km`` with ``min_samples = 3`` gives the same four clusters for every
    value from 16.4 km to 28.6 km. Below 16.3 km Srashen becomes noise, and
    below 14.3 km the Sisian villages split from the Goris ones (the gap
    between Noravan and the Lake Sev area). At 28.7 km the Jermuk cluster merges
    with the Gegharkunik one, through Akhpradzor, 28.6 km from Jermuk (Verin
    Shorzha is 30.8 km away); at 34.2 km Kapan merges with Goris.
    :data:`DEFAULT_EPS_KM` = 20 km lies inside that range, 3.7 km and 8.6 km
    from its edges: more than the 2–3 km location radius of a
    settlement-level report. :data:`DEFAULT_MIN_SAMPLES` = 3 gives the same
    clusters as 4 or 5. It is the smallest value that leaves a lone pair of
    reports (Artanish) as noise instead of a cluster of its own.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoSeries.from_xy([45.0, 45.0, 45.1], [40.0, 40.0, 40.0], crs="EPSG:4326")
    >>> k_distance(pts, 1).round(3).tolist()
    [0.0, 0.0, 8.539]
    >>> k_distance(pts, 2).round(3).tolist()
    [8.539, 8.539, 8.539]

    The curve of the packaged reports:

    >>> curve = k_distance(bs.load_strikes(), 2).sort_values(ascending=False)
    >>> curve.round(1).head(4).tolist()
    [33.8, 33.8, 16.3, 12.4]
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        msg = f"k must be an integer >= 1 (got {k!r})."
        raise ValueError(msg)
    k = int(k)
    as_geoseries(strikes, "strikes")
    lon, lat = point_lonlat(strikes, "strikes")
    excluded = _excluded_rows(strikes, exclude_evidence)
    missing = np.isnan(lon) | np.isnan(lat)
    if (missing & ~excluded).any():
        _warn_rows(strikes.index, missing & ~excluded, "no (or an empty) geometry")
    use = ~(excluded | missing)
    out = np.full(len(lon), np.nan)
    if use.any():
        sites = _Sites(lon[use], lat[use], np.ones(int(use.sum())), None, None)
        out[use] = _site_k_distance_m(sites, k)[sites.inverse] / 1000.0
    return pd.Series(out, index=strikes.index.copy(), name="k_distance_km", dtype="float64")


def _site_k_distance_m(sites: _Sites, k: int) -> np.ndarray:
    """k-th nearest other report (m) from each site, exact geodesic."""
    n = sites.n
    need = k - (sites.rows - 1)  # reports still needed beyond the co-located ones
    result = np.where(need <= 0, 0.0, np.nan)
    if sites.rows.sum() - 1 < k:
        return np.full(n, np.nan)
    tree = _kdtree(sites.xyz)
    todo = np.flatnonzero(need > 0)
    m = min(k + 1, n)
    while len(todo):
        left = []
        step = max(1, _PAIR_BUDGET // 4 // m)  # sites per query: bounded memory for any k
        for block in np.split(todo, np.arange(step, len(todo), step)):
            chord, idx = tree.query(sites.xyz[block], k=m)
            chord = np.asarray(chord).reshape(len(block), m)
            idx = np.asarray(idx).reshape(len(block), m)
            src = np.repeat(block, m)
            dist = _geodesic_m(
                sites.lon[src], sites.lat[src], sites.lon[idx.ravel()], sites.lat[idx.ravel()]
            ).reshape(len(block), m)
            count = np.where(idx == block[:, None], 0, sites.rows[idx])
            order = np.argsort(dist, axis=1, kind="stable")
            dist = np.take_along_axis(dist, order, axis=1)
            cum = np.cumsum(np.take_along_axis(count, order, axis=1), axis=1)
            reached = cum >= need[block][:, None]
            found = reached.any(axis=1)
            kth = dist[np.arange(len(block)), reached.argmax(axis=1)]
            # unqueried sites are at least as far as the largest queried chord
            settled = found & ((kth <= chord[:, -1]) | (m == n))
            result[block[settled]] = kth[settled]
            left.append(block[~settled])
        if m == n:
            break
        todo = np.concatenate(left)
        m = min(2 * m, n)
    return result


# ---------------------------------------------------------------------------
# cluster descriptions


def _aeqd_xy(lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray) -> tuple:
    """Azimuthal equidistant coordinates (m; x east, y north) around (lon0, lat0)."""
    az, _, dist = _GEOD.inv(np.full(len(lon), lon0), np.full(len(lon), lat0), lon, lat)
    az = np.radians(np.asarray(az, dtype=float))
    dist = np.asarray(dist, dtype=float)
    return dist * np.sin(az), dist * np.cos(az), dist


def _aeqd_inverse(lon0: float, lat0: float, x: np.ndarray, y: np.ndarray) -> tuple:
    az = np.degrees(np.arctan2(x, y))
    lon, lat, _ = _GEOD.fwd(np.full(len(x), lon0), np.full(len(x), lat0), az, np.hypot(x, y))
    lon = np.asarray(lon, dtype=float)
    lon = lon0 + np.mod(lon - lon0 + 180.0, 360.0) - 180.0  # continuous across ±180°
    return lon, np.asarray(lat, dtype=float)


def _geodesic_centre(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float]:
    """Point minimising the sum of squared geodesic distances (iterated AEQD mean)."""
    if (lon == lon[0]).all() and (lat == lat[0]).all():
        return float(lon[0]), float(lat[0])
    xyz = _ecef_m(lon, lat).mean(axis=0)
    lon0 = math.degrees(math.atan2(xyz[1], xyz[0]))
    lat0 = math.degrees(math.atan2(xyz[2], (1 - _E2) * math.hypot(xyz[0], xyz[1])))
    for _ in range(100):
        x, y, _ = _aeqd_xy(lon0, lat0, lon, lat)
        mx, my = float(x.mean()), float(y.mean())
        step = math.hypot(mx, my)
        if step < 1e-4:
            break
        lon0, lat0, _ = _GEOD.fwd(lon0, lat0, math.degrees(math.atan2(mx, my)), step)
    lon0 = float(_normalise_lon(np.array([lon0]))[0])
    return lon0, float(lat0)


def _footprint(
    lon0: float,
    lat0: float,
    x: np.ndarray,
    y: np.ndarray,
    kind: str,
    lon: np.ndarray,
    lat: np.ndarray,
) -> shapely.Geometry:
    xy = np.unique(np.column_stack((x, y)), axis=0)
    if len(np.unique(np.column_stack((lon, lat)), axis=0)) == 1:
        return shapely.Point(lon[0], lat[0])
    points = shapely.multipoints(xy)
    if kind == "concave":
        hull = shapely.concave_hull(points, ratio=CONCAVE_HULL_RATIO)
    else:
        hull = shapely.convex_hull(points)
    hull = shapely.segmentize(hull, _DENSIFY_M)
    coords = shapely.get_coordinates(hull)
    lon_v, lat_v = _aeqd_inverse(lon0, lat0, coords[:, 0], coords[:, 1])
    return shapely.set_coordinates(hull, np.column_stack((lon_v, lat_v)))


def _name_of(rows: pd.DataFrame, label: int) -> str:
    if "place" not in rows or rows["place"].isna().all():
        return f"cluster {label}"
    counts = rows["place"].value_counts()
    top = sorted(counts.index[counts == counts.max()])[0]
    if "admin1" not in rows:
        return str(top)
    admin = rows.loc[rows["place"] == top, "admin1"].dropna()
    if admin.empty:
        return str(top)
    admin_counts = admin.value_counts()
    province = sorted(admin_counts.index[admin_counts == admin_counts.max()])[0]
    return f"{top} ({province})"


def describe_clusters(
    strikes: gpd.GeoDataFrame | gpd.GeoSeries,
    labels: pd.Series | ArrayLike,
    *,
    footprint: Literal["convex", "concave"] = "convex",
    border: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    time_column: str = "date",
) -> gpd.GeoDataFrame:
    """Summarise each cluster: name, places, dates, centre, footprint, spread, border.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame or geopandas.GeoSeries
        The reports that were clustered (point geometries with a CRS). The
        columns ``place``, ``admin1`` and ``time_column`` are used when present.
    labels : pandas.Series or array-like of int
        Cluster label per report, ``-1`` for noise, e.g. the result of
        :func:`cluster_strikes`. A Series must have the index of ``strikes``.
    footprint : {'convex', 'concave'}, default 'convex'
        Shape of the footprint polygon: the convex hull of the reports, or
        :func:`shapely.concave_hull` with ``ratio=CONCAVE_HULL_RATIO`` (0.5).
    border : geopandas.GeoDataFrame, geopandas.GeoSeries or None, default None
        Border lines for :func:`borderstrikes.border.distance_to_border`;
        ``None`` uses the packaged Armenia–Azerbaijan border.
    time_column : str, default "date"
        Column giving ``first_date`` and ``last_date`` (NaT if absent).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cluster, indexed by cluster label (named ``"cluster"``,
        ascending, noise left out), in EPSG:4326, with columns:

        - ``name`` (str): the most reported place and its province, e.g.
          ``"Jermuk (Vayots Dzor)"``; ties go to the alphabetically first
          place. ``"cluster <label>"`` without a ``place`` column.
        - ``n_reports`` (int), ``n_places`` (int) and ``places`` (sorted list of
          place names; without a ``place`` column, ``n_places`` counts distinct
          locations and ``places`` is empty).
        - ``first_date``, ``last_date`` (datetime64).
        - ``centre_lon``, ``centre_lat`` (degrees): the geodesic centre.
        - ``area_km2`` (float): geodesic area of the footprint.
        - ``standard_distance_km``: root mean square geodesic distance of the
          reports from the centre.
        - ``sde_major_km``, ``sde_minor_km``, ``sde_angle_deg``: the standard
          deviational ellipse, semi-axes and azimuth of the major axis
          (degrees clockwise from north, in [0, 180); NaN when the ellipse is a
          circle or a point).
        - ``border_min_km``, ``border_median_km``, ``border_max_km``: geodesic
          distance of the reports to the border (unsigned), over reports.
        - ``geometry``: the footprint, a Polygon (a Point for a single-place
          cluster, a LineString when all places lie on a line).

    Raises
    ------
    ValueError
        If ``labels`` does not match ``strikes`` or ``footprint`` is unknown,
        or a clustered row has no geometry.

    See Also
    --------
    cluster_strikes : Produces the labels.

    Notes
    -----
    Every report counts once (co-located reports included).

    *Centre.* The point minimising the sum of squared geodesic distances to
    the reports: starting from the normalised mean of their Earth-centred
    coordinates, the centre is moved to the mean of the reports' azimuthal
    equidistant (AEQD) coordinates around it until the step is below 0.1 mm
    (at the minimum that mean is zero).

    *Footprint.* The hull is computed in the AEQD plane around the centre
    (where distances and azimuths from the centre are exact), its edges are
    cut into pieces of at most 500 m and its vertices are mapped back to
    longitude and latitude along geodesics from the centre. Near the
    antimeridian the longitudes stay continuous and may pass ±180°. The area
    is :meth:`pyproj.Geod.geometry_area_perimeter` of that polygon.

    *Spread.* With AEQD coordinates ``(x, y)`` of the reports around the
    centre, the covariance matrix ``mean([[x*x, x*y], [x*y, y*y]])`` has
    eigenvalues ``l1 >= l2``; the semi-axes are ``sqrt(l1)`` and ``sqrt(l2)``
    (one standard deviation, no ``sqrt(2)`` factor), so that
    ``sde_major_km**2 + sde_minor_km**2 == standard_distance_km**2``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(
    ...     {"place": ["A", "A", "B", "C"], "admin1": ["X", "X", "X", "X"]},
    ...     geometry=gpd.points_from_xy([45.0, 45.0, 45.1, 45.0], [40.0, 40.0, 40.0, 40.1]),
    ...     crs="EPSG:4326",
    ... )
    >>> summary = describe_clusters(pts, [0, 0, 0, 0])
    >>> row = summary.loc[0]
    >>> row["name"], int(row["n_reports"]), int(row["n_places"]), row["places"]
    ('A (X)', 4, 3, ['A', 'B', 'C'])
    >>> round(float(summary.loc[0, "area_km2"]), 1)
    47.4

    The clusters of the packaged reports:

    >>> strikes = bs.load_strikes()
    >>> labels = cluster_strikes(
    ...     strikes, eps_km=DEFAULT_EPS_KM, min_samples=DEFAULT_MIN_SAMPLES
    ... )
    >>> describe_clusters(strikes, labels)["name"].tolist()
    ['Sotk (Gegharkunik)', 'Goris (Syunik)', 'Jermuk (Vayots Dzor)', 'Kapan (Syunik)']
    """
    if footprint not in ("convex", "concave"):
        msg = f"footprint must be 'convex' or 'concave' (got {footprint!r})."
        raise ValueError(msg)
    as_geoseries(strikes, "strikes")
    lon, lat = point_lonlat(strikes, "strikes")
    if isinstance(labels, pd.Series):
        if not labels.index.equals(strikes.index):
            msg = "labels must have the same index as strikes (as cluster_strikes returns)."
            raise ValueError(msg)
        labels = labels.to_numpy()
    labels = np.asarray(labels)
    if labels.shape != (len(lon),) or not np.issubdtype(labels.dtype, np.integer):
        msg = f"labels must hold one integer per row of strikes ({len(lon)}); got {labels!r}."
        raise ValueError(msg)
    clustered = labels >= 0
    missing = clustered & (np.isnan(lon) | np.isnan(lat))
    if missing.any():
        rows = list(strikes.index[missing][:10])
        msg = f"rows {rows!r} have a cluster label but no geometry; give them label -1."
        raise ValueError(msg)
    frame = strikes if isinstance(strikes, pd.DataFrame) else pd.DataFrame(index=strikes.index)
    dates = (
        pd.to_datetime(frame[time_column])
        if time_column in frame
        else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    )
    border_km = _border_distance_km(lon, lat, clustered, border)

    records = []
    ids = np.unique(labels[clustered])
    # positions of each cluster's rows, in row order (one sort: linear in clusters x rows)
    order = np.argsort(labels, kind="stable")
    starts = np.searchsorted(labels[order], ids, side="left")
    ends = np.searchsorted(labels[order], ids, side="right")
    for label, start, end in zip(ids.tolist(), starts, ends, strict=True):
        rows = order[start:end]
        lon_c, lat_c = _normalise_lon(lon[rows]), lat[rows]
        lon0, lat0 = _geodesic_centre(lon_c, lat_c)
        x, y, dist = _aeqd_xy(lon0, lat0, lon_c, lat_c)
        shape = _footprint(lon0, lat0, x, y, footprint, lon_c, lat_c)
        area = (
            abs(_GEOD.geometry_area_perimeter(shape)[0]) / 1e6
            if shape.geom_type == "Polygon"
            else 0.0
        )
        cov = np.array([[np.mean(x * x), np.mean(x * y)], [np.mean(x * y), np.mean(y * y)]])
        eigval, eigvec = np.linalg.eigh(cov)
        eigval = np.clip(eigval, 0.0, None)
        major, minor = math.sqrt(eigval[1]), math.sqrt(eigval[0])
        angle = math.degrees(math.atan2(eigvec[0, 1], eigvec[1, 1])) % 180.0
        if major - minor <= 1e-9 * max(major, 1.0):
            angle = math.nan
        sub = frame.iloc[rows]
        if "place" in sub:
            places = sorted(str(p) for p in sub["place"].dropna().unique())
            n_places = len(places)
        else:
            places = []
            n_places = len(np.unique(np.column_stack((lon_c, lat_c)), axis=0))
        dist_km = border_km[rows]
        records.append(
            {
                "name": _name_of(sub, label),
                "n_reports": len(rows),
                "n_places": n_places,
                "places": places,
                "first_date": dates.iloc[rows].min(),
                "last_date": dates.iloc[rows].max(),
                "centre_lon": lon0,
                "centre_lat": lat0,
                "area_km2": area,
                "standard_distance_km": math.sqrt(float(np.mean(dist**2))) / 1000.0,
                "sde_major_km": major / 1000.0,
                "sde_minor_km": minor / 1000.0,
                "sde_angle_deg": angle,
                "border_min_km": float(np.min(dist_km)),
                "border_median_km": float(np.median(dist_km)),
                "border_max_km": float(np.max(dist_km)),
                "geometry": shape,
            }
        )
    columns = [
        "name", "n_reports", "n_places", "places", "first_date", "last_date", "centre_lon",
        "centre_lat", "area_km2", "standard_distance_km", "sde_major_km", "sde_minor_km",
        "sde_angle_deg", "border_min_km", "border_median_km", "border_max_km", "geometry",
    ]  # fmt: skip
    table = pd.DataFrame.from_records(records, columns=columns)
    table.index = pd.Index(ids.astype("int64"), name="cluster")
    return gpd.GeoDataFrame(table, geometry="geometry", crs=_WGS84)


def _border_distance_km(
    lon: np.ndarray, lat: np.ndarray, clustered: np.ndarray, border: Any
) -> np.ndarray:
    """Unsigned distance (km) to the border of each clustered report (NaN elsewhere)."""
    out = np.full(len(lon), np.nan)
    if not clustered.any():
        return out
    xy = np.column_stack((lon[clustered], lat[clustered]))
    unique, inverse = np.unique(xy, axis=0, return_inverse=True)
    points = gpd.GeoSeries.from_xy(unique[:, 0], unique[:, 1], crs=_WGS84)
    table = distance_to_border(points, border, unit="km")
    out[clustered] = table["distance_km"].to_numpy(dtype=float)[inverse.ravel()]
    return out
