"""Benchmark borderstrikes.cluster_strikes against scikit-learn's DBSCAN.

Data (``--data``), all seeded, in lon 43.4–47.0, lat 38.8–41.4:

- ``acled``: shaped like ACLED-style conflict data. 70 % sit exactly on one
  of 300 place centroids (Zipf-like popularity, so a few places hold
  thousands of identical coordinates); 29.5 % fall in 6 dense groups (radial
  spread 1–5 km); 0.5 % are uniform background noise.
- ``acled-half``: the same with half of the events on the centroids (and
  49.5 % in the groups).
- ``uniform``: uniform in the whole box (about 300 km by 290 km); with
  ``eps_km=1`` and ``--min-samples 3.6e-5`` (0.0036 % of N: 36 at 1e6, the
  mean neighbour count) about half the events are core: the near-threshold
  worst case.
- ``dense``: uniform in a 3 km square near 45° E, 40° N, so that with
  ``eps_km=1`` every event has thousands of neighbours and, with a
  ``min_samples`` that is a large fraction of N (``--min-samples 0.25`` means
  0.25 N), no grid cube of the library holds ``min_samples`` events.

Every run draws fresh points (seed = run number; both methods see the same
points in the same run number). Methods: ``borderstrikes``
(:func:`cluster_strikes`, exact geodesics on WGS84), ``sklearn`` (haversine
on a 6371.0088 km sphere, ball tree) and ``sklearn-ecef`` (Euclidean on
Earth-centred coordinates from pyproj, k-d tree, ``eps`` the chord of an arc
of ``eps_km`` on that sphere: the same neighbourhoods as the geodesic up to a
band of about ``eps**3 / 24 R**2``, 1 µm at 1 km). The core points of
borderstrikes (from its engine, after the timed call) are compared with each
scikit-learn run of the same points.

Every (method, N, run) runs in a fresh worker process. A small runner
process starts the worker, waits for it and reads
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak resident memory
of that worker (Python, imports, the synthetic data and the clustering).
Each worker also records its own peak RSS just before the clustering call
(after imports and data), so the table shows what the clustering adds.
Workers run under ``RLIMIT_AS`` (``--mem-limit-gb``) and are
killed after ``--time-limit`` seconds. Wall time covers only the clustering
call (for scikit-learn including the conversion of coordinates); imports
happen before it in both workers (the library imports scipy on first use, so
the worker imports it beforehand, as importing sklearn.cluster does). The
1-minute load average is printed before every run and in the table.

Usage::

    python benchmarks/bench_clusters.py --sizes 1e4 1e5 1e6
    python benchmarks/bench_clusters.py --preset dbscan   # the DBSCAN table of issue 16
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

LON = (43.4, 47.0)
LAT = (38.8, 41.4)
EARTH_RADIUS_KM = 6371.0088  # mean radius, as used for the haversine eps
METHODS = ("borderstrikes", "sklearn", "sklearn-ecef")


def make_events(n: int, seed: int = 0, at_places: float = 0.70) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (degrees) of n synthetic events."""
    import pyproj

    geod = pyproj.Geod(ellps="WGS84")
    rng = np.random.default_rng(seed)
    n_places = 300
    place_lon = rng.uniform(*LON, n_places)
    place_lat = rng.uniform(*LAT, n_places)
    popularity = 1.0 / np.arange(1, n_places + 1) ** 1.1
    popularity /= popularity.sum()
    n_at_places = int(at_places * n)
    n_in_groups = int((0.995 - at_places) * n)
    n_background = n - n_at_places - n_in_groups
    pick = rng.choice(n_places, n_at_places, p=popularity)
    group_lon = rng.uniform(*LON, 6)
    group_lat = rng.uniform(*LAT, 6)
    group_spread_m = rng.uniform(1000, 5000, 6)
    group = rng.integers(0, 6, n_in_groups)
    azimuth = rng.uniform(0, 360, n_in_groups)
    radius_m = np.abs(rng.normal(0, 1, n_in_groups)) * group_spread_m[group] * 1.2
    lon_g, lat_g, _ = geod.fwd(group_lon[group], group_lat[group], azimuth, radius_m)
    lon = np.concatenate([place_lon[pick], lon_g, rng.uniform(*LON, n_background)])
    lat = np.concatenate([place_lat[pick], lat_g, rng.uniform(*LAT, n_background)])
    order = rng.permutation(n)
    return lon[order], lat[order]


def make_data(kind: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Events of one of the ``--data`` kinds."""
    if kind == "acled":
        return make_events(n, seed)
    if kind == "acled-half":
        return make_events(n, seed, at_places=0.5)
    if kind == "uniform":
        rng = np.random.default_rng(seed)
        return rng.uniform(*LON, n), rng.uniform(*LAT, n)
    if kind == "dense":
        rng = np.random.default_rng(seed)
        return 45.0 + rng.uniform(0, 3000 / 85_200, n), 40.0 + rng.uniform(0, 3000 / 111_000, n)
    msg = f"unknown data kind {kind!r}"
    raise ValueError(msg)


def samples_for(min_samples: float, n: int) -> int:
    """``min_samples`` as given, or as a fraction of n when below 1."""
    return round(min_samples * n) if min_samples < 1 else int(min_samples)


# ---------------------------------------------------------------------------
# worker: one measurement in this process


def _self_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _borderstrikes_core(lon: np.ndarray, lat: np.ndarray, eps_km: float, min_samples: int):
    """Core flag of every event, from the library's engine (not timed)."""
    from borderstrikes.clustering import dbscan

    sites = dbscan.Sites(lon, lat, np.ones(len(lon)), None, None)
    engine = dbscan.Dbscan(sites, eps_km * 1000.0, min_samples, None)
    engine.run()
    return engine.core[sites.inverse]


def worker(
    method: str,
    n: int,
    eps_km: float,
    min_samples: int,
    out_path: str,
    data: str,
    seed: int,
    want_core: bool,
) -> None:
    lon, lat = make_data(data, n, seed)
    result: dict = {"status": "ok"}
    core = None
    try:
        if method == "borderstrikes":
            import geopandas as gpd
            import scipy.sparse.csgraph
            import scipy.spatial  # noqa: F401  (imported lazily by the library)

            from borderstrikes.clustering import cluster_strikes

            points = gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4326")
            result["rss_before_mb"] = _self_maxrss_mb()
            start = time.perf_counter()
            labels = cluster_strikes(points, eps_km=eps_km, min_samples=min_samples).to_numpy()
            result["wall_s"] = time.perf_counter() - start
            if want_core:
                core = _borderstrikes_core(lon, lat, eps_km, min_samples)
        else:
            import pyproj
            from sklearn.cluster import DBSCAN

            if method == "sklearn":
                model = DBSCAN(
                    eps=eps_km / EARTH_RADIUS_KM,
                    min_samples=min_samples,
                    metric="haversine",
                    algorithm="ball_tree",
                )
            else:
                chord_m = 2 * EARTH_RADIUS_KM * 1000 * np.sin(eps_km / (2 * EARTH_RADIUS_KM))
                model = DBSCAN(eps=chord_m, min_samples=min_samples, algorithm="kd_tree")
                to_ecef = pyproj.Transformer.from_crs(4326, 4978, always_xy=True)
            result["rss_before_mb"] = _self_maxrss_mb()
            start = time.perf_counter()
            if method == "sklearn":
                fitted = model.fit(np.radians(np.column_stack((lat, lon))))
            else:
                x, y, z = to_ecef.transform(lon, lat, np.zeros(n))
                fitted = model.fit(np.column_stack((x, y, z)))
            labels = fitted.labels_
            result["wall_s"] = time.perf_counter() - start
            core = np.zeros(n, dtype=bool)
            core[fitted.core_sample_indices_] = True
    except MemoryError:
        print(json.dumps({"status": "MemoryError"}))
        sys.exit(3)
    np.savez(out_path, labels=labels, core=core if core is not None else np.zeros(0, bool))
    result["clusters"] = int(labels.max()) + 1
    result["noise"] = int((labels == -1).sum())
    result["core"] = None if core is None else int(core.sum())
    print(json.dumps(result))


# ---------------------------------------------------------------------------
# runner: start one worker, report its peak memory


def runner(argv: list[str], time_limit_s: float, mem_limit_gb: float) -> None:
    def limit() -> None:
        cap = int(mem_limit_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    cmd = [sys.executable, __file__, "--_worker", *argv]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=time_limit_s, preexec_fn=limit
        )
        lines = proc.stdout.strip().splitlines()
        result = json.loads(lines[-1]) if lines else {"status": f"exit {proc.returncode}"}
        if proc.returncode not in (0, 3) and result.get("status") == "ok":
            result["status"] = f"exit {proc.returncode}"
        if proc.returncode != 0 and not lines:
            tail = proc.stderr.strip().splitlines()[-1:] or [""]
            result = {"status": f"exit {proc.returncode}: {tail[0][:120]}"}
    except subprocess.TimeoutExpired:
        result = {"status": f"timeout > {time_limit_s:g} s"}
    result["elapsed_s"] = time.perf_counter() - start
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


def measure(
    method, n, eps_km, min_samples, out_path, data, seed, want_core, time_limit_s, mem_limit_gb
) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--_runner",
        method,
        str(n),
        str(eps_km),
        str(min_samples),
        out_path,
        data,
        str(seed),
        str(int(want_core)),
        "--time-limit",
        str(time_limit_s),
        "--mem-limit-gb",
        str(mem_limit_gb),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# report


def machine() -> str:
    import geopandas
    import pyproj
    import scipy
    import shapely
    import sklearn

    model = "unknown"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in lscpu.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{model}; {os.cpu_count()} logical CPUs; {ram_gb:.1f} GB RAM; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; "
        f"numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), "
        f"shapely {shapely.__version__}, geopandas {geopandas.__version__}"
    )


def fmt_size(n: int) -> str:
    exponent = len(str(n)) - 1
    return f"1e{exponent}" if 10**exponent == n else f"{n:,}"


#: ``--preset dbscan``: (data, eps_km, min_samples, sizes, sizes scikit-learn also runs at).
PRESETS = {
    "dbscan": [
        ("acled", 10.0, 5, [10_000, 100_000, 1_000_000], [10_000, 100_000]),
        ("acled-half", 10.0, 5, [1_000_000], []),
        ("acled", 1.0, 200, [100_000, 1_000_000], [100_000]),
        ("dense", 1.0, 0.25, [5_000, 10_000, 20_000], [5_000, 10_000, 20_000]),
        # min_samples at the mean neighbour count (36.4 with itself at 1e6)
        ("uniform", 1.0, 3.6e-5, [100_000, 1_000_000], [100_000]),
    ]
}


def load_average() -> float:
    return os.getloadavg()[0]


def run_scenario(args, tmp, data, eps_km, min_samples, sizes, sklearn_sizes) -> list:
    rows = []
    for n in sizes:
        ms = samples_for(min_samples, n)
        repeats = args.large_repeats if n >= 1_000_000 else args.repeats
        methods = [m for m in args.methods if m == "borderstrikes" or n in sklearn_sizes]
        want_core = any(m != "borderstrikes" for m in methods)
        cells = {m: [] for m in methods}
        agree: dict[str, list] = {m: [] for m in methods if m != "borderstrikes"}
        for rep in range(repeats):
            paths = {}
            for method in methods:
                if cells[method] and cells[method][-1]["status"] != "ok":
                    continue  # a failed run is not repeated
                path = str(Path(tmp) / f"{data}_{method}_{n}_{rep}.npz")
                load = load_average()
                res = measure(
                    method,
                    n,
                    eps_km,
                    ms,
                    path,
                    data,
                    rep,
                    want_core,
                    args.time_limit,
                    args.mem_limit_gb,
                )
                res["load"] = load
                print(
                    f"{data} eps {eps_km:g} min_samples {ms} N={n:>9} {method:<13} "
                    f"run {rep}: {json.dumps(res)}",
                    flush=True,
                )
                cells[method].append(res)
                if res["status"] == "ok":
                    paths[method] = path
            if "borderstrikes" in paths:
                ours = np.load(paths["borderstrikes"])
                for method in agree:
                    if method in paths:
                        theirs = np.load(paths[method])
                        agree[method].append(
                            (
                                int((ours["core"] != theirs["core"]).sum()),
                                adjusted_rand(ours["labels"], theirs["labels"]),
                            )
                        )
        rows.append((data, eps_km, ms, n, cells, agree))
    return rows


def adjusted_rand(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


def table(rows) -> list[str]:
    lines = [
        "| data | eps km | min_samples | N | method | wall time, s (median; min–max) | runs "
        "| load (1 min) | peak RSS, MB (before clustering) | clusters | noise | core points "
        "| core points differing from borderstrikes | ARI vs borderstrikes |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for data, eps_km, ms, n, cells, agree in rows:
        for method, runs in cells.items():
            ok = [r for r in runs if r["status"] == "ok"]
            loads = [r["load"] for r in runs]
            load = f"{min(loads):.1f}–{max(loads):.1f}"
            if len(ok) == len(runs):
                walls = [r["wall_s"] for r in ok]
                wall = f"{statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f})"
                rss = (
                    f"{max(r['maxrss_mb'] for r in ok):,.0f} "
                    f"({max(r['rss_before_mb'] for r in ok):,.0f})"
                )
                clusters, noise = str(ok[0]["clusters"]), str(ok[0]["noise"])
                core = "—" if ok[0].get("core") is None else f"{ok[0]['core']:,}"
            else:
                bad = runs[-1]
                wall = f"did not finish: {bad['status']} after {bad['elapsed_s']:.0f} s"
                rss = f"{bad['maxrss_mb']:,.0f} at the end"
                clusters = noise = core = "—"
            if agree.get(method):
                diff = ", ".join(str(d) for d, _ in agree[method])
                ari = ", ".join(f"{a:.4f}" for _, a in agree[method])
            else:
                diff = ari = "—"
            lines.append(
                f"| {data} | {eps_km:g} | {ms:,} | {fmt_size(n)} | {method} | {wall} | {len(runs)} "
                f"| {load} | {rss} | {clusters} | {noise} | {core} | {diff} | {ari} |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default=None,
        help="run a set of scenarios instead of --data/--sizes/--eps-km",
    )
    parser.add_argument(
        "--data", choices=("acled", "acled-half", "dense", "uniform"), default="acled"
    )
    parser.add_argument("--sizes", nargs="+", default=["1e4", "1e5", "1e6"])
    parser.add_argument(
        "--sklearn-max",
        type=float,
        default=1e5,
        help="largest N scikit-learn runs at (without --preset)",
    )
    parser.add_argument("--eps-km", type=float, default=10.0)
    parser.add_argument(
        "--min-samples", type=float, default=5, help="min_samples, or a fraction of N when below 1"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per cell below 1e6")
    parser.add_argument("--large-repeats", type=int, default=3, help="runs per cell at >= 1e6")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per run")
    parser.add_argument("--mem-limit-gb", type=float, default=12.0, help="RLIMIT_AS per run")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--output", type=Path, default=None, help="write the markdown here")
    parser.add_argument("--_worker", nargs=8, help=argparse.SUPPRESS)
    parser.add_argument("--_runner", nargs=8, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._worker:
        method, n, eps_km, min_samples, out_path, data, seed, want_core = args._worker
        worker(
            method,
            int(n),
            float(eps_km),
            int(min_samples),
            out_path,
            data,
            int(seed),
            bool(int(want_core)),
        )
        return 0
    if args._runner:
        runner(args._runner, args.time_limit, args.mem_limit_gb)
        return 0

    if args.preset:
        scenarios = PRESETS[args.preset]
    else:
        sizes = [int(float(s)) for s in args.sizes]
        small = [n for n in sizes if n <= args.sklearn_max]
        scenarios = [(args.data, args.eps_km, args.min_samples, sizes, small)]
    print(f"load average at the start: {os.getloadavg()}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in scenarios:
            rows += run_scenario(args, tmp, *scenario)
    command = "python benchmarks/bench_clusters.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    text = "\n".join(
        [
            f"Limits per run: {args.time_limit:g} s, RLIMIT_AS {args.mem_limit_gb:g} GB. "
            "Fresh points per run (seed = run number); core points and ARI compare the "
            "same run's points, one value per run.",
            "",
            *table(rows),
            "",
            f"Command: `{command.strip()}`",
            "",
            f"Load average at the end: {os.getloadavg()}",
            "",
            f"Machine: {machine()}",
        ]
    )
    print()
    print(text)
    if args.output is not None:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
