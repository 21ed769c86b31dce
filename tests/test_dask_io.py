"""Lazy readers and partitioned GeoParquet output (borderstrikes.dask.readers / .write).

Oracle: the in-memory readers on the same records (one concatenated file), geopandas'
and pyarrow's own GeoParquet readers, and hashlib for the manifest.
"""

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pytest

dask_geopandas = pytest.importorskip("dask_geopandas")

import geopandas as gpd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import borderstrikes.io as bsio  # noqa: E402
from borderstrikes import dask as bsdask  # noqa: E402
from borderstrikes.border import distance_to_border  # noqa: E402
from borderstrikes.cli import main  # noqa: E402
from borderstrikes.errors import DataFileError  # noqa: E402

DATA = Path(__file__).parent / "data" / "events"
STRIDE = 2**32


@pytest.fixture(autouse=True)
def _synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def _rows(name):
    """Header and data rows of a fixture CSV (csv module: an independent parser)."""
    text = (DATA / name).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [r for r in rows[1:] if r]


def _write(path, header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _split_acled(folder, n_files, seed):
    """n_files ACLED files with unique ids and one unreadable row each; and their concatenation."""
    header, rows = _rows("acled_am_az_2023.csv")
    rng = np.random.default_rng(seed)
    lon = header.index("longitude")
    files, everything = [], []
    for j in range(n_files):
        chunk = []
        for i in rng.permutation(len(rows)):
            row = list(rows[i])
            row[0] = f"{row[0]}-{j}"
            chunk.append(row)
        chunk[int(rng.integers(len(chunk)))][lon] = "east"  # a reject in every file
        files.append(_write(folder / f"acled_{j}.csv", header, chunk))
        everything += chunk
    whole = _write(folder / "whole.csv.all", header, everything)
    return files, whole, [len(rows)] * n_files


def _lazy_to_concatenated(index, sizes):
    """Map the lazy index (piece * 2**32 + row) to the row in the concatenated file."""
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    index = np.asarray(index, dtype=np.int64)
    return offsets[index // STRIDE] + index % STRIDE


def _assert_same(lazy_frame, expected, sizes):
    got = lazy_frame.copy()
    got.index = pd.Index(_lazy_to_concatenated(got.index, sizes), name="row")
    got.attrs, expected = {}, expected.copy()
    expected.attrs = {}
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.fixture(scope="module")
def acled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("acled")
    files, whole, sizes = _split_acled(folder, 3, seed=20)
    return folder, files, whole, sizes


def test_glob_equals_the_in_memory_reader_on_the_concatenation(acled):
    folder, files, whole, sizes = acled
    read = bsdask.read_acled(str(folder / "acled_*.csv"))
    expected_events, expected_rejects = bsio.read_acled(whole)
    assert read.events.npartitions == 3
    assert isinstance(read.events, dask_geopandas.GeoDataFrame)
    assert read.events.crs == expected_events.crs
    assert read.events.known_divisions
    # the lazy schema is the in-memory one, before anything is computed
    assert list(read.events._meta.columns) == list(expected_events.columns)
    assert read.events._meta.dtypes.equals(expected_events.dtypes)
    assert read.rejects._meta.dtypes.equals(expected_rejects.dtypes)
    events, rejects, provenance = dask.compute(read.events, read.rejects, read.provenance)
    _assert_same(events, expected_events, sizes)
    _assert_same(rejects, expected_rejects, sizes)
    assert len(rejects) == 3
    assert events.index.is_unique
    assert events.index.is_monotonic_increasing
    assert provenance["file"].tolist() == [f.name for f in files]
    assert provenance["records"].sum() == sum(sizes)
    assert provenance["rejected"].tolist() == [1, 1, 1]
    in_memory = bsio.read_acled(files[0]).events.attrs
    assert list(provenance["notes"].iloc[0]) == in_memory["notes"]
    assert provenance["layout"].iloc[0] == in_memory["provenance"][0]["layout"]
    assert read.pieces["path"].tolist() == [str(f) for f in files]
    # a list of paths and the folder give the same
    listed, _ = bsdask.read_acled(files)
    assert listed.npartitions == 3


def test_zip_members_and_member_glob(acled, tmp_path):
    _, files, whole, sizes = acled
    archive = tmp_path / "acled.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.write(f, f"export/{f.name}")
        z.writestr("export/README.md", "not a table")
    read = bsdask.read_acled(archive)
    assert read.pieces["member"].tolist() == [f"export/{f.name}" for f in files]
    events, rejects = dask.compute(read.events, read.rejects)
    expected_events, expected_rejects = bsio.read_acled(whole)
    _assert_same(events, expected_events, sizes)
    _assert_same(rejects, expected_rejects, sizes)
    only = bsdask.read_acled(archive, member="export/acled_1.*")
    assert only.events.npartitions == 1
    assert only.events.compute()["source_event_id"].str.endswith("-1").all()
    with pytest.raises(DataFileError, match="no member matching"):
        bsdask.read_acled(archive, member="nothing*")


def test_ucdp_and_gdelt_files(tmp_path):
    header, rows = _rows("ucdp_ged_am_az.csv")
    a = _write(tmp_path / "a.csv", header, rows[:4])
    b = _write(tmp_path / "b.csv", header, rows[4:])
    whole = _write(tmp_path / "whole.txt", header, rows)
    events, rejects = dask.compute(*bsdask.read_ucdp_ged([a, b]))
    expected = bsio.read_ucdp_ged(whole)
    _assert_same(events, expected.events, [4, len(rows) - 4])
    _assert_same(rejects, expected.rejects, [4, len(rows) - 4])

    gdelt = (DATA / "gdelt_v2_am_az.export.CSV").read_bytes().splitlines(keepends=True)
    (tmp_path / "two.export.CSV").write_bytes(b"".join(gdelt[:2]))
    tiny = bsdask.read_gdelt_events(tmp_path / "two.export.CSV", blocksize=150).events
    assert tiny.npartitions > 3
    pd.testing.assert_frame_equal(
        _unindexed(tiny.compute()),
        _unindexed(bsio.read_gdelt_events(tmp_path / "two.export.CSV").events),
    )
    lines = (DATA / "gdelt_v2_am_az.export.CSV").read_bytes().splitlines(keepends=True)
    (tmp_path / "g0.export.CSV").write_bytes(b"".join(lines[:5]))
    (tmp_path / "g1.export.CSV").write_bytes(b"".join(lines[5:]))
    events, rejects = dask.compute(*bsdask.read_gdelt_events(str(tmp_path / "g*.export.CSV")))
    expected = bsio.read_gdelt_events(DATA / "gdelt_v2_am_az.export.CSV")
    _assert_same(events, expected.events, [5, len(lines) - 5])
    _assert_same(rejects, expected.rejects, [5, len(lines) - 5])


def _unindexed(frame):
    return frame.reset_index(drop=True)


def test_blocks_equal_the_unsplit_file(acled, tmp_path):
    _, _, whole, _ = acled
    expected_events, expected_rejects = bsio.read_acled(whole)
    size = whole.stat().st_size
    read = bsdask.read_acled(whole, blocksize=size // 5 + 1)
    assert read.events.npartitions == 5
    events, rejects = dask.compute(read.events, read.rejects)
    pd.testing.assert_frame_equal(_unindexed(events), _unindexed(expected_events))
    pd.testing.assert_frame_equal(_unindexed(rejects), _unindexed(expected_rejects))
    assert events.index.is_unique
    # blocks smaller than a line: empty blocks give empty partitions, nothing lost or doubled
    header, rows = _rows("acled_am_az_2023.csv")
    small = _write(tmp_path / "small.csv", header, rows[:2])
    events = bsdask.read_acled(small, blocksize=300).events
    assert events.npartitions > 3
    pd.testing.assert_frame_equal(
        _unindexed(events.compute()), _unindexed(bsio.read_acled(small).events)
    )

    gdelt = (DATA / "gdelt_v2_am_az.export.CSV").read_bytes().splitlines(keepends=True)
    (tmp_path / "two.export.CSV").write_bytes(b"".join(gdelt[:2]))
    tiny = bsdask.read_gdelt_events(tmp_path / "two.export.CSV", blocksize=150).events
    assert tiny.npartitions > 3
    pd.testing.assert_frame_equal(
        _unindexed(tiny.compute()),
        _unindexed(bsio.read_gdelt_events(tmp_path / "two.export.CSV").events),
    )
    lines = (DATA / "gdelt_v2_am_az.export.CSV").read_bytes()
    events = bsdask.read_gdelt_events(DATA / "gdelt_v2_am_az.export.CSV", blocksize=len(lines) // 3)
    got = events.events.compute()
    expected = bsio.read_gdelt_events(DATA / "gdelt_v2_am_az.export.CSV").events
    assert events.events.npartitions >= 3
    pd.testing.assert_frame_equal(_unindexed(got), _unindexed(expected))


def test_quoted_line_break_across_a_block_edge_is_an_error(tmp_path):
    header, rows = _rows("acled_am_az_2023.csv")
    notes = header.index("notes")
    rows[3][notes] = "first line of the note\nsecond line of the note"
    path = _write(tmp_path / "broken.csv", header, rows)
    data = path.read_bytes()
    inside = data.index(b"\nsecond line")  # the line break inside the quoted notes
    expected = bsio.read_acled(path).events
    # an edge inside the quoted field: refused when computed, never mis-parsed
    read = bsdask.read_acled(path, blocksize=inside)
    with pytest.raises(DataFileError, match="quoted field holding a line break"):
        read.events.compute()
    # the partition after the cut is refused on its own too (every block before it is counted)
    with pytest.raises(DataFileError, match="block 0"):
        read.events.partitions[1].compute()
    # edges elsewhere: the quoted line break is read as in memory
    read = bsdask.read_acled(path, blocksize=inside - 400)
    pd.testing.assert_frame_equal(_unindexed(read.events.compute()), _unindexed(expected))


def test_geoparquet_round_trip_and_manifest(acled, tmp_path):
    _, files, whole, sizes = acled
    read = bsdask.read_acled(files)
    out = bsdask.to_parquet(
        read.events, tmp_path / "events", inputs=files, parameters={"reader": "read_acled"}
    )
    parts = sorted(out.glob("part.*.parquet"))
    assert [p.name for p in parts] == [f"part.{i}.parquet" for i in range(3)]
    # the manifest: every file written, with the sha256 hashlib computes
    manifest = json.loads((out / "_manifest.json").read_text())
    assert [o["path"] for o in manifest["outputs"]] == [p.name for p in parts]
    for entry in manifest["outputs"]:
        assert entry["sha256"] == hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest()
    assert [i["sha256"] for i in manifest["inputs"]] == [
        hashlib.sha256(f.read_bytes()).hexdigest() for f in files
    ]
    assert manifest["parameters"] == {"reader": "read_acled", "npartitions": 3,
                                      "compression": "snappy"}  # fmt: skip
    expected = bsio.read_acled(whole).events
    # back through dask-geopandas: same values, CRS and index
    back = dask_geopandas.read_parquet(out)
    assert back.crs == expected.crs
    _assert_same(back.compute()[list(expected.columns)], expected, sizes)
    # one part through geopandas' own reader and pyarrow's metadata (GeoParquet 'geo' key)
    part = gpd.read_parquet(parts[1])
    assert part.crs.to_epsg() == 4326
    assert part.index.min() == STRIDE
    assert part.index.name == "row"
    geo = json.loads(pq.read_metadata(parts[1]).metadata[b"geo"])
    assert geo["columns"]["geometry"]["encoding"] == "WKB"
    # and the lazy reader takes the GeoParquet folder back
    again = bsdask.read_acled(out)
    assert again.events.npartitions == 3
    assert again.events.compute().equals(back.compute())
    # a second run replaces the folder borderstrikes wrote
    bsdask.to_parquet(read.events.partitions[0], out, manifest=False)
    assert sorted(p.name for p in out.iterdir()) == [".borderstrikes-output", "part.0.parquet"]


def test_read_strikes_lazily(tmp_path):
    text = "place,lon,lat,date\nJermuk,45.67,39.84,2022-09-13\nSotk,45.87,40.20,2022-09-14\n"
    (tmp_path / "a.csv").write_text(text)
    (tmp_path / "b.csv").write_text(text.replace("Jermuk", "Goris"))
    lazy = bsdask.read_strikes(tmp_path)
    got = lazy.compute()
    expected = pd.concat([bsio.read_strikes(tmp_path / n) for n in ("a.csv", "b.csv")])
    assert got["place"].tolist() == expected["place"].tolist()
    assert got.dtypes.equals(expected.dtypes)
    assert got.crs == expected.crs
    assert got.index.tolist() == [0, 1, STRIDE, STRIDE + 1]


def test_call_time_and_compute_time_errors(acled, tmp_path):
    _, files, _, _ = acled
    with pytest.raises(DataFileError, match="no such file"):
        bsdask.read_acled(tmp_path / "missing.csv")
    with pytest.raises(DataFileError, match="no file matches"):
        bsdask.read_acled(str(tmp_path / "*.csv"))
    with pytest.raises(ValueError, match="blocksize must be"):
        bsdask.read_acled(files[0], blocksize=0)
    gz = tmp_path / "a.csv.gz"
    import gzip

    gz.write_bytes(gzip.compress(files[0].read_bytes()))
    with pytest.raises(DataFileError, match="compressed"):
        bsdask.read_acled(gz, blocksize=1000)
    # a later file of another layout: named when computed
    header, rows = _rows("acled_am_az_pre2023.csv")
    other = _write(tmp_path / "old.csv", header, rows)
    read = bsdask.read_acled([files[0], other])
    with pytest.raises(DataFileError, match=r"old\.csv: its columns differ"):
        read.events.compute()
    with pytest.raises(TypeError, match="must be a dask DataFrame"):
        bsdask.to_parquet(bsio.read_acled(files[0]).events, tmp_path / "x")


def test_progress_with_a_distributed_client(acled):
    from distributed import Client, LocalCluster

    _, files, _, _ = acled
    out = io.StringIO()
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
        as cluster,
        Client(cluster),
    ):
        (events,) = bsdask.compute(bsdask.read_acled(files).events, progress=True, out=out)
    assert len(events) == 3 * 9 - 3
    assert "100% Completed" in out.getvalue()


def test_cli_distances_lazy_with_progress(acled, tmp_path, capsys):
    folder, _, whole, sizes = acled
    out = tmp_path / "distances"
    code = main([
        "distances", "--events", str(folder / "acled_*.csv"), "--format", "acled",
        "--lazy", "--progress", "-o", str(out),
    ])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "100% Completed" in err
    table = dask_geopandas.read_parquet(out).compute()
    expected_events = bsio.read_acled(whole).events
    expected = distance_to_border(expected_events)  # in memory
    got = table.copy()
    got.index = pd.Index(_lazy_to_concatenated(got.index, sizes), name="row")
    text = [c for c in expected.columns if expected[c].dtype == object]  # Parquet: strings
    expected = expected.astype(dict.fromkeys(text, got["report_id"].dtype))
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert len(manifest["inputs"]) == 3
    assert "_rejects.csv" in [o["path"] for o in manifest["outputs"]]
    rejected = pd.read_csv(out / "_rejects.csv", dtype=str)
    assert len(rejected) == 3
    assert rejected["reason"].str.contains("'east'").all()
    # without --progress: quiet
    main([
        "distances", "--events", str(folder / "acled_*.csv"), "--format", "acled", "--lazy",
        "-o", str(tmp_path / "quiet"),
    ])  # fmt: skip
    assert "Completed" not in capsys.readouterr().err
    assert main(["distances", "--progress"]) == 1
    assert "go with --lazy" in capsys.readouterr().err
    assert main(["distances", "--lazy"]) == 1
    assert "needs --events" in capsys.readouterr().err
