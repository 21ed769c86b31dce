"""Compiled loops of the border index's candidate search (numba, optional).

:class:`~borderstrikes.geodesy.BorderIndex` screens every point against its
grid cell's candidate segments and then picks the nearest near tie on the
hub's sphere. In numpy that work is ragged bookkeeping over temporaries
(``repeat``, fancy indexing, ``reduceat``); here it is loops over the points,
compiled by numba with the GIL released, so that threads over chunks of
points use every core.

The kernels do plain arithmetic only (``+ - * /``, ``sqrt``, comparisons:
operations IEEE 754 rounds exactly), in the order of the numpy path
(:func:`~borderstrikes.geodesy.arrays.planar_distance`,
:func:`~borderstrikes.geodesy.arrays.sphere_terms`,
:func:`~borderstrikes.geodesy.arrays.group_argmin`); the geodesic solves
stay with GeographicLib through :class:`pyproj.Geod` and the trigonometry
with numpy, shared by both paths. The two paths therefore give the same bits
(``tests/test_kernel.py`` checks it), so which one runs is a matter of speed
only: chunks of at least :data:`MIN_POINTS` points use the kernels when
numba is installed (``pip install "borderstrikes[fast]"``) and
``BORDERSTRIKES_NO_NUMBA`` is unset. numba is imported on first use and the
compiled code is cached on disk (``cache=True``): only the first large call
of an installation pays for the compilation.
"""

from __future__ import annotations

import importlib.util
import math
import os
import threading
from typing import Any

import numpy as np

__all__ = ["ENABLED", "MIN_POINTS", "pick", "screen", "sphere_terms"]

#: True when the compiled kernels are used: numba is installed and
#: ``BORDERSTRIKES_NO_NUMBA`` is not set. numba itself is imported on first use.
ENABLED = importlib.util.find_spec("numba") is not None and not os.environ.get(
    "BORDERSTRIKES_NO_NUMBA"
)

#: Chunks of fewer points take the numpy path (the answers are the same bits):
#: a small call, such as ``borderstrikes report`` on 88 strikes, never imports numba.
MIN_POINTS = 4096

_COMPILED: dict[str, Any] = {}
_LOCK = threading.Lock()


def _compiled(function: Any) -> Any:
    """Compile ``function`` with numba (once per process; on disk once per installation)."""
    name = function.__name__
    if name not in _COMPILED:
        with _LOCK:
            if name not in _COMPILED:
                import numba  # optional, and slow to import: on first use only

                jit = numba.njit(cache=True, nogil=True, error_model="numpy")
                _COMPILED[name] = jit(function)
    return _COMPILED[name]


def screen(*args: Any) -> tuple[np.ndarray, ...]:
    """Near ties of each point and the hubs to solve (compiled :func:`_screen`)."""
    return _compiled(_screen)(*args)


def sphere_terms(*args: Any) -> np.ndarray:
    """Terms of the sphere step of every near tie (compiled :func:`_sphere_terms`)."""
    return _compiled(_sphere_terms)(*args)


def pick(*args: Any) -> np.ndarray:
    """First minimum of every point's near ties (compiled :func:`_pick`)."""
    return _compiled(_pick)(*args)


def _screen(x, y, slot, fine_ptr, fine_idx, fine_rho, plane, seg_group):
    """Near ties of each point among its cell's candidates, and the hubs to solve.

    A candidate j is a near tie when ``D_j - sigma_j <= rho * min_k(D_k + sigma_k)``
    (D: distance to the chord in the plane, sigma: its sagitta bound, rho: the
    cell's scale-factor ratio). Returns, for the ties in candidate order, their
    point, segment and hub pair; and for each run of ties sharing a hub group,
    the point and the group (one ``Geod.inv`` each).
    """
    n = x.size
    total = 0
    widest = 0
    for i in range(n):
        count = fine_ptr[slot[i] + 1] - fine_ptr[slot[i]]
        total += count
        widest = max(widest, count)
    tie_owner = np.empty(total, np.int64)
    tie_seg = np.empty(total, np.int64)
    tie_pair = np.empty(total, np.int64)
    pair_owner = np.empty(total, np.int64)
    pair_group = np.empty(total, np.int64)
    dist = np.empty(widest)
    m = 0
    k = 0
    for i in range(n):
        s = slot[i]
        lo = fine_ptr[s]
        hi = fine_ptr[s + 1]
        upper = np.inf
        for c in range(lo, hi):
            j = fine_idx[c]
            rx = x[i] - plane[j, 0]
            ry = y[i] - plane[j, 1]
            t = min(max(rx * plane[j, 2] + ry * plane[j, 3], 0.0), plane[j, 4])
            dx = rx - t * plane[j, 2]
            dy = ry - t * plane[j, 3]
            d = math.sqrt(dx * dx + dy * dy)
            dist[c - lo] = d
            upper = min(upper, d + plane[j, 5])
        bound = fine_rho[s] * upper
        last = -1
        for c in range(lo, hi):
            j = fine_idx[c]
            if dist[c - lo] - plane[j, 5] <= bound:
                g = seg_group[j]
                if g != last:
                    pair_owner[k] = i
                    pair_group[k] = g
                    k += 1
                    last = g
                tie_owner[m] = i
                tie_seg[m] = j
                tie_pair[m] = k - 1
                m += 1
    return tie_owner[:m], tie_seg[:m], tie_pair[:m], pair_owner[:k], pair_group[:k]


def _sphere_terms(p, tie_pair, tie_seg, sphere):
    """Rows ``p.n, p.(n x A), p.(B x n), |p - A|, |p - B|, p.A`` of every near tie.

    ``p``: the unit vector of each hub pair's point; ``sphere``: the rows of
    ``BorderIndex.seg_sphere`` (A, B, n, n x A, B x n). The order of the
    operations is that of :func:`borderstrikes.geodesy.arrays.sphere_terms`.
    """
    m = tie_pair.size
    out = np.empty((m, 6))
    for t in range(m):
        q = tie_pair[t]
        j = tie_seg[t]
        p0 = p[q, 0]
        p1 = p[q, 1]
        p2 = p[q, 2]
        out[t, 0] = p0 * sphere[j, 6] + p1 * sphere[j, 7] + p2 * sphere[j, 8]
        out[t, 1] = p0 * sphere[j, 9] + p1 * sphere[j, 10] + p2 * sphere[j, 11]
        out[t, 2] = p0 * sphere[j, 12] + p1 * sphere[j, 13] + p2 * sphere[j, 14]
        e0 = p0 - sphere[j, 0]
        e1 = p1 - sphere[j, 1]
        e2 = p2 - sphere[j, 2]
        out[t, 3] = math.sqrt(e0 * e0 + e1 * e1 + e2 * e2)
        e0 = p0 - sphere[j, 3]
        e1 = p1 - sphere[j, 4]
        e2 = p2 - sphere[j, 5]
        out[t, 4] = math.sqrt(e0 * e0 + e1 * e1 + e2 * e2)
        out[t, 5] = p0 * sphere[j, 0] + p1 * sphere[j, 1] + p2 * sphere[j, 2]
    return out


def _pick(dist, tie_owner, n):
    """Index of the first minimum of ``dist`` among each point's ties (-1: none)."""
    best = np.full(n, -1, np.int64)
    low = np.full(n, np.inf)
    for t in range(dist.size):
        i = tie_owner[t]
        if dist[t] < low[i]:
            low[i] = dist[t]
            best[i] = t
    return best
