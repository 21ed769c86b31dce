"""Benchmark ``borderstrikes report`` at the packaged size and on 40,000 ACLED-like events.

The large input is an ACLED export (the 2023 column layout of
``tests/data/events/acled_am_az_2023.csv``) made from a seed: events over two
years, half of them stacked on 300 gazetteer places of Armenia and
Azerbaijan (as ACLED codes many events to a town's centroid), half spread up
to 10 km around them. It is written to a temporary folder, never committed.

For each size the script runs the CLI in this process (``cli.main``), prints
the seconds of every step the report reports, the total, and the size of
``report.html`` and ``map.html``; then, as the floor, the time of the two
steps no report can skip (reading the events and measuring their distances
to the border, in the same run). The load average is printed before and
after.

Usage::

    python benchmarks/bench_report.py            # 88 reports and 40,000 events
    python benchmarks/bench_report.py --events 5000
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import platform
import re
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "tests" / "data" / "events" / "acled_am_az_2023.csv"


def make_acled(path: Path, n: int, seed: int = 0) -> None:
    """Write n ACLED-like events (2023 layout) to path."""
    import borderstrikes as bs
    from borderstrikes._core.constants import GEOD

    rng = np.random.default_rng(seed)
    places = bs.load_places()
    places = places[places["country"].isin(["AM", "AZ"])].reset_index(drop=True)
    chosen = places.iloc[rng.choice(len(places), size=min(300, len(places)), replace=False)]
    popularity = 1.0 / np.arange(1, len(chosen) + 1) ** 1.1
    which = rng.choice(len(chosen), size=n, p=popularity / popularity.sum())
    lon = chosen.geometry.x.to_numpy()[which]
    lat = chosen.geometry.y.to_numpy()[which]
    spread = rng.random(n) < 0.5
    azimuth = rng.uniform(0, 360, n)
    distance = rng.uniform(0, 10_000, n) * spread
    lon, lat, _ = GEOD.fwd(lon, lat, azimuth, distance)
    day0 = np.datetime64("2021-05-01")
    days = day0 + rng.integers(0, 730, n).astype("timedelta64[D]")
    with open(TEMPLATE, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        template = next(reader)
    country = {"AM": ("Armenia", 51), "AZ": ("Azerbaijan", 31)}
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        for i in range(n):
            place = chosen.iloc[which[i]]
            name, iso = country[place["country"]]
            row = dict(template)
            row.update(
                event_id_cnty=f"{place['country']}{i + 1:06d}",
                event_date=str(days[i]),
                year=str(days[i])[:4],
                time_precision=str(rng.choice([1, 1, 1, 2, 3])),
                iso=str(iso),
                country=name,
                admin1=place["admin1_name"],
                admin2="",
                location=place["name"],
                latitude=f"{lat[i]:.4f}",
                longitude=f"{lon[i]:.4f}",
                geo_precision="1" if not spread[i] else "2",
                notes=f"Synthetic event {i} near {place['name']}.",
                fatalities=str(int(rng.integers(0, 3))),
                timestamp=str(1_650_000_000 + i),
            )
            writer.writerow(row)


def run_report(args: list[str]) -> tuple[float, dict[str, float]]:
    from borderstrikes.cli import main

    err = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
    total = time.perf_counter() - start
    if code != 0:
        raise SystemExit(err.getvalue()[-3000:])
    steps = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"^(.*): done in ([\d.]+) s$", err.getvalue(), flags=re.M)
    }
    return total, steps


def floor_seconds(events_csv: Path | None) -> float:
    """Read the events (if any) and measure distances: what no report can skip."""
    import borderstrikes as bs

    if events_csv is None:
        bs.load_strikes()  # the packaged table is cached after its first load
    start = time.perf_counter()
    if events_csv is None:
        strikes = bs.load_strikes()
    else:
        strikes, _ = bs.read_acled(events_csv)
    bs.distance_to_border(strikes)
    return time.perf_counter() - start


def mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.2f} MB" if path.exists() else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores")
    print(f"load average before: {os.getloadavg()}")
    import borderstrikes  # imports outside the timings

    del borderstrikes
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        rows = []
        runs = [("packaged (88 reports)", None)]
        if options.events:
            events = tmp_path / "acled.csv"
            make_acled(events, options.events, options.seed)
            runs.append((f"{options.events:,} ACLED-like events", events))
        for name, events in runs:
            out = tmp_path / f"out-{len(rows)}"
            argv = ["report", "--out", str(out)]
            if events is not None:
                argv += ["--events", str(events), "--format", "acled", "--countries", "ARM", "AZE"]
            total, steps = run_report(argv)
            floor = floor_seconds(events)
            rows.append((name, total, floor, steps, out))
        print()
        print(
            "| input | reports in the report | report (s) | floor: read + distances (s) "
            "| ratio | report.html | map.html |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, total, floor, _, out in rows:
            page = (out / "report.html").read_text(encoding="utf-8")
            found = re.search(r"<p>([\d,]+) reports about", page)
            shown = found.group(1) if found else "?"
            print(
                f"| {name} | {shown} | {total:.1f} | {floor:.2f} | {total / floor:.0f}x | "
                f"{mb(out / 'report.html')} | {mb(out / 'map.html')} |"
            )
        print()
        for name, total, _, steps, _ in rows:
            parts = ", ".join(f"{k} {v:.1f}" for k, v in steps.items())
            print(f"{name}: {parts} (seconds; total {total:.1f})")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
