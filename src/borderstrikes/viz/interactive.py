"""Interactive web map of strike reports (folium / Leaflet), viewable offline.

:func:`explore_strikes` returns a :class:`folium.Map` with one toggleable
layer per theme: country outlines and lakes, admin-1 units, the border by
section, distance bands, cluster footprints and the reports (one layer per
evidence kind, a popup per report with its place, date, weapons, claimant,
evidence and a link to the source). Save it with :func:`save_html` (or
``m.save(path)``): the page is a single HTML file.

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
    and admin-1 polygons then give the context.

folium is imported inside the functions; install it with
``pip install "borderstrikes[interactive]"``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.constants import WGS84
from borderstrikes._core.optional import import_optional
from borderstrikes.viz.layers import MapLayers, build_layers, polygonal, zone_bands
from borderstrikes.viz.style import (
    BORDER_COLOR,
    BORDER_STYLES,
    COUNTRY_LINE,
    LAKE_LINE,
    LAND_HOME,
    LAND_OTHER,
    WATER,
    attribution_text,
    evidence_label,
    evidence_style,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["LEAFLET_VERSION", "MAX_POINTS", "explore_strikes", "save_html"]

#: Version of the Leaflet copy inlined by ``inline_assets=True``.
LEAFLET_VERSION = "1.9.4"

#: Most reports :func:`explore_strikes` draws as individual markers.
MAX_POINTS = 5000

__doc__ = (__doc__ or "").replace("|leaflet_version|", LEAFLET_VERSION)


def _import_folium() -> Any:
    return import_optional("folium", extra="interactive", purpose="interactive maps")


# --------------------------------------------------------------------------- assets


def _static(name: str) -> bytes:
    return (resources.files("borderstrikes") / "_static" / "leaflet" / name).read_bytes()


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
    # Keep folium's globals (L_NO_TOUCH...) first: the header renders in insertion order,
    # and they are added when the map is created, before this runs.
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    header.add_child(Element(f"<style>{_leaflet_css()}</style>"), name="borderstrikes_leaflet_css")
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
        f"<tr><th style='text-align:left;padding-right:6px'>{html.escape(k)}</th>"
        f"<td>{html.escape(_fmt(v))}</td></tr>"
        for k, v in fields
        if _fmt(v)
    )
    url = _fmt(row.get("source_url"))
    link = ""
    if url.startswith(("http://", "https://")):
        link = (
            f"<p><a href='{html.escape(url, quote=True)}' target='_blank' "
            f"rel='noopener noreferrer'>Source</a></p>"
        )
    rid = html.escape(_fmt(row.get("report_id")))
    title = f"<b>Report {rid}</b>" if rid else "<b>Report</b>"
    others = (
        f"<p><i>{n_same_place - 1} other report(s) share this location.</i></p>"
        if n_same_place > 1
        else ""
    )
    return f"{title}<table>{rows}</table>{link}{others}"


# --------------------------------------------------------------------------- layers


def _geojson(frame: gpd.GeoDataFrame, columns: list[str]) -> dict[str, Any]:
    """GeoJSON of ``frame`` in WGS84 keeping only ``columns`` (all JSON-serialisable)."""
    keep = [c for c in columns if c in frame.columns]
    out = frame[[*keep, frame.geometry.name]].to_crs(WGS84).copy()
    # 5 decimals of a degree is ~1 m: ample for a web map, and the page is ~half the size.
    out[out.geometry.name] = shapely.transform(
        np.asarray(out.geometry.values), lambda xy: np.round(xy, 5)
    )
    for col in keep:
        out[col] = out[col].map(_fmt)
    return json.loads(out.to_json(drop_id=True))


def _bind_popup(marker: Any, content: str, max_width: int = 320) -> None:
    """Attach an HTML popup without folium.Popup, whose template needs jQuery."""
    from branca.element import MacroElement
    from jinja2 import Template

    element = MacroElement()
    element._name = "BorderstrikesPopup"
    element._template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindPopup({{ this.content|tojson }}, "
        "{maxWidth: {{ this.max_width }}});"
        "{% endmacro %}"
    )
    element.content = content
    element.max_width = int(max_width)
    marker.add_child(element)


def _add_attribution(m: folium.Map, text: str) -> None:
    """Add text to Leaflet's attribution control (vector data needs credit too)."""
    from branca.element import Element, MacroElement
    from jinja2 import Template

    element = MacroElement()
    element._template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution("
        "{{ this.text|tojson }});"
        "{% endmacro %}"
    )
    element.text = text
    m.add_child(element)
    m.get_root().header.add_child(
        Element(
            "<style>.leaflet-control-attribution{font-size:10px;line-height:1.35;"
            "max-width:75%}</style>"
        ),
        name="borderstrikes_attribution_css",
    )


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
    _add_context(folium, m, layers, tiles=tiles)
    _add_units(folium, m, layers)
    _add_zones(folium, m, layers)
    _add_footprints(folium, m, layers)
    _add_border(folium, m, layers)
    _add_reports(folium, m, layers)
    credit = html.escape(attribution_text(layers.sources, []))
    if credit:
        _add_attribution(m, credit)
    folium.LayerControl(collapsed=False).add_to(m)
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
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def _add_context(folium: Any, m: folium.Map, layers: MapLayers, *, tiles: Any) -> None:
    """Add countries and lakes (the offline basemap; transparent over tiles)."""
    home = layers.home
    context = folium.FeatureGroup(name="Countries and lakes", show=True)
    folium.GeoJson(
        _geojson(layers.countries, ["iso3", "name"]),
        name="Countries",
        style_function=lambda f: {
            "color": COUNTRY_LINE,
            "weight": 1,
            "fillColor": LAND_HOME if f["properties"]["iso3"] == home else LAND_OTHER,
            "fillOpacity": 0.0 if tiles is not None else 1.0,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(context)
    folium.GeoJson(
        _geojson(layers.lakes, ["name"]),
        style_function=lambda f: {
            "color": LAKE_LINE,
            "weight": 0.5,
            "fillColor": WATER,
            "fillOpacity": 1.0,
        },
    ).add_to(context)
    context.add_to(m)


def _add_units(folium: Any, m: folium.Map, layers: MapLayers) -> None:
    """Add the admin-1 outlines, named in a tooltip."""
    folium.GeoJson(
        _geojson(layers.units, ["name_en", "iso_3166_2"]),
        name="Admin-1 units",
        style_function=lambda f: {"color": "#9A9A9A", "weight": 0.8, "fillOpacity": 0.0},
        tooltip=folium.GeoJsonTooltip(
            fields=["name_en", "iso_3166_2"], aliases=["Unit", "ISO 3166-2"]
        ),
    ).add_to(m)


def _add_zones(folium: Any, m: folium.Map, layers: MapLayers) -> None:
    """Add the bands between successive zone depths, one layer."""
    if layers.zones is None:
        return
    group = folium.FeatureGroup(name="Distance from the border (geodesic)")
    for band in zone_bands(layers.zones, WGS84).itertuples():
        folium.GeoJson(
            shapely.geometry.mapping(band.geometry),
            style_function=lambda f, c=band.colour: {
                "color": c,
                "weight": 0,
                "fillColor": c,
                "fillOpacity": 0.35,
            },
            tooltip=band.label,
        ).add_to(group)
    group.add_to(m)


def _add_footprints(folium: Any, m: folium.Map, layers: MapLayers) -> None:
    """Add the cluster footprints that have an area, with name and area in a tooltip."""
    if layers.footprints is None or not len(polygonal(layers.footprints)):
        return
    footprints = polygonal(layers.footprints)
    columns = [c for c in ("name", "area_km2") if c in footprints.columns]
    folium.GeoJson(
        _geojson(footprints, columns),
        name="Cluster footprints",
        style_function=lambda f: {
            "color": "#333333",
            "weight": 1.5,
            "dashArray": "6 4",
            "fillColor": "#333333",
            "fillOpacity": 0.07,
        },
        tooltip=folium.GeoJsonTooltip(fields=columns) if columns else None,
    ).add_to(m)


def _add_border(folium: Any, m: folium.Map, layers: MapLayers) -> None:
    """Add the border, dashed by section (style key ``kind``)."""
    folium.GeoJson(
        _geojson(layers.border, ["section", "country_a", "country_b", "length_km", "kind"]),
        name="Armenia–Azerbaijan border",
        style_function=lambda f: {
            "color": BORDER_COLOR,
            "weight": 3 if f["properties"]["kind"] == "main" else 2.5,
            "dashArray": BORDER_STYLES[f["properties"]["kind"]]["dash"],
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["section", "length_km"], aliases=["Section", "Length (km, geodesic)"]
        ),
    ).add_to(m)


def _add_reports(folium: Any, m: folium.Map, layers: MapLayers) -> None:
    """Add one layer of reports per evidence kind, each with a tooltip and a popup."""
    reports = layers.reports
    lon = shapely.get_x(np.asarray(reports.geometry.values))
    lat = shapely.get_y(np.asarray(reports.geometry.values))
    location_key = pd.Series(
        list(zip(np.round(lon, 5), np.round(lat, 5), strict=True)), index=reports.index
    )
    same_place = location_key.map(location_key.value_counts()).to_numpy()
    for kind in layers.evidence_kinds:
        sel = np.flatnonzero((layers.evidence == kind).to_numpy())
        group = folium.FeatureGroup(name=f"Reports: {evidence_label(kind)} ({len(sel)})")
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
                tooltip=html.escape(_fmt(row.get("place")) or _fmt(row.get("report_id"))),
            )
            _bind_popup(marker, _popup_html(row, int(same_place[i])))
            marker.add_to(group)
        group.add_to(m)


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
