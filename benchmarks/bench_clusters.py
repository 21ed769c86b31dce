"""Benchmark borderstrikes.cluster_strikes against scikit-learn's haversine DBSCAN.

Synthetic, seeded events in lon 43.4–47.0, lat 38.8–41.4, shaped like
ACLED-style conflict data:

- 70 % sit exactly on one of 300 place centroids (Zipf-like popularity, so a
  few places hold thousands of identical coordinates);
- 29.5 % fall in 6 dense groups (radial spread 1–5 km);
- 0.5 % are uniform background noise.

Every (method, N, repeat) runs in a fresh worker process. A small runner
process starts the worker, waits for it and reads
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak resident memory
of that worker (Python, imports, the synthetic data and the clustering).
Each worker also records its own peak RSS just before the clustering call
(after imports and data), so the table shows what the clustering adds.
Workers run under ``RLIMIT_AS`` (``--mem-limit-gb``) and are
killed after ``--time-limit`` seconds. Wall time covers only the clustering
call (for scikit-learn including the conversion to radians); imports happen
before it in both workers (the library imports scipy on first use, so the
worker imports it beforehand, as importing sklearn.cluster does).

Usage::

    python benchmarks/bench_clusters.py --sizes 1e4 1e5 1e6
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
METHODS = ("borderstrikes", "sklearn")


def make_events(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (degrees) of n synthetic events."""
    import pyproj

    geod = pyproj.Geod(ellps="WGS84")
    rng = np.random.default_rng(seed)
    n_places = 300
    place_lon = rng.uniform(*LON, n_places)
    place_lat = rng.uniform(*LAT, n_places)
    popularity = 1.0 / np.arange(1, n_places + 1) ** 1.1
    popularity /= popularity.sum()
    n_at_places = int(0.70 * n)
    n_in_groups = int(0.295 * n)
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


# ---------------------------------------------------------------------------
# worker: one measurement in this process


def _self_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(method: str, n: int, eps_km: float, min_samples: int, labels_path: str) -> None:
    lon, lat = make_events(n)
    result: dict = {"status": "ok"}
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
        else:
            from sklearn.cluster import DBSCAN

            model = DBSCAN(
                eps=eps_km / EARTH_RADIUS_KM,
                min_samples=min_samples,
                metric="haversine",
                algorithm="ball_tree",
            )
            result["rss_before_mb"] = _self_maxrss_mb()
            start = time.perf_counter()
            labels = model.fit(np.radians(np.column_stack((lat, lon)))).labels_
            result["wall_s"] = time.perf_counter() - start
    except MemoryError:
        print(json.dumps({"status": "MemoryError"}))
        sys.exit(3)
    np.save(labels_path, labels)
    result["clusters"] = int(labels.max()) + 1
    result["noise"] = int((labels == -1).sum())
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


def measure(method, n, eps_km, min_samples, labels_path, time_limit_s, mem_limit_gb) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--_runner",
        method,
        str(n),
        str(eps_km),
        str(min_samples),
        labels_path,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1e4", "1e5", "1e6"])
    parser.add_argument("--eps-km", type=float, default=10.0)
    parser.add_argument("--min-samples", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="runs per cell below 1e6")
    parser.add_argument("--large-repeats", type=int, default=3, help="runs per cell at >= 1e6")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per run")
    parser.add_argument("--mem-limit-gb", type=float, default=12.0, help="RLIMIT_AS per run")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--output", type=Path, default=None, help="write the markdown here")
    parser.add_argument("--_worker", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--_runner", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._worker:
        method, n, eps_km, min_samples, labels_path = args._worker
        worker(method, int(n), float(eps_km), int(min_samples), labels_path)
        return 0
    if args._runner:
        runner(args._runner, args.time_limit, args.mem_limit_gb)
        return 0

    from sklearn.metrics import adjusted_rand_score

    sizes = [int(float(s)) for s in args.sizes]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            repeats = args.large_repeats if n >= 1_000_000 else args.repeats
            first = {}
            cells = {}
            for method in args.methods:
                runs = []
                for rep in range(repeats):
                    path = str(Path(tmp) / f"{method.replace(' ', '_')}_{n}_{rep}.npy")
                    res = measure(
                        method,
                        n,
                        args.eps_km,
                        args.min_samples,
                        path,
                        args.time_limit,
                        args.mem_limit_gb,
                    )
                    print(f"N={n:>9} {method:<13} run {rep}: {json.dumps(res)}", flush=True)
                    runs.append(res)
                    if res["status"] != "ok":
                        break  # a failed run is not repeated
                    if rep == 0:
                        first[method] = path
                cells[method] = runs
            ari = None
            if "borderstrikes" in first and "sklearn" in first:
                ari = adjusted_rand_score(
                    np.load(first["borderstrikes"]), np.load(first["sklearn"])
                )
            rows.append((n, cells, ari))

    lines = [
        "| N | method | wall time, s (median; min–max) | runs | peak RSS, MB "
        "(before clustering) | clusters | noise | ARI (borderstrikes vs sklearn) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, cells, ari in rows:
        for method in args.methods:
            runs = cells[method]
            ok = [r for r in runs if r["status"] == "ok"]
            if len(ok) == len(runs):
                walls = [r["wall_s"] for r in ok]
                wall = f"{statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f})"
                rss = (
                    f"{max(r['maxrss_mb'] for r in ok):,.0f} "
                    f"({max(r['rss_before_mb'] for r in ok):,.0f})"
                )
                clusters, noise = str(ok[0]["clusters"]), str(ok[0]["noise"])
            else:
                bad = runs[-1]
                wall = f"did not finish: {bad['status']} after {bad['elapsed_s']:.0f} s"
                rss = f"{bad['maxrss_mb']:,.0f} at the end"
                clusters = noise = "—"
            agree = f"{ari:.4f}" if ari is not None else "—"
            lines.append(
                f"| {fmt_size(n)} | {method} | {wall} | {len(runs)} | {rss} | {clusters} "
                f"| {noise} | {agree} |"
            )
    command = "python benchmarks/bench_clusters.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    text = "\n".join(
        [
            f"eps {args.eps_km:g} km, min_samples {args.min_samples}; "
            f"limits per run: {args.time_limit:g} s, RLIMIT_AS {args.mem_limit_gb:g} GB.",
            "",
            *lines,
            "",
            f"Command: `{command.strip()}`",
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
