"""Space-time clustering on date intervals (issue 15), against the brute-force oracle."""

import datetime
import sys
from pathlib import Path

import dask_geopandas
import distributed as dask_distributed
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import borderstrikes as bs
from borderstrikes.dask import cluster_strikes_partitioned
from borderstrikes.errors import BorderstrikesWarning

sys.path.insert(0, str(Path(__file__).parent))
from oracles import brute_force_st_dbscan, interval_gap_hours, report_interval

D = datetime.datetime
T = pd.Timestamp
NAT = pd.NaT


def reports(lon, lat, date, date_start=None, date_end=None, time_local=None):
    n = len(lon)
    columns = {"date": pd.to_datetime(list(date))}
    if date_start is not None:
        columns["date_start"] = pd.to_datetime(list(date_start))
        columns["date_end"] = pd.to_datetime(list(date_end))
    if time_local is not None:
        columns["time_local"] = list(time_local)
    return gpd.GeoDataFrame(
        columns, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326", index=range(10, 10 + n)
    )


def oracle_intervals(frame):
    get = lambda name: frame[name] if name in frame else [None] * len(frame)  # noqa: E731
    return [
        report_interval(*values)
        for values in zip(
            get("date"), get("date_start"), get("date_end"), get("time_local"), strict=True
        )
    ]


def same_partition(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if ((a == -1) != (b == -1)).any():
        return False
    m = a >= 0
    return len(set(zip(a[m], b[m], strict=True))) == len(set(a[m])) == len(set(b[m]))


# ---------------------------------------------------------------------------
# the oracle's intervals, by hand


@pytest.mark.parametrize(
    ("args", "interval"),
    [
        # ACLED month precision: the coded day is the 15th, the event spans September
        ((D(2022, 9, 15), D(2022, 9, 1), D(2022, 9, 30)), (D(2022, 9, 1), D(2022, 10, 1))),
        # one day: the date alone, or date_start == date_end == date
        ((D(2022, 9, 13),), (D(2022, 9, 13), D(2022, 9, 14))),
        ((D(2022, 9, 13), D(2022, 9, 13), D(2022, 9, 13)), (D(2022, 9, 13), D(2022, 9, 14))),
        # time_local narrows a one-day report, also when date_start/date_end say the same day
        ((D(2022, 9, 13), None, None, "14:00-18:00"), (D(2022, 9, 13, 14), D(2022, 9, 13, 18))),
        (
            (D(2022, 9, 13), D(2022, 9, 13), D(2022, 9, 13), "22:00-02:00"),
            (D(2022, 9, 13, 22), D(2022, 9, 14, 2)),
        ),
        # ... but not a multi-day interval (the time is of an unknown day)
        (
            (D(2022, 9, 14), D(2022, 9, 13), D(2022, 9, 15), "03:00"),
            (D(2022, 9, 13), D(2022, 9, 16)),
        ),
        # a one-day range on another day than date: the range wins
        (
            (D(2022, 9, 14), D(2022, 9, 13), D(2022, 9, 13), "03:00"),
            (D(2022, 9, 13), D(2022, 9, 14)),
        ),
        # a range without a date, a date without a range
        ((None, D(2022, 9, 13), D(2022, 9, 14)), (D(2022, 9, 13), D(2022, 9, 15))),
        ((D(2022, 9, 13, 10, 30), None, D(2022, 9, 14)), (D(2022, 9, 13, 10, 30),) * 2),
        ((None,), None),
    ],
)
def test_oracle_intervals_by_hand(args, interval):
    assert report_interval(*args) == interval


# ---------------------------------------------------------------------------
# cluster_strikes against the hand cases and the oracle


def test_month_precision_event_clusters_with_an_event_inside_its_month():
    # issue 15: a month-precision event and one at the same point on 20 September
    strikes = reports(
        [45.0, 45.0], [40.0, 40.0], ["2022-09-15", "2022-09-20"],
        ["2022-09-01", None], ["2022-09-30", None],
    )  # fmt: skip
    labels = bs.cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=24)
    assert labels.tolist() == [0, 0]
    assert labels.index.equals(strikes.index)
    # the same pair seen through ``date`` alone is 4 days apart
    dates_only = strikes.drop(columns=["date_start", "date_end"])
    assert bs.cluster_strikes(dates_only, eps_km=1, min_samples=2, time_eps_hours=24).tolist() == [
        -1,
        -1,
    ]


@pytest.mark.parametrize(
    ("other", "gap_h"),
    [
        ("2022-09-30", 0.0),  # the last day of the month
        ("2022-10-01", 0.0),  # touches the end of September
        ("2022-10-02", 24.0),
        ("2022-08-31", 0.0),
        ("2022-08-29", 48.0),
    ],
)
def test_month_interval_gaps(other, gap_h):
    strikes = reports(
        [45.0, 45.0], [40.0, 40.0], ["2022-09-15", other],
        ["2022-09-01", other], ["2022-09-30", other],
    )  # fmt: skip
    intervals = oracle_intervals(strikes)
    assert interval_gap_hours(*intervals) == gap_h
    at = bs.cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=gap_h)
    assert at.tolist() == [0, 0]
    if gap_h > 0:
        below = bs.cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=gap_h - 0.01)
        assert below.tolist() == [-1, -1]


@pytest.mark.parametrize(
    ("first", "second", "gap_h"),
    [
        # adjacent days (date_start == date_end) touch
        ((("2022-09-13",) * 3, None), (("2022-09-14",) * 3, None), 0.0),
        # a time window on the 13th and a date-only report on the 14th
        ((("2022-09-13",) * 3, "14:00-18:00"), (("2022-09-14",) * 3, None), 6.0),
        # two windows on the same day
        ((("2022-09-13",) * 3, "08:00-09:00"), (("2022-09-13",) * 3, "12:30"), 3.5),
        # a two-day UCDP interval and a window on the day after it
        ((("2022-09-13", "2022-09-13", "2022-09-14"), None), (("2022-09-15",) * 3, "05:00"), 5.0),
    ],
)
def test_adjacent_days_and_time_windows(first, second, gap_h):
    (d0, t0), (d1, t1) = first, second
    strikes = reports(
        [45.0, 45.0], [40.0, 40.0], [d0[0], d1[0]], [d0[1], d1[1]], [d0[2], d1[2]], [t0, t1]
    )
    assert interval_gap_hours(*oracle_intervals(strikes)) == gap_h
    assert bs.cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=gap_h).tolist() == [
        0,
        0,
    ]
    if gap_h > 0:
        below = bs.cluster_strikes(strikes, eps_km=1, min_samples=2, time_eps_hours=gap_h - 0.01)
        assert below.tolist() == [-1, -1]


def random_reports(seed, n=90, lon0=45.0):
    rng = np.random.default_rng(seed)
    lon, lat = lon0 + rng.normal(0, 0.02, n), 40 + rng.normal(0, 0.02, n)
    copy = rng.random(n) < 0.3
    pick = rng.integers(0, n, n)
    lon, lat = np.where(copy, lon[pick], lon), np.where(copy, lat[pick], lat)
    day0 = T("2022-08-20")
    date = [day0 + pd.Timedelta(days=int(d)) for d in rng.integers(0, 40, n)]
    kind = rng.integers(0, 5, n)
    start, end = [], []
    for k, d in zip(kind, date, strict=True):
        if k == 0:  # no interval
            start.append(NAT)
            end.append(NAT)
        elif k == 1:  # one day, the day of date
            start.append(d)
            end.append(d)
        elif k == 2:  # a week around date
            start.append(d - pd.Timedelta(days=3))
            end.append(d + pd.Timedelta(days=3))
        elif k == 3:  # its calendar month
            start.append(d.replace(day=1))
            end.append(d + pd.offsets.MonthEnd(0))
        else:  # two days
            start.append(d)
            end.append(d + pd.Timedelta(days=1))
    options = [None, "00:05", "14:00-18:00", "23:00", "22:00-02:00", "night"]
    times = [options[i] for i in rng.integers(0, len(options), n)]
    missing = rng.random(n) < 0.05
    date = [NAT if m else d for m, d in zip(missing, date, strict=True)]
    return reports(lon, lat, date, start, end, times)


@pytest.mark.parametrize(("seed", "hours"), [(0, 0.0), (1, 5.0), (2, 24.0), (3, 200.0)])
def test_matches_the_brute_force_interval_oracle(seed, hours):
    strikes = random_reports(seed)
    intervals = oracle_intervals(strikes)
    placed = np.array([iv is not None for iv in intervals])
    lon, lat = strikes.geometry.x.to_numpy(), strikes.geometry.y.to_numpy()
    expected = np.full(len(strikes), -1)
    expected[placed] = brute_force_st_dbscan(
        lon[placed], lat[placed], [iv for iv in intervals if iv is not None], 2.0, 3, hours
    )
    if placed.all():
        labels = bs.cluster_strikes(strikes, eps_km=2.0, min_samples=3, time_eps_hours=hours)
    else:
        with pytest.warns(BorderstrikesWarning, match="no 'date' value"):
            labels = bs.cluster_strikes(strikes, eps_km=2.0, min_samples=3, time_eps_hours=hours)
    assert (labels >= 0).any()
    assert same_partition(labels, expected)


def test_interval_ending_before_it_starts_raises():
    strikes = reports([45.0], [40.0], ["2022-09-13"], ["2022-09-14"], ["2022-09-12"])
    with pytest.raises(ValueError, match=r"'date_end' is before 'date_start' in rows \[10\]"):
        bs.cluster_strikes(strikes, eps_km=1, time_eps_hours=1)


def test_describe_clusters_reports_interval_spans():
    strikes = reports(
        [45.0, 45.0, 45.0], [40.0, 40.0, 40.0], ["2022-09-15", "2022-09-20", "2022-10-01"],
        ["2022-09-01", None, "2022-10-01"], ["2022-09-30", None, "2022-10-01"],
        [None, None, "06:00-07:15"],
    )  # fmt: skip
    row = bs.describe_clusters(strikes, [0, 0, 0]).loc[0]
    assert row["first_date"] == T("2022-09-01")
    assert row["last_date"] == T("2022-10-01")
    assert row["first_start"] == T("2022-09-01")
    assert row["last_end"] == T("2022-10-01 07:15")


# ---------------------------------------------------------------------------
# the dask path: the same rule, the same partition


@pytest.fixture(scope="module")
def interval_reports():
    frames = [random_reports(10 + k, n=150, lon0=45.0 + 0.2 * k) for k in range(4)]
    return pd.concat(frames, ignore_index=True)


def test_tiled_dbscan_gives_the_same_labels(interval_reports):
    strikes = interval_reports.dropna(subset=["date"])
    expected = bs.cluster_strikes(strikes, eps_km=2.0, min_samples=3, time_eps_hours=24)
    tiled = cluster_strikes_partitioned(
        strikes, eps_km=2.0, min_samples=3, time_eps_hours=24, tile_deg=0.1
    )
    pd.testing.assert_series_equal(tiled, expected)


def test_local_cluster_gives_the_same_labels(interval_reports):
    strikes = interval_reports.dropna(subset=["date"])
    expected = bs.cluster_strikes(strikes, eps_km=2.0, min_samples=3, time_eps_hours=5)
    assert expected.max() >= 2
    with (
        dask_distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        ) as cluster,
        dask_distributed.Client(cluster),
    ):
        lazy = cluster_strikes_partitioned(
            dask_geopandas.from_geopandas(strikes, npartitions=4),
            eps_km=2.0,
            min_samples=3,
            time_eps_hours=5,
            tile_deg=0.1,
        )
        got = lazy.compute()
    pd.testing.assert_series_equal(got, expected)
