"""The gazetteer: every name of the strike reports, transliterations, homonyms, errors."""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from borderstrikes import datasets
from borderstrikes.errors import DataFileError, PlaceNotFoundError
from borderstrikes.gazetteer import FUZZY_CUTOFF, MATCH_KINDS, geocode, normalize_name

GEOD = Geod(ellps="WGS84")

# Expected place of every place named in data-raw/strike_reports.csv, written by hand from the
# GeoNames ids quoted in its coord_source column and the supplement slugs (independent of the
# gazetteer code). None: the gazetteer has no place for it, with the reason.
EXPECTED = {
    "Akhpradzor": "sup:akhpradzor",
    "Artanish": "geonames:616896",
    "Ayrk": "sup:ayrk",
    "Azat": "sup:azat",
    "Geghamasar": "geonames:616646",
    "Kut": "sup:kut",
    "Kutakan": "sup:kutakan",
    "Mets Masrik": "geonames:616411",
    "Norabak": "sup:norabak",
    "Sotk": "geonames:616041",
    "Tretuk": "sup:tretuk",
    "Vardenis": "geonames:616108",
    "Verin Shorzha": "sup:verin-shorzha",
    "Aghitu": "sup:aghitu",
    "Akner": "geonames:174941",
    "Goris": "geonames:174895",
    "Ishkhanasar": "sup:ishkhanasar",
    "Kapan": "geonames:174875",
    "Karashen": "sup:karashen",
    "Lake Sev area": "sup:lake-sev",
    "Noravan": "sup:noravan-syunik",
    "Shikahogh": "sup:shikahogh",
    "Sisian": "geonames:174763",
    "Sisian-Noravan road": "sup:sisian-noravan-road",
    "Srashen": "sup:srashen",
    "Tegh": "geonames:174743",
    "Vaghatur": "sup:vaghatur",
    "Verishen": "geonames:174717",
    "Jermuk": "geonames:174884",
    "Kechut Reservoir": "sup:kechut-reservoir",
    # No cited coordinate was found for these two villages (see STRIKES_SCHEMA.md): the
    # gazetteer does not invent one; strikes.geojson derives a point from a cited distance.
    "Chakaten": None,
    "Nerkin Hand": None,
}
# Variants that resolve to another place than the report's place, with the reason.
VARIANT_EXCEPTIONS = {
    # "Kechut" is the primary name of the village next to the reservoir; a primary name wins.
    ("Kechut Reservoir", "Kechut"): "geonames:174859",
}


def strike_names():
    strikes = datasets.load_strikes()
    cases = {}
    for row in strikes.itertuples():
        for name in [row.place, *row.place_variants]:
            cases[(row.place, name, row.admin1)] = None
    return list(cases)


@pytest.fixture(scope="module")
def strike_resolutions():
    cases = strike_names()
    result = geocode([name for _, name, _ in cases], admin1=[admin1 for *_, admin1 in cases])
    return cases, result


def test_every_strike_place_and_variant_resolves(strike_resolutions):
    cases, result = strike_resolutions
    assert set(EXPECTED) == {place for place, _, _ in cases}
    wrong = []
    for (place, name, admin1), row in zip(cases, result.itertuples(), strict=True):
        expected = VARIANT_EXCEPTIONS.get((place, name), EXPECTED[place])
        got = None if row.match == "not_found" else row.place_id
        if got != expected or row.match == "ambiguous":
            wrong.append((place, name, admin1, row.match, got, expected))
    assert not wrong


def test_strike_names_mostly_resolve_without_fuzzy(strike_resolutions):
    _, result = strike_resolutions
    counts = result["match"].value_counts()
    assert set(counts.index) <= {"exact", "variant", "fuzzy", "not_found"}
    assert counts.get("fuzzy", 0) <= 2  # only genuine misspellings such as "Mets Masrikh"


def test_geocoded_points_match_the_strike_points():
    strikes = datasets.load_strikes()
    strikes = strikes[strikes["location_precision"] == "settlement"].drop_duplicates("place")
    found = geocode(strikes["place"], admin1=strikes["admin1_iso"])
    _, _, dist = GEOD.inv(
        found.geometry.x.to_numpy(),
        found.geometry.y.to_numpy(),
        strikes.geometry.x.to_numpy(),
        strikes.geometry.y.to_numpy(),
    )
    assert np.max(dist) < 1.0


@pytest.mark.parametrize(
    ("names", "place_id"),
    [
        (["Jermuk", "Dzhermuk", "Cermuk", "Ջերմուկ", "Джермук", "Džermuk"], "geonames:174884"),
        (["Verin Shorzha", "Verin Shorja", "verin-shorzha"], "sup:verin-shorzha"),
        (["Ishkhanasar", "Iskhanasar"], "sup:ishkhanasar"),
        (["Kutakan", "Kutakavan"], "sup:kutakan"),
        (["Kapan", "Ghapan", "Kafan", "KAPAN", "Ghap'an"], "geonames:174875"),
        (["Sotk", "Zod", "Sot\u2019k\u2019"], "geonames:616041"),
    ],
)
def test_transliterations(names, place_id):
    result = geocode(names)
    assert result["place_id"].tolist() == [place_id] * len(names)
    assert result["match"].isin(["exact", "variant"]).all()
    assert (result["score"] == 1.0).all()


@pytest.mark.parametrize(
    ("name", "admin1", "place_id"),
    [
        ("Vardenis", "AM-GR", "geonames:616108"),
        ("Vardenis", "Gegharkunik", "geonames:616108"),
        ("Vardenis", "gegharkunik province", "geonames:616108"),
        ("Vardenis", "Aragatsotn", "geonames:616107"),
        ("Akner", "AM-SU", "geonames:174941"),
        ("Akner", "Lori", "geonames:616984"),
        ("Noravan", "Syunik", "sup:noravan-syunik"),
        ("Noravan", "AM-AV", "geonames:7669109"),
        ("Dzhermuk", "AM-SH", "geonames:616408"),  # the Shirak village GeoNames also calls so
        ("Dashkend", "AM-GR", "sup:ayrk"),
        ("Dashkend", "AM-SU", "sup:karashen"),
    ],
)
def test_homonyms_resolved_by_admin1(name, admin1, place_id):
    assert geocode([name], admin1=admin1).loc[0, "place_id"] == place_id


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("Vardenis", ["geonames:616107", "geonames:616108"]),
        ("Akner", ["geonames:174941", "geonames:616984"]),
        ("Noravan", ["geonames:7669109", "sup:noravan-syunik"]),
        ("Dashkend", ["sup:ayrk", "sup:karashen"]),
    ],
)
def test_homonyms_without_admin1_are_ambiguous(name, candidates):
    row = geocode([name]).iloc[0]
    assert row["match"] == "ambiguous"
    assert row["candidates"] == candidates
    assert row.geometry is None
    assert pd.isna(row["place_id"])


def test_primary_name_beats_alternate_name():
    # "Jermuk" is also an alternate name of Mets Sepasar (Shirak): not ambiguous.
    row = geocode(["Jermuk"]).iloc[0]
    assert row["match"] == "exact"
    assert (row["place_id"], row["admin1_iso"]) == ("geonames:174884", "AM-VD")


def test_shorzha_does_not_match_verin_shorzha():
    row = geocode(["Shorzha"]).iloc[0]
    assert row["name"] != "Verin Shorzha"
    assert geocode(["Shorzha"], admin1="AM-GR").loc[0, "place_id"] != "sup:verin-shorzha"


def test_fuzzy_match_and_cutoff():
    row = geocode(["Mets Masrikh"]).iloc[0]
    assert (row["match"], row["place_id"]) == ("fuzzy", "geonames:616411")
    assert FUZZY_CUTOFF <= row["score"] < 1.0
    assert geocode(["Vrdns Shrzh"]).loc[0, "match"] == "not_found"


# ----------------------------------------------------------- issue 13: fuzzy matches far away

# Artsvashen (Gegharkunik), a village the gazetteer lacks; Bardzrashen (Ararat) has the
# alternate name "Bartsrashen", whose difflib ratio with "Artsvashen" passes FUZZY_CUTOFF.
ARTSVASHEN = (45.50, 40.63)
BARDZRASHEN = "geonames:793672"
MARTUNI = (45.306, 40.140)  # a town of Gegharkunik, used as a rough location hint


def _km(a, b):
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000


def test_artsvashen_does_not_resolve_to_bardzrashen():
    row = geocode("Artsvashen").iloc[0]
    assert row["place_id"] != BARDZRASHEN
    assert row["match"] == "not_found"
    assert row.geometry is None
    # The refused near-miss is reported, not silently used.
    assert row["candidates"] == [BARDZRASHEN]
    assert row["score"] == 0.0


@pytest.mark.parametrize(
    "hint",
    [
        {"admin1": "Gegharkunik"},
        {"near": ARTSVASHEN},
        {"near": shapely.Point(MARTUNI), "near_km": 60},
    ],
)
def test_a_location_hint_refuses_a_far_fuzzy_match(hint):
    row = geocode(["Artsvashen"], **hint).iloc[0]
    assert row["match"] == "not_found"
    assert pd.isna(row["place_id"])


def test_fuzzy_rule_counts_edits_not_only_the_ratio():
    # Same ratio band, different edits: two slips in a ten-letter name are refused, one
    # slip (inserted, deleted, replaced or two neighbours swapped) is accepted.
    for query in ["Mets Masrikh", "Mets Masrk", "Mets Masrak", "Mets Masirk"]:
        row = geocode(query).iloc[0]
        assert (row["match"], row["place_id"]) == ("fuzzy", "geonames:616411"), query
    assert geocode("Mets Masirkh").loc[0, "match"] == "not_found"  # two slips
    # Longer names may hold one slip per started 16 letters.
    row = geocode("Sisyan-Noravn road").iloc[0]  # 18 letters, two slips
    assert (row["match"], row["place_id"]) == ("fuzzy", "sup:sisian-noravan-road")


def test_near_filters_every_tier_within_near_km():
    mets_masrik = (45.76391, 40.21948)
    assert geocode("Mets Masrikh", near=mets_masrik).loc[0, "match"] == "fuzzy"
    far = geocode("Mets Masrikh", near=(46.40678, 39.20762)).iloc[0]  # Kapan, 124 km away
    assert far["match"] == "not_found"
    assert far["candidates"][0] == "geonames:616411"
    # Homonyms: the Vardenis near the hint; an exact name beyond near_km is not found.
    vardenis = geocode(["Vardenis", "Vardenis"], near=[(45.7, 40.2), (44.4, 40.6)])
    assert vardenis["admin1_iso"].tolist() == ["AM-GR", "AM-AG"]
    assert (vardenis["match"] == "exact").all()
    kapan = (46.40678, 39.20762)
    lon, lat, _ = GEOD.fwd(*kapan, 0.0, 20_000.0)  # 20 km north of Kapan
    assert geocode("Kapan", near=(lon, lat), near_km=20.1).loc[0, "match"] == "exact"
    assert geocode("Kapan", near=(lon, lat), near_km=19.9).loc[0, "match"] == "not_found"
    assert geocode("Kapan", near=(lon, lat)).loc[0, "match"] == "exact"  # default 25 km


def test_near_as_a_geoseries_in_any_crs_and_per_name():
    points = gpd.GeoSeries([shapely.Point(45.7, 40.2), None], crs="EPSG:4326").to_crs(32638)
    found = geocode(["Vardenis", "Vardenis"], near=points)
    assert found["match"].tolist() == ["exact", "ambiguous"]


def test_fuzzy_matches_report_score_and_other_candidates():
    row = geocode("Mets Masrikh").iloc[0]
    assert FUZZY_CUTOFF <= row["score"] < 1.0
    assert isinstance(row["candidates"], list)
    assert "geonames:616411" not in row["candidates"]
    # Every fuzzy match, with or without hints, lies within near_km of near.
    queries = ["Mets Masrikh", "Kechut Reservor", "Verin Shorzah", "Sisian-Noravan rod"]
    hint = (45.3, 40.0)
    for query in queries:
        row = geocode(query, near=hint, near_km=80).iloc[0]
        if row["match"] == "fuzzy":
            assert _km(hint, (row.geometry.x, row.geometry.y)) <= 80


def test_not_found():
    result = geocode(["Atlantis", "", None])
    assert (result["match"] == "not_found").all()
    assert result.geometry.isna().all()
    assert (result["score"] == 0.0).all()
    assert result["place_id"].isna().all()
    assert result["candidates"].map(len).eq(0).all()


def test_errors_raise_lists_names_and_hint():
    with pytest.raises(PlaceNotFoundError, match=r"Atlantis.*Vardenis.*admin1=") as info:
        geocode(["Kapan", "Atlantis", "Vardenis"], errors="raise")
    assert isinstance(info.value, ValueError)
    assert geocode(["Kapan"], errors="raise").loc[0, "name"] == "Kapan"


def test_output_schema():
    result = geocode(["Kapan", "Kut", "Atlantis"])
    assert isinstance(result, gpd.GeoDataFrame)
    assert result.crs.to_epsg() == 4326
    assert list(result.columns) == [
        "query",
        "name",
        "place_id",
        "admin1_iso",
        "admin1_name",
        "country",
        "population",
        "match",
        "score",
        "candidates",
        "geometry",
    ]
    assert str(result["population"].dtype) == "Int64"
    assert result.loc[0, "population"] > 10_000
    assert pd.isna(result.loc[1, "population"])  # the supplement does not curate populations
    assert set(result["match"]) <= set(MATCH_KINDS)
    assert result.loc[0, "country"] == "AM"


@pytest.mark.parametrize("make", [pd.Series, list, tuple])
def test_index_preserved_and_input_not_mutated(make):
    values = ["Kut", "Vardenis", "Nowhere"]
    names = make(values)
    if isinstance(names, pd.Series):
        names.index = pd.Index(["a", "b", "c"])
    before = names.copy() if isinstance(names, pd.Series) else list(names)
    result = geocode(names, admin1=["AM-GR", "AM-GR", None])
    if isinstance(names, pd.Series):
        assert list(result.index) == ["a", "b", "c"]
        pd.testing.assert_series_equal(names, before)
    else:
        assert list(result.index) == [0, 1, 2]
        assert list(names) == before
    assert result["query"].tolist() == values


def test_scalar_name():
    result = geocode("Goris")
    assert len(result) == 1
    assert result.loc[0, "place_id"] == "geonames:174895"


def test_country_filter():
    assert geocode(["Kapan"], country="ARM").loc[0, "place_id"] == "geonames:174875"
    assert geocode(["Kapan"], country="AZ").loc[0, "place_id"] != "geonames:174875"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"admin1": "Narnia"}, "admin1 must be"),
        ({"admin1": ["AM-SU"]}, "one value per name"),
        ({"country": "XX"}, "country must be one of"),
        ({"errors": "coerce"}, "errors must be"),
        ({"near": (40.2, 145.7)}, r"near must be a \(lon, lat\) point in degrees"),
        ({"near": [(45.7, 40.2)]}, "one per name"),
        ({"near": (45.7, 40.2), "near_km": 0}, "near_km must be"),
        ({"near": (45.7, 40.2), "near_km": math.nan}, "near_km must be"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        geocode(["Kapan", "Goris"], **kwargs)


@pytest.mark.parametrize("near", ["Yerevan", [shapely.LineString([(0, 0), (1, 1)]), None]])
def test_near_must_hold_points(near):
    with pytest.raises(TypeError, match="near must"):
        geocode(["Kapan", "Goris"], near=near)


def test_name_index_is_built_once(monkeypatch):
    from borderstrikes import gazetteer

    gazetteer._shipped_index.cache_clear()
    calls = []
    original = datasets.load_places

    def counting():
        calls.append(1)
        return original()

    monkeypatch.setattr(datasets, "load_places", counting)
    geocode(["Kapan"])
    geocode(["Goris", "Kut"])
    assert len(calls) == 1
    gazetteer._shipped_index.cache_clear()


def test_alias_table_must_name_known_places():
    bad = pd.DataFrame(
        {"alias": ["X"], "place_id": ["sup:nowhere"], "kind": ["alternate"], "reason": ["r"]}
    )
    with pytest.raises(DataFileError, match="sup:nowhere"):
        geocode(["Kapan"], aliases=bad)


def test_own_gazetteer():
    """A user's own places: only they are searched, and the shipped aliases are not used."""
    own = gpd.GeoDataFrame(
        {
            "place_id": ["own:1", "own:2"],
            "name": ["Springfield", "Shelbyville"],
            "alternatenames": ["Sprngfld", ""],
            "admin1_iso": ["XX-A", "XX-B"],
            "admin1_name": ["Alpha", "Beta"],
            "country": ["XX", "XX"],
            "population": [100, 200],
        },
        geometry=gpd.points_from_xy([10.0, 11.0], [1.0, 2.0]),
        crs="EPSG:4326",
    )
    found = geocode(["Sprngfld", "Kapan"], places=own)
    assert found["place_id"].tolist()[0] == "own:1"
    assert found["match"].tolist() == ["variant", "not_found"]
    assert found.geometry.iloc[0].x == 10.0


def test_errors_ignore_is_the_old_name_of_collect():
    with pytest.warns(FutureWarning, match="errors='collect'"):
        old = geocode(["Atlantis"], errors="ignore")
    pd.testing.assert_frame_equal(old, geocode(["Atlantis"], errors="collect"))


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Sot\u2019k\u2019", "sotk"),
        ("Ghap'an", "ghapan"),
        ("Verin-Shorzha", "verin shorzha"),
        ("Sisian\u2013Noravan   road", "sisian noravan road"),
        ("Džermuk", "dzermuk"),
        ("Bəsərkeçər", "basarkecar"),
        ("Yuxar\u0131 \u015eorca", "yuxari sorca"),
        ("Ջերմուկ", "ջերմուկ"),
        ("ДЖЕРМУК", "джермук"),
    ],
)
def test_normalize_name(raw, normal):
    assert normalize_name(raw) == normal


# -- the curated files ------------------------------------------------------------------


@pytest.fixture(scope="module")
def supplement():
    return pd.read_csv(datasets.get_path("places_supplement"), dtype=str, keep_default_na=False)


def test_supplement_rows_are_cited_and_well_formed(supplement):
    assert supplement["place_id"].is_unique
    assert supplement["place_id"].str.match(r"^sup:[a-z0-9-]+$").all()
    assert (supplement["country"] == "AM").all()
    assert supplement["feature"].isin(["village", "reservoir", "lake", "mountain", "road"]).all()
    for column in ("name", "source", "license", "admin1_iso", "admin1_name"):
        assert (supplement[column].str.strip() != "").all(), column
    lat = supplement["lat"].astype(float)
    lon = supplement["lon"].astype(float)
    assert lat.between(38.5, 41.5).all()
    assert lon.between(43.0, 47.0).all()


def test_supplement_points_lie_in_their_marz(supplement):
    units = datasets.load_boundaries(1, countries=["ARM"]).set_index("iso_3166_2").geometry
    for row in supplement.itertuples():
        point = shapely.Point(float(row.lon), float(row.lat))
        unit = units[row.admin1_iso]
        if not unit.contains(point):
            # Lake Sev sits on the border: its centroid may fall just outside the marz polygon.
            nearest = shapely.get_coordinates(shapely.shortest_line(point, unit.boundary))[1]
            _, _, dist = GEOD.inv(point.x, point.y, nearest[0], nearest[1])
            assert dist < 1_000, row.place_id


def test_supplement_places_are_not_geonames_duplicates(supplement):
    places = datasets.load_places()
    geonames = places[places["place_id"].str.startswith("geonames:")]
    for row in supplement.itertuples():
        same = geonames[geonames["name"] == row.name]
        if len(same):
            # A homonym elsewhere is fine (Noravan, Armavir), the same place is not.
            _, _, dist = GEOD.inv(
                same.geometry.x.to_numpy(),
                same.geometry.y.to_numpy(),
                np.full(len(same), float(row.lon)),
                np.full(len(same), float(row.lat)),
            )
            assert dist.min() > 10_000, row.place_id


def test_alias_table_is_documented():
    aliases = datasets.load_place_aliases()
    assert set(aliases["kind"]) <= {"preferred", "alternate"}
    assert (aliases["reason"].str.strip() != "").all()
    assert (aliases["source"].str.strip() != "").all()
    assert not aliases.duplicated(["alias", "place_id"]).any()
    known = set(datasets.load_places()["place_id"])
    assert set(aliases["place_id"]) <= known


def test_sisian_noravan_road_is_the_midpoint():
    road, sisian, noravan = geocode(
        ["Sisian-Noravan road", "Sisian", "Noravan"], admin1="AM-SU"
    ).geometry
    assert math.isclose(road.x, (sisian.x + noravan.x) / 2, abs_tol=1e-6)
    assert math.isclose(road.y, (sisian.y + noravan.y) / 2, abs_tol=1e-6)


def test_own_places_without_a_crs_raise_crs_error():
    from borderstrikes.errors import CRSError

    own = gpd.GeoDataFrame(
        {
            "place_id": ["own:1"],
            "name": ["Springfield"],
            "alternatenames": [""],
            "admin1_iso": ["XX-A"],
            "admin1_name": ["Alpha"],
            "country": ["XX"],
            "population": [100],
        },
        geometry=gpd.points_from_xy([10.0], [1.0]),
    )
    with pytest.raises(CRSError, match="places has no CRS"):
        geocode(["Springfield"], places=own)
