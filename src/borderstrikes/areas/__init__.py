"""Areas on the ellipsoid: geodesic areas and buffers, border zones and fronts.

- :mod:`~borderstrikes.areas.measure`: :func:`geodesic_area`, :func:`geodesic_buffer`;
- :mod:`~borderstrikes.areas.zones`: :func:`buffer_zone`, :func:`zone_units`,
  :func:`zone_places`, :func:`zone_strikes`, :func:`buffer_scenarios`;
- :mod:`~borderstrikes.areas.fronts`: :func:`border_stretch`, :func:`advance_area`.
"""

from __future__ import annotations

from borderstrikes.areas.fronts import advance_area, border_stretch
from borderstrikes.areas.measure import AREA_UNITS_M2, geodesic_area, geodesic_buffer
from borderstrikes.areas.zones import (
    MAX_DEPTH_KM,
    buffer_scenarios,
    buffer_zone,
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
