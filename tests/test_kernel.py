"""The compiled candidate search and the threads of distance_to_border.

Oracles: the brute-force GeographicLib search of ``tests/oracles.py`` for the
numpy path (``tests/test_geodesy.py`` holds the default path to it too), and
the other path, thread count or split for bitwise agreement, which needs no
oracle: a result that changes with the path (numba installed or not), the
number of threads or the split into chunks is wrong whatever its value.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from borderstrikes import border as border_module
from borderstrikes.border import distance_to_border
from borderstrikes.datasets import load_border
from borderstrikes.geodesy import BorderIndex, kernels

sys.path.insert(0, str(Path(__file__).parent))
import oracles

GEOD = Geod(ellps="WGS84")
BANDS_M = [(0.0, 1e3), (1e3, 1e4), (1e4, 1e5), (1e5, 4e5), (4e5, 2e6)]

needs_numba = pytest.mark.skipif(
    not kernels.ENABLED, reason="numba is not installed (the 'fast' extra)"
)


@pytest.fixture(scope="module")
def lines():
    return oracles.line_parts(load_border())


@pytest.fixture(scope="module")
def index(lines):
    return BorderIndex(lines)


def band_points(lines, lo, hi, n, seed):
    rng = np.random.default_rng(seed)
    vertices = np.concatenate(lines)
    start = vertices[rng.integers(0, len(vertices), n)]
    lon, lat, _ = GEOD.fwd(
        start[:, 0], start[:, 1], rng.uniform(-180, 180, n), rng.uniform(lo, hi, n)
    )
    return np.asarray(lon), np.asarray(lat)


def box_points(n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(43.4, 47.0, n), rng.uniform(38.8, 41.4, n)


@pytest.fixture
def numpy_path(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", False)


def test_numpy_path_meets_the_contract_in_every_band(lines, index, numpy_path):
    assert not kernels.ENABLED
    for number, (lo, hi) in enumerate(BANDS_M):
        lon, lat = band_points(lines, lo, hi, 12, seed=100 + number)
        expected = oracles.distance_to_line(lon, lat, lines)[0]
        got = index.query(lon, lat)["distance_m"]
        assert np.abs(got - expected).max() <= 2e-6, (lo, hi)


@needs_numba
def test_compiled_and_numpy_paths_give_the_same_bits(lines, index, monkeypatch):
    parts = [box_points(20_000, 1)]
    parts += [band_points(lines, lo, hi, 400, seed=n) for n, (lo, hi) in enumerate(BANDS_M)]
    lon = np.concatenate([p[0] for p in parts] + [[np.nan, 45.0]])
    lat = np.concatenate([p[1] for p in parts] + [[40.0, np.nan]])
    assert lon.size >= kernels.MIN_POINTS
    compiled = index.query(lon, lat)
    monkeypatch.setattr(kernels, "ENABLED", False)
    plain = index.query(lon, lat)
    # The kernels do only exactly rounded arithmetic, in the numpy path's order.
    for key, value in plain.items():
        np.testing.assert_array_equal(compiled[key], value, strict=True, err_msg=key)
    assert np.array_equal(compiled["part"] >= 0, np.isfinite(lon) & np.isfinite(lat))


@pytest.mark.parametrize("path", ["compiled", "numpy"])
def test_result_does_not_depend_on_threads_or_chunks(path, monkeypatch):
    if path == "numpy":
        monkeypatch.setattr(kernels, "ENABLED", False)
    elif not kernels.ENABLED:
        pytest.skip("numba is not installed (the 'fast' extra)")
    monkeypatch.setattr(border_module, "_TASK_POINTS", 700)  # many chunks from few points
    monkeypatch.setattr(kernels, "MIN_POINTS", 500)  # chunks of 400 take the numpy path
    lon, lat = box_points(3_000, 7)
    lon[[5, 2_000]] = np.nan
    index = pd.Index(np.arange(lon.size)[::-1] * 3)
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=index, crs="EPSG:4326")
    one = distance_to_border(points, unit="m", threads=1)
    for threads in (2, 3):
        pd.testing.assert_frame_equal(
            distance_to_border(points, unit="m", threads=threads), one, check_exact=True
        )
    # dask-style partitions: each piece alone, in another order, then put back
    pieces = [points.iloc[1_700:], points.iloc[:400], points.iloc[400:1_700]]
    again = pd.concat([distance_to_border(p, unit="m", threads=2) for p in pieces])
    pd.testing.assert_frame_equal(again.loc[one.index], one, check_exact=True)


@pytest.mark.parametrize("threads", [0, -1, 1.5, True, "2"])
def test_threads_must_be_a_positive_integer(threads):
    points = gpd.GeoSeries(gpd.points_from_xy([45.0], [40.0]), crs="EPSG:4326")
    with pytest.raises(ValueError, match="threads must be a positive integer"):
        distance_to_border(points, threads=threads)


def test_a_small_call_does_not_import_numba():
    # borderstrikes report measures 88 strikes: no numba import, no compile, same bits
    import subprocess

    code = (
        "import sys, geopandas as gpd, borderstrikes as bs; "
        "p = gpd.GeoSeries(gpd.points_from_xy([45.3, 46.0], [40.35, 40.0]), crs=4326); "
        "bs.distance_to_border(p); sys.exit('numba' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
