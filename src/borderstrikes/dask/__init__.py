"""The dask layer: borderstrikes' analyses on partitioned ``dask_geopandas`` frames.

It sits above the analysis layer and holds partitioning, metadata and merging
only: every task calls the public in-memory function (or, for the tiled
DBSCAN, the in-memory DBSCAN engine) on its partition. The analyses never
import it; they hand it a lazy input through
:func:`borderstrikes._core.lazy.lazy_layer`. Importing it imports dask.

:func:`borderstrikes.distance_to_border`, :func:`borderstrikes.distance_interval`
and :func:`borderstrikes.cluster_strikes` hand a dask input to the functions
here, which answer with a dask collection: the same columns, dtypes and index
as the in-memory function, and, once computed, the same numbers bit for bit.

- :mod:`~borderstrikes.dask.distance`: lazy border distances;
- :mod:`~borderstrikes.dask.interval`: lazy uncertainty intervals;
- :mod:`~borderstrikes.dask.dbscan` and :mod:`~borderstrikes.dask.grid`: the tiled DBSCAN;
- :mod:`~borderstrikes.dask._shipping`: the border, shipped once and indexed once per worker;
- :mod:`~borderstrikes.dask.readers`: lazy readers of many event files (globs, folders,
  zip members, blocks of a big CSV, GeoParquet), one partition per piece;
- :mod:`~borderstrikes.dask.write`: partitioned GeoParquet output with the run manifest,
  and :func:`compute` with an optional progress bar.
"""

from __future__ import annotations

from borderstrikes.dask._shipping import index_builds, is_dask
from borderstrikes.dask.dbscan import cluster_strikes_partitioned
from borderstrikes.dask.distance import distance_to_border
from borderstrikes.dask.interval import distance_interval
from borderstrikes.dask.readers import (
    LazyEventsRead,
    read_acled,
    read_gdelt_events,
    read_strikes,
    read_ucdp_ged,
)
from borderstrikes.dask.write import compute, to_parquet

__all__ = [
    "LazyEventsRead",
    "cluster_strikes_partitioned",
    "compute",
    "distance_interval",
    "distance_to_border",
    "index_builds",
    "is_dask",
    "read_acled",
    "read_gdelt_events",
    "read_strikes",
    "read_ucdp_ged",
    "to_parquet",
]
