"""Memory bounds of the Monte Carlo functions (issue 13).

``cluster_stability`` drew ``len(strikes) * n`` perturbed points at once
(a MemoryError at 1e6 reports x 100 runs), and ``distance_interval`` measured
all ``n`` samples of a report at once, with no cap on ``n``. Both now work in
blocks of at most ``uncertainty._MAX_SAMPLES`` points; the tests lower that
budget with :func:`unittest.mock.patch` so that small tables cross it, and
count the points of every :func:`uncertainty._samples` call.
"""

from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from borderstrikes import uncertainty
from borderstrikes.uncertainty import cluster_stability, distance_interval

# Kapan centre (2.9 km from the border) and points around it: samples fall on both sides.
KAPAN = (46.40722, 39.20755)


def table(rows, radius_m=8_000.0, seed=0):
    rng = np.random.default_rng(seed)
    lon = KAPAN[0] + rng.uniform(-0.05, 0.05, rows)
    lat = KAPAN[1] + rng.uniform(-0.05, 0.05, rows)
    return gpd.GeoDataFrame(
        {"location_radius_m": [radius_m] * rows},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


class SampleSpy:
    """Wraps ``uncertainty._samples``, recording the points of each call."""

    def __init__(self):
        self.points = []
        self.real = uncertainty._samples

    def __call__(self, lon, lat, radius_m, n, rng):
        self.points.append(len(lon) * n)
        return self.real(lon, lat, radius_m, n, rng)


def spying(budget):
    """Patch the block budget to ``budget`` and spy on the samples drawn."""
    spy = SampleSpy()
    patches = (
        mock.patch.object(uncertainty, "_MAX_SAMPLES", budget),
        mock.patch.object(uncertainty, "_samples", spy),
    )
    return spy, patches


# ----------------------------------------------------------------------- distance_interval


def test_a_report_with_more_samples_than_the_block_is_measured_in_chunks():
    frame = table(3)
    spy, (budget, samples) = spying(40)
    with budget, samples:
        out = distance_interval(frame, n=100, seed=2)
    assert sum(spy.points) == 3 * 100
    assert max(spy.points) <= 40
    assert out["p_inside"].between(0, 1).all()
    assert (out["distance_p5_km"] < out["distance_p95_km"]).all()


@pytest.mark.parametrize("chunk", [1, 7, 40, 99])
def test_chunks_within_a_report_give_the_same_result(chunk):
    frame = table(3)
    # With a budget of n, each report is one block of n samples, measured at once.
    with mock.patch.object(uncertainty, "_MAX_SAMPLES", 100):
        whole = distance_interval(frame, n=100, seed=2)
    with mock.patch.object(uncertainty, "_MAX_SAMPLES", chunk):
        chunked = distance_interval(frame, n=100, seed=2)
    pd.testing.assert_frame_equal(chunked, whole)


def test_chunked_pieces_with_their_stream_position_equal_the_whole():
    frame = table(5)
    seed = np.random.SeedSequence(11)
    with mock.patch.object(uncertainty, "_MAX_SAMPLES", 9):
        whole = distance_interval(frame, n=30, seed=seed)
        pieces = [
            distance_interval(frame.iloc[a:b], n=30, seed=seed, stream_position=(a, 5))
            for a, b in ((0, 2), (2, 5))
        ]
    pd.testing.assert_frame_equal(pd.concat(pieces), whole)
    with mock.patch.object(uncertainty, "_MAX_SAMPLES", 30):
        pd.testing.assert_frame_equal(distance_interval(frame, n=30, seed=seed), whole)


def test_n_beyond_the_cap_is_refused_before_any_sampling():
    def no_sampling(*args):
        msg = "distance_interval started sampling 1,000,001 points per report"
        raise AssertionError(msg)

    refused = r"n must be an integer from 1 to 1,000,000 \(got 1000001\)"
    with (
        mock.patch.object(uncertainty, "_samples", no_sampling),
        pytest.raises(ValueError, match=refused),
    ):
        distance_interval(table(1), n=1_000_001)


# ----------------------------------------------------------------------- cluster_stability


def test_stability_draws_blocks_of_runs_within_the_budget():
    frame = table(9)
    spy, (budget, samples) = spying(20)  # two runs of 9 reports per block
    with budget, samples:
        out = cluster_stability(frame, n=10, seed=4, eps_km=3, min_samples=3)
    assert max(spy.points) <= 20
    assert spy.points == [18] * 5
    assert out["stability"].between(0, 1).all()


def test_stability_with_more_reports_than_the_budget_draws_one_run_at_a_time():
    frame = table(9)
    spy, (budget, samples) = spying(4)
    with budget, samples:
        cluster_stability(frame, n=6, seed=4, eps_km=3, min_samples=3)
    assert spy.points == [9] * 6  # a run needs every report; never 9 x 6 at once


def test_stability_in_blocks_is_seeded_and_one_block_is_unchanged():
    frame = table(9)
    kwargs = {"n": 10, "seed": 4, "eps_km": 3, "min_samples": 3}
    default = cluster_stability(frame, **kwargs)
    with mock.patch.object(uncertainty, "_MAX_SAMPLES", 90):  # exactly one block
        pd.testing.assert_frame_equal(cluster_stability(frame, **kwargs), default)
    with mock.patch.object(uncertainty, "_MAX_SAMPLES", 20):
        first = cluster_stability(frame, **kwargs)
        again = cluster_stability(frame, **kwargs)
    pd.testing.assert_frame_equal(first, again)
    assert first["cluster"].equals(default["cluster"])
    assert first["stability"].between(0, 1).all()
