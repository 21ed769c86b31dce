"""Areas on the ellipsoid: geodesic areas and buffers, border zones and fronts."""

from __future__ import annotations

from borderstrikes.areas.core import (
    AREA_UNITS_M2,
    MAX_DEPTH_KM,
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

__all__ = [
    "AREA_UNITS_M2",
    "MAX_DEPTH_KM",
    "advance_area",
    "border_stretch",
    "buffer_scenarios",
    "buffer_zone",
    "geodesic_area",
    "geodesic_buffer",
    "zone_places",
    "zone_strikes",
    "zone_units",
]
