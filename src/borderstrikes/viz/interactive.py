"""Interactive web map of strike reports (folium / Leaflet), viewable offline.

:func:`explore_strikes` returns a :class:`folium.Map` with one toggleable
layer per theme: country outlines and lakes, admin-1 units, the border by
section, distance bands, cluster footprints and the reports (one layer per
evidence kind, a popup per report with its place, date, weapons, claimant,
evidence and a link to the source). Save it with :func:`save_html` (or
``m.save(path)``): the page is a single HTML file.

:func:`interactive_map_html` returns the map to publish (the one the report
embeds and ``borderstrikes map --html`` writes) as one offline HTML
document: a legend with the static map's symbol per evidence kind, one
symbol per place sized and labelled by its count of reports (merged on a
grid past :data:`MAX_MARKERS` places, and said so), stand-in points drawn
hollow, dashed location-precision circles, and a time control over the
reports' date intervals. Its reports are data read by one script
(``_static/interactive_map.js``), not one folium element each, so 40,000
events make a page of about 2 MB; :func:`interactive_map` returns the same
as a :class:`folium.Map`.

Design decisions
----------------
Why folium
    The dataset is event-scale (88 reports); one Leaflet SVG marker per
    report is light, and folium writes a plain HTML file that opens in any
    browser, can be e-mailed or archived, and needs no Python kernel.
    lonboard (deck.gl, GPU) is the better tool for hundreds of thousands of
    points but needs a Jupyter widget runtime and WebGL, and its output is
    not a standalone, archivable page. Browsers slow down past a few
    thousand DOM markers, so :func:`explore_strikes` refuses more than
    :data:`MAX_POINTS` reports and says what to do instead, rather than
    producing a page that hangs.
Offline pages
    folium links Leaflet from a CDN, so a saved map is blank without a
    connection. With ``inline_assets=True`` (the default) the page embeds a
    copy of Leaflet |leaflet_version| shipped in ``borderstrikes/_static/leaflet``
    (from the npm package ``leaflet``, BSD-2-Clause; its licence file ships
    alongside and its notice is kept at the top of the inlined script), and
    nothing else is loaded: the map works from a local file with no network.
    ``tiles=None`` drops the web basemap as well; the shipped country, lake
    and admin-1 polygons then give the context. The inlined files must match
    the sha256 pinned in :data:`LEAFLET_SHA256`: an edited copy is refused.
Text from files is data, never code
    Place names, evidence values, cluster names, outlets and notes come from
    files that others wrote. They reach the page only as JavaScript literals
    (:func:`borderstrikes._core.escape.js_literal_for_jinja`) and are shown
    with ``textContent`` (tooltips) or as escaped HTML (popups, layer names,
    credits). The layers, tooltips, popups and layer control are therefore
    drawn by the small elements of this module rather than by folium's own:
    folium writes tooltip text into a JavaScript template string and
    property values into ``innerHTML``, Leaflet reads layer names as HTML,
    and branca renders every element's script again as a Jinja template
    (so a ``{{ ... }}`` in a name would run in Python).

folium (a dependency) is imported inside the functions, so that importing
borderstrikes stays light.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.constants import WGS84
from borderstrikes._core.escape import html_text, js_literal_for_jinja
from borderstrikes._core.optional import import_optional
from borderstrikes.errors import DataFileError
from borderstrikes.viz.interactive_reports import MAX_MARKERS, report_payload
from borderstrikes.viz.layers import (
    MapLayers,
    build_layers,
    day_intervals,
    polygonal,
    zone_bands,
)
from borderstrikes.viz.style import (
    BORDER_COLOR,
    BORDER_STYLES,
    COUNTRY_LINE,
    LAKE_LINE,
    LAND_HOME,
    LAND_OTHER,
    WATER,
    attribution_text,
    date_range_text,
    evidence_label,
    evidence_style,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = [
    "CLAIMS_NOTE",
    "LEAFLET_SHA256",
    "LEAFLET_VERSION",
    "MAX_MARKERS",
    "MAX_POINTS",
    "SYMBOL_PATHS",
    "explore_strikes",
    "interactive_map",
    "interactive_map_html",
    "save_html",
]

#: Version of the Leaflet copy inlined by ``inline_assets=True``.
LEAFLET_VERSION = "1.9.4"

#: sha256 of each file of the shipped Leaflet copy (``_static/leaflet``), as
#: published in the npm package ``leaflet`` 1.9.4; any other content is refused.
LEAFLET_SHA256 = {
    "leaflet.js": "db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a",
    "leaflet.css": "a7837102824184820dfa198d1ebcd109ff6d0ff9a2672a074b9a1b4d147d04c6",
    "images/layers.png": "1dbbe9d028e292f36fcba8f8b3a28d5e8932754fc2215b9ac69e4cdecf5107c6",
    "images/layers-2x.png": "066daca850d8ffbef007af00b06eac0015728dee279c51f3cb6c716df7c42edf",
    "images/marker-icon.png": "574c3a5cca85f4114085b6841596d62f00d7c892c7b03f28cbfa301deb1dc437",
    "images/marker-icon-2x.png": "00179c4c1ee830d3a108412ae0d294f55776cfeb085c60129a39aa6fc4ae2528",
    "images/marker-shadow.png": "264f5c640339f042dd729062cfc04c17f8ea0f29882b538e3848ed8f10edb4da",
}

#: Most reports :func:`explore_strikes` draws as individual markers.
MAX_POINTS = 5000

__doc__ = (__doc__ or "").replace("|leaflet_version|", LEAFLET_VERSION)


def _import_folium() -> Any:
    return import_optional("folium", extra="interactive", purpose="interactive maps")


# --------------------------------------------------------------------------- assets


def _static(name: str) -> bytes:
    """Return a file of the shipped Leaflet copy, refusing one that is not the pinned file."""
    path = resources.files("borderstrikes") / "_static" / "leaflet" / name
    data = path.read_bytes()
    expected = LEAFLET_SHA256.get(name)
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        msg = (
            f"The shipped Leaflet file {name} ({path}) does not match the sha256 pinned for "
            f"Leaflet {LEAFLET_VERSION} (expected {expected}, got {actual}); it was changed "
            "after borderstrikes was installed and is not embedded in the page. Reinstall "
            "borderstrikes, or pass inline_assets=False to link Leaflet from its CDN."
        )
        raise DataFileError(msg)
    return data


def _leaflet_css() -> str:
    css = _static("leaflet.css").decode("utf-8")

    def embed(match: re.Match[str]) -> str:
        data = base64.b64encode(_static(match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    # The stylesheet's images (layer-control icon, default marker) become data URIs.
    return re.sub(r"url\((images/[\w\-]+\.png)\)", embed, css)


def _inline_leaflet(m: folium.Map) -> None:
    from branca.element import Element

    js = _static("leaflet.js").decode("utf-8")
    css = _leaflet_css()
    # Keep folium's globals (L_NO_TOUCH...) first: the header renders in insertion order,
    # and they are added when the map is created, before this runs.
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    header.add_child(Element(f"<style>{css}</style>"), name="borderstrikes_leaflet_css")
    header.add_child(Element(f"<script>{js}</script>"), name="borderstrikes_leaflet_js")


# --------------------------------------------------------------------------- popups


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, pd.Timestamp):
        if value == value.normalize():
            return value.strftime("%Y-%m-%d")
        return value.isoformat()
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _popup_html(row: pd.Series, n_same_place: int) -> str:
    fields = [
        ("Place", row.get("place")),
        ("Date", row.get("date")),
        ("Time (local)", row.get("time_local")),
        ("Weapons", row.get("weapons")),
        ("Target", row.get("target_type")),
        ("Claimant", row.get("claimant")),
        ("Evidence", row.get("evidence")),
        ("Location precision", row.get("location_precision")),
        ("Outlet", row.get("source_outlet")),
    ]
    rows = "".join(
        f"<tr><th style='text-align:left;padding-right:6px'>{html_text(k)}</th>"
        f"<td>{html_text(_fmt(v))}</td></tr>"
        for k, v in fields
        if _fmt(v)
    )
    url = _fmt(row.get("source_url"))
    link = ""
    if url.startswith(("http://", "https://")):
        link = (
            f"<p><a href='{html_text(url)}' target='_blank' "
            f"rel='noopener noreferrer'>Source</a></p>"
        )
    rid = html_text(_fmt(row.get("report_id")))
    title = f"<b>Report {rid}</b>" if rid else "<b>Report</b>"
    others = (
        f"<p><i>{n_same_place - 1} other report(s) share this location.</i></p>"
        if n_same_place > 1
        else ""
    )
    return f"{title}<table>{rows}</table>{link}{others}"


# --------------------------------------------------------------------------- layers


def _geojson(
    frame: gpd.GeoDataFrame,
    columns: list[str],
    style: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """GeoJSON of ``frame`` in WGS84 keeping only ``columns``, as text.

    ``style`` maps a feature's properties to its Leaflet path options, kept
    in the feature as ``style``.
    """
    keep = [c for c in columns if c in frame.columns]
    out = frame[[*keep, frame.geometry.name]].to_crs(WGS84).copy()
    # 5 decimals of a degree is ~1 m: ample for a web map, and the page is ~half the size.
    out[out.geometry.name] = shapely.transform(
        np.asarray(out.geometry.values), lambda xy: np.round(xy, 5)
    )
    for col in keep:
        out[col] = out[col].map(_fmt)
    data = json.loads(out.to_json(drop_id=True))
    if style is not None:
        for feature in data["features"]:
            feature["style"] = style(feature["properties"])
    return data


# --------------------------------------------------------------------------- elements
#
# Every value an element writes into the page is a literal from
# js_literal_for_jinja: branca compiles each element's script as a Jinja
# template once more, so the script text must hold no "{{", "{%" or "{#"
# (the code below has none either). Text is shown with textContent or as
# escaped HTML, never as code.

#: Style of each feature, kept in the feature itself (a GeoJSON foreign member).
_GEOJSON_LAYER = (
    "var {{ this.get_name() }} = L.geoJSON({{ this.js.data }}, "
    "{style: function (feature) { return feature.style || {}; } })"
    ".addTo({{ this._parent.get_name() }});"
)

#: A tooltip table of some feature properties, one ``[property, label or null]`` each.
_FIELDS_TOOLTIP = """
{{ this.get_name() }}.bindTooltip(function (layer) {
    var properties = (layer.feature && layer.feature.properties) || {};
    var table = L.DomUtil.create("table", "bs-tooltip");
    {{ this.js.fields }}.forEach(function (field) {
        var value = properties[field[0]];
        if (value === null || value === undefined || value === "") { return; }
        var row = L.DomUtil.create("tr", "", table);
        if (field[1] !== null) { L.DomUtil.create("th", "", row).textContent = field[1]; }
        L.DomUtil.create("td", "", row).textContent = String(value);
    });
    return table;
}, {sticky: true});
"""

_TEXT_TOOLTIP = """
{{ this._parent.get_name() }}.bindTooltip(function () {
    var div = L.DomUtil.create("div");
    div.textContent = {{ this.js.text }};
    return div;
}, {sticky: true});
"""

#: folium.Popup's template needs jQuery; Leaflet's own bindPopup does not.
_POPUP = (
    "{{ this._parent.get_name() }}.bindPopup({{ this.js.html }}, "
    "{maxWidth: {{ this.js.max_width }} });"
)

_ATTRIBUTION = (
    "{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.js.html }});"
)

_CSS = (
    "<style>.leaflet-control-attribution{font-size:10px;line-height:1.35;max-width:75%}"
    ".bs-tooltip th{text-align:left;padding-right:6px}</style>"
)


def _script(parent: Any, code: str, name: str = "BorderstrikesScript", **values: Any) -> Any:
    """Add to ``parent`` an element whose script is ``code`` (a Jinja template).

    ``code`` reads each of ``values`` as ``{{ this.js.<key> }}``, written by
    :func:`js_literal_for_jinja`; nothing else is put into it.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    element = MacroElement()
    element._name = name
    element._template = Template("{% macro script(this, kwargs) %}" + code + "{% endmacro %}")
    element.js = {key: js_literal_for_jinja(value) for key, value in values.items()}
    parent.add_child(element)
    return element


def _geojson_layer(
    parent: Any,
    data: dict[str, Any],
    fields: list[tuple[str, str | None]] | None = None,
) -> Any:
    """Add a Leaflet GeoJSON layer of ``data`` to ``parent``, with a tooltip of ``fields``.

    ``fields`` are ``(property, label)`` pairs (``label`` None shows the value alone).
    """
    code = _GEOJSON_LAYER
    values: dict[str, Any] = {"data": data}
    if fields:
        code += _FIELDS_TOOLTIP
        values["fields"] = [list(field) for field in fields]
    return _script(parent, code, name="BorderstrikesGeoJson", **values)


def _bind_tooltip(layer: Any, text: str) -> None:
    """Show ``text`` (plain text, never HTML) when the pointer is over ``layer``."""
    _script(layer, _TEXT_TOOLTIP, name="BorderstrikesTooltip", text=text)


def _bind_popup(marker: Any, content: str, max_width: int = 320) -> None:
    """Attach a popup of ``content``, HTML whose every text is escaped (:func:`_popup_html`)."""
    _script(marker, _POPUP, name="BorderstrikesPopup", html=content, max_width=int(max_width))


def _add_attribution(m: folium.Map, text: str) -> None:
    """Add ``text`` (plain text) to Leaflet's attribution control (vector data needs credit)."""
    _script(m, _ATTRIBUTION, name="BorderstrikesAttribution", html=html_text(text))


def _add_layer_control(
    folium: Any, m: folium.Map, overlays: list[tuple[str, Any]], *, collapsed: bool = False
) -> None:
    """Add a layer control listing the tile layer (if any) and ``overlays``, named as text.

    Leaflet inserts layer names as HTML, so each name is escaped; folium's
    LayerControl would hand them over unescaped.
    """
    base = [
        (str(child.layer_name), child)
        for child in m._children.values()
        if isinstance(child, folium.TileLayer) and child.control
    ]
    code = (
        "var {{ this.get_name() }} = L.control.layers(null, null, "
        f"{{collapsed: {'true' if collapsed else 'false'}}})"
        ".addTo({{ this._parent.get_name() }});"
    )
    values = {}
    for i, (name, layer) in enumerate([*base, *overlays]):
        variable = layer.get_name()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):  # pragma: no cover
            msg = f"unexpected Leaflet variable name {variable!r}"
            raise ValueError(msg)
        method = "addBaseLayer" if i < len(base) else "addOverlay"
        code += f"{{{{ this.get_name() }}}}.{method}({variable}, {{{{ this.js.name{i} }}}});"
        values[f"name{i}"] = html_text(name)
    _script(m, code, name="BorderstrikesLayerControl", **values)


def _group(folium: Any, m: folium.Map) -> Any:
    """Add an empty layer group to ``m`` (named in the layer control, not by folium)."""
    return folium.FeatureGroup(control=False).add_to(m)


def explore_strikes(
    strikes: gpd.GeoDataFrame | None = None,
    *,
    clusters: gpd.GeoDataFrame | pd.Series | None = None,
    zones: gpd.GeoDataFrame | None = None,
    distance_bands_km: list[float] | None = None,
    tiles: Any = "OpenStreetMap",
    inline_assets: bool = True,
    max_points: int = MAX_POINTS,
    border: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    overlays: Any = None,
) -> folium.Map:
    """Build an interactive Leaflet map of strike reports.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame, optional
        Point reports with a CRS in the schema of
        :func:`borderstrikes.load_strikes` (the default). Rows without a
        location are left out (the layer name gives the count drawn).
    clusters : geopandas.GeoDataFrame, optional
        Cluster footprints (:func:`borderstrikes.clustering.describe_clusters`).
        Per-report labels (:func:`borderstrikes.clustering.cluster_strikes`)
        still work (footprints are derived from them) but are deprecated.
    zones : geopandas.GeoDataFrame, optional
        Zones inside Armenia within ``depth_km`` of the border, e.g.
        ``pd.concat([buffer_zone(depth_km=d) for d in (5, 10, 20)])``
        (:func:`borderstrikes.areas.buffer_zone`); drawn as bands between
        successive depths.
    distance_bands_km : list of float, optional
        Deprecated: pass ``zones=`` instead. Depths, in km, of the zones.
    tiles : str, xyzservices.TileProvider or None, default 'OpenStreetMap'
        Web basemap, credited in the map's attribution. ``None`` draws no
        tiles: with ``inline_assets=True`` the page then needs no network.
    inline_assets : bool, default True
        Embed Leaflet's script and stylesheet in the page instead of linking
        them from a CDN, so that a saved page works offline.
    max_points : int, default MAX_POINTS
        Refuse more reports than this (see the module's notes).
    border : geopandas.GeoDataFrame, optional
        Border lines with a ``section`` column; default the shipped
        Armenia–Azerbaijan border.
    countries : geopandas.GeoDataFrame, optional
        Admin-0 polygons with ``iso3`` and ``name``; default the shipped ones.
    overlays : sequence of (str, GeoDataFrame) pairs, or mapping of str to GeoDataFrame, optional
        Polygons or lines to draw over the map (fans, range rings, exposure
        rings), each a layer of the layer control named by its label; as for
        :func:`interactive_map_html`.

    Returns
    -------
    folium.Map
        With a layer control listing every layer. Save it with
        :func:`save_html` or ``m.save(path)``.

    Raises
    ------
    ValueError
        If there are more than ``max_points`` reports.
    ImportError
        If folium is not installed.

    Warns
    -----
    FutureWarning
        If ``distance_bands_km`` is given, or ``clusters`` as labels.

    Examples
    --------
    >>> m = explore_strikes(tiles=None)
    >>> type(m).__name__
    'Map'
    >>> "cdn.jsdelivr.net" in m.get_root().render()
    False
    """
    folium = _import_folium()
    layers = build_layers(
        strikes,
        clusters=clusters,
        zones=zones,
        distance_bands_km=distance_bands_km,
        border=border,
        countries=countries,
        units_of=[defaults.COUNTRY, defaults.NEIGHBOUR],
        caller="explore_strikes",
        overlays=overlays,
    )
    if len(layers.reports) > max_points:
        msg = (
            f"strikes has {len(layers.reports)} located reports, more than "
            f"max_points={max_points}. One Leaflet marker per report makes such a page slow "
            "or blank in a browser. Aggregate first (e.g. count reports per admin-1 unit or "
            "per cluster), draw a static map with borderstrikes.viz.static.plot_strikes, or "
            "use lonboard for very large point sets; raise max_points only if you accept a "
            "slow page."
        )
        raise ValueError(msg)
    m = _new_map(folium, layers, tiles=tiles, inline_assets=inline_assets)
    toggles = [
        *_add_context(folium, m, layers, tiles=tiles),
        *_add_units(folium, m, layers),
        *_add_zones(folium, m, layers),
        *_add_footprints(folium, m, layers),
        *_add_overlays(folium, m, layers),
        *_add_border(folium, m, layers),
        *_add_reports(folium, m, layers),
    ]
    credit = attribution_text(layers.sources, [])
    if credit:
        _add_attribution(m, credit)
    _add_layer_control(folium, m, toggles)
    return m


# --------------------------------------------------------------------------- per-layer drawers


def _new_map(folium: Any, layers: MapLayers, *, tiles: Any, inline_assets: bool) -> folium.Map:
    """Return a map framing the home country and every report."""
    home = layers.countries[layers.countries["iso3"] == layers.home]
    minx, miny, maxx, maxy = home.total_bounds
    if len(layers.reports):
        lon = shapely.get_x(np.asarray(layers.reports.geometry.values))
        lat = shapely.get_y(np.asarray(layers.reports.geometry.values))
        minx, maxx = min(minx, lon.min()), max(maxx, lon.max())
        miny, maxy = min(miny, lat.min()), max(maxy, lat.max())
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=8,
        tiles=tiles,
        control_scale=True,
        prefer_canvas=False,
    )
    if inline_assets:
        _inline_leaflet(m)
    from branca.element import Element

    m.get_root().header.add_child(Element(_CSS), name="borderstrikes_css")
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


Overlays = list[tuple[str, Any]]


def _add_context(folium: Any, m: folium.Map, layers: MapLayers, *, tiles: Any) -> Overlays:
    """Add countries and lakes (the offline basemap; transparent over tiles)."""
    home = layers.home

    def country(properties: dict[str, Any]) -> dict[str, Any]:
        return {
            "color": COUNTRY_LINE,
            "weight": 1,
            "fillColor": LAND_HOME if properties["iso3"] == home else LAND_OTHER,
            "fillOpacity": 0.0 if tiles is not None else 1.0,
        }

    lake = {"color": LAKE_LINE, "weight": 0.5, "fillColor": WATER, "fillOpacity": 1.0}
    context = _group(folium, m)
    _geojson_layer(context, _geojson(layers.countries, ["iso3", "name"], country), [("name", None)])
    _geojson_layer(context, _geojson(layers.lakes, ["name"], lambda p: lake))
    return [("Countries and lakes", context)]


def _add_units(folium: Any, m: folium.Map, layers: MapLayers) -> Overlays:
    """Add the admin-1 outlines, named in a tooltip."""
    style = {"color": "#9A9A9A", "weight": 0.8, "fillOpacity": 0.0}
    group = _group(folium, m)
    _geojson_layer(
        group,
        _geojson(layers.units, ["name_en", "iso_3166_2"], lambda p: style),
        [("name_en", "Unit"), ("iso_3166_2", "ISO 3166-2")],
    )
    return [("Admin-1 units", group)]


def _add_zones(folium: Any, m: folium.Map, layers: MapLayers) -> Overlays:
    """Add the bands between successive zone depths, one layer."""
    if layers.zones is None:
        return []

    def band(properties: dict[str, Any]) -> dict[str, Any]:
        colour = properties["colour"]
        return {"color": colour, "weight": 0, "fillColor": colour, "fillOpacity": 0.35}

    group = _group(folium, m)
    bands = zone_bands(layers.zones, WGS84)
    _geojson_layer(group, _geojson(bands, ["label", "colour"], band), [("label", None)])
    return [("Distance from the border (geodesic)", group)]


def _add_footprints(folium: Any, m: folium.Map, layers: MapLayers) -> Overlays:
    """Add the cluster footprints that have an area, with name and area in a tooltip."""
    if layers.footprints is None or not len(polygonal(layers.footprints)):
        return []
    footprints = polygonal(layers.footprints)
    style = {
        "color": "#333333",
        "weight": 1.5,
        "dashArray": "6 4",
        "fillColor": "#333333",
        "fillOpacity": 0.07,
    }
    labels = {"name": "Cluster", "area_km2": "Area (km²)"}
    fields = [(c, labels[c]) for c in labels if c in footprints.columns]
    group = _group(folium, m)
    _geojson_layer(group, _geojson(footprints, list(labels), lambda p: style), fields)
    return [("Cluster footprints", group)]


def _add_overlays(folium: Any, m: folium.Map, layers: MapLayers) -> Overlays:
    """Add each overlay as its own layer: translucent fill, outline in its colour, label tooltip.

    Every feature carries its overlay's label as the property ``overlay``
    (shown with ``textContent``); the layer control names the layer by it.
    """
    found = []
    for overlay in layers.overlays:
        colour, dash = overlay.style["color"], overlay.style["dash"]
        style = {
            "color": colour,
            "weight": 1.5,
            "opacity": 0.9,
            "dashArray": dash,
            "fillColor": colour,
            "fillOpacity": overlay.style["alpha"],
            "className": "bs-overlay",
        }
        frame = overlay.frame.assign(overlay=overlay.label)
        group = _group(folium, m)
        data = _geojson(frame, ["overlay"], lambda p, s=style: s)
        _geojson_layer(group, data, [("overlay", None)])
        found.append((overlay.label, group))
    return found


def _add_border(folium: Any, m: folium.Map, layers: MapLayers) -> Overlays:
    """Add the border, dashed by section (style key ``kind``)."""

    def section(properties: dict[str, Any]) -> dict[str, Any]:
        kind = properties["kind"]
        return {
            "color": BORDER_COLOR,
            "weight": 3 if kind == "main" else 2.5,
            "dashArray": BORDER_STYLES[kind]["dash"],
        }

    columns = ["section", "country_a", "country_b", "length_km", "kind"]
    group = _group(folium, m)
    _geojson_layer(
        group,
        _geojson(layers.border, columns, section),
        [("section", "Section"), ("length_km", "Length (km, geodesic)")],
    )
    return [(layers.border_label(), group)]


def _add_reports(folium: Any, m: folium.Map, layers: MapLayers) -> Overlays:
    """Add one layer of reports per evidence kind, each with a tooltip and a popup."""
    reports = layers.reports
    lon = shapely.get_x(np.asarray(reports.geometry.values))
    lat = shapely.get_y(np.asarray(reports.geometry.values))
    location_key = pd.Series(
        list(zip(np.round(lon, 5), np.round(lat, 5), strict=True)), index=reports.index
    )
    same_place = location_key.map(location_key.value_counts()).to_numpy()
    overlays = []
    for kind in layers.evidence_kinds:
        sel = np.flatnonzero((layers.evidence == kind).to_numpy())
        group = _group(folium, m)
        css_kind = re.sub(r"[^a-z0-9_-]", "-", str(kind).lower())
        for i in sel:
            row = reports.iloc[i]
            marker = folium.CircleMarker(
                location=[float(lat[i]), float(lon[i])],
                radius=6,
                color="white",
                weight=1,
                fill=True,
                fill_color=evidence_style(kind)["color"],
                fill_opacity=0.9,
                className=f"bs-report bs-evidence-{css_kind}",
            )
            _bind_tooltip(marker, _fmt(row.get("place")) or _fmt(row.get("report_id")))
            _bind_popup(marker, _popup_html(row, int(same_place[i])))
            marker.add_to(group)
        overlays.append((f"Reports: {evidence_label(kind)} ({len(sel)})", group))
    return overlays


def save_html(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Save a map as one standalone HTML file.

    Parameters
    ----------
    m : folium.Map
        A map, e.g. from :func:`explore_strikes`.
    path : str or path-like
        Destination ``.html`` file; its folder must exist.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile
    >>> m = explore_strikes(tiles=None)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = save_html(m, Path(folder) / "strikes.html")
    ...     out.stat().st_size > 100_000
    True
    """
    path = Path(path)
    m.save(str(path))
    return path


# --------------------------------------------------------------------------- the page to publish

#: Symbol of each matplotlib marker code of :data:`~borderstrikes.viz.style.EVIDENCE_STYLES`,
#: as an SVG path in a 20 x 20 box (others are drawn as circles).
SYMBOL_PATHS = {
    "o": "M3 10a7 7 0 1 0 14 0a7 7 0 1 0 -14 0Z",
    "^": "M10 2.2L18.2 17H1.8Z",
    "v": "M10 17.8L18.2 3H1.8Z",
    "s": "M3.5 3.5H16.5V16.5H3.5Z",
    "D": "M10 1.2L18.8 10L10 18.8L1.2 10Z",
    "P": "M7.3 2H12.7V7.3H18V12.7H12.7V18H7.3V12.7H2V7.3H7.3Z",
    "X": (
        "M13.9 2.3L17.7 6.1L13.8 10L17.7 13.9L13.9 17.7L10 13.8L6.1 17.7L2.3 13.9L6.2 10"
        "L2.3 6.1L6.1 2.3L10 6.2Z"
    ),
}

#: Count labels are drawn only when at most this many symbols are in view (zoom in for more).
MAX_COUNT_LABELS = 150

#: What the map says of every report, on the map itself.
CLAIMS_NOTE = "Reports are claims, not verified facts."

_BASEMAPS = {"offline": None, "osm": "OpenStreetMap", "openstreetmap": "OpenStreetMap"}

_PAGE_CSS = (
    "<style>"
    "html,body{margin:0;padding:0;height:100%}"
    ".bs-report-icon{background:none;border:none}"
    ".bs-symbol{position:relative;display:inline-block;width:100%;height:100%}"
    ".bs-symbol svg{display:block;overflow:visible}"
    ".bs-no-counts .bs-count:not(.bs-keep){display:none}"
    ".bs-count{position:absolute;left:62%;top:-7px;background:#fff;color:#1a1a1a;"
    "border:1px solid #444;border-radius:7px;padding:0 3px;font:bold 10px/12px sans-serif;"
    "white-space:nowrap;pointer-events:none}"
    ".bs-panel{background:rgba(255,255,255,.95);padding:6px 9px;border-radius:4px;"
    "box-shadow:0 1px 5px rgba(0,0,0,.35);font:12px/1.35 sans-serif;color:#1a1a1a;"
    "max-width:250px}"
    ".bs-panel h2{font-size:13px;margin:0 0 3px}"
    ".bs-panel p{margin:3px 0}"
    ".bs-note{font-style:italic}"
    ".bs-legend-row{display:flex;align-items:center;gap:6px;margin:2px 0}"
    ".bs-legend-row svg,.bs-legend-row input{flex:none;margin:0}"
    ".bs-sample{width:20px;height:20px;flex:none;margin-right:12px}"
    ".bs-legend details summary{cursor:pointer;color:#333;margin:3px 0}"
    ".bs-summary,.bs-hint{color:#444;font-size:11px}"
    ".bs-overlays-title{font-weight:600;margin:5px 0 2px}"
    ".bs-range{display:flex;align-items:center;gap:4px}"
    ".bs-range span{width:34px}"
    ".bs-range input{flex:1;min-width:0}"
    ".bs-window{font-weight:bold}"
    ".bs-popup,.bs-popup p,.bs-popup th,.bs-popup td{font:12px/1.35 sans-serif}"
    ".bs-popup p{margin:3px 0}"
    ".bs-popup b{font-size:13px}"
    ".bs-popup table{border-collapse:collapse;margin-top:4px;border-top:1px solid #ddd;"
    "width:100%}"
    ".bs-popup th{text-align:left;padding-right:6px;vertical-align:top;font-weight:600}"
    ".bs-popup td{word-break:break-word}"
    "</style>"
)


def _date_range_text(strikes: pd.DataFrame) -> str:
    """``13–14 September 2022`` (or with months and years as needed); '' if undated."""
    start, end = day_intervals(strikes)
    if not start.notna().any():
        return ""
    return date_range_text(start.min(), end.max())


def _bounds(layers: MapLayers) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of the home country, every report and overlay."""
    home = layers.countries[layers.countries["iso3"] == layers.home].to_crs(WGS84)
    minx, miny, maxx, maxy = home.total_bounds
    frames = [layers.reports, *(overlay.frame for overlay in layers.overlays)]
    for frame in frames:
        if len(frame):
            rx0, ry0, rx1, ry1 = frame.total_bounds
            minx, miny = min(minx, rx0), min(miny, ry0)
            maxx, maxy = max(maxx, rx1), max(maxy, ry1)
    return [
        [round(float(miny), 5), round(float(minx), 5)],
        [round(float(maxy), 5), round(float(maxx), 5)],
    ]


def _reports_script() -> str:
    """Return the page's script for reports, legend and time control (``_static/``)."""
    code = (resources.files("borderstrikes") / "_static" / "interactive_map.js").read_text(
        encoding="utf-8"
    )
    if any(token in code for token in ("{{", "{%", "{#")):  # pragma: no cover
        msg = "interactive_map.js must hold no Jinja delimiters: branca renders it as a template"
        raise DataFileError(msg)
    return code


def interactive_map(
    strikes: gpd.GeoDataFrame | None = None,
    *,
    clusters: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    basemap: str = "offline",
    title: str | None = None,
    max_markers: int = MAX_MARKERS,
    border: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    overlays: Any = None,
) -> folium.Map:
    """Build the interactive map to publish: legend, symbols, precision circles, time control.

    The map of :func:`interactive_map_html` as a :class:`folium.Map` (to show
    in a notebook or save with :func:`save_html`). See there for the
    parameters.

    Examples
    --------
    >>> m = interactive_map()
    >>> type(m).__name__
    'Map'
    """
    folium = _import_folium()
    if basemap not in _BASEMAPS:
        msg = f"basemap must be one of {sorted(_BASEMAPS)!r} (got {basemap!r})."
        raise ValueError(msg)
    if not isinstance(max_markers, (int, np.integer)) or max_markers < 1:
        msg = f"max_markers must be a positive integer (got {max_markers!r})."
        raise ValueError(msg)
    tiles = _BASEMAPS[basemap]
    layers = build_layers(
        strikes,
        clusters=clusters,
        zones=zones,
        border=border,
        countries=countries,
        units_of=[defaults.COUNTRY, defaults.NEIGHBOUR],
        caller="interactive_map",
        overlays=overlays,
    )
    m = _new_map(folium, layers, tiles=tiles, inline_assets=True)
    dates = _date_range_text(layers.reports)
    if title is None:
        title = f"Reported strikes, {dates}" if dates else "Reported strikes"
    m.get_root().title = html_text(title)  # branca writes the title unescaped
    from branca.element import Element

    m.get_root().header.add_child(Element(_PAGE_CSS), name="borderstrikes_page_css")
    toggles = [
        *_add_context(folium, m, layers, tiles=tiles),
        *_add_units(folium, m, layers),
        *_add_zones(folium, m, layers),
        *_add_footprints(folium, m, layers),
        *_add_overlays(folium, m, layers),
        *_add_border(folium, m, layers),
    ]
    circles = _group(folium, m)
    reports = _group(folium, m)
    data = report_payload(
        layers.reports, layers.evidence, layers.evidence_kinds, max_markers=max_markers
    )
    n_markers = len(data["markers"]["n"])
    toggles += [
        ("Location precision (dashed circles)", circles),
        (f"Reports ({len(layers.reports)} behind {n_markers} symbols)", reports),
    ]
    _add_reports_script(m, reports, circles, data, _page_config(layers, data, title))
    credit = attribution_text(layers.sources, [])
    if credit:
        _add_attribution(m, credit)
    _add_layer_control(folium, m, toggles, collapsed=True)
    return m


def _page_config(layers: MapLayers, data: dict[str, Any], title: str) -> dict[str, Any]:
    """Return the texts and settings the page's script reads (all plain text)."""
    summary = []
    unlocated = layers.n_reports - len(layers.reports)
    if unlocated:
        summary.append(
            f"{unlocated} of {layers.n_reports} reports have no location and are not drawn."
        )
    step = data["grid_step_deg"]
    if step is not None:
        km = step * 111.32  # one degree of latitude is about 111 km
        summary.append(
            f"Too many places for one symbol each: reports within one {step:g}° cell "
            f"(about {km:.0f} km) are merged into one symbol at their mean position."
        )
    lines = [
        {
            "label": layers.border_label(kind),
            "color": BORDER_COLOR,
            "dash": BORDER_STYLES[kind]["dash"],
        }
        for kind in layers.border_kinds
    ]
    overlays = [
        {
            "label": overlay.label,
            "color": overlay.style["color"],
            "dash": overlay.style["dash"],
            "alpha": overlay.style["alpha"],
            "kind": overlay.kind,
        }
        for overlay in layers.overlays
    ]
    return {
        "title": title,
        "note": CLAIMS_NOTE,
        "shapes": SYMBOL_PATHS,
        "other_label": evidence_label("unknown"),
        "other_color": evidence_style("unknown")["color"],
        "size_px": 14,
        "size_per_decade_px": 8,
        "legend_position": "bottomright",
        "time_position": "topright",
        "stand_in_text": "Hollow: stand-in point (place not located; drawn at the centre "
        "of its municipality or region)",
        "mixed_text": "Ring: some of the reports here are at a stand-in point",
        "bounds": _bounds(layers),
        "count_text": "Number of reports at one place (the symbol grows with it; "
        f"numbers show when at most {MAX_COUNT_LABELS} symbols are in view)",
        "max_count_labels": MAX_COUNT_LABELS,
        "circle_text": "Location precision: every report here lies within the dashed circle",
        "time_text": "Reports dated by an interval show when it overlaps the dates chosen.",
        "lines": lines,
        "overlays": overlays,
        "overlays_title": "Overlays (on and off in the layer control)",
        "summary": summary,
    }


def _add_reports_script(
    m: folium.Map, reports: Any, circles: Any, data: dict[str, Any], config: dict[str, Any]
) -> None:
    """Add the script drawing the reports into ``reports`` and their circles into ``circles``."""
    names = [reports.get_name(), circles.get_name()]
    for variable in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):  # pragma: no cover
            msg = f"unexpected Leaflet variable name {variable!r}"
            raise ValueError(msg)
    code = (
        _reports_script().rstrip().removesuffix(")")
        + f")({{{{ this._parent.get_name() }}}}, {names[0]}, {names[1]}, "
        "{{ this.js.data }}, {{ this.js.config }});"
    )
    _script(m, code, name="BorderstrikesReports", data=data, config=config)


def interactive_map_html(
    strikes: gpd.GeoDataFrame | None = None,
    *,
    clusters: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    basemap: str = "offline",
    title: str | None = None,
    max_markers: int = MAX_MARKERS,
    border: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    overlays: Any = None,
) -> str:
    """Return the interactive map as one self-contained, offline HTML document.

    Leaflet and its stylesheet are inlined (the pinned copy, see
    :data:`LEAFLET_SHA256`) and nothing is fetched: the document works
    from a file, from ``<iframe srcdoc="...">`` (it never refers to its own
    address) and without a network. It shows:

    - a legend in the map's corner with the symbol and colour of each
      evidence kind, as on the static map (:mod:`borderstrikes.viz.style`),
      each with a check box to hide the kind and the count of reports shown;
      the hollow symbol of stand-in points; the symbol size and count label;
      the precision circle; the border sections; and a summary of how many
      reports stand behind how many symbols;
    - one symbol per place, shaped and coloured by the strongest evidence
      among the reports shown there (evidence kinds in legend order), sized
      and labelled by their count; hollow when every report shown there is
      a stand-in point;
    - a dashed circle of each place's location precision (see
      :mod:`borderstrikes.viz.interactive_reports`);
    - a time control: two sliders choose the first and last day shown; a
      report dated by an interval (``date_start``, ``date_end``) shows when
      the interval overlaps the days chosen, one with ``date`` only on that
      day. The days chosen and the reports shown are written above the
      sliders.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame, optional
        Point reports with a CRS (default :func:`borderstrikes.load_strikes`),
        or events from the event readers (their ``date_start``/``date_end``
        are used). Rows without a location are counted in the summary.
    clusters : geopandas.GeoDataFrame, optional
        Cluster footprints (:func:`borderstrikes.clustering.describe_clusters`).
    zones : geopandas.GeoDataFrame, optional
        Zones within ``depth_km`` of the border, drawn as bands.
    basemap : {'offline', 'osm'}, default 'offline'
        ``'offline'`` draws no tiles: the shipped country, lake and admin-1
        polygons are the background and the page needs no network.
        ``'osm'`` adds OpenStreetMap tiles (fetched by the reader's browser).
    title : str, optional
        Title of the legend and the document; default "Reported strikes, "
        and the reports' date range.
    max_markers : int, default MAX_MARKERS
        Most symbols; with more distinct places, reports are merged on a
        grid and the summary says so (nothing is dropped).
    border, countries : geopandas.GeoDataFrame, optional
        As for :func:`explore_strikes`.
    overlays : sequence of (str, GeoDataFrame) pairs, or mapping of str to GeoDataFrame, optional
        Polygons or lines (with a CRS) drawn over the map, e.g.
        ``[("120 mm mortar range", range_rings(points, weapon="120 mm mortar"))]``:
        each a layer of its own (GeoJSON in EPSG:4326, translucent fill
        outlined in its colour, the label as tooltip), named by its label
        in the layer control and listed with its colour in the legend
        (:func:`borderstrikes.viz.layers.overlay_layers`).

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    ValueError
        If ``basemap`` or ``max_markers`` is not one of the values above.
    TypeError
        If ``overlays`` is not a sequence of (label, GeoDataFrame) pairs or
        a mapping.
    CRSError
        If an overlay has no CRS.

    Notes
    -----
    The precision circles are Leaflet circles: on the Web Mercator display
    a circle is drawn round on the screen with its radius in metres correct
    at its centre, not as the geodesic circle (whose north-south extent
    differs by the cosine of the latitude change across it, under 0.1 % for
    25 km at 40°N). That is well below what the display resolves. The
    radius itself is geodesic (see
    :mod:`borderstrikes.viz.interactive_reports`).

    With 40,000 ACLED-like events the document stays under 5 MB (see
    ``benchmarks/bench_interactive.py``): reports are written once as
    numbers, texts once each, and popups list at most
    :data:`~borderstrikes.viz.interactive_reports.DETAILS_PER_MARKER`
    reports per symbol (saying how many more there are).

    Examples
    --------
    >>> page = interactive_map_html()
    >>> page.startswith("<!DOCTYPE html>"), "cdn.jsdelivr.net" in page
    (True, False)
    >>> "Reports are claims, not verified facts." in page
    True
    """
    m = interactive_map(
        strikes,
        clusters=clusters,
        zones=zones,
        basemap=basemap,
        title=title,
        max_markers=max_markers,
        border=border,
        countries=countries,
        overlays=overlays,
    )
    return m.get_root().render()
