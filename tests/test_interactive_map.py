"""The interactive map to publish (``interactive_map_html``), checked in headless Chromium.

The page is written to a temporary folder and opened as a file (and once
inside ``<iframe srcdoc>``, as the report embeds it). A probe script, added
after the page's own, reads the legend, the symbols and the precision
circles, moves the time sliders and unticks an evidence kind, and writes
what it saw into the DOM, which Chromium dumps. Expected values come from
the input table itself (which reports fall in a window, which points are
distinct), not from the page's data.

The browser tests skip when Chromium is missing, except in CI (``CI`` set).
"""

import datetime as dt
import html
import json
import os
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geographiclib.geodesic import Geodesic

import borderstrikes as bs
from borderstrikes.cli import main
from borderstrikes.viz.interactive import (
    CLAIMS_NOTE,
    SYMBOL_PATHS,
    interactive_map_html,
)
from borderstrikes.viz.interactive_reports import report_payload
from borderstrikes.viz.layers import build_layers, stand_in
from borderstrikes.viz.style import EVIDENCE_STYLES

sys.path.insert(0, str(Path(__file__).parent))
from browser import run_chromium

#: Reports 0-9 are dated by an interval of two days (13-14 Sept 2022).
INTERVAL = (dt.date(2022, 9, 13), dt.date(2022, 9, 14))

#: Title derived from the fixture's dates (earliest report 13 Sept, latest 15 Sept 2022).
TITLE = "Reported strikes, 13–15 September 2022"

#: Reads the map after its script ran; ``DAY`` is replaced by a day number of the sliders.
PROBE = r"""
<script>
window.addEventListener("load", function () {
  function snapshot() {
    var icons = [];
    document.querySelectorAll(".bs-report-icon").forEach(function (icon) {
      var box = icon.querySelector(".bs-symbol");
      var r = icon.getBoundingClientRect();
      var paths = box.querySelectorAll("path");
      var path = paths[paths.length - 1];
      icons.push({count: Number(box.getAttribute("data-count")),
        kind: Number(box.getAttribute("data-kind")), hollow: box.getAttribute("data-hollow"),
        d: path.getAttribute("d"), fill: path.getAttribute("fill"),
        stroke: path.getAttribute("stroke"),
        x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2});
    });
    return {icons: icons, circles: document.querySelectorAll("path.bs-precision").length,
      window: document.querySelector(".bs-window").textContent};
  }
  setTimeout(function () {
    var out = {errors: []};
    var legend = document.getElementById("bs-legend");
    var r = legend.getBoundingClientRect();
    out.legend = {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
      width: window.innerWidth, height: window.innerHeight,
      visibility: getComputedStyle(legend).visibility, text: legend.textContent};
    out.kinds = [];
    legend.querySelectorAll(".bs-kind").forEach(function (row) {
      var path = row.querySelector("path");
      out.kinds.push({text: row.textContent, d: path.getAttribute("d"),
        fill: path.getAttribute("fill")});
    });
    out.all = snapshot();
    var from = document.getElementById("bs-from"), to = document.getElementById("bs-to");
    from.value = "DAY";
    from.dispatchEvent(new Event("input"));
    to.value = "DAY";
    to.dispatchEvent(new Event("input"));
    out.day = snapshot();
    var first = legend.querySelector(".bs-kind input");
    first.checked = false;
    first.dispatchEvent(new Event("change"));
    out.day_without_first_kind = snapshot();
    out.title = document.title;
    out.counts_hidden = document.querySelector(".leaflet-container").classList
      .contains("bs-no-counts");
    var pre = document.createElement("pre");
    pre.id = "bs-probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 300);
});
</script>
"""


@pytest.fixture(scope="module")
def strikes():
    reports = bs.load_strikes()
    start = reports["date"].copy()
    end = reports["date"].copy()
    start.iloc[:10] = pd.Timestamp(INTERVAL[0])
    end.iloc[:10] = pd.Timestamp(INTERVAL[1])
    return reports.assign(date_start=start, date_end=end)


def test_title_dates_are_those_of_the_fixture(strikes):
    assert strikes["date_start"].min() == pd.Timestamp("2022-09-13")
    assert strikes["date_end"].max() == pd.Timestamp("2022-09-15")


@pytest.fixture(scope="module")
def page(strikes):
    return interactive_map_html(strikes)


def probe(folder, document, script):
    """Write ``document`` plus ``script`` to ``folder``, open it, return what the script saw."""
    assert document.rstrip().endswith("</html>")
    path = folder / "map.html"
    path.write_text(document.rstrip().removesuffix("</html>") + script + "</html>", "utf-8")
    dom = run_chromium(folder, "--window-size=1000,800", "--dump-dom", path.as_uri())
    found = re.search(r'<pre id="bs-probe">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found, f"the probe did not run (the page's script broke?):\n{dom[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def day_of(date, strikes):
    """Slider position of ``date``: days after the first day of any report."""
    first = min(pd.Timestamp(d).date() for d in strikes["date_start"])
    return (date - first).days


def in_window(strikes, day):
    """Reports whose date interval holds ``day`` (brute force over the table)."""
    return [
        row
        for row in strikes.itertuples()
        if pd.Timestamp(row.date_start).date() <= day <= pd.Timestamp(row.date_end).date()
    ]


@pytest.fixture(scope="module")
def seen(tmp_path_factory, page, strikes):
    folder = tmp_path_factory.mktemp("map")
    script = PROBE.replace('"DAY"', f'"{day_of(INTERVAL[1], strikes)}"')
    return probe(folder, page, script)


# --------------------------------------------------------------------------- the document


def test_document_is_self_contained(page, strikes):
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert "@import" not in page
    # Nothing is loaded: no src/href but Leaflet's credit and the reports' sources (links
    # followed on click), no stylesheet url() but data: URIs, no tile address.
    loaded = re.findall(r"""(?:src|href)\s*=\s*["'](https?://[^"']+)""", page)
    assert set(loaded) <= {"https://leafletjs.com", *strikes["source_url"].dropna()}
    assert not re.findall(r"url\((?!data:|#default#VML)[^)]*\)", page)
    assert "tile.openstreetmap.org" not in page
    assert CLAIMS_NOTE in page
    assert f"<title>{TITLE}</title>" in page


def test_every_report_is_behind_one_marker_once(strikes):
    layers = build_layers(strikes)
    data = report_payload(layers.reports, layers.evidence, layers.evidence_kinds)
    markers = data["markers"]
    # Oracle: the distinct points of the table, each with its number of reports.
    points = strikes.geometry.apply(lambda p: (round(p.x, 5), round(p.y, 5))).value_counts()
    drawn = {
        (lon, lat): n
        for lon, lat, n in zip(markers["lon"], markers["lat"], markers["n"], strict=True)
    }
    assert drawn == points.to_dict()
    assert markers["first"] == list(np.cumsum([0, *markers["n"][:-1]]))


def test_grid_merging_keeps_every_report_inside_its_circle():
    rng = np.random.default_rng(3)
    n = 3000
    lon = rng.uniform(44.0, 46.5, n)
    lat = rng.uniform(39.0, 41.0, n)
    radius = rng.choice([2000.0, 5000.0, 25000.0], n)
    reports = gpd.GeoDataFrame(
        {
            "place": [f"P{i}" for i in range(n)],
            "date": pd.Timestamp("2022-09-13"),
            "location_radius_m": radius,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    evidence = pd.Series("impact", index=reports.index)
    data = report_payload(reports, evidence, ["impact"], max_markers=300)
    markers = data["markers"]
    assert len(markers["n"]) <= 300
    assert sum(markers["n"]) == n
    step = data["grid_step_deg"]
    assert step is not None
    # Every report lies within its marker's circle less its own radius (GeographicLib).
    for m in range(len(markers["n"])):
        clat, clon, reach = markers["lat"][m], markers["lon"][m], markers["radius_m"][m]
        near = (np.abs(lat - clat) < step * 1.01) & (np.abs(lon - clon) < step * 1.01)
        for i in np.flatnonzero(near):
            same_cell = (np.floor(lon[i] / step), np.floor(lat[i] / step)) == (
                np.floor(clon / step),
                np.floor(clat / step),
            )
            if same_cell:
                distance = Geodesic.WGS84.Inverse(clat, clon, lat[i], lon[i])["s12"]
                assert distance + radius[i] <= reach + 1.0


def test_forty_thousand_events_fit_in_five_megabytes():
    """ACLED-like: half the events on 300 places, half scattered; nothing is dropped."""
    rng = np.random.default_rng(7)
    n = 40_000
    places = rng.integers(0, 300, n // 2)
    lon = np.concatenate([43.5 + places * 0.01, rng.uniform(43.5, 46.5, n - n // 2)])
    lat = np.concatenate([39.0 + places * 0.007, rng.uniform(38.9, 41.2, n - n // 2)])
    days = pd.to_datetime("2021-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    events = gpd.GeoDataFrame(
        {
            "report_id": [f"ACLED:ARM{i}" for i in range(n)],
            "place": [f"Place {i % 500}" for i in range(n)],
            "date": days,
            "evidence": rng.choice(list(EVIDENCE_STYLES), n),
            "location_precision": "settlement",
            "location_radius_m": 2000.0,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    page = interactive_map_html(events)
    assert len(page.encode("utf-8")) <= 5_000_000
    symbols = int(re.search(r"Reports \((\d+) behind (\d+) symbols\)", page).group(2))
    assert symbols <= 2000
    assert f"Reports ({n} behind {symbols} symbols)" in page
    assert "are merged into one symbol at their mean position" in page


def test_stand_in_points_follow_the_schema():
    reports = bs.load_strikes()
    flags = stand_in(reports)
    expected = reports["coord_source"].str.contains("stand-in") | (
        reports["location_precision"] == "region"
    )
    assert flags.tolist() == expected.tolist()
    assert flags.any()  # the packaged reports include community-level (region) reports


def test_every_evidence_symbol_has_its_own_shape():
    markers = {style["marker"] for style in EVIDENCE_STYLES.values()}
    assert markers <= set(SYMBOL_PATHS)
    assert len({SYMBOL_PATHS[m] for m in markers}) == len(markers)


def test_bad_arguments_are_refused(strikes):
    with pytest.raises(ValueError, match="basemap must be one of"):
        interactive_map_html(strikes.iloc[:2], basemap="satellite")
    with pytest.raises(ValueError, match="max_markers must be a positive integer"):
        interactive_map_html(strikes.iloc[:2], max_markers=0)


def test_cli_writes_the_interactive_map(tmp_path):
    out = tmp_path / "map.html"
    assert main(["map", "--html", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert 'id="bs-legend"' not in text  # built by the script, not written as HTML
    assert "Reports are claims, not verified facts." in text
    assert "tile.openstreetmap.org" not in text


# --------------------------------------------------------------------------- in the browser


def test_legend_is_visible_and_covers_no_symbol(seen):
    legend = seen["legend"]
    assert legend["visibility"] == "visible"
    assert 0 <= legend["left"] < legend["right"] <= legend["width"]
    assert 0 <= legend["top"] < legend["bottom"] <= legend["height"]
    assert TITLE in legend["text"]
    assert CLAIMS_NOTE in legend["text"]
    assert "stand-in point" in legend["text"]
    for icon in seen["all"]["icons"]:
        inside = (legend["left"] <= icon["x"] <= legend["right"]) and (
            legend["top"] <= icon["y"] <= legend["bottom"]
        )
        assert not inside, icon


def test_legend_and_symbols_match_the_static_map_style(seen, strikes):
    counts = strikes["evidence"].value_counts()
    kinds = [k for k in EVIDENCE_STYLES if k in counts]
    assert len(seen["kinds"]) == len(kinds)
    for row, kind in zip(seen["kinds"], kinds, strict=True):
        style = EVIDENCE_STYLES[kind]
        assert row["text"].strip() == f"{style['label']} ({counts[kind]})"
        assert row["d"] == SYMBOL_PATHS[style["marker"]]
        assert row["fill"].lower() == style["color"].lower()
    for icon in seen["all"]["icons"]:
        style = EVIDENCE_STYLES[kinds[icon["kind"]]]
        assert icon["d"] == SYMBOL_PATHS[style["marker"]]
        colour = icon["stroke"] if icon["hollow"] == "1" else icon["fill"]
        assert colour.lower() == style["color"].lower()
    assert {icon["d"] for icon in seen["all"]["icons"]} != {SYMBOL_PATHS["o"]}


def test_markers_count_every_report_and_draw_precision_circles(seen, strikes):
    icons = seen["all"]["icons"]
    points = strikes.geometry.apply(lambda p: (round(p.x, 5), round(p.y, 5)))
    assert len(icons) == points.nunique()
    assert sorted(i["count"] for i in icons) == sorted(points.value_counts().tolist())
    assert seen["all"]["circles"] == points.nunique()  # every report has a radius
    assert seen["all"]["window"].endswith(f"{len(strikes)} of {len(strikes)} reports shown")
    # Oracle from the schema's rule: places with only stand-ins are hollow, with some a ring.
    flag = strikes["coord_source"].str.contains("stand-in") | (
        strikes["location_precision"] == "region"
    )
    kinds = flag.groupby(points).agg(["all", "any"])
    expected = sorted(
        "1" if every else ("mixed" if some else "0")
        for every, some in zip(kinds["all"], kinds["any"], strict=True)
    )
    assert sorted(i["hollow"] for i in icons) == expected
    assert "mixed" in expected or "1" in expected
    assert seen["counts_hidden"] is False  # 30 symbols: every count is labelled


def test_time_slider_shows_only_the_reports_of_the_window(seen, strikes):
    shown = in_window(strikes, INTERVAL[1])
    assert 0 < len(shown) < len(strikes)
    day = seen["day"]
    assert sum(i["count"] for i in day["icons"]) == len(shown)
    assert len(day["icons"]) == len(
        {(round(r.geometry.x, 5), round(r.geometry.y, 5)) for r in shown}
    )
    assert day["window"] == f"14 Sep 2022: {len(shown)} of {len(strikes)} reports shown"
    first_kind = next(k for k in EVIDENCE_STYLES if (strikes["evidence"] == k).any())
    rest = [r for r in shown if r.evidence != first_kind]
    assert sum(i["count"] for i in seen["day_without_first_kind"]["icons"]) == len(rest)


def test_map_works_inside_an_iframe_srcdoc(tmp_path, page):
    """As the report embeds it: the whole document in srcdoc, escaped as an attribute."""
    relay = (
        "<script>window.addEventListener('load', function () { setTimeout(function () {"
        "var legend = document.getElementById('bs-legend');"
        "parent.postMessage(JSON.stringify({legend: !!legend && legend.offsetWidth > 0,"
        "icons: document.querySelectorAll('.bs-report-icon').length}), '*');"
        "}, 300); });</script>"
    )
    inner = page.rstrip().removesuffix("</html>") + relay + "</html>"
    outer = (
        "<!DOCTYPE html><html><body>"
        f'<iframe style="width:900px;height:600px" srcdoc="{html.escape(inner, quote=True)}">'
        "</iframe><script>window.addEventListener('message', function (e) {"
        "var pre = document.createElement('pre'); pre.id = 'bs-probe';"
        "pre.textContent = e.data; document.body.appendChild(pre); });</script>"
        "</body></html>"
    )
    path = tmp_path / "report.html"
    path.write_text(outer, encoding="utf-8")
    dom = run_chromium(tmp_path, "--window-size=1000,700", "--dump-dom", path.as_uri())
    found = re.search(r'<pre id="bs-probe">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found, dom[-2000:]
    seen = json.loads(html.unescape(found.group(1)))
    assert seen["legend"] is True
    assert seen["icons"] > 10


# --------------------------------------------------------------------------- hostile text

PAYLOADS = [
    "${document.title='pwned'}",
    "`+alert(1)+`",
    "</script><script>document.title='pwned'</script>",
    "<img src=x onerror=document.title='pwned'>",
    "\"><svg onload=document.title='pwned'>",
    "{{7*7}}",
    "line\u2028separator",
]

HOSTILE_PROBE = r"""
<script>
window.addEventListener("load", function () {
  var out = {tooltips: [], popups: [], legend: "", injected: [], errors: []};
  window.addEventListener("error", function (e) { out.errors.push(String(e.message)); });
  function scan(root) {
    root.querySelectorAll("*").forEach(function (el) {
      var tag = el.tagName.toLowerCase();
      var handlers = Array.prototype.filter.call(el.attributes, function (a) {
        return a.name.toLowerCase().indexOf("on") === 0;
      });
      if (["img", "iframe", "object", "embed", "script"].indexOf(tag) >= 0 &&
          root !== document || handlers.length) {
        out.injected.push(el.outerHTML.slice(0, 200));
      }
    });
  }
  setTimeout(function () {
    var markers = [];
    map_layers_each(markers);
    out.legend = document.getElementById("bs-legend").textContent;
    scan(document.getElementById("bs-legend"));
    out.title = document.title;
    out.links = Array.prototype.map.call(document.querySelectorAll(".bs-popup a"),
      function (a) { return a.getAttribute("href"); });
    var pre = document.createElement("pre");
    pre.id = "bs-probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 300);
  function map_layers_each() {
    document.querySelectorAll(".bs-report-icon").forEach(function (icon) {
      icon.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
      document.querySelectorAll(".leaflet-tooltip").forEach(function (t) {
        out.tooltips.push(t.textContent);
        scan(t);
      });
      icon.dispatchEvent(new MouseEvent("mouseout", {bubbles: true}));
      icon.click();
      document.querySelectorAll(".bs-popup").forEach(function (p) {
        out.popups.push(p.textContent);
        scan(p);
      });
    });
  }
});
</script>
"""


def test_text_from_files_is_shown_as_text(tmp_path, monkeypatch):
    monkeypatch.delenv("BS_INJECTED", raising=False)
    reports = bs.load_strikes()
    # One place per payload, each at its own point, so that each has a marker and popup.
    evil = reports.drop_duplicates("place").iloc[: len(PAYLOADS)].copy()
    evil["place"] = PAYLOADS
    evil["claimant"] = PAYLOADS[::-1]
    evil["source_outlet"] = "{{ lipsum.__globals__.os.environ.__setitem__('BS_INJECTED', '1') }}"
    evil["evidence"] = PAYLOADS
    evil["source_url"] = "javascript:document.title='pwned'"
    page = interactive_map_html(evil, title="<b>{{7*7}}</b>")
    assert "BS_INJECTED" not in os.environ
    assert "<title>&lt;b&gt;{{7*7}}&lt;/b&gt;</title>" in page
    seen = probe(tmp_path, page, HOSTILE_PROBE)
    assert seen["errors"] == []
    assert seen["injected"] == []
    assert seen["title"] == "<b>{{7*7}}</b>"
    assert seen["links"] == []  # a javascript: URL is no link
    for payload in PAYLOADS:
        assert any(payload in t for t in seen["tooltips"]), payload
        assert any(payload in p for p in seen["popups"]), payload
        assert payload in seen["legend"]
    assert "<b>{{7*7}}</b>" in seen["legend"]
