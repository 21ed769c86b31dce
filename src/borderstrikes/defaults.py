"""The shipped data as the default of an argument left out: resolved here and only here.

Analysis, map and dask functions take what they use (``border=``,
``countries=``, ``places=``, ``strikes=``, ``units=`` ...). When the caller
leaves one out (None), the function asks this module for the shipped
default; no other computing module reads :mod:`borderstrikes.datasets`
(``tests/test_layers.py`` checks it), so a user's own border, countries and
places reach every step of a computation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from borderstrikes import datasets

__all__ = [
    "COUNTRY",
    "NEIGHBOUR",
    "aliases",
    "border",
    "border_file",
    "claims_file",
    "countries",
    "lakes",
    "places",
    "provenance",
    "strikes",
    "units",
    "weapons",
]

#: The country whose inside counts as positive, and the one across the border, by default.
COUNTRY = "ARM"
NEIGHBOUR = "AZE"


def border(value: Any = None) -> Any:
    """``value``, or the shipped Armenia-Azerbaijan border (:func:`datasets.load_border`)."""
    return datasets.load_border() if value is None else value


def border_file(country: str, neighbour: str) -> gpd.GeoDataFrame:
    """Load the shipped border file of a pair of countries (UnknownCountryError if none)."""
    return datasets.load_border(country, neighbour)


def countries(value: Any = None) -> Any:
    """``value``, or the shipped admin-0 polygons (:func:`datasets.load_boundaries`)."""
    return datasets.load_boundaries(0) if value is None else value


def units(value: Any = None, *, countries: list[str] | None = None) -> Any:
    """``value``, or the shipped admin-1 units of ``countries`` (default: all shipped)."""
    return datasets.load_boundaries(1, countries=countries) if value is None else value


def places(value: Any = None) -> Any:
    """``value``, or the shipped gazetteer (:func:`datasets.load_places`)."""
    return datasets.load_places() if value is None else value


def aliases(value: Any = None) -> pd.DataFrame:
    """``value``, or the shipped place-name aliases (:func:`datasets.load_place_aliases`)."""
    return datasets.load_place_aliases() if value is None else value


def strikes(value: Any = None) -> gpd.GeoDataFrame:
    """``value``, or the 88 shipped strike reports (:func:`datasets.load_strikes`)."""
    return datasets.load_strikes() if value is None else value


def lakes(value: Any = None) -> gpd.GeoDataFrame:
    """``value``, or the shipped lakes (:func:`datasets.load_lakes`)."""
    return datasets.load_lakes() if value is None else value


def weapons(value: Any = None) -> pd.DataFrame:
    """``value``, or the shipped cited weapon table (:func:`datasets.load_weapons`)."""
    return datasets.load_weapons() if value is None else value


def claims_file() -> Path:
    """Path of the shipped claims table, checked against its registry entry (sha256) first."""
    datasets.verify("claims")
    return datasets.get_path("claims")


def provenance(name: str) -> dict[str, Any]:
    """Provenance of a shipped dataset (:func:`borderstrikes.datasets.provenance`)."""
    return datasets.provenance(name)
