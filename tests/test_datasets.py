"""The shipped data: registry entries against the files, and quality checks with pyproj.Geod."""

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
