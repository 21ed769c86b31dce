"""The shipped data: registry entries against the files, and quality checks with pyproj.Geod."""

import csv
import hashlib
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from borderstrikes import datasets
from borderstrikes.errors import DataFileError, UnknownCountryError
from borderstrikes.strikes import validate_strikes

GEOD = Geod(ellps="WGS84")
REGISTRY = json.loads((datasets.data_dir() / "registry.json").read_text(encoding="utf-8"))[
    "datasets"
]
REQUIRED_KEYS = {
    "name",
    "filename",
    "description",
    "source_package",
    "source_version",
    "license",
    "attribution",
    "crs",
    "nrows",
    "ncols",
    "sha256",
    "build",
}


def area_km2(geom):
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


@pytest.mark.parametrize("entry", REGISTRY, ids=[e["name"] for e in REGISTRY])
def test_registry_entry_matches_file(entry):
    assert REQUIRED_KEYS <= set(entry), REQUIRED_KEYS - set(entry)
    path = datasets.data_dir() / entry["filename"]
    assert path.is_file()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    if path.suffix == ".csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert entry["crs"] is None
    else:
        table = gpd.read_file(path)
        assert table.crs.to_string() == entry["crs"]
        assert set(table.geom_type) <= set(entry["geometry_type"].split("|"))
        assert table.geometry.notna().all()
    assert table.shape == (entry["nrows"], entry["ncols"])
    datasets.verify(entry["name"])


def test_every_data_file_is_registered():
    shipped = {
        p.relative_to(datasets.data_dir()).as_posix()
        for p in datasets.data_dir().rglob("*")
        if p.is_file() and p.suffix in {".geojson", ".csv", ".gpkg"}
    }
    assert shipped == {e["filename"] for e in REGISTRY}


def test_licenses_file_names_every_attribution():
    text = (datasets.data_dir() / "LICENSES.md").read_text(encoding="utf-8")
    for entry in REGISTRY:
        assert entry["filename"] in text, entry["filename"]


def test_verify_detects_a_modified_file(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    copy.mkdir()
    (copy / "registry.json").write_text(json.dumps({"datasets": REGISTRY}), encoding="utf-8")
    entry = REGISTRY[0]
    (copy / entry["filename"]).parent.mkdir(parents=True, exist_ok=True)
    (copy / entry["filename"]).write_text("tampered", encoding="utf-8")
    monkeypatch.setattr(datasets, "data_dir", lambda: copy)
    with pytest.raises(DataFileError, match="sha256"):
        datasets.verify(entry["name"])


def test_get_path_unknown_name_lists_options():
    with pytest.raises(ValueError, match="must be one of"):
        datasets.get_path("nope")


def test_loaders_return_copies():
    a = datasets.load_boundaries(0)
    a.loc[0, "iso3"] = "XXX"
    b = datasets.load_boundaries(0)
    assert "XXX" not in set(b["iso3"])
    s = datasets.load_strikes()
    s.loc[s.index[0], "place_variants"].append("mutated")
    assert "mutated" not in datasets.load_strikes().loc[s.index[0], "place_variants"]


def test_loaders_carry_provenance():
    for frame in (
        datasets.load_boundaries(0),
        datasets.load_boundaries(1),
        datasets.load_border(),
        datasets.load_lakes(),
        datasets.load_places(),
        datasets.load_strikes(),
    ):
        assert frame.crs.to_epsg() == 4326
        provenance = frame.attrs["provenance"]
        assert provenance
        assert all(p["license"] and p["attribution"] for p in provenance)


def test_unknown_country_and_level():
    with pytest.raises(UnknownCountryError, match="ISO 3166"):
        datasets.load_boundaries(0, countries=["ARX"])
    with pytest.raises(ValueError, match="level must be 0 or 1"):
        datasets.load_boundaries(2)
    with pytest.raises(UnknownCountryError, match="border_between"):
        datasets.load_border("ARM", "TUR")


# -- quality of the shipped boundaries -------------------------------------------------


@pytest.fixture(scope="module")
def admin0():
    return datasets.load_boundaries(0).set_index("iso3").geometry


def test_armenia_area_close_to_official(admin0):
    # Official area of Armenia: 29,743 km² (Statistical Committee of Armenia).
    assert area_km2(admin0["ARM"]) == pytest.approx(29_743, rel=0.005)


def test_armenia_azerbaijan_do_not_overlap(admin0):
    overlap = shapely.intersection(admin0["ARM"], admin0["AZE"])
    assert area_km2(overlap) < 0.01


def test_lake_sevan_is_inside_armenia(admin0):
    assert shapely.contains_xy(admin0["ARM"], 45.3, 40.35)


def test_border_vertices_lie_on_both_countries(admin0):
    border = datasets.load_border()
    assert set(border["country_a"]) | set(border["country_b"]) == {"ARM", "AZE"}
    coords = shapely.get_coordinates(border.geometry.values)
    points = shapely.points(coords)
    for iso in ("ARM", "AZE"):
        ring = shapely.boundary(admin0[iso])
        nearest = shapely.get_coordinates(shapely.shortest_line(points, ring))[1::2]
        _, _, dist = GEOD.inv(coords[:, 0], coords[:, 1], nearest[:, 0], nearest[:, 1])
        assert np.max(dist) < 1.0, iso


def test_border_sections_and_lengths():
    border = datasets.load_border()
    assert {"main", "nakhchivan"} <= set(border["section"])
    lengths = np.array([GEOD.geometry_length(g) / 1000 for g in border.geometry])
    np.testing.assert_allclose(border["length_km"], lengths, atol=0.001)
    # CIA World Factbook: 996 km; the OSM line measures a few % shorter.
    assert 900 < lengths.sum() < 1_000


@pytest.mark.parametrize("iso", ["ARM", "AZE"])
def test_admin1_units_cover_their_country(admin0, iso):
    units = datasets.load_boundaries(1, countries=[iso])
    union = shapely.union_all(units.geometry.values)
    assert area_km2(shapely.symmetric_difference(union, admin0[iso])) < 0.01
    pairs = units.sindex.query(units.geometry, predicate="overlaps")
    overlap = sum(
        area_km2(shapely.intersection(units.geometry.iloc[i], units.geometry.iloc[j]))
        for i, j in pairs.T
        if i < j
    )
    assert overlap < 0.01


def test_armenia_has_eleven_marzer_and_lachin_is_fixed():
    units = datasets.load_boundaries(1)
    assert (units["iso3"] == "ARM").sum() == 11
    lachin = units[units["adm1_code"] == "AZE-1735"].iloc[0]
    assert lachin["name_en"] == "Lachin"
    assert lachin["iso_3166_2"] == "AZ-LAC"


# -- report periods of load_strikes --------------------------------------------------------

RAW_TABLES = {  # period -> raw CSVs of data-raw/, read with the csv module as the oracle
    "2022-09": ("strike_reports.csv",),
    "2021-2025": ("incident_reports_2021_2025.csv",),
    "all": ("strike_reports.csv", "incident_reports_2021_2025.csv"),
}
PREFIXES = {"strike_reports.csv": "SR", "incident_reports_2021_2025.csv": "IN"}


@pytest.fixture(scope="module")
def periods():
    return {period: datasets.load_strikes(period=period) for period in RAW_TABLES}


def raw_rows(filename):
    path = datasets.data_dir().parent / "data-raw" / filename
    if not path.is_file():
        pytest.skip("data-raw/ is not shipped in the wheel")
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("period", list(RAW_TABLES))
def test_each_period_has_the_schema_of_the_default(periods, period):
    default, frame = datasets.load_strikes(), periods[period]
    assert frame.crs.to_epsg() == 4326
    assert list(frame.columns) == list(default.columns)
    pd.testing.assert_series_equal(frame.dtypes, default.dtypes)
    assert frame.index.equals(pd.RangeIndex(len(frame)))
    assert frame["report_id"].is_unique
    assert validate_strikes(frame) is frame  # every point in its marz (or within its radius)
    expected_ids, places = [], []
    for filename in RAW_TABLES[period]:
        rows = raw_rows(filename)
        expected_ids += [f"{PREFIXES[filename]}{i:03d}" for i in range(1, len(rows) + 1)]
        places += [row["place"] for row in rows]
    assert frame["report_id"].tolist() == expected_ids
    assert frame["place"].tolist() == places
    assert [p["name"] for p in frame.attrs["provenance"]] == [
        {"SR": "strikes", "IN": "incidents_2021_2025"}[prefix]
        for prefix in dict.fromkeys(i[:2] for i in expected_ids)
    ]


def test_the_default_period_is_unchanged(periods):
    default = datasets.load_strikes()
    pd.testing.assert_frame_equal(default, periods["2022-09"])
    assert len(default) == 88
    assert default["date"].between("2022-09-12", "2022-09-15").all()
    # "all" stacks the default first, row for row
    pd.testing.assert_frame_equal(periods["all"].iloc[:88], default)
    assert periods["all"]["report_id"].is_unique


def test_incident_dates_lie_in_may_2021_to_2025(periods):
    incidents = periods["2021-2025"]
    raw = raw_rows("incident_reports_2021_2025.csv")
    assert len(incidents) == len(raw) == 11
    assert incidents["date"].dt.strftime("%Y-%m-%d").tolist() == [row["date"] for row in raw]
    for column in ("date", "date_start", "date_end"):
        assert incidents[column].between("2021-05-01", "2025-12-31").all(), column
    # no row names a span of days: each covers its own date (own_date branch of the rule)
    assert (incidents["date_start"] == incidents["date"]).all()
    assert (incidents["date_end"] == incidents["date"]).all()
    assert (incidents["source_date"] >= incidents["date"]).all()


def test_every_incident_cites_a_url_of_the_source_table(periods):
    incidents = periods["2021-2025"]
    sources = datasets.load_sources()
    assert incidents["source_url"].notna().all()
    assert set(incidents["source_url"]) <= set(sources.index)
    for url, report_id in zip(incidents["source_url"], incidents["report_id"], strict=True):
        assert report_id in sources.loc[url, "cited_by"].split("; ")


def test_unknown_period_lists_the_choices():
    with pytest.raises(ValueError, match=r"'2022-09', '2021-2025', 'all'.*got '2023'"):
        datasets.load_strikes(period="2023")
    with pytest.raises(TypeError):
        datasets.load_strikes("all")  # keyword-only
