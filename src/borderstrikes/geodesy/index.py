"""Nearest-point index of a polyline on the WGS84 ellipsoid (array in, array out)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from pyproj import Proj, Transformer

from borderstrikes._core.constants import GEOD, WGS84
from borderstrikes.errors import GeometryError
from borderstrikes.geodesy import kernels
from borderstrikes.geodesy.arrays import (
    group_argmin,
    group_min,
    planar_distance,
    polar_unit,
    ragged,
    sphere_angles,
    sphere_terms,
    unit,
)
from borderstrikes.geodesy.ellipsoid import ecef, gaussian_radius
from borderstrikes.geodesy.segment import (
    float_arrays,
    geodesic_point_at,
    refine_from_foot,
    segment_exact,
    split_long_edges,
)

__all__ = ["BorderIndex"]

# Winners of the indexed search farther than this are re-solved from their
# foot (one more Geod.inv): the hub-sphere estimate's error grows with
# distance**2 and reaches ~0.5 um at 30 km (up to 0.1 mm at 400 km).
_REFINE_BEYOND_M = 30_000.0
# Longer edges are split at geodesic points, so that every triangle solved on a
# hub's sphere stays within the size where its error was measured.
_MAX_EDGE_M = 20_000.0
# Bounds on the grid, whatever the border's extent: the finest level has at most
# this many cells (its slot table: 8 bytes each), and the coarse level, where
# every segment meets every cell, at most this many cell-segment pairs. Past
# them the cells grow; the search stays exact (its bounds hold for any cell).
_MAX_FINE_CELLS = 1 << 22
_MAX_COARSE_PAIRS = 1 << 22
# Threads querying one index fill its cells one at a time (a lock of the module,
# not of the index, so that an index pickles for dask workers).
_CELLS_LOCK = threading.Lock()


class BorderIndex:
    """Nearest-point index of a polyline on the WGS84 ellipsoid, built once and queried often.

    Parameters
    ----------
    parts : sequence of array_like
        The lines, each an ``(n, 2)`` array of longitude, latitude in degrees
        (``n >= 2``); consecutive vertices are joined by geodesics.
    cell_m : float, default 1000
        Side of the finest grid cell, in metres of the index's projection.
    margin_m : float, default 300000
        How far beyond the lines' bounding box the grid reaches, in metres.
        Points outside the grid are still answered exactly, more slowly.
    group_m : float, default 20000
        Length of line (metres) sharing one hub vertex in the last stage.

    Raises
    ------
    GeometryError
        If a coordinate is not finite or no part has two distinct vertices.

    See Also
    --------
    point_to_segment_m : the same distance to a single segment.
    borderstrikes.border.distance_to_border : the GeoDataFrame front end.

    Notes
    -----
    The result of :meth:`query` is the geodesic distance to the nearest point
    of the lines, within 1 µm of the exact distance at any distance up to
    2,000 km (the test suite checks 2 µm, in five distance bands, against a
    brute-force GeographicLib oracle exact to 1 µm). The grid is bounded
    for any border: at most 2**22 cells at the finest level (cells grow with
    the border's extent) and 2**22 cell-segment pairs at the coarsest (more
    levels for more segments); the bounds below hold for any cell size.
    The search runs in three stages, and only the last one decides the answer:

    1. *Candidate grid.* The lines and the points are projected with an
       oblique (double) stereographic projection centred on the lines. For
       every grid cell the index keeps the segments that can be the nearest
       one for some point of the cell. A segment is dropped only when a
       proven bound says it cannot be: the bound uses the exact range of the
       projection's scale factor over the region involved and the largest
       curvature of a projected geodesic, so it holds for the geodesic
       distance, not only for the projected one. Cells are filled on first
       use and kept.
    2. *Screening.* Each point is compared with the cell's segments in the
       projection; every segment whose distance range, after the same
       bounds, overlaps the best one's is kept as a near tie.
    3. *Geodesic decision.* Edges longer than 20 km are first split at
       geodesic points (which leaves the line unchanged), and segments are
       grouped in runs of about 20 km
       around a hub vertex whose geodesic polar coordinates (distance and
       azimuth from the hub, from GeographicLib) are stored for every vertex.
       One ``Geod.inv`` per point and hub places the point in the same
       coordinates; distances to the near ties are then solved on a sphere of
       the hub's Gaussian radius, where the errors (below 0.5 µm within
       30 km, a few micrometres at 100 km) stay far below any difference
       that matters. The foot of the winner is placed on the true geodesic
       with ``Geod.fwd``; beyond 30 km the winner's distance is solved again
       from that foot (one more ``Geod.inv``, and the iterative solver where
       the step is long).

    Stages 2 and 3 (all but the ``Geod.inv`` calls) run in the compiled loops
    of :mod:`borderstrikes.geodesy.kernels` when numba is installed, with the
    GIL released, so that threads querying one index use every core.

    Points outside the grid use Earth-centred chord bounds (a chord is never
    longer than the geodesic) and the iterative solver of
    :func:`point_to_segment_m` on every segment that the bound cannot rule out.

    Examples
    --------
    >>> index = BorderIndex([[(44.0, 40.0), (45.0, 40.0)], [(45.0, 40.2), (45.0, 41.0)]])
    >>> result = index.query([44.5, 45.5], [40.1, 40.5])
    >>> result["distance_m"].round(1).tolist()
    [10983.8, 42383.7]
    >>> result["part"].tolist(), result["foot_lon"].round(6).tolist()
    ([0, 1], [44.5, 45.0])
    """

    def __init__(
        self,
        parts: Sequence[Any],
        *,
        cell_m: float = 1000.0,
        margin_m: float = 300_000.0,
        group_m: float = 20_000.0,
    ) -> None:
        self._build_segments(parts)
        self._build_hubs(group_m)
        self._build_projection()
        self._build_grid(float(cell_m), float(margin_m))

    # ------------------------------------------------------------------ build
    def _build_segments(self, parts: Sequence[Any]) -> None:
        lon_parts, lat_parts, seg_a, seg_part = [], [], [], []
        offset = 0
        for number, part in enumerate(parts):
            xy = np.asarray(part, dtype=float).reshape(-1, 2)
            if not np.isfinite(xy).all():
                msg = f"line part {number} has a non-finite coordinate; drop or repair it first."
                raise GeometryError(msg)
            keep = np.r_[True, (np.diff(xy, axis=0) != 0).any(axis=1)]
            xy = xy[keep]
            if len(xy) < 2:
                continue
            xy = split_long_edges(xy, _MAX_EDGE_M)
            lon_parts.append(xy[:, 0])
            lat_parts.append(xy[:, 1])
            seg_a.append(offset + np.arange(len(xy) - 1))
            seg_part.append(np.full(len(xy) - 1, number))
            offset += len(xy)
        if not seg_a:
            msg = "the border has no line with two distinct vertices; pass LineString geometries."
            raise GeometryError(msg)
        self.vertex_lon = np.concatenate(lon_parts)
        self.vertex_lat = np.concatenate(lat_parts)
        self.seg_a = np.concatenate(seg_a)
        self.seg_b = self.seg_a + 1
        self.seg_part = np.concatenate(seg_part)
        self.n_segments = self.seg_a.size
        az_a, az_b, length = GEOD.inv(
            self.vertex_lon[self.seg_a],
            self.vertex_lat[self.seg_a],
            self.vertex_lon[self.seg_b],
            self.vertex_lat[self.seg_b],
        )
        self.seg_az_a = np.asarray(az_a)
        self.seg_az_b = np.asarray(az_b)
        self.seg_length = np.asarray(length)

    def _build_hubs(self, group_m: float) -> None:
        length = self.seg_length
        part_start = np.r_[True, self.seg_part[1:] != self.seg_part[:-1]]
        cum = np.cumsum(length)
        base = np.maximum.accumulate(np.where(part_start, cum - length, 0.0))
        mid = cum - base - 0.5 * length
        key = np.stack([self.seg_part, np.floor(mid / group_m).astype(np.int64)])
        change = np.r_[True, (key[:, 1:] != key[:, :-1]).any(axis=0)]
        self.seg_group = np.cumsum(change) - 1
        first = np.flatnonzero(change)
        count = np.diff(np.r_[first, self.n_segments])
        hub_vertex = self.seg_a[first + count // 2]
        self.hub_lon = self.vertex_lon[hub_vertex]
        self.hub_lat = self.vertex_lat[hub_vertex]
        self.hub_radius = gaussian_radius(self.hub_lat)
        g = self.seg_group
        ends = []
        for vertex in (self.seg_a, self.seg_b):
            az, _, dist = GEOD.inv(
                self.hub_lon[g], self.hub_lat[g], self.vertex_lon[vertex], self.vertex_lat[vertex]
            )
            ends.append(polar_unit(np.asarray(dist) / self.hub_radius[g], np.asarray(az)))
        a, b = ends
        normal = unit(np.cross(a, b))
        self.seg_sphere = np.ascontiguousarray(
            np.hstack([a, b, normal, np.cross(normal, a), np.cross(b, normal)])
        )
        self.seg_arc = np.arctan2(
            np.linalg.norm(np.cross(a, b), axis=1), np.einsum("ij,ij->i", a, b)
        )
        # Earth-centred geodesic midpoints, for the chord bounds of the fallback path.
        x, y, _ = GEOD.fwd(
            self.vertex_lon[self.seg_a], self.vertex_lat[self.seg_a], self.seg_az_a, length / 2
        )
        self.seg_mid_ecef = ecef(np.asarray(x), np.asarray(y))

    def _build_projection(self) -> None:
        centre = ecef(self.vertex_lon, self.vertex_lat).mean(axis=0)
        lon0 = float(np.degrees(np.arctan2(centre[1], centre[0])))
        lat0 = float(np.degrees(np.arctan2(centre[2], np.hypot(centre[0], centre[1]))))
        self.lon0, self.lat0 = lon0, lat0
        self._proj = f"+proj=sterea +lat_0={lat0!r} +lon_0={lon0!r} +k=1 +x_0=0 +y_0=0 +ellps=WGS84"
        self._to_plane = Transformer.from_crs(WGS84, self._proj, always_xy=True)
        self._radius0 = float(gaussian_radius(np.array([lat0]))[0])
        vx, vy = self._project(self.vertex_lon, self.vertex_lat)
        ax, ay = vx[self.seg_a], vy[self.seg_a]
        bx, by = vx[self.seg_b], vy[self.seg_b]
        chord = np.hypot(bx - ax, by - ay)
        safe = np.where(chord > 0, chord, 1.0)
        self._vx, self._vy = vx, vy
        self._chord = chord
        self.seg_plane = np.ascontiguousarray(
            np.column_stack([ax, ay, (bx - ax) / safe, (by - ay) / safe, chord, chord])
        )  # the last column becomes the sagitta once the curvature bound is known
        self.seg_box = np.column_stack(
            [np.minimum(ax, bx), np.maximum(ax, bx), np.minimum(ay, by), np.maximum(ay, by)]
        )

    def _project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._to_plane.transform(lon, lat)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def _scale_model(self, x0: float, x1: float, y0: float, y1: float) -> None:
        """Bound the projection's scale factor k over the box [x0, x1] x [y0, y1].

        k = (1 + r**2 / (4 R0**2)) * g, with r the distance from the centre in the
        plane. g (the ellipsoid-to-sphere part) stays within [g_lo, g_hi], measured
        on a dense sample with the largest step between neighbours added as a
        margin; |grad ln k| stays below ``curvature`` (which bounds the curvature
        of a projected geodesic).
        """
        nx = ny = 121
        xs = np.linspace(x0, x1, nx)
        ys = np.linspace(y0, y1, ny)
        gx, gy = np.meshgrid(xs, ys)
        lon, lat = self._to_plane.transform(gx.ravel(), gy.ravel(), direction="INVERSE")
        factors = Proj(self._proj).get_factors(lon, lat)
        k = np.asarray(factors.meridional_scale).reshape(ny, nx)
        r2 = gx**2 + gy**2
        g = k / (1.0 + r2 / (4.0 * self._radius0**2))
        step = max(np.abs(np.diff(g, axis=0)).max(), np.abs(np.diff(g, axis=1)).max())
        self._g_lo = float(g.min() - 2 * step - 1e-12)
        self._g_hi = float(g.max() + 2 * step + 1e-12)
        lnk = np.log(k)
        hx = xs[1] - xs[0]
        hy = ys[1] - ys[0]
        gradx = np.diff(lnk, axis=1) / hx
        grady = np.diff(lnk, axis=0) / hy
        grad = max(np.abs(gradx).max(), np.abs(grady).max()) * np.sqrt(2.0)
        self._curvature = float(2.0 * grad + 1e-12)

    def _k_range(
        self, x0: np.ndarray, x1: np.ndarray, y0: np.ndarray, y1: np.ndarray
    ) -> np.ndarray:
        """Ratio k_max / k_min over boxes (vectorised)."""
        pad = self._box_pad
        x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
        near_x = np.clip(0.0, x0, x1)
        near_y = np.clip(0.0, y0, y1)
        r2_min = near_x**2 + near_y**2
        r2_max = np.maximum(x0**2, x1**2) + np.maximum(y0**2, y1**2)
        q = 4.0 * self._radius0**2
        k_lo = (1.0 + r2_min / q) * self._g_lo
        k_hi = (1.0 + r2_max / q) * self._g_hi
        return k_hi / k_lo * (1.0 + 1e-12)

    def _build_grid(self, cell_m: float, margin_m: float) -> None:
        x_lo = self._vx.min() - margin_m
        y_lo = self._vy.min() - margin_m
        width = self._vx.max() + margin_m - x_lo
        height = self._vy.max() + margin_m - y_lo
        cell_m = max(cell_m, float(np.sqrt(width * height / _MAX_FINE_CELLS)))
        levels = max(0, int(np.ceil(np.log2(32_000.0 / cell_m))))
        while True:
            coarse = cell_m * 2**levels
            ncx = int(np.ceil(width / coarse))
            ncy = int(np.ceil(height / coarse))
            if ncx * ncy * self.n_segments <= _MAX_COARSE_PAIRS or ncx * ncy == 1:
                break
            levels += 1
        self._cell = cell_m
        self._levels = levels
        self._x_lo, self._y_lo = float(x_lo), float(y_lo)
        self._ncx, self._ncy = ncx, ncy
        self._nx, self._ny = ncx << levels, ncy << levels
        # Scale bounds over the grid plus a margin for bulging geodesics.
        self._box_pad = 0.02 * (max(ncx, ncy) * coarse) + 5_000.0
        pad = self._box_pad
        self._scale_model(
            x_lo - pad, x_lo + ncx * coarse + pad, y_lo - pad, y_lo + ncy * coarse + pad
        )
        # Sagitta of each projected geodesic against its chord (curvature * chord**2 / 8).
        self.seg_plane[:, 5] = 1.01 * self._curvature * self._chord**2 / 8.0 + 1e-9
        # Coarse level: every segment against every coarse cell.
        cx, cy = np.meshgrid(np.arange(ncx), np.arange(ncy))
        every = np.arange(self.n_segments, dtype=np.int64)
        ptr = np.array([0, self.n_segments])
        parent = np.zeros(ncx * ncy, dtype=np.int64)
        self._coarse_ptr, self._coarse_idx, self._coarse_rho = self._refine(
            cx.ravel(), cy.ravel(), coarse, ptr, every, parent
        )
        self._slot = np.full(self._nx * self._ny, -1, dtype=np.int64)
        self._fine_ptr = np.zeros(1, dtype=np.int64)
        self._fine_idx = np.zeros(0, dtype=np.int64)
        self._fine_rho = np.zeros(0)

    def _refine(
        self,
        cx: np.ndarray,
        cy: np.ndarray,
        size: float,
        parent_ptr: np.ndarray,
        parent_idx: np.ndarray,
        parent: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate lists of cells, in batches of about 2**18 cell-segment pairs (~80 MB)."""
        counts = parent_ptr[1:][parent] - parent_ptr[:-1][parent]
        batch = np.cumsum(counts) // (1 << 18)
        cuts = np.flatnonzero(np.r_[True, batch[1:] != batch[:-1], True])
        ptrs, idxs, rhos = [np.zeros(1, dtype=np.int64)], [], []
        for lo, hi in itertools.pairwise(cuts):
            ptr, idx, rho = self._refine_batch(
                cx[lo:hi], cy[lo:hi], size, parent_ptr, parent_idx, parent[lo:hi]
            )
            ptrs.append(ptrs[-1][-1] + ptr[1:])
            idxs.append(idx)
            rhos.append(rho)
        return np.concatenate(ptrs), np.concatenate(idxs), np.concatenate(rhos)

    def _refine_batch(
        self,
        cx: np.ndarray,
        cy: np.ndarray,
        size: float,
        parent_ptr: np.ndarray,
        parent_idx: np.ndarray,
        parent: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate segments of cells (cx, cy) of side ``size``, from their parents' lists.

        A segment j stays unless, for every point P of the cell,
        D_j(P) - sigma_j > rho * (D_k(P) + sigma_k), where D is the distance to a
        chord in the plane, sigma the chord's sagitta bound, rho the ratio of the
        largest to the smallest scale factor over the region, and k the cell
        centre's nearest chord. The left side minus the right changes by at most
        ``half-diagonal * L`` across the cell, where L bounds the gradient of
        D_j - rho * D_k: |u_j - u_k| + rho - 1 with |u_j - u_k| <= s_jk / D_min
        (two unit vectors pointing to points s_jk apart, both at least D_min
        away), or 1 + rho when the cell may touch a chord.
        """
        n = cx.size
        counts = parent_ptr[1:][parent] - parent_ptr[:-1][parent]
        owner, pos = ragged(parent_ptr[:-1][parent], counts)
        seg = parent_idx[pos]
        centre_x = self._x_lo + (cx + 0.5) * size
        centre_y = self._y_lo + (cy + 0.5) * size
        half_diag = size * np.sqrt(0.5)
        rows = self.seg_plane[seg]
        dist, _ = planar_distance(centre_x[owner], centre_y[owner], rows)
        best = group_argmin(dist, owner, n)
        k = seg[best][owner]
        d_k = dist[best][owner]
        box = self.seg_box[seg]
        bx0 = np.minimum(group_min(box[:, 0], owner, n), centre_x - size / 2)
        bx1 = -np.minimum(group_min(-box[:, 1], owner, n), -(centre_x + size / 2))
        by0 = np.minimum(group_min(box[:, 2], owner, n), centre_y - size / 2)
        by1 = -np.minimum(group_min(-box[:, 3], owner, n), -(centre_y + size / 2))
        rho = self._k_range(bx0, bx1, by0, by1)
        rho_p = rho[owner]
        ends_j = self._ends(seg)
        ends_k = self._ends(k)
        s_jk = np.zeros(seg.size)
        for i in (0, 2):
            for m in (0, 2):
                s_jk = np.maximum(
                    s_jk,
                    np.hypot(ends_j[:, i] - ends_k[:, m], ends_j[:, i + 1] - ends_k[:, m + 1]),
                )
        d_min = d_k - half_diag
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(
                d_min > 0,
                np.minimum(2.0, s_jk / np.where(d_min > 0, d_min, 1.0)) + rho_p - 1.0,
                1.0 + rho_p,
            )
        sigma_j = rows[:, 5]
        sigma_k = self.seg_plane[k, 5]
        keep = dist - rho_p * d_k - half_diag * slope <= rho_p * sigma_k + sigma_j
        keep |= seg == k
        kept_owner = owner[keep]
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(kept_owner, minlength=n), out=ptr[1:])
        return ptr, seg[keep], rho

    def _ends(self, seg: np.ndarray) -> np.ndarray:
        a = self.seg_a[seg]
        b = self.seg_b[seg]
        return np.column_stack([self._vx[a], self._vy[a], self._vx[b], self._vy[b]])

    def _ensure_cells(self, cells: np.ndarray) -> None:
        """Fill the candidate lists of the finest cells ``cells`` that are still empty."""
        missing = cells[self._slot[cells] < 0]
        if missing.size == 0:
            return
        missing = np.unique(missing)
        fx = missing % self._nx
        fy = missing // self._nx
        lv = self._levels
        keys = (fy >> lv) * self._ncx + (fx >> lv)
        cur_keys = np.unique(keys)
        counts = self._coarse_ptr[cur_keys + 1] - self._coarse_ptr[cur_keys]
        _, pos = ragged(self._coarse_ptr[cur_keys], counts)
        cur_idx = self._coarse_idx[pos]
        cur_ptr = np.zeros(cur_keys.size + 1, dtype=np.int64)
        np.cumsum(counts, out=cur_ptr[1:])
        rho = self._coarse_rho[cur_keys]  # used as is when the coarse level is the finest
        for level in range(lv - 1, -1, -1):
            wide = self._ncx << (lv - level)
            cxl = fx >> level
            cyl = fy >> level
            child_keys = np.unique(cyl * wide + cxl)
            ccx = child_keys % wide
            ccy = child_keys // wide
            parent_keys = (ccy >> 1) * (wide >> 1) + (ccx >> 1)
            parent = np.searchsorted(cur_keys, parent_keys)
            cur_ptr, cur_idx, rho = self._refine(
                ccx, ccy, self._cell * 2**level, cur_ptr, cur_idx, parent
            )
            cur_keys = child_keys
        start = self._fine_rho.size
        self._fine_idx = np.concatenate([self._fine_idx, cur_idx])
        self._fine_ptr = np.concatenate([self._fine_ptr, self._fine_ptr[-1] + cur_ptr[1:]])
        self._fine_rho = np.concatenate([self._fine_rho, rho])
        self._slot[cur_keys] = start + np.arange(cur_keys.size)  # last: filled cells are whole

    # ------------------------------------------------------------------ query
    def query(self, lon: Any, lat: Any, *, chunk: int = 65_536) -> dict[str, np.ndarray]:
        """Nearest point of the lines for every point.

        Parameters
        ----------
        lon, lat : array_like
            Points in degrees (1-D, same length). NaN marks a missing point.
        chunk : int, default 65536
            Points handled at once; bounds the working memory.

        Returns
        -------
        dict of numpy.ndarray
            ``distance_m`` (geodesic, metres), ``foot_lon``, ``foot_lat``
            (degrees), ``segment`` (int64 index of the nearest edge of the
            index, in the order of ``parts``, after edges longer than 20 km
            were split; -1 for missing points) and ``part`` (index of its part
            in ``parts``, -1 for missing points). Each point's result depends on that point
            only, so reordering the input reorders the output bitwise.
        """
        lon, lat = float_arrays(lon, lat)
        n = lon.size
        out_d = np.full(n, np.nan)
        out_lon = np.full(n, np.nan)
        out_lat = np.full(n, np.nan)
        out_seg = np.full(n, -1, dtype=np.int64)
        ok = np.isfinite(lon) & np.isfinite(lat)
        x, y = np.full(n, np.nan), np.full(n, np.nan)
        if ok.any():
            x[ok], y[ok] = self._project(lon[ok], lat[ok])
        fx = np.floor((x - self._x_lo) / self._cell)
        fy = np.floor((y - self._y_lo) / self._cell)
        inside = ok & (fx >= 0) & (fx < self._nx) & (fy >= 0) & (fy < self._ny)
        grid_pts = np.flatnonzero(inside)
        cells = (fy[grid_pts] * self._nx + fx[grid_pts]).astype(np.int64)
        with _CELLS_LOCK:
            self._ensure_cells(cells)
            lists = (self._fine_ptr, self._fine_idx, self._fine_rho)  # this call's snapshot
        slots = self._slot[cells]
        for lo in range(0, grid_pts.size, chunk):
            pts = grid_pts[lo : lo + chunk]
            slot = slots[lo : lo + chunk]
            res = self._query_grid(lon[pts], lat[pts], x[pts], y[pts], slot, lists)
            out_d[pts], out_lon[pts], out_lat[pts], out_seg[pts] = res
        far = np.flatnonzero(ok & ~inside)
        step = max(1, 2_000_000 // self.n_segments)
        for lo in range(0, far.size, step):
            pts = far[lo : lo + step]
            out_d[pts], out_lon[pts], out_lat[pts], out_seg[pts] = self._query_far(
                lon[pts], lat[pts]
            )
        part = np.where(out_seg >= 0, self.seg_part[np.maximum(out_seg, 0)], -1)
        return {
            "distance_m": out_d,
            "foot_lon": out_lon,
            "foot_lat": out_lat,
            "segment": out_seg,
            "part": part,
        }

    def _query_grid(
        self,
        lon: np.ndarray,
        lat: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        slot: np.ndarray,
        lists: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        n = lon.size
        if kernels.ENABLED and n >= kernels.MIN_POINTS:
            win, result, along = self._search_compiled(lon, lat, x, y, slot, lists)
        else:
            win, result, along = self._search(lon, lat, x, y, slot, lists)
        frac = along / np.where(self.seg_arc[win] > 0, self.seg_arc[win], 1.0)
        s = np.clip(frac, 0.0, 1.0) * self.seg_length[win]
        a = self.seg_a[win]
        b = self.seg_b[win]
        foot_lon = np.empty(n)
        foot_lat = np.empty(n)
        far = result > _REFINE_BEYOND_M
        near = np.flatnonzero(~far)
        if near.size:
            w = win[near]
            foot_lon[near], foot_lat[near] = geodesic_point_at(
                self.vertex_lon[a[near]],
                self.vertex_lat[a[near]],
                self.seg_az_a[w],
                self.vertex_lon[b[near]],
                self.vertex_lat[b[near]],
                self.seg_length[w],
                s[near],
            )
        far = np.flatnonzero(far)
        if far.size:  # solved again from the foot: the hub sphere's error grows with d**2
            w = win[far]
            result[far], foot_lon[far], foot_lat[far] = refine_from_foot(
                lon[far],
                lat[far],
                self.vertex_lon[a[far]],
                self.vertex_lat[a[far]],
                self.seg_az_a[w],
                self.seg_az_b[w],
                self.vertex_lon[b[far]],
                self.vertex_lat[b[far]],
                self.seg_length[w],
                s[far],
            )
        return result, foot_lon, foot_lat, win

    def _search(
        self,
        lon: np.ndarray,
        lat: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        slot: np.ndarray,
        lists: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Find the winner, its distance on the hub sphere and foot angle of each point (numpy)."""
        n = lon.size
        fine_ptr, fine_idx, fine_rho = lists
        start = fine_ptr[slot]
        owner, pos = ragged(start, fine_ptr[slot + 1] - start)
        seg = fine_idx[pos]
        rows = self.seg_plane[seg]
        dist, _ = planar_distance(x[owner], y[owner], rows)
        sigma = rows[:, 5]
        upper = group_min(dist + sigma, owner, n)
        tie = dist - sigma <= fine_rho[slot][owner] * upper[owner]
        owner = owner[tie]
        seg = seg[tie]
        # One Geod.inv per point and hub places the point in the hub's polar coordinates.
        group = self.seg_group[seg]
        first = np.r_[True, (owner[1:] != owner[:-1]) | (group[1:] != group[:-1])]
        which = np.cumsum(first) - 1
        u_owner = owner[first]
        u_group = group[first]
        az, _, d = GEOD.inv(
            self.hub_lon[u_group], self.hub_lat[u_group], lon[u_owner], lat[u_owner]
        )
        radius = self.hub_radius[u_group]
        p = polar_unit(np.asarray(d) / radius, np.asarray(az))[which]
        angle, along = sphere_angles(sphere_terms(p, self.seg_sphere[seg]), self.seg_arc[seg])
        dist_m = angle * radius[which]
        best = group_argmin(dist_m, owner, n)
        return seg[best], dist_m[best], along[best]

    def _search_compiled(
        self,
        lon: np.ndarray,
        lat: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        slot: np.ndarray,
        lists: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run :meth:`_search` with its loops compiled (:mod:`.kernels`): the same bits."""
        fine_ptr, fine_idx, fine_rho = lists
        tie_owner, tie_seg, tie_pair, u_owner, u_group = kernels.screen(
            x, y, slot, fine_ptr, fine_idx, fine_rho, self.seg_plane, self.seg_group
        )
        az, _, d = GEOD.inv(
            self.hub_lon[u_group], self.hub_lat[u_group], lon[u_owner], lat[u_owner]
        )
        radius = self.hub_radius[u_group]
        p = polar_unit(np.asarray(d) / radius, np.asarray(az))
        terms = kernels.sphere_terms(p, tie_pair, tie_seg, self.seg_sphere)
        angle, along = sphere_angles(terms, self.seg_arc[tie_seg])
        dist_m = angle * radius[tie_pair]
        best = kernels.pick(dist_m, tie_owner, lon.size)
        return tie_seg[best], dist_m[best], along[best]

    def _exact(
        self, lon: np.ndarray, lat: np.ndarray, seg: np.ndarray, s0: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        a = self.seg_a[seg]
        b = self.seg_b[seg]
        return segment_exact(
            lon,
            lat,
            self.vertex_lon[a],
            self.vertex_lat[a],
            self.seg_az_a[seg],
            self.vertex_lon[b],
            self.vertex_lat[b],
            self.seg_az_b[seg],
            self.seg_length[seg],
            s0,
        )

    def _query_far(
        self, lon: np.ndarray, lat: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Exact answer without the grid, from chord lower bounds.

        For a point P and a segment with geodesic midpoint M and length L, every
        point Q of the segment has |P - Q| >= |P - M| - L / 2 in Earth-centred
        coordinates, and the geodesic P-Q is never shorter than the chord.
        """
        n = lon.size
        p = ecef(lon, lat)
        diff = p[:, None, :] - self.seg_mid_ecef[None, :, :]
        lower = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff)) - 0.5 * self.seg_length - 1e-3
        first = np.argmin(lower, axis=1)
        upper = self._exact(lon, lat, first)[0]
        owner, seg = np.nonzero(lower <= upper[:, None])
        d, foot_lon, foot_lat, _ = self._exact(lon[owner], lat[owner], seg)
        best = group_argmin(d, owner, n)
        return d[best], foot_lon[best], foot_lat[best], seg[best]
