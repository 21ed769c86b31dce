"""Incidents: hand-built cases, a brute-force oracle on the packaged reports, order-freedom."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

import borderstrikes as bs
from borderstrikes.errors import CRSError
from borderstrikes.incidents import claimant_key, claimant_side, group_incidents

WGS84 = Geod(ellps="WGS84")  # the oracle's own ellipsoid, not the package's
LON0, LAT0 = 45.87, 40.20


def _at(distance_m: float, azimuth: float = 90.0) -> tuple[float, float]:
    lon, lat, _ = WGS84.fwd(LON0, LAT0, azimuth, distance_m)
    return lon, lat


def _reports(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    defaults = {
        "place": "Sotk",
        "source_outlet": "Outlet",
        "location_precision": "settlement",
        "time_local": None,
    }
    for column, value in defaults.items():
        frame[column] = frame[column].fillna(value) if column in frame else value
    frame["date"] = pd.to_datetime(frame["date"])
    lon = [r.get("lon", LON0) for r in rows]
    lat = [r.get("lat", LAT0) for r in rows]
    frame = frame.drop(columns=[c for c in ("lon", "lat") if c in frame])
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


@pytest.fixture(scope="module")
def hand() -> gpd.GeoDataFrame:
    east_3km = _at(3_000)
    east_6500 = _at(6_500)
    rows = [
        # A, B: the same village, the same day, two claimants (one quoted through an outlet)
        {
            "report_id": "A",
            "claimant": "Armenian MOD",
            "evidence": "impact",
            "location_radius_m": 2000,
            "date": "2022-09-13",
        },
        {
            "report_id": "B",
            "claimant": "Armenian MOD (as quoted)",
            "source_outlet": "Other",
            "evidence": "direction",
            "location_radius_m": 2000,
            "date": "2022-09-13",
            "time_local": "00:05",
        },
        # C: 3 km east, 2 km radius: not inside A's disc, nor A inside C's -> apart
        {
            "report_id": "C",
            "claimant": "Kut resident",
            "evidence": "impact",
            "location_radius_m": 2000,
            "date": "2022-09-13",
            "lon": east_3km[0],
            "lat": east_3km[1],
        },
        # D: A's place, the next day -> apart
        {
            "report_id": "D",
            "claimant": "Armenian Ombudsman",
            "evidence": "impact",
            "location_radius_m": 2000,
            "date": "2022-09-14",
        },
        # E: a 25 km regional tally over A and C -> links both, bridges neither, stays alone
        {
            "report_id": "E",
            "claimant": "Armenian government",
            "evidence": "impact",
            "location_precision": "region",
            "location_radius_m": 25000,
            "date": "2022-09-13",
        },
        # F: a 4 km area report 3.5 km beyond C (6.5 km from A) -> joins C only
        {
            "report_id": "F",
            "claimant": "Armenian MTAI",
            "evidence": "impact",
            "location_precision": "area",
            "location_radius_m": 4000,
            "date": "2022-09-13",
            "lon": east_6500[0],
            "lat": east_6500[1],
        },
        # G: a denial at A; H: the Azerbaijani MOD names A as a firing point
        {
            "report_id": "G",
            "claimant": "village head",
            "evidence": "denial",
            "location_radius_m": 2000,
            "date": "2022-09-13",
        },
        {
            "report_id": "H",
            "claimant": "Azerbaijani MOD",
            "source_outlet": "Azernews",
            "evidence": "claimed_firing_point",
            "location_radius_m": 2000,
            "date": "2022-09-13",
        },
    ]
    reports = _reports(rows)
    return reports.set_axis(pd.Index([10, 11, 12, 13, 14, 15, 16, 17], name="row"))


def test_hand_built_incidents(hand):
    before = hand.copy()
    table, labels = group_incidents(hand)
    pd.testing.assert_frame_equal(hand, before)  # input untouched
    assert labels.index.equals(hand.index)
    assert labels.name == "incident"
    by_id = dict(zip(hand["report_id"], labels, strict=True))
    groups = {frozenset(hand["report_id"][labels == k]) for k in labels.unique()}
    assert groups == {
        frozenset("ABGH"),
        frozenset("CF"),
        frozenset("D"),
        frozenset("E"),
    }
    abgh = table.loc[by_id["A"]]
    assert abgh["n_reports"] == 4
    # "Armenian MOD" and "Armenian MOD (as quoted)" are one claimant; the village head and
    # the Azerbaijani MOD are two more
    assert abgh["n_claimants"] == 3
    assert abgh["n_outlets"] == 3  # Outlet, Other, Azernews
    assert abgh["both_sides"]
    assert abgh["n_denials"] == 1
    assert abgh["strongest_evidence"] == "impact"
    assert abgh["corroboration"] == 1  # only the MOD reports fire; denial and firing point don't
    assert abgh["report_ids"] == "A; B; G; H"
    assert not table.loc[by_id["C"], "both_sides"]
    # incidents are numbered by start, then first report id
    assert table["start"].is_monotonic_increasing
    assert list(table.index) == list(range(len(table)))
    # the C+F disc holds F's disc around C's point: 3.5 km + 4 km
    assert table.loc[by_id["C"], "radius_m"] == pytest.approx(7_500, abs=1e-3)


def test_slack_joins_the_next_day(hand):
    _, labels = group_incidents(hand, time_slack_h=12)
    assert labels[hand["report_id"] == "D"].iloc[0] == labels[hand["report_id"] == "A"].iloc[0]


def _brute_force_fine_groups(strikes: gpd.GeoDataFrame, bridge_m: float) -> set[frozenset]:
    """Union-find over every pair of fine reports, with pyproj.Geod and report_intervals."""
    ids = strikes["report_id"].to_numpy()
    lon, lat = strikes.geometry.x.to_numpy(), strikes.geometry.y.to_numpy()
    radius = strikes["location_radius_m"].to_numpy(float)
    spans = bs.report_intervals(strikes)
    start, end = spans["start"].to_list(), spans["end"].to_list()
    fine = np.flatnonzero(radius <= bridge_m)
    parent = {i: i for i in fine}

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    def overlap(a, b):
        if start[a] == end[a] and start[b] == end[b]:
            return start[a] == start[b]
        if start[a] == end[a]:
            return start[b] <= start[a] < end[b]
        if start[b] == end[b]:
            return start[a] <= start[b] < end[a]
        return max(start[a], start[b]) < min(end[a], end[b])

    for k, a in enumerate(fine):
        for b in fine[k + 1 :]:
            distance = WGS84.inv(lon[a], lat[a], lon[b], lat[b])[2]
            if distance <= max(radius[a], radius[b]) and overlap(a, b):
                parent[find(a)] = find(b)
    groups: dict[int, set] = {}
    for i in fine:
        groups.setdefault(find(i), set()).add(ids[i])
    return {frozenset(g) for g in groups.values()}


def test_packaged_fine_reports_match_brute_force():
    strikes = bs.load_strikes()
    table, labels = group_incidents(strikes)
    fine = strikes["location_radius_m"] <= 3000
    ours = {
        frozenset(strikes.loc[fine & (labels == k), "report_id"]) for k in labels[fine].unique()
    }
    assert ours == _brute_force_fine_groups(strikes, 3000)
    assert table["n_reports"].sum() == len(strikes)
    assert (table["n_claimants"] <= table["n_reports"]).all()
    assert (table["corroboration"] <= table["n_claimants"]).all()
    # every incident's disc holds each of its reports' points
    for k, row in table.iterrows():
        members = strikes[labels == k]
        reach = WGS84.inv(
            np.full(len(members), row["lon"]),
            np.full(len(members), row["lat"]),
            members.geometry.x.to_numpy(),
            members.geometry.y.to_numpy(),
        )[2]
        assert (reach + members["location_radius_m"].to_numpy() <= row["radius_m"] + 1e-6).all()


def test_order_free():
    strikes = bs.load_strikes()
    table, labels = group_incidents(strikes)
    shuffled = strikes.sample(frac=1.0, random_state=7)
    table2, labels2 = group_incidents(shuffled)
    pd.testing.assert_frame_equal(table, table2)
    assert labels2.index.equals(shuffled.index)
    pd.testing.assert_series_equal(labels2.reindex(strikes.index), labels)


def test_sides_from_claimants():
    strikes = bs.load_strikes()
    side = claimant_side(strikes)
    azerbaijani = strikes["claimant"].str.startswith("Azerbaijani")
    assert (side[azerbaijani] == "AZE").all()
    assert (side[~azerbaijani] == "ARM").all()  # every other claimant is an Armenian source
    assert claimant_key("Gegharkunik governor Karen Sargsyan (via RFE/RL)") == claimant_key(
        "Gegharkunik governor Karen Sargsyan (via Radio Liberty)"
    )


def test_bad_input(hand):
    with pytest.raises(ValueError, match="claimant"):
        group_incidents(hand.drop(columns="claimant"))
    with pytest.raises(ValueError, match="time_slack_h"):
        group_incidents(hand, time_slack_h=-1)
    with pytest.raises(CRSError):
        group_incidents(hand.set_crs(None, allow_override=True))
