"""Geodesic computations on the WGS84 ellipsoid: arrays in, arrays out.

The lowest computing layer of borderstrikes. It works on plain arrays of
longitudes and latitudes in degrees and imports only numpy, pyproj, shapely
and :mod:`borderstrikes._core`; the GeoDataFrame-level functions of the
analysis layer (:mod:`borderstrikes.border`, :mod:`borderstrikes.areas`, ...)
are built on it.

Conventions, for every function here:

- the ellipsoid is WGS84 and every geodesic problem is solved by
  GeographicLib through :class:`pyproj.Geod` (:data:`GEOD`);
- a line's edges are geodesics between consecutive vertices (as PostGIS
  ``geography`` treats them), not straight lines in longitude/latitude;
- distances are in metres and azimuths in degrees clockwise from north.
"""

from __future__ import annotations

from borderstrikes._core.constants import GEOD
from borderstrikes.geodesy.index import BorderIndex
from borderstrikes.geodesy.segment import geodesic_distance_m, point_to_segment_m

__all__ = ["GEOD", "BorderIndex", "geodesic_distance_m", "point_to_segment_m"]
