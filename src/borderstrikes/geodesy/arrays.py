"""Array kernels of the border index: ragged ranges, grouped minima, chords and arcs."""

from __future__ import annotations

import numpy as np

__all__ = [
    "group_argmin",
    "group_min",
    "planar_distance",
    "polar_unit",
    "ragged",
    "sphere_angles",
    "sphere_segment",
    "sphere_terms",
    "unit",
]


def unit(v: np.ndarray) -> np.ndarray:
    """Rows of ``v`` scaled to length 1 (zero rows stay zero)."""
    norm = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norm > 0, norm, 1.0)


def ragged(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner and position of every item of the ragged ranges ``[start, start + count)``."""
    total = int(counts.sum())
    owner = np.repeat(np.arange(counts.size), counts)
    first = np.cumsum(counts) - counts
    pos = np.arange(total) - first[owner] + starts[owner]
    return owner, pos


def group_min(values: np.ndarray, owner: np.ndarray, n_owner: int) -> np.ndarray:
    """Minimum of ``values`` per owner (owners contiguous, each with at least one item)."""
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    out = np.full(n_owner, np.inf)
    out[owner[starts]] = np.minimum.reduceat(values, starts)
    return out


def group_argmin(values: np.ndarray, owner: np.ndarray, n_owner: int) -> np.ndarray:
    """Index of the first minimum of ``values`` per owner (contiguous owners), -1 if none."""
    best = group_min(values, owner, n_owner)
    hit = np.flatnonzero(values == best[owner])
    first = np.r_[True, owner[hit][1:] != owner[hit][:-1]]
    out = np.full(n_owner, -1, dtype=np.int64)
    out[owner[hit[first]]] = hit[first]
    return out


def planar_distance(
    px: np.ndarray, py: np.ndarray, seg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distance from plane points to chords (rows: ax, ay, ux, uy, length) and the parameter."""
    rx = px - seg[:, 0]
    ry = py - seg[:, 1]
    t = np.clip(rx * seg[:, 2] + ry * seg[:, 3], 0.0, seg[:, 4])
    dx = rx - t * seg[:, 2]
    dy = ry - t * seg[:, 3]
    return np.sqrt(dx * dx + dy * dy), t


def polar_unit(theta: np.ndarray, az_deg: np.ndarray) -> np.ndarray:
    """Return unit vectors at angle ``theta`` and azimuth ``az`` from the pole (north is x)."""
    az = np.radians(az_deg)
    st = np.sin(theta)
    return np.column_stack([st * np.cos(az), st * np.sin(az), np.cos(theta)])


def _dot3(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise dot product of two (n, 3) arrays, summed left to right."""
    return p[:, 0] * q[:, 0] + p[:, 1] * q[:, 1] + p[:, 2] * q[:, 2]


def sphere_terms(p: np.ndarray, sph: np.ndarray) -> np.ndarray:
    """Rows ``p.n, p.(n x A), p.(B x n), |p - A|, |p - B|, p.A`` of unit vectors and arcs.

    ``sph`` rows hold A, B, the unit normal n of the arc's plane, n x A and B x n.
    Plain arithmetic in a fixed order: :func:`borderstrikes.geodesy.kernels.sphere_terms`
    computes the same bits.
    """
    a = sph[:, 0:3]
    b = sph[:, 3:6]
    da = p - a
    db = p - b
    return np.column_stack(
        [
            _dot3(p, sph[:, 6:9]),
            _dot3(p, sph[:, 9:12]),
            _dot3(p, sph[:, 12:15]),
            np.sqrt(_dot3(da, da)),
            np.sqrt(_dot3(db, db)),
            _dot3(p, a),
        ]
    )


def sphere_angles(terms: np.ndarray, arc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Angular distance to the arcs and the foot's angle from A, from :func:`sphere_terms`."""
    pn, pa, pb, ca, cb, dot = terms.T
    inner = (pa >= 0) & (pb >= 0)
    chord = np.minimum(ca, cb)
    angle = np.where(
        inner,
        np.arcsin(np.minimum(np.abs(pn), 1.0)),
        2.0 * np.arcsin(np.minimum(0.5 * chord, 1.0)),
    )
    along = np.where(inner, np.arctan2(pa, dot), np.where(ca <= cb, 0.0, arc))
    return angle, along


def sphere_segment(
    p: np.ndarray, sph: np.ndarray, arc: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Angular distance from unit vectors to great-circle arcs, and the foot's angle from A.

    ``sph`` rows hold A, B, the unit normal n of the arc's plane, n x A and B x n.
    """
    return sphere_angles(sphere_terms(p, sph), arc)
