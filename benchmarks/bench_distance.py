"""Benchmark: distance from points to the Armenia-Azerbaijan border.

Compares, on seeded points uniform in lon 43.4-47.0, lat 38.8-41.4:

- ``borderstrikes``: ``distance_to_border(points, unit="m", threads=1)`` (signed, with
  side, section, neighbour and foot point); ``borderstrikes-2t``: the same with
  ``threads=2`` (its floor is timed split over two threads too);
- ``naive-utm``: ``points.to_crs("EPSG:32638").distance(border)`` (planar, UTM 38N);
- ``postgis``: ``ST_Distance(geography, geography)`` on PostGIS (spheroid), run on a
  throw-away PostgreSQL cluster on 127.0.0.1 that this script starts and stops.

Each method runs in its own subprocess, so the peak resident memory reported
(``ru_maxrss``; for PostGIS the server backend's ``VmHWM``) belongs to that method
alone. Wall times are the median of ``--repeats`` runs; for borderstrikes the
first call (which loads the data, builds the index and fills the grid cells it
needs) is reported separately as "cold", the later calls get fresh points each
(a new seed per call), and the floor -- one ``Geod.inv`` per point plus one
prepared ``contains_xy`` -- is timed in the same process on the same points;
the script prints the ratio and the load average before and after.

Errors are measured on the first ``--oracle`` points (a uniform random sample)
against the brute-force GeographicLib oracle the tests use, ``tests/oracles.py``
(imported from there: this script puts ``tests/`` on ``sys.path``): every border
edge an independent bound cannot rule out is sampled every 10 m with
``pyproj.Geod``, then the best sample of each is refined by golden-section
search; it is exact to 1 µm and never calls borderstrikes.

Before them, the first call in a new process on each of the ``--first-call`` sizes (88,
as the ``borderstrikes report`` of the shipped strikes, which stays below
``kernels.MIN_POINTS`` and never imports numba; and 1e5) is timed three ways: numpy
search, compiled search with an empty numba cache (the compile), and with the cache filled.

Usage::

    python benchmarks/bench_distance.py                       # 1e4, 1e5, 1e6 + PostGIS on 1e5
    python benchmarks/bench_distance.py --sizes 1e4 --postgis-size 0
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BOX = (43.4, 47.0, 38.8, 41.4)
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def make_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded uniform points; the first k points are the same for every n."""
    lon = np.random.default_rng([seed, 0]).uniform(BOX[0], BOX[1], n)
    lat = np.random.default_rng([seed, 1]).uniform(BOX[2], BOX[3], n)
    return lon, lat


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ----------------------------------------------------------------------------- workers


def floor_s(lon, lat) -> float:
    """The floor: one ``Geod.inv`` per point plus one prepared point-in-polygon (Armenia)."""
    import shapely
    from pyproj import Geod

    from borderstrikes.datasets import load_boundaries

    geod = Geod(ellps="WGS84")
    countries = load_boundaries(0)
    armenia = countries.loc[countries["iso3"] == "ARM"].geometry.iloc[0]
    shapely.prepare(armenia)
    # As the engine's solve: from a hub on the border (here the box's centre) to each point.
    hub_lon = np.full(lon.size, 0.5 * (BOX[0] + BOX[1]))
    hub_lat = np.full(lon.size, 0.5 * (BOX[2] + BOX[3]))
    start = time.perf_counter()
    geod.inv(hub_lon, hub_lat, lon, lat)
    shapely.contains_xy(armenia, lon, lat)
    return time.perf_counter() - start


def floor_threads_s(lon, lat, threads) -> float:
    """The floor split over ``threads`` threads (both calls release the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    cuts = np.linspace(0, lon.size, threads + 1).astype(int)
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda lo, hi: floor_s(lon[lo:hi], lat[lo:hi]), cuts[:-1], cuts[1:]))
    return time.perf_counter() - start


def worker_borderstrikes(lon, lat, repeats, keep, threads=1):
    import geopandas as gpd

    from borderstrikes.border import distance_to_border
    from borderstrikes.geodesy import kernels

    load = [os.getloadavg()[0]]
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    start = time.perf_counter()
    result = distance_to_border(points, unit="m", threads=threads)
    cold = time.perf_counter() - start
    times, floors = [], []
    for r in range(repeats):  # fresh points on every call, the floor on the same points
        x, y = make_points(lon.size, 1_000 + r)
        fresh = gpd.GeoSeries(gpd.points_from_xy(x, y), crs="EPSG:4326")
        start = time.perf_counter()
        distance_to_border(fresh, unit="m", threads=threads)
        times.append(time.perf_counter() - start)
        floors.append(floor_s(x, y) if threads == 1 else floor_threads_s(x, y, threads))
    load.append(os.getloadavg()[0])
    extra = {"floor": floors, "load": load, "compiled": kernels.ENABLED, "threads": threads}
    return cold, times, result["distance_m"].to_numpy()[:keep], extra


def worker_borderstrikes_2(lon, lat, repeats, keep):
    return worker_borderstrikes(lon, lat, repeats, keep, threads=2)


def worker_naive_utm(lon, lat, repeats, keep):
    import geopandas as gpd

    from borderstrikes.datasets import load_border

    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    line = load_border().to_crs("EPSG:32638").union_all()
    times, dist = [], None
    for _ in range(repeats + 1):
        start = time.perf_counter()
        dist = points.to_crs("EPSG:32638").distance(line)
        times.append(time.perf_counter() - start)
    return times[0], times[1:], dist.to_numpy()[:keep]


def worker_none(lon, lat, repeats, keep):
    import geopandas as gpd

    import borderstrikes.border  # noqa: F401 - the imports every method pays for

    gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return 0.0, [0.0], np.full(keep, np.nan)


class PostGIS:
    """A throw-away PostgreSQL + PostGIS cluster on 127.0.0.1 (stopped by its pid)."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="bs_pgbench_"))
        self.data = self.tmp / "data"
        self.port = self._free_port()
        self.pid: int | None = None
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the server as 'postgres'
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.tmp, user="postgres")

    @staticmethod
    def _free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def start(self) -> None:
        run = [*self.as_user, str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust"]
        subprocess.run([*run, "-U", "bench", "--no-sync"], check=True, capture_output=True)
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.tmp} -c fsync=off"
        ctl = [*self.as_user, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts]
        subprocess.run(
            [*ctl, "-l", str(self.tmp / "log"), "-w", "start"], check=True, capture_output=True
        )
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])
        self.sql("CREATE EXTENSION postgis;")

    def sql(self, command: str) -> str:
        args = [str(PG_BIN / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        args += ["-h", "127.0.0.1", "-p", str(self.port), "-U", "bench", "-d", "postgres"]
        done = subprocess.run(args, input=command, check=True, capture_output=True, text=True)
        return done.stdout

    def stop(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGINT)  # fast shutdown
                for _ in range(600):
                    os.kill(self.pid, 0)
                    time.sleep(0.1)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def worker_postgis(lon, lat, repeats, keep):
    from borderstrikes.datasets import load_border

    server = PostGIS()
    try:
        server.start()
        version = server.sql("SELECT postgis_lib_version();").strip()
        wkt = load_border().union_all().wkt
        csv_in = server.tmp / "points.csv"
        np.savetxt(csv_in, np.column_stack([np.arange(lon.size), lon, lat]), fmt="%d,%.15g,%.15g")
        server.sql(
            "CREATE TABLE border AS SELECT "
            f"ST_GeogFromText('SRID=4326;{wkt}') AS geog;"
            "CREATE TABLE pts (id int, lon float8, lat float8);"
            f"\\copy pts FROM '{csv_in}' CSV\n"
            "ALTER TABLE pts ADD COLUMN geog geography;"
            "UPDATE pts SET geog = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;"
            "VACUUM ANALYZE pts;"
        )
        csv_out = server.tmp / "out.csv"
        query = (
            "\\copy (SELECT p.id, ST_Distance(p.geog, b.geog) FROM pts p, border b ORDER BY p.id)"
            f" TO '{csv_out}' CSV\n"
            "SELECT pg_read_file('/proc/' || pg_backend_pid() || '/status');"
        )
        times, status = [], ""
        for _ in range(repeats + 1):
            start = time.perf_counter()
            status = server.sql(query)
            times.append(time.perf_counter() - start)
        dist = np.loadtxt(csv_out, delimiter=",")[:, 1]
        hwm = [line for line in status.splitlines() if line.startswith("VmHWM")]
        backend_mb = float(hwm[0].split()[1]) / 1024.0 if hwm else float("nan")
        return times[0], times[1:], dist[:keep], {"backend_mb": backend_mb, "postgis": version}
    finally:
        server.stop()


WORKERS = {
    "borderstrikes": worker_borderstrikes,
    "borderstrikes-2t": worker_borderstrikes_2,
    "naive-utm": worker_naive_utm,
    "postgis": worker_postgis,
    "baseline": worker_none,
}


FIRST_CALL = """
import sys, time
start = time.perf_counter()
import geopandas as gpd
from borderstrikes.border import distance_to_border
from borderstrikes.geodesy import kernels
sys.path.insert(0, {here!r})
from bench_distance import make_points
lon, lat = make_points({n}, 1)
points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
imported = time.perf_counter() - start
start = time.perf_counter()
distance_to_border(points, unit="m")
print(imported, time.perf_counter() - start, kernels.ENABLED)
"""


def first_calls(n: int) -> None:
    """Import + first call on ``n`` points in a new process: numpy path, compiled cold/cached."""
    here = str(Path(__file__).resolve().parent)
    code = FIRST_CALL.format(here=here, n=n)
    print(f"first call in a new process on {n} points (load {os.getloadavg()[0]:.2f}):")
    print("| search | import s | first call s |")
    print("|---|---:|---:|")
    with tempfile.TemporaryDirectory() as empty:
        cases = [
            ("numpy (BORDERSTRIKES_NO_NUMBA=1)", {"BORDERSTRIKES_NO_NUMBA": "1"}),
            ("compiled, empty numba cache (compiles)", {"NUMBA_CACHE_DIR": empty}),
            ("compiled, cache filled by the line above", {"NUMBA_CACHE_DIR": empty}),
        ]
        for label, env in cases:
            done = subprocess.run(
                [sys.executable, "-c", code],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                print(f"| {label} | FAILED: {done.stderr.strip().splitlines()[-1]} | |")
                continue
            imported, first, _ = done.stdout.split()
            print(f"| {label} | {float(imported):.3f} | {float(first):.3f} |")
    print()


def run_worker(args: argparse.Namespace) -> None:
    lon, lat = make_points(args.n, args.seed)
    out = WORKERS[args.worker](lon, lat, args.repeats, args.keep)
    cold, times, dist = out[:3]
    extra = out[3] if len(out) > 3 else {}
    Path(args.out).write_text(
        json.dumps(
            {
                "cold": cold,
                "times": times,
                "peak_rss_mb": peak_rss_mb(),
                "dist": [None if not np.isfinite(v) else float(v) for v in dist],
                **extra,
            }
        )
    )


# ----------------------------------------------------------------------------- oracle


TESTS = Path(__file__).resolve().parents[1] / "tests"


def oracle(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Brute-force GeographicLib distance (m) to the shipped border: ``tests/oracles.py``."""
    from borderstrikes.datasets import load_border

    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import oracles

    return oracles.distance_to_line(lon, lat, load_border())[0]


# ----------------------------------------------------------------------------- driver


def machine() -> list[str]:
    import geopandas
    import pyproj
    import shapely

    model = "unknown"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(
            line.split(":", 1)[1].strip() for line in lscpu.splitlines() if "Model name" in line
        )
    except (OSError, subprocess.CalledProcessError, StopIteration):
        pass
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return [
        f"CPU: {model}, {os.cpu_count()} logical cores; RAM {mem_kb / 1024**2:.1f} GiB",
        f"Python {platform.python_version()}, numpy {np.__version__}, pyproj {pyproj.__version__} "
        f"(PROJ {pyproj.proj_version_str}), shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}), geopandas {geopandas.__version__}",
    ]


def launch(method: str, n: int, args: argparse.Namespace, keep: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    cmd = [sys.executable, __file__, "--worker", method, "--n", str(n)]
    cmd += ["--repeats", str(args.repeats), "--seed", str(args.seed)]
    cmd += ["--keep", str(keep), "--out", out]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
        return json.loads(Path(out).read_text())
    finally:
        Path(out).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="comma-separated point counts")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per method (>= 3)")
    parser.add_argument("--postgis-size", type=float, default=1e5, help="0 skips PostGIS")
    parser.add_argument("--oracle", type=int, default=1000, help="points checked for error")
    parser.add_argument("--seed", type=int, default=20220913)
    parser.add_argument(
        "--methods",
        default="borderstrikes,borderstrikes-2t,naive-utm",
        help="comma-separated methods run at every size (PostGIS: --postgis-size)",
    )
    parser.add_argument(
        "--first-call", default="88,1e5", help="sizes of the first-call table ('' skips it)"
    )
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    pg_size = int(args.postgis_size)
    keep = min([args.oracle, *sizes])
    for line in machine():
        print(line)
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for size in filter(None, args.first_call.split(",")):
        first_calls(int(float(size)))
    lon, lat = make_points(keep, args.seed)
    start = time.perf_counter()
    truth = oracle(lon, lat)
    print(f"oracle on {keep} points: {time.perf_counter() - start:.1f} s")
    runs = [("baseline", min(sizes))]
    methods = args.methods.split(",")
    runs += [(m, n) for n in sizes for m in methods]
    if pg_size > 0:
        if (PG_BIN / "initdb").exists():
            runs.append(("postgis", pg_size))
        else:
            print(f"PostGIS skipped: {PG_BIN / 'initdb'} not found (apt-get install postgis)")
    rows, medians = [], {}
    for method, n in runs:
        res = launch(method, n, args, keep)
        if "error" in res:
            print(f"{method} n={n}: FAILED ({res['error']})")
            continue
        med = statistics.median(res["times"])
        medians[method, n] = med
        dist = np.array([np.nan if v is None else v for v in res["dist"]])
        err = np.abs(dist - truth)
        rss = res.get("backend_mb", res["peak_rss_mb"])
        rows.append((method, n, res["cold"], med, min(res["times"]), max(res["times"]), rss, err))
        if "postgis" in res:
            print(f"PostGIS {res['postgis']}; memory column = server backend VmHWM")
        if "floor" in res:
            floor = statistics.median(res["floor"])
            path = "compiled search (numba)" if res["compiled"] else "numpy search"
            print(
                f"{method} n={n:,} ({res['threads']} thread(s), {path}): median {med:.3f} s on "
                f"fresh points, floor (one Geod.inv + one prepared contains_xy per point, on "
                f"{res['threads']} thread(s)) {floor:.3f} s, ratio {med / floor:.2f}; "
                f"load average {res['load'][0]:.2f} -> {res['load'][1]:.2f}"
            )
    print()
    print(
        "| method | N | cold s | median s (min-max) | peak RSS MB "
        "| max err m | p95 err m | borderstrikes / method |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for method, n, cold, med, lo, hi, rss, err in rows:
        ours = medians.get(("borderstrikes", n))
        ratio = f"{ours / med:.2f}" if ours and method not in ("baseline", "borderstrikes") else ""
        if method == "baseline":
            print(f"| imports + points only | {n:,} | | | {rss:.0f} | | | |")
            continue
        print(
            f"| {method} | {n:,} | {cold:.3f} | {med:.3f} ({lo:.3f}-{hi:.3f}) | {rss:.0f} "
            f"| {np.nanmax(err):.2e} | {np.nanpercentile(err, 95):.2e} | {ratio} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
