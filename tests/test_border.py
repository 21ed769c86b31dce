"""Tests of borderstrikes.border (distance_to_border, border_between).

The accuracy oracle is the brute-force GeographicLib (pyproj.Geod) oracle of
``tests/oracles.py``, which never calls borderstrikes: every border edge that an
independent bound cannot rule out is sampled every 10 m with Geod.fwd, and the
best sample of each is narrowed by golden-section search along its edge (the
module's docstring gives the method, its 1 µm guarantee and how it was checked).
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from borderstrikes.border import border_between, distance_to_border
from borderstrikes.datasets import load_border, load_boundaries, load_strikes
from borderstrikes.errors import CRSError, GeometryError, UnknownCountryError

sys.path.insert(0, str(Path(__file__).parent))
import oracles

GEOD = Geod(ellps="WGS84")


def border_segments(border):
    a, b = [], []
    for geom in border.geometry:
        for line in shapely.get_parts(geom):
            xy = shapely.get_coordinates(line)
            a.append(xy[:-1])
            b.append(xy[1:])
    a, b = np.concatenate(a), np.concatenate(b)
    keep = (a != b).any(axis=1)
    return a[keep], b[keep]


def oracle(lon, lat, border):
    """Distance (m) from each point to the border, and the foot as an (n, 2) array."""
    distance, foot_lon, foot_lat = oracles.distance_to_line(lon, lat, border)
    return distance, np.column_stack([foot_lon, foot_lat])


def points_near_border(border, n, max_m, seed):
    """Points within ``max_m`` of the border: random offsets from random vertices."""
    rng = np.random.default_rng(seed)
    a, _ = border_segments(border)
    start = a[rng.integers(0, len(a), n)]
    dist = max_m * np.sqrt(rng.uniform(0, 1, n))
    x, y, _ = GEOD.fwd(start[:, 0], start[:, 1], rng.uniform(-180, 180, n), dist)
    return np.asarray(x), np.asarray(y)


@pytest.fixture(scope="module")
def border():
    return load_border()


@pytest.fixture(scope="module")
def admin0():
    return load_boundaries(0)


def as_points(lon, lat, **kwargs):
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326", **kwargs)


# ----------------------------------------------------------------- accuracy


@pytest.fixture(scope="module")
def accuracy_case(border):
    lon, lat = points_near_border(border, 1000, 150_000.0, seed=2022)
    strikes = load_strikes()
    present = ~(strikes.geometry.isna() | strikes.geometry.is_empty)
    lon = np.r_[lon, strikes.geometry[present].x.to_numpy()]
    lat = np.r_[lat, strikes.geometry[present].y.to_numpy()]
    expected, foot = oracle(lon, lat, border)
    result = distance_to_border(as_points(lon, lat), unit="m")
    return lon, lat, expected, foot, result


def test_distance_matches_oracle_within_1_cm(accuracy_case):
    _, _, expected, _, result = accuracy_case
    error = result["distance_m"].to_numpy() - expected
    assert np.abs(error).max() <= 0.01


def test_foot_is_at_the_reported_distance(accuracy_case):
    lon, lat, _, _, result = accuracy_case
    back = GEOD.inv(result["foot_lon"].to_numpy(), result["foot_lat"].to_numpy(), lon, lat)[2]
    np.testing.assert_allclose(back, result["distance_m"].to_numpy(), rtol=0, atol=0.01)


def test_sign_agrees_with_point_in_polygon(accuracy_case, admin0):
    lon, lat, _, _, result = accuracy_case
    armenia = admin0.loc[admin0["iso3"] == "ARM"].geometry.iloc[0]
    inside = as_points(lon, lat).within(armenia).to_numpy()
    signed = result["signed_distance_m"].to_numpy()
    np.testing.assert_array_equal(signed > 0, inside)
    np.testing.assert_array_equal(result["side"].to_numpy() == "ARM", inside)
    known = result["side"].notna().to_numpy()
    np.testing.assert_array_equal(np.abs(signed[known]), result["distance_m"].to_numpy()[known])
    # In no shipped country (water OSM gives to neither side): no sign is made up.
    assert np.isnan(signed[~known]).all()


def test_points_on_vertices_and_segments(border):
    a, b = border_segments(border)
    rng = np.random.default_rng(5)
    pick = rng.choice(len(a), 40, replace=False)
    az, _, length = GEOD.inv(a[pick, 0], a[pick, 1], b[pick, 0], b[pick, 1])
    on_x, on_y, _ = GEOD.fwd(a[pick, 0], a[pick, 1], az, rng.uniform(0.1, 0.9, 40) * length)
    lon = np.r_[a[pick, 0], on_x]
    lat = np.r_[a[pick, 1], on_y]
    result = distance_to_border(as_points(lon, lat), unit="m")
    assert result["distance_m"].max() < 1e-3
    _, foot = oracle(lon, lat, border)
    gap = GEOD.inv(result["foot_lon"].to_numpy(), result["foot_lat"].to_numpy(), *foot.T)[2]
    assert gap.max() < 0.01
    np.testing.assert_array_equal(result["foot_lon"].to_numpy()[:40], a[pick, 0])
    assert (result["signed_distance_m"].abs() < 1e-3).all()


def test_lake_sevan_is_inside_armenia():
    result = distance_to_border(as_points([45.3], [40.35]))
    assert result["side"].iloc[0] == "ARM"
    assert result["signed_distance_km"].iloc[0] > 0
    assert result["neighbour"].iloc[0] == "AZE"


def test_neighbour_and_section(border):
    # In Armenia near Nakhchivan, in Azerbaijan proper, and in Georgia.
    result = distance_to_border(as_points([45.2, 46.2, 44.8], [39.6, 40.5, 41.6]))
    assert result["side"].tolist() == ["ARM", "AZE", "GEO"]
    assert result["section"].tolist()[:2] == ["nakhchivan", "main"]
    assert set(result["section"]) <= set(border["section"])
    assert result["neighbour"].tolist() == ["AZE", "ARM", None]
    assert result["signed_distance_km"].iloc[2] < 0


# ----------------------------------------------------------------- inputs and outputs


def test_columns_units_and_dtypes():
    pts = as_points([45.3, 46.0], [40.35, 40.0])
    km = distance_to_border(pts)
    assert list(km.columns) == [
        "distance_km",
        "signed_distance_km",
        "side",
        "section",
        "neighbour",
        "foot_lon",
        "foot_lat",
    ]
    metres = distance_to_border(pts, unit="m", signed=False)
    nmi = distance_to_border(pts, unit="nmi")
    assert "signed_distance_m" not in metres.columns
    np.testing.assert_allclose(metres["distance_m"] / 1000, km["distance_km"], rtol=1e-15)
    np.testing.assert_allclose(nmi["distance_nmi"] * 1852, metres["distance_m"], rtol=1e-15)
    assert km["distance_km"].dtype == np.float64
    assert km["side"].dtype == object


def test_invalid_unit():
    with pytest.raises(ValueError, match=r"unit must be one of \['km', 'm', 'nmi'\]"):
        distance_to_border(as_points([45.0], [40.0]), unit="mi")


def test_unknown_reference():
    with pytest.raises(UnknownCountryError, match="country must be one of"):
        distance_to_border(as_points([45.0], [40.0]), country="XYZ")
    other = distance_to_border(as_points([46.0], [40.0]), country="AZE")
    assert other["signed_distance_km"].iloc[0] > 0


def test_points_without_crs():
    with pytest.raises(CRSError, match="set_crs"):
        distance_to_border(gpd.GeoSeries([Point(45, 40)]))


def test_polygon_points_are_rejected_with_a_hint():
    square = Polygon([(45, 40), (45.1, 40), (45.1, 40.1)])
    with pytest.raises(GeometryError, match="representative_point"):
        distance_to_border(gpd.GeoSeries([Point(45, 40), square], crs="EPSG:4326"))


def test_not_a_geoseries():
    with pytest.raises(TypeError, match="GeoDataFrame or GeoSeries"):
        distance_to_border(pd.Series([1.0]))


def test_missing_and_empty_rows_give_nan():
    pts = gpd.GeoSeries([Point(45.3, 40.35), None, Point()], crs="EPSG:4326")
    result = distance_to_border(pts)
    assert np.isfinite(result["distance_km"].iloc[0])
    assert result.iloc[1:][["distance_km", "signed_distance_km", "foot_lon"]].isna().all().all()
    assert result["side"].iloc[1:].isna().all()
    assert result["section"].iloc[1:].isna().all()


def test_empty_input():
    result = distance_to_border(gpd.GeoSeries([], crs="EPSG:4326"))
    assert len(result) == 0
    assert "distance_km" in result.columns


def test_index_preserved_and_input_not_mutated():
    frame = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"]},
        geometry=[Point(45.3, 40.35), Point(46.0, 40.0), Point(45.3, 40.35)],
        index=pd.Index([7, 3, 7], name="report"),
        crs="EPSG:4326",
    )
    before = frame.copy()
    result = distance_to_border(frame)
    assert result.index.equals(frame.index)
    assert result.index.name == "report"
    assert result["distance_km"].iloc[0] == result["distance_km"].iloc[2]
    pd.testing.assert_frame_equal(frame, before)


def test_permuted_input_gives_permuted_output_bitwise(border):
    lon, lat = points_near_border(border, 300, 80_000.0, seed=9)
    pts = as_points(lon, lat, index=np.arange(300) * 10)
    order = np.random.default_rng(1).permutation(300)
    straight = distance_to_border(pts)
    shuffled = distance_to_border(pts.iloc[order])
    pd.testing.assert_frame_equal(shuffled, straight.iloc[order], check_exact=True)


def test_any_input_crs_gives_the_same_distances(border):
    lon, lat = points_near_border(border, 200, 100_000.0, seed=4)
    pts = as_points(lon, lat)
    wgs = distance_to_border(pts, unit="m")
    utm = distance_to_border(pts.to_crs("EPSG:32638"), unit="m")
    np.testing.assert_allclose(utm["distance_m"], wgs["distance_m"], rtol=0, atol=1e-3)
    assert utm["side"].tolist() == wgs["side"].tolist()


# ----------------------------------------------------------------- other borders


def test_border_in_another_crs_and_without_sections(border):
    lon, lat = points_near_border(border, 100, 60_000.0, seed=8)
    pts = as_points(lon, lat)
    plain = gpd.GeoSeries(list(border.geometry), index=list("abcde"), crs="EPSG:4326")
    result = distance_to_border(pts, plain.to_crs("EPSG:32638"), unit="m")
    default = distance_to_border(pts, unit="m")
    np.testing.assert_allclose(result["distance_m"], default["distance_m"], rtol=0, atol=0.05)
    names = dict(zip(border["section"], "abcde", strict=True))
    assert (result["section"] == default["section"].map(names)).all()
    assert result["neighbour"].isna().all()
    assert result["side"].tolist() == default["side"].tolist()


def test_explicit_shipped_border_matches_default(border):
    pts = as_points([45.3, 46.0, 44.0], [40.35, 40.0, 39.5])
    pd.testing.assert_frame_equal(distance_to_border(pts, border), distance_to_border(pts))


def test_tiny_user_border():
    line = gpd.GeoDataFrame(
        {"section": ["equator"]},
        geometry=[LineString([(10.0, 0.0), (11.0, 0.0)])],
        crs="EPSG:4326",
    )
    result = distance_to_border(as_points([10.5], [0.2]), line, unit="m", country="ARM")
    # The meridian through the point meets the equator at right angles.
    assert result["distance_m"].iloc[0] == pytest.approx(GEOD.inv(10.5, 0, 10.5, 0.2)[2], abs=1e-4)
    assert result["section"].iloc[0] == "equator"
    assert result["side"].iloc[0] is None
    # In no shipped country: the side is unknown, so the sign is not made up.
    assert np.isnan(result["signed_distance_m"].iloc[0])


def test_bad_borders():
    pts = as_points([45.0], [40.0])
    with pytest.raises(CRSError):
        distance_to_border(pts, gpd.GeoSeries([LineString([(45, 40), (46, 40)])]))
    square = Polygon([(45, 40), (45.1, 40), (45.1, 40.1)])
    with pytest.raises(GeometryError, match="boundary"):
        distance_to_border(pts, gpd.GeoSeries([square], crs="EPSG:4326"))
    with pytest.raises(GeometryError, match="no line"):
        distance_to_border(pts, gpd.GeoSeries([None], crs="EPSG:4326"))


def test_multilinestring_border_with_missing_rows():
    border = gpd.GeoSeries(
        [MultiLineString([[(45, 40), (45, 41)], [(46, 40), (46, 41)]]), None],
        crs="EPSG:4326",
    )
    result = distance_to_border(as_points([45.4], [40.5]), border, unit="m")
    assert result["section"].iloc[0] == 0
    expected = GEOD.inv(45.0, 40.5, 45.4, 40.5)[2]
    assert result["distance_m"].iloc[0] < expected  # the foot is not at the same latitude


# ----------------------------------------------------------------- border_between


def test_border_between_shipped_pair_is_load_border(border):
    assert_geodataframe_equal(border_between("ARM", "AZE"), border)
    assert_geodataframe_equal(border_between("AZE", "ARM"), border)


def test_border_between_derived_pair():
    turkey = border_between("ARM", "TUR")
    assert len(turkey) >= 1
    assert turkey.crs.to_epsg() == 4326
    assert list(turkey.columns) == list(load_border().columns)
    assert set(turkey.geom_type) <= {"LineString", "MultiLineString"}
    assert (turkey["country_a"] == "ARM").all()
    assert (turkey["country_b"] == "TUR").all()
    assert turkey["section"].iloc[0] == "section_1"
    assert turkey["length_km"].is_monotonic_decreasing
    assert turkey["length_km"].sum() > 100
    lengths = [GEOD.geometry_length(g) / 1000 for g in turkey.geometry]
    np.testing.assert_allclose(turkey["length_km"], lengths)
    result = distance_to_border(as_points([43.8], [40.5]), turkey)
    assert result["neighbour"].iloc[0] == "TUR"


def test_border_between_errors():
    with pytest.raises(UnknownCountryError, match="share no border"):
        border_between("GEO", "IRN")
    with pytest.raises(UnknownCountryError, match="country must be one of"):
        border_between("XXX", "ARM")
    with pytest.raises(ValueError, match="two different countries"):
        border_between("ARM", "ARM")
    with pytest.raises(ValueError, match="tolerance_m"):
        border_between("ARM", "TUR", tolerance_m=-5)


def test_renamed_arguments_warn_and_still_work():
    points = as_points([46.0], [40.0])
    with pytest.warns(FutureWarning, match=r"reference=\.\.\.\) is deprecated"):
        old = distance_to_border(points, reference="AZE")
    pd.testing.assert_frame_equal(old, distance_to_border(points, country="AZE"))
    with pytest.warns(FutureWarning, match=r"border_between\((a|b)=\.\.\.\)"):
        border_between(a="ARM", b="AZE")
    with pytest.raises(TypeError, match=r"both reference= .* and country="):
        distance_to_border(points, reference="AZE", country="AZE")


def test_user_countries_decide_the_side():
    """A user's own border and countries: the side comes from their polygons, not the shipped ones.

    Hand-made case: two squares sharing the meridian 10°E, north of the equator. A point at
    (10.5, 0.5) lies in "EAS"; its distance to the shared meridian segment is the geodesic
    distance to (10, 0.5...) found by GeographicLib (brute force along the segment).
    """
    west = shapely.box(9.0, 0.0, 10.0, 1.0)
    east = shapely.box(10.0, 0.0, 11.0, 1.0)
    countries = gpd.GeoDataFrame({"iso3": ["WES", "EAS"]}, geometry=[west, east], crs="EPSG:4326")
    line = gpd.GeoDataFrame(
        {"section": ["meridian"], "country_a": ["WES"], "country_b": ["EAS"]},
        geometry=[shapely.LineString([(10.0, 0.0), (10.0, 1.0)])],
        crs="EPSG:4326",
    )
    result = distance_to_border(
        as_points([10.5, 9.5], [0.5, 0.5]), line, country="EAS", countries=countries
    )
    assert result["side"].tolist() == ["EAS", "WES"]
    assert result["neighbour"].tolist() == ["WES", "EAS"]
    lat = np.linspace(0.0, 1.0, 200_001)
    brute = GEOD.inv(np.full(lat.size, 10.5), np.full(lat.size, 0.5), np.full(lat.size, 10.0), lat)[
        2
    ]
    assert result["distance_km"].iloc[0] * 1000 == pytest.approx(brute.min(), abs=1e-3)
    assert result["signed_distance_km"].iloc[0] > 0 > result["signed_distance_km"].iloc[1]
    # the shipped countries know neither code
    with pytest.raises(UnknownCountryError):
        distance_to_border(as_points([10.5], [0.5]), line, country="XYZ", countries=countries)


def test_user_border_index_is_cached_by_content():
    from borderstrikes import border as border_module

    def line(shift):
        return gpd.GeoDataFrame(
            {"section": ["s"]},
            geometry=[LineString([(44.0 + shift, 40.0), (44.5, 40.4), (45.0, 40.1)])],
            crs="EPSG:4326",
        )

    pts = as_points([44.5, 44.9], [40.2, 40.6])
    builds = border_module._USER_BUILDS
    before = sum(builds.values())
    first = distance_to_border(pts, line(0.0123), unit="m")
    assert sum(builds.values()) == before + 1
    # The same content in a new object (and a copy of the frame): no rebuild, same answer.
    again = distance_to_border(pts, line(0.0123).copy(), unit="m")
    assert sum(builds.values()) == before + 1
    pd.testing.assert_frame_equal(again, first)
    # Other content, or the same lines in another CRS, is another index.
    distance_to_border(pts, line(0.0124), unit="m")
    distance_to_border(pts, line(0.0123).to_crs("EPSG:32638"), unit="m")
    assert sum(builds.values()) == before + 3
    # Bounded: only the last few are kept.
    for k in range(border_module._MAX_USER_BORDERS + 2):
        distance_to_border(pts, line(0.02 + k * 1e-3), unit="m")
    assert len(border_module._USER_BORDERS) == border_module._MAX_USER_BORDERS
