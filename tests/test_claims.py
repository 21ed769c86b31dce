"""The claims table and the geometric checks of each claim."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

from borderstrikes import datasets
from borderstrikes.areas import buffer_zone as bs_buffer_zone
from borderstrikes.claims import (
    CLAIM_COLUMNS,
    KINDS,
    OPTIONAL_CLAIM_COLUMNS,
    QUALIFIERS,
    UNITS,
    VERDICTS,
    check_claims,
    load_claims,
    validate_claims,
)
from borderstrikes.errors import DataFileError

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def claims():
    return load_claims()


@pytest.fixture(scope="module")
def checked():
    return check_claims()


def raw_table():
    return pd.read_csv(datasets.get_path("claims"), dtype=str, keep_default_na=False)


# ----------------------------------------------------------------------------- the table


def test_file_has_the_documented_columns():
    assert tuple(raw_table().columns) == (*CLAIM_COLUMNS, *OPTIONAL_CLAIM_COLUMNS)


def test_translations_are_marked(claims):
    assert claims["quote_is_translation"].dtype == bool
    assert claims.loc["C06", "quote_is_translation"]  # Omondo publishes in French
    assert claims.loc["C06", "quote_language"] == "en"
    assert set(claims.index[claims["quote_is_translation"]]) == {"C06", "C21"}  # C21: Armenian
    table = one_claim(kind="depth", value=1.0, location="Jermuk")  # no optional columns
    assert not validate_claims(table)["quote_is_translation"].any()


def test_reasons_name_rule_links_and_the_alternative_outcome(checked):
    for cid, row in checked.iterrows():
        assert row["reason"].startswith("Rule "), cid
        assert f"linked claims: {row['relates_to'] or 'none'}." in row["reason"], cid
    c06 = checked.loc["C06", "reason"]
    assert checked.loc["C06", "verdict"] == "consistent"
    assert c06.startswith("Rule area_stretch; linked claims: C08.")
    assert "front rule alone (area_fronts) would make it inconsistent" in c06
    # C08 alone implies at least 7.5 x 8.5 / 2 = 31.875 km2 (hand-computed triangle)
    assert "C08 implies 31.9" in c06
    c18 = checked.loc["C18", "reason"]
    assert checked.loc["C18", "verdict"] == "consistent"
    assert c18.startswith("Rule area_sum; linked claims: C13;C04.")
    # 180 +- 10 % plus at least 70 -> at least 162 + 70 = 232 > 220 (hand-computed)
    assert "linking C17" in c18
    assert "instead of C04 would make it inconsistent" in c18
    assert "232.0" in c18


def test_added_distance_claims(checked):
    # C21: positions 1-1.5 km from Kutakan imply positions at least d(Kutakan) - 1.5 km deep
    c21 = checked.loc["C21"]
    assert c21["verdict"] == "not_checkable"  # no linked depth claim
    assert c21["implied_min_depth_km"] == pytest.approx(c21["implied_place_distance_km"] - 1.5)
    # C22: Nerkin Hand school 769 m from a position; Nerkin Hand has no gazetteer point
    assert checked.loc["C22", "verdict"] == "not_checkable"
    assert "'Nerkin Hand' is not in the gazetteer" in checked.loc["C22", "reason"]


def test_claims_table_schema(claims):
    assert claims.index.name == "claim_id"
    assert claims.index.is_unique
    assert set(claims["kind"]) <= set(KINDS)
    assert set(claims["unit"]) <= set(UNITS)
    assert set(claims["qualifier"]) <= set(QUALIFIERS)
    assert claims["value"].dtype == "float64"
    assert claims["source_url"].str.startswith("http").all()
    quotes = claims["quote"]
    assert (quotes.str.startswith('"') & quotes.str.endswith('"')).all()
    assert (quotes.str.split().str.len() <= 15).all()
    assert claims.attrs["provenance"][0]["license"] == "CC-BY-4.0"


@pytest.mark.parametrize(
    ("claimant", "date", "kind", "value", "value_max", "unit", "front", "location"),
    [
        ("Nikol Pashinyan", "2021-05-12", "depth", 3.5, None, "km", None, "Lake Sev"),
        ("Nikol Pashinyan", "2021-11-17", "area", 41.0, None, "km2", None, ""),
        ("Nikol Pashinyan", "2021-11-24", "area", 40.0, 45.0, "km2", None, ""),
        ("Nikol Pashinyan", "2022-09-14", "area", 10.0, None, "km2", None, ""),
        ("Edward Asryan", "2022-09-16", "depth_on_front", 7.5, None, "km", 8.5, "Jermuk"),
        ("Edward Asryan", "2022-09-16", "depth", 1.5, None, "km", None, "Nerkin Hand"),
        ("Edward Asryan", "2022-09-16", "depth", 1.5, None, "km", None, "Verin Shorzha"),
        ("Edward Asryan", "2022-09-16", "depth", 0.5, None, "km", None, "Ishkhanasar"),
        ("Edward Asryan", "2023-04-28", "area", 139.0, None, "km2", None, ""),
        ("Edward Asryan", "2023-04-28", "area", 60.06, None, "km2", None, "Jermuk"),
        ("Eduard Aghajanyan", "2022", "area", 180.0, None, "km2", None, ""),
        ("Ararat Mirzoyan", "2023-11-03", "area", 200.0, None, "km2", None, ""),
        ("Nikol Pashinyan", "2023-01-10", "area", 70.0, None, "km2", None, "Tavush; Ararat"),
        ("Tatoyan Foundation", "2024-03-04", "area", 2700.0, None, "ha", None, "Nerkin Hand"),
        (
            "Orbeli Analytical Research Center",
            "2021-05-27",
            "depth_on_front",
            1,
            3.5,
            "km",
            13,
            "Verin Shorzha",
        ),
    ],
)
def test_required_claims_are_recorded(
    claims, claimant, date, kind, value, value_max, unit, front, location
):
    rows = claims[
        (claims["claimant"] == claimant)
        & (claims["date_said"] == date)
        & (claims["kind"] == kind)
        & (claims["value"] == value)
        & (claims["location"] == location)
    ]
    assert len(rows) == 1, (claimant, date, value)
    row = rows.iloc[0]
    assert row["unit"] == unit
    assert (math.isnan(row["value_max"]) and value_max is None) or row["value_max"] == value_max
    assert (math.isnan(row["front_km"]) and front is None) or row["front_km"] == front


def test_load_claims_from_a_path(tmp_path, claims):
    path = tmp_path / "mine.csv"
    raw_table().head(3).to_csv(path, index=False)
    mine = load_claims(path)
    assert list(mine.index) == list(claims.index[:3])
    assert "provenance" not in mine.attrs


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("unit", "sq km", r"claims row 'C03': unit must be one of \['ha', 'km', 'km2'"),
        ("unit", "km", r"claims row 'C03': unit 'km' does not fit kind 'area'"),
        ("kind", "volume", r"claims row 'C03': kind must be one of"),
        ("qualifier", "roughly", r"claims row 'C03': qualifier must be one of"),
        ("value", "forty", r"claims row 'C03': value must be a positive number"),
        ("value", "-41", r"claims row 'C03': value must be a positive number"),
        ("value", "", r"claims row 'C03': value is required"),
        ("value_max", "30", r"claims row 'C03': value_max is only allowed"),
        ("date_said", "17/11/2021", r"claims row 'C03': date_said must be YYYY"),
        ("source_url", "armenpress.am", r"claims row 'C03': source_url must be an http"),
        ("quote", "no quotes", r"claims row 'C03': quote must be in double quotes"),
        ("quote", '"' + " ".join(["word"] * 16) + '"', r"claims row 'C03': quote must be at most"),
        ("relates_to", "C99", r"claims row 'C03': relates_to names unknown or own ids"),
        ("relates_to", "C03", r"claims row 'C03': relates_to names unknown or own ids"),
        ("check_stretch", "Kut-Lake Sev", r"claims row 'C03': check_stretch must read"),
    ],
)
def test_validation_names_the_row(column, value, message):
    table = raw_table()
    table.loc[table["claim_id"] == "C03", column] = value
    with pytest.raises(DataFileError, match=message):
        validate_claims(table)


def test_validation_of_structure():
    table = raw_table()
    with pytest.raises(DataFileError, match="lacks the columns"):
        validate_claims(table.drop(columns=["quote"]))
    duplicated = table.copy()
    duplicated.loc[1, "claim_id"] = duplicated.loc[0, "claim_id"]
    with pytest.raises(DataFileError, match="claim_id is not unique"):
        validate_claims(duplicated)
    ranged = table.copy()
    ranged.loc[ranged["claim_id"] == "C07", "value_max"] = "10"
    with pytest.raises(DataFileError, match=r"claims row 'C07': a range needs value_max >= value"):
        validate_claims(ranged)
    front = table.copy()
    front.loc[front["claim_id"] == "C08", "front_km"] = ""
    with pytest.raises(DataFileError, match=r"claims row 'C08': front_km is required"):
        validate_claims(front)


def test_validation_does_not_modify_its_input():
    table = raw_table()
    before = table.copy()
    validate_claims(table)
    pd.testing.assert_frame_equal(table, before)


# ----------------------------------------------------------------------------- checks


def test_check_keeps_every_claim_as_claimed(claims, checked):
    assert list(checked.index) == list(claims.index)
    assert checked["claimed_value"].tolist() == claims["value"].tolist()
    assert set(checked["verdict"]) <= set(VERDICTS)
    assert checked["reason"].str.len().gt(20).all()
    implied = [c for c in checked.columns if c.startswith("implied_")]
    assert len(implied) >= 8
    assert "value" not in checked.columns  # never overwritten by an implied figure


def test_front_claim_bounds(checked):
    jermuk = checked.loc["C08"]
    assert jermuk["implied_area_min_km2"] == pytest.approx(7.5 * 8.5 / 2)
    assert jermuk["implied_area_max_km2"] == pytest.approx(
        min(7.5 * 8.5, jermuk["implied_zone_km2"])
    )
    assert jermuk["implied_stretch_km"] == pytest.approx(8.5, abs=1e-6)
    assert jermuk["verdict"] == "consistent"
    orbeli = checked.loc["C02"]
    assert (orbeli["implied_area_min_km2"], orbeli["implied_area_max_km2"]) == pytest.approx(
        (13.0, 45.5)
    )


def test_zone_cap_is_bounded_by_simple_shapes(checked):
    # The land within D of F km of border can never exceed the flat-capped strip on both sides
    # (2 D F) and, for a border that does not fold back, is near D F.
    for cid, depth, front in (("C08", 7.5, 8.5), ("C16", 8.0, 11.0)):
        zone = checked.loc[cid, "implied_zone_km2"]
        assert 0.5 * depth * front < zone < 2 * depth * front + math.pi * depth**2


def test_place_distance_matches_an_independent_distance(checked):
    # Jermuk (GeoNames 174884) to the border: nearest vertex of the border densified to 20 m,
    # straight 3-D distance (exact to centimetres at 12 km).
    ecef = Transformer.from_crs("EPSG:4326", "EPSG:4978", always_xy=True)
    points = []
    for geom in datasets.load_border().geometry:
        for part in getattr(geom, "geoms", [geom]):
            coords = np.asarray(part.coords)
            for (x1, y1), (x2, y2) in itertools.pairwise(coords):
                n = max(1, int(GEOD.inv(x1, y1, x2, y2)[2] // 20))
                mid = GEOD.npts(x1, y1, x2, y2, n - 1) if n > 1 else []
                points.extend([(x1, y1), *mid])
            points.append(tuple(coords[-1]))
    points = np.array(points)
    tree = cKDTree(np.column_stack(ecef.transform(*points.T, np.zeros(len(points)))))
    distance, _ = tree.query(ecef.transform(45.67112, 39.83948, 0.0))
    assert checked.loc["C07", "implied_place_distance_km"] == pytest.approx(
        distance / 1000, abs=0.01
    )
    assert checked.loc["C07", "verdict"] == "consistent"  # "11-12 km", +-1 km allowance


def test_known_verdicts(checked):
    verdicts = checked["verdict"].to_dict()
    assert verdicts["C15"] == "consistent"  # 60.06 km2 inside 7.5 x 8.5 and 8 x 11 ranges
    assert verdicts["C13"] == "consistent"  # 180 = 41 + 139
    assert verdicts["C17"] == "inconsistent"  # > 70 in two provinces vs about 40 in all
    assert verdicts["C10"] == "not_checkable"  # Nerkin Hand has no coordinate
    assert "Nerkin Hand" in checked.loc["C10", "reason"]
    assert checked.loc["C13", "implied_sum_km2"] == pytest.approx(41 + 139)
    assert checked.loc["C15", "implied_mean_depth_km"] == pytest.approx(60.06 / 8.5)
    assert checked.loc["C19", "implied_front_km"] == pytest.approx(27.0 / 2.06)
    assert checked.loc["C14", "implied_mean_depth_km"] == pytest.approx(
        139 / checked.loc["C14", "implied_stretch_km"]
    )


def one_claim(**fields):
    base = dict.fromkeys(CLAIM_COLUMNS, "")
    base.update(
        claim_id="X1",
        claimant="test",
        date_said="2022-09-16",
        period="2022-09",
        qualifier="up_to",
        unit="km",
        source_url="https://example.org",
    )
    base.update(fields)
    return pd.DataFrame([base])


def test_geometry_can_refute_a_claim():
    # Armenia is about 30-40 km wide at Meghri: no land lies 60 km from the border nearest
    # Srashen, and 20 km of front there cannot take 60 km deep advances.
    deep = check_claims(one_claim(kind="depth", value="60", location="Srashen"))
    assert deep.loc["X1", "verdict"] == "inconsistent"
    wide = check_claims(
        one_claim(kind="depth_on_front", value="60", front_km="20", location="Srashen")
    )
    assert wide.loc["X1", "verdict"] == "inconsistent"
    assert "no land of ARM 60.0 km from the border" in wide.loc["X1", "reason"]
    ok = check_claims(one_claim(kind="depth", value="2", location="Srashen"))
    assert ok.loc["X1", "verdict"] == "consistent"


def test_unknown_place_is_not_checkable():
    out = check_claims(one_claim(kind="depth", value="1", location="Atlantis"))
    assert out.loc["X1", "verdict"] == "not_checkable"
    assert "'Atlantis' is not in the gazetteer" in out.loc["X1", "reason"]


def test_check_does_not_modify_its_input():
    table = one_claim(kind="depth", value="2", location="Jermuk")
    before = table.copy()
    check_claims(table)
    pd.testing.assert_frame_equal(table, before)


def test_users_places_border_and_countries_reach_the_checks():
    claim = one_claim(
        kind="place_distance", value="11", value_max="12", qualifier="range", location="Jermuk"
    )
    shipped = check_claims(claim)
    assert shipped.loc["X1", "verdict"] == "consistent"
    # a gazetteer without Jermuk: the place cannot be found
    places = datasets.load_places()
    named = places["name"].str.contains("Jermuk")
    named |= places["alternatenames"].fillna("").str.contains("Jermuk")
    no_jermuk = places[~named]
    out = check_claims(claim, places=no_jermuk)
    assert out.loc["X1", "verdict"] == "not_checkable"
    assert "'Jermuk' is not in the gazetteer" in out.loc["X1", "reason"]
    # measured from the Nakhchivan section only, Jermuk is further from "the border"
    border = datasets.load_border()
    far = check_claims(claim, border=border[border["section"] == "nakhchivan"])
    assert (
        far.loc["X1", "implied_place_distance_km"] > shipped.loc["X1", "implied_place_distance_km"]
    )
    # Armenia reduced to its land within 1 km of the border: no land lies 2 km inside
    deep = one_claim(kind="depth", value="2", location="Srashen")
    assert check_claims(deep).loc["X1", "verdict"] == "consistent"
    countries = datasets.load_boundaries(0)
    thin = bs_buffer_zone(depth_km=1).geometry.iloc[0]
    countries = countries.set_geometry(
        [
            thin if code == "ARM" else g
            for code, g in zip(countries["iso3"], countries.geometry, strict=True)
        ],
        crs=countries.crs,
    )
    out = check_claims(deep, countries=countries, border=border)
    assert out.loc["X1", "verdict"] == "inconsistent"
