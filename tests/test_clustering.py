import functools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from scipy.sparse.csgraph import connected_components

import borderstrikes as bs
from borderstrikes.clustering import (
    DEFAULT_EPS_KM,
    DEFAULT_MIN_SAMPLES,
    cluster_strikes,
    dbscan,
    describe_clusters,
    k_distance,
)
from borderstrikes.clustering.dbscan import RHO_MIN_M
from borderstrikes.clustering.times import time_intervals
from borderstrikes.errors import BorderstrikesWarning, CRSError, GeometryError
from borderstrikes.geodesy.ellipsoid import ecef

GEOD = pyproj.Geod(ellps="WGS84")


def points(lon, lat, crs="EPSG:4326", **columns):
    return gpd.GeoDataFrame(
        columns, geometry=gpd.points_from_xy(lon, lat), crs=crs, index=columns.pop("index", None)
    )


def fwd(lon, lat, az_deg, dist_m):
    lon2, lat2, _ = GEOD.fwd(lon, lat, az_deg, dist_m)
    return float(lon2), float(lat2)


def geodesic_matrix_m(lon, lat):
    n = len(lon)
    a, b = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    _, _, d = GEOD.inv(lon[a.ravel()], lat[a.ravel()], lon[b.ravel()], lat[b.ravel()])
    return np.asarray(d).reshape(n, n)


def brute_force_dbscan(lon, lat, eps_km, min_samples, weight=None, t0=None, t1=None, t_ns=None):
    """Textbook DBSCAN on the full geodesic distance matrix, with the documented tie rule."""
    n = len(lon)
    weight = np.ones(n) if weight is None else weight
    dist = geodesic_matrix_m(lon, lat)
    near = dist <= eps_km * 1000
    gap = np.zeros((n, n))
    if t_ns is not None:
        gap = np.maximum(np.maximum(t0[None, :] - t1[:, None], t0[:, None] - t1[None, :]), 0)
        near &= gap <= t_ns
    core = (near * weight[None, :]).sum(axis=1) >= min_samples
    _, component = connected_components(near & core[:, None] & core[None, :], directed=False)
    label = np.where(core, component, -1)
    start = np.zeros(n) if t0 is None else t0
    end = np.zeros(n) if t1 is None else t1
    lon_norm = np.where(lon >= 180, lon - 360, lon)
    for i in np.flatnonzero(~core):
        js = np.flatnonzero(near[i] & core)
        if len(js):
            order = np.lexsort((end[js], start[js], lat[js], lon_norm[js], gap[i, js], dist[i, js]))
            label[i] = label[js[order[0]]]
    return label


def same_partition(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if ((a == -1) != (b == -1)).any():
        return False
    m = a >= 0
    return len(set(zip(a[m], b[m], strict=True))) == len(set(a[m])) == len(set(b[m]))


# ---------------------------------------------------------------------------
# exact geodesic neighbourhoods


@pytest.mark.parametrize(
    ("lon", "lat", "az"),
    [
        (45.3, 39.8, 0.0),  # Armenia, north
        (45.3, 39.8, 63.0),
        (179.99, 10.0, 90.0),  # crosses the antimeridian eastwards
        (-179.99, -33.0, 270.0),  # and westwards
        (20.0, 78.0, 90.0),  # Svalbard latitude, east-west
        (20.0, 78.0, 35.0),
        (179.995, 78.0, 90.0),  # both at once
    ],
)
@pytest.mark.parametrize("eps_km", [0.5, 10.0, 40.0])
@pytest.mark.parametrize(("offset_m", "joined"), [(-0.001, True), (0.001, False)])
def test_groups_join_or_split_at_eps(lon, lat, az, eps_km, offset_m, joined):
    # two groups of three co-located reports; their geodesic separation is
    # eps_km -/+ 1 mm, so no planar or spherical shortcut would get both right
    lon2, lat2 = fwd(lon, lat, az, eps_km * 1000 + offset_m)
    strikes = points([lon] * 3 + [lon2] * 3, [lat] * 3 + [lat2] * 3)
    labels = cluster_strikes(strikes, eps_km=eps_km, min_samples=3)
    if joined:
        assert labels.tolist() == [0] * 6
    else:
        assert sorted(labels.tolist()) == [0, 0, 0, 1, 1, 1]
        assert labels.iloc[0] != labels.iloc[3]


def test_antimeridian_group_is_one_cluster():
    lon = np.array([179.995, -179.995, 179.99, -179.99, 180.0])
    lat = np.array([0.0, 0.0, 0.01, -0.01, 0.005])
    labels = cluster_strikes(points(lon, lat), eps_km=3, min_samples=3)
    assert labels.tolist() == [0] * 5


def test_high_latitude_east_west_is_not_planar():
    # at 78° N one degree of longitude is ~23 km, not 111 km, and Web
    # Mercator would stretch it almost five-fold
    strikes = points([20.0, 21.0, 21.0], [78.0, 78.0, 78.0])
    d_km = GEOD.inv(20.0, 78.0, 21.0, 78.0)[2] / 1000
    assert 23 < d_km < 24
    assert cluster_strikes(strikes, eps_km=d_km + 1e-6, min_samples=1).tolist() == [0, 0, 0]
    assert cluster_strikes(strikes, eps_km=d_km - 1e-6, min_samples=1).tolist() == [1, 0, 0]


@pytest.mark.parametrize("listed", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_dbscan(monkeypatch, seed, listed):
    # sparse data lists every pair at once; the other way never does
    monkeypatch.setattr(dbscan, "_LIST_PER_SITE", 10**9 if listed else 0)
    rng = np.random.default_rng(seed)
    n = 150
    centre_lon, centre_lat = [(45.5, 40.0), (179.97, 5.0), (10.0, 78.0), (0.0, 89.9)][seed % 4]
    lon = centre_lon + rng.normal(0, 0.04, n) / math.cos(math.radians(min(centre_lat, 80)))
    lat = np.clip(centre_lat + rng.normal(0, 0.04, n), -90, 90)
    copy = rng.random(n) < 0.3
    pick = rng.integers(0, n, n)
    lon, lat = np.where(copy, lon[pick], lon), np.where(copy, lat[pick], lat)
    lon = (lon + 180) % 360 - 180
    weight = rng.integers(0, 3, n).astype(float) if seed % 2 else None
    eps_km, min_samples = 1.5 + seed / 2, 2 + seed % 4
    labels = cluster_strikes(
        points(lon, lat), eps_km=eps_km, min_samples=min_samples, weight=weight
    )
    expected = brute_force_dbscan(lon, lat, eps_km, min_samples, weight)
    assert same_partition(labels, expected)


@pytest.mark.parametrize("budget", [1, 1000])
def test_small_memory_budget_gives_same_labels(monkeypatch, budget):
    rng = np.random.default_rng(7)
    lon, lat = 45 + rng.normal(0, 0.05, 400), 40 + rng.normal(0, 0.05, 400)
    strikes = points(lon, lat)
    expected = cluster_strikes(strikes, eps_km=1.0, min_samples=30)
    monkeypatch.setattr(dbscan, "_PAIR_BUDGET", budget)
    pd.testing.assert_series_equal(cluster_strikes(strikes, eps_km=1.0, min_samples=30), expected)
    assert same_partition(expected, brute_force_dbscan(lon, lat, 1.0, 30))


# ---------------------------------------------------------------------------
# no quadratic case: core points by counting, clusters by linked cells (issue 16)


def core_flags(lon, lat, eps_km, min_samples, weight=None):
    """Core flag of every row from the engine (the public API returns labels only)."""
    weight = np.ones(len(lon)) if weight is None else np.asarray(weight, dtype=float)
    sites = dbscan.Sites(np.asarray(lon), np.asarray(lat), weight, None, None)
    engine = dbscan.Dbscan(sites, eps_km * 1000.0, min_samples, None)
    engine.run()
    return engine.core[sites.inverse]


def dense_patch(seed, n, box_m, copies=0.3):
    """n reports in a box_m square near Yerevan, some of them on the same point."""
    rng = np.random.default_rng(seed)
    lon = 44.5 + rng.uniform(0, box_m, n) / 85_000.0
    lat = 40.2 + rng.uniform(0, box_m, n) / 111_000.0
    pick, copy = rng.integers(0, n, n), rng.random(n) < copies
    return np.where(copy, lon[pick], lon), np.where(copy, lat[pick], lat)


@pytest.mark.parametrize(
    ("seed", "n", "box_m", "eps_km", "min_samples", "weighted"),
    [
        (0, 300, 3000, 1.0, 60, False),  # min_samples above every cell's count
        (1, 300, 3000, 1.0, 120, True),
        (2, 400, 1500, 1.0, 250, False),  # most reports within eps of most others
        (3, 300, 20000, 1.0, 4, True),  # sparse: cells of one or two reports
        (4, 300, 8000, 1.0, 10, False),
    ],
)
def test_core_points_identical_to_scikit_learn(seed, n, box_m, eps_km, min_samples, weighted):
    # scikit-learn's DBSCAN on the geodesic distance matrix (pyproj) is the oracle
    sklearn_cluster = pytest.importorskip("sklearn.cluster")
    lon, lat = dense_patch(seed, n, box_m)
    weight = np.random.default_rng(seed).integers(0, 4, n) if weighted else None
    model = sklearn_cluster.DBSCAN(eps=eps_km * 1000.0, min_samples=min_samples,
                                   metric="precomputed")  # fmt: skip
    model.fit(geodesic_matrix_m(lon, lat), sample_weight=weight)
    expected = np.zeros(n, dtype=bool)
    expected[model.core_sample_indices_] = True
    got = core_flags(lon, lat, eps_km, min_samples, weight)
    assert 0 < expected.sum() < n or min_samples <= 4
    np.testing.assert_array_equal(got, expected)
    labels = cluster_strikes(points(lon, lat), eps_km=eps_km, min_samples=min_samples,
                             weight=None if weight is None else weight.astype(float))  # fmt: skip
    assert same_partition(labels, brute_force_dbscan(lon, lat, eps_km, min_samples, weight))
    # noise is the same set in both (border reports may be claimed differently)
    np.testing.assert_array_equal(labels.to_numpy() == -1, model.labels_ == -1)


@pytest.mark.parametrize("few_pairs", [0, 10**9])
def test_cell_joining_steps_give_the_same_labels(monkeypatch, few_pairs):
    # every pair of cells tested pair by pair, or none (nearest-neighbour search)
    lon, lat = dense_patch(5, 500, 12000, copies=0.1)
    expected = brute_force_dbscan(lon, lat, 0.8, 6)
    monkeypatch.setattr(dbscan, "_FEW_PAIRS", few_pairs)
    labels = cluster_strikes(points(lon, lat), eps_km=0.8, min_samples=6)
    assert labels.max() >= 1
    assert same_partition(labels, expected)


#: Ways of weighing a neighbourhood, forced through the engine's thresholds.
WEIGHINGS = {
    "all-pairs-listed": {"_LIST_PER_SITE": 10**9},  # sparse data: one list of pairs
    "count": {"_CUBE_SITES": 10**9},  # no cube bounds: a k-d tree count (or pairs)
    "cubes-then-list": {"_CUBE_SITES": 0, "_FEW_SITES": 10**9},
    "cubes-then-count": {"_CUBE_SITES": 0, "_FEW_SITES": -1, "_COUNT_CHEAPER": 10**9},
    "columns": {"_CUBE_SITES": 0, "_FEW_SITES": -1, "_COUNT_CHEAPER": -1, "_COLUMN_COST": 0},
    "columns-exact-at-once": {
        "_CUBE_SITES": 0, "_FEW_SITES": -1, "_COUNT_CHEAPER": -1, "_COLUMN_COST": 0,
        "_STRIP_STEPS": ((2, True),),
    },
    "columns-three-steps": {
        "_CUBE_SITES": 0, "_FEW_SITES": -1, "_COUNT_CHEAPER": -1, "_COLUMN_COST": 0,
        "_STRIP_STEPS": ((1, False), (4, False), (256, True)),
    },
    "columns-clipped": {
        "_CUBE_SITES": 0, "_FEW_SITES": -1, "_COUNT_CHEAPER": -1, "_COLUMN_COST": 0,
        "clip": True,
    },
}  # fmt: skip


def force_weighing(monkeypatch, name):
    monkeypatch.setattr(dbscan, "_LIST_PER_SITE", 0)  # not the list of all pairs unless asked
    for attribute, value in WEIGHINGS[name].items():
        if attribute == "clip":  # searches clipped to their column whatever the rounding
            init = dbscan._Strips.__init__

            def clipped(self, *args, init=init):
                init(self, *args)
                self.clip = True

            monkeypatch.setattr(dbscan._Strips, "__init__", clipped)
        else:
            monkeypatch.setattr(dbscan, attribute, value)


@functools.cache
def weighed_patch(fractional):
    """A dense patch, its weights, brute-force labels and core flags (computed once)."""
    lon, lat = dense_patch(7, 300, 2500)
    rng = np.random.default_rng(7)
    weight = rng.uniform(0.5, 2.0, 300) if fractional else rng.integers(1, 3, 300).astype(float)
    expected = brute_force_dbscan(lon, lat, 1.0, 150, weight)
    expected_core = ((geodesic_matrix_m(lon, lat) <= 1000.0) * weight).sum(axis=1) >= 150
    assert 0 < expected_core.sum() < 300
    return lon, lat, weight, expected, expected_core


@pytest.mark.parametrize("weighing", sorted(WEIGHINGS))
@pytest.mark.parametrize("fractional", [False, True])
def test_every_way_of_weighing_gives_the_core_points(monkeypatch, weighing, fractional):
    # cube bounds, pair lists, counts on a tree of repeated reports, and
    # columns (coarse or fine, bounds then exact or exact at once), with whole
    # and fractional weights: all give the core points of the distance matrix
    lon, lat, weight, expected, expected_core = weighed_patch(fractional)
    force_weighing(monkeypatch, weighing)
    np.testing.assert_array_equal(core_flags(lon, lat, 1.0, 150, weight), expected_core)
    labels = cluster_strikes(points(lon, lat), eps_km=1.0, min_samples=150, weight=weight)
    assert same_partition(labels, expected)


@pytest.mark.parametrize("weighing", sorted(WEIGHINGS))
@pytest.mark.parametrize(("offset_m", "core"), [(-0.001, True), (0.001, False)])
def test_core_decided_by_a_report_at_eps_within_a_millimetre(monkeypatch, weighing, offset_m, core):
    # 7 reports within eps of the centre, the 8th at eps -/+ 1 mm
    ring = [fwd(45.0, 40.0, az, 400.0) for az in range(0, 360, 60)]
    far = fwd(45.0, 40.0, 200.0, 1000.0 + offset_m)
    lon = np.array([45.0] + [p[0] for p in ring] + [far[0]])
    lat = np.array([40.0] + [p[1] for p in ring] + [far[1]])
    force_weighing(monkeypatch, weighing)
    assert bool(core_flags(lon, lat, 1.0, 8)[0]) is core
    labels = cluster_strikes(points(lon, lat), eps_km=1.0, min_samples=8)
    assert same_partition(labels, brute_force_dbscan(lon, lat, 1.0, 8))


@pytest.mark.parametrize("seed", range(4))
def test_columns_match_brute_force_anywhere(monkeypatch, seed):
    # the columns' local frame near the antimeridian, the pole, and over a
    # region wide enough to curve (many columns across the normal)
    rng = np.random.default_rng(seed)
    n = 200
    centre_lon, centre_lat, spread = [(179.99, 5.0, 0.02), (0.0, 89.95, 0.03),
                                      (45.0, 40.0, 3.0), (10.0, -60.0, 0.05)][seed]  # fmt: skip
    lon = centre_lon + rng.normal(0, spread, n) / math.cos(math.radians(min(abs(centre_lat), 80)))
    lat = np.clip(centre_lat + rng.normal(0, spread, n), -90, 90)
    lon = (lon + 180) % 360 - 180
    if seed == 2:  # groups far apart in a wide region: dense where they are
        group = rng.integers(0, 5, n)
        lon = rng.uniform(43, 47, 5)[group] + rng.normal(0, 0.01, n)
        lat = rng.uniform(38, 41, 5)[group] + rng.normal(0, 0.01, n)
    eps_km = 1.5
    dist = geodesic_matrix_m(lon, lat)
    min_samples = int(np.median((dist <= eps_km * 1000).sum(axis=1)))  # near the threshold
    force_weighing(monkeypatch, "columns")
    expected_core = (dist <= eps_km * 1000).sum(axis=1) >= min_samples
    assert 0 < expected_core.sum() < n
    np.testing.assert_array_equal(core_flags(lon, lat, eps_km, min_samples), expected_core)
    labels = cluster_strikes(points(lon, lat), eps_km=eps_km, min_samples=min_samples)
    assert same_partition(labels, brute_force_dbscan(lon, lat, eps_km, min_samples))


def test_large_weights_use_the_pair_count():
    # weights too large to repeat every report: the same labels by listing pairs
    lon, lat = dense_patch(6, 200, 3000)
    weight = np.full(200, 1000.0)
    labels = cluster_strikes(points(lon, lat), eps_km=0.5, min_samples=20_000, weight=weight)
    assert same_partition(labels, brute_force_dbscan(lon, lat, 0.5, 20_000, weight))


def test_chord_arc_bound_holds():
    # the screening bound: chord <= geodesic <= 2 rho asin(chord / (2 rho))
    rng = np.random.default_rng(1)
    lon1, lat1 = rng.uniform(-180, 180, 3000), rng.uniform(-90, 90, 3000)
    dist = np.exp(rng.uniform(np.log(1.0), np.log(1e6), 3000))
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, rng.uniform(0, 360, 3000), dist)
    chord = np.linalg.norm(
        ecef(lon1, lat1) - ecef(np.asarray(lon2), np.asarray(lat2)),
        axis=1,
    )
    geodesic = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    rho = RHO_MIN_M
    assert (chord <= geodesic + 1e-6).all()
    assert (geodesic <= 2 * rho * np.arcsin(chord / (2 * rho)) + 1e-6).all()


# ---------------------------------------------------------------------------
# co-located reports and weights


def test_hundred_identical_points_form_one_cluster():
    strikes = points([45.67] * 100, [39.84] * 100)
    labels = cluster_strikes(strikes, eps_km=0.1, min_samples=5)
    assert labels.tolist() == [0] * 100


def test_colocated_reports_count_towards_min_samples():
    strikes = points([45.0] * 4 + [46.0], [40.0] * 4 + [40.0])
    assert cluster_strikes(strikes, eps_km=1, min_samples=4).tolist() == [0, 0, 0, 0, -1]
    assert cluster_strikes(strikes, eps_km=1, min_samples=5).tolist() == [-1] * 5


def test_weights_column_and_array_agree():
    lon2, lat2 = fwd(45.0, 40.0, 90.0, 500.0)
    strikes = points([45.0, lon2, 46.0], [40.0, lat2, 40.0], w=[4.0, 0.0, 1.0])
    by_column = cluster_strikes(strikes, eps_km=1, min_samples=4, weight="w")
    by_array = cluster_strikes(strikes, eps_km=1, min_samples=4, weight=np.array([4.0, 0.0, 1.0]))
    pd.testing.assert_series_equal(by_column, by_array)
    # the weight-4 report is core on its own; the weight-0 one is a border report
    assert by_column.tolist() == [0, 0, -1]
    assert cluster_strikes(strikes, eps_km=1, min_samples=5, weight="w").tolist() == [-1] * 3


def test_fractional_weights():
    strikes = points([45.0, 45.0], [40.0, 40.0])
    assert cluster_strikes(strikes, eps_km=1, min_samples=1, weight=[0.5, 0.5]).tolist() == [0, 0]
    assert cluster_strikes(strikes, eps_km=1, min_samples=2, weight=[0.5, 0.5]).tolist() == [-1, -1]


# ---------------------------------------------------------------------------
# determinism


def two_clusters_and_a_tie():
    # on the equator: core report A at lon -0.1 with three more reports west of
    # it, core report B at +0.1 with five more east of it, and M at lon 0,
    # exactly as far from A as from B; with eps 11.2 km and min_samples 4, M
    # sees only A, B and itself, so it is a border report of both clusters
    lon = [-0.1, -0.15, -0.16, -0.17, 0.1, 0.15, 0.16, 0.17, 0.18, 0.19, 0.0]
    return points(lon, [0.0] * 11, index=[f"r{i}" for i in range(11)])


def test_border_tie_goes_to_smallest_lon_lat():
    strikes = two_clusters_and_a_tie()
    assert GEOD.inv(0, 0, -0.1, 0)[2] == GEOD.inv(0, 0, 0.1, 0)[2]
    labels = cluster_strikes(strikes, eps_km=11.2, min_samples=4)
    # the bigger cluster (B's, 6 reports) is number 0; M's tie goes to the
    # core report with the smallest (lon, lat): A, in cluster 1
    assert labels.tolist() == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1]


@pytest.mark.parametrize("seed", range(5))
def test_row_order_does_not_change_labels(seed):
    rng = np.random.default_rng(seed)
    base = two_clusters_and_a_tie()
    extra = points(
        45 + rng.normal(0, 0.05, 200),
        40 + rng.normal(0, 0.05, 200),
        index=[f"x{i}" for i in range(200)],
    )
    strikes = pd.concat([base, extra])
    expected = cluster_strikes(strikes, eps_km=11.2, min_samples=4)
    shuffled = strikes.iloc[rng.permutation(len(strikes))]
    got = cluster_strikes(shuffled, eps_km=11.2, min_samples=4)
    assert got.index.equals(shuffled.index)
    # canonical numbering: exactly the same labels, not only the same partition
    pd.testing.assert_series_equal(got.loc[expected.index], expected)


def test_clusters_numbered_by_size_then_lon_lat():
    lon = [46.0] * 3 + [45.0] * 3 + [44.0] * 4
    labels = cluster_strikes(points(lon, [40.0] * 10), eps_km=1, min_samples=3)
    assert labels.tolist() == [2, 2, 2, 1, 1, 1, 0, 0, 0, 0]


# ---------------------------------------------------------------------------
# space-time mode


def dated(lon, lat, dates, times=None):
    frame = {"date": pd.to_datetime(dates)}
    if times is not None:
        frame["time_local"] = times
    return points(lon, lat, **frame)


def test_space_time_separates_groups_apart_in_time():
    strikes = dated([45.0] * 6, [40.0] * 6, ["2022-09-13"] * 3 + ["2022-09-15"] * 3)
    spatial = cluster_strikes(strikes, eps_km=1, min_samples=3)
    assert spatial.tolist() == [0] * 6
    st = cluster_strikes(strikes, eps_km=1, min_samples=3, time_eps_hours=12)
    assert sorted(st.tolist()) == [0, 0, 0, 1, 1, 1]
    assert st.iloc[0] != st.iloc[3]
    # the day in between is 24 h: reports 24 h apart are neighbours
    assert cluster_strikes(strikes, eps_km=1, min_samples=3, time_eps_hours=24).nunique() == 1


@pytest.mark.parametrize(
    ("dates", "times", "gap_h"),
    [
        (["2022-09-13", "2022-09-13"], [None, None], 0.0),  # same day, date only
        (["2022-09-13", "2022-09-13"], ["23:00", "01:00"], 22.0),
        (["2022-09-13", "2022-09-13"], ["23:00", None], 0.0),  # 23:00 lies in that day
        (["2022-09-13", "2022-09-14"], ["23:00", None], 1.0),  # the 14th starts at 24:00
        (["2022-09-13", "2022-09-14"], [None, "01:00"], 1.0),
        (["2022-09-13", "2022-09-14"], ["23:00", "01:00"], 2.0),
        (["2022-09-13", "2022-09-14"], [None, None], 0.0),  # consecutive days touch
        (["2022-09-13", "2022-09-15"], [None, None], 24.0),
        (["2022-09-13", "2022-09-14"], ["22:00-02:00", "03:00"], 1.0),  # crosses midnight
        (["2022-09-13", "2022-09-13"], ["14:00-18:00", "18:00"], 0.0),
        (["2022-09-13", "2022-09-13"], ["14:00\u201318:00", "20:30"], 2.5),  # en dash
        (["2022-09-13", "2022-09-14"], ["~23:00", "01:00"], 1.0),  # approximate -> whole day
        (["2022-09-13", "2022-09-14"], ["night", "01:00"], 1.0),
    ],
)
def test_time_gap_semantics(dates, times, gap_h):
    strikes = dated([45.0, 45.0], [40.0, 40.0], dates, times)
    below = cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=gap_h)
    assert below.tolist() == [0, 0]
    if gap_h > 0:
        above = cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=gap_h - 0.01)
        assert above.tolist() == [-1, -1]


def test_timestamps_with_a_time_of_day_are_instants():
    strikes = points(
        [45.0, 45.0], [40.0, 40.0], date=pd.to_datetime(["2022-09-13 10:00", "2022-09-13 13:00"])
    )
    assert cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=3).tolist() == [0, 0]
    assert cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=2.9).tolist() == [
        -1,
        -1,
    ]


@pytest.mark.parametrize("seed", range(4))
def test_space_time_matches_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    n = 120
    lon, lat = 45 + rng.normal(0, 0.03, n), 40 + rng.normal(0, 0.03, n)
    copy = rng.random(n) < 0.4
    pick = rng.integers(0, n, n)
    lon, lat = np.where(copy, lon[pick], lon), np.where(copy, lat[pick], lat)
    days = pd.Timestamp("2022-09-12") + pd.to_timedelta(rng.integers(0, 4, n), unit="D")
    options = [None, "00:05", "14:00-18:00", "23:00", "01:00", "night", "22:00-02:00"]
    times = [options[i] for i in rng.integers(0, len(options), n)]
    strikes = dated(lon, lat, days, times)
    hours = [0.0, 1.0, 6.0, 30.0][seed]
    labels = cluster_strikes(strikes, eps_km=2.0, min_samples=3, time_eps_hours=hours)
    t0, t1, _ = time_intervals(strikes, "date")
    expected = brute_force_dbscan(lon, lat, 2.0, 3, None, t0, t1, int(hours * 3_600e9))
    assert same_partition(labels, expected)


def test_space_time_needs_a_time_column():
    with pytest.raises(ValueError, match="'when' column"):
        cluster_strikes(points([45.0], [40.0]), eps_km=1, time_eps_hours=1, time_column="when")
    with pytest.raises(ValueError, match="column"):
        cluster_strikes(gpd.GeoSeries.from_xy([45.0], [40.0], crs=4326), eps_km=1, time_eps_hours=1)


def test_missing_time_gets_noise_and_a_warning():
    strikes = dated([45.0] * 3, [40.0] * 3, ["2022-09-13", None, "2022-09-13"])
    with pytest.warns(BorderstrikesWarning, match=r"no 'date' value.*\[1\]"):
        labels = cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=1)
    assert labels.tolist() == [0, -1, 0]


# ---------------------------------------------------------------------------
# inputs and outputs


def test_index_preserved_and_input_not_mutated():
    strikes = points(
        [45.0, 45.0, 45.001, 46.0],
        [40.0, 40.0, 40.0, 40.0],
        index=pd.Index(["b", "a", "d", "c"], name="report"),
        evidence=["impact", "impact", "impact", "denial"],
    )
    before = strikes.copy()
    labels = cluster_strikes(strikes, eps_km=1, min_samples=3)
    assert labels.name == "cluster"
    assert labels.dtype == "int64"
    assert labels.index.equals(strikes.index)
    pd.testing.assert_frame_equal(strikes, before)
    assert isinstance(strikes.geometry, gpd.GeoSeries)


def test_missing_geometry_gets_noise_and_a_warning():
    geoms = [shapely.Point(45, 40)] * 3 + [None, shapely.Point()]
    strikes = gpd.GeoDataFrame(geometry=geoms, crs=4326, index=[10, 11, 12, 13, 14])
    with pytest.warns(BorderstrikesWarning, match=r"2 row\(s\).*\[13, 14\]"):
        labels = cluster_strikes(strikes, eps_km=1, min_samples=3)
    assert labels.tolist() == [0, 0, 0, -1, -1]


def test_excluded_evidence_is_noise_by_default():
    evidence = ["impact", "impact", "displacement_only", "denial"]
    strikes = points([45.0] * 4, [40.0] * 4, evidence=evidence)
    assert cluster_strikes(strikes, eps_km=1, min_samples=3).tolist() == [-1] * 4
    assert (
        cluster_strikes(strikes, eps_km=1, min_samples=3, exclude_evidence=()).tolist() == [0] * 4
    )
    assert cluster_strikes(
        strikes, eps_km=1, min_samples=3, exclude_evidence="denial"
    ).tolist() == [0, 0, 0, -1]


def test_other_crs_gives_the_same_labels():
    rng = np.random.default_rng(3)
    strikes = points(45 + rng.normal(0, 0.05, 100), 40 + rng.normal(0, 0.05, 100))
    expected = cluster_strikes(strikes, eps_km=1.5, min_samples=3)
    got = cluster_strikes(strikes.to_crs("EPSG:32638"), eps_km=1.5, min_samples=3)
    assert same_partition(got, expected)


def test_crs_and_geometry_errors():
    with pytest.raises(CRSError, match="no CRS"):
        cluster_strikes(gpd.GeoSeries.from_xy([45.0], [40.0]), eps_km=1)
    with pytest.raises(GeometryError, match="Point"):
        cluster_strikes(gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs=4326), eps_km=1)
    with pytest.raises(TypeError, match="GeoDataFrame or GeoSeries"):
        cluster_strikes(pd.DataFrame({"x": [1]}), eps_km=1)


def test_empty_input():
    labels = cluster_strikes(gpd.GeoSeries([], crs=4326), eps_km=1)
    assert labels.empty
    assert labels.dtype == "int64"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"eps_km": 0}, "eps_km"),
        ({"eps_km": -1.0}, "eps_km"),
        ({"eps_km": math.nan}, "eps_km"),
        ({"eps_km": math.inf}, "eps_km"),
        ({"eps_km": "10"}, "eps_km"),
        ({"eps_km": True}, "eps_km"),
        ({"eps_km": 1, "min_samples": 0}, "min_samples"),
        ({"eps_km": 1, "min_samples": 2.5}, "min_samples"),
        ({"eps_km": 1, "min_samples": True}, "min_samples"),
        ({"eps_km": 1, "time_eps_hours": -1}, "time_eps_hours"),
        ({"eps_km": 1, "time_eps_hours": math.nan}, "time_eps_hours"),
        ({"eps_km": 1, "weight": "nope"}, "weight column 'nope'"),
        ({"eps_km": 1, "weight": [1.0]}, "one value per row"),
        ({"eps_km": 1, "weight": [1.0, -1.0]}, "finite and >= 0"),
        ({"eps_km": 1, "weight": [1.0, math.nan]}, "finite and >= 0"),
    ],
)
def test_bad_parameters_raise(kwargs, match):
    strikes = points([45.0, 45.1], [40.0, 40.0], date=pd.to_datetime(["2022-09-13"] * 2))
    with pytest.raises(ValueError, match=match):
        cluster_strikes(strikes, **kwargs)


def test_exclude_evidence_must_be_iterable():
    with pytest.raises(TypeError, match="exclude_evidence"):
        cluster_strikes(points([45.0], [40.0]), eps_km=1, exclude_evidence=3)


# ---------------------------------------------------------------------------
# packaged reports


@pytest.fixture(scope="module")
def strikes():
    return bs.load_strikes()


@pytest.fixture(scope="module")
def labels(strikes):
    return cluster_strikes(strikes, eps_km=DEFAULT_EPS_KM, min_samples=DEFAULT_MIN_SAMPLES)


def places_of(strikes, labels, label):
    return set(strikes.loc[labels == label, "place"])


def label_of(strikes, labels, place):
    values = set(labels[strikes["place"] == place]) - {-1}
    assert len(values) == 1, (place, values)
    return values.pop()


def test_packaged_gegharkunik_front(strikes, labels):
    sotk = label_of(strikes, labels, "Sotk")
    assert sotk >= 0
    for place in ["Kut", "Norabak", "Verin Shorzha"]:
        assert label_of(strikes, labels, place) == sotk


def test_packaged_jermuk_cluster(strikes, labels):
    jermuk = label_of(strikes, labels, "Jermuk")
    assert label_of(strikes, labels, "Kechut Reservoir") == jermuk
    assert jermuk != label_of(strikes, labels, "Sotk")
    assert places_of(strikes, labels, jermuk) == {"Jermuk", "Kechut Reservoir"}


def test_packaged_syunik_clusters_hold_no_other_province(strikes, labels):
    syunik = {"Goris", "Kapan", "Tegh", "Akner", "Sisian", "Verishen", "Karashen"}
    ids = {label_of(strikes, labels, place) for place in syunik}
    assert -1 not in ids
    members = strikes[labels.isin(ids)]
    assert set(members["admin1"]) == {"Syunik"}
    for place in ["Jermuk", "Kechut Reservoir", "Sotk", "Kut", "Norabak", "Verin Shorzha"]:
        assert place not in set(members["place"])
    # the data show two Syunik groups, 34 km apart: Goris-Sisian and Kapan
    assert label_of(strikes, labels, "Sisian") == label_of(strikes, labels, "Goris")
    assert label_of(strikes, labels, "Kapan") != label_of(strikes, labels, "Goris")


def test_packaged_displacement_and_denial_reports_are_noise(strikes, labels):
    excluded = strikes["evidence"].isin(["displacement_only", "denial"])
    assert excluded.any()
    assert (labels[excluded] == -1).all()


def test_packaged_clusters_are_stable_around_the_default_eps(strikes, labels):
    for eps_km in (DEFAULT_EPS_KM - 3, DEFAULT_EPS_KM + 8):
        other = cluster_strikes(strikes, eps_km=eps_km, min_samples=DEFAULT_MIN_SAMPLES)
        pd.testing.assert_series_equal(other, labels)


# ---------------------------------------------------------------------------
# k_distance


def test_k_distance_matches_brute_force():
    rng = np.random.default_rng(4)
    lon, lat = 45 + rng.normal(0, 0.1, 80), 40 + rng.normal(0, 0.1, 80)
    lon[:10], lat[:10] = lon[10], lat[10]  # co-located reports count, at distance 0
    dist = geodesic_matrix_m(lon, lat)
    np.fill_diagonal(dist, np.inf)
    strikes = points(lon, lat)
    for k in (1, 3, 12):
        expected = np.sort(dist, axis=1)[:, k - 1] / 1000
        got = k_distance(strikes, k)
        assert got.name == "k_distance_km"
        np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-9)


def test_k_distance_decides_core_reports():
    rng = np.random.default_rng(5)
    strikes = points(45 + rng.normal(0, 0.05, 300), 40 + rng.normal(0, 0.05, 300))
    kd = k_distance(strikes, 4)
    labels = cluster_strikes(strikes, eps_km=1.0, min_samples=5)
    assert (labels[kd <= 1.0] >= 0).all()


def test_k_distance_nan_and_index():
    strikes = points(
        [45.0, 45.1, 45.2],
        [40.0, 40.0, 40.0],
        index=["a", "b", "c"],
        evidence=["impact"] * 2 + ["denial"],
    )
    kd = k_distance(strikes, 1)
    assert kd.index.equals(strikes.index)
    assert math.isnan(kd["c"])
    assert kd["a"] == pytest.approx(kd["b"])
    assert k_distance(strikes, 2).isna().all()


@pytest.mark.parametrize("k", [0, -1, 1.5, True])
def test_k_distance_bad_k(k):
    with pytest.raises(ValueError, match="k must be"):
        k_distance(points([45.0], [40.0]), k)


# ---------------------------------------------------------------------------
# describe_clusters


def cross(lon0, lat0, radius_m):
    lon = [lon0] + [fwd(lon0, lat0, az, radius_m)[0] for az in (0, 90, 180, 270)]
    lat = [lat0] + [fwd(lon0, lat0, az, radius_m)[1] for az in (0, 90, 180, 270)]
    return lon, lat


def test_describe_area_matches_geod_and_a_known_square():
    # corners of a 10 km x 10 km square: +-5 km east and north of a centre
    lon0, lat0 = 45.5, 39.9
    corners = []
    for dx, dy in [(-5000, -5000), (5000, -5000), (5000, 5000), (-5000, 5000)]:
        az = math.degrees(math.atan2(dx, dy))
        corners.append(fwd(lon0, lat0, az, math.hypot(dx, dy)))
    lon, lat = zip(*corners, strict=True)
    strikes = points([*lon, lon0], [*lat, lat0], place=list("ABCDE"))
    summary = describe_clusters(strikes, [0] * 5)
    row = summary.loc[0]
    footprint = summary.geometry.iloc[0]
    assert footprint.geom_type == "Polygon"
    assert row["area_km2"] == pytest.approx(abs(GEOD.geometry_area_perimeter(footprint)[0]) / 1e6)
    assert row["area_km2"] == pytest.approx(100.0, rel=1e-5)
    assert (row["centre_lon"], row["centre_lat"]) == pytest.approx((lon0, lat0), abs=1e-9)
    # densified edges: no vertex farther than 500 m from the next
    coords = shapely.get_coordinates(footprint)
    steps = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])[2]
    assert steps.max() <= 500.0 + 1e-6


def test_describe_standard_distance_and_ellipse_by_hand():
    lon, lat = cross(45.0, 40.0, 3000.0)
    summary = describe_clusters(points(lon, lat), [0] * 5)
    row = summary.loc[0]
    # by symmetry the centre is the middle point; 4 of 5 reports are 3 km away
    assert (row["centre_lon"], row["centre_lat"]) == pytest.approx((45.0, 40.0), abs=1e-9)
    assert row["standard_distance_km"] == pytest.approx(math.sqrt(4 * 3.0**2 / 5), rel=1e-9)
    assert row["sde_major_km"] ** 2 + row["sde_minor_km"] ** 2 == pytest.approx(
        row["standard_distance_km"] ** 2
    )
    assert row["sde_major_km"] == pytest.approx(row["sde_minor_km"], rel=1e-6)


def test_describe_standard_distance_from_returned_centre():
    rng = np.random.default_rng(8)
    lon, lat = 46.3 + rng.normal(0, 0.05, 40), 39.5 + rng.normal(0, 0.05, 40)
    row = describe_clusters(points(lon, lat), [0] * 40).loc[0]
    d = GEOD.inv(np.full(40, row["centre_lon"]), np.full(40, row["centre_lat"]), lon, lat)[2]
    assert row["standard_distance_km"] == pytest.approx(math.sqrt(np.mean(d**2)) / 1000, rel=1e-12)
    # the centre minimises the mean squared distance: nudging it makes it worse
    for az in (0, 90, 180, 270):
        lon1, lat1 = fwd(row["centre_lon"], row["centre_lat"], az, 50.0)
        d1 = GEOD.inv(np.full(40, lon1), np.full(40, lat1), lon, lat)[2]
        assert np.mean(d1**2) > np.mean(d**2)


def test_describe_ellipse_orientation():
    # reports on a north-east line: major axis at 45°, minor axis 0
    lon, lat = zip(*[fwd(45.0, 40.0, 45.0, d) for d in (-4000, -2000, 0, 2000, 4000)], strict=True)
    row = describe_clusters(points(lon, lat), [0] * 5).loc[0]
    assert row["sde_angle_deg"] == pytest.approx(45.0, abs=0.01)
    assert row["sde_minor_km"] == pytest.approx(0.0, abs=1e-3)
    assert row["area_km2"] == pytest.approx(0.0, abs=1e-6)


def test_describe_single_place_and_two_places():
    strikes = points([45.0, 45.0, 45.2, 45.3], [40.0, 40.0, 40.0, 40.0], place=["A", "A", "B", "C"])
    summary = describe_clusters(strikes, [3, 3, 1, 1])
    assert summary.index.tolist() == [1, 3]
    assert summary.index.name == "cluster"
    single = summary.loc[3]
    assert single.geometry.equals(shapely.Point(45.0, 40.0))
    assert single["area_km2"] == 0.0
    assert single["standard_distance_km"] == 0.0
    assert math.isnan(single["sde_angle_deg"])
    assert summary.loc[1].geometry.geom_type == "LineString"
    assert summary.loc[1, "area_km2"] == 0.0


def test_describe_names_places_and_dates():
    strikes = points(
        [45.0, 45.01, 45.01, 45.0, 45.02],
        [40.0, 40.0, 40.0, 40.0, 40.0],
        place=["Beta", "Alpha", "Alpha", "Beta", "Gamma"],
        admin1=["Prov", "Prov", "Prov", "Prov", "Other"],
        date=pd.to_datetime(["2022-09-14", "2022-09-13", "2022-09-15", None, "2022-09-13"]),
    )
    row = describe_clusters(strikes, [0, 0, 0, 0, 0]).loc[0]
    assert row["name"] == "Alpha (Prov)"  # tie 2-2 broken alphabetically
    assert row["places"] == ["Alpha", "Beta", "Gamma"]
    assert (row["n_reports"], row["n_places"]) == (5, 3)
    assert row["first_date"] == pd.Timestamp("2022-09-13")
    assert row["last_date"] == pd.Timestamp("2022-09-15")


def test_describe_without_place_columns():
    lon, lat = cross(45.0, 40.0, 1000.0)
    summary = describe_clusters(gpd.GeoSeries.from_xy(lon, lat, crs=4326), np.array([2] * 5))
    assert summary.loc[2, "name"] == "cluster 2"
    assert summary.loc[2, "n_places"] == 5
    assert pd.isna(summary.loc[2, "first_date"])


def test_describe_across_the_antimeridian():
    lon, lat = cross(179.99, 10.0, 5000.0)
    row = describe_clusters(points(lon, lat), [0] * 5).loc[0]
    footprint = describe_clusters(points(lon, lat), [0] * 5).geometry.iloc[0]
    expected = abs(GEOD.polygon_area_perimeter(lon[1:], lat[1:])[0]) / 1e6
    assert row["area_km2"] == pytest.approx(expected, rel=1e-4)
    assert row["area_km2"] == pytest.approx(50.0, rel=1e-3)  # a 5 km-radius diamond
    xs = shapely.get_coordinates(footprint)[:, 0]
    assert xs.max() - xs.min() < 1.0  # continuous longitudes, no wrap-around


def test_describe_concave_footprint():
    # a filled L of reports: the concave hull drops the empty corner
    grid = np.round(np.arange(0, 0.201, 0.02), 3)
    x, y = np.meshgrid(grid, grid)
    keep = (x <= 0.04) | (y <= 0.04)
    strikes = points(45 + x[keep], 40 + y[keep])
    labels = [0] * int(keep.sum())
    convex = describe_clusters(strikes, labels).loc[0, "area_km2"]
    concave = describe_clusters(strikes, labels, footprint="concave").loc[0, "area_km2"]
    assert 0 < concave < 0.7 * convex


def test_describe_border_distances():
    strikes = bs.load_strikes()
    labels = cluster_strikes(strikes, eps_km=DEFAULT_EPS_KM, min_samples=DEFAULT_MIN_SAMPLES)
    summary = describe_clusters(strikes, labels)
    from borderstrikes.border import distance_to_border

    direct = distance_to_border(strikes.geometry[labels >= 0])["distance_km"]
    for label, row in summary.iterrows():
        d = direct[labels[labels >= 0] == label]
        assert row["border_min_km"] == pytest.approx(d.min())
        assert row["border_median_km"] == pytest.approx(d.median())
        assert row["border_max_km"] == pytest.approx(d.max())
    assert summary.crs.to_epsg() == 4326
    jermuk = summary[summary["name"] == "Jermuk (Vayots Dzor)"]
    assert len(jermuk) == 1


def test_describe_bad_inputs():
    strikes = points([45.0, 45.1], [40.0, 40.0])
    with pytest.raises(ValueError, match="footprint"):
        describe_clusters(strikes, [0, 0], footprint="round")
    with pytest.raises(ValueError, match="one integer per row"):
        describe_clusters(strikes, [0])
    with pytest.raises(ValueError, match="same index"):
        describe_clusters(strikes, pd.Series([0, 0], index=[5, 6]))
    geoms = gpd.GeoSeries([shapely.Point(45, 40), None], crs=4326)
    with pytest.raises(ValueError, match="no geometry"):
        describe_clusters(geoms, [0, 0])


def test_describe_no_clusters():
    summary = describe_clusters(points([45.0], [40.0]), [-1])
    assert summary.empty
    assert "area_km2" in summary.columns
    assert summary.crs.to_epsg() == 4326
