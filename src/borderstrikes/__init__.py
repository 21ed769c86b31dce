"""borderstrikes: geodesic analysis of reported strikes along contested borders.

Distances, areas and lengths are geodesic on the WGS84 ellipsoid unless a
function's name and docstring say otherwise. Importing the package does not
import matplotlib, contextily or folium; the plotting functions import them
when called.
"""

from __future__ import annotations

import importlib
from typing import Any

from borderstrikes import (
    areas,
    border,
    claims,
    clustering,
    datasets,
    errors,
    exposure,
    gazetteer,
    geodesy,
    io,
    origin,
    ranges,
    strikes,
    timeline,
    uncertainty,
    viz,
)
from borderstrikes._core.versions import __version__, show_versions
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
    load_timeline_marks,
    load_weapons,
)
from borderstrikes.exposure import exposure_rings, settlement_exposure, strike_exposure
from borderstrikes.gazetteer import geocode
from borderstrikes.geodesy import geodesic_distance_m, point_to_segment_m
from borderstrikes.incidents import group_incidents
from borderstrikes.io import (
    read_acled,
    read_gdelt_events,
    read_strikes,
    read_ucdp_ged,
    select_strike_reports,
)
from borderstrikes.matching import match_events
from borderstrikes.origin import bearing, bearing_fans, fan_crossings, triangulate
from borderstrikes.ranges import range_check, range_rings, weapon_range
from borderstrikes.strikes import validate_strikes
from borderstrikes.timeline import report_intervals, report_timeline
from borderstrikes.uncertainty import cluster_stability, distance_interval
from borderstrikes.viz import explore_strikes, plot_strikes, plot_timeline

#: Old module names and where they live now (deprecated, removed in 0.3).
_MOVED_MODULES = {
    "distributed": "borderstrikes.dask",
    "interactive": "borderstrikes.viz.interactive",
    "plotting": "borderstrikes.viz.static",
    "readers": "borderstrikes.io",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED_MODULES:
        return importlib.import_module(f"borderstrikes.{name}")  # the alias module warns
    msg = f"module 'borderstrikes' has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = [
    "__version__",
    "advance_area",
    "areas",
    "bearing",
    "bearing_fans",
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
    "distributed",  # deprecated alias of borderstrikes.dask
    "errors",
    "explore_strikes",
    "exposure",
    "exposure_rings",
    "fan_crossings",
    "gazetteer",
    "geocode",
    "geodesic_area",
    "geodesic_buffer",
    "geodesic_distance_m",
    "geodesy",
    "get_path",
    "group_incidents",
    "io",
    "k_distance",
    "load_border",
    "load_boundaries",
    "load_claims",
    "load_lakes",
    "load_place_aliases",
    "load_places",
    "load_strikes",
    "load_timeline_marks",
    "load_weapons",
    "match_events",
    "origin",
    "plot_strikes",
    "plot_timeline",
    "point_to_segment_m",
    "range_check",
    "range_rings",
    "ranges",
    "read_acled",
    "read_gdelt_events",
    "read_strikes",
    "read_ucdp_ged",
    "readers",  # deprecated alias of borderstrikes.io
    "report_intervals",
    "report_timeline",
    "select_strike_reports",
    "settlement_exposure",
    "show_versions",
    "strike_exposure",
    "strikes",
    "timeline",
    "triangulate",
    "uncertainty",
    "validate_claims",
    "validate_strikes",
    "viz",
    "weapon_range",
    "zone_places",
    "zone_strikes",
    "zone_units",
]
