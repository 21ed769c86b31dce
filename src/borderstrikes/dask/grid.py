"""The tiles of the partitioned DBSCAN and their halos.

Events are put into tiles of a longitude/latitude grid (``tile_deg`` degrees
on a side). Each event belongs to the tile it lies in and is copied into the
*halo* of every other tile within two margins of it; a margin is a number of
degrees that no pair of neighbours can exceed: ``eps`` over the smallest
meridian radius of curvature ``a (1 - e**2)`` in latitude, and ``eps`` over
``a cos(phi)`` in longitude, where ``phi`` bounds the latitude of any point
within reach of the tile (a geodesic of length ``s`` changes latitude by at
most ``s / (a (1 - e**2))`` radians and longitude by at most
``s / (a cos(phi))``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from borderstrikes._core.constants import A_M, E2

__all__ = ["M0_M", "Grid", "default_tile_deg"]

#: Smallest meridian radius of curvature of the WGS84 ellipsoid (m).
M0_M = A_M * (1 - E2)
_SLACK_DEG = 1e-9  # added to every margin, far above the rounding of degrees
_TILE_EPS_MARGINS = 20  # default tile side, in latitude margins
_MIN_TILE_DEG = 0.5  # smallest default tile side


def _lon_gap(lon: np.ndarray, x0: Any, x1: Any) -> np.ndarray:
    """Degrees of longitude from ``lon`` to the interval [x0, x1], either way round."""
    east = np.mod(x0 - lon, 360.0)
    west = np.mod(lon - x1, 360.0)
    return np.where((lon >= x0) & (lon <= x1), 0.0, np.minimum(east, west))


@dataclass(frozen=True)
class Grid:
    """Tiles of ``step`` degrees and the halo margins for a neighbourhood of ``eps_m``."""

    step: float
    eps_m: float

    @property
    def dlat(self) -> float:
        """Latitude margin: no neighbour is further away in latitude."""
        return math.degrees(self.eps_m / M0_M) * (1 + 1e-9) + _SLACK_DEG

    @property
    def shape(self) -> tuple[int, int]:
        """Number of tile rows and columns."""
        return math.ceil(180.0 / self.step), math.ceil(360.0 / self.step)

    def rows(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Bottom and top latitude of tile rows, and their longitude margin."""
        y0 = -90.0 + r * self.step
        y1 = np.minimum(y0 + self.step, 90.0)
        # any point within reach of the tile lies below this latitude
        phi = np.radians(np.maximum(np.abs(y0), np.abs(y1)) + 2 * self.dlat)
        with np.errstate(divide="ignore"):
            dlon = np.degrees(self.eps_m / (A_M * np.cos(np.minimum(phi, np.pi / 2))))
        dlon = np.where(phi < np.pi / 2, dlon * (1 + 1e-9) + _SLACK_DEG, 360.0)
        return y0, y1, np.minimum(dlon, 360.0)

    def copies(
        self, lon: np.ndarray, lat: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Tile, role (0 own, 1 within one margin, 2 within two) and point of every copy.

        Also returns, per point, whether it lies within one margin of another tile.
        """
        n_rows, n_cols = self.shape
        row = np.clip(np.floor((lat + 90.0) / self.step), 0, n_rows - 1).astype(np.int64)
        col = np.clip(np.floor((lon + 180.0) / self.step), 0, n_cols - 1).astype(np.int64)
        own = row * n_cols + col
        inner_elsewhere = np.zeros(len(lon), dtype=bool)
        edge = self._near_edge(lon, lat, row, col)
        tiles, roles, points = [own], [np.zeros(len(lon), np.int8)], [np.arange(len(lon))]
        # only points within two margins of their own tile's edges can be near another tile
        lon, lat, row, col, own = lon[edge], lat[edge], row[edge], col[edge], own[edge]
        back = np.flatnonzero(edge)
        reach = math.floor(2 * self.dlat / self.step) + 1  # rows: only the top one is narrower
        for dr in range(-reach, reach + 1):
            r = row + dr
            y0, y1, dlon = self.rows(r)
            gap = np.maximum(np.maximum(y0 - lat, lat - y1), 0.0)
            near = (r >= 0) & (r < n_rows) & (gap <= 2 * self.dlat)
            # a tile k columns away is at least k - 2 columns away (the last column is narrower)
            span = np.floor(2 * dlon / self.step).astype(np.int64) + 2
            wide = near & (2 * span + 1 >= n_cols)
            narrow = np.flatnonzero(near & ~wide)
            most = int(span[narrow].max(initial=0))
            candidates = [(narrow, col[narrow] + dc) for dc in range(-most, most + 1)]
            wide = np.flatnonzero(wide)
            candidates += [(wide, np.full(len(wide), c)) for c in range(n_cols) if len(wide)]
            for idx, c in candidates:
                c = np.mod(c, n_cols)
                x0 = -180.0 + c * self.step
                x1 = np.minimum(x0 + self.step, 180.0)
                dx = _lon_gap(lon[idx], x0, x1)
                tile = r[idx] * n_cols + c
                other = tile != own[idx]
                within1 = other & (gap[idx] <= self.dlat) & (dx <= dlon[idx])
                within2 = other & (dx <= 2 * dlon[idx])
                tiles.append(tile[within2])
                roles.append(np.where(within1, 1, 2).astype(np.int8)[within2])
                points.append(back[idx[within2]])
                inner_elsewhere[back[idx[within1]]] = True
        return np.concatenate(tiles), np.concatenate(roles), np.concatenate(points), inner_elsewhere

    def _near_edge(
        self, lon: np.ndarray, lat: np.ndarray, row: np.ndarray, col: np.ndarray
    ) -> np.ndarray:
        """Whether a point may lie within two margins of a tile other than its own.

        Any other tile is at least as far in latitude as the nearer edge of the
        point's own row, or else in the same row and at least as far in
        longitude (either way round) as the nearer edge of its own column. The
        test is loose by far more than the rounding of the edges: it only
        spares the exact test of :meth:`copies` for points far inside a tile.
        """
        y0, y1, dlon = self.rows(row)
        x0 = -180.0 + col * self.step
        x1 = np.minimum(x0 + self.step, 180.0)
        slack = 1e-6
        lat_gap = np.minimum(lat - y0, y1 - lat)
        lon_gap = np.minimum(lon - x0, x1 - lon)
        return (lat_gap <= 2 * self.dlat * (1 + slack) + slack) | (
            lon_gap <= 2 * dlon * (1 + slack) + slack
        )


def default_tile_deg(eps_m: float) -> float:
    """Default side of the tiles (degrees): 20 latitude margins, at least 0.5°.

    Below about half a degree the fixed cost of every tile and the copies in
    the halos outweigh the work of the tiles themselves.
    """
    return max(_TILE_EPS_MARGINS * Grid(1.0, eps_m).dlat, _MIN_TILE_DEG)
