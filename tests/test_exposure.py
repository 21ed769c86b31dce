"""Exposure counts against an independent count (GeographicLib, one pair at a time).

The oracle loops over every (strike, settlement) pair with
``geographiclib.geodesic.Geodesic.WGS84.Inverse`` and counts with Python sets,
so it shares neither the prefilter nor the vectorised distances of
:mod:`borderstrikes.exposure`.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, Point

import borderstrikes as bs
from borderstrikes.exposure import (
    band_summary,
    exposure_rings,
    settlement_exposure,
    strike_exposure,
)

WGS = Geodesic.WGS84


def _distances(strikes, places):
    """Geodesic distance (m) of every (strike, place) pair, one Inverse call each."""
    return [
        [WGS.Inverse(s.y, s.x, p.y, p.x)["s12"] for p in places.geometry] for s in strikes.geometry
    ]


def _oracle(strikes, places, radius_km, groups, distances=None):
    """Per group: (certain places, possible places) as sets of place positions."""
    distances = _distances(strikes, places) if distances is None else distances
    out = {}
    for label, members in groups.items():
        sure, maybe = set(), set()
        for i in members:
            r = strikes["location_radius_m"].iloc[i]
            for j, d in enumerate(distances[i]):
                if d + r <= radius_km * 1000:
                    sure.add(j)
                if d - r <= radius_km * 1000:
                    maybe.add(j)
        out[label] = (sure, maybe)
    return out


@pytest.fixture(scope="module")
def shipped():
    strikes = bs.load_strikes().iloc[[0, 10, 30, 50, 60, 80]].copy()
    places = bs.load_places()
    # settlements only: the supplement's reservoir, lake and road are not places people live
    kind = places["feature"]
    places = places[kind.isin(["", "village", "town", "city"])].reset_index(drop=True)
    return strikes, places, _distances(strikes, places)


def test_exposure_per_strike_matches_independent_count(shipped):
    strikes, places, distances = shipped
    table = strike_exposure(strikes, radii_km=[2, 5], places=places)
    assert table.index.equals(strikes.index)
    pop = pd.to_numeric(places["population"], errors="coerce").to_numpy()
    for radius in (2, 5):
        groups = {i: [i] for i in range(len(strikes))}
        expected = _oracle(strikes, places, radius, groups, distances)
        for i, (sure, maybe) in expected.items():
            row = table.iloc[i]
            assert row[f"places_min_{radius}km"] == len(sure)
            assert row[f"places_max_{radius}km"] == len(maybe)
            known_hi = [pop[j] for j in maybe if pop[j] > 0]
            assert row[f"population_max_{radius}km"] == pytest.approx(sum(known_hi))
            assert row[f"unknown_max_{radius}km"] == len(maybe) - len(known_hi)


def test_exposure_per_cluster_counts_each_place_once(shipped):
    strikes, places, distances = shipped
    labels = ["g1", "g1", "g2", "g2", "g2", None]
    table = strike_exposure(strikes, radii_km=5, by=labels, places=places)
    assert list(table.index) == ["g1", "g2"]
    assert table["n_strikes"].tolist() == [2, 3]
    expected = _oracle(strikes, places, 5, {"g1": [0, 1], "g2": [2, 3, 4]}, distances)
    for label, (sure, maybe) in expected.items():
        assert table.loc[label, "places_min_5km"] == len(sure)
        assert table.loc[label, "places_max_5km"] == len(maybe)


def test_unknown_population_is_a_lower_bound_never_zero():
    places = gpd.GeoDataFrame(
        {"population": [1000, np.nan, 0, 250]},
        geometry=[Point(45.000, 40.001), Point(45.001, 40.0), Point(44.999, 40.0), Point(46, 41)],
        crs=4326,
    )
    strikes = gpd.GeoDataFrame(
        {"location_radius_m": [0]}, geometry=[Point(45.0, 40.0)], index=["s"], crs=4326
    )
    row = strike_exposure(strikes, radii_km=[1], places=places).loc["s"]
    assert row["places_min_1km"] == row["places_max_1km"] == 3
    assert row["population_min_1km"] == 1000.0
    assert row["unknown_min_1km"] == 2  # NaN and 0 are both "not known"
    assert row["population_1km"] == "1,000-1,000 (+2 places of unknown population)"


def test_features_that_are_not_settlements_are_left_out():
    places = gpd.GeoDataFrame(
        {"population": [100, np.nan, np.nan], "feature": ["village", "reservoir", None]},
        geometry=[Point(45.0, 40.0), Point(45.001, 40.0), Point(44.999, 40.0)],
        crs=4326,
    )
    strikes = gpd.GeoDataFrame(geometry=[Point(45.0, 40.0)], crs=4326)
    row = strike_exposure(strikes, radii_km=[1], places=places).iloc[0]
    assert row["places_max_1km"] == 2  # the village and the row without a feature
    assert row["unknown_max_1km"] == 1


def test_location_radius_widens_the_interval():
    places = gpd.GeoDataFrame(
        {"population": [100, 200]},
        geometry=[Point(45.0, 40.0), Point(45.0, 40.030)],  # 0 and ~3.33 km north
        crs=4326,
    )
    strikes = gpd.GeoDataFrame(geometry=[Point(45.0, 40.0)], crs=4326)
    tight = strike_exposure(strikes, radii_km=[2], places=places, location_radius_m=0).iloc[0]
    loose = strike_exposure(strikes, radii_km=[2], places=places, location_radius_m=1500).iloc[0]
    assert (tight["population_min_2km"], tight["population_max_2km"]) == (100.0, 100.0)
    assert (loose["population_min_2km"], loose["population_max_2km"]) == (100.0, 300.0)


def test_exposure_rings_radius_by_brute_force():
    strikes = gpd.GeoSeries([Point(45.5, 39.9)], index=["x"], crs=4326)
    rings = exposure_rings(strikes, radii_km=[1, 5], step_m=50.0)
    assert rings["radius_km"].tolist() == [5.0, 1.0]
    for (_, ring), radius in zip(rings.iterrows(), (5000.0, 1000.0), strict=True):
        xy = np.asarray(ring.geometry.exterior.coords)
        dist = [WGS.Inverse(39.9, 45.5, y, x)["s12"] for x, y in xy]
        np.testing.assert_allclose(dist, radius, atol=1e-6)


def test_settlement_table_by_band_against_brute_force():
    border = gpd.GeoDataFrame(
        {"section": ["x"], "country_a": ["ARM"], "country_b": ["AZE"]},
        geometry=[LineString([(45.0, 39.0), (45.0, 41.0)])],
        crs=4326,
    )
    countries = gpd.GeoDataFrame(
        {"iso3": ["ARM", "AZE"]},
        geometry=[
            LineString([(44, 39), (45, 39), (45, 41), (44, 41)]).convex_hull,
            LineString([(46, 39), (45, 39), (45, 41), (46, 41)]).convex_hull,
        ],
        crs=4326,
    )
    lon = [44.99, 44.95, 44.90, 44.70, 45.05]
    places = gpd.GeoDataFrame(
        {
            "place_id": ["a", "b", "c", "d", "e"],
            "name": ["A", "B", "C", "D", "E"],
            "population": [500, np.nan, 700, 900, 100],
            "source": ["src"] * 5,
        },
        geometry=[Point(x, 40.0) for x in lon],
        crs=4326,
    )
    strikes = gpd.GeoDataFrame(
        {"report_id": ["R1", "R2", "R3"], "evidence": ["direction", "impact", "denial"]},
        geometry=[Point(44.95, 40.0001), Point(44.9501, 40.0), Point(44.90, 40.0)],
        crs=4326,
    )
    table = settlement_exposure(
        strikes, places=places, border=border, countries=countries, bands_km=(0, 5, 20)
    )
    # brute force: the distance to a meridian segment from a point at its middle latitude
    expected = {}
    for pid, x in zip("abcde", lon, strict=True):
        d = min(WGS.Inverse(40.0, x, lat, 45.0)["s12"] for lat in np.linspace(39.99, 40.01, 401))
        expected[pid] = d / 1000
    assert list(table.index) == ["a", "b", "c"]  # d is 25 km away, e is in AZE
    for pid in table.index:
        assert table.loc[pid, "distance_km"] == pytest.approx(expected[pid], abs=1e-3)
    assert table["band"].tolist() == ["0-5 km", "0-5 km", "5-20 km"]
    assert table.loc["b", "population_source"] == "unknown"
    assert math.isnan(table.loc["b", "population"])
    assert table.loc["b", "report_ids"] == "R1;R2"
    assert table.loc["b", "strongest_evidence"] == "impact"
    assert table.loc["c", "strongest_evidence"] == "denial"
    summary = band_summary(table, by=None)
    assert summary.loc["0-5 km", "population"] == "at least 500 (+1 of unknown population)"
    assert summary.loc["5-20 km", "population"] == "700"
    assert summary["with_reports"].tolist() == [1, 1]


def test_cli_exposure_settlements_and_clusters(capsys):
    from borderstrikes.cli import main

    assert main(["exposure", "--settlements"]) == 0
    out = capsys.readouterr().out
    assert "Totals per band" in out
    assert "0-5 km" in out
    assert "5-20 km" in out
    assert main(["exposure", "--by-cluster", "--radii-km", "2"]) == 0
    out = capsys.readouterr().out
    assert "population_2km" in out
