"""A real dask cluster: ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1.

The same code a user points at a scheduler on another machine
(``Client("tcp://host:8786")``) runs here against separate processes started
with the dask command-line tools, connected by address, and must give the
in-memory results: distances bit for bit, the DBSCAN labels, and the report's
per-place table built from them.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dask.config as dask_config
import dask_geopandas
import distributed
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import borderstrikes as bs
from borderstrikes import border as border_module
from borderstrikes.dask import cluster_strikes_partitioned
from borderstrikes.report import place_table, summary_tables


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dask_command():
    """The ``dask`` console script of this environment (``python -m dask`` is the same CLI)."""
    script = Path(sys.executable).with_name("dask")
    found = str(script) if script.exists() else shutil.which("dask")
    return [found] if found else [sys.executable, "-m", "dask"]


def stop(processes):
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Scheduler and two single-threaded workers, as separate processes; always stopped."""
    folder = tmp_path_factory.mktemp("dask-cluster")
    address = f"tcp://127.0.0.1:{free_port()}"
    dask = dask_command()
    processes = []

    def start(args, name):
        with (folder / f"{name}.log").open("w") as log:  # the child keeps its own copy
            processes.append(
                subprocess.Popen(
                    [*dask, *args],
                    cwd=folder,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # a process group of its own: stopped as a whole
                )
            )

    try:
        start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                address.rsplit(":", 1)[1],
                "--no-dashboard",
            ],
            "scheduler",
        )
        for i in range(2):
            start(
                [
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                    "--no-nanny",
                    "--name",
                    f"worker-{i}",
                    "--local-directory",
                    str(folder / f"worker-{i}"),
                ],
                f"worker-{i}",
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                client = distributed.Client(address, timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    raise
        with client:
            client.wait_for_workers(2, timeout=60)
            yield client, processes
            client.shutdown()  # scheduler and workers exit at once (stop() waits for them)
    finally:
        stop(processes)  # also when the start or a test failed
        # a shut-down client leaves its "dask.distributed" default scheduler in dask's config,
        # which would send later tests of this process to a client that is gone
        dask_config.set(scheduler=None)
        assert all(p.poll() is not None for p in processes)


def test_the_cluster_is_separate_processes_connected_by_address(cluster):
    client, processes = cluster
    info = client.scheduler_info()
    assert client.scheduler.address.startswith("tcp://127.0.0.1:")
    assert sorted(w["name"] for w in info["workers"].values()) == ["worker-0", "worker-1"]
    assert {w["nthreads"] for w in info["workers"].values()} == {1}
    pids = set(client.run(os.getpid).values())
    assert pids == {p.pid for p in processes[1:]}  # the two worker processes started here
    assert os.getpid() not in pids


def events(n, seed):
    """Events with places and provinces; stacks of co-located reports on tile edges."""
    rng = np.random.default_rng(seed)
    edge = np.array([[44.5, 39.5], [45.0, 40.0], [45.5, 40.5]])  # corners of 0.5° tiles
    centre = edge[rng.integers(0, len(edge), n)]
    lon = centre[:, 0] + rng.normal(0, 0.02, n)
    lat = centre[:, 1] + rng.normal(0, 0.015, n)
    stack = rng.random(n) < 0.2
    lon[stack], lat[stack] = 45.0, 40.0  # one site of about n / 5 reports, on a tile corner
    noise = rng.random(n) < 0.1
    lon[noise] = rng.uniform(44.0, 46.0, noise.sum())
    lat[noise] = rng.uniform(39.0, 41.0, noise.sum())
    start = pd.Timestamp("2022-09-12") + pd.to_timedelta(rng.integers(0, 30, n), "D")
    return gpd.GeoDataFrame(
        {
            "place": rng.choice(["Jermuk", "Vardenis", "Goris", None], n),
            "admin1": rng.choice(["Vayots Dzor", "Gegharkunik", "Syunik"], n),
            "evidence": rng.choice(["video", "official_claim", "impact"], n),
            "claimant": rng.choice(["ARM", "AZE"], n),
            "date": start,
            "date_start": start,
            "date_end": start + pd.to_timedelta(rng.integers(0, 2, n), "D"),
            "location_radius_m": rng.choice([0.0, 2000.0], n),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
        index=pd.Index(rng.permutation(n) + 7, name="event"),
    )


@pytest.fixture(scope="module")
def computed(cluster):
    """Distances and labels of the same events, through the cluster and in memory."""
    client, _ = cluster
    local = events(6000, seed=3)
    lazy = dask_geopandas.from_geopandas(local, npartitions=6, sort=False)
    got_d, got_labels = client.compute(
        [bs.distance_to_border(lazy), bs.cluster_strikes(lazy, eps_km=1.5, min_samples=5)],
        sync=True,
    )
    expected_d = bs.distance_to_border(local)
    expected_labels = bs.cluster_strikes(local, eps_km=1.5, min_samples=5)
    return local, (got_d, got_labels), (expected_d, expected_labels)


def test_distances_through_the_cluster_are_bitwise_the_in_memory_ones(cluster, computed):
    client, _ = cluster
    _, (got, _), (expected, _) = computed
    assert got.index.equals(expected.index)
    assert got.dtypes.to_dict() == expected.dtypes.to_dict()
    for name in expected.columns:
        a, b = got[name].to_numpy(), expected[name].to_numpy()
        if a.dtype.kind == "f":
            assert np.array_equal(a.view(np.int64), b.view(np.int64)), name
        else:
            assert list(a) == list(b), name
    # the default border was indexed at most once on each worker (never shipped)
    builds = client.run(lambda: border_module._shipped_border.cache_info().misses)
    assert len(builds) == 2
    assert set(builds.values()) <= {0, 1}


def test_clusters_through_the_cluster_are_the_in_memory_ones(cluster, computed):
    client, _ = cluster
    local, (_, got), (_, expected) = computed
    assert (expected >= 0).sum() > 1200  # the stack on the tile corner is a cluster
    assert (expected == -1).any()
    pd.testing.assert_series_equal(got, expected)
    # smaller tiles than events per tile, more partitions after the shuffle
    tiled = cluster_strikes_partitioned(
        dask_geopandas.from_geopandas(local, npartitions=3, sort=False),
        eps_km=1.5,
        min_samples=5,
        tile_deg=0.25,
        npartitions=5,
    )
    pd.testing.assert_series_equal(client.compute(tiled, sync=True), expected)


def test_the_report_tables_through_the_cluster_are_the_in_memory_ones(cluster, computed):
    client, _ = cluster
    local, (got_d, got_labels), (expected_d, expected_labels) = computed
    pd.testing.assert_frame_equal(
        place_table(local, got_d, got_labels), place_table(local, expected_d, expected_labels)
    )
    # per-place counts counted on the workers, not on the driver
    lazy = dask_geopandas.from_geopandas(local, npartitions=6, sort=False)
    counted = client.compute(lazy.groupby(["admin1", "place"]).size(), sync=True)
    expected = summary_tables(local)["place"]
    assert len(expected) == 9
    assert counted.to_dict() == expected.to_dict()
