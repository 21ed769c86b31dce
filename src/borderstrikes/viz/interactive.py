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

from borderstrikes import datasets
from borderstrikes._core.optional import import_optional
from borderstrikes._core.validate import require_crs, to_wgs84
from borderstrikes.viz.static import (
    _BORDER_COLOR,
    _OTHER_EVIDENCE,
    EVIDENCE_STYLES,
    _attribution_text,
    _located,
    _polygonal,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["LEAFLET_VERSION", "MAX_POINTS", "explore_strikes", "save_html"]

#: Version of the Leaflet copy inlined by ``inline_assets=True``.
LEAFLET_VERSION = "1.9.4"

#: Most reports :func:`explore_strikes` draws as individual markers.
MAX_POINTS = 5000

__doc__ = (__doc__ or "").replace("|leaflet_version|", LEAFLET_VERSION)

_DASHES = {"main": None, "nakhchivan": "8 4", "exclave": "2 4"}
_BAND_COLOURS = ["#5E3C99", "#8B6BB8", "#B9A6D6", "#DCD2EB", "#EEEAF5"]


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
    out = frame[[*keep, frame.geometry.name]].to_crs("EPSG:4326").copy()
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


class _Attribution:
    """Adds text to Leaflet's attribution control (vector data needs credit too)."""

    @staticmethod
    def add(m: folium.Map, text: str) -> None:
        from branca.element import MacroElement
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


def _attribution(frames: list[Any]) -> str:
    sources = [
        source
        for frame in frames
        for source in (getattr(frame, "attrs", {}).get("provenance", []) or [])
    ]
    return html.escape(_attribution_text(sources, []))


def explore_strikes(
    strikes: gpd.GeoDataFrame | None = None,
    *,
    clusters: gpd.GeoDataFrame | pd.Series | None = None,
    distance_bands_km: list[float] | None = None,
    tiles: Any = "OpenStreetMap",
    inline_assets: bool = True,
    max_points: int = MAX_POINTS,
) -> folium.Map:
    """Build an interactive Leaflet map of strike reports.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame, optional
        Point reports with a CRS in the schema of
        :func:`borderstrikes.load_strikes` (the default). Rows without a
        location are left out (the layer name gives the count drawn).
    clusters : geopandas.GeoDataFrame or pandas.Series, optional
        Cluster footprints (:func:`borderstrikes.clustering.describe_clusters`)
        or per-report labels (:func:`borderstrikes.clustering.cluster_strikes`).
    distance_bands_km : list of float, optional
        Depths in km of bands inside Armenia measured geodesically from the
        border with Azerbaijan (:func:`borderstrikes.areas.buffer_zone`).
    tiles : str, xyzservices.TileProvider or None, default 'OpenStreetMap'
        Web basemap, credited in the map's attribution. ``None`` draws no
        tiles: with ``inline_assets=True`` the page then needs no network.
    inline_assets : bool, default True
        Embed Leaflet's script and stylesheet in the page instead of linking
        them from a CDN, so that a saved page works offline.
    max_points : int, default MAX_POINTS
        Refuse more reports than this (see the module's notes).

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

    Examples
    --------
    >>> m = explore_strikes(tiles=None)
    >>> type(m).__name__
    'Map'
    >>> "cdn.jsdelivr.net" in m.get_root().render()
    False
    """
    folium = _import_folium()
    from branca.element import Element

    if strikes is None:
        strikes = datasets.load_strikes()
    geoms = to_wgs84(strikes, "strikes")
    values = np.asarray(geoms.values)
    mapped = _located(values)
    if int(mapped.sum()) > max_points:
        msg = (
            f"strikes has {int(mapped.sum())} located reports, more than max_points={max_points}. "
            "One Leaflet marker per report makes such a page slow or blank in a browser. "
            "Aggregate first (e.g. count reports per admin-1 unit or per cluster), draw a "
            "static map with borderstrikes.viz.static.plot_strikes, or use lonboard for "
            "very large point sets; raise max_points only if you accept a slow page."
        )
        raise ValueError(msg)
    reports = pd.DataFrame(strikes).loc[mapped].copy()
    lon = shapely.get_x(values[mapped])
    lat = shapely.get_y(values[mapped])

    admin0 = datasets.load_boundaries(0)
    admin1 = datasets.load_boundaries(1, countries=["ARM", "AZE"])
    border = datasets.load_border()
    lakes = datasets.load_lakes()

    arm = admin0[admin0["iso3"] == "ARM"]
    minx, miny, maxx, maxy = arm.total_bounds
    if lon.size:
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

    # ---- context: countries and lakes (the offline basemap)
    context = folium.FeatureGroup(name="Countries and lakes", show=True)
    folium.GeoJson(
        _geojson(admin0, ["iso3", "name"]),
        name="Countries",
        style_function=lambda f: {
            "color": "#6B6B6B",
            "weight": 1,
            "fillColor": "#F8F6F0" if f["properties"]["iso3"] == "ARM" else "#E4E4E1",
            "fillOpacity": 0.0 if tiles is not None else 1.0,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(context)
    folium.GeoJson(
        _geojson(lakes, ["name"]),
        style_function=lambda f: {
            "color": "#8DB6CF",
            "weight": 0.5,
            "fillColor": "#BFD9EA",
            "fillOpacity": 1.0,
        },
    ).add_to(context)
    context.add_to(m)

    # ---- admin-1
    folium.GeoJson(
        _geojson(admin1, ["name_en", "iso_3166_2"]),
        name="Admin-1 units",
        style_function=lambda f: {"color": "#9A9A9A", "weight": 0.8, "fillOpacity": 0.0},
        tooltip=folium.GeoJsonTooltip(
            fields=["name_en", "iso_3166_2"], aliases=["Unit", "ISO 3166-2"]
        ),
    ).add_to(m)

    # ---- distance bands
    if distance_bands_km is not None:
        from borderstrikes.viz.static import _distance_bands

        bands = folium.FeatureGroup(name="Distance from the border (geodesic)")
        for i, (label, ring) in enumerate(_distance_bands(distance_bands_km, "EPSG:4326")):
            colour = _BAND_COLOURS[min(i, len(_BAND_COLOURS) - 1)]
            folium.GeoJson(
                shapely.geometry.mapping(ring),
                style_function=lambda f, c=colour: {
                    "color": c,
                    "weight": 0,
                    "fillColor": c,
                    "fillOpacity": 0.35,
                },
                tooltip=label,
            ).add_to(bands)
        bands.add_to(m)

    # ---- clusters
    if clusters is not None:
        from borderstrikes.viz.static import _footprints

        footprints, _ = _footprints(clusters, gpd.GeoDataFrame(strikes))
        if isinstance(footprints, gpd.GeoDataFrame):
            require_crs(footprints, "clusters")
            footprints = _polygonal(footprints)
        if isinstance(footprints, gpd.GeoDataFrame) and len(footprints):
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

    # ---- border by section
    border_json = _geojson(border, ["section", "country_a", "country_b", "length_km"])
    folium.GeoJson(
        border_json,
        name="Armenia–Azerbaijan border",
        style_function=lambda f: {
            "color": _BORDER_COLOR,
            "weight": 3 if f["properties"]["section"] == "main" else 2.5,
            "dashArray": _DASHES[
                f["properties"]["section"]
                if f["properties"]["section"] in ("main", "nakhchivan")
                else "exclave"
            ],
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["section", "length_km"], aliases=["Section", "Length (km, geodesic)"]
        ),
    ).add_to(m)

    # ---- reports, one layer per evidence kind
    evidence = (
        reports["evidence"].astype(object).fillna("unknown")
        if "evidence" in reports.columns
        else pd.Series("report", index=reports.index)
    )
    location_key = pd.Series(
        list(zip(np.round(lon, 5), np.round(lat, 5), strict=True)), index=reports.index
    )
    same_place = location_key.map(location_key.value_counts())
    kinds = [k for k in EVIDENCE_STYLES if (evidence == k).any()]
    kinds += sorted(set(evidence) - set(kinds))
    position = dict(zip(reports.index, range(len(reports)), strict=True))
    for kind in kinds:
        style = EVIDENCE_STYLES.get(kind, _OTHER_EVIDENCE)
        label = style["label"] if kind in EVIDENCE_STYLES else str(kind)
        sel = reports.index[(evidence == kind).to_numpy()]
        group = folium.FeatureGroup(name=f"Reports: {label} ({len(sel)})")
        css_kind = re.sub(r"[^a-z0-9_-]", "-", str(kind).lower())
        for idx in sel:
            i = position[idx]
            row = reports.loc[idx]
            marker = folium.CircleMarker(
                location=[float(lat[i]), float(lon[i])],
                radius=6,
                color="white",
                weight=1,
                fill=True,
                fill_color=style["color"],
                fill_opacity=0.9,
                className=f"bs-report bs-evidence-{css_kind}",
                tooltip=html.escape(_fmt(row.get("place")) or _fmt(row.get("report_id"))),
            )
            _bind_popup(marker, _popup_html(row, int(same_place.loc[idx])))
            marker.add_to(group)
        group.add_to(m)

    credit = _attribution([strikes, admin0, admin1, border, lakes])
    if credit:
        _Attribution.add(m, credit)
        m.get_root().header.add_child(
            Element(
                "<style>.leaflet-control-attribution{font-size:10px;line-height:1.35;"
                "max-width:75%}</style>"
            ),
            name="borderstrikes_attribution_css",
        )
    folium.LayerControl(collapsed=False).add_to(m)
    return m


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
