"""One WGS84 ellipsoid, its constants and the unit tables of the package."""

from __future__ import annotations

from types import MappingProxyType

from pyproj import Geod

__all__ = ["A_M", "B_M", "E2", "GEOD", "NS_PER_HOUR", "UNITS_M", "WGS84", "F"]

#: The CRS of every geodesic computation: longitude/latitude on WGS84.
WGS84 = "EPSG:4326"
#: The one geodesic solver of the package (GeographicLib through pyproj).
GEOD = Geod(ellps="WGS84")
#: Semi-major axis (m), flattening, semi-minor axis (m) and first eccentricity squared,
#: all taken from :data:`GEOD` so that no second copy of the ellipsoid exists.
A_M = float(GEOD.a)
F = float(GEOD.f)
B_M = float(GEOD.b)
E2 = float(GEOD.es)
#: Metres per distance unit accepted by ``unit=`` arguments (nmi: international nautical mile).
UNITS_M = MappingProxyType({"m": 1.0, "km": 1000.0, "nmi": 1852.0})
NS_PER_HOUR = 3_600_000_000_000
