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
all in one cluster, without enumerating its pairs.

No neighbour list in full (spatial mode)
----------------------------------------
Reports at the same point are one weighted site. On sparse data (about
``_LIST_PER_SITE`` pairs within reach per site or fewer, and at most
``_PAIR_BUDGET`` in all, estimated from the cubes) every pair within reach is
listed once and weights, clusters and border sites follow from that list;
that is cheaper than anything below. Otherwise, whether a site of a lighter
cube is core is decided without listing its neighbours:

1. *Bounds from pairs of small cubes* (a quarter of the sure chord on a
   side): a cube whose every site is within the sure chord of every site of
   another adds its weight to the lower bound of that cube's sites; one that
   may hold a neighbour adds it to their upper bound. A lower bound of at
   least ``min_samples`` makes a site core, an upper bound below it makes it
   not core. Where the cubes hold about one site each (sparse data), this
   step is skipped and step 3 decides every site.
2. *Pairs* for sites with few sites within reach (``_FEW_SITES``): their
   neighbour pairs are listed and decided exactly.
3. *Counting* light neighbourhoods with a k-d tree holding every site as
   many times as its whole-number weight (``query_ball_point(...,
   return_length=True)``, queries in the order of the tree's leaves, within
   the sure chord and within reach; a site whose count differs between the
   two has its few pairs decided exactly).
4. *Columns* (:class:`_Strips`) for heavy neighbourhoods, and fractional
   weights: sites in narrow columns of a local frame, sorted along the
   column with running sums of their weights. For each site and column, two
   binary searches give the weight surely within eps and the weight possibly
   within it; columns an eighth of eps wide settle most sites, and for the
   rest columns a thirty-second of eps wide bound the weight and the few
   sites between the two intervals are tested one by one. The cost per site
   is a few dozen searches, whatever the weight of its neighbourhood.

Clusters join cubes, not sites: two cubes holding core sites are linked when
one pair of their core sites are neighbours, tried first on the two core
sites nearest the cubes' centres, then on every pair when the cubes hold few
core sites, else by a nearest-neighbour search between the two, nearest
cubes first and only between cubes not yet joined. A non-core site has less
than ``min_samples`` of weight within eps, so its core neighbours are few;
its nearest one is found among the core sites within the chord of the
nearest by chord. Memory stays in proportion to the number of distinct
locations and cubes, not to the number of neighbour pairs. Space-time mode
still lists the neighbour pairs of the sites of lighter cubes (in chunks of
at most ``_PAIR_BUDGET`` candidates).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from borderstrikes._core.constants import A_M, B_M
from borderstrikes.geodesy import geodesic_distance_m
from borderstrikes.geodesy.ellipsoid import ecef

__all__ = [
    "RHO_MIN_M",
    "Dbscan",
    "Sites",
    "canonical_labels",
    "normalise_lon",
    "rank_clusters",
    "site_k_distance_m",
]

#: Smallest radius of curvature of the WGS84 ellipsoid (m), ``b**2 / a``.
RHO_MIN_M = B_M**2 / A_M
_BOUND_MAX_CHORD_M = 1.0e6  # the chord-arc bound is only used below this chord
_ROUNDING_M = 1.0e-6  # margin for floating-point rounding in chord tests
_BRUTE_FORCE_PAIRS = 1 << 16
_PAIR_BUDGET = 1 << 22  # candidate pairs held in memory at once
_FEW_PAIRS = 64  # cells with at most this many pairs of core sites are tested pair by pair
_REPEAT_LIMIT = 8  # the counting tree holds at most this many reports per site
_COUNT_CHEAPER = 1024  # below this weight within reach, counting beats columns
_COLUMN_COST = 800  # reports counted in the time columns weigh one site
_CUBE_SITES = 2  # cube bounds are skipped when cubes hold fewer sites on average
_FEW_SITES = 128  # below this many sites within reach, listing pairs beats columns
_PAIRS_PER_CELL = 5.0  # pairs within reach per pair of sites sharing a cell (about)
_LIST_PER_SITE = 32  # sparse data: all pairs are listed below this many per site
_BORDER_K = 4  # nearest core sites looked up at once for each border site
_STRIP_STEPS = ((8, False), (32, True))  # column widths (reach / n): bounds, then exact


def _kdtree(points: np.ndarray) -> Any:
    """Build a scipy k-d tree (scipy.spatial is imported on first use)."""
    from scipy.spatial import cKDTree

    return cKDTree(points)


def _geodesic_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Geodesic distance (m, WGS84) between paired points, as a 1-D array."""
    if np.size(lon1) == 0:
        return np.zeros(0)
    return np.atleast_1d(np.asarray(geodesic_distance_m(lon1, lat1, lon2, lat2), dtype=float))


def _chord_thresholds(eps_m: float) -> tuple[float, float]:
    """Chord lengths below which a pair is surely within, above which surely beyond, eps_m."""
    reject = eps_m * (1 + 1e-12) + _ROUNDING_M
    bounded = min(eps_m, _BOUND_MAX_CHORD_M)
    accept = 2 * RHO_MIN_M * math.sin(bounded / (2 * RHO_MIN_M)) * (1 - 1e-12) - _ROUNDING_M
    return max(accept, 0.0), reject


def normalise_lon(lon: np.ndarray) -> np.ndarray:
    """Longitudes in [-180, 180), -0.0 made 0.0; values already in range are untouched.

    Examples
    --------
    >>> normalise_lon(np.array([-0.0, 180.0, 190.0])).tolist()
    [0.0, -180.0, -170.0]
    """
    lon = lon + 0.0
    out = (lon < -180) | (lon >= 180)
    if out.any():
        lon = lon.copy()
        lon[out] = np.mod(lon[out] + 180.0, 360.0) - 180.0
    return lon


class Sites:
    """Distinct locations (and time intervals) with summed weights and row counts."""

    def __init__(
        self,
        lon: np.ndarray,
        lat: np.ndarray,
        weight: np.ndarray,
        t0: np.ndarray | None,
        t1: np.ndarray | None,
    ) -> None:
        lon = normalise_lon(lon)
        lat = lat + 0.0
        if t0 is None:  # hash the points first: many reports share a few places
            points = np.empty(len(lon), dtype=np.complex128)
            points.real, points.imag = lon, lat
            codes, unique = pd.factorize(points)
            order = np.lexsort([unique.imag, unique.real])  # by lon, then lat
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            self.inverse = rank[codes]
            self.lon, self.lat = unique.real[order], unique.imag[order]
            self.t0 = self.t1 = None
            self._finish(weight)
            return
        keys = [t1, t0, lat, lon]
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
        self._finish(weight)

    def _finish(self, weight: np.ndarray) -> None:
        """Sum weights and rows per site; Earth-centred coordinates of the sites."""
        self.n = len(self.lon)
        self.weight = np.bincount(self.inverse, weights=weight, minlength=self.n)
        self.rows = np.bincount(self.inverse, minlength=self.n)
        self.xyz = ecef(self.lon, self.lat)


class Dbscan:
    """Exact (ST-)DBSCAN on geodesic distance over weighted distinct sites.

    :meth:`run` gives a provisional cluster id per site and leaves the core
    flags in :attr:`core` (the tiled DBSCAN of :mod:`borderstrikes.dask` needs them).
    """

    def __init__(
        self, sites: Sites, eps_m: float, min_samples: int, time_eps_ns: int | None
    ) -> None:
        self.s = sites
        self.eps_m = eps_m
        self.min_samples = min_samples
        self.t_ns = time_eps_ns
        self.accept, self.reject = _chord_thresholds(eps_m)
        self.reach = self.reject * (1 + 1e-9) + _ROUNDING_M  # search radius of the k-d trees
        self.core = np.zeros(0, dtype=bool)

    def neighbours(
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

    def cells(self) -> np.ndarray:
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

    def search_points(self) -> tuple[np.ndarray, float]:
        """Coordinates for a k-d tree where neighbours lie within a radius, and its p-norm."""
        s = self.s
        if self.t_ns is None:
            return s.xyz, 2.0
        # Chebyshev metric on (x, y, z, scaled start time): a neighbour's start
        # differs by at most time_eps + the longest interval; 1 s of slack
        # absorbs rounding (candidates are tested exactly afterwards).
        longest = float((s.t1 - s.t0).max()) if s.n else 0.0
        window_s = (self.t_ns + longest) / 1e9 + 1.0
        tau = (s.t0 - s.t0.min()).astype(float) / 1e9 * (self.reject / window_s)
        return np.column_stack((s.xyz, tau)), np.inf

    def run(self) -> np.ndarray:
        """Provisional cluster id per site (-1 for noise); ids are arbitrary."""
        s = self.s
        if s.n == 0:
            return np.zeros(0, dtype=np.int64)
        cell = self.cells()
        n_cells = int(cell.max()) + 1
        dense_cell = np.bincount(cell, weights=s.weight, minlength=n_cells) >= self.min_samples
        if self.t_ns is None:
            return self._run_ranked(cell, dense_cell)
        core = dense_cell[cell].copy()
        # 1. weight of the neighbourhood of every site in a light cell
        light = _LightSites(self, np.flatnonzero(~core))
        core[light.sites] = light.neighbour_weight()[light.sites] >= self.min_samples
        # 2. from light sites: links between cells through core pairs, and
        # the nearest core neighbour of each border site
        links, border_site, border_core = light.links(core, cell, n_cells)
        component = _component_labels(n_cells, links // n_cells, links % n_cells)
        # 3. link pairs of dense cells (all their sites are core)
        roots = _DenseCells(self, cell).join(dense_cell, component)
        label = np.full(s.n, -1, dtype=np.int64)
        label[core] = roots[component[cell[core]]]
        # 4. border sites join the cluster of their nearest core neighbour
        label[border_site] = label[border_core]
        self.core = core
        return label

    def _run_ranked(self, cell: np.ndarray, dense_cell: np.ndarray) -> np.ndarray:
        """:meth:`run` in spatial mode: no neighbour list in full.

        Core sites: every site of a dense cell, and the sites of other cells
        that :meth:`_core_by_rank` finds with ``min_samples`` of weight within
        eps. Clusters: cells holding core sites are joined when two of their
        core sites are neighbours (:class:`_CoreCells`). Border sites: only
        the core neighbours of non-core sites are looked up (:meth:`_border`).
        """
        s = self.s
        per_cell = np.bincount(cell).astype(float)
        pairs = _PAIRS_PER_CELL * float((per_cell**2).sum())  # about the pairs within reach
        if pairs <= min(_PAIR_BUDGET, _LIST_PER_SITE * s.n):
            return self._run_listed()
        core = dense_cell[cell].copy()
        light = np.flatnonzero(~core)
        if len(light):
            core[light] = self._core_by_rank(light)
        label = np.full(s.n, -1, dtype=np.int64)
        if core.any():
            label[core] = _CoreCells(self, core, cell).components()
            border_site, border_core = self._border(core)
            label[border_site] = label[border_core]
        self.core = core
        return label

    def _run_listed(self) -> np.ndarray:
        """:meth:`run` in spatial mode on sparse data: every neighbour pair listed once.

        Used when the pairs within reach are few (a handful per site, at most
        ``_PAIR_BUDGET``): one k-d tree pass lists them, and weights, core
        sites, clusters and border sites all follow from that list.
        """
        s = self.s
        pairs = _kdtree(s.xyz).query_pairs(self.reach, output_type="ndarray")
        ok = self.neighbours(pairs[:, 0], pairs[:, 1])
        i, j = pairs[ok, 0].astype(np.int64), pairs[ok, 1].astype(np.int64)
        weight = s.weight + np.bincount(i, s.weight[j], s.n) + np.bincount(j, s.weight[i], s.n)
        core = weight >= self.min_samples
        label = np.full(s.n, -1, dtype=np.int64)
        both = core[i] & core[j]
        label[core] = _component_labels(s.n, i[both], j[both])[core]
        left, right = ~core[i] & core[j], core[i] & ~core[j]
        site = np.concatenate((i[left], j[right]))
        other = np.concatenate((j[left], i[right]))
        # the geodesically nearest core neighbour is within the chord-arc of the nearest by chord
        chord = np.linalg.norm(s.xyz[site] - s.xyz[other], axis=1)
        nearest_chord = np.full(s.n, np.inf)
        np.minimum.at(nearest_chord, site, chord)
        arc = 2 * RHO_MIN_M * np.arcsin(np.minimum(nearest_chord[site] / (2 * RHO_MIN_M), 1.0))
        keep = chord <= arc * (1 + 1e-12) + _ROUNDING_M
        if self.reach > _BOUND_MAX_CHORD_M:
            keep[:] = True
        border_site, border_core = self.nearest(site[keep], other[keep])
        label[border_site] = label[border_core]
        self.core = core
        return label

    def _core_by_rank(self, sites: np.ndarray) -> np.ndarray:
        """Whether each of ``sites`` is core (``min_samples`` of weight within eps).

        No site's neighbours are listed in full. Bounds from pairs of small
        cubes settle most sites (:meth:`_weight_bounds`); of the rest, sites
        with few sites within reach are weighed on their pairs
        (:meth:`_listed_weight`), light neighbourhoods of whole weights are
        counted (:meth:`_counted`), and heavy ones weighed in columns
        (:class:`_Strips`), whichever the estimated cost favours.
        """
        k = self.min_samples
        if self.s.weight.sum() < k:
            return np.zeros(len(sites), dtype=bool)
        bounds = self._weight_bounds(sites)
        if bounds is None and _whole(self.s.weight):
            return self._counted(sites)
        if bounds is None:
            most = _kdtree(self.s.xyz).query_ball_point(
                self.s.xyz[sites], self.reach, return_length=True
            )
            return self._listed_weight(sites, np.asarray(most)) >= k
        lower, upper, most = bounds
        core = lower >= k
        unsure = np.flatnonzero(~core & (upper >= k))
        few = most[unsure] <= _FEW_SITES
        if few.any():
            core[unsure[few]] = self._listed_weight(sites[unsure[few]], most[unsure[few]]) >= k
            unsure = unsure[~few]
        if _whole(self.s.weight):
            # counting costs the weight within reach; columns cost a sort of
            # all sites and a few hundred searches per site: worth it only
            # for heavy neighbourhoods, and when they are many
            heavy = upper[unsure] > _COUNT_CHEAPER
            cost = upper[unsure[heavy]].sum()
            if cost < _COLUMN_COST * (heavy.sum() + self.s.n / 16):
                heavy[:] = False
            core[unsure[~heavy]] = self._counted(sites[unsure[~heavy]])
            unsure = unsure[heavy]
        for fraction, exact in _STRIP_STEPS:
            if len(unsure) == 0:
                break
            lower, upper = _Strips(self, self.reach / fraction).weigh(sites[unsure], exact=exact)
            core[unsure[lower >= k]] = True
            unsure = unsure[(lower < k) & (upper >= k)]
        return core

    def _counted(self, sites: np.ndarray) -> np.ndarray:
        """Whether each of ``sites`` is core, counting reports with a k-d tree.

        The tree holds every site as many times as its (whole) weight:
        enough reports within the sure chord make a site core, too few within
        reach make it not; the rare site left between is decided on its pairs.
        """
        s = self.s
        if len(sites) == 0:
            return np.zeros(0, dtype=bool)
        repeats = np.rint(s.weight).astype(np.int64)
        tree = _kdtree(np.repeat(s.xyz, repeats, axis=0))
        # queries in the order of the tree's leaves: 3-4 times faster than scattered
        first_copy = np.minimum(np.cumsum(repeats) - repeats, max(tree.n - 1, 0))
        order = np.argsort(_leaf_rank(tree)[first_copy[sites]], kind="stable")
        sites = sites[order]
        points = s.xyz[sites]
        k = self.min_samples
        count = np.asarray(tree.query_ball_point(points, self.accept, return_length=True))
        core = count >= k
        unsure = np.flatnonzero(~core)
        if len(unsure):
            count = np.asarray(
                tree.query_ball_point(points[unsure], self.reach, return_length=True)
            )
            unsure, count = unsure[count >= k], count[count >= k]
        if len(unsure):
            core[unsure] = self._listed_weight(sites[unsure], count) >= k
        out = np.empty(len(sites), dtype=bool)
        out[order] = core
        return out

    def _cubes(self, side: float) -> tuple[_Cubes, np.ndarray, np.ndarray, np.ndarray]:
        """Cubes of ``side`` metres; the cube of each site; sites by cube and where each starts."""
        s = self.s
        cube = _cube_ids(s.xyz, side)
        order = np.argsort(cube, kind="stable")
        start = np.flatnonzero(np.r_[True, np.diff(cube[order]) != 0])
        points = s.xyz[order]
        lo = np.minimum.reduceat(points, start, axis=0)
        hi = np.maximum.reduceat(points, start, axis=0)
        cubes = _Cubes(
            (lo + hi) / 2,
            np.linalg.norm(hi - lo, axis=1) / 2 * (1 + 1e-9) + _ROUNDING_M,
            np.add.reduceat(s.weight[order], start),
            np.diff(np.append(start, s.n)),
        )
        return cubes, cube, order, start

    def _weight_bounds(self, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Lower and upper bounds of the weight within eps of each of ``sites``, most sites within.

        Sites are put in small cubes (a quarter of the sure chord on a side).
        For two cubes Q and C, if every site of C is within the sure chord of
        every site of Q, the weight of C adds to the lower bound of the sites
        of Q; if some site of C may be a neighbour of some site of Q, it adds
        to their upper bound, and its number of sites to the most sites that
        can be within eps: one pass over pairs of cubes, not of sites. None
        when the cubes hold too few sites for that to be cheaper than counting.
        """
        side = self.accept / 4
        if side <= 0:
            return np.zeros(len(sites)), np.full(len(sites), np.inf), np.full(len(sites), np.inf)
        cubes, cube, _, _ = self._cubes(side)
        if len(cubes.size) * _CUBE_SITES > self.s.n:  # sparse: about a site per cube
            return None
        query, site_query = np.unique(cube[sites], return_inverse=True)
        tree = _kdtree(cubes.centre)
        lower, upper, most = np.zeros(len(query)), np.zeros(len(query)), np.zeros(len(query))
        radius = cubes.radius[query]
        reach = self.reach + float(radius.max()) + float(cubes.radius.max())
        step = max(1, _PAIR_BUDGET // 256)
        for first in range(0, len(query), step):
            block = slice(first, first + step)
            i, c, v = _near(_kdtree(cubes.centre[query[block]]), tree, reach)
            spread = radius[block][i] + cubes.radius[c]
            full = v + spread <= self.accept
            some = v - spread <= self.reach
            n = len(query[block])
            lower[block] = np.bincount(i[full], cubes.weight[c[full]], n)
            upper[block] = np.bincount(i[some], cubes.weight[c[some]], n)
            most[block] = np.bincount(i[some], cubes.size[c[some]], n)
        return lower[site_query], upper[site_query], most[site_query]

    def _listed_weight(self, sites: np.ndarray, most: np.ndarray) -> np.ndarray:
        """Weight within eps of each of ``sites``, on its neighbour pairs (at most ``most``)."""
        s = self.s
        tree = _kdtree(s.xyz)
        weight = np.zeros(len(sites))
        for lo, hi in _slices(most, _PAIR_BUDGET):
            block = sites[lo:hi]
            i, j, chord = _near(_kdtree(s.xyz[block]), tree, self.reach)
            ok = self.neighbours(block[i], j, chord)
            weight[lo:hi] = np.bincount(i[ok], s.weight[j[ok]], len(block))
        return weight

    def _border(self, core: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Non-core sites with a core neighbour, and their nearest core neighbour.

        The geodesically nearest core site lies within the chord of the
        nearest by chord: its chord is at most its geodesic distance, which is
        at most that of the nearest by chord, which is at most
        ``2 rho asin(chord / (2 rho))``. Only those few candidates are measured.
        """
        s = self.s
        targets = np.flatnonzero(core)
        others = np.flatnonzero(~core)
        if len(others) == 0:
            return others, others
        tree = _kdtree(s.xyz[targets])
        few = min(_BORDER_K, len(targets))  # nearest core sites looked up at once
        chords, index = tree.query(s.xyz[others], k=few, distance_upper_bound=self.reach)
        chords, index = chords.reshape(len(others), few), index.reshape(len(others), few)
        near = np.isfinite(chords[:, 0])
        others, chords, index = others[near], chords[near], index[near]
        chord = chords[:, 0]
        if min(self.reach, _BOUND_MAX_CHORD_M) < self.reach:
            radius = np.full(len(others), self.reach)
        else:
            arc = 2 * RHO_MIN_M * np.arcsin(np.minimum(chord / (2 * RHO_MIN_M), 1.0))
            radius = np.minimum(arc * (1 + 1e-12) + _ROUNDING_M, self.reach)
        # every candidate is among the few found unless the last of them is within the radius
        listed = (few == len(targets)) | (chords[:, -1] > radius)
        row, col = np.nonzero(listed[:, None] & (chords <= radius[:, None]))
        i, j = others[row], targets[index[row, col]]
        sites, nearest = [i], [j]
        rest = np.flatnonzero(~listed)
        step = max(1, _PAIR_BUDGET // 64)
        for start in range(0, len(rest), step):
            block = rest[start : start + step]
            lists = tree.query_ball_point(s.xyz[others[block]], radius[block])
            sites.append(np.repeat(others[block], [len(x) for x in lists]))
            nearest.append(targets[np.concatenate([np.asarray(x, dtype=np.int64) for x in lists])])
        i, j = np.concatenate(sites), np.concatenate(nearest)
        keep = self.neighbours(i, j)
        return self.nearest(i[keep], j[keep])

    def nearest(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def _component_labels(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Label the connected components of n nodes (scipy.sparse imported on first use)."""
    from borderstrikes._core.graph import components

    return components(n, left, right)


@dataclass(frozen=True)
class _Cubes:
    """Small cubes of sites: centre and radius of the box of their sites, their weight and size."""

    centre: np.ndarray
    radius: np.ndarray
    weight: np.ndarray
    size: np.ndarray


class _Strips:
    """Sites in narrow columns of a local frame: the weight in a ball from a few searches.

    The frame's third axis points from the Earth's centre to the centre of the
    sites (about the surface normal there); its first runs along the columns.
    A column holds the sites whose second and third coordinates fall in one
    square of ``side`` metres, sorted by their first coordinate, with running
    sums of their weights. For a site of column Q, the ball of radius eps
    meets column C in an interval of the first coordinate: sites of C within
    ``sqrt(accept**2 - far**2)`` of the site's coordinate are surely
    neighbours (``far`` the largest distance across between the boxes of the
    sites of Q and C), and none lies beyond ``sqrt(reach**2 - near**2)``. Two
    binary searches per site and column bound the weight within eps; only
    the sites between the two intervals (a band about two columns wide around
    the sphere of radius eps) are tested one by one, and only for the sites
    the bounds leave undecided. Every search is widened by a rounding
    allowance, so the bounds hold however far the sites spread.
    """

    def __init__(self, dbscan: Dbscan, side: float) -> None:
        s = dbscan.s
        self.d = dbscan
        origin = s.xyz.mean(axis=0)
        length = float(np.linalg.norm(origin))
        normal = origin / length if length > 0 else np.array([0.0, 0.0, 1.0])
        first = np.cross(normal, np.eye(3)[np.argmin(np.abs(normal))])
        first /= np.linalg.norm(first)
        local = (s.xyz - origin) @ np.vstack((first, np.cross(normal, first), normal)).T
        u = local[:, 0]
        across = np.floor((local[:, 1:] - local[:, 1:].min(axis=0)) / side)
        self.order = np.lexsort((u, across[:, 1], across[:, 0]))
        self.rank = np.empty(s.n, dtype=np.int64)
        self.rank[self.order] = np.arange(s.n)
        ordered = across[self.order]
        new = np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)]
        self.start = np.flatnonzero(new)
        self.end = np.append(self.start[1:], s.n)
        self.column = np.cumsum(new) - 1  # of each site in sorted order
        box = local[self.order, 1:]
        self.lo = np.minimum.reduceat(box, self.start, axis=0)
        self.hi = np.maximum.reduceat(box, self.start, axis=0)
        reach = dbscan.reach
        self.u = u[self.order] + (2 * reach - float(u.min()))
        self.span = float(self.u.max()) + 2 * reach + 1
        self.key = self.column * self.span + self.u
        # searches are widened by a few units in the last place of the keys
        # and by 1 µm for the rounding of the frame
        self.tol = 16 * float(np.spacing(self.key[-1] + self.span)) + _ROUNDING_M
        self.clip = self.tol > reach / 4
        self.total = np.r_[0.0, np.cumsum(s.weight[self.order])]
        whole = bool((s.weight == np.rint(s.weight)).all()) and self.total[-1] < 2**52
        self.slack = 0.0 if whole else 1e-9 * float(self.total[-1])  # rounding of the sums

    def weigh(self, sites: np.ndarray, *, exact: bool) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the weight within eps of each of ``sites``.

        With ``exact``, the sites between the sure and the possible interval
        of each column are tested one by one for the sites whose bounds leave
        ``min_samples`` undecided, and for those both bounds are the weight.
        """
        d, tol = self.d, self.tol
        reach = d.reach + tol
        pos = np.sort(self.rank[sites])  # the sites in column order
        qcol, qstart, qsize = np.unique(self.column[pos], return_index=True, return_counts=True)
        lo, hi = self.lo, self.hi
        centre = (lo + hi) / 2
        half = float(np.linalg.norm(hi - lo, axis=1).max()) / 2
        qc, c, _ = _near(_kdtree(centre[qcol]), _kdtree(centre), reach + 2 * half + tol)
        q = qcol[qc]
        near2 = (np.maximum(np.maximum(lo[c] - hi[q], lo[q] - hi[c]), 0) ** 2).sum(axis=1)
        far2 = (np.maximum(hi[c] - lo[q], hi[q] - lo[c]) ** 2).sum(axis=1)
        keep = near2 <= reach**2
        qc, c, near2, far2 = qc[keep], c[keep], near2[keep], far2[keep]
        outer = np.sqrt(reach**2 - near2) + tol
        inner2 = d.accept**2 - far2
        inner = np.where(inner2 > 0, np.sqrt(np.maximum(inner2, 0)) - tol, -1.0)
        inner[inner < 0] = -1.0
        n = len(pos)
        lower, upper = np.zeros(n), np.zeros(n)
        for query, col, sure, possible in self._pairs(qsize[qc], qstart[qc], c, inner, outer):
            lo_out, lo_in, hi_in, hi_out = self._ranges(pos[query], col, sure, possible)
            lower += np.bincount(query, self.total[hi_in] - self.total[lo_in], n)
            upper += np.bincount(query, self.total[hi_out] - self.total[lo_out], n)
        lower -= self.slack
        upper += self.slack
        k = d.min_samples
        todo = (lower < k) & (upper >= k)
        if exact and todo.any():
            weight = np.zeros(n)
            todo_column = np.zeros(len(self.start), dtype=bool)
            todo_column[self.column[pos[todo]]] = True
            some = todo_column[qcol[qc]]
            pairs = (qsize[qc][some], qstart[qc][some], c[some], inner[some], outer[some])
            for query, col, sure, possible in self._pairs(*pairs):
                keep = todo[query]
                query = query[keep]
                lo_out, lo_in, hi_in, hi_out = self._ranges(
                    pos[query], col[keep], sure[keep], possible[keep]
                )
                if self.slack:  # rounded sums: weigh every site of the possible interval
                    lo_in = hi_in = lo_out
                weight += np.bincount(query, self.total[hi_in] - self.total[lo_in], n)
                first = np.concatenate((lo_out, hi_in))
                count = np.concatenate((lo_in - lo_out, hi_out - hi_in))
                weight += self._tested(pos, np.concatenate((query, query)), first, count)
            lower[todo] = upper[todo] = weight[todo]
        out = np.empty(n, dtype=np.int64)
        out[np.argsort(self.rank[sites], kind="stable")] = np.arange(n)
        return lower[out], upper[out]

    @staticmethod
    def _pairs(
        size: np.ndarray, start: np.ndarray, c: np.ndarray, inner: np.ndarray, outer: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """(query, column, sure, possible half-width) for every query site of each column pair.

        A pair of columns holds ``size`` query sites from ``start`` on; the
        pairs come in chunks of at most about ``_PAIR_BUDGET / 4`` rows.
        """
        for a, b in _slices(size, _PAIR_BUDGET // 4):
            m = size[a:b]
            pair = np.repeat(np.arange(a, b), m)
            query = np.repeat(start[a:b] - (np.cumsum(m) - m), m) + np.arange(len(pair))
            yield query, c[pair], inner[pair], outer[pair]

    def _ranges(
        self, at: np.ndarray, c: np.ndarray, sure: np.ndarray, possible: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Positions of the possible and the sure interval of the sites at ``at`` in columns c.

        A negative ``sure`` half-width gives an empty sure interval. Keys of
        one column never reach into the next while the rounding allowance
        stays below half of ``reach``; otherwise the positions are clipped.
        """
        base = c * self.span + self.u[at]
        key = self.key
        lo_out = np.searchsorted(key, base - possible, "left")
        hi_out = np.searchsorted(key, base + possible, "right")
        lo_in = np.searchsorted(key, base - sure, "left")
        hi_in = np.searchsorted(key, base + sure, "right")
        if self.clip:
            start, end = self.start[c], self.end[c]
            lo_out, hi_out = np.clip(lo_out, start, end), np.clip(hi_out, start, end)
            lo_in = np.clip(lo_in, lo_out, hi_out)
            hi_in = np.clip(hi_in, lo_out, hi_out)
        np.maximum(hi_in, lo_in, out=hi_in)
        return lo_out, lo_in, hi_in, hi_out

    def _tested(
        self, pos: np.ndarray, query: np.ndarray, first: np.ndarray, count: np.ndarray
    ) -> np.ndarray:
        """Weight of the neighbours of ``pos[query]`` among ``count`` sites from ``first`` on."""
        d = self.d
        weight = np.zeros(len(pos))
        for a, b in _slices(count, _PAIR_BUDGET):
            m = count[a:b]
            pair = np.repeat(np.arange(a, b), m)
            j = self.order[first[pair] + np.arange(len(pair)) - np.repeat(np.cumsum(m) - m, m)]
            q = query[pair]
            ok = d.neighbours(self.order[pos[q]], j)
            weight += np.bincount(q[ok], d.s.weight[j[ok]], len(pos))
        return weight


def _near(small: Any, big: Any, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i of ``small``, j of ``big``) of two k-d trees within ``radius``, and distances."""
    found = small.sparse_distance_matrix(big, radius, output_type="ndarray")
    return found["i"].astype(np.int64), found["j"].astype(np.int64), found["v"]


def _slices(counts: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Consecutive slices of ``counts`` whose sums stay within ``budget`` (at least one each)."""
    if len(counts) == 0:
        return []
    total = np.cumsum(counts)
    bounds, lo = [], 0
    while lo < len(counts):
        base = total[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(total, base + budget, side="right")))
        bounds.append((lo, hi))
        lo = hi
    return bounds


def _leaf_rank(tree: Any) -> np.ndarray:
    """Position of every point of a k-d tree in the order of its leaves."""
    rank = np.empty(tree.n, dtype=np.int64)
    rank[tree.indices] = np.arange(tree.n)
    return rank


def _whole(weight: np.ndarray) -> bool:
    """Whole-number weights whose total stays within a few reports per site."""
    total = float(weight.sum())
    return bool(total <= _REPEAT_LIMIT * max(len(weight), 1) and (weight == np.rint(weight)).all())


def _cube_ids(xyz: np.ndarray, side: float) -> np.ndarray:
    """Give each point the number of its cube of ``side`` metres (0, 1, ... in key order)."""
    keys = [np.floor(xyz[:, k] / side) for k in range(3)]
    order = np.lexsort(keys[::-1])
    new = np.zeros(len(xyz), dtype=bool)
    new[:1] = True
    for key in keys:
        k = key[order]
        new[1:] |= k[1:] != k[:-1]
    out = np.empty(len(xyz), dtype=np.int64)
    out[order] = np.cumsum(new) - 1
    return out


class _CoreCells:
    """Connected cells of core sites, without listing every pair of core neighbours.

    All core sites of one cell are neighbours of each other. Two cells within
    reach are joined when one pair of their core sites are neighbours, tested
    in three steps: the two core sites nearest the centres of the cells; every
    pair when the cells hold few core sites; otherwise a nearest-neighbour
    search, nearest cells first and only between cells not yet joined.
    """

    def __init__(self, dbscan: Dbscan, core: np.ndarray, cell: np.ndarray) -> None:
        self.d = dbscan
        ids = np.flatnonzero(core)
        order = np.argsort(cell[ids], kind="stable")
        self.ids = ids[order]
        self.cells, self.start = np.unique(cell[self.ids], return_index=True)
        self.size = np.diff(np.append(self.start, len(self.ids)))
        self.group = np.repeat(np.arange(len(self.cells)), self.size)
        self.trees: dict[int, Any] = {}

    def members(self, c: int) -> np.ndarray:
        return self.ids[self.start[c] : self.start[c] + self.size[c]]

    def components(self) -> np.ndarray:
        """Cluster id of every core site (in the order of ``np.flatnonzero(core)``)."""
        d = self.d
        m = len(self.cells)
        points = d.s.xyz[self.ids]
        lo = np.minimum.reduceat(points, self.start, axis=0)
        hi = np.maximum.reduceat(points, self.start, axis=0)
        centre, half = (lo + hi) / 2, (hi - lo) / 2
        off = np.linalg.norm(points - centre[self.group], axis=1)
        rep = self.ids[np.lexsort((off, self.group))[self.start]]
        a, b, gap = self._candidates(centre, half)
        linked = d.neighbours(rep[a], rep[b])
        few = ~linked & (self.size[a] * self.size[b] <= _FEW_PAIRS)
        linked[few] = self._any_pair(a[few], b[few])
        component = _component_labels(m, a[linked], b[linked])
        rest = ~linked & ~few & (component[a] != component[b])
        roots = self._join(component, a[rest], b[rest], gap[rest])
        site_component = np.empty(len(self.ids), dtype=np.int64)
        site_component[:] = roots[component[self.group]]
        out = np.empty(d.s.n, dtype=np.int64)
        out[self.ids] = site_component
        return out[np.sort(self.ids)]

    def _candidates(
        self, centre: np.ndarray, half: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of cells whose boxes of core sites come within reach, and their gap."""
        reach = self.d.reach
        if len(centre) < 2:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        radius = reach + 2 * float(half.max())
        pairs = _kdtree(centre).query_pairs(radius, p=np.inf, output_type="ndarray")
        a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
        gaps = np.maximum(np.abs(centre[a] - centre[b]) - half[a] - half[b], 0)
        gap = np.linalg.norm(gaps, axis=1)
        keep = gap <= reach
        return a[keep], b[keep], gap[keep]

    def _any_pair(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether cells a[k] and b[k] hold a pair of neighbours (every pair tested)."""
        out = np.zeros(len(a), dtype=bool)
        prod = self.size[a] * self.size[b]
        step = max(1, _PAIR_BUDGET // max(_FEW_PAIRS, 1))
        for lo in range(0, len(a), step):
            pa, pb, pp = a[lo : lo + step], b[lo : lo + step], prod[lo : lo + step]
            pair = np.repeat(np.arange(len(pa)), pp)
            within = np.arange(len(pair)) - np.repeat(np.cumsum(pp) - pp, pp)
            nb = self.size[pb][pair]
            i = self.ids[self.start[pa][pair] + within // nb]
            j = self.ids[self.start[pb][pair] + within % nb]
            hit = self.d.neighbours(i, j)
            out[lo : lo + step] = np.bincount(pair[hit], minlength=len(pa)) > 0
        return out

    def _join(
        self, component: np.ndarray, a: np.ndarray, b: np.ndarray, gap: np.ndarray
    ) -> np.ndarray:
        """Root component of every component once the remaining cell pairs are tested."""
        parent = list(range(int(component.max()) + 1))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        order = np.lexsort((b, a, gap))
        for ca, cb in zip(a[order].tolist(), b[order].tolist(), strict=True):
            ra, rb = find(int(component[ca])), find(int(component[cb]))
            if ra != rb and self._linked(ca, cb):
                parent[max(ra, rb)] = min(ra, rb)
        return np.array([find(c) for c in range(len(parent))], dtype=np.int64)

    def _linked(self, a: int, b: int) -> bool:
        """Whether some core site of cell a neighbours some core site of cell b."""
        d = self.d
        small, big = (a, b) if self.size[a] <= self.size[b] else (b, a)
        ia, ib = self.members(small), self.members(big)
        return _tree_linked(d, self.trees, big, ia, ib)


def _tree_linked(d: Any, trees: dict[int, Any], big: int, ia: np.ndarray, ib: np.ndarray) -> bool:
    """Whether a site of ``ia`` neighbours a site of ``ib`` (cell ``big``, its k-d tree cached)."""
    tree = trees.get(big)
    if tree is None:
        tree = trees[big] = _kdtree(d.s.xyz[ib])
    dist, _ = tree.query(d.s.xyz[ia], k=1, distance_upper_bound=d.reach)
    if not np.isfinite(dist).any():
        return False
    if dist.min() <= d.accept:
        return True
    # rare: the closest pairs fall in the band the chord cannot settle
    ia = ia[np.isfinite(dist)]
    lists = tree.query_ball_point(d.s.xyz[ia], d.reach)
    i = np.repeat(ia, [len(x) for x in lists])
    j = ib[np.concatenate(lists).astype(np.int64)]
    return bool(d.neighbours(i, j).any())


class _LightSites:
    """The sites of light cells: their neighbour pairs, enumerated in bounded chunks."""

    def __init__(self, dbscan: Dbscan, sites: np.ndarray) -> None:
        self.d = dbscan
        self.sites = sites
        self.points, self.p = dbscan.search_points()
        self.tree = _kdtree(self.points)
        self.chunks = self._chunks()
        self._cached: tuple[np.ndarray, np.ndarray] | None = None

    def _chunks(self) -> list[np.ndarray]:
        """Split light sites so that each chunk yields at most ~_PAIR_BUDGET candidates."""
        light = self.sites
        if len(light) == 0:
            return []
        counts = np.asarray(
            self.tree.query_ball_point(
                self.points[light], self.d.reach, p=self.p, return_length=True
            )
        )
        if counts.sum() <= _PAIR_BUDGET:
            return [light]
        bounds = np.searchsorted(
            np.cumsum(counts), np.arange(1, counts.sum() // _PAIR_BUDGET + 1) * _PAIR_BUDGET
        )
        return [c for c in np.split(light, np.unique(bounds)) if len(c)]

    def pairs(self, chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All neighbour pairs (i in chunk, j any site, (i, i) included), decided exactly."""
        if self._cached is not None:
            return self._cached
        found = _kdtree(self.points[chunk]).sparse_distance_matrix(
            self.tree, self.d.reach, p=self.p, output_type="ndarray"
        )
        i = chunk[found["i"]]
        j = found["j"].astype(np.int64)
        keep = self.d.neighbours(i, j, found["v"] if self.d.t_ns is None else None)
        if len(self.chunks) == 1:  # one chunk: enumerate its pairs once
            self._cached = (i[keep], j[keep])
        return i[keep], j[keep]

    def neighbour_weight(self) -> np.ndarray:
        """Sum the weight of the neighbourhood of every light site (0 elsewhere)."""
        s = self.d.s
        weight = np.zeros(s.n)
        for chunk in self.chunks:
            i, j = self.pairs(chunk)
            weight += np.bincount(i, weights=s.weight[j], minlength=s.n)
        return weight

    def links(
        self, core: np.ndarray, cell: np.ndarray, n_cells: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cell pairs joined by core pairs (as ``a * n_cells + b``); border sites and their core."""
        link_parts = [np.zeros(0, dtype=np.int64)]
        border_site = [np.zeros(0, dtype=np.int64)]
        border_core = [np.zeros(0, dtype=np.int64)]
        for chunk in self.chunks:
            i, j = self.pairs(chunk)
            link = core[i] & core[j] & (cell[i] != cell[j])
            link_parts.append(np.unique(cell[i[link]] * n_cells + cell[j[link]]))
            b = ~core[i] & core[j]
            if b.any():
                bi, bj = self.d.nearest(i[b], j[b])
                border_site.append(bi)
                border_core.append(bj)
        links = np.unique(np.concatenate(link_parts))
        return links, np.concatenate(border_site), np.concatenate(border_core)


class _DenseCells:
    """Cells heavy enough to be all core: which of them touch, tested nearest pair first."""

    def __init__(self, dbscan: Dbscan, cell: np.ndarray) -> None:
        self.d = dbscan
        self.cell = cell
        self.order = np.argsort(cell, kind="stable")
        self.start = np.concatenate(([0], np.cumsum(np.bincount(cell))))
        self.trees: dict[int, Any] = {}

    def members(self, c: int) -> np.ndarray:
        return self.order[self.start[c] : self.start[c + 1]]

    def join(self, dense_cell: np.ndarray, component: np.ndarray) -> np.ndarray:
        """Root component of every component once touching dense cells are joined.

        A union-find, not :func:`borderstrikes._core.graph.components`: it is
        incremental, so that a pair of cells already joined is never tested.
        """
        n_components = int(component.max()) + 1
        parent = list(range(n_components))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in self.candidates(dense_cell, component):
            ra, rb = find(int(component[a])), find(int(component[b]))
            if ra != rb and self.linked(a, b):
                parent[max(ra, rb)] = min(ra, rb)
        return np.array([find(c) for c in range(n_components)], dtype=np.int64)

    def candidates(self, dense_cell: np.ndarray, component: np.ndarray) -> list[tuple[int, int]]:
        """Candidate pairs of dense cells in different components, nearest first."""
        dense = np.flatnonzero(dense_cell)
        if len(dense) < 2:
            return []
        points, _ = self.d.search_points()
        sorted_points = points[self.order]
        starts = self.start[:-1]
        lo = np.minimum.reduceat(sorted_points, starts, axis=0)[dense]
        hi = np.maximum.reduceat(sorted_points, starts, axis=0)[dense]
        centre = (lo + hi) / 2
        half = (hi - lo) / 2
        reach = self.d.reach
        radius = reach + 2 * float(half.max())
        pairs = _kdtree(centre).query_pairs(radius, p=np.inf, output_type="ndarray")
        if len(pairs) == 0:
            return []
        a, b = pairs[:, 0], pairs[:, 1]
        gaps = np.maximum(np.abs(centre[a] - centre[b]) - half[a] - half[b], 0)
        spatial_gap = np.linalg.norm(gaps[:, :3], axis=1)
        keep = spatial_gap <= reach
        if self.d.t_ns is not None:
            keep &= gaps[:, 3] <= reach
        ca, cb = dense[a], dense[b]
        keep &= component[ca] != component[cb]
        ca, cb, spatial_gap = ca[keep], cb[keep], spatial_gap[keep]
        order = np.lexsort((cb, ca, spatial_gap))
        return list(zip(ca[order].tolist(), cb[order].tolist(), strict=True))

    def linked(self, a: int, b: int) -> bool:
        """Whether some site of cell a neighbours some site of cell b (all are core)."""
        d = self.d
        small, big = (a, b) if len(self.members(a)) <= len(self.members(b)) else (b, a)
        ia, ib = self.members(small), self.members(big)
        if d.t_ns is None and len(ia) * len(ib) > _BRUTE_FORCE_PAIRS:
            return _tree_linked(d, self.trees, big, ia, ib)
        step = max(1, _BRUTE_FORCE_PAIRS // len(ib))
        for start in range(0, len(ia), step):
            block = ia[start : start + step]
            if d.neighbours(np.repeat(block, len(ib)), np.tile(ib, len(block))).any():
                return True
        return False


def rank_clusters(rows: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Rank of each cluster: most reports first, ties to the smallest ``first`` site.

    ``first`` is a cluster's smallest site in ``(lon, lat, start, end)`` order.
    The numbering of :func:`~borderstrikes.clustering.cluster_strikes`.

    Examples
    --------
    >>> rank_clusters(np.array([2, 5, 2]), np.array([7, 9, 3])).tolist()
    [2, 0, 1]
    """
    rank = np.empty(len(rows), dtype=np.int64)
    rank[np.lexsort((first, -np.asarray(rows)))] = np.arange(len(rows))
    return rank


def canonical_labels(site_label: np.ndarray, sites: Sites) -> np.ndarray:
    """Renumber clusters: most reports first, then smallest (lon, lat, start, end) site."""
    in_cluster = site_label >= 0
    if not in_cluster.any():
        return site_label
    ids, inverse = np.unique(site_label[in_cluster], return_inverse=True)
    rows = np.bincount(inverse, weights=sites.rows[in_cluster], minlength=len(ids))
    first_site = np.full(len(ids), sites.n, dtype=np.int64)
    np.minimum.at(first_site, inverse, np.flatnonzero(in_cluster))
    out = np.full(len(site_label), -1, dtype=np.int64)
    out[in_cluster] = rank_clusters(rows, first_site)[inverse]
    return out


def site_k_distance_m(sites: Sites, k: int) -> np.ndarray:
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
