"""Fuzzing every reader and parser with generated and mutated inputs (hypothesis).

Targets: ``read_strikes`` on GeoJSON and on CSV, the dataset loaders on a
corrupted copy of a shipped file, ``load_claims(path)``, ``validate_claims``,
the ACLED/UCDP/GDELT readers and ``cli.main(argv)``. Inputs are valid files
mutated by structure (column deletions and renames, wrong types, huge, NaN
and infinite numbers, unicode) and by bytes (flips, truncation, insertions).

The contract checked for every example: the call returns a well-formed
result, or raises a documented error -- a :class:`BorderstrikesError`
(a ``ValueError``/``TypeError``) with a message -- and never anything else
(no KeyError, IndexError, AttributeError, UnicodeDecodeError, ...), never
hangs (:func:`time_limit`), and a CLI command that fails leaves its output
path absent or unchanged.

Example counts: ``HYPOTHESIS_PROFILE=fuzz`` runs at least 10,000 per target
(add ``--hypothesis-show-statistics`` to see the counts); ``ci`` a few dozen.
The CLI targets and ``check_claims`` (whole commands, reports, buffer zones) are
marked ``slow``: they run in every plain run, at the profile's size.
"""

import contextlib
import csv
import hashlib
import io
import json
import math
import shutil
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from borderstrikes import cli, datasets
from borderstrikes.border import distance_to_border
from borderstrikes.claims import (
    CLAIM_COLUMNS,
    OPTIONAL_CLAIM_COLUMNS,
    VERDICTS,
    check_claims,
    load_claims,
    validate_claims,
)
from borderstrikes.errors import BorderstrikesError, DataFileError
from borderstrikes.io import read_strikes
from borderstrikes.strikes import validate_strikes

sys.path.insert(0, str(Path(__file__).parent))
from _hypothesis_profiles import EXAMPLES, time_limit

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "tests" / "data" / "events"
FUZZ = settings(max_examples=EXAMPLES["fuzz"])
SLOW = settings(max_examples=EXAMPLES["slow"])

try:
    from borderstrikes.io import events as readers
except ImportError:  # pragma: no cover - readers.py lands in a parallel change
    readers = None


# --------------------------------------------------------------------------- the contract


def documented(call, *, allowed=(BorderstrikesError,)):
    """Run ``call``; return its result or the documented exception it raised.

    Any other exception propagates and fails the test. Warnings are recorded,
    not raised: a warning is allowed, a crash is not.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with time_limit():
            try:
                result = call()
            except allowed as exc:
                error = exc
            else:
                event("returned")
                return result
    event(f"raised {type(error).__name__}")
    assert isinstance(error, ValueError | TypeError), type(error).__mro__
    assert len(str(error)) > 15, f"uninformative message: {error!r}"
    return error


def check_frame(frame):
    """A reader's table is a GeoDataFrame with a CRS, usable by the analysis."""
    assert isinstance(frame, gpd.GeoDataFrame)
    assert frame.crs is not None
    documented(lambda: distance_to_border(frame))
    documented(lambda: validate_strikes(frame))


# --------------------------------------------------------------------------- mutations

INTERESTING_TEXT = [
    "",
    " ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "1e400",
    "-1e400",
    "9" * 40,
    "-0",
    "0x1F",
    "1,5",
    "45°40′",
    "null",
    "None",
    "NA",
    "true",
    "[]",
    "{}",
    '"',
    "'",
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\ufeff",
    "\u202e",
    "\ud7ff",
    "Ջերմուկ",
    "Джермук",
    "Cermuk",
    "Ǝ̸̢",
    "😀",
    "POINT (45 40)",
    "POINT EMPTY",
    "LINESTRING (45 40, 46 41)",
    "POINT (nan nan)",
    "2022-09-13",
    "2022-02-30",
    "9999-12-31",
    "x" * 300,
]
INTERESTING_BYTES = [t.encode("utf-8", "surrogatepass") for t in INTERESTING_TEXT] + [
    b"\xff",
    b"\xfe\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\x80\x80",
]
cell_text = st.one_of(
    st.sampled_from(INTERESTING_TEXT),
    st.text(max_size=12),
    st.floats().map(repr),
    st.integers().map(str),
)


@st.composite
def byte_mutations(draw, data):
    """Apply 0-4 byte-level edits: flips, overwrites, truncation, insertions, deletions."""
    data = bytearray(data)
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete", "repeat"]))
        at = draw(st.integers(0, max(len(data), 1))) % (len(data) + 1)
        if op == "flip" and data:
            data[at % len(data)] ^= draw(st.integers(1, 255))
        elif op == "set" and data:
            data[at % len(data)] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(INTERESTING_BYTES), st.binary(max_size=8)))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


@st.composite
def csv_mutations(draw, text, delimiter=","):
    """Edit a CSV by structure: drop, rename, duplicate or retype columns, edit cells and rows."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        rows = [[]]
    for _ in range(draw(st.integers(0, 5))):
        width = max((len(r) for r in rows), default=0)
        op = draw(
            st.sampled_from(
                ["drop_col", "rename", "case", "dup_col", "cell", "column", "drop_row", "dup_row",
                 "shuffle", "no_header", "ragged"]
            )
        )  # fmt: skip
        col = draw(st.integers(0, max(width - 1, 0)))
        row = draw(st.integers(0, max(len(rows) - 1, 0)))
        if op == "drop_col":
            rows = [r[:col] + r[col + 1 :] for r in rows]
        elif op == "rename" and rows[0]:
            rows[0][col % len(rows[0])] = draw(cell_text)
        elif op == "case" and rows[0]:
            rows[0][col % len(rows[0])] = rows[0][col % len(rows[0])].upper()
        elif op == "dup_col":
            rows = [[*r, r[col]] if col < len(r) else r for r in rows]
        elif op == "cell" and rows[row]:
            rows[row][col % len(rows[row])] = draw(cell_text)
        elif op == "column":
            value = draw(cell_text)
            rows = [r if i == 0 or col >= len(r) else [*r[:col], value, *r[col + 1 :]]
                    for i, r in enumerate(rows)]  # fmt: skip
        elif op == "drop_row" and len(rows) > 1:
            del rows[row]
        elif op == "dup_row":
            rows.insert(row, list(rows[row]))
        elif op == "shuffle" and len(rows) > 2:
            body = rows[1:]
            order = draw(st.permutations(range(len(body))))
            rows = [rows[0], *[body[i] for i in order]]
        elif op == "no_header" and len(rows) > 1:
            rows = rows[1:]
        elif op == "ragged" and rows[row]:
            rows[row] = rows[row][: draw(st.integers(0, len(rows[row])))]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.sampled_from(INTERESTING_TEXT),
    st.text(max_size=10),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


def _get(value, path):
    for key in path:
        value = value[key]
    return value


@st.composite
def json_mutations(draw, document):
    """Edit a JSON document by structure: delete keys, replace values with other types."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(0, 4))):
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _get(document, path[:-1])
        op = draw(st.sampled_from(["delete", "replace", "number", "wrap"]))
        if op == "delete":
            del parent[path[-1]]
        elif op == "replace":
            parent[path[-1]] = draw(json_values)
        elif op == "number":
            parent[path[-1]] = draw(
                st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 0, -0.0, 2**64])
            )
        else:
            parent[path[-1]] = [parent[path[-1]]]
    return document


class Blob:
    """Bytes with a short repr, so that a failing example prints (and shrinks) readably."""

    def __init__(self, data):
        self.data = bytes(data)

    def __repr__(self):
        digest = hashlib.sha256(self.data).hexdigest()[:12]
        head = self.data[:160]
        more = "..." if len(self.data) > 160 else ""
        return f"Blob({len(self.data)} bytes, sha256 {digest}, {head!r}{more})"


def _dump_json(document):
    # allow_nan writes NaN/Infinity, which is not JSON: readers must refuse it cleanly
    return json.dumps(document, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")


# --------------------------------------------------------------------------- seeds

STRIKES_DOC = json.loads((ROOT / "data" / "strikes.geojson").read_text(encoding="utf-8"))


def _collection(features, **extra):
    return {"type": "FeatureCollection", **extra, "features": features}


GEOJSON_SEEDS = [
    _collection(STRIKES_DOC["features"][:3]),
    _collection(STRIKES_DOC["features"][10:11]),
    _collection([]),
    _collection(
        STRIKES_DOC["features"][:2],
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32638"}},
    ),
    {"type": "Feature", **{k: STRIKES_DOC["features"][5][k] for k in ("geometry", "properties")}},
]


def _strikes_csv(kind):
    strikes = datasets.load_strikes().iloc[[0, 11, 40, 70]]
    table = pd.DataFrame(strikes.drop(columns=["geometry", "place_variants", "weapons"]))
    table["date"] = table["date"].dt.strftime("%Y-%m-%d")
    table["source_date"] = table["source_date"].dt.strftime("%Y-%m-%d")
    x, y = strikes.geometry.x.round(6), strikes.geometry.y.round(6)
    if kind == "lonlat":
        table = table.assign(lon=x, lat=y)
    elif kind == "xy":
        table = table.assign(X=x, Y=y)
    elif kind == "longitude":
        table = table.assign(Latitude=y, Longitude=x)
    else:
        table = table.assign(geometry=strikes.geometry.to_wkt())
    return table.to_csv(index=False)


CSV_SEEDS = [_strikes_csv(kind) for kind in ("lonlat", "xy", "longitude", "wkt")]
CLAIMS_TEXT = (ROOT / "data" / "claims.csv").read_text(encoding="utf-8")


def _write(directory, name, data):
    path = Path(directory) / name
    path.write_bytes(data.data if isinstance(data, Blob) else data)
    return path


# --------------------------------------------------------------------------- read_strikes


geojson_inputs = st.one_of(
    st.sampled_from(GEOJSON_SEEDS).flatmap(json_mutations).map(_dump_json),
    st.sampled_from(GEOJSON_SEEDS).map(_dump_json).flatmap(byte_mutations),
    json_values.map(_dump_json),
).map(Blob)


@FUZZ
@given(data=geojson_inputs, suffix=st.sampled_from([".geojson", ".json", ".gpkg", ""]))
def test_fuzz_read_strikes_geojson(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, f"events{suffix}", data)
        result = documented(lambda: read_strikes(path))
    if not isinstance(result, Exception):
        check_frame(result)


csv_inputs = st.one_of(
    st.sampled_from(CSV_SEEDS)
    .flatmap(csv_mutations)
    .map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(CSV_SEEDS).map(str.encode).flatmap(byte_mutations),
    st.sampled_from(CSV_SEEDS).flatmap(csv_mutations).map(str.encode).flatmap(byte_mutations),
).map(Blob)


@FUZZ
@given(
    data=csv_inputs,
    suffix=st.sampled_from([".csv", ".txt", ".CSV"]),
    crs=st.one_of(
        st.none(),
        st.sampled_from(["EPSG:4326", "EPSG:32638", "EPSG:3857", "nonsense", "EPSG:99999", 4326]),
        st.integers(),
        st.text(max_size=6),
    ),
)
def test_fuzz_read_strikes_csv(data, suffix, crs):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, f"events{suffix}", data)
        result = documented(lambda: read_strikes(path, crs=crs))
    if not isinstance(result, Exception):
        check_frame(result)
        # coordinates are never dropped or made up: every row has a finite point or none
        values = np.asarray(result.geometry.values)
        present = ~(result.geometry.isna() | result.geometry.is_empty).to_numpy()
        xy = np.column_stack([result.geometry.x, result.geometry.y])[present]
        assert np.isfinite(xy).all(), values


def test_read_strikes_refuses_non_finite_and_ambiguous_coordinates(tmp_path):
    cases = {
        "inf.csv": ("lon,lat\n45,40\ninf,40\n", "unparseable or missing coordinates"),
        "huge.csv": ("lon,lat\n1e400,40\n", "unparseable or missing coordinates"),
        "case.csv": ("LON,lat,Lon\n45,40,1\n", "differ only in case"),
        "blank.csv": ('geometry\nPOINT (45 40)\n\n""\n', "missing WKT geometry"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DataFileError, match=message):
            read_strikes(path)


# --------------------------------------------------------------------------- dataset loaders


@contextlib.contextmanager
def shipped_copy(name, data):
    """Make the loaders read ``data`` as the shipped dataset ``name``, bypassing caches."""
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, Path(datasets.registry()[name]["filename"]).name, data)
        real = datasets.get_path
        with (
            mock.patch.object(datasets, "get_path", lambda n: path if n == name else real(n)),
            mock.patch.object(datasets, "verify", return_value=None),
            mock.patch.object(datasets, "_strikes", datasets._strikes.__wrapped__),
            mock.patch.object(datasets, "_places", datasets._places.__wrapped__),
            mock.patch.object(datasets, "_aliases", datasets._aliases.__wrapped__),
            mock.patch.object(datasets, "_read_vector", datasets._read_vector.__wrapped__),
        ):
            yield path


STRIKES_BYTES = (ROOT / "data" / "strikes.geojson").read_bytes()
STRIKES_SMALL = _dump_json(_collection(STRIKES_DOC["features"][:6]))

strikes_file_inputs = st.one_of(
    st.sampled_from([STRIKES_SMALL, STRIKES_BYTES]).flatmap(byte_mutations),
    st.just(STRIKES_DOC).flatmap(json_mutations).map(_dump_json),
    st.just(_collection(STRIKES_DOC["features"][:6])).flatmap(json_mutations).map(_dump_json),
).map(Blob)


@FUZZ
@given(data=strikes_file_inputs)
def test_fuzz_load_strikes_from_a_corrupted_copy(data):
    with shipped_copy("strikes", data):
        result = documented(datasets.load_strikes, allowed=(DataFileError,))
    if not isinstance(result, Exception):
        assert result.crs.equals("EPSG:4326")
        assert result["place_variants"].map(type).eq(list).all()


def _head(name, lines):
    text = datasets.get_path(name).read_text(encoding="utf-8")
    return "".join(text.splitlines(keepends=True)[:lines]).encode()


LOADER_SEEDS = {
    "places_aliases": (
        datasets.load_place_aliases,
        datasets.get_path("places_aliases").read_bytes(),
    ),
    "places_supplement": (datasets.load_places, _head("places_supplement", 12)),
    "geonames_places": (datasets.load_places, _head("geonames_places", 12)),
    "border_am_az": (datasets.load_border, datasets.get_path("border_am_az").read_bytes()),
    "lakes": (datasets.load_lakes, datasets.get_path("lakes").read_bytes()),
}


@st.composite
def loader_inputs(draw):
    name = draw(st.sampled_from(sorted(LOADER_SEEDS)))
    loader, seed = LOADER_SEEDS[name]
    if name.startswith(("places", "geonames")):
        edited = draw(csv_mutations(seed.decode())).encode("utf-8", "surrogatepass")
    else:
        edited = _dump_json(draw(json_mutations(json.loads(seed))))
    return name, loader, Blob(draw(st.one_of(st.just(edited), byte_mutations(edited))))


@FUZZ
@given(case=loader_inputs())
def test_fuzz_other_loaders_from_a_corrupted_copy(case):
    name, loader, data = case
    with shipped_copy(name, data):
        documented(loader, allowed=(DataFileError,))


@pytest.mark.parametrize("name", ["strikes", "border_am_az", "places_aliases", "claims"])
def test_loaders_refuse_a_modified_shipped_file(name, tmp_path):
    """A flipped digit parses fine: only the registry's sha256 tells it from the real file."""
    data = bytearray(datasets.get_path(name).read_bytes())
    digit = next(i for i in range(len(data) // 2, len(data)) if chr(data[i]).isdigit())
    data[digit] = ord("7") if data[digit] != ord("7") else ord("3")
    copy = tmp_path / "data"
    shutil.copytree(datasets.data_dir(), copy)
    (copy / datasets.registry()[name]["filename"]).write_bytes(bytes(data))
    loaders = {
        "strikes": datasets._strikes.__wrapped__,
        "border_am_az": lambda: datasets._read_vector.__wrapped__("border_am_az"),
        "places_aliases": datasets._aliases.__wrapped__,
        "claims": load_claims,
    }
    with (
        mock.patch.object(datasets, "data_dir", return_value=copy),
        pytest.raises(DataFileError, match="sha256"),
    ):
        loaders[name]()


# --------------------------------------------------------------------------- claims

claims_inputs = st.one_of(
    st.just(CLAIMS_TEXT).flatmap(csv_mutations).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.just(CLAIMS_TEXT.encode()).flatmap(byte_mutations),
    st.just(CLAIMS_TEXT).flatmap(csv_mutations).map(str.encode).flatmap(byte_mutations),
).map(Blob)


@FUZZ
@given(data=claims_inputs)
def test_fuzz_load_claims(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, "claims.csv", data)
        result = documented(lambda: load_claims(path), allowed=(DataFileError,))
    if not isinstance(result, Exception):
        assert result.index.name == "claim_id"
        assert result.index.is_unique
        for column in ("value", "value_max", "front_km"):
            assert result[column].dtype == "float64"
        assert (result["value"] > 0).all()
        assert np.isfinite(result["value"]).all()


cell_values = st.one_of(
    json_scalars,
    st.just(pd.NA),
    st.just(pd.NaT),
    st.just(pd.Timestamp("2022-09-13")),
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.just(np.float64("nan")),
    st.just(np.int64(7)),
)


@st.composite
def claims_tables(draw):
    base = pd.read_csv(io.StringIO(CLAIMS_TEXT), dtype=str, keep_default_na=False)
    columns = list(base.columns)
    rows = base.to_numpy(dtype=object).tolist()
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["cell", "drop", "rename", "rows", "column"]))
        j = draw(st.integers(0, max(len(columns) - 1, 0)))
        if not columns:
            break
        if op == "cell" and rows:
            rows[draw(st.integers(0, len(rows) - 1))][j] = draw(cell_values)
        elif op == "drop":
            del columns[j]
            rows = [r[:j] + r[j + 1 :] for r in rows]
        elif op == "rename":
            columns[j] = draw(st.one_of(st.text(max_size=8), st.sampled_from(columns)))
        elif op == "rows" and rows:
            rows = [
                list(rows[i]) for i in draw(st.lists(st.integers(0, len(rows) - 1), max_size=30))
            ]
        elif op == "column":
            value = draw(cell_values)
            for r in rows:
                r[j] = value
    table = pd.DataFrame(rows, columns=columns, dtype=object)
    if draw(st.booleans()) and columns.count("claim_id") == 1:
        table = table.set_index("claim_id")
    return table


@FUZZ
@given(table=claims_tables())
def test_fuzz_validate_claims(table):
    before = table.copy()
    result = documented(lambda: validate_claims(table), allowed=(DataFileError,))
    pd.testing.assert_frame_equal(table, before)  # the input is never modified
    if not isinstance(result, Exception):
        optional = [c for c in OPTIONAL_CLAIM_COLUMNS if c not in CLAIM_COLUMNS]
        assert list(result.columns) == [c for c in CLAIM_COLUMNS if c != "claim_id"] + optional
        assert result.index.is_unique


@st.composite
def claims_figures(draw):
    """The shipped claims with figures and places changed: valid tables, odd numbers."""
    table = pd.read_csv(io.StringIO(CLAIMS_TEXT), dtype=str, keep_default_na=False)
    numbers = st.one_of(
        st.sampled_from(["1e-300", "0.001", "1", "199.9", "999", "1001", "30000", "1e300"]),
        st.floats(min_value=1e-6, max_value=1e6).map(repr),
    )
    for _ in range(draw(st.integers(1, 3))):
        row = draw(st.integers(0, len(table) - 1))
        column = draw(st.sampled_from(["value", "value_max", "front_km", "location"]))
        if column == "location":
            table.loc[row, column] = draw(st.sampled_from(["Jermuk", "Atlantis", "Sotk", "Kut"]))
        elif column != "value_max" or table.loc[row, column]:
            table.loc[row, column] = draw(numbers)
    return table


@pytest.mark.slow
@SLOW
@given(table=claims_figures())
def test_fuzz_check_claims(table):
    """Any figure a claim states gets a verdict, however large or small; never a crash."""
    result = documented(lambda: check_claims(table), allowed=(DataFileError,))
    if not isinstance(result, Exception):
        assert result["verdict"].isin(VERDICTS).all()
        assert result["reason"].str.len().gt(10).all()


# --------------------------------------------------------------------------- event readers


def _reader_seeds():
    if readers is None:
        return []
    seeds = []
    for path in sorted(EVENTS.iterdir()):
        name = path.name.lower()
        reader = (
            readers.read_acled
            if name.startswith("acled")
            else readers.read_ucdp_ged
            if name.startswith("ucdp")
            else readers.read_gdelt_events
        )
        delimiter = "\t" if name.endswith(".export.csv") else ","
        seeds.append((reader, path.name, path.read_text(encoding="utf-8-sig"), delimiter))
    return seeds


READER_SEEDS = _reader_seeds()


@st.composite
def reader_inputs(draw, prefix):
    choices = [s for s in READER_SEEDS if s[0].__name__ == prefix]
    reader, name, text, delimiter = draw(st.sampled_from(choices))
    edited = draw(csv_mutations(text, delimiter)).encode("utf-8", "surrogatepass")
    data = Blob(draw(st.one_of(st.just(edited), byte_mutations(edited))))
    container = draw(st.sampled_from(["plain", "plain", "zip", "broken_zip"]))
    return reader, name, data, container


def _run_reader(case, errors):
    reader, name, data, container = case
    with tempfile.TemporaryDirectory() as tmp:
        if container == "plain":
            path = _write(tmp, name, data)
        else:
            path = Path(tmp) / (Path(name).stem + ".zip")
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr(name, data.data)
            if container == "broken_zip":
                raw = bytearray(path.read_bytes())
                raw[len(raw) // 2] ^= 0x5A
                path.write_bytes(bytes(raw))
        result = documented(lambda: reader(path, errors=errors), allowed=(DataFileError,))
    if isinstance(result, Exception):
        return
    events, rejects = result
    assert isinstance(events, gpd.GeoDataFrame)
    assert events.crs.equals("EPSG:4326")
    assert isinstance(rejects, pd.DataFrame)
    # nothing dropped silently: every record is an event or a reject, once
    rows = np.sort(np.concatenate([events.index.to_numpy(), rejects.index.to_numpy()]))
    np.testing.assert_array_equal(rows, np.arange(len(rows)))
    if errors == "raise":
        assert rejects.empty
    assert np.isfinite(np.column_stack([events.geometry.x, events.geometry.y])).all()
    selection = documented(lambda: readers.select_strike_reports(events))
    if not isinstance(selection, Exception):
        documented(lambda: distance_to_border(selection.strikes))


needs_readers = pytest.mark.skipif(readers is None, reason="borderstrikes.readers not present")


@needs_readers
@FUZZ
@given(case=reader_inputs("read_acled"), errors=st.sampled_from(["collect", "raise"]))
def test_fuzz_read_acled(case, errors):
    _run_reader(case, errors)


@needs_readers
@FUZZ
@given(case=reader_inputs("read_ucdp_ged"), errors=st.sampled_from(["collect", "raise"]))
def test_fuzz_read_ucdp_ged(case, errors):
    _run_reader(case, errors)


@needs_readers
@FUZZ
@given(case=reader_inputs("read_gdelt_events"), errors=st.sampled_from(["collect", "raise"]))
def test_fuzz_read_gdelt_events(case, errors):
    _run_reader(case, errors)


# --------------------------------------------------------------------------- the CLI

NUMBER_TOKENS = ["0", "-1", "5", "2.5", "nan", "inf", "-inf", "1e400", "201", "abc", "", "1e-300"]
TOKEN = st.one_of(st.sampled_from(NUMBER_TOKENS), st.text(max_size=6))


@st.composite
def cli_calls(draw, heavy=False):
    """An argv for cli.main, plus the file to put at the strikes path (or None)."""
    commands = ["summary", "distances", "clusters", "geocode", "areas", "claims", "map", "report"]
    others = ["bogus", "--bogus", "-v", "--version"]
    command = draw(st.sampled_from(["map", "report", "areas"] if heavy else [*commands, *others]))
    argv = [command]
    data = None
    kinds = (
        ["none", "none", "fuzzed"]
        if heavy
        else ["none", "fuzzed", "fuzzed", "missing", "directory"]
    )
    strikes_kind = draw(st.sampled_from(kinds))
    if command in {"map", "report"} and strikes_kind == "none" and not heavy:
        strikes_kind = "missing"  # the packaged reports make these commands slow
    if command in {"distances", "clusters", "map", "report"} and strikes_kind != "none":
        if strikes_kind == "fuzzed":
            data = draw(st.one_of(csv_inputs, geojson_inputs))
        where = {"fuzzed": "{strikes}", "missing": "{missing}", "directory": "{adir}"}
        argv += (["--strikes"] if command == "report" else []) + [where[strikes_kind]]
    if command == "geocode":
        argv += draw(
            st.lists(
                st.one_of(st.sampled_from(["Jermuk", "Sotk", "Kapan"]), st.text(max_size=10)),
                max_size=3,
            )
        )
        if draw(st.booleans()):
            argv += ["--admin1", draw(st.one_of(st.sampled_from(["Syunik", "AM-SU"]), TOKEN))]
    if command == "clusters":
        for flag in ("--eps-km", "--min-samples", "--time-eps-hours"):
            if draw(st.booleans()):
                argv += [flag, draw(TOKEN)]
    if command == "distances" and draw(st.booleans()):
        argv += ["--unit", draw(st.sampled_from(["m", "km", "nmi", "mi"]))]
    if command == "areas":
        depths = draw(st.lists(st.sampled_from(NUMBER_TOKENS), min_size=1, max_size=3))
        if not heavy:  # keep the cheap target cheap: at least one depth fails validation
            depths.append(draw(st.sampled_from(["0", "-1", "nan", "inf", "201", "1e400"])))
        argv += ["--depth-km", *depths]
        for flag in ("--country", "--neighbour"):
            if draw(st.booleans()):
                argv += [
                    flag,
                    draw(st.one_of(st.sampled_from(["ARM", "AZE", "GEO", "XXX"]), TOKEN)),
                ]
    if command == "claims" and draw(st.booleans()):
        argv += ["--verdict", draw(st.sampled_from(["consistent", "maybe"]))]
    if command == "map":
        for flag, values in (
            ("--dpi", ["0", "72", "601", "100000", "x"]),
            ("--color-by", ["evidence", "zzz"]),
        ):
            if draw(st.booleans()):
                argv += [flag, draw(st.sampled_from(values))]
    if command == "report":
        argv += ["--out", "{report}"]
    elif draw(st.booleans()):
        argv += [
            "-o",
            draw(
                st.sampled_from(
                    [
                        "{out}.csv",
                        "{out}.geojson",
                        "{out}.gpkg",
                        "{out}.png",
                        "{out}",
                        "{nodir}/x.csv",
                        "{existing}",
                    ]
                )
            ),
        ]
    argv += draw(st.lists(TOKEN, max_size=2 if draw(st.booleans()) else 0))
    return argv, data, draw(st.sampled_from([".csv", ".geojson", ".txt", ".gpkg"]))


def _snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file()
    }


def _run_cli(call):
    argv, data, suffix = call
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "out").mkdir()
        existing = work / "out" / "existing.csv"
        existing.write_text("keep me\n")
        report = work / "out" / "report"
        if data is not None:
            _write(work, f"strikes{suffix}", data)
        (work / "adir").mkdir()
        names = {
            "strikes": str(work / f"strikes{suffix}"),
            "adir": str(work / "adir"),
            "missing": str(work / "nope.geojson"),
            "out": str(work / "out" / "result"),
            "nodir": str(work / "no" / "such"),
            "existing": str(existing),
            "report": str(report),
        }
        # only the named placeholders: generated text may hold "{}" or "{0}" of its own
        for key, value in names.items():
            argv = [a.replace("{" + key + "}", value) for a in argv]
        before = _snapshot(work)
        stdout, stderr = io.StringIO(), io.StringIO()
        # in the temporary folder: `map` without -o writes map.png to the working directory
        with (
            contextlib.chdir(work),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            try:
                code = documented(lambda: cli.main(argv), allowed=())
            except SystemExit as exc:  # argparse: usage errors (2), --help/--version (0)
                code = exc.code
        assert code in (0, 1, 2), (argv, code)
        event(f"{argv[0]}: exit {code}")
        after = _snapshot(work)
        if code != 0:
            assert after == before, (argv, stderr.getvalue())
            if code == 1:
                assert f"borderstrikes {argv[0]}: error:" in stderr.getvalue()
        else:
            # only the named output changed; no temporary files left behind
            changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
            outputs = ("out/result", "out/existing", "out/report/", "map.png")
            assert all(k.startswith(outputs) for k in changed), changed


@pytest.mark.slow
@FUZZ
@given(call=cli_calls())
def test_fuzz_cli(call):
    _run_cli(call)


@pytest.mark.slow
@SLOW
@given(call=cli_calls(heavy=True))
def test_fuzz_cli_heavy_commands(call):
    """The slow paths too: maps, reports and buffer scenarios on valid-looking input."""
    _run_cli(call)


def test_cli_failure_leaves_no_partial_output(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("lon,lat\n45,nan\n", encoding="utf-8")
    out = tmp_path / "report"
    with contextlib.redirect_stderr(io.StringIO()):
        assert cli.main(["report", "--strikes", str(bad), "--out", str(out)]) == 1
    assert not out.exists()
    existing = tmp_path / "existing.geojson"
    existing.write_text("keep me", encoding="utf-8")
    with contextlib.redirect_stderr(io.StringIO()):
        assert cli.main(["areas", "--depth-km", "5", "-o", str(existing)]) == 1  # no geometry
        assert cli.main(["distances", str(bad), "-o", str(existing)]) == 1
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "existing.geojson"]


def test_cli_writes_spatial_tables(tmp_path):
    with contextlib.redirect_stderr(io.StringIO()):
        assert cli.main(["distances", "-o", str(tmp_path / "d.geojson")]) == 0
        assert cli.main(["geocode", "Jermuk", "-o", str(tmp_path / "g.gpkg")]) == 0
    distances = gpd.read_file(tmp_path / "d.geojson")
    assert len(distances) == len(datasets.load_strikes())
    assert distances.crs.equals("EPSG:4326")
    assert gpd.read_file(tmp_path / "g.gpkg")["name"].tolist() == ["Jermuk"]


def test_cli_refuses_a_huge_map():
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as exit_info:
        cli.main(["map", "--dpi", "6000"])
    assert exit_info.value.code == 2


def test_fuzz_module_has_all_reader_targets():
    """The readers are fuzzed once they exist (they land in a parallel change)."""
    if readers is None:
        pytest.skip("borderstrikes.readers not present")
    assert {s[0].__name__ for s in READER_SEEDS} == {
        "read_acled",
        "read_ucdp_ged",
        "read_gdelt_events",
    }
