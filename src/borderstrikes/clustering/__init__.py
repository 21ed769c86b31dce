"""Space-time clustering of strike reports on exact geodesic distances."""

from __future__ import annotations

from borderstrikes.clustering.core import (
    CONCAVE_HULL_RATIO,
    DEFAULT_EPS_KM,
    DEFAULT_MIN_SAMPLES,
    cluster_strikes,
    describe_clusters,
    k_distance,
)

__all__ = [
    "CONCAVE_HULL_RATIO",
    "DEFAULT_EPS_KM",
    "DEFAULT_MIN_SAMPLES",
    "cluster_strikes",
    "describe_clusters",
    "k_distance",
]
