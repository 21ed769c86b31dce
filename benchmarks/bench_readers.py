"""Benchmark the event readers against ``pandas.read_csv`` of the same file.

For each format (ACLED, UCDP GED, GDELT 2.0) the script writes one seeded
synthetic file of ``--rows`` records into a temporary folder (never into the
repository): the rows of the hand-made fixtures in ``tests/data/events``,
repeated with new ids, dates spread over 2020-2023 and coordinates moved by
one of 2,000 seeded offsets (sd 0.05 degrees), so that, as in real exports,
many events share a place (at most 2,000 x the fixture's places distinct
points), with one record in a thousand broken (a bad date, an empty
latitude) so the rejects path runs too.

Every (format, method) runs in a fresh worker process, so imports and the
allocator's state of one run do not leak into the next. The worker first
makes the same call on the format's small fixture (imports, the shipped
admin-1 units, thread pools and compiled kernels warmed, as in a session),
records its resident memory (RSS), then times one call:

- ``reader``: ``read_acled`` / ``read_ucdp_ged`` / ``read_gdelt_events``
  (``keep_raw=True``, the default);
- ``reader-noraw``: the same with ``keep_raw=False``;
- ``reader-chunked``: the same as ``reader`` with ``chunksize=`` (``--chunksize``,
  default a tenth of the rows), each chunk measured and dropped before the next;
- ``pandas``: ``pandas.read_csv(path, dtype=str, keep_default_na=False)``
  (tab-separated, no header for GDELT): pandas' own read of the same file.

Peak memory is the worker's peak RSS (``VmHWM`` in ``/proc/self/status``)
minus its RSS before the call: what the call added at its peak. "table MB"
is ``memory_usage(deep=True)`` of what the call returned (events plus
rejects; for ``reader-chunked``, summed over the chunks, i.e. the table one
read would return), and "peak / table" their ratio: for a
chunked read it falls as the file grows (``--rows 1e6``), since only one
chunk is held at a time. The load average (``os.getloadavg``) is printed
before and after: the machine is shared. "CPU s" is the call's
``time.process_time`` (all its threads): the work done, which load inflates
less than it does the wall-clock seconds.

Usage::

    python benchmarks/bench_readers.py                 # 2e5 rows per format
    python benchmarks/bench_readers.py --rows 20000    # quick
    python benchmarks/bench_readers.py --rows 1e6 --methods reader-chunked \\
        --folder /work/scratch/D                       # a file larger than one chunk
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "events"
FORMATS = {
    "acled": ("read_acled", "acled_am_az_2023.csv"),
    "ucdp": ("read_ucdp_ged", "ucdp_ged_am_az.csv"),
    "gdelt": ("read_gdelt_events", "gdelt_v2_am_az.export.CSV"),
}
METHODS = ("pandas", "reader", "reader-noraw", "reader-chunked")


def _dates(rng: np.random.Generator, n: int) -> np.ndarray:
    start = np.datetime64("2020-01-01")
    return start + rng.integers(0, 4 * 365, n).astype("timedelta64[D]")


def _offsets(rng: np.random.Generator, n: int, places: int = 2000) -> tuple:
    pool = rng.normal(0, 0.05, (places, 2))
    pick = rng.integers(0, places, n)
    return pool[pick, 0], pool[pick, 1]


def make_file(fmt: str, n: int, folder: Path, seed: int = 0) -> Path:
    """Write ``n`` synthetic records of format ``fmt`` into ``folder``; return the path."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    template = FIXTURES / FORMATS[fmt][1]
    pick = None
    if fmt == "gdelt":
        lines = template.read_text(encoding="utf-8").splitlines()
        fields = [line.split("\t") for line in lines]
        fields = [f for f in fields if f[56]]  # those with a place
        table = pd.DataFrame(fields)
        pick = rng.integers(0, len(table), n)
        out = table.iloc[pick].reset_index(drop=True)
        days = _dates(rng, n)
        out[0] = (1_100_000_000 + np.arange(n)).astype(str)
        out[1] = pd.Series(days).dt.strftime("%Y%m%d")
        dlon, dlat = _offsets(rng, n)
        lat = out[56].astype(float) + dlat
        lon = out[57].astype(float) + dlon
        out[56], out[57] = lat.round(4).astype(str), lon.round(4).astype(str)
        broken = np.flatnonzero(rng.random(n) < 0.001)
        out.loc[broken, 1] = "2022-13-45"
        path = folder / "bench.export.CSV"
        out.to_csv(path, sep="\t", header=False, index=False)
        return path
    table = pd.read_csv(template, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pick = rng.integers(0, len(table), n)
    out = table.iloc[pick].reset_index(drop=True)
    days = pd.Series(_dates(rng, n))
    dlon, dlat = _offsets(rng, n)
    lat = out["latitude"].astype(float) + dlat
    lon = out["longitude"].astype(float) + dlon
    out["latitude"], out["longitude"] = lat.round(4).astype(str), lon.round(4).astype(str)
    broken = np.flatnonzero(rng.random(n) < 0.001)
    if fmt == "acled":
        out["event_id_cnty"] = "ARM" + pd.Series(np.arange(n) + 10_000).astype(str)
        out["event_date"] = days.dt.strftime("%Y-%m-%d")
        out["year"] = days.dt.year.astype(str)
        out.loc[broken, "latitude"] = ""
    else:
        out["id"] = pd.Series(np.arange(n) + 500_000).astype(str)
        span = pd.to_timedelta(rng.integers(0, 3, n), unit="D")
        out["date_start"] = days.dt.strftime("%Y-%m-%d 00:00:00.000")
        out["date_end"] = (days + span).dt.strftime("%Y-%m-%d 00:00:00.000")
        out.loc[broken, "date_start"] = "not a date"
    path = folder / f"bench_{fmt}.csv"
    out.to_csv(path, index=False)
    return path


def _rss_bytes() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    """This process's peak RSS: ``VmHWM``, the high-water mark of its own address space.

    Not ``getrusage``'s ``ru_maxrss``: on Linux that keeps, across ``exec``,
    the peak of the address space ``fork`` copied from the parent -- the
    parent's RSS, which holds the file it has just generated.
    """
    with open("/proc/self/status") as file:
        for line in file:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # pragma: no cover


def worker(fmt: str, method: str, path: str, chunksize: str = "0") -> dict:
    """Time one read in this process; return seconds, rows and memory."""
    import pandas as pd

    import borderstrikes.io as readers

    def size(*parts: pd.DataFrame) -> int:
        return sum(int(p.memory_usage(deep=True).sum()) for p in parts)

    def call(source: str | Path) -> tuple[int, int]:
        if method == "pandas":
            if fmt == "gdelt":
                result = pd.read_csv(
                    source, sep="\t", header=None, dtype=str, keep_default_na=False, quoting=3
                )
            else:
                result = pd.read_csv(source, dtype=str, keep_default_na=False)
            return len(result), size(result)
        reader = getattr(readers, FORMATS[fmt][0])
        if method == "reader-chunked":
            rows = table = 0
            for events, rejects in reader(source, chunksize=int(chunksize)):
                rows += len(events) + len(rejects)
                table += size(events, rejects)
                del events, rejects
            return rows, table
        events, rejects = reader(source, keep_raw=method == "reader")
        return len(events) + len(rejects), size(events, rejects)

    # warm up as a session would be: imports, the shipped admin-1 units, thread pools and
    # compiled kernels, by the same call on the format's small fixture
    call(FIXTURES / FORMATS[fmt][1])
    before = _rss_bytes()
    start, cpu = time.perf_counter(), time.process_time()
    rows, table = call(path)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak = _peak_rss_bytes()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": rows,
        "peak_added": max(peak - before, 0),
        "table": table,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=2e5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--chunksize", type=float, default=None, help="default: rows / 10")
    parser.add_argument("--folder", default=None, help="where the files go (default: a temp dir)")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    n = int(args.rows)
    chunksize = int(args.chunksize or max(n // 10, 1))
    load_before = os.getloadavg()
    print(
        f"# bench_readers: {n} rows per format, chunksize {chunksize}, seed {args.seed}; "
        f"{platform.processor() or ''} "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}"
    )
    print()
    print(
        "| format | method | file MB | rows | s | rows/s | CPU s | peak added MB | table MB | "
        "peak / table |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        for fmt in args.formats:
            path = make_file(fmt, n, Path(tmp), seed=args.seed)
            size = path.stat().st_size / 1e6
            for method in args.methods:
                out = subprocess.run(
                    [sys.executable, __file__, "--worker", fmt, method, str(path), str(chunksize)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(
                    f"| {fmt} | {method} | {size:.1f} | {r['rows']} | {r['seconds']:.2f} | "
                    f"{r['rows'] / r['seconds']:,.0f} | {r['cpu']:.2f} | "
                    f"{r['peak_added'] / 1e6:.0f} | "
                    f"{r['table'] / 1e6:.0f} | {r['peak_added'] / max(r['table'], 1):.2f} |",
                    flush=True,
                )
    load_after = os.getloadavg()
    print()
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
