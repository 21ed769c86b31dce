"""borderstrikes: geodesic analysis of reported strikes along contested borders.

Distances, areas and lengths are geodesic on the WGS84 ellipsoid unless a
function's name and docstring say otherwise. Importing the package does not
import matplotlib or contextily.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from borderstrikes import datasets, errors, gazetteer, strikes
from borderstrikes._show_versions import show_versions
from borderstrikes.datasets import (
    get_path,
    load_border,
    load_boundaries,
    load_lakes,
    load_place_aliases,
    load_places,
    load_strikes,
)
from borderstrikes.gazetteer import geocode
from borderstrikes.strikes import validate_strikes

try:
    __version__ = version("borderstrikes")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "datasets",
    "errors",
    "gazetteer",
    "geocode",
    "get_path",
    "load_border",
    "load_boundaries",
    "load_lakes",
    "load_place_aliases",
    "load_places",
    "load_strikes",
    "show_versions",
    "strikes",
    "validate_strikes",
]
