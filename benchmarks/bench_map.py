"""Benchmark: drawing the static map (``plot_strikes``) at 88 and 40,000 reports.

Inputs:

- 88: the packaged reports (``borderstrikes.load_strikes()``);
- 40,000: ACLED-like events, seeded (``tests/test_map_truth.py::acled_like``):
  half on 300 centroids (heavy-tailed shares, ACLED ``geo_precision`` 3, a
  25 km stand-in), half at distinct points (``geo_precision`` 1), dated over
  2021-2022, in Armenia and Azerbaijan.

For each size, in the same run: ``plot_strikes(..., basemap="offline")`` on a
9 x 9.5 inch figure (the report's size) plus ``save_map`` to PNG at 150 dpi,
and the obvious alternative, a plain ``GeoDataFrame.plot`` of the same points
(markersize 4) with ``savefig`` at 150 dpi. Wall times are the median of
``--repeats`` runs (the first run, which imports and loads the shipped layers,
is reported apart as "cold"). The 1-minute load average is printed with each
time: the machine is shared, and a load above the core count slows every figure.

Usage::

    python benchmarks/bench_map.py                 # 88 and 40000, 3 repeats
    python benchmarks/bench_map.py --sizes 40000 --repeats 1 --out /tmp
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_map_truth import acled_like

import borderstrikes
from borderstrikes.viz.static import plot_strikes, save_map


def inputs(n: int):
    """The packaged reports for 88, else n seeded ACLED-like events."""
    if n == 88:
        return borderstrikes.load_strikes()
    return acled_like(n, seed=1, n_centroids=300, scattered=0.5)


def borderstrikes_map(strikes, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 9.5), dpi=150)
    plot_strikes(strikes, ax=ax, basemap="offline")
    save_map(fig, path)
    plt.close(fig)


def plain_plot(strikes, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 9.5), dpi=150)
    strikes.to_crs("EPSG:32638").plot(ax=ax, markersize=4)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


def timed(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[88, 40_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="keep the PNGs here")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_map_"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}  python {sys.version.split()[0]}  "
          f"matplotlib {matplotlib.__version__}")  # fmt: skip
    print(f"{'n':>7}  {'method':<22} {'cold s':>7} {'median s':>9}  load (1, 5, 15 min)")
    for n in args.sizes:
        strikes = inputs(n)
        for name, func in (("plot_strikes+save_map", borderstrikes_map),
                           ("GeoDataFrame.plot", plain_plot)):  # fmt: skip
            path = out / f"map_{n}_{name.split('.')[0].split('+')[0]}.png"
            cold = timed(func, strikes, path)
            runs = [timed(func, strikes, path) for _ in range(max(args.repeats - 1, 0))]
            median = statistics.median(runs) if runs else cold
            load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
            print(f"{n:>7}  {name:<22} {cold:7.2f} {median:9.2f}  ({load})", flush=True)
    print(f"PNGs in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
