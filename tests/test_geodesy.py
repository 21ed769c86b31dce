"""Tests of borderstrikes.geodesy against GeographicLib (pyproj.Geod) oracles.

Every expected value is computed here, independently of the code under test:
either from a closed form that GeographicLib evaluates (a point placed with
Geod.fwd at a known distance from a known foot), or by the brute-force
GeographicLib oracle of ``tests/oracles.py`` (dense sampling of each geodesic
edge with Geod.fwd/Geod.inv, then golden-section refinement). The oracle itself
is checked here against constructed distances.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from borderstrikes.errors import GeometryError
from borderstrikes.geodesy import BorderIndex, geodesic_distance_m, point_to_segment_m

sys.path.insert(0, str(Path(__file__).parent))
import oracles

GEOD = Geod(ellps="WGS84")


def brute_segment(lon, lat, lon_a, lat_a, lon_b, lat_b):
    """Distance from each point to its own geodesic segment A-B (the oracle)."""
    return oracles.distance_to_segment(lon, lat, lon_a, lat_a, lon_b, lat_b)[0]


def _brute_polyline(lon, lat, parts):
    """Distance from each point to the polyline (the oracle)."""
    return oracles.distance_to_line(lon, lat, parts)[0]


# ----------------------------------------------------------------- the oracle itself


def test_oracle_recovers_constructed_distances():
    # Points at a known distance d from a known foot F inside a segment, along the
    # geodesic that leaves the segment at right angles at F (anywhere, at 70 N across
    # the antimeridian, 1 cm to 300 km away), and beyond an end along the segment's
    # continuation (1 cm to 1,000 km): the foot, or the end, is the nearest point.
    rng = np.random.default_rng(42)
    n = 200
    lon_a = np.r_[rng.uniform(-180, 180, n), rng.uniform(179, 180, n)]
    lat_a = np.r_[rng.uniform(-75, 75, n), rng.uniform(69, 71, n)]
    az = rng.uniform(-180, 180, 2 * n)
    length = 10 ** rng.uniform(1, 5.5, 2 * n)  # 10 m to 316 km
    lon_b, lat_b, back_b = GEOD.fwd(lon_a, lat_a, az, length)
    frac = rng.uniform(0.02, 0.98, 2 * n)
    fx, fy, back = GEOD.fwd(lon_a, lat_a, az, frac * length)
    d = np.minimum(10 ** rng.uniform(-2, 5.5, 2 * n), 0.3 * np.minimum(frac, 1 - frac) * length)
    px, py, _ = GEOD.fwd(fx, fy, back + 180 + rng.choice([90, -90], 2 * n), d)
    got, flon, flat = oracles.distance_to_segment(px, py, lon_a, lat_a, lon_b, lat_b)
    np.testing.assert_allclose(got, d, rtol=0, atol=1e-6)
    # the distance is flat at its minimum (it grows by s^2 / 2d a distance s from the
    # foot), so the foot is only pinned down to sqrt(d * 2e-8 m): 1.4 mm at 100 m
    assert (GEOD.inv(flon, flat, fx, fy)[2] <= 1e-6 + np.sqrt(d * 2e-8)).all()
    beyond = 10 ** rng.uniform(-2, 6, 2 * n)
    ex, ey, _ = GEOD.fwd(lon_b, lat_b, back_b + 180, beyond)
    got, flon, flat = oracles.distance_to_segment(ex, ey, lon_a, lat_a, lon_b, lat_b)
    np.testing.assert_allclose(got, beyond, rtol=0, atol=1e-6)
    assert GEOD.inv(flon, flat, lon_b, lat_b)[2].max() < 1e-6
    on = GEOD.fwd(lon_a, lat_a, az, 0.4 * length)[:2]
    assert oracles.distance_to_segment(*on, lon_a, lat_a, lon_b, lat_b)[0].max() < 1e-6
    # the equator and a meridian cross at right angles; two parts, NaN points
    lon, lat = np.array([10.1, 10.5, np.nan, 10.9]), np.array([0.01, 0.3, 1.0, 2.0])
    parts = [np.array([(10.0, 0.0), (11.0, 0.0)]), np.array([(20.0, 0.0), (20.0, 1.0)])]
    got, flon, flat = oracles.distance_to_line(lon, lat, parts)
    expected = GEOD.inv(lon, 0 * lat, lon, lat)[2]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(flon, lon, rtol=0, atol=1e-9)
    np.testing.assert_allclose(flat[[0, 1, 3]], 0.0, rtol=0, atol=1e-9)
    assert np.isnan(flat[2])


# ----------------------------------------------------------------- geodesic_distance_m


def test_geodesic_distance_matches_geod_inv():
    rng = np.random.default_rng(1)
    lon1, lat1 = rng.uniform(-180, 180, 50), rng.uniform(-89, 89, 50)
    lon2, lat2 = rng.uniform(-180, 180, 50), rng.uniform(-89, 89, 50)
    expected = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    np.testing.assert_array_equal(geodesic_distance_m(lon1, lat1, lon2, lat2), expected)


def test_geodesic_distance_scalar_broadcast_and_nan():
    assert isinstance(geodesic_distance_m(45.0, 40.0, 45.0, 40.0), float)
    out = geodesic_distance_m([[45.0], [46.0]], 40.0, [45.0, 47.0], 40.0)
    assert out.shape == (2, 2)
    assert np.isnan(geodesic_distance_m(np.nan, 40.0, 45.0, 40.0))


# ----------------------------------------------------------------- point_to_segment_m


def test_point_to_segment_against_brute_force():
    rng = np.random.default_rng(7)
    n = 120
    lon_a, lat_a = rng.uniform(-170, 170, n), rng.uniform(-75, 75, n)
    az = rng.uniform(-180, 180, n)
    length = 10 ** rng.uniform(1, 5.5, n)  # 10 m to 316 km
    lon_b, lat_b, _ = GEOD.fwd(lon_a, lat_a, az, length)
    dist = 10 ** rng.uniform(-2, 6, n)  # 1 cm to 1000 km away
    lon, lat, _ = GEOD.fwd(lon_a, lat_a, rng.uniform(-180, 180, n), dist)
    got = point_to_segment_m(lon, lat, lon_a, lat_a, lon_b, lat_b)[0]
    expected = brute_segment(lon, lat, lon_a, lat_a, lon_b, lat_b)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-3)


def test_equator_segment_foot_at_same_longitude():
    # The equator and every meridian are geodesics and cross at right angles,
    # so a point north of an equator segment has its foot on the equator at its
    # own longitude, and the distance is the meridian arc Geod.inv gives.
    lon = np.array([10.1, 10.5, 10.9])
    lat = np.array([0.01, 0.3, 2.0])
    d, flon, flat = point_to_segment_m(lon, lat, 10.0, 0.0, 11.0, 0.0)
    np.testing.assert_allclose(d, GEOD.inv(lon, 0 * lat, lon, lat)[2], rtol=0, atol=1e-4)
    np.testing.assert_allclose(flon, lon, rtol=0, atol=1e-9)
    np.testing.assert_allclose(flat, 0.0, rtol=0, atol=1e-9)


def test_meridian_segment_foot_is_not_at_the_same_latitude():
    # The geodesic leaving a meridian at right angles (azimuth 90) from a foot F
    # reaches P = Geod.fwd(F, 90, d); it meets the meridian perpendicularly, so F
    # is the nearest point and the distance is d. On the ellipsoid P's latitude
    # is lower than F's: the foot of "due east" is not at the same latitude.
    foot_lat = np.array([40.2, 40.5, 40.8])
    d = np.array([1_000.0, 50_000.0, 150_000.0])
    lon, lat, _ = GEOD.fwd(np.full(3, 45.0), foot_lat, np.full(3, 90.0), d)
    assert (lat < foot_lat).all()
    got, flon, flat = point_to_segment_m(lon, lat, 45.0, 40.0, 45.0, 41.0)
    np.testing.assert_allclose(got, d, rtol=0, atol=1e-4)
    np.testing.assert_allclose(flon, 45.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(flat, foot_lat, rtol=0, atol=1e-8)  # ~1 mm


def test_antimeridian_segment_at_70_north():
    # A segment across the antimeridian at 70 N. Points are placed at distance d
    # from a foot F inside the segment along the perpendicular geodesic (azimuth
    # of the segment at F plus or minus 90), and beyond end B along the
    # segment's own continuation, where B is the nearest point.
    lon_a, lat_a, lon_b, lat_b = 179.6, 70.0, -179.4, 70.3
    az, _, length = GEOD.inv(lon_a, lat_a, lon_b, lat_b)
    s = np.array([0.2, 0.5, 0.8]) * length
    fx, fy, back = GEOD.fwd(np.full(3, lon_a), np.full(3, lat_a), np.full(3, az), s)
    d = np.array([30.0, 20_000.0, 90_000.0])
    px, py, _ = GEOD.fwd(fx, fy, back + 180 + np.array([90, -90, 90]), d)
    got, flon, flat = point_to_segment_m(px, py, lon_a, lat_a, lon_b, lat_b)
    np.testing.assert_allclose(got, d, rtol=0, atol=1e-4)
    assert GEOD.inv(flon, flat, fx, fy)[2].max() < 0.01
    _, az_b, _ = GEOD.inv(lon_a, lat_a, lon_b, lat_b)
    ex, ey, _ = GEOD.fwd(lon_b, lat_b, az_b + 180, 5_000.0)
    got, flon, flat = point_to_segment_m(ex, ey, lon_a, lat_a, lon_b, lat_b)
    assert got == pytest.approx(5_000.0, abs=1e-4)
    assert (flon, flat) == (lon_b, lat_b)


def test_point_on_segment_and_vertex():
    lon_a, lat_a, lon_b, lat_b = 45.1, 40.2, 45.3, 40.25
    az, _, length = GEOD.inv(lon_a, lat_a, lon_b, lat_b)
    x, y, _ = GEOD.fwd(np.full(3, lon_a), np.full(3, lat_a), np.full(3, az), [0.3 * length, 0, 1])
    d, flon, flat = point_to_segment_m(x, y, lon_a, lat_a, lon_b, lat_b)
    assert d.max() < 1e-3
    assert GEOD.inv(flon, flat, x, y)[2].max() < 0.01
    d, flon, flat = point_to_segment_m(lon_b, lat_b, lon_a, lat_a, lon_b, lat_b)
    assert d < 1e-3
    assert (flon, flat) == (lon_b, lat_b)


def test_point_to_segment_nan_and_degenerate():
    d, flon, flat = point_to_segment_m([np.nan, 45.2], [40.0, 40.1], 45.0, 40.0, 45.0, 40.0)
    assert np.isnan(d[0])
    assert np.isnan(flon[0])
    assert np.isnan(flat[0])
    assert d[1] == pytest.approx(GEOD.inv(45.2, 40.1, 45.0, 40.0)[2], abs=1e-6)


# ----------------------------------------------------------------- BorderIndex

ZIGZAG = [np.array([(44.0, 39.0), (44.3, 39.6), (44.1, 40.1), (44.6, 40.4), (44.4, 41.0)])]
TWO_PARTS = [*ZIGZAG, np.array([(45.2, 39.4), (45.0, 39.8), (45.3, 40.0)])]


@pytest.mark.parametrize("margin_m", [300_000.0, 1.0])
def test_border_index_matches_brute_force(margin_m):
    # margin_m=1 leaves almost every point outside the grid: the fallback path.
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(43.0, 46.5, 60), rng.uniform(38.5, 41.5, 60)
    index = BorderIndex(TWO_PARTS, margin_m=margin_m)
    got = index.query(lon, lat)
    expected = _brute_polyline(lon, lat, TWO_PARTS)
    np.testing.assert_allclose(got["distance_m"], expected, rtol=0, atol=1e-3)
    np.testing.assert_allclose(
        GEOD.inv(got["foot_lon"], got["foot_lat"], lon, lat)[2], got["distance_m"], atol=1e-3
    )
    assert set(np.unique(got["part"])) <= {0, 1}


def test_border_index_far_points_use_the_exact_fallback():
    index = BorderIndex(TWO_PARTS)
    lon = np.array([0.0, -120.0, 150.0, 44.3])
    lat = np.array([51.5, 40.0, -30.0, -60.0])
    got = index.query(lon, lat)
    expected = _brute_polyline(lon, lat, TWO_PARTS)
    np.testing.assert_allclose(got["distance_m"], expected, rtol=0, atol=1e-3)


def test_border_index_across_the_antimeridian():
    part = np.array([(179.2, 69.8), (179.9, 70.1), (-179.5, 70.0), (-178.9, 70.4)])
    rng = np.random.default_rng(11)
    lon = (rng.uniform(178.0, 182.0, 40) + 180.0) % 360.0 - 180.0
    lat = rng.uniform(69.0, 71.0, 40)
    got = BorderIndex([part]).query(lon, lat)
    expected = _brute_polyline(lon, lat, [part])
    np.testing.assert_allclose(got["distance_m"], expected, rtol=0, atol=1e-3)


def test_border_index_vertices_missing_points_and_permutation():
    index = BorderIndex(TWO_PARTS)
    vertices = np.concatenate(TWO_PARTS)
    lon = np.r_[vertices[:, 0], np.nan, 44.9]
    lat = np.r_[vertices[:, 1], np.nan, 40.0]
    got = index.query(lon, lat)
    k = len(vertices)
    assert got["distance_m"][:k].max() < 1e-3
    np.testing.assert_array_equal(got["foot_lon"][:k], vertices[:, 0])
    np.testing.assert_array_equal(got["foot_lat"][:k], vertices[:, 1])
    assert np.isnan(got["distance_m"][k])
    assert got["segment"][k] == -1
    assert got["part"][k] == -1
    order = np.random.default_rng(0).permutation(lon.size)
    again = BorderIndex(TWO_PARTS).query(lon[order], lat[order])
    for key, values in got.items():
        np.testing.assert_array_equal(again[key], values[order])


def test_border_index_long_edges():
    # One 900 km geodesic edge (split internally into <= 20 km pieces) and
    # points up to ~400 km from it, against the brute force on the whole edge.
    part = np.array([(40.0, 38.0), (50.0, 42.0)])
    rng = np.random.default_rng(12)
    lon, lat = rng.uniform(39.0, 51.0, 40), rng.uniform(36.0, 44.0, 40)
    got = BorderIndex([part]).query(lon, lat)
    expected = _brute_polyline(lon, lat, [part])
    np.testing.assert_allclose(got["distance_m"], expected, rtol=0, atol=1e-3)
    assert (got["part"] == 0).all()


def test_border_index_empty_query():
    got = BorderIndex(ZIGZAG).query([], [])
    assert got["distance_m"].shape == (0,)
    assert got["segment"].dtype == np.int64


def test_border_index_rejects_bad_lines():
    with pytest.raises(GeometryError, match="two distinct vertices"):
        BorderIndex([np.array([(45.0, 40.0), (45.0, 40.0)])])
    with pytest.raises(GeometryError, match="non-finite"):
        BorderIndex([np.array([(45.0, 40.0), (np.nan, 40.0)])])


# ----------------------------------------------------------------- one accuracy contract

# The contract stated in README, BorderIndex and distance_to_border: within 1 µm of
# the exact geodesic distance at every distance up to 2,000 km. The oracle is itself
# exact to 1 µm, so the test allows 2 µm.
CONTRACT_M = 2e-6
BANDS_M = [(0.0, 1e3), (1e3, 1e4), (1e4, 1e5), (1e5, 4e5), (4e5, 2e6)]
# A user border with short edges and one 1,400 km edge (split into 20 km pieces).
USER_LINES = [
    np.array([(44.0, 40.0), (44.6, 40.3), (45.5, 40.1), (46.2, 40.9)]),
    np.array([(47.0, 38.5), (47.5, 39.5)]),
    np.array([(10.0, 50.0), (25.0, 45.0)]),
]


@pytest.fixture(scope="module")
def shipped_lines():
    from borderstrikes.datasets import load_border

    return oracles.line_parts(load_border())


def _band_points(lines, lo, hi, n, seed):
    """Points ``lo``-``hi`` metres from random vertices, in random directions."""
    rng = np.random.default_rng(seed)
    vertices = np.concatenate(lines)
    start = vertices[rng.integers(0, len(vertices), n)]
    lon, lat, _ = GEOD.fwd(
        start[:, 0], start[:, 1], rng.uniform(-180, 180, n), rng.uniform(lo, hi, n)
    )
    return np.asarray(lon), np.asarray(lat)


@pytest.mark.parametrize("which", ["shipped", "user"])
def test_accuracy_contract_in_every_distance_band(which, shipped_lines):
    lines = shipped_lines if which == "shipped" else USER_LINES
    index = BorderIndex(lines)
    seen = []
    for number, (lo, hi) in enumerate(BANDS_M):
        lon, lat = _band_points(lines, lo, hi, 40, seed=number)
        expected = _brute_polyline(lon, lat, lines)
        got = index.query(lon, lat)["distance_m"]
        assert np.abs(got - expected).max() <= CONTRACT_M, (lo, hi)
        seen.append(expected.max())
    assert max(seen) > 1.5e6  # the last band reaches well past 1,500 km


def test_index_of_a_border_spread_over_continents_is_bounded():
    """Five long edges on five continents: bounded build, exact answers."""
    import tracemalloc

    parts = [
        np.array([(2.0, 48.0), (12.0, 45.0)]),
        np.array([(20.0, -5.0), (30.0, 2.0)]),
        np.array([(-60.0, -20.0), (-50.0, -10.0)]),
        np.array([(100.0, 30.0), (110.0, 35.0)]),
        np.array([(140.0, -30.0), (150.0, -25.0)]),
    ]
    tracemalloc.start()
    try:
        index = BorderIndex(parts)
        rng = np.random.default_rng(21)
        vertices = np.concatenate(parts)
        start = vertices[rng.integers(0, len(vertices), 40)]
        near_lon, near_lat, _ = GEOD.fwd(
            start[:, 0], start[:, 1], rng.uniform(-180, 180, 40), rng.uniform(0, 5e5, 40)
        )
        lon = np.r_[near_lon, rng.uniform(-180, 180, 20)]
        lat = np.r_[near_lat, rng.uniform(-70, 70, 20)]
        got = index.query(lon, lat)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200e6  # before: a 4.3 GB slot table and 3.4e8 cell-segment pairs
    assert index._nx * index._ny <= 4 * (1 << 22)
    expected = _brute_polyline(lon, lat, parts)
    np.testing.assert_allclose(got["distance_m"][:40], expected[:40], rtol=0, atol=CONTRACT_M)
    np.testing.assert_allclose(got["distance_m"][40:], expected[40:], rtol=0, atol=1e-4)
