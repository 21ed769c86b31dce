"""Benchmark the interactive map page: size and build time at 88 and 40,000 reports.

Compares :func:`borderstrikes.viz.interactive.interactive_map_html` with the
obvious alternative, geopandas' ``GeoDataFrame.explore()`` (folium, one
marker per row, every column in a popup) of the same points, rendered to an
HTML string the same way. With ``--browser`` each page of ours is also
opened in headless Chromium, which reports how long after navigation start
the map's script had drawn its symbols.

The 40,000 events are synthetic and seeded, shaped like an ACLED export of
the region: half sit exactly on one of 300 place centroids (Zipf-like
popularity), half are scattered over Armenia and Azerbaijan (lon 43.4-50.4,
lat 38.4-41.9); dates spread over two years, 10 % coded to a week
(an interval of 7 days), precisions settlement / area / region with the
schema's default radii.

Usage::

    python benchmarks/bench_interactive.py            # 88 and 40,000
    python benchmarks/bench_interactive.py --browser  # plus Chromium timings
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

KINDS = ["impact", "direction", "ground_fighting", "displacement_only", "claimed_firing_point"]
PRECISION = {"settlement": 2000.0, "area": 5000.0, "region": 25000.0}


def make_events(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` ACLED-like events (see the module's notes), EPSG:4326."""
    rng = np.random.default_rng(seed)
    n_places = 300
    place_lon = rng.uniform(43.4, 50.4, n_places)
    place_lat = rng.uniform(38.4, 41.9, n_places)
    popularity = 1.0 / np.arange(1, n_places + 1) ** 1.1
    popularity /= popularity.sum()
    on_place = n // 2
    which = rng.choice(n_places, on_place, p=popularity)
    lon = np.concatenate([place_lon[which], rng.uniform(43.4, 50.4, n - on_place)])
    lat = np.concatenate([place_lat[which], rng.uniform(38.4, 41.9, n - on_place)])
    place = [f"Place {k}" for k in which] + [f"Village {i}" for i in range(n - on_place)]
    date = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    week = rng.random(n) < 0.1
    start = date - pd.to_timedelta(np.where(week, 3, 0), unit="D")
    end = date + pd.to_timedelta(np.where(week, 3, 0), unit="D")
    precision = rng.choice(list(PRECISION), n, p=[0.7, 0.2, 0.1])
    return gpd.GeoDataFrame(
        {
            "report_id": [f"ACLED:ARM{i}" for i in range(n)],
            "place": place,
            "date": date,
            "date_start": start,
            "date_end": end,
            "evidence": rng.choice(KINDS, n, p=[0.5, 0.2, 0.15, 0.1, 0.05]),
            "claimant": rng.choice(["Armenian MOD", "Azerbaijani MOD", "Local officials"], n),
            "source_outlet": rng.choice(["Armenpress", "APA", "News.am", "Report.az"], n),
            "location_precision": precision,
            "location_radius_m": pd.Series(precision).map(PRECISION).to_numpy(),
            "coord_source": [f"ACLED latitude/longitude of {p!r}" for p in place],
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def plain_explore(frame: gpd.GeoDataFrame):
    """``frame.explore()``; without mapclassify (which explore() requires), the same core.

    explore() draws points as one folium ``GeoJson`` layer of circle markers
    with a tooltip of every column; the fallback builds exactly that.
    """
    try:
        return frame.explore()
    except ImportError:
        import folium

        m = folium.Map(tiles="OpenStreetMap")
        fields = [c for c in frame.columns if c != frame.geometry.name]
        data = frame.assign(**{c: frame[c].astype(str) for c in fields})
        folium.GeoJson(
            data,
            marker=folium.CircleMarker(radius=4, fill=True),
            tooltip=folium.GeoJsonTooltip(fields=fields),
        ).add_to(m)
        m.fit_bounds(
            [
                [frame.total_bounds[1], frame.total_bounds[0]],
                [frame.total_bounds[3], frame.total_bounds[2]],
            ]
        )
        return m


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def chromium_ms(page: str) -> dict | None:
    """Open ``page`` in headless Chromium; return what the probe measured (None: no Chromium)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    probe = (
        "<script>window.addEventListener('load', function () { setTimeout(function () {"
        "var pre = document.createElement('pre'); pre.id = 'bs-probe';"
        "pre.textContent = JSON.stringify({ms: Math.round(performance.now()),"
        "symbols: document.querySelectorAll('.bs-report-icon').length});"
        "document.body.appendChild(pre); }, 0); });</script>"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.html"
        path.write_text(page.rstrip().removesuffix("</html>") + probe + "</html>", "utf-8")
        result = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--user-data-dir={folder}/profile",
                "--window-size=1200,850",
                "--virtual-time-budget=30000",
                "--dump-dom",
                path.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    found = re.search(r'<pre id="bs-probe">(.*?)</pre>', result.stdout, flags=re.DOTALL)
    return json.loads(found.group(1).replace("&quot;", '"')) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[40_000])
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    parser.add_argument("--no-explore", action="store_true", help="skip GeoDataFrame.explore()")
    args = parser.parse_args()

    import borderstrikes
    from borderstrikes.viz.interactive import interactive_map_html

    print(f"load average before: {os.getloadavg()}")
    inputs = [("packaged", borderstrikes.load_strikes())]
    inputs += [(f"synthetic {n:,}", make_events(n)) for n in args.sizes]
    interactive_map_html(inputs[0][1].iloc[:2])  # warm up: imports, shipped layers
    rows = []
    for name, frame in inputs:
        page, seconds = timed(interactive_map_html, frame)
        row = {
            "input": name,
            "n": len(frame),
            "ours_s": round(seconds, 2),
            "ours_MB": round(len(page.encode()) / 1e6, 2),
            "symbols": int(re.search(r"behind (\d+) symbols", page).group(1)),
        }
        if args.browser:
            seen = chromium_ms(page)
            row["chromium_ms"] = seen and seen["ms"]
            row["chromium_symbols"] = seen and seen["symbols"]
        if not args.no_explore:
            explore = frame.drop(columns=["place_variants", "weapons"], errors="ignore")
            m, seconds_map = timed(plain_explore, explore)
            text, seconds_render = timed(m.get_root().render)
            row["explore_s"] = round(seconds_map + seconds_render, 2)
            row["explore_MB"] = round(len(text.encode()) / 1e6, 2)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(pd.DataFrame(rows).to_string(index=False))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
