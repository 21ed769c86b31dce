"""The timeline against a brute-force count of each report's interval, bin by bin."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import borderstrikes as bs
from borderstrikes.timeline import report_intervals, report_timeline


def _oracle(starts, ends, edges):
    """Share, certain and possible counts per bin, one report and one bin at a time."""
    n = len(edges) - 1
    share, certain, possible = np.zeros(n), np.zeros(n, int), np.zeros(n, int)
    for s, e in zip(starts, ends, strict=True):
        for k in range(n):
            b0, b1 = edges[k], edges[k + 1]
            if s == e:
                inside = b0 <= s < b1
                share[k] += inside
                certain[k] += inside
                possible[k] += inside
                continue
            overlap = max(pd.Timedelta(0), min(e, b1) - max(s, b0))
            share[k] += overlap / (e - s)
            certain[k] += b0 <= s and e <= b1
            possible[k] += overlap > pd.Timedelta(0)
    return share, certain, possible


@pytest.mark.parametrize("freq", ["D", "h"])
def test_random_intervals_match_the_oracle(freq):
    rng = np.random.default_rng(7)
    n = 60
    day = rng.integers(0, 6, n)
    span = rng.integers(0, 3, n)  # whole-day intervals of 1-3 days
    clock = rng.integers(0, 24 * 60, n)
    base = pd.Timestamp("2022-09-10")
    dates = base + pd.to_timedelta(day, unit="D")
    with_time = rng.random(n) < 0.4
    frame = pd.DataFrame(
        {
            "date": dates,
            "date_start": dates,
            "date_end": dates + pd.to_timedelta(np.where(with_time, 0, span), unit="D"),
            "time_local": [
                f"{c // 60:02d}:{c % 60:02d}" if t else None
                for c, t in zip(clock, with_time, strict=True)
            ],
        }
    )
    got = report_timeline(frame, freq=freq)
    intervals = report_intervals(frame)
    step = pd.Timedelta(hours=1) if freq == "h" else pd.Timedelta(days=1)
    edges = [*got["start"], got["end"].iloc[-1]]
    assert all(b - a == step for a, b in itertools.pairwise(edges))
    share, certain, possible = _oracle(list(intervals["start"]), list(intervals["end"]), edges)
    np.testing.assert_allclose(got["reports"], share, atol=1e-9)
    np.testing.assert_array_equal(got["reports_min"], certain)
    np.testing.assert_array_equal(got["reports_max"], possible)
    assert got["reports"].sum() == pytest.approx(n)
    assert (got["reports_min"] <= got["reports"] + 1e-9).all()
    assert (got["reports"] <= got["reports_max"] + 1e-9).all()


def test_a_two_day_tally_is_shared_not_piled():
    strikes = bs.load_strikes()
    tally = strikes[strikes["time_local"] == "13-14 Sept"].iloc[:1]
    got = report_timeline(tally).set_index("start")["reports"]
    assert got.to_dict() == {pd.Timestamp("2022-09-13"): 0.5, pd.Timestamp("2022-09-14"): 0.5}


def test_packaged_days_sum_to_every_report_and_groups_add_up():
    strikes = bs.load_strikes()
    whole = report_timeline(strikes)
    assert whole["reports"].sum() == pytest.approx(len(strikes))
    by_evidence = report_timeline(strikes, by="evidence")
    summed = by_evidence.groupby("start")["reports"].sum()
    np.testing.assert_allclose(summed.to_numpy(), whole["reports"].to_numpy())
    assert set(by_evidence["evidence"]) <= set(strikes["evidence"])


def test_undated_reports_are_counted_apart_and_bad_options_refused():
    frame = pd.DataFrame({"date": pd.to_datetime(["2022-09-13", None]), "place": ["A", None]})
    got = report_timeline(frame, by="place")
    assert got.attrs["undated"] == 1
    assert got["reports"].sum() == 1
    with pytest.raises(ValueError, match="freq"):
        report_timeline(frame, freq="W")
    with pytest.raises(ValueError, match="not a column"):
        report_timeline(frame, by="claimant")


def test_the_chart_draws_bars_bounds_and_cited_marks():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    strikes = bs.load_strikes()
    marks = bs.load_timeline_marks()
    table = report_timeline(strikes, by="evidence")
    ax = bs.plot_timeline(table, marks=marks)
    try:
        bars = [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]
        heights = sum(p.get_height() for p in bars)
        assert heights == pytest.approx(len(strikes))  # the bars hold every report once
        xs = [line.get_xdata()[0] for line in ax.lines]
        lines = {
            pd.Timestamp(x) if not isinstance(x, float) else mdates.num2date(x).replace(tzinfo=None)
            for x in xs
        }
        assert set(marks["time_local"]) <= lines
        texts = " ".join(t.get_text() for t in ax.texts)
        assert "not verified" in texts
        assert "TASS" in texts
        assert "Interfax" in texts
    finally:
        plt.close(ax.figure)
