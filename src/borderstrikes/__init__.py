"""borderstrikes: geodesic analysis of reported strikes along contested borders.

Distances, areas and lengths are geodesic on the WGS84 ellipsoid unless a
function's name and docstring say otherwise. Importing the package does not
import matplotlib, contextily or folium; the plotting functions import them
when called.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from borderstrikes import (
    areas,
    border,
    claims,
    clustering,
    datasets,
    distributed,
    errors,
    gazetteer,
    geodesy,
    readers,
    strikes,
    uncertainty,
)
from borderstrikes._show_versions import show_versions
from borderstrikes.areas import (
    advance_area,
    border_stretch,
    buffer_scenarios,
    buffer_zone,
    geodesic_area,
    geodesic_buffer,
    zone_places,
    zone_strikes,
    zone_units,
)
from borderstrikes.border import border_between, distance_to_border
from borderstrikes.claims import check_claims, load_claims, validate_claims
from borderstrikes.clustering import cluster_strikes, describe_clusters, k_distance
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
from borderstrikes.geodesy import geodesic_distance_m, point_to_segment_m
from borderstrikes.interactive import explore_strikes
from borderstrikes.plotting import plot_strikes
from borderstrikes.readers import (
    read_acled,
    read_gdelt_events,
    read_ucdp_ged,
    select_strike_reports,
)
from borderstrikes.strikes import read_strikes, validate_strikes
from borderstrikes.uncertainty import cluster_stability, distance_interval

try:
    __version__ = version("borderstrikes")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "advance_area",
    "areas",
    "border",
    "border_between",
    "border_stretch",
    "buffer_scenarios",
    "buffer_zone",
    "check_claims",
    "claims",
    "cluster_stability",
    "cluster_strikes",
    "clustering",
    "datasets",
    "describe_clusters",
    "distance_interval",
    "distance_to_border",
    "distributed",
    "errors",
    "explore_strikes",
    "gazetteer",
    "geocode",
    "geodesic_area",
    "geodesic_buffer",
    "geodesic_distance_m",
    "geodesy",
    "get_path",
    "k_distance",
    "load_border",
    "load_boundaries",
    "load_claims",
    "load_lakes",
    "load_place_aliases",
    "load_places",
    "load_strikes",
    "plot_strikes",
    "point_to_segment_m",
    "read_acled",
    "read_gdelt_events",
    "read_strikes",
    "read_ucdp_ged",
    "readers",
    "select_strike_reports",
    "show_versions",
    "strikes",
    "uncertainty",
    "validate_claims",
    "validate_strikes",
    "zone_places",
    "zone_strikes",
    "zone_units",
]
