"""The side of a point agrees with the geodesic line its distance is measured to.

Oracles are constructions, never borderstrikes' own output: a point placed with
``pyproj.Geod.fwd`` along an edge's geodesic normal is on the side it was placed
on; which country that side belongs to is read from the shipped polygons 50 m
out along the same normal at the edge's middle, where a straight lon/lat edge
(as the polygons draw it) and the geodesic edge cannot disagree (they part by
at most 0.46 m on the shipped border).
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from borderstrikes import datasets
from borderstrikes.border import distance_to_border

sys.path.insert(0, str(Path(__file__).parent))
from _hypothesis_profiles import EXAMPLES

GEOD = Geod(ellps="WGS84")
COUNTRIES = datasets.load_boundaries(0)


def _edges():
    rows = []
    for geom in datasets.load_border().geometry:
        for part in shapely.get_parts(geom):
            xy = shapely.get_coordinates(part)
            rows.extend(np.hstack([xy[:-1], xy[1:]]))
    edges = np.asarray(rows)
    az, _, length = GEOD.inv(*edges.T)
    return edges, np.asarray(az), np.asarray(length)


EDGES, AZIMUTH, LENGTH = _edges()


def _country(lon, lat):
    for code, geom in zip(COUNTRIES["iso3"], COUNTRIES.geometry, strict=True):
        if shapely.contains_xy(geom, lon, lat):
            return code
    return None


def _left_right():
    """Countries 50 m left and right of every edge's geodesic midpoint (by polygon)."""
    mid_lon, mid_lat, back = GEOD.fwd(EDGES[:, 0], EDGES[:, 1], AZIMUTH, LENGTH / 2)
    track = np.asarray(back) + 180.0
    names = []
    for turn in (-90.0, 90.0):
        x, y, _ = GEOD.fwd(mid_lon, mid_lat, track + turn, np.full(track.size, 50.0))
        names.append([_country(a, b) for a, b in zip(x, y, strict=True)])
    return names


LEFT, RIGHT = _left_right()
# Edges with a country on each side (not water), long enough that 1 m off their inner
# 96 % never comes near another edge.
KNOWN = np.array([x is not None and y is not None for x, y in zip(LEFT, RIGHT, strict=True)])
USABLE = np.flatnonzero((LENGTH > 100.0) & KNOWN & (np.array(LEFT) != np.array(RIGHT)))


def _points(lon, lat):
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def _placed(edge, fraction, offset_m, left):
    """A point ``offset_m`` along the geodesic normal at ``fraction`` of an edge."""
    lon, lat, back = GEOD.fwd(
        EDGES[edge, 0], EDGES[edge, 1], AZIMUTH[edge], fraction * LENGTH[edge]
    )
    track = np.asarray(back) + 180.0
    x, y, _ = GEOD.fwd(lon, lat, track + np.where(left, -90.0, 90.0), offset_m)
    return np.asarray(x), np.asarray(y)


def test_most_edges_are_testable():
    assert USABLE.size > 0.9 * len(EDGES)


@settings(max_examples=EXAMPLES["property"])
@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(USABLE.tolist()),
            st.floats(0.02, 0.98),
            st.floats(1e-3, 1.0),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_sign_is_the_side_of_the_geodesic_edge(picks):
    edge, fraction, offset, left = (np.array(v) for v in zip(*picks, strict=True))
    lon, lat = _placed(edge, fraction, offset, left)
    expected = np.where(left, np.array(LEFT, dtype=object)[edge], np.array(RIGHT)[edge])
    result = distance_to_border(_points(lon, lat), unit="m")
    assert result["side"].tolist() == expected.tolist()
    signed = result["signed_distance_m"].to_numpy()
    np.testing.assert_array_equal(signed > 0, expected == "ARM")
    np.testing.assert_array_equal(np.abs(signed), result["distance_m"].to_numpy())


def test_every_edge_both_sides_at_1_mm_and_1_m():
    """All usable edges at once: 4 points each (1 mm and 1 m, left and right)."""
    edge = np.repeat(USABLE, 4)
    offset = np.tile([1e-3, 1e-3, 1.0, 1.0], USABLE.size)
    left = np.tile([True, False, True, False], USABLE.size)
    lon, lat = _placed(edge, 0.5, offset, left)
    expected = np.where(left, np.array(LEFT, dtype=object)[edge], np.array(RIGHT)[edge])
    result = distance_to_border(_points(lon, lat), unit="m")
    assert result["side"].tolist() == expected.tolist()
    np.testing.assert_array_equal(result["signed_distance_m"].to_numpy() > 0, expected == "ARM")


def test_nakhchivan_sliver_takes_the_side_of_the_geodesic():
    """117 points between the 5.1 km Nakhchivan edge and its straight lon/lat chord.

    The polygons draw the edge straight in lon/lat; the distance is measured to
    the geodesic, which bows 0.46 m away. A point between the two lies on the
    chord's side the polygon names, but across the geodesic, in the other country.
    """
    a = np.array([44.77301, 39.7182])
    b = np.array([44.83064, 39.73113])
    az, _, length = GEOD.inv(*a, *b)
    t = np.linspace(0.05, 0.95, 117)
    geo_lon, geo_lat, _ = GEOD.fwd(
        np.full(t.size, a[0]), np.full(t.size, a[1]), np.full(t.size, az), t * length
    )
    lin = a + t[:, None] * (b - a)
    lon = (np.asarray(geo_lon) + lin[:, 0]) / 2
    lat = (np.asarray(geo_lat) + lin[:, 1]) / 2
    by_polygon = [_country(x, y) for x, y in zip(lon, lat, strict=True)]
    assert set(by_polygon) in ({"ARM"}, {"AZE"})  # all in the sliver, on one side of the chord
    other = "AZE" if by_polygon[0] == "ARM" else "ARM"
    result = distance_to_border(_points(lon, lat), unit="m")
    assert (result["distance_m"] > 0.01).all()
    assert (result["side"] == other).all()
    assert ((result["signed_distance_m"] > 0) == (other == "ARM")).all()
    assert (result["neighbour"] == by_polygon[0]).all()
