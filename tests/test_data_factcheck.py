"""The shipped data against its own citations: disputes, precision, second sources, provenance.

Oracles: pyproj.Geod (WGS84) for every distance and forward step, the cited coordinates
in data/places/*.csv read with the csv module, and hand-computed values.
"""

import csv
import datetime as dt
import importlib.util
import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from pyproj import Geod

from borderstrikes import datasets

GEOD = Geod(ellps="WGS84")
DATA = datasets.data_dir()
RAW = DATA.parent / "data-raw" / "strike_reports.csv"

#: Two published coordinates of one village agree if they are this close (km): each is
#: good to about 1 km (a village centre read off a map or an infobox).
SECOND_SOURCE_TOLERANCE_KM = 2.0

#: Second sources that disagree with the gazetteer beyond the tolerance, with the reason
#: the disagreement is kept (a finding, not a failure).
KNOWN_DISAGREEMENTS = {
    "sup:nerkin-shorzha": "ru.wikipedia (supplement) and en.wikipedia differ by 5′ of "
    "longitude (~7 km); the supplement row already notes that its text distances do not fit",
}


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def strikes():
    return datasets.load_strikes()


@pytest.fixture(scope="module")
def candidates():
    out = {}
    for row in read(DATA / "places" / "coord_candidates.csv"):
        out.setdefault(row["place"], []).append(row)
    return out


def anchor_point(place_id):
    for row in read(DATA / "places" / "geonames.csv"):
        if f"geonames:{row['geonameid']}" == place_id:
            return float(row["lon"]), float(row["lat"])
    raise KeyError(place_id)


def candidate_point(row):
    if row["method"] == "published_coordinate":
        return float(row["lon"]), float(row["lat"])
    lon, lat = anchor_point(row["anchor_place_id"])
    lon2, lat2, _ = GEOD.fwd(lon, lat, float(row["bearing_deg"]), float(row["distance_km"]) * 1e3)
    return lon2, lat2


def test_disputed_places_sit_at_the_chosen_candidate_and_the_radius_covers_all(strikes, candidates):
    assert set(candidates) == {"Kut", "Karashen", "Chakaten"}
    for place, rows in candidates.items():
        chosen = [r for r in rows if r["chosen"] == "yes"]
        assert len(chosen) == 1, place
        reports = strikes[strikes["place"] == place]
        assert len(reports) > 0
        c_lon, c_lat = candidate_point(chosen[0])
        for _, report in reports.iterrows():
            # the derived point is computed on a sphere by the build: within 0.5 % of the step
            _, _, off_m = GEOD.inv(report.geometry.x, report.geometry.y, c_lon, c_lat)
            step_m = float(chosen[0]["distance_km"] or 0) * 1e3
            assert off_m <= max(1.0, 0.005 * step_m), (place, off_m)
            stored = {c["candidate_id"] for c in report["coord_candidates"]}
            assert stored == {r["candidate_id"] for r in rows}
            assert report["coord_choice"] == chosen[0]["note"]
            for row in rows:
                lon, lat = candidate_point(row)
                _, _, d_m = GEOD.inv(report.geometry.x, report.geometry.y, lon, lat)
                assert report["location_radius_m"] >= d_m + 1_000, (place, row["candidate_id"])


def test_fixed_rows_against_their_cited_coordinates(strikes):
    by_id = strikes.set_index("report_id")
    # Kut: the infobox coordinate of its cited page, 40°10′51″N 45°54′06″E
    kut = by_id.loc["SR008"]
    assert (kut.geometry.y, kut.geometry.x) == pytest.approx(
        (40 + 10 / 60 + 51 / 3600, 45 + 54 / 60 + 6 / 3600), abs=1e-4
    )
    # ... and the radius covers the point its text gives: 1.5 km south of Sotk (GeoNames)
    lon, lat, _ = GEOD.fwd(45.86951, 40.20007, 180, 1_500)
    _, _, d_m = GEOD.inv(kut.geometry.x, kut.geometry.y, lon, lat)
    assert 2_500 < d_m < kut["location_radius_m"] - 1_000  # hand-checked: ~2.8 km
    # Chakaten: 6 km south of Kapan (hy.wikipedia), no longer Kapan's centre
    chakaten = by_id.loc["SR045"]
    _, _, from_kapan = GEOD.inv(46.40678, 39.20762, chakaten.geometry.x, chakaten.geometry.y)
    assert from_kapan == pytest.approx(6_000, rel=0.005)
    assert chakaten["location_kind"] == "village_from_text"
    # Karashen: its cited infobox, 39°32′24″N 46°24′29″E
    karashen = by_id.loc["SR062"]
    assert (karashen.geometry.y, karashen.geometry.x) == pytest.approx(
        (39.54, 46 + 24 / 60 + 29 / 3600), abs=1e-4
    )


def test_precision_comes_from_the_explicit_column(strikes):
    raw = read(RAW)
    assert len(raw) == len(strikes)
    for number, row in enumerate(raw, start=1):
        assert row["location_kind"], number
        assert row["location_kind_reason"].strip(), number
    by_id = strikes.set_index("report_id")
    assert list(by_id["location_kind"]) == [row["location_kind"] for row in raw]
    # SR073: an unnamed settlement somewhere in Tegh community
    assert by_id.loc["SR073", "location_kind"] == "municipality_report"
    assert by_id.loc["SR073", "location_precision"] == "region"
    assert by_id.loc["SR073", "location_radius_m"] == 25_000
    assert by_id["location_rule"].str.startswith("kind ").all()


def test_gazetteer_points_against_a_second_independent_source():
    places = datasets.load_places().set_index("place_id")
    rows = read(DATA / "places" / "second_sources.csv")
    assert len(rows) >= 5
    checked, disagree = set(), {}
    for row in rows:
        point = places.loc[row["place_id"], "geometry"]
        assert places.loc[row["place_id"], "name"] == row["name"]
        _, _, d_m = GEOD.inv(point.x, point.y, float(row["lon"]), float(row["lat"]))
        checked.add(row["place_id"])
        if d_m > SECOND_SOURCE_TOLERANCE_KM * 1e3:
            disagree[row["place_id"]] = d_m
    assert set(disagree) == set(KNOWN_DISAGREEMENTS), disagree
    assert disagree["sup:nerkin-shorzha"] == pytest.approx(7_100, rel=0.02)  # 5′ at 40.11°N


def test_every_cited_url_is_in_the_source_table(strikes):
    sources = datasets.load_sources()
    assert sources.index.is_unique
    claims = pd.read_csv(datasets.get_path("claims"), dtype=str, keep_default_na=False)
    incidents = datasets.load_strikes(period="2021-2025")
    urls = set(strikes["source_url"].dropna()) | set(claims["source_url"])
    assert not urls & set(incidents["source_url"])  # the incidents cite only new pages
    urls |= set(incidents["source_url"])
    assert urls == set(sources.index)
    assert sources["access_date"].notna().all()
    assert sources["outlet_party"].str.len().gt(0).all()
    assert sources["claimant_party"].str.len().gt(0).all()
    assert (sources["archive_url"] == "").all()  # none known; never guessed
    cited = set(";".join(sources["cited_by"]).replace(" ", "").split(";"))
    with_url = strikes.loc[strikes["source_url"].notna(), "report_id"]
    assert cited == set(with_url) | set(claims["claim_id"]) | set(incidents["report_id"])
    assert set(strikes["report_id"]) - set(with_url) == {"SR071"}  # URL not in the corpus
    # the Azerbaijani MOD statement is carried by Azerbaijani media
    azernews = sources.loc["https://www.azernews.az/nation/199255.html"]
    assert azernews["outlet_party"] == "azerbaijani_media"
    assert azernews["claimant_party"] == "azerbaijani_government"
    # several claimants in one field are placed one by one; TASS is Russian state media
    asbarez = sources.loc[
        "https://asbarez.com/russia-says-azerbaijan-again-breached-ceasefire-that-injured-"
        "armenian-solider/"
    ]
    assert asbarez["claimant_party"] == "armenian_government; russian_government"
    assert sources.loc["https://tass.com/world/1289379", "outlet_party"] == "russian_state_media"
    assert sources.loc["https://tass.com/world/1289379", "cited_by"] == "IN002; IN003"


def test_coord_candidates_round_trip_through_json(strikes):
    kut = strikes.loc[strikes["place"] == "Kut", "coord_candidates"].iloc[0]
    assert json.loads(json.dumps(kut)) == kut
    assert all(re.fullmatch(r"[a-z]+:[a-z-]+", c["candidate_id"]) for c in kut)
    undisputed = strikes.loc[strikes["place"] == "Jermuk", "coord_candidates"]
    assert undisputed.map(len).eq(0).all()


# -- the date rule on the incident table -----------------------------------------------------


@pytest.fixture(scope="module")
def build_strikes():
    path = DATA.parent / "data-raw" / "build_strikes.py"
    if not path.is_file():
        pytest.skip("data-raw/ is not shipped in the wheel")
    spec = importlib.util.spec_from_file_location("build_strikes_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.mark.parametrize(
    ("date", "time_local", "why"),
    [
        ("2023-05-11", "night of 10-11 May", "names a day"),  # a span the rule does not read
        ("2023-05-11", "13-14 Sept", "cannot place"),  # a "Sept" span on a May row
        ("2023-05-11", "before 15 Sept", "names a day"),  # no first day of fighting
        ("2021-04-30", "morning", "cannot place"),  # before May 2021
        ("2026-01-01", "", "cannot place"),  # after 2025
    ],
)
def test_incident_date_rule_fails_on_a_row_it_cannot_place(build_strikes, date, time_local, why):
    row = {"date": date, "time_local": time_local}
    with pytest.raises(SystemExit, match=f"IN999: time_local .*{why}"):
        build_strikes.date_interval(row, "IN999", build_strikes.INCIDENTS)


def test_incident_date_rule_places_own_dates_and_keeps_the_2022_rule(build_strikes):
    rule, day = build_strikes.date_interval, dt.date
    row = {"date": "2023-09-01", "time_local": "07:50"}
    assert rule(row, "IN1", build_strikes.INCIDENTS) == (
        day(2023, 9, 1),
        day(2023, 9, 1),
        "own_date",
    )
    # the September 2022 table keeps its span and "before" branches
    row = {"date": "2022-09-15", "time_local": "before 15 Sept (exact date not stated)"}
    assert rule(row, "SR1") == (day(2022, 9, 12), day(2022, 9, 14), "before")
    row = {"date": "2022-09-14", "time_local": "13-14 Sept"}
    assert rule(row, "SR1") == (day(2022, 9, 13), day(2022, 9, 14), "span")


def test_incident_table_rebuilds_byte_identically(tmp_path):
    build = DATA.parent / "data-raw" / "build_strikes.py"
    if not build.is_file():
        pytest.skip("data-raw/ is not shipped in the wheel")
    out = tmp_path / "incidents.geojson"
    subprocess.run(
        [
            sys.executable,
            str(build),
            "--output",
            str(tmp_path / "s.geojson"),
            "--incidents-output",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == datasets.get_path("incidents_2021_2025").read_bytes()
    assert (tmp_path / "s.geojson").read_bytes() == datasets.get_path("strikes").read_bytes()
