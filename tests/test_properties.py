"""Property-based tests (hypothesis) of distances, areas, clusters and the gazetteer.

Each property is checked against an independent oracle where one exists:
``pyproj.Geod`` for geodesic distances to vertices and for triangle areas, the
brute-force GeographicLib distance oracle of ``tests/oracles.py`` for distances
to a user's border, shapely point-in-polygon on the shipped countries for the
sign. Example counts come from ``tests/_hypothesis_profiles.py``
(``HYPOTHESIS_PROFILE``).
"""

import collections
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.affinity
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from borderstrikes import datasets
from borderstrikes.areas import buffer_zone, geodesic_area
from borderstrikes.border import distance_to_border
from borderstrikes.clustering import cluster_strikes
from borderstrikes.gazetteer import _index, geocode, normalize_name

sys.path.insert(0, str(Path(__file__).parent))
import oracles
from _hypothesis_profiles import EXAMPLES, time_limit

GEOD = Geod(ellps="WGS84")
MM_KM = 1e-6  # one millimetre, in km
PROPERTY = settings(max_examples=EXAMPLES["property"])
SLOW = settings(max_examples=EXAMPLES["slow"])

# Projected CRSs the distances must not depend on (the input is converted to EPSG:4326).
PROJECTED = (
    "EPSG:32638",  # UTM 38N
    "EPSG:3857",  # Web Mercator
    "+proj=laea +lat_0=40 +lon_0=45 +datum=WGS84 +units=m +no_defs",
)


# --------------------------------------------------------------------------- fixtures


def _border_vertices():
    border = datasets.load_border()
    return np.vstack([shapely.get_coordinates(g) for g in border.geometry])


def _border_edges():
    border = datasets.load_border()
    edges = []
    for geom in border.geometry:
        for part in shapely.get_parts(geom):
            xy = shapely.get_coordinates(part)
            edges.extend(np.hstack([xy[:-1], xy[1:]]))
    return np.asarray(edges)


VERTICES = _border_vertices()
EDGES = _border_edges()
COUNTRIES = datasets.load_boundaries(0)


def _on_border(edge, fraction):
    """A point of a border edge taken as a geodesic, ``fraction`` of the way along."""
    lon1, lat1, lon2, lat2 = EDGES[edge]
    azimuth, _, length = GEOD.inv(lon1, lat1, lon2, lat2)
    lon, lat, _ = GEOD.fwd(lon1, lat1, azimuth, fraction * length)
    return float(lon), float(lat)


near_armenia = st.tuples(
    st.floats(43.0, 47.5, allow_nan=False), st.floats(38.3, 41.7, allow_nan=False)
)
on_border = st.builds(
    _on_border, st.integers(0, len(EDGES) - 1), st.floats(0.0, 1.0, allow_nan=False)
)
point_lists = st.lists(st.one_of(near_armenia, on_border), min_size=1, max_size=15)


def _series(points, index=None, crs="EPSG:4326"):
    lon, lat = np.array(points, dtype=float).T
    return gpd.GeoSeries.from_xy(lon, lat, index=index, crs="EPSG:4326").to_crs(crs)


# --------------------------------------------------------------------------- distances


@PROPERTY
@given(points=point_lists)
def test_distance_nonnegative_and_at_most_the_nearest_vertex(points):
    result = distance_to_border(_series(points), unit="m")
    distance = result["distance_m"].to_numpy()
    assert (distance >= 0).all()
    lon, lat = np.array(points).T
    for i in range(len(points)):
        _, _, to_vertex = GEOD.inv(
            np.full(len(VERTICES), lon[i]), np.full(len(VERTICES), lat[i]), *VERTICES.T
        )
        assert distance[i] <= to_vertex.min() + 2e-6  # the accuracy contract: 1 µm


@PROPERTY
@given(
    edge=st.integers(0, len(EDGES) - 1),
    fraction=st.floats(0.0, 1.0, allow_nan=False),
)
def test_points_on_the_border_are_at_distance_zero(edge, fraction):
    point = _on_border(edge, fraction)
    result = distance_to_border(_series([point]), unit="km")
    assert result["distance_km"].iloc[0] < MM_KM
    # the foot is the point itself, to the millimetre
    _, _, gap = GEOD.inv(point[0], point[1], result["foot_lon"].iloc[0], result["foot_lat"].iloc[0])
    assert gap < 1e-3


@PROPERTY
@given(points=point_lists)
def test_sign_agrees_with_point_in_polygon(points):
    result = distance_to_border(_series(points), unit="km")
    lon, lat = np.array(points).T
    inside = {
        code: shapely.contains_xy(geom, lon, lat)
        for code, geom in zip(COUNTRIES["iso3"], COUNTRIES.geometry, strict=True)
    }
    in_arm = inside["ARM"]
    in_any = np.logical_or.reduce(list(inside.values()))
    signed = result["signed_distance_km"].to_numpy()
    distance = result["distance_km"].to_numpy()
    on_line = distance < MM_KM
    # positive <=> inside ARM (a point within 1 mm of the line may also give 0)
    assert (signed[in_arm & ~on_line] > 0).all()
    assert (signed[~in_arm & ~np.isnan(signed)] <= 0).all()
    # negative in another country; NaN in none, unless it lies on the line (then 0)
    assert (signed[in_any & ~in_arm & ~on_line] < 0).all()
    assert np.isnan(signed[~in_any & ~on_line]).all()
    assert (signed[~in_any & on_line] == 0).all()
    # |signed| is the distance wherever there is a sign (on the line in no country: 0)
    known = ~np.isnan(signed) & ~(on_line & ~in_any)
    np.testing.assert_array_equal(np.abs(signed[known]), distance[known])
    assert result["side"].tolist() == [
        next((code for code, hit in inside.items() if hit[i]), None) for i in range(len(points))
    ]


@PROPERTY
@given(points=point_lists, crs=st.sampled_from(PROJECTED))
def test_distance_does_not_depend_on_the_input_crs(points, crs):
    direct = distance_to_border(_series(points), unit="km")
    projected = distance_to_border(_series(points, crs=crs), unit="km")
    np.testing.assert_allclose(projected["distance_km"], direct["distance_km"], rtol=0, atol=MM_KM)
    np.testing.assert_allclose(projected["foot_lon"], direct["foot_lon"], rtol=0, atol=1e-7)
    np.testing.assert_allclose(projected["foot_lat"], direct["foot_lat"], rtol=0, atol=1e-7)
    # the round trip through the projection may move a point by a few nanometres, which
    # can only matter for points within a millimetre of the line
    far = direct["distance_km"].to_numpy() > MM_KM
    assert projected["side"][far].tolist() == direct["side"][far].tolist()


@PROPERTY
@given(data=st.data(), points=point_lists)
def test_distance_invariant_under_row_order_and_index(data, points):
    n = len(points)
    labels = data.draw(
        st.lists(
            st.one_of(st.integers(-5, 10**6), st.text(max_size=5)),
            min_size=n,
            max_size=n,
        ),
        label="index",
    )
    order = data.draw(st.permutations(range(n)), label="order")
    index = pd.Index(labels, dtype=object)
    base = distance_to_border(_series(points, index=index))
    shuffled = distance_to_border(_series([points[i] for i in order], index=index[order]))
    assert shuffled.index.equals(index[order])
    # bit for bit: each row depends on its own point only
    pd.testing.assert_frame_equal(shuffled, base.iloc[order], check_exact=True)


@PROPERTY
@given(
    line=st.lists(near_armenia, min_size=2, max_size=8, unique=True),
    points=st.lists(near_armenia, min_size=1, max_size=8),
    fraction=st.floats(0.0, 1.0, allow_nan=False),
)
def test_user_border_distance_bounds(line, points, fraction):
    border = gpd.GeoSeries([shapely.LineString(line)], crs="EPSG:4326")
    xy = np.asarray(line)
    # a point on the first edge (a geodesic) is on the border
    azimuth, _, length = GEOD.inv(*xy[0], *xy[1])
    lon, lat, _ = GEOD.fwd(*xy[0], azimuth, fraction * length)
    result = distance_to_border(_series([*points, (lon, lat)]), border, unit="m", signed=False)
    distance = result["distance_m"].to_numpy()
    assert distance[-1] < 1e-3
    for i, (plon, plat) in enumerate(points):
        _, _, to_vertex = GEOD.inv(np.full(len(xy), plon), np.full(len(xy), plat), *xy.T)
        assert 0 <= distance[i] <= to_vertex.min() + 1e-4
    plon, plat = np.array(points).T
    expected = oracles.distance_to_line(plon, plat, [xy])[0]
    # the accuracy contract: 1 µm (2 µm against the oracle, itself exact to 1 µm)
    np.testing.assert_allclose(distance[:-1], expected, rtol=0, atol=2e-6)


# --------------------------------------------------------------------------- areas


@st.composite
def convex_polygons(draw):
    """A convex polygon of 3-12 vertices, up to ~1° across, anywhere between ±75° latitude."""
    lon0 = draw(st.floats(-170, 170, allow_nan=False))
    lat0 = draw(st.floats(-75, 75, allow_nan=False))
    size = draw(st.floats(1e-3, 1.0, allow_nan=False))
    offsets = draw(
        st.lists(
            st.tuples(st.floats(0, 1, allow_nan=False), st.floats(0, 1, allow_nan=False)),
            min_size=3,
            max_size=12,
        )
    )
    points = shapely.multipoints([(lon0 + size * dx, lat0 + size * dy) for dx, dy in offsets])
    hull = shapely.convex_hull(points)
    assume(hull.geom_type == "Polygon" and hull.area > 1e-4 * size**2)
    return hull


def _area_km2(*geoms):
    return geodesic_area(gpd.GeoSeries(list(geoms), crs="EPSG:4326")).to_numpy()


@PROPERTY
@given(polygon=convex_polygons())
def test_area_is_the_sum_of_a_fan_triangulation(polygon):
    ring = np.asarray(polygon.exterior.coords)[:-1]
    triangles = [shapely.Polygon([ring[0], ring[i], ring[i + 1]]) for i in range(1, len(ring) - 1)]
    # convex in the lon/lat plane is not always convex on the ellipsoid (edges bulge
    # poleward): keep the polygons whose fan triangles all turn the same way there
    signs = {np.sign(GEOD.polygon_area_perimeter(*t.exterior.xy)[0]) for t in triangles}
    assume(len(signs) == 1)
    whole = _area_km2(polygon)[0]
    assert whole > 0
    assert _area_km2(*triangles).sum() == pytest.approx(whole, rel=1e-9, abs=1e-9)
    # and a multi-polygon of disjoint pieces is the sum of its pieces
    far = shapely.affinity.translate(polygon, xoff=2.0)
    assert _area_km2(shapely.MultiPolygon([polygon, far]))[0] == pytest.approx(
        whole + _area_km2(far)[0], rel=1e-12
    )


@PROPERTY
@given(polygon=convex_polygons(), start=st.integers(0, 100), reverse=st.booleans())
def test_area_invariant_to_ring_orientation_and_start(polygon, start, reverse):
    ring = np.asarray(polygon.exterior.coords)[:-1]
    moved = np.roll(ring, start % len(ring), axis=0)
    if reverse:
        moved = moved[::-1]
    hole = shapely.affinity.scale(polygon, 0.3, 0.3, origin="centroid").exterior.coords
    hole = list(hole)[::-1] if reverse else list(hole)
    with_hole = shapely.Polygon(ring, [hole])
    moved_with_hole = shapely.Polygon(moved, [list(hole)[::-1]])
    a, b, c, d = _area_km2(polygon, shapely.Polygon(moved), with_hole, moved_with_hole)
    assert b == pytest.approx(a, rel=1e-10, abs=1e-9)
    assert d == pytest.approx(c, rel=1e-10, abs=1e-9)
    assert c < a


@pytest.mark.slow
@SLOW
@given(
    depths=st.lists(st.floats(0.5, 30.0, allow_nan=False), min_size=2, max_size=2, unique=True),
    corner=st.tuples(st.floats(44.0, 46.0), st.floats(39.0, 40.5)),
)
def test_buffer_zones_are_nested(depths, corner):
    d1, d2 = sorted(depths)
    assume(d2 - d1 > 0.01)  # outlines lie within 2 m of the exact offset
    x, y = corner
    country = gpd.GeoSeries([shapely.box(x, y, x + 0.8, y + 0.6)], crs="EPSG:4326")
    border = gpd.GeoSeries(
        [shapely.LineString([(x, y), (x + 0.3, y + 0.05), (x + 0.8, y)])], crs="EPSG:4326"
    )
    with time_limit():
        small = buffer_zone(country, depth_km=d1, border=border).geometry.iloc[0]
        large = buffer_zone(country, depth_km=d2, border=border).geometry.iloc[0]
    outside = shapely.difference(small, large)
    assert _area_km2(outside)[0] < 1e-6 * _area_km2(small)[0]
    assert _area_km2(small)[0] < _area_km2(large)[0]


def test_shipped_buffer_zones_are_nested():
    with time_limit():
        zones = [buffer_zone("ARM", "AZE", depth_km=d).iloc[0] for d in (2.0, 5.0)]
    assert zones[0]["area_km2"] < zones[1]["area_km2"]
    outside = shapely.difference(zones[0].geometry, zones[1].geometry)
    assert _area_km2(outside)[0] < 1e-6 * zones[0]["area_km2"]


# --------------------------------------------------------------------------- clusters


@st.composite
def strike_tables(draw, max_size=40):
    n = draw(st.integers(1, max_size))
    # few distinct locations, so that co-located reports and clusters are common
    sites = draw(
        st.lists(
            st.tuples(st.floats(45.0, 45.6, allow_nan=False), st.floats(39.5, 40.0)),
            min_size=1,
            max_size=max(1, n // 2),
        )
    )
    site = draw(st.lists(st.integers(0, len(sites) - 1), min_size=n, max_size=n))
    day = draw(st.lists(st.integers(12, 15), min_size=n, max_size=n))
    lon, lat = np.array([sites[i] for i in site]).T
    return gpd.GeoDataFrame(
        {"date": pd.to_datetime([f"2022-09-{d}" for d in day])},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


cluster_params = st.fixed_dictionaries(
    {
        "eps_km": st.floats(0.5, 40.0, allow_nan=False),
        "min_samples": st.integers(1, 5),
        "time_eps_hours": st.one_of(st.none(), st.floats(0.0, 48.0)),
    }
)


@PROPERTY
@given(strikes=strike_tables(), params=cluster_params, data=st.data())
def test_cluster_labels_invariant_under_permutation(strikes, params, data):
    order = data.draw(st.permutations(range(len(strikes))), label="order")
    base = cluster_strikes(strikes, **params)
    shuffled = strikes.iloc[order]
    shuffled.index = pd.Index([f"r{i}" for i in order])
    labels = cluster_strikes(shuffled, **params)
    # canonical numbering: exactly the same labels, not just the same partition
    assert labels.tolist() == base.iloc[order].tolist()


def _partition(labels):
    groups = collections.defaultdict(set)
    for position, label in enumerate(labels):
        groups[label if label >= 0 else ("noise", position)].add(position)
    return {frozenset(g) for g in groups.values()}


@PROPERTY
@given(
    strikes=strike_tables(),
    params=cluster_params,
    far=st.tuples(st.floats(-170, 30), st.floats(-60, 30)),
)
def test_a_far_away_point_does_not_change_existing_clusters(strikes, params, far):
    # every report lies within 45-45.6 E, 39.5-40 N: a point west of 30 E or south of 30 N
    # is more than 40 km (the largest eps) from all of them
    base = cluster_strikes(strikes, **params)
    extra = gpd.GeoDataFrame(
        {"date": [pd.Timestamp("2022-09-13")]},
        geometry=[shapely.Point(*far)],
        crs="EPSG:4326",
        index=[len(strikes)],
    )
    grown = cluster_strikes(pd.concat([strikes, extra]), **params)
    assert _partition(grown.iloc[:-1]) == _partition(base)
    if params["min_samples"] > 1:  # the far point is noise and the numbering stays
        assert grown.iloc[-1] == -1
        assert grown.iloc[:-1].tolist() == base.tolist()


# --------------------------------------------------------------------------- gazetteer


def _unique_variants():
    """(place row, variant) for every listed variant that names only that place."""
    index = _index()
    owners = collections.defaultdict(set)
    for table in (index.exact, index.preferred, index.variant):
        for key, rows in table.items():
            owners[key].update(rows)
    pairs = []
    places = index.places
    for row, (name, alternates) in enumerate(
        zip(places["name"], places["alternatenames"], strict=True)
    ):
        if owners[normalize_name(name)] != {row}:
            continue
        for variant in str(alternates or "").split("|"):
            key = normalize_name(variant)
            if key and owners[key] == {row}:
                pairs.append((name, variant))
    aliases = datasets.load_place_aliases()
    row_of = {pid: row for row, pid in enumerate(places["place_id"])}
    for alias, place_id in zip(aliases["alias"], aliases["place_id"], strict=True):
        row = row_of[place_id]
        name = places["name"].iloc[row]
        if owners[normalize_name(name)] == {row} and owners[normalize_name(alias)] == {row}:
            pairs.append((name, alias))
    return pairs


UNIQUE_VARIANTS = _unique_variants()
ALL_NAMES = sorted(
    {n for pair in UNIQUE_VARIANTS for n in pair}
    | {n for n in _index().places["name"] if isinstance(n, str)}
)
RESULT_COLUMNS = ["name", "place_id", "match", "score", "candidates"]


def test_variant_table_is_not_trivial():
    assert len(UNIQUE_VARIANTS) > 1000
    assert any(not v.isascii() for _, v in UNIQUE_VARIANTS)


@PROPERTY
@given(pair=st.sampled_from(UNIQUE_VARIANTS))
def test_geocode_name_equals_geocode_of_any_listed_variant(pair):
    name, variant = pair
    by_name = geocode(name).iloc[0]
    by_variant = geocode(variant).iloc[0]
    assert by_name["match"] == "exact"
    assert by_variant["match"] in {"exact", "variant"}
    assert by_variant["place_id"] == by_name["place_id"]
    assert by_variant.geometry.equals(by_name.geometry)


def _add_diacritics(text, marks):
    out = []
    for ch, mark in zip(text, marks, strict=False):
        out.append(ch + mark if ch.isalpha() and ch.isascii() and mark else ch)
    out.extend(text[len(marks) :])
    return "".join(out)


@PROPERTY
@given(
    name=st.sampled_from(ALL_NAMES),
    case=st.sampled_from([str.upper, str.lower, str.title, str.swapcase, str.casefold]),
    marks=st.lists(st.sampled_from(["", "\u0301", "\u0300", "\u0308", "\u030c", "\u0327"])),
    pad=st.tuples(
        st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\n "]), st.sampled_from(["", " ", "\t "])
    ),
    inner=st.sampled_from([" ", "  ", "\t", " \u00a0"]),
    composed=st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]),
)
def test_case_diacritics_and_whitespace_do_not_change_the_match(
    name, case, marks, pad, inner, composed
):
    variant = case(name)
    variant = _add_diacritics(variant, marks)
    variant = pad[0] + inner.join(variant.split(" ")) + pad[1]
    variant = unicodedata.normalize(composed, variant)
    expected = geocode(name)[RESULT_COLUMNS].iloc[0]
    got = geocode(variant)[RESULT_COLUMNS].iloc[0]
    assert got.to_dict() == expected.to_dict(), (name, variant)
