"""Benchmark the lazy readers on a LocalCluster against the in-memory reader on the same files.

``--files`` seeded GDELT 2.0-like files of ``--rows / --files`` records each
(``bench_readers.make_file``: the fixture's rows with new ids, unique across
the files, dates and coordinates, one record in a thousand broken) are written under ``--scratch``
(never into the repository), then read three ways, each in a fresh process:

- ``in-memory``: :func:`borderstrikes.io.read_gdelt_events` on each file in
  turn, the results kept (a table of every event, as one process holds it);
- ``lazy count``: :func:`borderstrikes.dask.read_gdelt_events` on the glob, on a
  ``LocalCluster`` of ``--workers`` worker processes with one thread each;
  computes the number of events and of rejects (every piece read, nothing
  gathered);
- ``lazy blocks``: the 8 files concatenated into one file (under ``--scratch``),
  read with ``blocksize=`` its size / ``--files`` (one partition per block),
  counted as above;
- ``lazy to_parquet``: the same read written by
  :func:`borderstrikes.dask.to_parquet` (partitioned GeoParquet, rejects and
  manifest) into ``--scratch``.

Every run first reads the small fixture (imports, the shipped admin-1 units,
thread pools warmed; on the cluster, on every worker). Peak memory is
``ru_maxrss`` of the process (each worker's, for the cluster), with the RSS
after the warm-up, and CPU seconds (user + system, ``getrusage``) used during
the run by every process (the driver's own, for the cluster runs, is not
counted): unlike the wall time, it does not depend on what else the shared
machine runs. The load average is printed before and after.

Usage::

    python benchmarks/bench_lazy_io.py --rows 2e6 --files 8
    python benchmarks/bench_lazy_io.py --rows 2e5 --files 4   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "data" / "events" / "gdelt_v2_am_az.export.CSV"


def _rss() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _memory() -> dict:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"rss": _rss(), "peak": _peak(), "cpu": usage.ru_utime + usage.ru_stime}


def make_files(folder: Path, rows: int, files: int, seed: int) -> list[Path]:
    """Write ``files`` GDELT-like files of ``rows // files`` records (reused if present)."""
    sys.path.insert(0, str(HERE))
    from bench_readers import make_file

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(files):
        target = folder / f"gdelt_{rows}_{k:02d}.export.CSV"
        if not target.exists():
            tmp = folder / f"tmp_{k}"
            tmp.mkdir(exist_ok=True)
            made = make_file("gdelt", rows // files, tmp, seed=seed + k)
            with made.open("rb") as source, target.open("wb") as sink:  # ids unique across files
                for line in source:
                    first, rest = line.split(b"\t", 1)
                    sink.write(b"%d\t" % (int(first) + k * rows) + rest)
            made.unlink()
            tmp.rmdir()
        out.append(target)
    return out


def in_memory(paths: list[str]) -> dict:
    import borderstrikes.io as bsio

    bsio.read_gdelt_events(FIXTURE)
    before = _memory()
    start = time.perf_counter()
    kept = [bsio.read_gdelt_events(p) for p in paths]
    seconds = time.perf_counter() - start
    events = sum(len(e) for e, _ in kept)
    rejects = sum(len(r) for _, r in kept)
    return {"seconds": seconds, "events": events, "rejects": rejects, "pieces": len(paths),
            "before": [before], "after": [_memory()]}  # fmt: skip


def lazy(pattern: str, workers: int, mode: str, out: str, blocksize: int | None = None) -> dict:
    import dask
    from distributed import Client, LocalCluster

    import borderstrikes.dask as bsdask

    # as in bench_distributed.py: drop distributed's MALLOC_TRIM_THRESHOLD_ on the workers
    # (it made the same partition 15-25% slower there than in a plain process)
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ": environ}),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        warm = bsdask.read_gdelt_events(FIXTURE)
        dask.compute(warm.events.map_partitions(len).sum())
        client.run(lambda: __import__("borderstrikes.io").io.read_gdelt_events(FIXTURE) and None)
        before = list(client.run(_memory).values())
        start = time.perf_counter()
        read = bsdask.read_gdelt_events(pattern, blocksize=blocksize)
        if mode in ("count", "blocks"):
            events, rejects = dask.compute(
                read.events.map_partitions(len).sum(), read.rejects.map_partitions(len).sum()
            )
        else:
            bsdask.to_parquet(read.events, out, rejects=read.rejects, force=True)
            events = rejects = None
        seconds = time.perf_counter() - start
        after = list(client.run(_memory).values())
    if events is None:
        import dask_geopandas
        import pandas as pd

        events = len(dask_geopandas.read_parquet(out).index)
        rejects = len(pd.read_csv(Path(out) / "_rejects.csv", usecols=[0]))
    return {"seconds": seconds, "events": int(events), "rejects": int(rejects),
            "before": before, "after": after, "pieces": len(read.pieces)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=2e6)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scratch", default="/work/scratch/P/lazy_io")
    parser.add_argument(
        "--runs",
        nargs="+",
        default=["in-memory", "lazy count", "lazy blocks", "lazy to_parquet"],
        choices=["in-memory", "lazy count", "lazy blocks", "lazy to_parquet"],
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        if kind == "in-memory":
            result = in_memory(rest)
        else:
            blocksize = int(rest[3]) if len(rest) > 3 else None
            result = lazy(rest[0], int(rest[1]), kind.split()[-1], rest[2], blocksize)
        print(json.dumps(result))
        return 0
    rows = int(args.rows)
    scratch = Path(args.scratch)
    start = time.perf_counter()
    paths = make_files(scratch / "input", rows, args.files, args.seed)
    made = time.perf_counter() - start
    size = sum(p.stat().st_size for p in paths) / 1e6
    load = os.getloadavg()
    print(
        f"# bench_lazy_io: {rows:,} GDELT-like rows in {args.files} files ({size:,.0f} MB; "
        f"made or found in {made:.0f} s), {args.workers} workers x 1 thread, {os.cpu_count()} "
        f"CPUs; load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print()
    print(
        "| run | pieces | events | rejects | s | rows/s | CPU s (all processes) | "
        "peak RSS per process MB | RSS after warm-up MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for run in args.runs:
        if run == "in-memory":
            extra = [str(p) for p in paths]
        elif run == "lazy blocks":
            whole = scratch / f"whole_{rows}.export.CSV"
            if not whole.exists():
                with whole.open("wb") as sink:
                    for p in paths:
                        with p.open("rb") as source:
                            shutil.copyfileobj(source, sink)
            blocksize = -(-whole.stat().st_size // args.files)
            extra = [str(whole), str(args.workers), str(scratch / "output"), str(blocksize)]
        else:
            extra = [str(scratch / "input" / f"gdelt_{rows}_*.export.CSV"), str(args.workers),
                     str(scratch / "output")]  # fmt: skip
        out = subprocess.run(
            [sys.executable, __file__, "--worker", run, *extra],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        total = r["events"] + r["rejects"]
        peaks = " / ".join(f"{m['peak'] / 1e6:,.0f}" for m in r["after"])
        warm = " / ".join(f"{m['rss'] / 1e6:,.0f}" for m in r["before"])
        cpu = sum(a["cpu"] - b["cpu"] for a, b in zip(r["after"], r["before"], strict=True))
        print(
            f"| {run} | {r.get('pieces', 1)} | {r['events']:,} | {r['rejects']:,} | "
            f"{r['seconds']:.1f} | {total / r['seconds']:,.0f} | {cpu:.1f} | {peaks} | {warm} |"
        )
    load = os.getloadavg()
    print()
    print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
