"""Benchmark: dask inputs on a LocalCluster against the in-memory functions.

Runs, on seeded events uniform in lon 43.4-47.0, lat 38.8-41.4 generated on
the workers (the same coordinates are fetched for the in-memory run):

- ``distance_to_border`` of ``--n`` events;
- ``cluster_strikes`` (eps 0.7 km, min_samples 4) of ``--cluster-n`` events, in
  memory and tiled on the cluster;

on a ``LocalCluster`` of ``--workers`` worker processes with one thread each,
on 127.0.0.1. Each dask result is checked to be identical to the in-memory one.
Wall times are the median of ``--repeats`` runs.

Usage::

    python benchmarks/bench_distributed.py                 # 1e6 events, 2 workers
    python benchmarks/bench_distributed.py --n 2e5 --workers 1
"""

from __future__ import annotations

import argparse
import statistics
import time

import dask.array as da
import dask.dataframe as dd
import dask_geopandas
import geopandas as gpd
import numpy as np
from distributed import Client, LocalCluster

import borderstrikes as bs


def events(n: int, npartitions: int, seed: int) -> tuple[gpd.GeoDataFrame, object]:
    rng = da.random.default_rng(seed)
    chunks = -(-n // npartitions)
    xy = da.stack(
        [rng.uniform(43.4, 47.0, n, chunks=chunks), rng.uniform(38.8, 41.4, n, chunks=chunks)],
        axis=1,
    )
    frame = dd.from_dask_array(xy, columns=["lon", "lat"])
    lazy = dask_geopandas.from_dask_dataframe(
        frame, geometry=dask_geopandas.points_from_xy(frame, "lon", "lat")
    ).set_crs(4326)
    local = frame.compute()
    points = gpd.GeoDataFrame(
        local, geometry=gpd.points_from_xy(local["lon"], local["lat"]), crs=4326
    )
    return points, lazy


def timed(func, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=1e6)
    parser.add_argument("--cluster-n", type=float, default=2e5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: never collide with a running cluster
        ) as cluster,
        Client(cluster),
    ):
        points, lazy = events(int(args.n), args.partitions, seed=0)
        bs.distance_to_border(points.iloc[:10])  # index and countries built once, as on workers
        memory, expected = timed(lambda: bs.distance_to_border(points), args.repeats)
        dask_time, got = timed(lambda: bs.distance_to_border(lazy).compute(), args.repeats)
        same = got.equals(expected)
        print(f"distance_to_border, {int(args.n)} events, {args.partitions} partitions")
        print(
            f"  in memory: {memory:.2f} s; LocalCluster ({args.workers} workers): "
            f"{dask_time:.2f} s; identical: {same}"
        )

        points, lazy = events(int(args.cluster_n), args.partitions, seed=1)
        memory, expected = timed(
            lambda: bs.cluster_strikes(points, eps_km=0.7, min_samples=4), args.repeats
        )
        dask_time, got = timed(
            lambda: bs.cluster_strikes(lazy, eps_km=0.7, min_samples=4).compute(), args.repeats
        )
        print(f"cluster_strikes, {int(args.cluster_n)} events, eps 0.7 km, min_samples 4")
        clusters = int(np.max(expected)) + 1
        print(
            f"  in memory: {memory:.2f} s; tiled on the LocalCluster: {dask_time:.2f} s; "
            f"identical: {got.equals(expected)}; clusters: {clusters}"
        )


if __name__ == "__main__":
    main()
