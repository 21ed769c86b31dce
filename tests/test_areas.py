"""Areas and buffer zones, against oracles that do not use the code under test.

Oracles:
- the closed-form area of an ellipsoidal zone between two parallels;
- the planar area in a Lambert azimuthal equal-area projection (an authalic projection of the
  ellipsoid) after densifying every geodesic edge to 10 m;
- for buffer zones, the exact geodesic distance to the border, approximated by the straight
  3-D (ECEF) distance to the nearest vertex of the border densified to 10 m along its
  geodesic edges (error below 1 cm at 20 km), and a grid integration of that distance.
"""

import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

from borderstrikes import datasets
from borderstrikes.areas import (
    AREA_UNITS_M2,
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
from borderstrikes.errors import (
    BorderstrikesWarning,
    CRSError,
    GeometryError,
    UnknownCountryError,
)

GEOD = Geod(ellps="WGS84")
ECEF = Transformer.from_crs("EPSG:4326", "EPSG:4978", always_xy=True)
A_M = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)


# ----------------------------------------------------------------------------- oracles


def zone_area_m2(lat_deg):
    """Area of the ellipsoid between the equator and latitude lat (whole circle of longitude)."""
    e = math.sqrt(E2)
    s = np.sin(np.radians(lat_deg))
    b2 = A_M**2 * (1 - E2)
    return 2 * math.pi * b2 * (s / (2 * (1 - E2 * s * s)) + np.arctanh(e * s) / (2 * e))


def densify_geodesic(coords, step_m):
    """Points every <= step_m along each geodesic edge (pyproj.Geod.inv_intermediate)."""
    out = []
    for (x1, y1), (x2, y2) in itertools.pairwise(coords):
        out.append([(x1, y1)])
        if GEOD.inv(x1, y1, x2, y2)[2] <= step_m:
            continue
        mid = GEOD.inv_intermediate(
            x1,
            y1,
            x2,
            y2,
            del_s=step_m,
            initial_idx=1,
            terminus_idx=1,
            return_back_azimuth=True,
        )
        out.append(list(zip(mid.lons, mid.lats, strict=True)))
    out.append([tuple(coords[-1])])
    return np.array([p for chunk in out for p in chunk])


def laea_area_m2(coords, step_m=10.0):
    lon0, lat0 = np.mean(coords[:-1], axis=0)
    laea = Transformer.from_crs(
        "EPSG:4326", f"+proj=laea +lat_0={lat0} +lon_0={lon0} +ellps=WGS84", always_xy=True
    )
    dense = densify_geodesic(coords, step_m)
    x, y = laea.transform(dense[:, 0], dense[:, 1])
    return shapely.Polygon(np.column_stack([x, y])).area


def border_tree(lines, step_m=10.0):
    points = np.vstack([densify_geodesic(np.asarray(c), step_m) for c in lines])
    x, y, z = ECEF.transform(points[:, 0], points[:, 1], np.zeros(len(points)))
    return cKDTree(np.column_stack([x, y, z]))


def oracle_distance_m(tree, lon, lat, upper_m=np.inf):
    x, y, z = ECEF.transform(lon, lat, np.zeros(len(lon)))
    distance, _ = tree.query(np.column_stack([x, y, z]), distance_upper_bound=upper_m)
    return distance


def border_lines():
    lines = []
    for geom in datasets.load_border().geometry:
        parts = geom.geoms if geom.geom_type == "MultiLineString" else [geom]
        lines.extend(np.asarray(p.coords)[:, :2] for p in parts)
    return lines


@pytest.fixture(scope="module")
def armenia():
    return datasets.load_boundaries(0, countries=["ARM"]).geometry.union_all()


@pytest.fixture(scope="module")
def tree():
    return border_tree(border_lines())


@pytest.fixture(scope="module")
def zones():
    return {depth: buffer_zone(depth_km=depth) for depth in (5, 20)}


# ----------------------------------------------------------------------------- geodesic_area


def test_lat_lon_box_matches_closed_form_zone_area():
    lons = np.linspace(44.0, 46.0, 2001)  # parallels densified to 0.001 deg: chords ~ parallels
    ring = np.vstack(
        [
            np.column_stack([lons, np.full_like(lons, 39.0)]),
            np.column_stack([lons[::-1], np.full_like(lons, 41.0)]),
            [[44.0, 39.0]],
        ]
    )
    box = gpd.GeoSeries([shapely.Polygon(ring)], crs="EPSG:4326")
    expected = (zone_area_m2(41.0) - zone_area_m2(39.0)) * 2.0 / 360.0
    assert geodesic_area(box, unit="m2").iloc[0] == pytest.approx(expected, rel=1e-8)


def test_polar_cap_matches_closed_form():
    # A ring along the parallel 80 N, densified to 0.01 deg of longitude, encloses the pole.
    # Each geodesic chord bulges poleward by about 4 mm, 2e-8 of the cap area in total.
    lons = np.linspace(-180.0, 180.0, 36001)
    cap = gpd.GeoSeries([shapely.Polygon(np.column_stack([lons, np.full_like(lons, 80.0)]))])
    cap = cap.set_crs("EPSG:4326")
    expected = zone_area_m2(90.0) - zone_area_m2(80.0)
    assert geodesic_area(cap, unit="km2").iloc[0] == pytest.approx(expected / 1e6, rel=1e-7)


def test_geodesic_quadrilateral_matches_laea_planar_area():
    # Built with Geod.fwd: 30 km north, then 40 km east from both ends (not a closed
    # "rectangle" on the ellipsoid, but every edge is a geodesic).
    lon0, lat0 = 45.3, 40.1
    lon1, lat1, _ = GEOD.fwd(lon0, lat0, 0.0, 30_000.0)
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, 90.0, 40_000.0)
    lon3, lat3, _ = GEOD.fwd(lon0, lat0, 90.0, 40_000.0)
    coords = np.array([[lon0, lat0], [lon3, lat3], [lon2, lat2], [lon1, lat1], [lon0, lat0]])
    quad = gpd.GeoSeries([shapely.Polygon(coords)], crs="EPSG:4326")
    assert geodesic_area(quad, unit="m2").iloc[0] == pytest.approx(laea_area_m2(coords), rel=1e-6)


def test_armenia_matches_laea_planar_area(armenia):
    biggest = max(armenia.geoms, key=lambda p: p.area)
    coords = np.asarray(biggest.exterior.coords)
    holes = sum(laea_area_m2(np.asarray(r.coords), 50.0) for r in biggest.interiors)
    oracle = laea_area_m2(coords, 50.0) - holes
    got = geodesic_area(gpd.GeoSeries([biggest], crs="EPSG:4326"), unit="m2").iloc[0]
    assert got == pytest.approx(oracle, rel=1e-6)


def test_area_is_orientation_independent_and_handles_holes_and_units():
    outer = shapely.box(45.0, 40.0, 45.2, 40.2)
    hole = shapely.box(45.05, 40.05, 45.1, 40.1)
    shapes = gpd.GeoSeries(
        [
            shapely.Polygon(outer.exterior.coords, [hole.exterior.coords]),
            shapely.Polygon(outer.exterior.coords[::-1], [hole.exterior.coords]),  # both CW
            outer,
            hole,
        ],
        index=["a", "b", "c", "d"],
        crs="EPSG:4326",
    )
    m2 = geodesic_area(shapes, unit="m2")
    assert list(m2.index) == ["a", "b", "c", "d"]
    assert m2.name == "area_m2"
    assert m2["a"] == pytest.approx(m2["c"] - m2["d"], rel=1e-12)
    assert m2["b"] == pytest.approx(m2["a"], rel=1e-12)
    for unit, factor in AREA_UNITS_M2.items():
        assert geodesic_area(shapes, unit=unit)["a"] == pytest.approx(m2["a"] / factor)


def test_missing_empty_point_and_line_geometries():
    shapes = gpd.GeoSeries(
        [None, shapely.Polygon(), shapely.Point(45, 40), shapely.LineString([(45, 40), (46, 40)])],
        index=[10, 20, 30, 40],
        crs="EPSG:4326",
    )
    area = geodesic_area(shapes)
    assert np.isnan(area[10])
    assert area[[20, 30, 40]].tolist() == [0.0, 0.0, 0.0]


def test_any_crs_is_converted():
    box = gpd.GeoSeries([shapely.box(45.0, 40.0, 45.01, 40.01)], crs="EPSG:4326")
    utm = box.to_crs("EPSG:32638")  # edges become straight UTM lines; tiny box: same area
    assert geodesic_area(utm).iloc[0] == pytest.approx(geodesic_area(box).iloc[0], rel=1e-6)


def test_area_bad_input():
    with pytest.raises(CRSError, match="has no CRS"):
        geodesic_area(gpd.GeoSeries([shapely.box(0, 0, 1, 1)]))
    with pytest.raises(ValueError, match="unit must be one of"):
        geodesic_area(gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs=4326), unit="acre")


# ----------------------------------------------------------------------------- buffers


def test_point_buffer_is_a_geodesic_circle():
    centre = gpd.GeoSeries([shapely.Point(45.67, 39.84)], index=["jermuk"], crs="EPSG:4326")
    disc = geodesic_buffer(centre, distance_km=10)
    assert list(disc.index) == ["jermuk"]
    ring = np.asarray(disc.iloc[0].exterior.coords)
    _, _, dist = GEOD.inv(np.full(len(ring), 45.67), np.full(len(ring), 39.84), *ring.T)
    assert np.abs(dist - 10_000.0).max() < 0.01
    # a 256-gon inscribed in the circle: area ratio 1 - (2 pi / 256)**2 / 6
    assert geodesic_area(disc).iloc[0] == pytest.approx(
        math.pi * 100 * (1 - (2 * math.pi / 256) ** 2 / 6), rel=2e-5
    )


def test_flat_capped_line_buffer_is_a_strip():
    lon1, lat1, _ = GEOD.fwd(45.0, 40.0, 30.0, 20_000.0)
    line = gpd.GeoSeries([shapely.LineString([(45.0, 40.0), (lon1, lat1)])], crs=4326)
    flat = geodesic_area(geodesic_buffer(line, distance_km=2, cap_style="flat")).iloc[0]
    rnd = geodesic_area(geodesic_buffer(line, distance_km=2)).iloc[0]
    assert flat == pytest.approx(2 * 2 * 20, rel=2e-4)
    assert rnd - flat == pytest.approx(math.pi * 2**2, rel=2e-4)


def test_buffer_bad_input():
    line = gpd.GeoSeries([shapely.LineString([(45, 40), (45.1, 40)])], crs=4326)
    for bad in (0, -1, 1001, float("nan"), "5", True):
        with pytest.raises(ValueError, match="distance_km must be a number of kilometres"):
            geodesic_buffer(line, distance_km=bad)
    with pytest.raises(ValueError, match="cap_style must be"):
        geodesic_buffer(line, distance_km=1, cap_style="square")


@pytest.mark.parametrize("depth", [5, 20])
def test_zone_outline_lies_at_the_geodesic_depth(zones, tree, armenia, depth):
    zone = zones[depth].geometry.iloc[0]
    coords = shapely.get_coordinates(zone.boundary)
    on_outline = shapely.distance(armenia.boundary, shapely.points(coords)) < 1e-7
    offset = coords[~on_outline]
    assert len(offset) > 100
    error_m = oracle_distance_m(tree, offset[:, 0], offset[:, 1]) - 1000.0 * depth
    # required: 20 m; measured: 0.4 m at 5 km, 1.6 m at 20 km (chords of the arcs)
    assert np.abs(error_m).max() < 5.0


def test_zone_area_matches_grid_integration(zones, tree, armenia):
    h = 0.003  # about 250 m x 260 m cells
    minx, miny, maxx, maxy = armenia.bounds
    lon, lat = np.meshgrid(np.arange(minx + h / 2, maxx, h), np.arange(miny + h / 2, maxy, h))
    lon, lat = lon.ravel(), lat.ravel()
    inside = shapely.contains_xy(armenia, lon, lat)
    lon, lat = lon[inside], lat[inside]
    cell_m2 = (zone_area_m2(lat + h / 2) - zone_area_m2(lat - h / 2)) * h / 360.0
    near = oracle_distance_m(tree, lon, lat, upper_m=5_001.0) <= 5_000.0
    oracle_km2 = cell_m2[near].sum() / 1e6
    # required: 0.5 %; measured: 0.01 %
    assert zones[5]["area_km2"].iloc[0] == pytest.approx(oracle_km2, rel=2e-3)


def test_buffer_zone_frame(zones, armenia):
    zone = zones[5]
    assert zone.crs.to_epsg() == 4326
    assert list(zone.columns) == [
        "country",
        "neighbour",
        "depth_km",
        "area_km2",
        "country_area_km2",
        "share_of_country_pct",
        "geometry",
    ]
    row = zone.iloc[0]
    assert (row["country"], row["neighbour"], row["depth_km"]) == ("ARM", "AZE", 5.0)
    assert row["share_of_country_pct"] == pytest.approx(100 * row["area_km2"] / 29_709.6, rel=1e-4)
    assert armenia.buffer(1e-9).covers(row.geometry)
    assert "azimuthal equidistant" in zone.attrs["method"]


def test_buffer_zone_on_user_polygons():
    # A 50 km x 50 km "country" whose east edge (a meridian) is the border.
    west, south = 45.0, 40.0
    north = GEOD.fwd(west, south, 0, 50_000)[1]
    east = GEOD.fwd(west, south, 90, 50_000)[0]
    country = gpd.GeoSeries([shapely.box(west, south, east, north)], crs="EPSG:4326")
    border = gpd.GeoSeries([shapely.LineString([(east, south), (east, north)])], crs=4326)
    zone = buffer_zone(country.to_crs("EPSG:32638"), depth_km=5, border=border)
    assert zone["country"].iloc[0] is None
    assert zone["area_km2"].iloc[0] == pytest.approx(5 * 50, rel=5e-3)


def two_squares():
    """Countries "WES" and "EAS": two 1° squares sharing the meridian 10°E north of the equator."""
    west = shapely.box(9.0, 0.0, 10.0, 1.0)
    east = shapely.box(10.0, 0.0, 11.0, 1.0)
    return gpd.GeoDataFrame({"iso3": ["WES", "EAS"]}, geometry=[west, east], crs="EPSG:4326")


def test_user_countries_reach_every_step():
    # The codes are looked up in the user's countries, the land is theirs and the border is
    # derived from them (border_between): the zone is a 10 km strip along the meridian,
    # 10 km times its geodesic length (the derived border's 100 m stubs at the corners
    # add at most 2 x 0.1 x 10 km²).
    countries = two_squares()
    zone = buffer_zone("EAS", "WES", depth_km=10, countries=countries)
    meridian_km = GEOD.inv(10.0, 0.0, 10.0, 1.0)[2] / 1000
    assert (zone.loc[0, "country"], zone.loc[0, "neighbour"]) == ("EAS", "WES")
    assert zone.loc[0, "area_km2"] == pytest.approx(10 * meridian_km, abs=2.5)
    assert zone.loc[0, "country_area_km2"] == pytest.approx(
        geodesic_area(countries.iloc[[1]]).iloc[0], rel=1e-12
    )
    assert shapely.box(10.0, 0.0, 11.0, 1.0).buffer(1e-9).covers(zone.geometry.iloc[0])
    with pytest.raises(UnknownCountryError, match="country must be the ISO 3166-1 alpha-3"):
        buffer_zone("EAS", "WES", depth_km=10)  # not a shipped code
    # the user's places, strikes and units are counted, not the shipped ones
    own = gpd.GeoDataFrame(
        {"name": ["near", "far"], "iso_3166_2": ["X", "X"], "name_en": ["x", "x"]},
        geometry=[shapely.Point(10.05, 0.5), shapely.Point(10.5, 0.5)],
        crs="EPSG:4326",
    )
    table = buffer_scenarios(
        (10,), country="EAS", neighbour="WES", countries=countries, places=own, strikes=own
    )
    assert table.loc[0, ["n_places", "n_reports", "n_places_unknown_population"]].tolist() == [
        1,
        1,
        1,
    ]
    assert table.loc[0, "area_km2"] == pytest.approx(zone.loc[0, "area_km2"], rel=1e-12)
    units = gpd.GeoDataFrame(
        {"iso_3166_2": ["EA-N", "EA-S"], "name_en": ["north", "south"]},
        geometry=[shapely.box(10, 0.5, 11, 1), shapely.box(10, 0, 11, 0.5)],
        crs="EPSG:4326",
    )
    by_unit = buffer_scenarios(
        (10,),
        country="EAS",
        neighbour="WES",
        countries=countries,
        places=own,
        strikes=own,
        by_unit=True,
        units=units,
    )
    assert sorted(by_unit.index.get_level_values("iso_3166_2")) == ["EA-N", "EA-S"]
    assert by_unit["area_km2"].sum() == pytest.approx(zone.loc[0, "area_km2"], rel=1e-9)
    stretch = border_stretch(
        gpd.GeoSeries([shapely.Point(10.3, 0.5)], crs=4326),
        length_km=20,
        country="EAS",
        neighbour="WES",
        countries=countries,
    )
    assert stretch.loc[0, "length_km"] == pytest.approx(20.0, abs=1e-6)


def test_buffer_zone_bad_input():
    for bad in (0, -5, 250, float("nan"), "10", None):
        with pytest.raises(ValueError, match="depth_km must be a number of kilometres"):
            buffer_zone(depth_km=bad)
    with pytest.raises(UnknownCountryError, match="country must be the ISO 3166-1 alpha-3"):
        buffer_zone("XXX", depth_km=5)
    with pytest.raises(UnknownCountryError, match="neighbour must be"):
        buffer_zone("ARM", "ZZZ", depth_km=5)
    naive = gpd.GeoSeries([shapely.box(45, 40, 45.5, 40.5)])
    line = gpd.GeoSeries([shapely.LineString([(45.5, 40), (45.5, 40.5)])], crs=4326)
    with pytest.raises(CRSError, match="country has no CRS"):
        buffer_zone(naive, depth_km=5, border=line)
    with pytest.raises(ValueError, match="border is required"):
        buffer_zone(naive.set_crs(4326), depth_km=5)
    with pytest.raises(GeometryError, match="border must hold LineString"):
        buffer_zone(naive.set_crs(4326), depth_km=5, border=naive.set_crs(4326))


# ----------------------------------------------------------------------------- what is inside


def test_zone_units_split_the_zone(zones):
    units = zone_units(zones[5])
    assert units["area_km2"].sum() == pytest.approx(zones[5]["area_km2"].iloc[0], rel=1e-6)
    assert set(units["iso3"]) == {"ARM"}
    assert units["area_km2"].is_monotonic_decreasing
    assert (units["area_km2"] <= units["unit_area_km2"]).all()
    assert units.loc[units["iso_3166_2"] == "AM-SU", "share_of_unit_pct"].iloc[0] > 30


def oracle_inside(frame, tree, armenia, depth_km):
    """Index labels of points in Armenia within depth_km of the border (oracle distance)."""
    lon, lat = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    ok = ~np.isnan(lon)
    distance = np.full(len(lon), np.inf)
    distance[ok] = oracle_distance_m(tree, lon[ok], lat[ok])
    inside = np.zeros(len(lon), dtype=bool)
    inside[ok] = shapely.contains_xy(armenia, lon[ok], lat[ok])
    margin = np.abs(distance - 1000.0 * depth_km) < 5.0  # too close to call
    keep = inside & (distance <= 1000.0 * depth_km)
    return set(frame.index[keep & ~margin]), set(frame.index[margin])


def test_zone_places_and_strikes_match_independent_membership(zones, tree, armenia):
    places = zone_places(zones[5])
    expected, unsure = oracle_inside(datasets.load_places(), tree, armenia, 5)
    assert len(expected) > 20
    assert set(places.index) - unsure == expected
    strikes = zone_strikes(zones[5])
    assert not strikes["evidence"].isin(["displacement_only", "denial"]).any()
    every = zone_strikes(zones[5], exclude_evidence=())
    expected, unsure = oracle_inside(datasets.load_strikes(), tree, armenia, 5)
    assert len(expected) > 5
    assert set(every.index) - unsure == expected
    assert set(strikes.index) < set(every.index)


def test_buffer_scenarios_table(zones):
    table = buffer_scenarios((1, 5, 20))
    assert table["depth_km"].tolist() == [1.0, 5.0, 20.0]
    for column in ("area_km2", "n_places", "population", "n_reports"):
        assert table[column].is_monotonic_increasing, column
    assert table.loc[1, "area_km2"] == pytest.approx(zones[5]["area_km2"].iloc[0], rel=1e-9)
    assert table.loc[2, "n_reports"] == len(zone_strikes(zones[20]))
    assert table.attrs["excluded_evidence"] == ["displacement_only", "denial"]


def test_buffer_scenarios_by_unit_adds_up():
    total = buffer_scenarios((5,))
    by_unit = buffer_scenarios((5,), by_unit=True)
    assert by_unit.index.names == ["depth_km", "iso_3166_2"]
    sums = by_unit.groupby(level="depth_km")[["area_km2", "n_places", "n_reports"]].sum()
    assert sums.loc[5.0, "area_km2"] == pytest.approx(total.loc[0, "area_km2"], rel=1e-6)
    assert sums.loc[5.0, "n_places"] == total.loc[0, "n_places"]
    assert sums.loc[5.0, "n_reports"] == total.loc[0, "n_reports"]


def test_buffer_scenarios_bad_depth():
    with pytest.raises(ValueError, match="depths_km must be a number of kilometres"):
        buffer_scenarios((5, -1))


# ----------------------------------------------------------------------------- stretches, fronts


def jermuk():
    return gpd.GeoSeries([shapely.Point(45.67112, 39.83948)], crs="EPSG:4326")


def test_border_stretch_window_and_between():
    stretch = border_stretch(jermuk(), length_km=8.5)
    assert stretch["section"].iloc[0] == "main"
    assert stretch["length_km"].iloc[0] == pytest.approx(8.5, abs=1e-6)
    line = np.asarray(stretch.geometry.iloc[0].coords)
    _, _, seg = GEOD.inv(*line[:-1].T, *line[1:].T)
    assert seg.sum() == pytest.approx(8_500.0, abs=0.01)
    kapan = gpd.GeoSeries([shapely.Point(46.40722, 39.20755)], crs="EPSG:4326")
    both = border_stretch(jermuk(), to_points=kapan)
    assert 100 < both["length_km"].iloc[0] < 300


def test_border_stretch_bad_input():
    with pytest.raises(ValueError, match="give exactly one of length_km"):
        border_stretch(jermuk())
    with pytest.raises(ValueError, match="give exactly one of length_km"):
        border_stretch(jermuk(), length_km=5, to_points=jermuk())
    with pytest.raises(ValueError, match="length_km must be a number"):
        border_stretch(jermuk(), length_km=-2)
    with pytest.raises(GeometryError, match="exactly one Point"):
        border_stretch(pd.concat([jermuk(), jermuk()]), length_km=5)
    nakhchivan_side = gpd.GeoSeries([shapely.Point(45.3, 39.5)], crs="EPSG:4326")
    with pytest.raises(GeometryError, match="different border lines"):
        border_stretch(jermuk(), to_points=nakhchivan_side)


def test_advance_area_on_a_synthetic_front():
    # Border: a meridian segment 30 km long; positions: a line 3 km west of it, ends on it.
    lon_b, south = 45.5, 40.0
    north = GEOD.fwd(lon_b, south, 0, 30_000)[1]
    border = gpd.GeoSeries([shapely.LineString([(lon_b, south), (lon_b, north)])], crs=4326)
    country = gpd.GeoSeries([shapely.box(44.9, 39.9, lon_b, 40.4)], crs=4326)
    y1 = GEOD.fwd(lon_b, south, 0, 5_000)[1]
    y2 = GEOD.fwd(lon_b, south, 0, 25_000)[1]
    x1 = GEOD.fwd(lon_b, y1, 270, 3_000)[0]
    x2 = GEOD.fwd(lon_b, y2, 270, 3_000)[0]
    front = shapely.LineString([(lon_b, y1), (x1, y1), (x2, y2), (lon_b, y2)])
    result = advance_area(
        gpd.GeoSeries([front], index=["jermuk"], crs=4326), country=country, border=border
    )
    row = result.loc["jermuk"]
    assert row["front_km"] == pytest.approx(20.0, abs=1e-3)
    assert row["max_depth_km"] == pytest.approx(3.0, abs=0.01)
    assert row["area_km2"] == pytest.approx(3.0 * 20.0, rel=2e-3)
    assert 2.5 < row["mean_depth_km"] < 3.0  # the two 3 km legs at the ends pull it down


def test_advance_area_from_points_sorts_them_along_the_border():
    pts = gpd.GeoSeries.from_xy([45.76, 45.75, 45.72], [39.90, 39.84, 39.87], crs=4326)
    forward = advance_area(pts)
    shuffled = advance_area(pts.iloc[[2, 0, 1]])
    assert list(forward.index) == [0]
    assert forward["area_km2"].iloc[0] == pytest.approx(shuffled["area_km2"].iloc[0], rel=1e-9)
    assert forward["area_km2"].iloc[0] > 0


def test_advance_area_bad_input():
    mixed = gpd.GeoSeries(
        [shapely.Point(45.7, 39.8), shapely.LineString([(45.7, 39.8), (45.75, 39.85)])], crs=4326
    )
    with pytest.raises(GeometryError, match="all Points"):
        advance_area(mixed)


def test_border_stretch_warns_when_the_line_is_too_short():
    border = gpd.GeoSeries([shapely.LineString([(45.5, 40.0), (45.5, 40.05)])], crs=4326)
    point = gpd.GeoSeries([shapely.Point(45.49, 40.02)], crs=4326)
    with pytest.warns(BorderstrikesWarning, match="only 5.6 km long") as caught:
        stretch = border_stretch(point, length_km=10, border=border)
    assert caught[0].filename == __file__  # points at the caller, through the renaming shim
    assert stretch.loc[0, "length_km"] == pytest.approx(GEOD.inv(45.5, 40, 45.5, 40.05)[2] / 1000)


def test_renamed_arguments_warn_and_still_work():
    kapan = gpd.GeoSeries([shapely.Point(46.40722, 39.20755)], crs="EPSG:4326")
    new = border_stretch(jermuk(), to_points=kapan)
    with pytest.warns(FutureWarning, match=r"border_stretch\(near=\.\.\.\) is deprecated"):
        old = border_stretch(near=jermuk(), to_points=kapan)
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(FutureWarning, match=r"border_stretch\(to=\.\.\.\) is deprecated"):
        old = border_stretch(jermuk(), to=kapan)
    pd.testing.assert_frame_equal(old, new)
    pts = gpd.GeoSeries.from_xy([45.76, 45.75, 45.72], [39.90, 39.84, 39.87], crs=4326)
    with pytest.warns(FutureWarning, match=r"advance_area\(positions=\.\.\.\) is deprecated"):
        old = advance_area(positions=pts)
    pd.testing.assert_frame_equal(old, advance_area(pts))
    with pytest.raises(TypeError, match=r"both near= .* and points="):
        border_stretch(near=jermuk(), points=jermuk(), length_km=5)
