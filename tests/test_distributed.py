"""Dask inputs: lazy distances, intervals and the tiled DBSCAN, equal to the in-memory results."""

import os
import subprocess
import sys

import dask
import dask.array as da
import dask.dataframe as dd
import dask_geopandas
import distributed as dask_distributed
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

import borderstrikes as bs
import borderstrikes.dask as distributed
from borderstrikes import border as border_module
from borderstrikes import uncertainty
from borderstrikes.dask.grid import Grid, default_tile_deg
from borderstrikes.errors import CRSError, UnknownCountryError

# Events of the LocalCluster correctness test; the timing of 1e6 events is in
# benchmarks/bench_distributed.py.
N_EVENTS = int(float(os.environ.get("BORDERSTRIKES_DASK_TEST_N", "2e4")))
GEOD = Geod(ellps="WGS84")


@pytest.fixture
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def random_points(n, seed=0, box=(43.4, 38.8, 47.0, 41.4), index=None):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(box[0], box[2], n)
    lat = rng.uniform(box[1], box[3], n)
    return gpd.GeoDataFrame(
        {"location_radius_m": rng.choice([0.0, 2000.0, 25000.0], n)},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
        index=index,
    )


def assert_identical(got, expected):
    """Same index, columns, dtypes; floats equal bit for bit, other columns equal."""
    assert got.index.equals(expected.index)
    assert list(got.columns) == list(expected.columns)
    assert got.dtypes.to_dict() == expected.dtypes.to_dict()
    for name in expected.columns:
        a, b = got[name].to_numpy(), expected[name].to_numpy()
        if a.dtype.kind == "f":
            assert np.array_equal(a.view(np.int64), b.view(np.int64)), name
        else:
            assert list(a) == list(b), name


# ---------------------------------------------------------------------------
# dispatch


def test_in_memory_calls_do_not_import_dask():
    code = (
        "import sys, borderstrikes as bs; "
        "bs.distance_to_border(bs.load_strikes().iloc[:3]); "
        "bs.cluster_strikes(bs.load_strikes(), eps_km=20); "
        "bs.distance_interval(bs.load_strikes().iloc[:3], n=5); "
        "print(sorted(m for m in sys.modules if m.split('.')[0].startswith('dask'))); "
        "sys.exit(any(m.split('.')[0].startswith('dask') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_is_dask_recognises_dask_collections_only():
    frame = random_points(4)
    assert not distributed.is_dask(frame)
    assert not distributed.is_dask(frame.geometry)
    assert distributed.is_dask(dask_geopandas.from_geopandas(frame, npartitions=2))
    assert distributed.is_dask(dd.from_pandas(pd.DataFrame({"a": [1]}), npartitions=1))


# ---------------------------------------------------------------------------
# distance_to_border


@pytest.mark.usefixtures("synchronous")
@pytest.mark.parametrize("kind", ["frame", "series", "projected"])
def test_distance_to_border_equals_in_memory(kind):
    points = random_points(3000, seed=1, index=pd.Index(np.arange(3000) * 7 + 5, name="id"))
    points.loc[points.index[[3, 500]], "geometry"] = None  # missing points give NaN rows
    if kind == "series":
        points = points.geometry
    if kind == "projected":
        points = points.to_crs("EPSG:32638")
    lazy = bs.distance_to_border(
        dask_geopandas.from_geopandas(points, npartitions=7), unit="m", country="AZE"
    )
    expected = bs.distance_to_border(points, unit="m", country="AZE")
    assert lazy.npartitions == 7
    assert lazy.dtypes.to_dict() == expected.dtypes.to_dict()  # meta
    assert_identical(lazy.compute(), expected)


@pytest.mark.usefixtures("synchronous")
def test_distance_to_border_keeps_divisions_and_unsigned_columns():
    points = random_points(500, seed=2)
    source = dask_geopandas.from_geopandas(points, npartitions=4)
    lazy = bs.distance_to_border(source, signed=False, unit="nmi")
    assert lazy.divisions == source.divisions
    assert_identical(lazy.compute(), bs.distance_to_border(points, signed=False, unit="nmi"))


def custom_border():
    return bs.load_border().iloc[:2]  # not the shipped border: indexed from what is shipped


def border_keys(collection):
    return [k for k in collection.__dask_graph__() if str(k).find("border-") >= 0]


@pytest.mark.usefixtures("synchronous")
def test_a_custom_border_is_one_key_of_the_graph_whatever_the_partitions():
    points = random_points(2000, seed=3)
    border = custom_border()
    for npartitions in (1, 5, 20):
        lazy = bs.distance_to_border(
            dask_geopandas.from_geopandas(points, npartitions=npartitions), border
        )
        assert len(border_keys(lazy)) == 1
        assert lazy.npartitions == npartitions
    assert_identical(lazy.compute(), bs.distance_to_border(points, border))


@pytest.mark.usefixtures("synchronous")
def test_the_default_border_is_not_shipped():
    lazy = bs.distance_to_border(dask_geopandas.from_geopandas(random_points(10), npartitions=2))
    assert border_keys(lazy) == []
    same = bs.distance_to_border(
        dask_geopandas.from_geopandas(random_points(10), npartitions=2), bs.load_border()
    )
    assert border_keys(same) == []  # recognised by its content hash


@pytest.mark.usefixtures("synchronous")
def test_a_border_in_another_crs_gives_the_in_memory_result():
    points = random_points(300, seed=4)
    border = custom_border().to_crs("EPSG:32638")
    lazy = bs.distance_to_border(dask_geopandas.from_geopandas(points, npartitions=3), border)
    assert_identical(lazy.compute(), bs.distance_to_border(points, border))


def test_bad_arguments_raise_when_the_graph_is_built():
    source = dask_geopandas.from_geopandas(random_points(10), npartitions=2)
    with pytest.raises(ValueError, match="unit must be one of"):
        bs.distance_to_border(source, unit="mi")
    with pytest.raises(UnknownCountryError, match="country must be one of"):
        bs.distance_to_border(source, country="XXX")
    with pytest.raises(CRSError, match="has no CRS"):
        bs.distance_to_border(source.set_crs(None, allow_override=True))
    with pytest.raises(TypeError, match="dask_geopandas GeoDataFrame or GeoSeries"):
        distributed.distance_to_border(dd.from_pandas(pd.DataFrame({"lon": [45.0]}), 1))


# ---------------------------------------------------------------------------
# distance_interval


@pytest.mark.usefixtures("synchronous")
@pytest.mark.parametrize(
    ("npartitions", "seed", "budget"), [(1, 0, None), (4, 7, None), (6, 3, 80), (1, 5, 40)]
)
def test_distance_interval_equals_in_memory(monkeypatch, npartitions, seed, budget):
    if budget:  # blocks of one or two rows, in memory and in every partition
        monkeypatch.setattr(uncertainty, "_MAX_SAMPLES", budget)
    strikes = random_points(150, seed=5, index=pd.Index([f"r{i}" for i in range(150)]))
    strikes.loc[["r0", "r40", "r41", "r149"], "geometry"] = None
    lazy = bs.distance_interval(
        dask_geopandas.from_geopandas(strikes, npartitions=npartitions, sort=False),
        n=40,
        seed=seed,
    )
    assert lazy.npartitions == npartitions
    assert_identical(lazy.compute(), bs.distance_interval(strikes, n=40, seed=seed))


@pytest.mark.usefixtures("synchronous")
def test_distance_interval_with_a_custom_border_and_a_seed_sequence():
    strikes = bs.load_strikes()
    seed = np.random.SeedSequence(42)
    lazy = bs.distance_interval(
        dask_geopandas.from_geopandas(strikes, npartitions=3, sort=False),
        n=30,
        seed=seed,
        border=custom_border(),
    )
    assert len(border_keys(lazy)) == 1
    expected = bs.distance_interval(strikes, n=30, seed=seed, border=custom_border())
    assert_identical(lazy.compute(), expected)


@pytest.mark.usefixtures("synchronous")
def test_distance_interval_seed_none_uses_one_stream():
    strikes = random_points(20, seed=6)
    lazy = bs.distance_interval(
        dask_geopandas.from_geopandas(strikes, npartitions=2), n=10, seed=None
    )
    result = lazy.compute()
    assert result["p_inside"].between(0, 1).all()
    assert_identical(lazy.compute(), result)  # the seed is drawn once, when the graph is built


def test_distance_interval_rejects_a_generator_seed():
    source = dask_geopandas.from_geopandas(random_points(5), npartitions=1)
    with pytest.raises(ValueError, match="seed must be None, an integer"):
        bs.distance_interval(source, seed=np.random.default_rng(0))
    with pytest.raises(ValueError, match="location_radius_m or a location_precision"):
        bs.distance_interval(source.drop(columns="location_radius_m"))


# ---------------------------------------------------------------------------
# the tiled DBSCAN


def straddling_events(n=12_000, seed=0, box=(44.0, 39.0, 46.0, 41.0), step=0.5, days=None):
    """Blobs centred on tile edges and corners, co-located duplicates and uniform noise."""
    rng = np.random.default_rng(seed)
    x = np.arange(box[0], box[2] + step / 2, step)
    y = np.arange(box[1], box[3] + step / 2, step)
    corners = np.array([(a, b) for a in x for b in y])
    centres = np.concatenate([corners, rng.uniform(box[:2], box[2:], (20, 2))])
    which = rng.integers(0, len(centres), n)
    lon = centres[which, 0] + rng.normal(0, 0.02, n)
    lat = centres[which, 1] + rng.normal(0, 0.015, n)
    noise = rng.random(n) < 0.15
    lon[noise] = rng.uniform(box[0], box[2], noise.sum())
    lat[noise] = rng.uniform(box[1], box[3], noise.sum())
    copy = rng.random(n) < 0.25  # co-located reports
    source = rng.integers(0, n, n)
    lon[copy], lat[copy] = lon[source[copy]], lat[source[copy]]
    columns = {
        "weight": rng.choice([0.5, 1.0, 2.0], n),
        "evidence": rng.choice(["video", "official_claim", "denial"], n, p=[0.5, 0.45, 0.05]),
    }
    if days:
        stamps = pd.Timestamp("2022-09-12") + pd.to_timedelta(rng.integers(0, days * 24, n), "h")
        columns["date"] = np.where(rng.random(n) < 0.5, stamps.normalize(), stamps)
        columns["time_local"] = rng.choice(["", "23:00", "01:10-02:40"], n)
    return gpd.GeoDataFrame(
        columns,
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
        index=pd.Index(rng.permutation(n) + 1000, name="event"),
    )


def spread(events, labels, step):
    """Number of tiles holding clustered events, and of clusters spanning several tiles."""
    lon, lat = events.geometry.x.to_numpy(), events.geometry.y.to_numpy()
    tile = np.floor((lat + 90) / step) * 1000 + np.floor((lon + 180) / step)
    frame = pd.DataFrame({"tile": tile, "label": labels.to_numpy()})
    per_cluster = frame[frame["label"] >= 0].groupby("label")["tile"].nunique()
    return frame["tile"].nunique(), int((per_cluster > 1).sum())


@pytest.mark.parametrize(
    ("eps_km", "min_samples", "options"),
    [
        (2.0, 5, {}),
        (1.0, 4, {"exclude_evidence": ()}),
        (3.0, 25, {"weight": "weight"}),
        (2.0, 3, {"time_eps_hours": 6.0}),
        (0.5, 2, {"time_eps_hours": 0.0, "weight": "weight"}),
    ],
)
def test_tiles_give_the_labels_of_cluster_strikes(eps_km, min_samples, options):
    events = straddling_events(days=4 if "time_eps_hours" in options else None)
    expected = bs.cluster_strikes(events, eps_km=eps_km, min_samples=min_samples, **options)
    got = distributed.cluster_strikes_partitioned(
        events, eps_km=eps_km, min_samples=min_samples, tile_deg=0.5, **options
    )
    tiles, straddling = spread(events, expected, 0.5)
    assert tiles >= 16
    assert straddling >= 10
    assert (expected == -1).any()
    pd.testing.assert_series_equal(got, expected)


@pytest.mark.parametrize("min_samples", [4, 6])
def test_tiles_at_a_critical_density(min_samples):
    # uniform events with about min_samples of them per eps-disc: core and border points
    # everywhere, many decided by neighbours near a tile edge (a halo of one margin, or
    # margins three quarters as wide, change hundreds of labels here)
    rng = np.random.default_rng(10)
    n = 12_000
    events = gpd.GeoSeries.from_xy(rng.uniform(44, 46, n), rng.uniform(39, 41, n), crs=4326)
    expected = bs.cluster_strikes(events, eps_km=2.0, min_samples=min_samples)
    got = distributed.cluster_strikes_partitioned(
        events, eps_km=2.0, min_samples=min_samples, tile_deg=0.5
    )
    assert expected.max() > 400
    pd.testing.assert_series_equal(got, expected)


@pytest.mark.parametrize("tile_deg", [0.05, 0.3, 1.0, 7.0, None])
def test_any_tile_size_gives_the_same_labels(tile_deg):
    events = straddling_events(4000, seed=1)
    expected = bs.cluster_strikes(events, eps_km=2.0, min_samples=4)
    got = distributed.cluster_strikes_partitioned(
        events, eps_km=2.0, min_samples=4, tile_deg=tile_deg
    )
    pd.testing.assert_series_equal(got, expected)


@pytest.mark.parametrize("box", [(179.0, -10.0, 181.0, -8.0), (-40.0, 88.0, 40.0, 90.0)])
def test_tiles_across_the_antimeridian_and_at_the_pole(box):
    events = straddling_events(3000, seed=2, box=box, step=1.0)
    events = events.set_geometry(
        gpd.points_from_xy(
            np.mod(events.geometry.x + 180, 360) - 180, np.minimum(events.geometry.y, 90.0)
        ),
        crs="EPSG:4326",
    )
    expected = bs.cluster_strikes(events, eps_km=5.0, min_samples=4)
    assert expected.max() > 3
    got = distributed.cluster_strikes_partitioned(events, eps_km=5.0, min_samples=4, tile_deg=1.0)
    pd.testing.assert_series_equal(got, expected)


@pytest.mark.parametrize("tile_deg", [0.5, 0.2])
def test_stacks_of_thousands_on_tile_edges_and_corners(synchronous, tile_deg):
    # co-located reports by the thousand exactly on a tile corner and on tile edges, a
    # pair of stacks a few metres apart across an edge, a stack one short of min_samples
    # on a corner, and sparse events linking some of them (within eps) across tiles
    rng = np.random.default_rng(12)
    sites = [
        ((45.0, 40.0), 3000),  # a corner of every grid of 0.5° and 0.2° tiles
        ((45.0, 40.1), 2000),  # on a meridian edge
        ((44.9, 40.5), 1500),  # on a parallel edge
        ((45.0 - 1e-5, 40.3), 1200),  # about 1.7 m apart, on either side of an edge
        ((45.0 + 1e-5, 40.3), 1200),
        ((44.6, 40.6), 4),  # one short of min_samples, on a corner
    ]
    lon = np.concatenate([np.full(k, xy[0]) for xy, k in sites])
    lat = np.concatenate([np.full(k, xy[1]) for xy, k in sites])
    m = 800  # a chain along the edge from the corner and scattered events about the stacks
    lon = np.concatenate([lon, 45.0 + rng.normal(0, 0.003, m), rng.uniform(44.5, 45.5, m)])
    lat = np.concatenate([lat, rng.uniform(40.0, 40.35, m), rng.uniform(39.9, 40.7, m)])
    events = gpd.GeoDataFrame(
        {"weight": rng.choice([0.5, 1.0, 2.0], len(lon))},
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
        index=pd.Index(rng.permutation(len(lon)), name="event"),
    )
    for options in ({}, {"weight": "weight"}):
        expected = bs.cluster_strikes(events, eps_km=1.0, min_samples=5, **options)
        assert (expected >= 0).sum() > 8900
        assert (expected == -1).sum() > 100
        lazy = distributed.cluster_strikes_partitioned(
            dask_geopandas.from_geopandas(events, npartitions=3, sort=False),
            eps_km=1.0,
            min_samples=5,
            tile_deg=tile_deg,
            **options,
        )
        pd.testing.assert_series_equal(lazy.compute(), expected)


def test_neighbours_are_within_the_margins():
    # Geodesics of up to eps from points anywhere (poles and antimeridian included):
    # a neighbour of a tile's own point has a copy in that tile within one margin, and a
    # neighbour of a point within one margin has a copy within two.
    rng = np.random.default_rng(3)
    n = 4000
    eps_m = 25_000.0
    lon = rng.uniform(-180, 180, n)
    lat = np.concatenate([rng.uniform(-90, 90, n // 2), rng.uniform(80, 90, n - n // 2)])
    lat *= rng.choice([-1, 1], n)
    lon2, lat2, _ = GEOD.fwd(lon, lat, rng.uniform(0, 360, n), rng.uniform(0, eps_m, n))
    lon2 = np.mod(np.asarray(lon2) + 180, 360) - 180
    grid = Grid(0.7, eps_m)
    tile1, role1, point1, _ = grid.copies(lon, lat)
    tile2, role2, point2, _ = grid.copies(lon2, np.asarray(lat2))
    second = {(int(p), int(t)): int(r) for p, t, r in zip(point2, tile2, role2, strict=True)}
    for p, t, r in zip(point1, tile1, role1, strict=True):
        if r <= 1:
            assert second.get((int(p), int(t)), 9) <= r + 1, (lon[p], lat[p], t, r)


@pytest.mark.usefixtures("synchronous")
def test_cluster_strikes_dispatches_a_dask_input():
    events = straddling_events(5000, seed=4)
    lazy = bs.cluster_strikes(
        dask_geopandas.from_geopandas(events, npartitions=5, sort=False),
        eps_km=2.0,
        min_samples=5,
        weight="weight",
    )
    assert lazy.npartitions == 5
    got = lazy.compute()
    expected = bs.cluster_strikes(events, eps_km=2.0, min_samples=5, weight="weight")
    pd.testing.assert_series_equal(got, expected)


def test_partitioned_clustering_checks_its_arguments():
    source = dask_geopandas.from_geopandas(straddling_events(50), npartitions=2)
    with pytest.raises(ValueError, match="eps_km must be"):
        bs.cluster_strikes(source, eps_km=0)
    with pytest.raises(TypeError, match="weight must be None or a column name"):
        bs.cluster_strikes(source, eps_km=1, weight=np.ones(50))
    with pytest.raises(ValueError, match="weight column 'w' not found"):
        bs.cluster_strikes(source, eps_km=1, weight="w")
    with pytest.raises(ValueError, match="needs a 'when' column"):
        bs.cluster_strikes(source, eps_km=1, time_eps_hours=1, time_column="when")
    with pytest.raises(ValueError, match="tile_deg must be"):
        distributed.cluster_strikes_partitioned(source, eps_km=1, tile_deg=0)


def test_rows_without_a_point_get_minus_one_without_a_warning(synchronous):
    events = straddling_events(300, seed=5)
    events.loc[events.index[:3], "geometry"] = None
    lazy = bs.cluster_strikes(dask_geopandas.from_geopandas(events, npartitions=2), eps_km=2)
    got = lazy.compute()
    assert (got.loc[events.index[:3]] == -1).all()
    with pytest.warns(bs.errors.BorderstrikesWarning):
        expected = bs.cluster_strikes(events, eps_km=2)
    pd.testing.assert_series_equal(got.loc[expected.index], expected)


# ---------------------------------------------------------------------------
# on a real cluster: two worker processes on the loopback interface


@pytest.fixture(scope="module")
def client():
    with (
        dask_distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: never collide with a running cluster
        ) as cluster,
        dask_distributed.Client(cluster) as client,
    ):
        yield client


def lazy_events(n, npartitions, seed=0):
    """Events generated on the workers, plus the same coordinates for the in-memory run."""
    rng = da.random.default_rng(seed)
    chunks = -(-n // npartitions)
    xy = da.stack(
        [rng.uniform(43.4, 47.0, n, chunks=chunks), rng.uniform(38.8, 41.4, n, chunks=chunks)],
        axis=1,
    )
    frame = dd.from_dask_array(xy, columns=["lon", "lat"])
    points = dask_geopandas.points_from_xy(frame, "lon", "lat")
    return frame, dask_geopandas.from_dask_dataframe(frame, geometry=points).set_crs(4326)


@pytest.mark.slow
def test_distance_to_border_of_many_events_on_a_local_cluster(client):
    frame, events = lazy_events(N_EVENTS, npartitions=16)
    xy = frame.compute()
    points = gpd.GeoDataFrame(xy, geometry=gpd.points_from_xy(xy["lon"], xy["lat"]), crs=4326)
    got = bs.distance_to_border(events).compute()
    assert len(got) == N_EVENTS
    assert_identical(got, bs.distance_to_border(points))


@pytest.mark.slow
def test_a_border_is_indexed_once_per_worker(client):
    _, events = lazy_events(40_000, npartitions=12, seed=1)
    border = custom_border()
    key = border_module.border_key(border)
    lazy = bs.distance_to_border(events, border)
    assert [str(k) for k in border_keys(lazy)] == [f"('border-{key}', 0)"]
    lazy.compute()
    builds = {
        worker: counts.get(key, 0)
        for worker, counts in client.run(distributed.index_builds).items()
    }
    assert len(builds) == 2
    assert set(builds.values()) <= {0, 1}, builds  # 12 partitions, at most one build per worker
    assert sum(builds.values()) >= 1
    lazy.compute()  # a second run reuses the indexes
    again = {
        worker: counts.get(key, 0)
        for worker, counts in client.run(distributed.index_builds).items()
    }
    assert set(again.values()) <= {0, 1}, again
    shipped = client.run(lambda: border_module._shipped_border.cache_info().misses)
    assert set(shipped.values()) <= {0, 1}


@pytest.mark.slow
def test_distance_interval_on_a_local_cluster(client):
    strikes = random_points(3000, seed=8)  # with n=200: two blocks of rows in memory
    assert 3000 > uncertainty._MAX_SAMPLES // 200
    lazy = bs.distance_interval(
        dask_geopandas.from_geopandas(strikes, npartitions=6), n=200, seed=11
    )
    assert_identical(lazy.compute(), bs.distance_interval(strikes, n=200, seed=11))


@pytest.mark.slow
def test_cluster_strikes_on_a_local_cluster(client):
    events = straddling_events(20_000, seed=9)
    lazy = bs.cluster_strikes(
        dask_geopandas.from_geopandas(events, npartitions=6, sort=False),
        eps_km=2.0,
        min_samples=5,
    )
    got = lazy.compute()
    expected = bs.cluster_strikes(events, eps_km=2.0, min_samples=5)
    _, straddling = spread(events, expected, default_tile_deg(2000.0))
    assert straddling >= 1
    pd.testing.assert_series_equal(got, expected)
    got = distributed.cluster_strikes_partitioned(
        dask_geopandas.from_geopandas(events, npartitions=6, sort=False),
        eps_km=2.0,
        min_samples=5,
        tile_deg=0.5,
        npartitions=8,
    ).compute()
    pd.testing.assert_series_equal(got, expected)
