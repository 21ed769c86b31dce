"""Connected components of a graph given as pairs of node numbers (through scipy)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["components"]


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label (0, 1, ...) of each of ``n`` nodes joined by the edges ``left[i]-right[i]``.

    Labels are numbered in order of each component's smallest node.

    Examples
    --------
    >>> components(5, np.array([0, 3]), np.array([1, 4])).tolist()
    [0, 0, 1, 2, 2]
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    graph = coo_matrix((np.ones(left.size, dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # scipy numbers components in order of their first node already; make it explicit.
    _, first = np.unique(labels, return_index=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(np.argsort(first))] = np.arange(first.size)
    return rank[labels]
