"""Location uncertainty: distance intervals and cluster stability."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from borderstrikes import datasets, uncertainty
from borderstrikes.areas import geodesic_area, geodesic_buffer
from borderstrikes.errors import CRSError
from borderstrikes.strikes import LOCATION_PRECISIONS, PRECISION_RADIUS_M
from borderstrikes.uncertainty import (
    PRECISION_FROM_ACLED,
    PRECISION_FROM_UCDP,
    _jaccard,
    cluster_stability,
    distance_interval,
    location_radius_m,
)

JERMUK = (45.67112, 39.83948)
# Kapan centre: the stand-in point of Nerkin Hand (region precision, 25 km), 2.9 km from the border
KAPAN = (46.40722, 39.20755)


def reports(points, radii, index=None, **columns):
    lon, lat = zip(*points, strict=True)
    frame = gpd.GeoDataFrame(
        {"location_radius_m": radii, **columns},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
        index=index,
    )
    return frame


def test_exact_point_has_a_zero_width_interval():
    out = distance_interval(reports([JERMUK], [0.0], index=["r1"]), n=50)
    row = out.loc["r1"]
    assert row["distance_p5_km"] == row["distance_p50_km"] == row["distance_p95_km"]
    assert row["distance_p50_km"] == row["distance_km"]
    assert row["p_inside"] == 1.0


def test_region_point_straddling_the_border_has_a_fractional_p_inside():
    out = distance_interval(reports([KAPAN], [25_000.0]), n=400)
    row = out.iloc[0]
    assert 0.0 < row["p_inside"] < 1.0
    assert row["distance_p5_km"] < 0.0 < row["distance_p95_km"]


def test_p_inside_matches_the_area_share_of_the_disc():
    # Independent oracle: the share of the geodesic disc's area inside Armenia.
    n = 4000
    out = distance_interval(reports([KAPAN], [25_000.0]), n=n, seed=1)
    disc = geodesic_buffer(gpd.GeoSeries([shapely.Point(KAPAN)], crs=4326), distance_km=25)
    armenia = datasets.load_boundaries(0, countries=["ARM"]).geometry.union_all()
    share = geodesic_area(disc.intersection(armenia)).iloc[0] / geodesic_area(disc).iloc[0]
    sigma = np.sqrt(share * (1 - share) / n)
    assert out["p_inside"].iloc[0] == pytest.approx(share, abs=4 * sigma)


def test_interval_is_reproducible_and_seeded():
    frame = reports([KAPAN, JERMUK], [25_000.0, 3_000.0])
    first = distance_interval(frame, n=200, seed=7)
    again = distance_interval(frame, n=200, seed=7)
    other = distance_interval(frame, n=200, seed=8)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


def test_interval_keeps_the_index_and_handles_missing_points():
    frame = reports([JERMUK, KAPAN], [3_000.0, 0.0], index=[30, 10])
    frame.loc[10, "geometry"] = None
    out = distance_interval(frame, n=50)
    assert list(out.index) == [30, 10]
    assert out.loc[10, ["distance_km", "p_inside"]].isna().all()
    assert out.loc[30, "location_radius_m"] == 3_000.0
    assert out.loc[30, "distance_p5_km"] < out.loc[30, "distance_p95_km"]


def test_packaged_reports():
    strikes = datasets.load_strikes()
    out = distance_interval(strikes, n=100)
    assert out.index.equals(strikes.index)
    assert (out["distance_p5_km"] <= out["distance_p95_km"]).all()
    assert out["p_inside"].between(0, 1).all()


def test_location_radius_from_precision():
    frame = reports([JERMUK, KAPAN], [np.nan, 7_000.0], location_precision=["area", "region"])
    radius = location_radius_m(frame)
    assert radius.tolist() == [PRECISION_RADIUS_M["area"], 7_000.0]
    only_precision = frame.drop(columns="location_radius_m")
    assert location_radius_m(only_precision).tolist() == [5_000.0, 25_000.0]


def test_location_radius_bad_input():
    frame = reports([JERMUK], [1_000.0])
    with pytest.raises(ValueError, match="needs a location_radius_m or a location_precision"):
        location_radius_m(frame.drop(columns="location_radius_m"))
    with pytest.raises(ValueError, match="location_precision must be one of"):
        location_radius_m(frame.assign(location_precision="village"))
    with pytest.raises(ValueError, match="must be a number >= 0"):
        location_radius_m(frame.assign(location_radius_m=-5.0))
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        distance_interval(frame, n=0)
    with pytest.raises(CRSError, match="has no CRS"):
        distance_interval(frame.set_crs(None, allow_override=True), n=10)


@pytest.mark.parametrize("budget", [None, 60])
def test_pieces_with_their_stream_position_equal_the_whole(monkeypatch, budget):
    if budget:  # blocks of two rows: pieces start and end inside blocks
        monkeypatch.setattr(uncertainty, "_MAX_SAMPLES", budget)
    rng = np.random.default_rng(4)
    frame = reports(
        list(zip(rng.uniform(45.0, 46.5, 9), rng.uniform(39.2, 40.5, 9), strict=True)),
        rng.choice([0.0, 2_000.0, 25_000.0], 9),
    )
    frame.loc[[0, 5], "geometry"] = None  # rows without a point take no place in the stream
    seed = np.random.SeedSequence(8)
    whole = distance_interval(frame, n=30, seed=seed)
    located = (~frame.geometry.isna()).cumsum().to_numpy()
    pieces = [
        distance_interval(
            frame.iloc[a:b], n=30, seed=seed, stream_position=(located[a - 1] if a else 0, 7)
        )
        for a, b in ((0, 3), (3, 4), (4, 9))
    ]
    pd.testing.assert_frame_equal(pd.concat(pieces), whole)


def test_stream_position_needs_a_seed_and_room():
    frame = reports([JERMUK, KAPAN], [1_000.0, 2_000.0])
    with pytest.raises(ValueError, match="seed=None cannot be used with stream_position"):
        distance_interval(frame, n=5, seed=None, stream_position=(0, 2))
    with pytest.raises(ValueError, match="seed must be None, an integer"):
        distance_interval(frame, n=5, seed=np.random.default_rng(0), stream_position=(0, 2))
    with pytest.raises(ValueError, match="stream_position must be"):
        distance_interval(frame, n=5, stream_position=(1, 2))


def test_precision_cross_walk_tables():
    assert sorted(PRECISION_FROM_ACLED) == [1, 2, 3]
    assert sorted(PRECISION_FROM_UCDP) == [1, 2, 3, 4, 5, 6, 7]
    known = set(LOCATION_PRECISIONS) | {None}
    assert set(PRECISION_FROM_ACLED.values()) <= known
    assert set(PRECISION_FROM_UCDP.values()) <= known
    # GED codes a village-level event to the village's coordinates: settlement, not 100 m.
    assert PRECISION_FROM_UCDP[1] == "settlement"
    assert PRECISION_FROM_UCDP[6] is None


# ----------------------------------------------------------------------------- clusters


def test_jaccard_by_hand():
    base = np.array([0, 0, 0, -1, -2])  # noise already made singletons
    run = np.array([0, 0, 5, 5, -2])
    # row 0: {0,1,2} vs {0,1} -> 2/3; row 2: {0,1,2} vs {2,3} -> 1/4; row 3: {3} vs {2,3} -> 1/2
    assert _jaccard(base, run).tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 4, 1 / 2, 1.0])


def two_groups(radius_m):
    points = [(45.00, 40.00), (45.01, 40.00), (45.00, 40.01), (45.01, 40.01)]
    points += [(45.50, 40.50), (45.51, 40.50), (45.50, 40.51), (45.51, 40.51), (46.0, 41.0)]
    return reports(points, [radius_m] * 9, index=list("abcdefghi"))


def test_exact_points_are_perfectly_stable():
    out = cluster_stability(two_groups(0.0), n=5, eps_km=3, min_samples=3)
    assert list(out.index) == list("abcdefghi")
    assert out["cluster"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1, -1]
    assert out["stability"].tolist() == [1.0] * 9  # the noise point stays noise: Jaccard 1
    assert out.loc["i", "p_noise"] == 1.0


def test_coarse_points_are_less_stable_and_seeded():
    frame = two_groups(4_000.0)
    out = cluster_stability(frame, n=30, seed=3, eps_km=3, min_samples=3)
    assert out["stability"].between(0, 1).all()
    assert out["stability"].iloc[:8].mean() < 1.0
    again = cluster_stability(frame, n=30, seed=3, eps_km=3, min_samples=3)
    pd.testing.assert_frame_equal(out, again)


def test_stability_leaves_out_excluded_reports():
    frame = two_groups(0.0).assign(evidence=["impact"] * 8 + ["displacement_only"])
    out = cluster_stability(frame, n=3, eps_km=3, min_samples=3)
    assert out.loc["i", ["stability", "mean_jaccard", "p_noise"]].isna().all()


def test_stability_bad_input():
    with pytest.raises(ValueError, match="needs eps_km"):
        cluster_stability(two_groups(0.0), n=3)
    with pytest.raises(ValueError, match="threshold must be"):
        cluster_stability(two_groups(0.0), n=3, threshold=0, eps_km=3)
