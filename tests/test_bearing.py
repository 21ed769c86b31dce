"""Bearings, bearing fans and triangulation against GeographicLib and brute force.

Oracles: ``geographiclib.geodesic.Geodesic.WGS84`` (the reference
implementation of the geodesic problems, independent of pyproj's C copy) for
azimuths and distances; fan membership decided point by point from the
azimuth and the length of the geodesic from the apex.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, Point

import borderstrikes as bs
from borderstrikes.errors import CRSError
from borderstrikes.geodesy.azimuth import (
    COMPASS_POINTS,
    compass_point,
    compass_sector,
    in_sector,
    inverse,
)
from borderstrikes.origin import bearing, bearing_fans, fan_crossings, triangulate

WGS = Geodesic.WGS84


def _oracle(lon1, lat1, lon2, lat2):
    """Azimuth at 1, azimuth from 2 back to 1, distance (GeographicLib)."""
    g = WGS.Inverse(lat1, lon1, lat2, lon2)
    return g["azi1"] % 360.0, (g["azi2"] + 180.0) % 360.0, g["s12"]


def _angle_diff(a, b):
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(17)
    n = 300
    lon1 = rng.uniform(-180, 180, n)
    lat1 = rng.uniform(-85, 85, n)
    # a mix of near (metres to km) and far (up to half the globe) targets
    scale = np.concatenate([rng.uniform(1e-5, 0.05, n // 2), rng.uniform(0.5, 80, n - n // 2)])
    lon2 = lon1 + rng.uniform(-1, 1, n) * scale
    lat2 = np.clip(lat1 + rng.uniform(-1, 1, n) * scale, -89.5, 89.5)
    return lon1, lat1, lon2, lat2


def test_inverse_matches_geographiclib(pairs):
    az, back, dist = inverse(*pairs)
    expected = np.array([_oracle(*row) for row in zip(*pairs, strict=True)])
    assert np.max(_angle_diff(az, expected[:, 0])) < 1e-8
    assert np.max(_angle_diff(back, expected[:, 1])) < 1e-8
    np.testing.assert_allclose(dist, expected[:, 2], rtol=0, atol=1e-6)
    assert ((az >= 0) & (az < 360) & (back >= 0) & (back < 360)).all()


def test_inverse_hand_computed_cases():
    # due north along a meridian and due east along the equator (both geodesics)
    az, back, _ = inverse([45.0, 10.0], [40.0, 0.0], [45.0, 11.0], [41.0, 0.0])
    assert az.tolist() == [0.0, 90.0]
    assert back.tolist() == [180.0, 270.0]
    # coincident points and missing coordinates have no direction
    az, back, dist = inverse([45.0, np.nan], [40.0, 40.0], [45.0, 45.0], [40.0, 40.0])
    assert np.isnan(az).all()
    assert np.isnan(back).all()
    assert dist[0] == 0.0
    assert np.isnan(dist[1])


def test_bearing_frame_any_crs_index_and_oracle(pairs):
    lon1, lat1, lon2, lat2 = (v[:40] for v in pairs)
    lat1, lat2 = np.clip(lat1, -80, 80), np.clip(lat2, -80, 80)
    index = pd.Index([f"p{i}" for i in range(40)][::-1])
    points = gpd.GeoSeries(gpd.points_from_xy(lon1, lat1), index=index, crs="EPSG:4326")
    targets = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon2, lat2), crs="EPSG:4326")
    result = bearing(points.to_crs("EPSG:3857"), targets, unit="m")
    assert result.index.equals(index)
    expected = np.array([_oracle(*row) for row in zip(lon1, lat1, lon2, lat2, strict=True)])
    assert np.max(_angle_diff(result["azimuth_deg"], expected[:, 0])) < 1e-6
    np.testing.assert_allclose(result["distance_m"], expected[:, 2], rtol=1e-9, atol=1e-3)
    assert list(result["compass"]) == list(compass_point(expected[:, 0]))


def test_bearing_errors():
    point = gpd.GeoSeries([Point(45, 40)])
    with pytest.raises(CRSError, match="no CRS"):
        bearing(point, point.set_crs(4326))
    two = gpd.GeoSeries([Point(45, 40), Point(46, 40)], crs=4326)
    three = gpd.GeoSeries([Point(45, 40)] * 3, crs=4326)
    with pytest.raises(ValueError, match="one point or one per point"):
        bearing(two, three)


def test_compass_points_and_sectors():
    assert compass_sector("NNE") == (22.5, 11.25)
    assert compass_sector("nw") == (315.0, 11.25)
    assert compass_sector(370, half_width_deg=30) == (10.0, 30.0)
    for k, name in enumerate(COMPASS_POINTS):
        assert compass_point([k * 22.5 + 11.0, k * 22.5 - 11.0]).tolist() == [name, name]
    assert in_sector([348.75, 11.25, 11.26], 348.75, 22.5).tolist() == [True, True, False]
    with pytest.raises(ValueError, match="or an azimuth in degrees"):
        compass_sector("north-ish")
    with pytest.raises(ValueError, match="compass point"):
        compass_sector(None)
    with pytest.raises(ValueError, match="half_width_deg"):
        compass_sector("N", half_width_deg=0)


def _membership(lon0, lat0, lon, lat, start, width, r0_m, r1_m):
    """Brute force: is each point in the fan? Also how far it is from the fan's edges (m)."""
    inside, margin = [], []
    for x, y in zip(lon, lat, strict=True):
        az, _, s = _oracle(lon0, lat0, x, y)
        offset = (az - start) % 360.0
        in_angle = offset <= width
        inside.append(bool(in_angle and r0_m <= s <= r1_m))
        # distance to the nearest edge: radial edges (angle off * s) or arcs (|s - r|)
        angular = min(abs(offset), abs(offset - width), abs(360.0 - offset)) * np.pi / 180 * s
        margin.append(min(angular, abs(s - r1_m), abs(s - r0_m) if r0_m > 0 else np.inf))
    return np.array(inside), np.array(margin)


@pytest.mark.parametrize(
    ("lon0", "lat0", "direction", "r0_km", "r1_km", "half"),
    [
        (45.69, 39.84, "NNE", 0.0, 15.0, None),
        (46.34, 39.51, 100.0, 2.0, 20.0, 30.0),
        (179.95, 65.0, "E", 0.0, 40.0, 45.0),  # across the antimeridian, far north
        (10.0, -30.0, "SW", 1.0, 8.0, 120.0),  # a wide fan
    ],
)
def test_fan_geometry_matches_brute_force(lon0, lat0, direction, r0_km, r1_km, half):
    crater = gpd.GeoSeries([Point(lon0, lat0)], crs="EPSG:4326")
    fan = bearing_fans(
        crater, direction=direction, max_range_km=r1_km, min_range_km=r0_km, half_width_deg=half
    ).iloc[0]
    rng = np.random.default_rng(3)
    reach = r1_km * 1000.0 * 1.2
    start, width = fan["azimuth_from_deg"], 2 * fan["half_width_deg"]
    az = start + rng.uniform(-0.5, 1.5, 700) * width  # half of them in the sector
    s = reach * np.sqrt(rng.uniform(0, 1, 700))
    lon, lat = [], []
    for a, d in zip(az, s, strict=True):
        g = WGS.Direct(lat0, lon0, a, d)
        lon.append(lon0 + ((g["lon2"] - lon0 + 180.0) % 360.0 - 180.0))
        lat.append(g["lat2"])
    expected, margin = _membership(
        lon0, lat0, lon, lat, fan["azimuth_from_deg"], 2 * fan["half_width_deg"],
        r0_km * 1000.0, r1_km * 1000.0,
    )  # fmt: skip
    got = shapely.contains_xy(fan.geometry, np.array(lon), np.array(lat))
    wrong = got != expected
    # the outline is exact at its vertices; between them only points within a metre can differ
    assert expected.sum() > 150
    assert (margin[wrong] < 1.0).all(), margin[wrong]


def test_fan_frame_shape_and_missing_rows():
    craters = gpd.GeoDataFrame(
        {"from": ["NNE", "S", "E"]},
        geometry=[Point(45.6, 39.8), None, Point(45.7, 39.7)],
        index=[10, 5, 7],
        crs="EPSG:4326",
    )
    fans = bearing_fans(craters, direction="from", max_range_km=[7.1, 15.0, 20.0])
    assert fans.crs.to_epsg() == 4326
    assert list(fans.index) == [10, 5, 7]
    assert fans.geometry.iloc[1] is None
    assert fans["azimuth_deg"].tolist() == [22.5, 180.0, 90.0]
    assert fans["azimuth_from_deg"].iloc[0] == 11.25
    with pytest.raises(ValueError, match="min_range_km"):
        bearing_fans(craters, direction="N", max_range_km=5, min_range_km=5)


def test_fan_crossings_against_brute_force():
    """A synthetic border (a geodesic) crossed by a fan: the crossed length and distances."""
    border = gpd.GeoDataFrame(
        {"section": ["s1"], "country_a": ["ARM"], "country_b": ["AZE"]},
        geometry=[LineString([(45.80, 39.60), (45.80, 40.10)])],
        crs="EPSG:4326",
    )
    apex = (45.60, 39.85)
    crater = gpd.GeoSeries([Point(*apex)], crs="EPSG:4326")
    fans = bearing_fans(crater, direction=90.0, half_width_deg=20.0, max_range_km=30.0)
    hits = fan_crossings(fans, border=border, step_m=20.0)
    section = hits[hits["kind"] == "section"].iloc[0]
    # brute force: sample the border densely, keep the samples inside the fan by azimuth
    line = WGS.InverseLine(39.60, 45.80, 40.10, 45.80)
    s = np.linspace(0.0, line.s13, 4001)
    dist, inside = [], []
    for t in s:
        g = line.Position(t)
        az, _, d = _oracle(apex[0], apex[1], g["lon2"], g["lat2"])
        inside.append(_angle_diff(az, 90.0) <= 20.0 and d <= 30_000.0)
        dist.append(d)
    dist, inside = np.array(dist), np.array(inside)
    step = s[1] - s[0]
    assert section["name"] == "s1"
    assert section["nearest_km"] == pytest.approx(dist[inside].min() / 1000, abs=0.005)
    assert section["farthest_km"] == pytest.approx(dist[inside].max() / 1000, abs=0.02)
    assert section["length_km"] == pytest.approx(inside.sum() * step / 1000, abs=2 * step / 1000)


def _grid_counts(fans, lon, lat):
    counts = np.zeros(lon.size, dtype=int)
    for _, fan in fans.iterrows():
        inside, _ = _membership(
            fan["apex_lon"], fan["apex_lat"], lon, lat, fan["azimuth_from_deg"],
            2 * fan["half_width_deg"], fan["min_range_km"] * 1000, fan["max_range_km"] * 1000,
        )  # fmt: skip
        counts += inside
    return counts


def test_triangulate_against_brute_force_counts():
    craters = gpd.GeoSeries(
        [Point(45.60, 39.80), Point(45.75, 39.70), Point(45.62, 39.62)],
        index=["a", "b", "c"],
        crs="EPSG:4326",
    )
    fans = bearing_fans(craters, direction=["E", "NE", 60.0], max_range_km=25, half_width_deg=15)
    result = triangulate(fans)
    assert result.crs.to_epsg() == 4326
    top = result.iloc[0]
    rng = np.random.default_rng(5)
    lon = rng.uniform(45.55, 46.10, 1500)
    lat = rng.uniform(39.55, 40.05, 1500)
    counts = _grid_counts(fans, lon, lat)
    assert int(top.name) == counts.max() == 3
    assert top["fans"] == "a;b;c"
    assert top["n_fans"] == 3
    in_area = shapely.contains_xy(top.geometry, lon, lat)
    assert (counts[in_area] == 3).all()
    assert (in_area[counts == 3]).all()
    # every level k covers exactly the points counted by at least k fans (off the outlines)
    for k, row in result.iterrows():
        got = shapely.contains_xy(row.geometry, lon, lat)
        assert (got == (counts >= k)).mean() > 0.995
    # the centroid lies in the area and radius_km bounds the area's points
    assert top.geometry.contains(Point(top["centroid_lon"], top["centroid_lat"]))
    far = max(
        _oracle(top["centroid_lon"], top["centroid_lat"], x, y)[2]
        for x, y in zip(lon[in_area], lat[in_area], strict=True)
    )
    assert far / 1000 <= top["radius_km"] + 1e-6


def test_triangulate_without_overlap_and_errors():
    craters = gpd.GeoSeries([Point(45.0, 39.0), Point(46.0, 40.0)], crs="EPSG:4326")
    fans = bearing_fans(craters, direction=["W", "E"], max_range_km=5)
    result = triangulate(fans)
    assert list(result.index) == [1]
    with pytest.raises(ValueError, match="no geometry"):
        triangulate(fans.set_geometry(gpd.GeoSeries([None, None], crs="EPSG:4326")))


def test_distance_to_border_azimuth_to_the_foot():
    """The azimuth column points at the foot: GeographicLib's azimuth and length agree."""
    border = gpd.GeoDataFrame(
        {"section": ["s"], "country_a": ["ARM"], "country_b": ["AZE"]},
        geometry=[LineString([(45.0, 39.5), (45.2, 39.9), (45.1, 40.3)])],
        crs="EPSG:4326",
    )
    rng = np.random.default_rng(8)
    lon = rng.uniform(44.7, 45.5, 30)
    lat = rng.uniform(39.4, 40.4, 30)
    points = gpd.GeoSeries(
        [*gpd.points_from_xy(lon, lat), None, Point(45.0, 39.5)],
        index=range(100, 132),
        crs="EPSG:4326",
    )
    table = bs.distance_to_border(points, border, unit="m", azimuth=True)
    assert table.index.equals(points.index)
    for (_, row), point in zip(table.iloc[:30].iterrows(), points.iloc[:30], strict=True):
        g = WGS.Inverse(point.y, point.x, row["foot_lat"], row["foot_lon"])
        assert _angle_diff(row["azimuth_deg"], g["azi1"] % 360.0) < 1e-6
        assert row["distance_m"] == pytest.approx(g["s12"], abs=1e-3)
    assert np.isnan(table["azimuth_deg"].iloc[30])  # missing point
    assert np.isnan(table["azimuth_deg"].iloc[31])  # on the line: no direction
    assert "azimuth_deg" not in bs.distance_to_border(points.iloc[:2], border).columns


def test_cli_fans_prints_crossings_and_writes_geojson(capsys, tmp_path):
    from borderstrikes.cli import main

    assert main(["fans", "--direction", "E", "--max-range-km", "15", "--triangulate"]) == 0
    out = capsys.readouterr().out
    assert "fan(s): fire from E" in out
    assert "most likely origin" in out
    target = tmp_path / "fans.geojson"
    args = ["fans", "--direction", "NNE", "--max-range-km", "7.1", "-o", str(target)]
    assert main(args) == 0
    written = gpd.read_file(target)
    assert written.crs.to_epsg() == 4326
    assert set(written["azimuth_deg"]) == {22.5}
