"""Range feasibility on hand-computed cases, range rings by brute force, the cited weapon table.

Reports are placed with GeographicLib's direct problem at a known geodesic
distance from a firing position, or along the perpendicular geodesic from a
known foot on a border edge, so every distance, interval and verdict below is
worked out by hand from those numbers.
"""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, Point

import borderstrikes as bs
from borderstrikes.datasets import load_weapons, registry
from borderstrikes.errors import GeometryError
from borderstrikes.ranges import VERDICTS, range_check, range_rings, weapon_range

WGS = Geodesic.WGS84
GUN = (45.00, 40.00)  # a firing position


def _east_of(point, distance_km):
    g = WGS.Direct(point[1], point[0], 90.0, distance_km * 1000.0)
    return Point(g["lon2"], g["lat2"])


def test_weapon_table_every_number_cited():
    table = load_weapons()
    assert table.index.is_unique
    entry = registry()["weapons"]
    assert (len(table), table.shape[1] + 1) == (entry["nrows"], entry["ncols"])
    for weapon_id, row in table.iterrows():
        assert row["source_url"].startswith(("http://", "https://")), weapon_id
        assert row["source_title"]
        assert row["accessed"] == "2026-12-08"
        assert len(row["source_quote"].split()) <= 15, weapon_id
        # every figure of the row appears in the quote (in m or km, either decimal mark)
        quote = row["source_quote"].replace("\u00a0", " ")
        digits = re.sub(r"(?<=\d)[ .,](?=\d{3}\b)", "", quote).replace(",", ".")
        for column in ("min_range_km", "max_range_km", "max_range_extended_km"):
            value = row[column]
            if math.isnan(value):
                continue
            forms = {f"{value:g}", f"{value * 1000:g}", f"{value:.1f}".replace(".0", "")}
            assert any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", digits) for f in forms), (
                weapon_id,
                column,
                quote,
            )
        assert row["max_range_km"] > 0
        assert math.isnan(row["min_range_km"]) or row["min_range_km"] < row["max_range_km"]
    aliases = [a.lower() for value in table["aliases"] for a in value.split("|")]
    assert len(aliases) == len(set(aliases)), "an alias names one row only"


def test_weapon_lookup():
    assert weapon_range("120 mm mortar").name == "mortar_120_2s12"
    assert weapon_range("d-30").name == "howitzer_122_d30"
    assert weapon_range("MORTAR_82_2B14").name == "mortar_82_2b14"
    with pytest.raises(ValueError, match="weapon_id"):
        weapon_range("trebuchet")


@pytest.mark.parametrize(
    ("distance_km", "radius_m", "verdict", "low", "high", "fwd_low", "fwd_high"),
    [
        (5.0, 1000, "in_range", 4.0, 6.0, 0.0, 0.0),
        (10.0, 3000, "depends_on_location", 7.0, 13.0, 0.0, 5.9),
        (16.9, 3000, "out_of_range", 13.9, 19.9, 6.8, 12.8),
        (7.1, 0, "in_range", 7.1, 7.1, 0.0, 0.0),
        (4.0, 5000, "depends_on_location", 0.0, 9.0, 0.0, 1.9),
        (2.0, 5000, "in_range", 0.0, 7.0, 0.0, 0.0),
    ],
)
def test_range_check_from_positions_hand_computed(
    distance_km, radius_m, verdict, low, high, fwd_low, fwd_high
):
    reports = gpd.GeoDataFrame(
        {"location_radius_m": [radius_m]}, geometry=[_east_of(GUN, distance_km)], crs=4326
    )
    positions = gpd.GeoSeries([Point(*GUN), Point(40.0, 40.0)], crs=4326)  # the nearest counts
    row = range_check(reports, weapon=(0.0, 7.1), from_=positions).iloc[0]
    assert row["verdict"] == verdict
    assert row["distance_km"] == pytest.approx(distance_km, abs=1e-9)
    assert (row["distance_min_km"], row["distance_max_km"]) == pytest.approx((low, high), abs=1e-9)
    if verdict == "depends_on_location" and high > 7.1:
        fwd_high = high - 7.1
    assert (row["forward_min_km"], row["forward_max_km"]) == pytest.approx(
        (fwd_low, fwd_high), abs=1e-9
    )


def test_range_check_minimum_range_and_pairs():
    reports = gpd.GeoDataFrame(
        {"location_radius_m": [100, 100]},
        geometry=[_east_of(GUN, 0.2), _east_of((46.0, 41.0), 3.0)],
        index=["near", "far"],
        crs=4326,
    )
    claimed = gpd.GeoDataFrame(
        {"location_radius_m": [0, 400]}, geometry=[Point(*GUN), Point(46.0, 41.0)], crs=4326
    )
    table = range_check(reports, weapon="PM-38", from_=claimed, paired=True)
    assert list(table.index) == ["near", "far"]
    # 0.2 +- 0.1 km is below the 0.45 km minimum range wherever the event was
    assert table.loc["near", "verdict"] == "too_close"
    # 3 km +- (0.1 + 0.4) km: within the 6 km range either way
    assert table.loc["far", "verdict"] == "in_range"
    assert table.loc["far", "location_radius_km"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="one position per report"):
        range_check(reports, weapon="PM-38", from_=claimed.iloc[:1], paired=True)


def test_range_check_from_a_line_hand_computed():
    """Reports on the perpendicular geodesic from the middle of a border edge."""
    a, b = (45.50, 39.60), (45.60, 40.20)
    line = WGS.InverseLine(a[1], a[0], b[1], b[0])
    foot = line.Position(line.s13 / 2)
    side_az = foot["azi2"] + 90.0
    points = []
    for d in (3.0, 12.0):
        g = WGS.Direct(foot["lat2"], foot["lon2"], side_az, d * 1000.0)
        points.append(Point(g["lon2"], g["lat2"]))
    border = gpd.GeoDataFrame(
        {"section": ["x"], "country_a": ["ARM"], "country_b": ["AZE"]},
        geometry=[LineString([a, b])],
        crs=4326,
    )
    reports = gpd.GeoDataFrame(
        {"location_radius_m": [2000, 2000], "evidence": ["impact", "claimed_firing_point"]},
        geometry=points,
        crs=4326,
    )
    table = range_check(reports, weapon="120 mm mortar", from_=border)
    np.testing.assert_allclose(table["distance_km"], [3.0, 12.0], atol=1e-6)
    assert table["verdict"].tolist() == ["in_range", "only_from_forward"]
    # 12 - 2 - 7.1 = 2.9 and 12 + 2 - 7.1 = 6.9 km
    assert table["forward_min_km"].iloc[1] == pytest.approx(2.9, abs=1e-6)
    assert table["forward_max_km"].iloc[1] == pytest.approx(6.9, abs=1e-6)
    assert "nearer the line than the named place" in table["reason"].iloc[1]
    # the extended range of the 2S1 (21.9 km) reaches where the standard one (15.3 km) does too
    assert (
        range_check(reports, weapon="2S1", from_=border, extended=True)["verdict"]
        .eq("in_range")
        .all()
    )


def test_range_check_shipped_claims_match_the_issue_figures():
    """Issue 17: Vardenis 16.9, Jermuk 12.1, Sisian 14.4, Goris 7.5 km from the de jure line."""
    strikes = bs.load_strikes()
    claimed = strikes[strikes["evidence"] == "claimed_firing_point"].set_index("place")
    table = range_check(claimed, weapon="120 mm mortar")
    expected = {"Vardenis": 16.9, "Jermuk": 12.1, "Sisian": 14.4, "Goris": 7.5}
    for place, km in expected.items():
        assert round(table.loc[place, "distance_km"], 1) == km
    # 3 km location radius, 7.1 km range: Goris 4.5-10.5 km straddles it; the rest are beyond
    assert table.loc["Goris", "verdict"] == "depends_on_location"
    for place in ("Vardenis", "Jermuk", "Sisian"):
        assert table.loc[place, "verdict"] == "only_from_forward"
        low = expected[place] - 3.0 - 7.1
        assert table.loc[place, "forward_min_km"] == pytest.approx(low, abs=0.06)
    assert set(table["verdict"]) <= set(VERDICTS)


def test_range_check_errors_and_index():
    reports = gpd.GeoSeries([_east_of(GUN, 1.0)], index=["r"], crs=4326)
    assert range_check(reports, weapon=(0, 7.1), from_=gpd.GeoSeries([Point(*GUN)], crs=4326))[
        "location_radius_km"
    ].tolist() == [0.0]
    mixed = gpd.GeoSeries([Point(*GUN), LineString([GUN, (45.1, 40.1)])], crs=4326)
    with pytest.raises(GeometryError, match="only points"):
        range_check(reports, weapon=(0, 7.1), from_=mixed)
    with pytest.raises(ValueError, match="from_ must be"):
        range_check(reports, weapon=(0, 7.1), from_="front")


def test_range_rings_against_brute_force():
    points = gpd.GeoDataFrame(geometry=[Point(46.34, 39.51), None], index=[3, 1], crs=4326)
    rings = range_rings(points, weapon="BM-21", step_m=200.0)
    assert list(rings.index) == [3, 1]
    assert rings.geometry.iloc[1] is None
    ring = rings.geometry.iloc[0]
    rng = np.random.default_rng(11)
    az = rng.uniform(0, 360, 500)
    s = rng.uniform(0, 24_000, 500)
    lon, lat, inside, margin = [], [], [], []
    for a_, d in zip(az, s, strict=True):
        g = WGS.Direct(39.51, 46.34, a_, d)
        lon.append(g["lon2"])
        lat.append(g["lat2"])
        inside.append(1_600 <= d <= 20_000)
        margin.append(min(abs(d - 1_600), abs(d - 20_000)))
    got = shapely.contains_xy(ring, np.array(lon), np.array(lat))
    wrong = got != np.array(inside)
    assert (np.array(margin)[wrong] < 1.0).all()
    assert isinstance(rings, gpd.GeoDataFrame)
    assert rings.crs.to_epsg() == 4326
    assert rings[["min_range_km", "max_range_km"]].iloc[0].tolist() == [1.6, 20.0]
    assert isinstance(rings["weapon"].iloc[0], str)
    assert pd.isna(rings.geometry.iloc[1])


def test_cli_range_prints_the_feasibility_table(capsys):
    from borderstrikes.cli import main

    assert main(["range", "--weapon", "120 mm mortar", "--evidence", "claimed_firing_point"]) == 0
    out = capsys.readouterr().out
    lines = [line.split() for line in out.splitlines() if line.startswith("    SR")]
    assert {line[0] for line in lines} == {"SR033", "SR051", "SR070", "SR083"}
    assert all(line[-1] in VERDICTS for line in lines)
    assert "only_from_forward" in out
