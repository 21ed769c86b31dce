"""Text written by others cannot run as script on the maps, nor be parsed as mathtext.

Place names, evidence values, cluster names, outlets, claimants and the
``location`` of an ACLED export come from files other people wrote. Each test
puts a corpus of injection payloads into one of them, saves the interactive
map, opens it in headless Chromium, hovers every shape (a tooltip is created
on mouse-over) and clicks every report (popups), then checks that nothing
ran (the page title is unchanged), nothing was injected (no element the page
does not draw) and each payload is shown as literal text. The static map
must draw the same texts literally. The inlined Leaflet must be the pinned
copy.

The browser tests skip when Chromium is missing, except in CI (``CI`` set),
where they fail.
"""

import html
import io
import json
import os
import re
import shutil
import sys
import types
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import borderstrikes as bs
from borderstrikes.errors import DataFileError
from borderstrikes.viz import interactive
from borderstrikes.viz.interactive import explore_strikes, save_html

sys.path.insert(0, str(Path(__file__).parent))
from browser import run_chromium

#: Payloads: template-string, backtick, script break-out, HTML event handlers,
#: a template engine's expression, mathtext (malformed) and a JS line separator.
PAYLOADS = [
    "${document.title='pwned'}",
    "`+alert(1)+`",
    "</script><script>document.title='pwned'</script>",
    "<img src=x onerror=document.title='pwned'>",
    "\"><svg onload=document.title='pwned'>",
    "{{7*7}}",
    "$\\frac{$",
    "line\u2028separator",
]

#: Runs after the map script: hovers every shape, clicks every report, then
#: writes what it saw (as JSON, via textContent) into <pre id="bs-probe">.
PROBE = r"""
<script>
window.addEventListener("load", function () {
  var out = {tooltips: [], popups: [], layers: [], errors: [], injected: []};
  window.addEventListener("error", function (e) { out.errors.push(String(e.message)); });
  // Elements the map never draws, or any inline event handler, under root.
  function scan(root) {
    root.querySelectorAll("*").forEach(function (el) {
      var tag = el.tagName.toLowerCase();
      var handlers = Array.prototype.filter.call(el.attributes, function (a) {
        return a.name.toLowerCase().indexOf("on") === 0;
      });
      var inText = el.closest(".leaflet-tooltip, .leaflet-popup, .leaflet-control-layers");
      if (["img", "iframe", "object", "embed", "script"].indexOf(tag) >= 0 &&
          root !== document || handlers.length || (tag === "svg" && inText)) {
        out.injected.push(el.outerHTML.slice(0, 200));
      }
    });
  }
  function fire(el, type) {
    var r = el.getBoundingClientRect();
    el.dispatchEvent(new MouseEvent(type, {
      bubbles: true, cancelable: true, view: window,
      clientX: r.left + r.width / 2, clientY: r.top + r.height / 2
    }));
  }
  setTimeout(function () {
    document.querySelectorAll("path.leaflet-interactive").forEach(function (p) {
      fire(p, "mouseover");
      document.querySelectorAll(".leaflet-tooltip").forEach(function (t) {
        out.tooltips.push(t.textContent);
        scan(t);
      });
      fire(p, "mouseout");
    });
    document.querySelectorAll("path.bs-report").forEach(function (p) {
      fire(p, "click");
      document.querySelectorAll(".leaflet-popup-content").forEach(function (c) {
        out.popups.push(c.textContent);
        scan(c);
      });
    });
    document.querySelectorAll(".leaflet-control-layers-overlays label").forEach(function (l) {
      out.layers.push(l.textContent);
      scan(l);
    });
    setTimeout(function () {
      scan(document);
      document.querySelectorAll("script").forEach(function (s) {
        if (s.textContent.trim() === "document.title='pwned'") {
          out.injected.push(s.outerHTML);
        }
      });
      out.title = document.title;
      out.markers = document.querySelectorAll("path.bs-report").length;
      var pre = document.createElement("pre");
      pre.id = "bs-probe";
      pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    }, 500);
  }, 300);
});
</script>
"""


@pytest.fixture(scope="module")
def strikes():
    return bs.load_strikes()


def probe(tmp_path, m):
    """Save ``m``, open it in Chromium with :data:`PROBE`, return what the probe saw."""
    page = save_html(m, tmp_path / "map.html")
    text = page.read_text(encoding="utf-8")
    assert text.rstrip().endswith("</html>")
    page.write_text(text.rstrip().removesuffix("</html>") + PROBE + "</html>", encoding="utf-8")
    dom = run_chromium(tmp_path, "--window-size=1000,800", "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="bs-probe">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found, f"the probe did not run (the page's script broke?):\n{dom[-3000:]}"
    seen = json.loads(html.unescape(found.group(1)))
    seen["dom"] = dom
    return seen


def assert_inert(seen):
    """Nothing ran, nothing was injected: the title stays empty, as folium writes it."""
    assert seen["title"] == "", seen["title"]
    assert "<title>" not in seen["dom"]
    assert seen["injected"] == []
    assert seen["errors"] == []


def contains_each(texts, payloads):
    """Every payload is shown literally in one of ``texts``."""
    missing = [p for p in payloads if not any(p in t for t in texts)]
    assert missing == [], f"not shown literally: {missing!r} in {texts!r}"


def with_payloads(strikes, **columns):
    """The first reports, one payload each in every column named in ``columns``."""
    evil = strikes.iloc[: len(PAYLOADS)].copy()
    for column, payloads in columns.items():
        evil[column] = payloads
    return evil


# --------------------------------------------------------------------------- interactive map


@pytest.mark.parametrize("payload", PAYLOADS)
def test_place_name_in_tooltip_and_popup(tmp_path, strikes, payload):
    # One payload per page: a broken script would hide what another payload does.
    evil = strikes.iloc[:3].assign(place=payload)
    seen = probe(tmp_path, explore_strikes(evil, tiles=None))
    assert_inert(seen)
    assert seen["markers"] == 3
    contains_each(seen["tooltips"], [payload])
    contains_each(seen["popups"], [payload])


def test_place_names_together(tmp_path, strikes):
    evil = with_payloads(strikes, place=PAYLOADS)
    seen = probe(tmp_path, explore_strikes(evil, tiles=None))
    assert_inert(seen)
    assert seen["markers"] == len(PAYLOADS)
    contains_each(seen["tooltips"], PAYLOADS)
    contains_each(seen["popups"], PAYLOADS)


def test_template_code_in_text_does_not_run_in_python(strikes, monkeypatch):
    """branca renders each element's script again as a Jinja template (no browser needed)."""
    monkeypatch.delenv("BS_INJECTED", raising=False)
    code = "{{ lipsum.__globals__.os.environ.__setitem__('BS_INJECTED', '1') }}"
    evil = strikes.iloc[:2].assign(place=code, evidence=code, source_outlet="{{7*7}}")
    page = explore_strikes(evil, tiles=None).get_root().render()
    assert "BS_INJECTED" not in os.environ
    assert "__setitem__" in page
    assert ">49<" not in page
    assert "\\u003e49\\u003c" not in page


def test_evidence_values_in_layer_names(tmp_path, strikes):
    evil = with_payloads(strikes, evidence=PAYLOADS)
    seen = probe(tmp_path, explore_strikes(evil, tiles=None))
    assert seen["markers"] == len(PAYLOADS)
    assert_inert(seen)
    contains_each(seen["layers"], [f"Reports: {p} (1)" for p in PAYLOADS])
    contains_each(seen["popups"], PAYLOADS)


def test_outlet_and_claimant_in_popups(tmp_path, strikes):
    evil = with_payloads(strikes, source_outlet=PAYLOADS, claimant=PAYLOADS[::-1])
    seen = probe(tmp_path, explore_strikes(evil, tiles=None))
    assert_inert(seen)
    contains_each(seen["popups"], PAYLOADS)


def test_cluster_and_country_names_in_outline_tooltips(tmp_path, strikes):
    from borderstrikes import defaults

    # One footprint per payload, around distinct reports (as describe_clusters draws them).
    centres = strikes.drop_duplicates("place").iloc[: len(PAYLOADS)]
    clusters = gpd.GeoDataFrame(
        {"name": PAYLOADS, "area_km2": 12.5},
        geometry=centres.to_crs("EPSG:32638").buffer(2000).to_crs(strikes.crs).to_numpy(),
        crs=strikes.crs,
    )
    countries = defaults.countries()
    others = np.flatnonzero((countries["iso3"] != "ARM").to_numpy())
    names = countries["name"].astype(object).to_numpy().copy()
    names[others] = PAYLOADS[3 : 3 + len(others)]
    countries = countries.assign(name=names)
    m = explore_strikes(strikes, tiles=None, clusters=clusters, countries=countries)
    seen = probe(tmp_path, m)
    assert_inert(seen)
    contains_each(seen["tooltips"], PAYLOADS)
    contains_each(seen["tooltips"], list(names[others]))


ACLED_HEADER = (
    "event_id_cnty,event_date,time_precision,event_type,sub_event_type,"
    "location,admin1,iso,latitude,longitude,geo_precision,fatalities,source,notes\n"
)


def acled_file(tmp_path, payloads):
    """An ACLED export of shelling at Jermuk, one ``location`` (and source, notes) per payload."""
    buffer = io.StringIO()
    frame = pd.DataFrame(
        {
            "event_id_cnty": [f"ARM{i}" for i in range(len(payloads))],
            "event_date": "2022-09-13",
            "time_precision": 1,
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Shelling/artillery/missile attack",
            "location": payloads,
            "admin1": "Vayots Dzor",
            "iso": 51,
            "latitude": 39.8395 + 0.01 * np.arange(len(payloads)),
            "longitude": 45.6711,
            "geo_precision": 1,
            "fatalities": 0,
            "source": payloads,
            "notes": payloads,
        }
    )
    frame.to_csv(buffer, index=False)
    path = tmp_path / "acled.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_acled_location_reaches_the_map_as_text(tmp_path):
    events, rejects = bs.read_acled(acled_file(tmp_path, PAYLOADS))
    assert len(rejects) == 0
    strikes, left_out = bs.select_strike_reports(events)
    assert len(left_out) == 0
    assert strikes["place"].tolist() == PAYLOADS
    seen = probe(tmp_path, explore_strikes(strikes, tiles=None))
    assert seen["markers"] == len(PAYLOADS)
    assert_inert(seen)
    contains_each(seen["tooltips"], PAYLOADS)
    contains_each(seen["popups"], PAYLOADS)


# --------------------------------------------------------------------------- static map


def drawn_svg(ax):
    """The figure as SVG with text kept as text: plain text is written as one <text>.

    Mathtext would be written glyph by glyph, and a halo (path effect) as
    outlines, so the halos are dropped first.
    """
    for text in ax.texts:
        text.set_path_effects([])
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        ax.figure.savefig(buffer, format="svg")
    return html.unescape(buffer.getvalue())


def by_gid(ax, gid):
    return [t for t in ax.texts if t.get_gid() == gid]


@pytest.mark.parametrize("name", ["$x^2$ village", "Price $5 or $10", "$\\frac{$", "\\$2\\$"])
def test_static_place_labels_are_literal(strikes, name):
    evil = strikes.copy()
    evil.loc[evil["place"] == "Jermuk", "place"] = name
    _, ax = plt.subplots(figsize=(7, 6.5))
    ax = bs.plot_strikes(evil, ax=ax, basemap="offline", labels=[name])
    assert len(by_gid(ax, "borderstrikes-place-label")) == 1
    assert f">{name} (11)</text>" in drawn_svg(ax)  # Jermuk has 11 reports


def test_static_legend_and_attribution_are_literal(strikes):
    from borderstrikes.clustering import cluster_strikes, describe_clusters

    evil = strikes.copy()
    evil.loc[evil.index[:3], "evidence"] = "$\\frac{$"
    evil.loc[evil.index[3:6], "evidence"] = "$x^2$ seen"
    evil.attrs = {
        "provenance": [{"attribution": "Mapped by $\\alpha$ lab", "license": "$\\frac{$ licence"}]
    }
    labels = cluster_strikes(evil, eps_km=15, min_samples=3)
    clusters = describe_clusters(evil, labels)
    clusters = clusters.assign(name=["$y_1$ group"] * len(clusters))
    _, ax = plt.subplots(figsize=(7, 6.5))
    ax = bs.plot_strikes(
        evil.assign(cluster=labels),
        ax=ax,
        basemap="offline",
        clusters=clusters,
        color_by="cluster",
        labels=False,
    )
    svg = drawn_svg(ax)
    for text in ("$\\frac{$", "$x^2$ seen", f"Cluster {clusters.index[0]}: $y_1$ group"):
        assert f">{text}</text>" in svg
    assert "Mapped by $\\alpha$ lab" in svg
    assert "$\\frac{$ licence" in svg


def test_static_map_from_acled_with_malformed_mathtext(tmp_path):
    events, _ = bs.read_acled(acled_file(tmp_path, ["$\\frac{$", "$x^2$"]))
    strikes, _ = bs.select_strike_reports(events)
    _, ax = plt.subplots(figsize=(7, 6.5))
    ax = bs.plot_strikes(strikes, ax=ax, basemap="offline")
    svg = drawn_svg(ax)
    assert ">$\\frac{$</text>" in svg or ">$x^2$</text>" in svg


# --------------------------------------------------------------------------- inlined Leaflet


def edited_static(tmp_path, name, edit):
    """A copy of the package's static folder with ``name`` edited."""
    root = tmp_path / "pkg"
    shutil.copytree(Path(bs.__file__).parent / "_static", root / "_static")
    target = root / "_static" / "leaflet" / name
    target.write_bytes(edit(target.read_bytes()))
    return types.SimpleNamespace(files=lambda package: root)


@pytest.mark.parametrize("name", ["leaflet.js", "leaflet.css"])
def test_edited_leaflet_copy_is_refused(tmp_path, strikes, monkeypatch, name):
    evil = b"\ndocument.title='pwned';\n" if name.endswith(".js") else b"\nbody{display:none}\n"
    resources = edited_static(tmp_path, name, lambda data: data + evil)
    monkeypatch.setattr(interactive, "resources", resources)
    with pytest.raises(DataFileError, match=rf"{re.escape(name)}.*sha256"):
        explore_strikes(strikes.iloc[:3], tiles=None)
    # Not inlined, nothing is read: the CDN page is still built.
    explore_strikes(strikes.iloc[:3], tiles=None, inline_assets=False)


def test_unchanged_leaflet_copy_is_accepted(tmp_path, strikes, monkeypatch):
    resources = edited_static(tmp_path, "leaflet.js", lambda data: data)
    monkeypatch.setattr(interactive, "resources", resources)
    page = explore_strikes(strikes.iloc[:3], tiles=None).get_root().render()
    assert f"Leaflet {interactive.LEAFLET_VERSION}" in page
