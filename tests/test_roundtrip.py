"""Lossless round trips: load, write (GeoJSON, GeoPackage, CSV with WKT), load again.

Every row, column, dtype and value comes back, and every coordinate to 1e-9°.
List and date columns go through :func:`borderstrikes.strikes.encode_columns`
and :func:`~borderstrikes.strikes.decode_columns`, the documented encoding
(JSON arrays and ISO 8601 text) for formats without list fields.
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from borderstrikes import datasets
from borderstrikes.claims import load_claims, validate_claims
from borderstrikes.io import read_strikes
from borderstrikes.strikes import LIST_COLUMNS, decode_columns, encode_columns

try:
    from borderstrikes.io import events as readers
except ImportError:  # pragma: no cover - readers.py lands in a parallel change
    readers = None

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "tests" / "data" / "events"
FORMATS = ["geojson", "gpkg", "csv"]


def write(frame, path):
    """Write ``frame`` (already encoded) as GeoJSON, GeoPackage or CSV with WKT geometry."""
    if path.suffix == ".csv":
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        # full precision: shapely's default WKT keeps 6 decimals (0.1 m)
        table["geometry"] = frame.geometry.to_wkt(rounding_precision=-1)
        table.to_csv(path, index=False)
    else:
        frame.to_file(path, engine="pyogrio")


def round_trip(frame, path, *, lists=()):
    write(encode_columns(frame), path)
    return decode_columns(read_strikes(path, text=True), frame.dtypes, lists=lists)


def assert_same(back, original, *, missing_text_is_empty=False):
    assert list(back.columns) == list(original.columns)
    assert back.crs.equals(original.crs)
    values = pd.DataFrame(back.drop(columns=back.geometry.name))
    expected = pd.DataFrame(original.drop(columns=original.geometry.name))
    if missing_text_is_empty:  # CSV: an empty text reads back as missing
        for column in expected.columns:
            if pd.api.types.is_string_dtype(expected[column]):
                expected[column] = expected[column].replace("", np.nan)
    pd.testing.assert_frame_equal(values, expected, check_exact=True)
    a = np.asarray(back.geometry.values)
    b = np.asarray(original.geometry.values)
    np.testing.assert_array_equal(shapely.get_type_id(a), shapely.get_type_id(b))
    np.testing.assert_allclose(shapely.get_coordinates(a), shapely.get_coordinates(b), atol=1e-9)


# --------------------------------------------------------------------------- strikes


@pytest.mark.parametrize("fmt", FORMATS)
def test_packaged_strikes_round_trip(fmt, tmp_path):
    strikes = datasets.load_strikes()
    back = round_trip(strikes, tmp_path / f"strikes.{fmt}", lists=LIST_COLUMNS)
    assert_same(back, strikes)
    assert back["place_variants"].map(type).eq(list).all()


@pytest.mark.parametrize("fmt", FORMATS)
def test_full_precision_coordinates_round_trip(fmt, tmp_path):
    """Coordinates with 15 significant digits survive, in every format (not only 5 decimals)."""
    rng = np.random.default_rng(0)
    strikes = datasets.load_strikes()
    moved = strikes.set_geometry(
        gpd.points_from_xy(
            strikes.geometry.x + rng.uniform(-1e-3, 1e-3, len(strikes)),
            strikes.geometry.y + rng.uniform(-1e-3, 1e-3, len(strikes)),
        ),
        crs=strikes.crs,
    )
    back = round_trip(moved, tmp_path / f"moved.{fmt}", lists=LIST_COLUMNS)
    assert_same(back, moved)


def test_encoding_is_documented_text():
    encoded = encode_columns(datasets.load_strikes())
    assert encoded.loc[0, "weapons"] == '["unknown"]'
    assert encoded.loc[0, "date"] == "2022-09-13T00:00:00"
    assert encoded.loc[encoded["time_local"].isna()].shape[0] == 17  # missing stays missing


# --------------------------------------------------------------------------- claims


def test_claims_round_trip_through_csv(tmp_path):
    claims = load_claims()
    path = tmp_path / "claims.csv"
    claims.to_csv(path)
    pd.testing.assert_frame_equal(load_claims(path), claims, check_exact=True)


@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_claims_round_trip_through_vector_files(fmt, tmp_path):
    claims = load_claims()
    path = tmp_path / f"claims.{fmt}"
    pyogrio.write_dataframe(claims.reset_index(), path)
    back = pd.DataFrame(pyogrio.read_dataframe(path))
    back = back.drop(columns=[c for c in ("geometry",) if c in back])
    pd.testing.assert_frame_equal(validate_claims(back), claims, check_exact=True)


# --------------------------------------------------------------------------- reader outputs


def _reader_cases():
    if readers is None:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="no readers module"))]
    cases = [
        ("read_acled", "acled_am_az_2023.csv"),
        ("read_acled", "acled_am_az_pre2023.csv"),
        ("read_acled", "acled_messy.csv"),
        ("read_ucdp_ged", "ucdp_ged_am_az.csv"),
        ("read_ucdp_ged", "ucdp_ged_messy.csv"),
        ("read_gdelt_events", "gdelt_v2_am_az.export.CSV"),
        ("read_gdelt_events", "gdelt_v1_am.export.CSV"),
        ("read_gdelt_events", "gdelt_messy.export.CSV"),
    ]
    return [pytest.param(reader, name, id=name) for reader, name in cases]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("reader", "name"), _reader_cases())
def test_reader_outputs_round_trip(reader, name, fmt, tmp_path):
    events, _ = getattr(readers, reader)(EVENTS / name)
    assert len(events) > 0
    index = events.index.name
    # the index (each record's row in the source file) is written as a column
    original = events.reset_index()
    back = round_trip(original, tmp_path / f"events.{fmt}")
    assert_same(back, original, missing_text_is_empty=fmt == "csv")
    restored = back.set_index(index)
    assert restored.index.equals(events.index)
