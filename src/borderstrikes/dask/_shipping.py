"""What every dask task shares: the dask imports, the input check and the border.

How the border reaches the workers
----------------------------------
The default border is not shipped at all: every worker process loads the one
in its own installed copy of the package and builds its index once (the
per-process cache of :mod:`borderstrikes.border`). Any other border is put
into the graph once, as a single key named ``border-<hash>`` after the
SHA-256 of its content in EPSG:4326 (:func:`borderstrikes.border.border_key`),
on which every task depends; a worker fetches it once and keeps it while its
tasks run. On each process, the index (:class:`borderstrikes.border.PreparedBorder`)
is built the first time a task meets that hash and reused by every later
task, so a border is indexed once per worker process, however many
partitions there are (:func:`index_builds` tells how often it happened). The
index itself is not shipped: it pickles to about 200 times the size of the
border.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from borderstrikes._core.lazy import is_lazy
from borderstrikes._core.validate import WGS84, as_geoseries, require_crs
from borderstrikes.border import PreparedBorder, border_key, shipped_border_key

__all__ = [
    "ShippedBorder",
    "check_frame",
    "dask_modules",
    "index_builds",
    "is_dask",
    "prepared",
    "ship_border",
]

_MAX_BORDERS = 4  # prepared borders kept per process


def is_dask(obj: Any) -> bool:
    """Whether ``obj`` is a dask collection (dask is not imported to tell).

    The same test as :func:`borderstrikes._core.lazy.is_lazy`, kept under this
    name for compatibility.

    Parameters
    ----------
    obj : object
        Anything.

    Returns
    -------
    bool
        True for dask and dask-geopandas collections.

    Examples
    --------
    >>> import geopandas
    >>> is_dask(geopandas.GeoSeries([]))
    False
    """
    return is_lazy(obj)


def dask_modules() -> tuple[Any, Any, Any]:
    """Import dask, dask.dataframe and dask_geopandas, with a hint when missing."""
    try:
        import dask
        import dask.dataframe as dd
        import dask_geopandas
    except ImportError as exc:  # pragma: no cover - the dask extra is installed in tests
        msg = (
            "dask inputs need dask-geopandas and dask; install them with "
            "pip install 'borderstrikes[dask]'."
        )
        raise ImportError(msg) from exc
    return dask, dd, dask_geopandas


def check_frame(data: Any, name: str) -> Any:
    """Check a dask-geopandas input and its CRS; return its empty frame (``_meta``)."""
    _, _, dask_geopandas = dask_modules()
    if not isinstance(data, dask_geopandas.GeoDataFrame | dask_geopandas.GeoSeries):
        msg = (
            f"{name} must be a dask_geopandas GeoDataFrame or GeoSeries (got "
            f"{type(data).__name__}). Convert a dask DataFrame of coordinates with "
            "dask_geopandas.from_dask_dataframe(df, geometry=dask_geopandas.points_from_xy("
            "df, 'lon', 'lat', crs='EPSG:4326'))."
        )
        raise TypeError(msg)
    meta = data._meta
    require_crs(as_geoseries(meta, name), name)
    return meta


@dataclass(frozen=True)
class ShippedBorder:
    """A border and the hash of its content in EPSG:4326 (the key of its index)."""

    key: str
    frame: gpd.GeoDataFrame | gpd.GeoSeries


_PREPARED: collections.OrderedDict[str, PreparedBorder] = collections.OrderedDict()
_BUILDS: collections.Counter[str] = collections.Counter()
_LOCK = threading.Lock()


def index_builds() -> dict[str, int]:
    """How many times this process has indexed each shipped border, by content hash.

    Run it on the workers to check that a border is indexed once per worker
    process, e.g. ``client.run(index_builds)``. The default border is not
    counted here (see :mod:`borderstrikes.border`).

    Returns
    -------
    dict of str to int
        SHA-256 of the border's content -> number of index builds.

    Examples
    --------
    >>> isinstance(index_builds(), dict)
    True
    """
    return dict(_BUILDS)


def prepared(shipped: ShippedBorder | None) -> PreparedBorder | None:
    """Return the indexed border for ``shipped`` (None, the default border, stays None)."""
    if shipped is None:
        return None
    with _LOCK:  # threads of one worker wait for the first build instead of repeating it
        target = _PREPARED.get(shipped.key)
        if target is None:
            target = PreparedBorder(shipped.frame)
            _BUILDS[shipped.key] += 1
            _PREPARED[shipped.key] = target
            while len(_PREPARED) > _MAX_BORDERS:
                _PREPARED.popitem(last=False)
        else:
            _PREPARED.move_to_end(shipped.key)
    return target


def ship_border(border: Any) -> tuple[Any, PreparedBorder | None]:
    """Return the graph argument for a border (a Delayed, or None) and its driver-side index."""
    if border is None:
        return None, None
    geoms = as_geoseries(border, "border")
    require_crs(geoms, "border")
    wgs = border if geoms.crs.equals(WGS84) else border.to_crs(WGS84)
    key = border_key(wgs)
    if key is not None and key == shipped_border_key():
        return None, None
    shipped = ShippedBorder(key, border)  # as given: indexed (and checked) as in memory
    dask, _, _ = dask_modules()
    node = dask.delayed(shipped, name=f"border-{key}", pure=True, traverse=False)
    return node, prepared(shipped)
