"""The packaged strike reports, their build, and validate_strikes on broken copies."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from borderstrikes import datasets
from borderstrikes.errors import CRSError, StrikesValidationError
from borderstrikes.strikes import (
    EVIDENCE_KINDS,
    LOCATION_PRECISIONS,
    PRECISION_RADIUS_M,
    REQUIRED_COLUMNS,
    _distance_to_unit_m,
    validate_strikes,
)

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "data-raw" / "build_strikes.py"
RAW = ROOT / "data-raw" / "strike_reports.csv"
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def strikes():
    return datasets.load_strikes()


def test_packaged_strikes_validate_and_are_returned_unchanged(strikes):
    before = strikes.copy()
    assert validate_strikes(strikes) is strikes
    pd.testing.assert_frame_equal(strikes, before)


def test_one_feature_per_csv_row_in_order(strikes):
    raw = pd.read_csv(RAW, dtype=str, keep_default_na=False)
    assert len(strikes) == len(raw) == 88
    assert strikes["report_id"].tolist() == [f"SR{i:03d}" for i in range(1, 89)]
    assert strikes["place"].tolist() == raw["place"].tolist()
    assert strikes["date"].dt.strftime("%Y-%m-%d").tolist() == raw["date"].tolist()
    assert strikes["place"].nunique() == 32


def test_schema_values(strikes):
    assert set(REQUIRED_COLUMNS) <= set(strikes.columns)
    assert strikes["evidence"].isin(EVIDENCE_KINDS).all()
    assert strikes["location_precision"].isin(LOCATION_PRECISIONS).all()
    radius = strikes["location_precision"].map(PRECISION_RADIUS_M)
    assert (strikes["location_radius_m"] >= radius).all()
    iso = {"Gegharkunik": "AM-GR", "Vayots Dzor": "AM-VD", "Syunik": "AM-SU"}
    assert (strikes["admin1"].map(iso) == strikes["admin1_iso"]).all()
    assert strikes["date"].between("2022-09-12", "2022-09-15").all()
    assert strikes.geom_type.eq("Point").all()
    for column in ("place_variants", "weapons"):
        assert strikes[column].map(lambda v: isinstance(v, list)).all()
    assert strikes["coord_source"].str.len().gt(20).all()


def test_evidence_follows_the_research_notes(strikes):
    # Independent reading of the research notes (not of the build rules).
    by_id = strikes.set_index("report_id")["evidence"]
    displacement = strikes["notes"].str.startswith("DISPLACEMENT-ONLY")
    assert (strikes.loc[displacement, "evidence"] == "displacement_only").all()
    assert displacement.sum() == 9
    az_mod = strikes["claimant"] == "Azerbaijani MOD"
    assert (strikes.loc[az_mod, "evidence"] == "claimed_firing_point").all()
    assert by_id["SR034"] == "denial"  # the Vardenis town-hall denial
    assert by_id["SR023"] == "impact"  # "military unit ... was hit by missiles"
    assert by_id["SR043"] == "impact"  # Akner: a shell struck a house
    assert by_id["SR002"] == "direction"  # MOD: positions "in the direction of" Artanish
    assert by_id["SR053"] == "direction"  # MOD line claim "from Sotk to Goris"
    assert by_id["SR064"] == "ground_fighting"  # Nerkin Hand: positional advancement
    assert by_id["SR001"] == "ground_fighting"  # Agbradzor: fighting, not a strike
    assert Counter(strikes["evidence"]) == {
        "impact": 53,
        "direction": 14,
        "ground_fighting": 7,
        "displacement_only": 9,
        "claimed_firing_point": 4,
        "denial": 1,
    }


def test_places_without_csv_coordinates_have_cited_points(strikes):
    raw = pd.read_csv(RAW, dtype=str, keep_default_na=False)
    missing = sorted(set(raw.loc[raw["lat"] == "", "place"]))
    assert len(missing) == 11
    rows = strikes[strikes["place"].isin(missing)]
    assert rows.geometry.notna().all()
    assert rows["coord_source"].str.contains(r"https?://|GeoNames", regex=True).all()
    stand_ins = rows[rows["coord_source"].str.contains("stand-in")]
    assert set(stand_ins["place"]) == {"Nerkin Hand"}  # Chakaten: a point derived from text
    assert stand_ins["location_precision"].isin(["area", "region"]).all()
    assert (stand_ins["location_radius_m"] >= 10_000).all()
    assert stand_ins["geonameid"].isna().all()


def test_geonames_points_carry_their_id(strikes):
    with_id = strikes[strikes["geonameid"].notna()]
    assert set(with_id["place"]) >= {"Kapan", "Jermuk", "Sotk", "Vardenis", "Goris"}
    assert (with_id["geonameid"] == with_id["geonameid"].round()).all()
    assert with_id["coord_source"].str.contains("GeoNames id").all()


def test_geojson_file_is_rfc7946_and_deterministic(tmp_path):
    shipped = datasets.get_path("strikes")
    collection = json.loads(shipped.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946: always WGS84 lon/lat
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point"
        assert (round(lon, 6), round(lat, 6)) == (lon, lat)
        assert feature["id"] == feature["properties"]["report_id"]
    if not BUILD.is_file():
        pytest.skip("data-raw/ is not shipped in the wheel")
    out = tmp_path / "strikes.geojson"
    subprocess.run(
        [sys.executable, str(BUILD), "--output", str(out)], check=True, capture_output=True
    )
    assert out.read_bytes() == shipped.read_bytes(), "rebuild data/strikes.geojson"


def test_distance_to_unit_against_geod():
    square = shapely.box(45.0, 40.0, 46.0, 41.0)
    # Due north of the top edge: the nearest boundary point is straight south.
    _, _, expected = GEOD.inv(45.5, 41.1, 45.5, 41.0)
    assert _distance_to_unit_m(45.5, 41.1, square) == pytest.approx(expected, rel=1e-4)
    _, _, expected = GEOD.inv(46.2, 40.5, 46.0, 40.5)
    assert _distance_to_unit_m(46.2, 40.5, square) == pytest.approx(expected, rel=1e-3)


def test_validate_accepts_another_crs(strikes):
    projected = strikes.to_crs(32638)
    assert validate_strikes(projected) is projected


# -- broken copies: each check names the offending report --------------------------------


def set_geometry(row, geometry):
    def breaker(frame):
        frame.loc[row, "geometry"] = geometry
        return frame

    return breaker


def set_value(row, column, value):
    def breaker(frame):
        frame.loc[row, column] = value
        return frame

    return breaker


def swap_point(row):
    def breaker(frame):
        point = frame.geometry.loc[row]
        frame.loc[row, "geometry"] = shapely.Point(point.y, point.x)
        return frame

    return breaker


def move_to_kapan(row):
    return set_geometry(row, shapely.Point(46.40678, 39.20762))


def duplicate_id(frame):
    frame.loc[10, "report_id"] = frame.loc[11, "report_id"]
    return frame


def drop_evidence(frame):
    return frame.drop(columns=["evidence"])


def drop_crs(frame):
    return frame.set_crs(None, allow_override=True)


SVE = StrikesValidationError
BROKEN = [
    pytest.param(set_geometry(5, None), SVE, r"SR006.*missing or empty", id="missing geometry"),
    pytest.param(set_geometry(6, shapely.Point()), SVE, r"SR007", id="empty geometry"),
    pytest.param(
        set_geometry(7, shapely.LineString([(45, 40), (45.1, 40.1)])),
        SVE,
        r"Points.*SR008",
        id="not a point",
    ),
    pytest.param(drop_crs, CRSError, r"no CRS.*set_crs", id="no CRS"),
    pytest.param(swap_point(8), SVE, r"SR009.*swapped.*points_from_xy", id="lat/lon swapped"),
    pytest.param(
        set_geometry(9, shapely.Point(30.0, 50.0)), SVE, r"SR010.*outside", id="outside Armenia"
    ),
    pytest.param(move_to_kapan(10), SVE, r"SR011.*km from AM-GR", id="outside its marz"),
    pytest.param(
        set_value(12, "admin1_iso", "AM-XX"), SVE, r"admin1_iso.*SR013.*AM-XX", id="unknown marz"
    ),
    pytest.param(duplicate_id, SVE, r"unique.*SR012", id="duplicate report_id"),
    pytest.param(set_value(3, "report_id", ""), SVE, r"must not be empty.*3", id="empty report_id"),
    pytest.param(
        set_value(13, "evidence", "rumour"),
        SVE,
        r"evidence must be one of.*SR014.*rumour",
        id="unknown evidence",
    ),
    pytest.param(
        set_value(14, "location_precision", "village"),
        SVE,
        r"location_precision.*SR015.*village",
        id="unknown precision",
    ),
    pytest.param(
        set_value(15, "location_radius_m", 10),
        SVE,
        r"location_radius_m.*SR016",
        id="radius below default",
    ),
    pytest.param(drop_evidence, SVE, r"missing the required column.*evidence", id="no column"),
]


@pytest.mark.parametrize(("breaker", "error", "match"), BROKEN)
def test_each_failure_names_the_bad_row(strikes, breaker, error, match):
    broken = breaker(strikes.copy())
    snapshot = broken.copy()
    with pytest.raises(error, match=match):
        validate_strikes(broken)
    pd.testing.assert_frame_equal(broken, snapshot)


def test_many_bad_rows_are_counted_not_all_listed(strikes):
    broken = strikes.copy()
    broken["evidence"] = "rumour"
    with pytest.raises(StrikesValidationError, match=r"88 row\(s\).*and 78 more"):
        validate_strikes(broken)


def test_not_a_geodataframe(strikes):
    with pytest.raises(TypeError, match="GeoDataFrame"):
        validate_strikes(pd.DataFrame(strikes.drop(columns="geometry")))


def test_stand_in_point_is_outside_its_place_but_inside_tolerance(strikes):
    # A stand-in point may sit outside the marz only within its radius: Lake Sev's centroid
    # is a few hundred metres outside the Syunik polygon and still validates.
    lake = strikes[strikes["place"] == "Lake Sev area"]
    units = datasets.load_boundaries(1, countries=["ARM"]).set_index("iso_3166_2").geometry
    point = lake.geometry.iloc[0]
    distance = _distance_to_unit_m(point.x, point.y, units["AM-SU"])
    assert distance < lake["location_radius_m"].iloc[0]
    assert np.isfinite(distance)


def test_countries_widen_the_check_to_azerbaijan(strikes):
    from borderstrikes.errors import UnknownCountryError

    # A point inside Azerbaijan's Kalbajar district.
    moved = strikes.iloc[:2].copy()
    moved.loc[moved.index[0], "geometry"] = shapely.Point(46.04, 40.10)
    moved.loc[moved.index[0], "admin1_iso"] = "AZ-KAL"
    with pytest.raises(StrikesValidationError, match="admin1_iso must be the ISO 3166-2 code"):
        validate_strikes(moved)
    assert validate_strikes(moved, countries=("ARM", "AZE")) is moved
    with pytest.raises(UnknownCountryError, match="countries must be ISO3 codes"):
        validate_strikes(moved, countries=("ARX",))
