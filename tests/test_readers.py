"""Readers of ACLED, UCDP GED and GDELT event files: schema, mappings, messy files, CLI."""

import dataclasses
import hashlib
import importlib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import borderstrikes.io as bsio
from borderstrikes.cli import main
from borderstrikes.errors import DataFileError
from borderstrikes.io.codebooks import PRECISION_FROM_ACLED, PRECISION_FROM_UCDP
from borderstrikes.io.events import (
    DATE_PRECISIONS,
    EVENT_CLASSES,
    EVENT_COLUMNS,
    EVIDENCE_FROM_EVENT_CLASS,
    GDELT_COLUMNS,
    ISO3_FROM_FIPS,
    PRECISION_FROM_GDELT,
    read_acled,
    read_gdelt_events,
    read_ucdp_ged,
    select_strike_reports,
)
from borderstrikes.strikes import (
    EVIDENCE_KINDS,
    LOCATION_PRECISIONS,
    PRECISION_RADIUS_M,
    REQUIRED_COLUMNS,
    validate_strikes,
)

DATA = Path(__file__).parent / "data" / "events"
HAPPY = [
    (read_acled, "acled_am_az_2023.csv"),
    (read_acled, "acled_am_az_pre2023.csv"),
    (read_ucdp_ged, "ucdp_ged_am_az.csv"),
    (read_gdelt_events, "gdelt_v2_am_az.export.CSV"),
    (read_gdelt_events, "gdelt_v1_am.export.CSV"),
]
STR_COLUMNS = [
    "report_id",
    "source_dataset",
    "source_event_id",
    "place",
    "admin1",
    "admin1_iso",
    "country_iso3",
    "date_precision",
    "event_class",
    "source_event_type",
    "actor1",
    "actor2",
    "evidence",
    "claimant",
    "source_outlet",
    "source_url",
    "location_precision",
    "coord_source",
    "notes",
]
DAY = pd.Timestamp


def by_id(events):
    return events.set_index("source_event_id", drop=False)


def schema(events):
    """The event columns and geometry, without the raw_* columns."""
    return events[[*EVENT_COLUMNS, events.geometry.name]]


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ------------------------------------------------------------------ the schema, for every reader


def test_event_schema_holds_the_strike_report_columns():
    assert set(REQUIRED_COLUMNS) <= set(EVENT_COLUMNS)
    assert set(EVIDENCE_FROM_EVENT_CLASS) == set(EVENT_CLASSES)
    assert set(EVIDENCE_FROM_EVENT_CLASS.values()) - {None} <= set(EVIDENCE_KINDS)
    assert set(PRECISION_FROM_GDELT.values()) - {None} <= set(LOCATION_PRECISIONS)
    assert [len(names) for names in GDELT_COLUMNS.values()] == [57, 58, 61]
    assert {
        "AM": "ARM",
        "AJ": "AZE",
        "GG": "GEO",
        "IR": "IRN",
        "TU": "TUR",
        "RS": "RUS",
    }.items() <= (ISO3_FROM_FIPS.items())


@pytest.mark.parametrize(("reader", "name"), HAPPY)
def test_happy_path_schema(reader, name):
    path = DATA / name
    before = sha256(path)
    events, rejects = reader(path)
    assert sha256(path) == before  # the input file is untouched
    raw = [c for c in events.columns if c.startswith("raw_")]
    assert list(events.columns) == [*EVENT_COLUMNS, *raw, "geometry"]
    assert raw  # every original column kept
    assert events.crs.to_epsg() == 4326
    assert (events.geom_type == "Point").all()
    for column in STR_COLUMNS:
        assert events[column].dtype == "str", column
    for column in ("date", "date_start", "date_end"):
        assert events[column].dtype == "datetime64[us]", column
    for column in ("fatalities_low", "fatalities_best", "fatalities_high"):
        assert events[column].dtype == "Int64", column
    assert events["location_radius_m"].dtype == "float64"
    # index: the record's 0-based row in the file, in file order; events and rejects share it
    assert events.index.name == rejects.index.name == "row"
    assert events.index.is_monotonic_increasing
    assert set(events.index).isdisjoint(rejects.index)
    records = events.attrs["provenance"][0]["records"]
    assert sorted([*events.index, *rejects.index]) == list(range(records))
    # values in their vocabularies
    assert events["report_id"].is_unique
    assert set(events["event_class"]) <= set(EVENT_CLASSES)
    assert set(events["evidence"].dropna()) <= set(EVIDENCE_KINDS)
    assert set(events["location_precision"].dropna()) <= set(LOCATION_PRECISIONS)
    assert set(events["date_precision"]) <= set(DATE_PRECISIONS)
    assert (events["date_start"] <= events["date"]).all()
    assert (events["date"] <= events["date_end"]).all()
    expected_radius = events["location_precision"].map(PRECISION_RADIUS_M).astype(float)
    pd.testing.assert_series_equal(events["location_radius_m"], expected_radius, check_names=False)
    assert events["evidence"].isna().equals(events["event_class"] == "other")


def test_geometry_comes_from_the_raw_coordinates():
    events, _ = read_acled(DATA / "acled_am_az_2023.csv")
    np.testing.assert_array_equal(events.geometry.x, events["raw_longitude"].astype(float))
    np.testing.assert_array_equal(events.geometry.y, events["raw_latitude"].astype(float))
    assert events.loc[0, "raw_latitude"] == "39.8395"  # raw text exactly as in the file


# ------------------------------------------------------------------------------------- ACLED


def test_acled_mapping():
    events, rejects = read_acled(DATA / "acled_am_az_2023.csv")
    assert rejects.empty
    e = by_id(events)
    assert e.loc["ARM2001", "report_id"] == "ACLED:ARM2001"
    assert e.loc["ARM2001", "source_dataset"] == "ACLED"
    # event classes and the conservative evidence
    assert e.loc["ARM2001", "event_class"] == "shelling_artillery_missile"
    assert e.loc["ARM2002", "event_class"] == "air_drone_strike"
    assert e.loc["ARM2004", "event_class"] == "armed_clash"
    assert e.loc["ARM2007", "event_class"] == "other"  # Strategic developments: Agreement
    assert e.loc["AZE3002", "event_class"] == "other"  # Disrupted weapons use
    assert e.loc["ARM2001", "evidence"] == "impact"
    assert e.loc["ARM2004", "evidence"] == "ground_fighting"
    assert pd.isna(e.loc["ARM2007", "evidence"])
    assert e.loc["ARM2001", "source_event_type"] == (
        "Explosions/Remote violence: Shelling/artillery/missile attack"
    )
    # geo_precision 1/2/3 through uncertainty.PRECISION_FROM_ACLED
    for event_id, code in (("ARM2001", 1), ("ARM2004", 2), ("ARM2006", 3)):
        precision = PRECISION_FROM_ACLED[code]
        assert e.loc[event_id, "location_precision"] == precision
        assert e.loc[event_id, "location_radius_m"] == PRECISION_RADIUS_M[precision]
    # time_precision 1 day, 2 week around the coded midpoint, 3 the calendar month
    day = e.loc["ARM2001", ["date", "date_start", "date_end", "date_precision"]].tolist()
    assert day == [DAY("2022-09-13"), DAY("2022-09-13"), DAY("2022-09-13"), "day"]
    week = e.loc["ARM2005", ["date", "date_start", "date_end", "date_precision"]].tolist()
    assert week == [DAY("2022-09-14"), DAY("2022-09-11"), DAY("2022-09-17"), "week"]
    month = e.loc["ARM2006", ["date", "date_start", "date_end", "date_precision"]].tolist()
    assert month == [DAY("2022-09-15"), DAY("2022-09-01"), DAY("2022-09-30"), "month"]
    # fatalities: ACLED's one (most conservative) figure is low and best; no high
    assert e.loc["ARM2002", "fatalities_low"] == e.loc["ARM2002", "fatalities_best"] == 2
    assert events["fatalities_high"].isna().all()
    # places, countries, admin-1 units by point in polygon
    assert e.loc["ARM2001", ["place", "admin1", "admin1_iso", "country_iso3"]].tolist() == [
        "Jermuk",
        "Vayots Dzor",
        "AM-VD",
        "ARM",
    ]
    assert e.loc["ARM2002", "admin1_iso"] == "AM-GR"
    assert e.loc["ARM2003", "admin1_iso"] == "AM-SU"
    assert e.loc["AZE3001", ["admin1_iso", "country_iso3"]].tolist() == ["AZ-KAL", "AZE"]
    # who says it, and where the point comes from
    assert e.loc["ARM2001", "claimant"] == (
        "ACLED (sources: Ministry of Defence of Armenia; Armenpress)"
    )
    assert e.loc["ARM2001", "source_outlet"] == "Ministry of Defence of Armenia; Armenpress"
    assert events["source_url"].isna().all()
    assert e.loc["ARM2001", "coord_source"] == (
        "ACLED latitude/longitude of 'Jermuk' (geo_precision 1)"
    )
    assert '"intensive"' in e.loc["ARM2001", "notes"]  # doubled quotes in a quoted field


def test_acled_layouts_before_and_after_2023_give_the_same_events():
    new, _ = read_acled(DATA / "acled_am_az_2023.csv")
    old, _ = read_acled(DATA / "acled_am_az_pre2023.csv")
    pd.testing.assert_frame_equal(schema(new), schema(old))
    assert "raw_iso3" in old
    assert "raw_event_id_no_cnty" in old
    assert "raw_disorder_type" not in old
    assert "raw_disorder_type" in new
    assert "raw_iso3" not in new
    assert old.loc[0, "raw_interaction"] == "11"  # numeric interaction codes …
    assert new.loc[0, "raw_interaction"] == "State forces-State forces"  # … and text ones
    assert old.attrs["provenance"][0]["layout"].startswith("ACLED before 20 March 2023")
    assert new.attrs["provenance"][0]["layout"].startswith("ACLED since 20 March 2023")


def test_acled_upper_case_headers_and_zip(tmp_path):
    text = (DATA / "acled_am_az_pre2023.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    upper = tmp_path / "acled_upper.csv"
    upper.write_text(header.upper() + "\n" + rest, encoding="utf-8")
    archive = tmp_path / "acled.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(DATA / "acled_am_az_pre2023.csv", "acled.csv")
    reference = schema(read_acled(DATA / "acled_am_az_pre2023.csv").events)
    pd.testing.assert_frame_equal(schema(read_acled(upper).events), reference)
    pd.testing.assert_frame_equal(schema(read_acled(archive).events), reference)
    assert "raw_EVENT_ID_CNTY" in read_acled(upper).events  # raw names as written


def test_acled_missing_columns_are_named_in_one_error():
    message = r"missing the ACLED column\(s\) \['event_date', 'latitude', 'geo_precision'\]"
    with pytest.raises(DataFileError, match=message):
        read_acled(DATA / "acled_missing_columns.csv")


ACLED_MESSY_REASONS = {
    1: "latitude '40.2001N' is not a number",
    2: "event_date '2022-13-45' is not a date",
    3: "time_precision '4' is not one of 1, 2, 3",
    4: "event_id_cnty is empty",
    5: "event_id_cnty 'ARM2001' repeats row 0",
    6: "longitude is empty",
    7: "latitude 95.2 is outside -90..90",
    10: "latitude 'abc' is not a number; event_date 'soon' is not a date",
}


def test_acled_messy_rows_are_rejected_with_reasons():
    path = DATA / "acled_messy.csv"
    before = sha256(path)
    events, rejects = read_acled(path)
    assert sha256(path) == before
    # row 9's 09/13/2022 can only be month-first, and no date of the file is day-first:
    # read as 13 September, and said so in the notes
    assert events.index.tolist() == [0, 8, 9]
    assert events.loc[9, "date"] == pd.Timestamp("2022-09-13")
    assert any("read month-first" in note for note in events.attrs["notes"])
    assert rejects.index.tolist() == sorted(ACLED_MESSY_REASONS)
    for row, reason in ACLED_MESSY_REASONS.items():
        assert rejects.loc[row, "reason"].startswith(reason), (row, rejects.loc[row, "reason"])
    assert rejects.loc[5, "source_event_id"] == "ARM2001"
    # extra columns are kept, in events and in rejects; a quoted line break survives
    assert events["raw_analyst_note"].tolist() == ["checked", "see note", ""]
    assert "raw_analyst_note" in rejects
    assert "raw_latitude" in rejects
    assert rejects.loc[1, "raw_latitude"] == "40.2001N"
    assert "\nSecond line" in events.loc[8, "notes"]


def test_acled_errors_raise_names_the_rows():
    with pytest.raises(DataFileError, match=r"8 of 11 record\(s\) cannot be read") as info:
        read_acled(DATA / "acled_messy.csv", errors="raise")
    message = str(info.value)
    assert "row 1 ('ARM2002'): latitude '40.2001N' is not a number" in message
    assert "row 10 ('ARM2012')" in message
    assert read_acled(DATA / "acled_am_az_2023.csv", errors="raise").rejects.empty


def test_acled_year_must_match_the_date(tmp_path):
    text = (DATA / "acled_am_az_2023.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "acled.csv"
    path.write_text(text.replace("ARM2001,2022-09-13,2022,", "ARM2001,2021-09-13,2022,"))
    _events, rejects = read_acled(path)
    assert rejects["reason"].tolist() == ["event_date '2021-09-13' is not in year 2022"]


def test_keep_raw_false():
    events, _ = read_acled(DATA / "acled_am_az_2023.csv", keep_raw=False)
    assert list(events.columns) == [*EVENT_COLUMNS, "geometry"]


# ------------------------------------------------------------------------------------- UCDP


def test_ucdp_mapping():
    events, rejects = read_ucdp_ged(DATA / "ucdp_ged_am_az.csv")
    assert rejects.empty
    e = by_id(events)
    assert e.loc["431001", "report_id"] == "UCDP:431001"
    # the interval from date_start/date_end, the middle day as date
    two_days = e.loc["431002", ["date", "date_start", "date_end", "date_precision"]].tolist()
    assert two_days == [DAY("2022-09-13"), DAY("2022-09-13"), DAY("2022-09-14"), "days"]
    week = e.loc["431004", ["date", "date_start", "date_end", "date_precision"]].tolist()
    assert week == [DAY("2022-09-15"), DAY("2022-09-12"), DAY("2022-09-18"), "week"]
    month = e.loc["431007", ["date", "date_start", "date_end", "date_precision"]].tolist()
    assert month == [DAY("2022-09-15"), DAY("2022-09-01"), DAY("2022-09-30"), "month"]
    # low/best/high
    assert e.loc["431002", ["fatalities_low", "fatalities_best", "fatalities_high"]].tolist() == [
        2,
        3,
        5,
    ]
    # where_prec through uncertainty.PRECISION_FROM_UCDP; 6 (country) is not locatable
    for event_id, code in (("431001", 1), ("431002", 2), ("431004", 4)):
        assert e.loc[event_id, "location_precision"] == PRECISION_FROM_UCDP[code]
    assert pd.isna(e.loc["431005", "location_precision"])
    assert np.isnan(e.loc["431005", "location_radius_m"])
    # Gleditsch–Ward country_id -> ISO3; type_of_violence -> class
    assert e.loc["431006", ["country_iso3", "admin1_iso"]].tolist() == ["AZE", "AZ-KAL"]
    assert e.loc["431001", "event_class"] == "violence_unspecified"
    assert e.loc["431001", "evidence"] == "ground_fighting"
    assert e.loc["431008", "event_class"] == "other"  # one-sided violence
    assert e.loc["431001", "claimant"] == "UCDP GED (sources: Armenpress;Azertac)"
    assert e.loc["431001", "actor1"] == "Government of Armenia"
    assert "where_prec 1" in e.loc["431001", "coord_source"]


def test_ucdp_messy_rows_and_extra_columns():
    events, rejects = read_ucdp_ged(DATA / "ucdp_ged_messy.csv")
    # row 4's 13.09.2022 can only be day-first (and nothing in the file is month-first)
    assert events.index.tolist() == [0, 4]
    assert events.loc[4, "date_start"] == pd.Timestamp("2022-09-13")
    assert events["raw_batch"].tolist() == ["fixture", "fixture"]
    assert rejects["reason"].to_dict() == {
        1: "date_end 2022-09-13 is before date_start 2022-09-14",
        2: "where_prec '9' is not one of 1, 2, 3, 4, 5, 6, 7",
        3: "longitude 'n/a' is not a number",
        5: "best 'three' is not a whole number >= 0",
    }
    with pytest.raises(DataFileError, match="4 of 6 record"):
        read_ucdp_ged(DATA / "ucdp_ged_messy.csv", errors="raise")


def test_ucdp_missing_columns_are_named_in_one_error(tmp_path):
    table = pd.read_csv(DATA / "ucdp_ged_am_az.csv", dtype=str)
    path = tmp_path / "ged.csv"
    table.drop(columns=["date_end", "best", "where_prec"]).to_csv(path, index=False)
    with pytest.raises(DataFileError, match=r"\['where_prec', 'date_end', 'best'\]"):
        read_ucdp_ged(path)


def test_a_file_for_another_reader_gets_a_hint():
    with pytest.raises(DataFileError, match=r"try read_ucdp_ged\(\)"):
        read_acled(DATA / "ucdp_ged_am_az.csv")
    with pytest.raises(DataFileError, match=r"try read_acled\(\)"):
        read_ucdp_ged(DATA / "acled_am_az_2023.csv")


# ------------------------------------------------------------------------------------ GDELT


def test_gdelt_mapping():
    events, rejects = read_gdelt_events(DATA / "gdelt_v2_am_az.export.CSV")
    assert events.attrs["provenance"][0]["layout"] == "GDELT 2.0 (61 fields)"
    e = by_id(events)
    classes = e["event_class"].to_dict()
    assert classes["1057000001"] == "shelling_artillery_missile"  # 194
    assert classes["1057000002"] == "air_drone_strike"  # 195
    assert classes["1057000003"] == "armed_clash"  # 193
    assert classes["1057000004"] == "violence_unspecified"  # 190
    assert classes["1057000005"] == "air_drone_strike"  # 1952 -> its parent 195
    assert classes["1057000007"] == "other"  # 042
    # FIPS -> ISO3; an unknown code gives None, is listed, and the raw code is kept
    assert e["country_iso3"].to_dict() | {"1057000008": None} == {
        "1057000001": "ARM",
        "1057000002": "ARM",
        "1057000003": "ARM",
        "1057000004": "ARM",
        "1057000005": "AZE",
        "1057000006": "ARM",
        "1057000007": "ARM",
        "1057000008": None,
        "1057000009": "GEO",
    }
    assert pd.isna(e.loc["1057000008", "country_iso3"])
    assert e.loc["1057000008", "raw_ActionGeo_CountryCode"] == "SY"
    assert events.attrs["provenance"][0]["unmapped_country_codes"] == ["SY"]
    # ActionGeo_Type: 4 city, 5 state, 1 country (not locatable)
    assert e.loc["1057000001", "location_precision"] == "settlement"
    assert e.loc["1057000006", "location_precision"] == "region"
    assert pd.isna(e.loc["1057000004", "location_precision"])
    # place and admin-1 out of ActionGeo_FullName; admin1_iso by point in polygon
    assert e.loc["1057000001", ["place", "admin1", "admin1_iso"]].tolist() == [
        "Jermuk",
        "Vayots' Dzor",
        "AM-VD",
    ]
    assert e.loc["1057000006", ["place", "admin1"]].tolist() == ["Syunik'", "Syunik'"]
    assert pd.isna(e.loc["1057000009", "admin1_iso"])  # Tbilisi: outside ARM and AZE
    # one day; no fatalities; the article and its outlet
    assert (events["date_start"] == events["date_end"]).all()
    assert events[["fatalities_low", "fatalities_best", "fatalities_high"]].isna().all().all()
    assert e.loc["1057000001", "source_url"] == (
        "https://www.example.org/am/2022/09/13/jermuk-shelling"
    )
    assert e.loc["1057000001", "source_outlet"] == "example.org"
    assert e.loc["1057000001", "claimant"] == "GDELT (machine-coded from example.org)"
    # the event without a place is a reject; row + 1 is its line number
    assert rejects.index.tolist() == [9]
    assert rejects.loc[9, "reason"] == "no ActionGeo location (GDELT found no place)"
    line = (DATA / "gdelt_v2_am_az.export.CSV").read_text().splitlines()[9]
    assert line.startswith("1057000010\t")


def test_gdelt_versions_give_the_same_events(tmp_path):
    v2, _ = read_gdelt_events(DATA / "gdelt_v2_am_az.export.CSV")
    v1, _ = read_gdelt_events(DATA / "gdelt_v1_am.export.CSV")
    assert v1.attrs["provenance"][0]["layout"] == "GDELT 1.0 daily (58 fields)"
    assert "raw_ActionGeo_ADM2Code" in v2
    assert "raw_ActionGeo_ADM2Code" not in v1
    pd.testing.assert_frame_equal(schema(v1), schema(v2).iloc[:3])
    # the 1.0 back file: 57 fields, no SOURCEURL
    lines = (DATA / "gdelt_v1_am.export.CSV").read_text().splitlines()
    back = tmp_path / "back.CSV"
    back.write_text("\n".join(line.rsplit("\t", 1)[0] for line in lines) + "\n")
    v0, _ = read_gdelt_events(back)
    assert v0.attrs["provenance"][0]["layout"] == "GDELT 1.0 back file (57 fields)"
    assert v0["source_url"].isna().all()
    assert v0["claimant"].eq("GDELT (machine-coded)").all()
    # GDELT publishes its files zipped
    archive = tmp_path / "20220913.export.CSV.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(DATA / "gdelt_v2_am_az.export.CSV", "20220913.export.CSV")
    pd.testing.assert_frame_equal(read_gdelt_events(archive).events, v2)


def test_gdelt_export_with_a_header(tmp_path):
    """A BigQuery-style export: comma-separated, quoted, with the codebook's names."""
    lines = (DATA / "gdelt_v2_am_az.export.CSV").read_text().splitlines()
    table = pd.DataFrame([line.split("\t") for line in lines], columns=GDELT_COLUMNS[61])
    path = tmp_path / "bigquery.csv"
    table.to_csv(path, index=False)
    events, rejects = read_gdelt_events(path)
    assert events.attrs["provenance"][0]["layout"] == "GDELT with a header row (61 columns)"
    reference, reference_rejects = read_gdelt_events(DATA / "gdelt_v2_am_az.export.CSV")
    pd.testing.assert_frame_equal(schema(events), schema(reference))
    assert rejects.index.tolist() == reference_rejects.index.tolist() == [9]


def test_gdelt_messy_rows():
    events, rejects = read_gdelt_events(DATA / "gdelt_messy.export.CSV")
    assert events.index.tolist() == [0, 5]
    assert rejects["reason"].to_dict() == {
        1: "has 60 tab-separated fields; this file's layout (GDELT 2.0 (61 fields)) has 61",
        2: "SQLDATE '2022-09-13' is not a date (expected YYYYMMDD)",
        3: "no ActionGeo location (GDELT found no place)",
        4: "ActionGeo_Lat 'abc' is not a number",
    }
    assert rejects.loc[1, "raw_GLOBALEVENTID"] == "1057000002"


def test_gdelt_export_with_a_header_names_missing_columns():
    with pytest.raises(DataFileError, match=r"\['ActionGeo_Lat', 'ActionGeo_Long'\]"):
        read_gdelt_events(DATA / "gdelt_header_missing_columns.csv")


def test_gdelt_rejects_files_of_another_shape():
    with pytest.raises(DataFileError, match=r"57 .* 58 .* or 61"):
        read_gdelt_events(DATA / "acled_am_az_2023.csv")


# --------------------------------------------------------------------- errors and arguments


@pytest.mark.parametrize("reader", [read_acled, read_ucdp_ged, read_gdelt_events])
def test_bad_arguments(reader, tmp_path):
    with pytest.raises(ValueError, match="errors must be 'collect' or 'raise'"):
        reader(DATA / "acled_am_az_2023.csv", errors="ignore")
    with pytest.raises(DataFileError, match="no such file"):
        reader(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataFileError, match="empty"):
        reader(empty)


def test_semicolon_separated_file_gets_a_hint(tmp_path):
    text = (DATA / "acled_am_az_2023.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "acled.csv"
    path.write_text(text.split("\n")[0].replace(",", ";") + "\n")
    assert read_acled(path).events.empty  # the separator is recognised
    with pytest.raises(DataFileError, match="pass sep=';'"):
        read_acled(path, sep=",")


# ---------------------------------------------------------------- strike reports and the CLI


@pytest.mark.parametrize(
    ("reader", "name", "kept"),
    [
        (read_acled, "acled_am_az_2023.csv", 6),
        (read_ucdp_ged, "ucdp_ged_am_az.csv", 5),
        (read_gdelt_events, "gdelt_v2_am_az.export.CSV", 4),
    ],
)
def test_selected_events_pass_validate_strikes(reader, name, kept):
    events, _ = reader(DATA / name)
    strikes, left_out = select_strike_reports(events)
    assert len(strikes) == kept
    assert sorted([*strikes.index, *left_out.index]) == sorted(events.index)
    assert validate_strikes(strikes) is strikes
    assert set(left_out.columns) == {"report_id", "reason"}


def test_select_strike_reports_reasons():
    events, _ = read_acled(DATA / "acled_am_az_2023.csv")
    _strikes, left_out = select_strike_reports(events)
    assert left_out.set_index("report_id")["reason"].to_dict() == {
        "ACLED:AZE3001": "admin1_iso AZ-KAL is not a unit of ARM",
        "ACLED:ARM2007": "evidence is empty (the dataset codes no strike or fighting)",
        "ACLED:AZE3002": "evidence is empty (the dataset codes no strike or fighting)",
    }
    with pytest.raises(DataFileError, match="missing the column"):
        select_strike_reports(events.drop(columns=["evidence"]))


def test_readers_output_concatenates():
    frames = [reader(DATA / name).events for reader, name in HAPPY[::2]]
    both = pd.concat(frames, ignore_index=True)
    assert both["report_id"].is_unique
    assert list(both.columns[: len(EVENT_COLUMNS)]) == list(EVENT_COLUMNS)


def test_cli_report_on_acled_events(tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["report", "--events", str(DATA / "acled_am_az_2023.csv"), "--format", "acled"]
    assert main([*argv, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "6 event(s) used as strike reports; 3 left out" in err
    distances = pd.read_csv(out / "distances.csv", index_col=0)
    assert sorted(distances["report_id"]) == [
        "ACLED:ARM2001",
        "ACLED:ARM2002",
        "ACLED:ARM2003",
        "ACLED:ARM2004",
        "ACLED:ARM2005",
        "ACLED:ARM2006",
    ]
    assert (distances["signed_distance_km"] > 0).all()  # all inside Armenia
    left_out = pd.read_csv(out / "events_left_out.csv", index_col=0)
    assert sorted(left_out["report_id"]) == ["ACLED:ARM2007", "ACLED:AZE3001", "ACLED:AZE3002"]
    # nothing was rejected, and the (empty) table says so
    assert pd.read_csv(out / "events_rejected.csv").empty
    assert "ACLED:ARM2001" in (out / "report.html").read_text(encoding="utf-8")


def test_cli_distances_and_clusters_on_events(tmp_path, capsys):
    out = tmp_path / "distances.csv"
    gdelt = str(DATA / "gdelt_v2_am_az.export.CSV")
    assert main(["distances", "--events", gdelt, "--format", "gdelt", "-o", str(out)]) == 0
    table = pd.read_csv(out, index_col=0)
    assert table.index.tolist() == list(range(9))  # every located event, by its row
    assert "1 row(s) rejected" in capsys.readouterr().err
    ucdp = str(DATA / "ucdp_ged_am_az.csv")
    assert main(["clusters", "--events", ucdp, "--format", "ucdp"]) == 0


def test_cli_events_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["report", "--events", str(DATA / "acled_am_az_2023.csv")])
    assert info.value.code == 2
    assert "--events needs --format" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["distances", "x.geojson", "--events", "y.csv", "--format", "acled"])
    missing = str(DATA / "acled_missing_columns.csv")
    out = tmp_path / "report"
    assert main(["report", "--events", missing, "--format", "acled", "--out", str(out)]) == 1
    assert not out.exists()
    assert "missing the ACLED column" in capsys.readouterr().err


def test_report_on_events_in_both_countries(tmp_path):
    """Events in Azerbaijan are left out by default and reported with --countries ARM AZE."""
    path = DATA / "acled_am_az_2023.csv"
    events, _ = read_acled(path)
    in_aze = events["admin1_iso"].fillna("").str.startswith("AZ-")
    assert in_aze.any()
    kept_default, _ = select_strike_reports(events)
    kept_both, _ = select_strike_reports(events, countries=("ARM", "AZE"))
    assert validate_strikes(kept_both, countries=("ARM", "AZE")) is kept_both
    assert not kept_default["admin1_iso"].str.startswith("AZ-").any()
    assert kept_both["admin1_iso"].str.startswith("AZ-").any()
    assert len(kept_both) > len(kept_default)
    out = tmp_path / "report"
    argv = ["report", "--events", str(path), "--format", "acled", "--out", str(out)]
    assert main([*argv, "--countries", "ARM", "AZE"]) == 0
    distances = pd.read_csv(out / "distances.csv")
    assert len(distances) == len(kept_both)
    # Reports on the Azerbaijani side measure negative (ARM is the reference side).
    assert (distances["signed_distance_km"] < 0).any()


# --------------------------------------------------------------------------- module layout


def test_events_module_reexports_the_readers_and_codebooks():
    assert bsio.events.read_acled is bsio.acled.read_acled
    assert bsio.events.read_ucdp_ged is bsio.ucdp.read_ucdp_ged
    assert bsio.events.read_gdelt_events is bsio.gdelt.read_gdelt_events
    assert bsio.events.EventsRead is bsio.table.EventsRead
    assert bsio.events.EVENT_COLUMNS is bsio.table.EVENT_COLUMNS
    for name in bsio.events.__all__:
        value = getattr(bsio.events, name)
        if hasattr(bsio.codebooks, name):
            assert value is getattr(bsio.codebooks, name), name


@pytest.mark.parametrize("module", ["acled", "ucdp", "gdelt"])
def test_mapping_tables_agree_with_the_schema(module):
    mod = importlib.import_module(f"borderstrikes.io.{module}")
    (fmt,) = [v for v in vars(mod).values() if isinstance(v, bsio.table.EventFormat)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fmt.dataset = "changed"
    needed = {fmt.event_id, *fmt.lonlat, fmt.precision[0], *fmt.dates}
    if fmt.date_precision is not None:
        needed.add(fmt.date_precision[0])
        assert set(fmt.date_precision[1].values()) <= set(DATE_PRECISIONS)
    assert needed <= set(fmt.required)
    assert set(fmt.precision[1].values()) <= {*LOCATION_PRECISIONS, None}
    assert set(fmt.text) <= set(EVENT_COLUMNS)
    assert set(fmt.country[1].values()) <= {"ARM", "AZE", "GEO", "IRN", "TUR", "RUS"}
