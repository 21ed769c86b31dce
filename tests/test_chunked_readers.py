"""Chunked reading (issue 15): ``chunksize=`` on every event reader.

The oracle is the reader's own one-shot read of the same file, which the other
reader tests check against hand-made values: the chunks, put together, must be
that read exactly (same rows, index, columns, dtypes and rejects), with every
per-file decision (dialect, encoding, HXL row, day/month order, repeated ids,
GDELT layout) taken once for the whole file (from a first pass over ids and
dates, made in pieces). The memory test checks that a chunked read holds one
chunk at a time (tracemalloc), against the size of the one-shot table; the
full-size measurement is in ``benchmarks/bench_readers.py``.
"""

import gc
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from borderstrikes.errors import DataFileError
from borderstrikes.io import read_acled, read_gdelt_events, read_ucdp_ged, table

DATA = Path(__file__).parent / "data" / "messy_events"
EVENTS = Path(__file__).parent / "data" / "events"
READERS = {"acled": read_acled, "ucdp": read_ucdp_ged, "gdelt": read_gdelt_events}
FILES = sorted(
    p for p in [*DATA.iterdir(), *EVENTS.iterdir()] if p.suffix.lower() in (".csv", ".txt")
)


def reader_of(path):
    return READERS.get(
        path.name.split("_")[0], read_gdelt_events if "export" in path.name else read_acled
    )


def read(path, **options):
    """(result or exception, warning messages) of one call, the chunks gathered."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            result = reader_of(path)(path, **options)
            if options.get("chunksize"):
                result = list(result)
        except DataFileError as exc:
            result = exc
    return result, sorted(str(w.message) for w in seen)


def assert_same(one, chunks):
    events = pd.concat([c.events for c in chunks])
    rejects = pd.concat([c.rejects for c in chunks])
    pd.testing.assert_frame_equal(pd.DataFrame(events), pd.DataFrame(one.events))
    assert events.geometry.equals(one.events.geometry)
    assert events.crs == one.events.crs
    pd.testing.assert_frame_equal(rejects, one.rejects)
    # the notes on the file as a whole are the one read's, in every chunk
    whole = [
        n for n in one.events.attrs["notes"] if "date(s)" in n or "HXL" in n or ": read as " in n
    ]
    for chunk in chunks:
        assert set(whole) <= set(chunk.events.attrs["notes"])


def check_chunks(path, chunksize, **options):
    one, warned = read(path, **options)
    chunks, warned_chunked = read(path, chunksize=chunksize, **options)
    assert warned_chunked == warned  # warned once, as one read warns
    if isinstance(one, Exception):  # refused before the first chunk, with the same words
        assert isinstance(chunks, DataFileError)
        assert str(chunks) == str(one)
        return
    records = len(one.events) + len(one.rejects)
    assert len(chunks) <= max(1, -(-(records + 1) // chunksize))  # +1: an HXL row
    assert all(0 < len(c.events) + len(c.rejects) <= chunksize for c in chunks) or not records
    assert_same(one, chunks)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_chunks_put_together_are_the_one_read(path, monkeypatch):
    # the first pass (ids, dates) in pieces of 2 records, as a big file's is in pieces
    monkeypatch.setattr(table, "_FIRST_PASS_ROWS", 2)
    check_chunks(path, 3)


@pytest.mark.parametrize(
    "name", ["acled_hdx_hxl.csv", "ucdp_ged_bounds_line.csv", "gdelt_adm1_star.export.CSV"]
)
@pytest.mark.parametrize("chunksize", [1, 1000])
def test_chunks_without_raw_columns(name, chunksize):
    check_chunks(DATA / name, chunksize, keep_raw=False)


@pytest.mark.parametrize(
    "options", [{"dayfirst": True}, {"dayfirst": False}, {"date_format": "%m/%d/%Y"}]
)
def test_date_order_options_apply_to_every_chunk(options):
    path = DATA / "acled_ambiguous_dates.csv"
    one, _ = read(path, **options)
    chunks, _ = read(path, chunksize=1, **options)
    assert_same(one, chunks)


def test_day_order_is_decided_from_the_whole_file(tmp_path, monkeypatch):
    """Only the last record tells that the dates are month-first: the first chunk obeys it."""
    lines = (DATA / "acled_ambiguous_dates.csv").read_text(encoding="utf-8").splitlines()
    proof = lines[3].replace("ARM2003", "ARM2004").replace("12/9/2022", "12/31/2022")
    path = tmp_path / "late_proof.csv"
    path.write_text("\n".join([*lines, proof]) + "\n", encoding="utf-8")
    monkeypatch.setattr(table, "_FIRST_PASS_ROWS", 1)  # the proof in the first pass's last piece
    one, _ = read(path)
    assert one.rejects["reason"].str.contains("not in year").sum() == 0
    assert one.events["date"].iloc[0] == pd.Timestamp("2022-09-05")  # 9/5: 5 September
    chunks, _ = read(path, chunksize=1)
    assert chunks[0].events["date"].iloc[0] == pd.Timestamp("2022-09-05")
    assert_same(one, chunks)


def test_repeated_ids_across_chunks_are_rejected_as_in_one_read(tmp_path, monkeypatch):
    monkeypatch.setattr(table, "_FIRST_PASS_ROWS", 2)
    text = (EVENTS / "acled_am_az_2023.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    path = tmp_path / "repeats.csv"
    path.write_text("\n".join([*lines, lines[1], lines[2]]) + "\n", encoding="utf-8")
    one, _ = read(path)
    assert len(one.rejects) == 2
    assert one.rejects["reason"].str.contains("repeats row").all()
    chunks, _ = read(path, chunksize=3)
    assert_same(one, chunks)


def test_ragged_gdelt_is_read_line_by_line_in_chunks(tmp_path):
    lines = (EVENTS / "gdelt_v2_am_az.export.CSV").read_text(encoding="utf-8").splitlines()
    lines.insert(2, "\t".join(lines[2].split("\t")[:40]))  # a cut line
    path = tmp_path / "ragged.export.CSV"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one, _ = read(path)
    assert one.rejects["reason"].str.contains("has 40 tab-separated fields").sum() == 1
    chunks, _ = read(path, chunksize=2)
    assert_same(one, chunks)


def test_bad_chunksize():
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(ValueError, match="chunksize must be"):
            read_acled(EVENTS / "acled_am_az_2023.csv", chunksize=bad)


def test_refusals_come_at_the_call_not_at_the_first_chunk():
    with pytest.raises(DataFileError, match="dayfirst="):
        read_acled(DATA / "acled_ambiguous_dates.csv", chunksize=1)  # no next() needed


def _bench_file(folder, n):
    """An ACLED file of ``n`` records: the 2023 fixture repeated with new ids."""
    table = pd.read_csv(
        EVENTS / "acled_am_az_2023.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    out = table.iloc[np.arange(n) % len(table)].reset_index(drop=True)
    out["event_id_cnty"] = "ARM" + pd.Series(np.arange(n) + 10_000).astype(str)
    path = folder / "big.csv"
    out.to_csv(path, index=False)
    return path


def test_chunked_read_holds_one_chunk_at_a_time(tmp_path):
    n, chunksize = 12_000, 3_000
    path = _bench_file(tmp_path, n)
    read_acled(EVENTS / "acled_am_az_2023.csv")  # warm: the shipped admin-1 units
    gc.collect()
    rows = table = 0
    tracemalloc.start()
    try:
        for events, rejects in read_acled(path, chunksize=chunksize):
            rows += len(events) + len(rejects)
            table += int(events.memory_usage(deep=True).sum())  # the one read's table, summed
            assert len(events) <= chunksize
            del events, rejects
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == n
    # a chunk is 1/4 of the file; what the read holds on the Python side (at most a
    # block of the first pass, some 3 MB, whatever the file's size) stays well under it
    assert peak < table / 4, (peak, table)


def test_a_file_pyarrow_cannot_parse_is_chunked_by_pandas_from_where_it_stopped(tmp_path):
    """A short line (fewer fields than the header) stops pyarrow's stream mid-file."""
    path = _bench_file(tmp_path, 3_000)  # some 1.4 MB: pyarrow streams it in 1 MiB blocks
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2_900] = ",".join(lines[2_900].split(",")[:20])  # pandas pads it; pyarrow refuses it
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one, _ = read(path)
    assert len(one.events) + len(one.rejects) == 3_000
    for chunksize in (1_000, 2_999):  # the stream has given out rows, or none
        chunks, _ = read(path, chunksize=chunksize)
        assert_same(one, chunks)
