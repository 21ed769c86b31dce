"""Is an input lazy, and where is the layer that computes it (no dask import here).

The analysis functions stay in memory. When one is handed a lazy collection (a
``dask_geopandas`` frame), it asks :func:`is_lazy` and hands the call to the
dask layer, found by name with :func:`lazy_layer`, the way xarray finds its
chunk managers: the core never imports that layer, so the imports stay one-way.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["is_lazy", "lazy_layer"]

_LAYER = "borderstrikes.dask"


def is_lazy(obj: Any) -> bool:
    """Whether ``obj`` is a lazy (dask) collection, by duck typing.

    Examples
    --------
    >>> import pandas as pd
    >>> is_lazy(pd.DataFrame())
    False
    """
    return hasattr(type(obj), "__dask_graph__")


def lazy_layer() -> ModuleType:
    """Import the module that computes lazy inputs (on first use).

    Raises
    ------
    ImportError
        Naming the extra to install, when dask-geopandas is missing.
    """
    try:
        return importlib.import_module(_LAYER)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = (
            "a dask input needs dask-geopandas and distributed, which are not installed. "
            'Install them with: pip install "borderstrikes[dask]"'
        )
        raise ImportError(msg) from exc
