"""Overlays (fans, range rings, exposure rings) on the static and the interactive map.

Where an overlay is drawn is checked against the GeoDataFrame itself: the drawn
path's vertices, taken back from the map's CRS to longitude/latitude with an
independent pyproj Transformer, must be the frame's vertices. The interactive
document is read as data (its GeoJSON layers) and opened once in headless
Chromium (``tests/browser.py``) for the legend row and the layer control.
Labels carry mathtext and markup, which must come out as the same text.
"""

import html
import io
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.colors import to_hex, to_rgba
from matplotlib.path import Path as MplPath
from numpy.testing import assert_allclose
from pyproj import Transformer

import borderstrikes as bs
from borderstrikes.errors import CRSError, GeometryError
from borderstrikes.viz.interactive import interactive_map_html
from borderstrikes.viz.layers import overlay_layers
from borderstrikes.viz.style import EVIDENCE_STYLES, OVERLAY_ALPHA, OVERLAY_COLOURS

sys.path.insert(0, str(Path(__file__).parent))
from browser import run_chromium

MAP_CRS = "EPSG:32638"
#: Labels: mathtext (malformed too), markup, a template expression.
FAN_LABEL = "Fan from $x^2$ <b>crater</b> {{7*7}}"
RING_LABEL = "BM-21 reach $\\frac{$"
LINE_LABEL = "Front line <i>as claimed</i>"


@pytest.fixture(scope="module")
def strikes():
    return bs.load_strikes()


@pytest.fixture(scope="module")
def overlays():
    """A fan (EPSG:4326), an annulus in Web Mercator (a hole) and a line in UTM 38N."""
    crater = gpd.GeoSeries([shapely.Point(45.69, 39.84)], crs="EPSG:4326")
    fan = bs.bearing_fans(crater, direction="ENE", max_range_km=12, step_m=1000)
    goris = gpd.GeoSeries([shapely.Point(46.3383, 39.5111)], crs="EPSG:4326")
    ring = bs.range_rings(goris, weapon="BM-21", step_m=2000).to_crs("EPSG:3857")
    line = gpd.GeoSeries(
        [shapely.LineString([(590_000, 4_430_000), (600_000, 4_440_000), (605_000, 4_460_000)])],
        crs=MAP_CRS,
    )
    return [(FAN_LABEL, fan), (RING_LABEL, ring), (LINE_LABEL, line)]


@pytest.fixture(scope="module")
def ax(strikes, overlays):
    _, axes = plt.subplots(figsize=(5, 5), dpi=72)
    drawn = bs.plot_strikes(
        strikes, ax=axes, basemap="offline", labels=False, inset=False, overlays=overlays
    )
    yield drawn
    plt.close(drawn.figure)


def lonlat_vertices(frame):
    """Every vertex of the frame's polygons (exteriors then holes) or lines, in EPSG:4326."""
    parts = []
    for geom in frame.to_crs("EPSG:4326").geometry:
        if geom.geom_type == "Polygon":
            parts += [np.asarray(geom.exterior.coords)]
            parts += [np.asarray(ring.coords) for ring in geom.interiors]
        else:
            parts += [np.asarray(geom.coords)]
    return parts


def by_gid(ax, gid):
    return [c for c in ax.collections if c.get_gid() == gid]


# --------------------------------------------------------------------------- static map


@pytest.mark.parametrize("position", [0, 1])
def test_static_areas_are_drawn_where_they_are(ax, overlays, position):
    (collection,) = by_gid(ax, f"borderstrikes-overlay-{position}")
    to_lonlat = Transformer.from_crs(MAP_CRS, "EPSG:4326", always_xy=True)
    (path,) = collection.get_paths()
    x, y = to_lonlat.transform(path.vertices[:, 0], path.vertices[:, 1])
    # One ring per CLOSEPOLY; matplotlib gets them normalised (start vertex, orientation).
    ends = np.flatnonzero(path.codes == MplPath.CLOSEPOLY) + 1
    rings = np.split(np.column_stack([x, y]), ends[:-1])
    drawn = shapely.Polygon(rings[0], rings[1:])
    (expected,) = overlays[position][1].to_crs("EPSG:4326").geometry
    assert len(rings) == 1 + len(expected.interiors)
    assert shapely.equals_exact(shapely.normalize(drawn), shapely.normalize(expected), 1e-8)
    # Translucent fill and outline in the overlay's colour, never an evidence colour.
    colour = OVERLAY_COLOURS[position]
    assert_allclose(collection.get_facecolor()[0], to_rgba(colour, OVERLAY_ALPHA))
    assert to_hex(collection.get_edgecolor()[0]) == colour.lower()
    assert colour not in {style["color"] for style in EVIDENCE_STYLES.values()}


def test_static_lines_are_drawn_where_they_are(ax, overlays):
    (collection,) = by_gid(ax, "borderstrikes-overlay-2-lines")
    (segment,) = collection.get_segments()
    expected = np.asarray(overlays[2][1].geometry.iloc[0].coords)  # already in the map CRS
    assert_allclose(segment, expected, rtol=0, atol=1e-6)


def test_static_extent_shows_every_overlay(ax, overlays):
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for _, frame in overlays:
        minx, miny, maxx, maxy = frame.to_crs(MAP_CRS).total_bounds
        assert x0 <= minx <= maxx <= x1
        assert y0 <= miny <= maxy <= y1


def test_static_legend_lists_each_overlay_literally(ax):
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    start = texts.index("Overlays")
    # The legend stores the escaped text; what it draws is the label itself (below).
    assert texts[start + 1 : start + 4] == [
        "Fan from \\$x^2\\$ <b>crater</b> {{7*7}}",
        "BM-21 reach \\$\\frac{\\$",
        "Front line <i>as claimed</i>",
    ]
    handles = legend.legend_handles[start + 1 : start + 4]
    assert to_hex(handles[0].get_edgecolor()) == OVERLAY_COLOURS[0].lower()
    assert to_hex(handles[2].get_color()) == OVERLAY_COLOURS[2].lower()  # a line, not a patch
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        ax.figure.savefig(buffer, format="svg")
    svg = html.unescape(buffer.getvalue())
    for label in (FAN_LABEL, RING_LABEL, LINE_LABEL):
        assert f">{label}</text>" in svg


# --------------------------------------------------------------------------- bad input


def square(crs="EPSG:4326"):
    return gpd.GeoSeries([shapely.box(45.0, 40.0, 45.1, 40.1)], crs=crs)


@pytest.mark.parametrize("draw", [bs.plot_strikes, interactive_map_html])
def test_an_overlay_without_crs_is_an_error(draw):
    with pytest.raises(CRSError, match=r"overlay 'Square' has no CRS; call \.set_crs"):
        draw(overlays=[("Square", square(crs=None))])


@pytest.mark.parametrize(
    ("overlays", "error", "match"),
    [
        (square(), TypeError, "sequence of \\(label, GeoDataFrame\\) pairs.*got GeoSeries"),
        ([square()], TypeError, "item 0 is GeoSeries, not a pair"),
        ([(1, square())], TypeError, "the label of item 0 is int, not str"),
        ([("Square", pd.DataFrame({"x": [1]}))], TypeError, "is DataFrame"),
        (
            [("Points", gpd.GeoSeries([shapely.Point(45, 40)], crs="EPSG:4326"))],
            GeometryError,
            "must hold polygons or lines \\(got \\['Point'\\]\\).*range_rings",
        ),
    ],
)
def test_overlays_of_the_wrong_form_are_refused(overlays, error, match):
    with pytest.raises(error, match=match):
        overlay_layers(overlays)


def test_a_mapping_is_a_sequence_of_pairs_in_order():
    frame = square()
    a = overlay_layers({"A": frame, "B": frame.to_crs(MAP_CRS)})
    b = overlay_layers([("A", frame), ("B", frame)])
    assert [(o.label, o.style["color"]) for o in a] == [(o.label, o.style["color"]) for o in b]
    assert a[1].frame.crs == "EPSG:4326"
    assert_allclose(
        np.asarray(a[1].frame.geometry.iloc[0].exterior.coords),
        np.asarray(frame.geometry.iloc[0].exterior.coords),
        atol=1e-9,
    )


# --------------------------------------------------------------------------- interactive map


@pytest.fixture(scope="module")
def page(strikes, overlays):
    return interactive_map_html(strikes, overlays=overlays)


def geojson_layers(page):
    """The data of every L.geoJSON(...) call in the document, read as JSON."""
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(page, m.end())[0] for m in re.finditer(r"L\.geoJSON\(", page)]


def test_document_holds_each_overlay_as_geojson(page, overlays):
    layers = {}
    for data in geojson_layers(page):
        labels = {f["properties"].get("overlay") for f in data["features"]}
        if labels != {None}:
            (label,) = labels
            layers[label] = data
    assert list(layers) == [label for label, _ in overlays]
    for position, (label, frame) in enumerate(overlays):
        (feature,) = layers[label]["features"]
        coords = feature["geometry"]["coordinates"]
        rings = coords if feature["geometry"]["type"] == "Polygon" else [coords]
        expected = lonlat_vertices(frame)
        assert len(rings) == len(expected)
        for ring, want in zip(rings, expected, strict=True):
            assert_allclose(np.asarray(ring), want, rtol=0, atol=0.5e-5 + 1e-12)
        assert feature["style"]["color"] == OVERLAY_COLOURS[position]
        assert feature["style"]["fillOpacity"] == OVERLAY_ALPHA


PROBE = r"""
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var out = {rows: [], control: [], paths: []};
    document.querySelectorAll("#bs-legend .bs-overlay-row").forEach(function (row) {
      out.rows.push({text: row.textContent,
        stroke: row.querySelector("path").getAttribute("stroke")});
    });
    document.querySelectorAll(".leaflet-control-layers-overlays label").forEach(function (l) {
      out.control.push(l.textContent.trim());
    });
    document.querySelectorAll("path.bs-overlay").forEach(function (p) {
      out.paths.push(p.getAttribute("stroke"));
    });
    out.injected = document.querySelectorAll("#bs-legend b, #bs-legend i").length;
    var pre = document.createElement("pre");
    pre.id = "bs-probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 300);
});
</script>
"""


def test_legend_row_and_layer_toggle_in_the_browser(tmp_path, page):
    path = tmp_path / "map.html"
    path.write_text(page.rstrip().removesuffix("</html>") + PROBE + "</html>", "utf-8")
    dom = run_chromium(tmp_path, "--window-size=1000,800", "--dump-dom", path.as_uri())
    found = re.search(r'<pre id="bs-probe">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found, dom[-2000:]
    seen = json.loads(html.unescape(found.group(1)))
    labels = [FAN_LABEL, RING_LABEL, LINE_LABEL]
    assert [row["text"] for row in seen["rows"]] == labels
    assert [row["stroke"] for row in seen["rows"]] == list(OVERLAY_COLOURS)
    assert set(labels) <= set(seen["control"])
    assert seen["paths"] == list(OVERLAY_COLOURS)  # one SVG path per feature, in its colour
    assert seen["injected"] == 0
