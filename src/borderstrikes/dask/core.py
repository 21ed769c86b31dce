"""The public names of :mod:`borderstrikes.dask`, under their former module.

Kept so that ``borderstrikes.dask.core`` stays importable; import from
:mod:`borderstrikes.dask` instead.
"""

from __future__ import annotations

from borderstrikes.dask import (
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
