"""Benchmark: borderstrikes on a dask cluster against one in-memory process, from files on disk.

The realistic pipeline of a user whose events outgrow one process: seeded
events (uniform in lon 43.4-47.0, lat 38.8-41.4) are written once, by the
workers, as a partitioned GeoParquet dataset under ``--scratch`` (one file of
``--rows-per-file`` events each; never in the repository). Then, for each
size:

- **cluster**: ``dask_geopandas.read_parquet`` of the folder on a
  ``LocalCluster`` of ``--workers`` single-threaded worker processes on
  127.0.0.1 (``--memory-limit`` each), :func:`borderstrikes.distance_to_border`
  of the lazy frame, and per partition, on the workers, the counts per side
  and distance band plus a SHA-256 of the partition's result; only those
  small tables reach the driver;
- **in memory**: this process (while the cluster idles) reads the same folder with
  ``geopandas.read_parquet``, calls :func:`borderstrikes.distance_to_border`
  once (single-threaded) and counts the same table; at the out-of-core size,
  where one frame would not fit in the memory limit, the one process streams
  the files one at a time through the same in-memory function instead.

With ``--repeats``, cluster and in-memory runs alternate and each keeps its
fastest. The results must be bitwise identical: the SHA-256 of every partition's
result (all columns) is compared with the SHA-256 of the same rows of the
in-memory result, and the counts must be equal. The default border's index is
built on every worker before timing (as it is in the driver), and the number
of builds per worker is printed. Peak memory is the resident set size sampled
every 50 ms on every worker (and in the driver for the in-memory run).

``--cluster-n`` events (seed 1; 80% within about 1 km of 500 places, 20%
uniform), made on the workers, are then clustered with
:func:`borderstrikes.cluster_strikes` (eps 0.3 km, min_samples 5) in memory
and tiled on the cluster (default tiles), and the labels compared.

Usage::

    python benchmarks/bench_distributed.py                        # 1e6, 1e7, 1e8 out of core
    python benchmarks/bench_distributed.py --sizes 1e6 --out-of-core 0 --cluster-n 2e5
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import shutil
import threading
import time
from pathlib import Path

import dask
import dask.dataframe as dd
import dask_geopandas
import geopandas as gpd
import numpy as np
import pandas as pd
import psutil
from distributed import Client, LocalCluster, wait
from threadpoolctl import threadpool_limits

import borderstrikes as bs
from borderstrikes import border as border_module

BANDS_KM = np.array([5.0, 10.0, 20.0, 50.0])  # bands 0-5, 5-10, 10-20, 20-50, >= 50 km
BAND_NAMES = np.array(["0-5", "5-10", "10-20", "20-50", "50+", "none"], dtype=object)
BOX = (43.4, 38.8, 47.0, 41.4)
CLUSTER_EPS_KM = 0.3
CLUSTER_MIN_SAMPLES = 5


# ---------------------------------------------------------------------------
# the dataset, written by the workers


def make_points(i: int, rows: int, seed: int) -> gpd.GeoDataFrame:
    """Events of file ``i``: a stream of their own, indexed by global row number."""
    rng = np.random.default_rng([seed, i])
    lon = rng.uniform(BOX[0], BOX[2], rows)
    lat = rng.uniform(BOX[1], BOX[3], rows)
    index = pd.Index(np.arange(i * rows, (i + 1) * rows), name="row")  # a column in the file
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326, index=index)


def make_events(i: int, rows: int, seed: int) -> gpd.GeoDataFrame:
    """Events of partition ``i`` for clustering: 80% about 500 places (sd 0.01°), 20% uniform."""
    places = np.random.default_rng(seed).uniform(BOX[:2], BOX[2:], (500, 2))
    rng = np.random.default_rng([seed, i])
    at = places[rng.integers(0, len(places), rows)] + rng.normal(0, 0.01, (rows, 2))
    noise = rng.random(rows) < 0.2
    at[noise] = rng.uniform(BOX[:2], BOX[2:], (int(noise.sum()), 2))
    index = pd.Index(np.arange(i * rows, (i + 1) * rows), name="row")
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(at[:, 0], at[:, 1]), crs=4326, index=index)


def write_file(i: int, rows: int, seed: int, folder: str) -> int:
    make_points(i, rows, seed).to_parquet(Path(folder) / f"part-{i:05d}.parquet", index=True)
    return rows


def dataset(client: Client, root: Path, n: int, rows: int, seed: int) -> tuple[Path, float]:
    """Folder of ``n`` events in files of ``rows``; written once (seconds, 0 if reused)."""
    folder = root / f"events-n{n}-rows{rows}-seed{seed}"
    done = folder / "_COMPLETE.json"
    spec = {"n": n, "rows_per_file": rows, "seed": seed, "box": BOX}
    spec = json.loads(json.dumps(spec))  # as read back (the box a list)
    if done.exists() and json.loads(done.read_text()) == spec:
        return folder, 0.0
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    files = n // rows
    written = client.gather(
        client.map(write_file, range(files), rows=rows, seed=seed, folder=str(folder))
    )
    assert sum(written) == n
    done.write_text(json.dumps(spec))
    return folder, time.perf_counter() - start


def files_of(folder: Path) -> list[Path]:
    return sorted(folder.glob("part-*.parquet"))


# ---------------------------------------------------------------------------
# the reduction: per-side and per-band counts, and a hash of every result


def digest(result: pd.DataFrame) -> str:
    """SHA-256 of a result: index, every float column's bytes, every label."""
    h = hashlib.sha256()
    h.update(result.index.to_numpy(dtype=np.int64).tobytes())
    for name in result.columns:
        h.update(name.encode())
        values = result[name].to_numpy()
        if values.dtype.kind == "f":
            h.update(np.ascontiguousarray(values).tobytes())
        else:
            h.update("\x1f".join("\x00" if v is None else str(v) for v in values).encode())
    return h.hexdigest()


def counts(result: pd.DataFrame) -> pd.Series:
    """Events per side and distance band (the report's per-band table)."""
    dist = result["distance_km"].to_numpy()
    band = np.where(np.isnan(dist), len(BANDS_KM) + 1, np.searchsorted(BANDS_KM, dist, "right"))
    side = result["side"].fillna("none").to_numpy(dtype=object)
    frame = pd.DataFrame({"side": side, "band": BAND_NAMES[band]})
    return frame.groupby(["side", "band"]).size().rename("events")


def summarise(result: pd.DataFrame) -> pd.DataFrame:
    """One partition's counts, with its first and last row and the hash of its result."""
    table = counts(result).reset_index()
    index = result.index.to_numpy()
    table["first"] = int(index[0]) if len(index) else -1
    table["last"] = int(index[-1]) if len(index) else -1
    table["digest"] = digest(result)
    return table


SUMMARY_META = pd.DataFrame(
    {
        "side": pd.Series(dtype=object),
        "band": pd.Series(dtype=object),
        "events": pd.Series(dtype="int64"),
        "first": pd.Series(dtype="int64"),
        "last": pd.Series(dtype="int64"),
        "digest": pd.Series(dtype=object),
    }
)


# ---------------------------------------------------------------------------
# memory: resident set size sampled every 50 ms


class Sampler:
    def __init__(self, interval_s: float = 0.05) -> None:
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self.interval_s = interval_s
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while True:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval_s)

    def take(self) -> int:
        """Peak since the last call; start again from the current size."""
        peak = max(self.peak, self.process.memory_info().rss)
        self.peak = self.process.memory_info().rss
        return peak


def start_sampler(dask_worker) -> None:  # distributed passes the worker
    dask_worker.bench_sampler = Sampler()


def take_peak(dask_worker) -> int:
    return dask_worker.bench_sampler.take()


def warm_up() -> int:
    """Build the default border's index and countries here; return how often it was built.

    Enough points for every compiled or cached path of the search to be loaded.
    """
    bs.distance_to_border(make_points(0, 100_000, 99))
    return border_module._shipped_border.cache_info().misses


# ---------------------------------------------------------------------------
# the runs


def single_threaded() -> dict:
    """Keyword that keeps the in-memory distance on one thread, if it has one."""
    parameters = inspect.signature(bs.distance_to_border).parameters
    return {name: 1 for name in ("threads", "n_threads", "workers") if name in parameters}


def cluster_run(client: Client, folder: Path) -> tuple[float, pd.DataFrame, int]:
    start = time.perf_counter()
    points = dask_geopandas.read_parquet(str(folder / "part-*.parquet"), index="row")
    lazy = bs.distance_to_border(points)
    summary = lazy.map_partitions(summarise, meta=SUMMARY_META).compute()
    return time.perf_counter() - start, summary, points.npartitions


def memory_run(folder: Path, ranges: list[tuple[int, int]]) -> tuple[float, pd.Series, list[str]]:
    keyword = single_threaded()
    start = time.perf_counter()
    points = gpd.read_parquet(folder)
    result = bs.distance_to_border(points, **keyword)
    table = counts(result)
    elapsed = time.perf_counter() - start
    index = result.index.to_numpy()
    hashes = []
    for first, last in ranges:  # untimed: the check
        lo, hi = np.searchsorted(index, [first, last + 1])
        hashes.append(digest(result.iloc[lo:hi]))
    return elapsed, table, hashes


def streaming_run(folder: Path) -> tuple[float, pd.Series, list[str], float]:
    """One process, file by file, through the in-memory function (untimed hashes)."""
    keyword = single_threaded()
    total, hashes, table, hashing = 0.0, [], None, 0.0
    start = time.perf_counter()
    for path in files_of(folder):
        result = bs.distance_to_border(gpd.read_parquet(path), **keyword)
        part = counts(result)
        table = part if table is None else table.add(part, fill_value=0).astype("int64")
        mark = time.perf_counter()
        hashes.append(digest(result))
        hashing += time.perf_counter() - mark
    total = time.perf_counter() - start - hashing
    return total, table, hashes, hashing


def reduce_summary(summary: pd.DataFrame) -> tuple[pd.Series, list[tuple[int, int]], list[str]]:
    table = summary.groupby(["side", "band"])["events"].sum().astype("int64")
    parts = summary.drop_duplicates(["first", "last", "digest"]).sort_values("first")
    ranges = list(zip(parts["first"].astype(int), parts["last"].astype(int), strict=True))
    return table, ranges, list(parts["digest"])


def gb(value: float) -> str:
    return f"{value / 1e9:.2f}"


def distances(client: Client, root: Path, n: int, args, *, streaming: bool) -> dict:
    folder, wrote_s = dataset(client, root, n, args.rows_per_file, seed=0)
    size_gb = sum(p.stat().st_size for p in files_of(folder)) / 1e9
    cluster_times, memory_times, worker_peak, memory_peak = [], [], 0, 0
    driver = Sampler()
    for _ in range(args.repeats):  # alternated, so that both see the same changes of load
        client.run(take_peak)
        cluster_s, summary, npartitions = cluster_run(client, folder)
        worker_peak = max(worker_peak, *client.run(take_peak).values())
        table, ranges, cluster_hashes = reduce_summary(summary)
        driver.take()
        if streaming:
            memory_s, expected, hashes, _ = streaming_run(folder)
        else:
            memory_s, expected, hashes = memory_run(folder, ranges)
        memory_peak = max(memory_peak, driver.take())
        cluster_times.append(cluster_s)
        memory_times.append(memory_s)
    cluster_s, memory_s = min(cluster_times), min(memory_times)
    same_hashes = hashes == cluster_hashes
    same_counts = expected.sort_index().equals(table.sort_index())
    return {
        "n": n,
        "files": len(files_of(folder)),
        "partitions": npartitions,
        "dataset_gb": size_gb,
        "wrote_s": wrote_s,
        "memory_s": memory_s,
        "cluster_s": cluster_s,
        "worker_peak": worker_peak,
        "memory_peak": memory_peak,
        "identical": same_hashes and same_counts,
        "checked": len(hashes),
        "streaming": streaming,
        "table": table,
    }


def clustering(client: Client, n: int, rows: int) -> dict:
    parts = max(n // rows, 1)
    per = n // parts
    local = pd.concat([make_events(i, per, 1) for i in range(parts)])
    lazy = dd.from_map(make_events, range(parts), rows=per, seed=1, meta=local.iloc[:0])
    lazy = lazy.persist()  # made on the workers, as read from files would be
    wait(lazy)
    client.run(take_peak)
    start = time.perf_counter()
    got = bs.cluster_strikes(lazy, eps_km=CLUSTER_EPS_KM, min_samples=CLUSTER_MIN_SAMPLES).compute()
    cluster_s = time.perf_counter() - start
    worker_peak = max(client.run(take_peak).values())
    start = time.perf_counter()
    expected = bs.cluster_strikes(local, eps_km=CLUSTER_EPS_KM, min_samples=CLUSTER_MIN_SAMPLES)
    memory_s = time.perf_counter() - start
    return {
        "n": len(local),
        "memory_s": memory_s,
        "cluster_s": cluster_s,
        "worker_peak": worker_peak,
        "identical": got.equals(expected),
        "clusters": int(expected.max()) + 1,
        "noise": int((expected < 0).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6,1e7", help="comma-separated, read in memory")
    parser.add_argument("--out-of-core", type=float, default=1e8, help="0 to skip")
    parser.add_argument("--cluster-n", type=float, default=1e6, help="0 to skip")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--rows-per-file", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=1, help="best of, alternated")
    parser.add_argument("--scratch", default="/work/scratch/Q/bench_distributed")
    args = parser.parse_args()
    root = Path(args.scratch)
    root.mkdir(parents=True, exist_ok=True)
    # one BLAS/OpenMP thread in this process, as distributed sets for its workers
    threadpool_limits(1)
    print(f"load average at start: {os.getloadavg()}")
    print(f"in-memory keyword for one thread: {single_threaded() or 'none (single-threaded)'}")
    # distributed starts its worker processes with MALLOC_TRIM_THRESHOLD_=65536, which turns
    # off glibc's adaptive mmap threshold: every large numpy temporary is then mapped and
    # faulted in afresh, and the same partition took 15-25% longer on a worker than in this
    # process. Keep the one-thread settings, drop that one.
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ": environ}),
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            memory_limit=args.memory_limit,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(start_sampler)
        builds = client.run(warm_up)
        warm_up()
        print(f"default border index builds per worker after warm-up: {sorted(builds.values())}")
        runs = [
            distances(client, root, int(float(s)), args, streaming=False)
            for s in args.sizes.split(",")
            if s
        ]
        if args.out_of_core:
            runs.append(distances(client, root, int(args.out_of_core), args, streaming=True))
        again = client.run(lambda: border_module._shipped_border.cache_info().misses)
        print(f"default border index builds per worker at the end: {sorted(again.values())}")
        print()
        print(
            "| N | files (partitions) | GeoParquet GB | in memory s | cluster s | speed-up | "
            "cluster events/s | in-memory events/s | peak RSS per worker GB | "
            "in-memory peak RSS GB | identical (partitions checked) |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in runs:
            mode = " (streamed file by file)" if r["streaming"] else ""
            print(
                f"| {r['n']:,} | {r['files']} ({r['partitions']}) | {r['dataset_gb']:.2f} | "
                f"{r['memory_s']:.2f}{mode} | {r['cluster_s']:.2f} | "
                f"{r['memory_s'] / r['cluster_s']:.2f} | {r['n'] / r['cluster_s']:,.0f} | "
                f"{r['n'] / r['memory_s']:,.0f} | {gb(r['worker_peak'])} | "
                f"{gb(r['memory_peak'])} | {r['identical']} ({r['checked']}) |"
            )
        for r in runs:
            if r["wrote_s"]:
                print(f"wrote {r['n']:,} events in {r['wrote_s']:.1f} s")
        if runs:
            print()
            print(runs[-1]["table"].unstack(fill_value=0).to_string())
        if args.cluster_n:
            c = clustering(client, int(args.cluster_n), args.rows_per_file)
            print()
            print(
                f"| cluster_strikes (eps {CLUSTER_EPS_KM} km, min_samples "
                f"{CLUSTER_MIN_SAMPLES}) N | in memory s | cluster s | "
                "speed-up | peak RSS per worker GB | identical | clusters | noise |"
            )
            print("|---:|---:|---:|---:|---:|---|---:|---:|")
            print(
                f"| {c['n']:,} | {c['memory_s']:.2f} | {c['cluster_s']:.2f} | "
                f"{c['memory_s'] / c['cluster_s']:.2f} | {gb(c['worker_peak'])} | "
                f"{c['identical']} | {c['clusters']:,} | {c['noise']:,} |"
            )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
