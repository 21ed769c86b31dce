"""The dask layer: borderstrikes' analyses on partitioned ``dask_geopandas`` frames.

It sits above the analysis layer and calls the public in-memory functions
per partition; the analyses never import it. They hand it a lazy input
through :func:`borderstrikes._core.lazy.lazy_layer`. Importing it imports dask.
"""

from __future__ import annotations

from borderstrikes.dask.core import (
    cluster_strikes_partitioned,
    distance_interval,
    distance_to_border,
    index_builds,
    is_dask,
)

__all__ = [
    "cluster_strikes_partitioned",
    "distance_interval",
    "distance_to_border",
    "index_builds",
    "is_dask",
]
