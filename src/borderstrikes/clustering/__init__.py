"""Space-time clustering of strike reports on exact geodesic distances.

- :mod:`~borderstrikes.clustering.api`: :func:`cluster_strikes` and :func:`k_distance`;
- :mod:`~borderstrikes.clustering.describe`: :func:`describe_clusters`;
- :mod:`~borderstrikes.clustering.dbscan`: the exact geodesic DBSCAN engine;
- :mod:`~borderstrikes.clustering.inputs`: checked parameters and the rows clustered;
- :mod:`~borderstrikes.clustering.times`: time intervals of reports (space-time mode).
"""

from __future__ import annotations

from borderstrikes.clustering.api import (
    DEFAULT_EPS_KM,
    DEFAULT_MIN_SAMPLES,
    cluster_strikes,
    k_distance,
)
from borderstrikes.clustering.describe import CONCAVE_HULL_RATIO, describe_clusters

__all__ = [
    "CONCAVE_HULL_RATIO",
    "DEFAULT_EPS_KM",
    "DEFAULT_MIN_SAMPLES",
    "cluster_strikes",
    "describe_clusters",
    "k_distance",
]
