"""Static maps of strike reports (matplotlib, optional contextily basemap).

The map is drawn in a projection suited to Armenia (UTM zone 38N,
EPSG:32638, by default), never in Web Mercator: web tiles are fetched in Web
Mercator and warped into the map's CRS. Every length shown on the map (scale
bar, distance zones) is computed on the WGS84 ellipsoid with
:class:`pyproj.Geod`, so it is right whatever CRS the map is drawn in.

:func:`plot_strikes` is a recipe: the layers come from
:func:`borderstrikes.viz.layers.build_layers` (shared with the interactive
map), each is drawn by a small drawer below, and the furniture, labels and
basemaps come from :mod:`~borderstrikes.viz.furniture`,
:mod:`~borderstrikes.viz.labels` and :mod:`~borderstrikes.viz.basemap`.

matplotlib and contextily are dependencies of borderstrikes (a plain
``pip install borderstrikes`` installs them), imported inside the functions
so that ``import borderstrikes`` stays free of them.

Basemaps
--------
``basemap="offline"``
    Vector layers shipped with the package only (country and admin-1
    polygons, lakes). Needs no network.
``basemap="tiles"``
    Web tiles from a named :mod:`xyzservices` provider, cached on disk
    (``cache_dir``) as the plain image bytes fetched, checked before each
    use and private to the user (:mod:`borderstrikes.viz.basemap`), so a
    second map of the same area, or a map drawn later without a connection,
    reuses them. Requests carry a stable
    User-Agent that names this package, as tile servers' usage policies ask.
``basemap="auto"``
    Tiles if they can be fetched, else the offline basemap and a
    :class:`~borderstrikes.errors.BorderstrikesWarning` saying why.
``basemap=<path>``
    A local raster (e.g. a GeoTIFF saved earlier with
    ``contextily.bounds2raster``), warped to the map's CRS.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from borderstrikes._core.constants import GEOD, WGS84
from borderstrikes._core.escape import mpl_text
from borderstrikes._core.optional import import_optional
from borderstrikes.io.write import EVENT_DATASET_CREDITS
from borderstrikes.viz.basemap import (
    check_basemap,
    default_tile_cache_dir,
    draw_basemap,
    resolve_provider,
    tile_user_agent,
)
from borderstrikes.viz.furniture import (
    add_north_arrow,
    add_scale_bar,
    bare_frame,
    choose_slots,
    draw_attribution,
    draw_inset,
    fill_box,
    legend,
    map_section,
    overlay_section,
    report_sections,
    set_map_aspect,
    size_section,
    uncertainty_section,
)
from borderstrikes.viz.labels import draw_labels, label_candidates
from borderstrikes.viz.layers import (
    MapLayers,
    build_layers,
    colocated_groups,
    day_intervals,
    polygonal,
    stand_in,
    zone_bands,
)
from borderstrikes.viz.style import (
    ADMIN1_LINE,
    BAND_ALPHA,
    BORDER_COLOR,
    BORDER_STYLES,
    COUNTRY_LINE,
    DEFAULT_CRS,
    EVIDENCE_STYLES,
    GID,
    LAKE_LINE,
    LAND_HOME,
    LAND_OTHER,
    PRECISION_CIRCLE,
    WATER,
    attribution_text,
    date_range_text,
    evidence_label,
    evidence_style,
    resolve_map_crs,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "DEFAULT_CRS",
    "EVIDENCE_STYLES",
    "NOT_VERIFIED",
    "add_north_arrow",
    "add_scale_bar",
    "default_tile_cache_dir",
    "plot_strikes",
    "save_map",
    "tile_user_agent",
]

#: Category of each report, colour of each category (legend order), colour key title.
Colours = tuple[pd.Series, dict[str, str], str]


def plot_strikes(
    strikes: gpd.GeoDataFrame | None = None,
    *,
    ax: Axes | None = None,
    color_by: str = "evidence",
    basemap: str | os.PathLike[str] = "auto",
    clusters: gpd.GeoDataFrame | pd.Series | None = None,
    zones: gpd.GeoDataFrame | None = None,
    distance_bands_km: Sequence[float] | None = None,
    labels: bool | Sequence[str] = True,
    inset: bool = True,
    crs: Any = None,
    tile_provider: Any = "OpenStreetMap.Mapnik",
    cache_dir: str | os.PathLike[str] | None = None,
    attribution: bool | str = True,
    tile_zoom: int | None = None,
    border: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    label_min_reports: int | None = None,
    precision_circles: bool = True,
    overlays: Any = None,
) -> Axes:
    """Map strike reports over Armenia, its neighbours and the border.

    Draws, from bottom to top: the basemap (tiles or the shipped country,
    admin-1 and lake polygons), optional geodesic distance zones from the
    Armenia–Azerbaijan border, optional cluster footprints, optional
    overlays (fans, range rings, exposure rings), the border styled by
    section, geodesic precision circles, the reports (one marker per
    point and kind, area by count; marker shape = evidence kind, colour =
    ``color_by``; hollow = stand-in point), labels of the places reported, a
    legend, a north arrow, a geodesically true scale bar, an inset locator
    map, a title with the date range and the note "Reports are claims, not
    verified facts", and the attribution of every source drawn, including
    the event dataset (ACLED, UCDP GED, GDELT) named in
    ``strikes.attrs["provenance"]``.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame, optional
        Point reports with a CRS, in the schema of
        :func:`borderstrikes.load_strikes` (the default). Rows with missing
        or empty geometry are counted in the legend title and not drawn.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new 7 × 6.5 inch figure by default. Its data
        coordinates become those of ``crs``.
    color_by : {'evidence', 'date', 'weapon', 'cluster'} or str, default 'evidence'
        What the marker colour shows. ``'weapon'`` groups the free-text
        ``weapons`` lists into classes (artillery, mortar, drone, ...);
        ``'cluster'`` needs per-report labels in a ``cluster`` column of
        ``strikes`` (``strikes.assign(cluster=cluster_strikes(strikes, ...))``);
        any other column name is drawn as categories.
    basemap : {'auto', 'tiles', 'offline'} or path, default 'auto'
        See the module documentation. ``'auto'`` never fails for want of a
        network: it warns and draws the offline basemap.
    clusters : geopandas.GeoDataFrame, optional
        Cluster footprints from :func:`borderstrikes.clustering.describe_clusters`;
        their ``name`` column names the clusters in the legend. Per-report
        labels from :func:`borderstrikes.clustering.cluster_strikes` still
        work (footprints are derived from them) but are deprecated.
    zones : geopandas.GeoDataFrame, optional
        Zones inside Armenia within ``depth_km`` of the border, e.g.
        ``pd.concat([buffer_zone(depth_km=d) for d in (5, 10, 20)])``
        (:func:`borderstrikes.areas.buffer_zone`); drawn as bands between
        successive depths.
    distance_bands_km : sequence of float, optional
        Deprecated: pass ``zones=`` instead. Depths, in km, of the zones,
        e.g. ``[5, 10, 20]``.
    labels : bool or sequence of str, default True
        Label the places reported, and the countries and lakes in view
        (``True``), nothing (``False``), or only the named places. Every
        place with at least ``label_min_reports`` reports is labelled, with
        its count when 2 or more; other places are labelled where room is
        left. A label never covers a marker, another label or the furniture,
        is nearer (in display space, to the disc drawn) to its own marker
        than to any other, and gets a leader line when moved away from it.
    inset : bool, default True
        Draw a locator map of the South Caucasus in the upper right corner.
    crs : pyproj.CRS or str, optional
        CRS of the map; default :data:`DEFAULT_CRS` (UTM 38N).
    tile_provider : str or xyzservices.TileProvider, default 'OpenStreetMap.Mapnik'
        Provider for ``basemap='tiles'``/``'auto'``, e.g. ``'OpenTopoMap'``
        (terrain) or ``'Esri.WorldImagery'`` (satellite).
    cache_dir : path, optional
        Where tiles are kept between sessions; default
        :func:`default_tile_cache_dir`.
    attribution : bool or str, default True
        ``True`` writes the attribution of every source drawn (from each
        dataset's ``attrs["provenance"]`` and the tile provider) inside the
        axes; a string is written instead; ``False`` writes nothing (the
        licences of the data and tiles still require an attribution
        somewhere in the publication).
    tile_zoom : int, optional
        Tile zoom level; default matches the axes' size in pixels.
    border : geopandas.GeoDataFrame, optional
        Border lines with a ``section`` column; default the shipped
        Armenia–Azerbaijan border.
    countries : geopandas.GeoDataFrame, optional
        Admin-0 polygons with ``iso3`` and ``name``; default the shipped ones.
    title : str, optional
        Title above the map; default "Reported strikes, <date range>" from
        the reports' dates (``date_start``/``date_end`` if present, else
        ``date``); ``""`` for none. A line under it always gives the date
        range, the counts and the note :data:`NOT_VERIFIED`.
    label_min_reports : int, optional
        N: every place (a name at one point) with at least N reports is
        labelled. Default: the smallest N that keeps the labelled points to
        about one per 2.5 square inches of map (6 to 30), at least 1; 2 on
        the 9 x 9.5 inch map of the packaged reports, where Sotk (10
        reports) and every place reported twice or more is labelled. The
        legend states the N used.
    precision_circles : bool, default True
        Draw a geodesic circle of ``location_radius_m`` (WGS84,
        :meth:`pyproj.Geod.fwd`, 72 vertices) around each point whose radius
        is at least 5 pt on the page at the map's scale.
    overlays : sequence of (str, GeoDataFrame) pairs, or mapping of str to GeoDataFrame, optional
        Polygons or lines (with a CRS) to draw over the map, each as
        translucent shapes outlined in its own colour
        (:data:`~borderstrikes.viz.style.OVERLAY_COLOURS`, never an evidence
        colour) with its label in the legend, e.g.
        ``[("120 mm mortar range", range_rings(points, weapon="120 mm mortar"))]``
        (:func:`borderstrikes.range_rings`, :func:`borderstrikes.bearing_fans`,
        :func:`borderstrikes.exposure_rings`). The map's extent grows to
        show them. See :func:`borderstrikes.viz.layers.overlay_layers`.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Nothing is shown or saved.

    Raises
    ------
    ValueError
        If ``basemap``, ``color_by``, ``tile_provider``, ``zones`` or
        ``distance_bands_km`` is invalid.
    TypeError
        If ``overlays`` is not a sequence of (label, GeoDataFrame) pairs or
        a mapping.
    CRSError
        If an overlay has no CRS.
    BasemapError
        If ``basemap='tiles'`` and the tiles cannot be fetched.
    ImportError
        If matplotlib (or, for tiles, contextily) is not installed.

    Warns
    -----
    FutureWarning
        If ``distance_bands_km`` is given, or ``clusters`` as labels.

    Notes
    -----
    Reports at the same point (to 1e-5 degree) with the same evidence kind,
    colour and stand-in status are drawn as one marker at that point, its
    area proportional to the number of reports (22 pt² per report, scaled
    down so that the largest marker is at most 420 pt², never below 5 pt²);
    the legend shows the scale. Smaller markers are drawn on top. A report
    whose point is a stand-in (:func:`borderstrikes.viz.layers.stand_in`)
    is drawn hollow, and its place name starts with "≈".

    The legend, scale bar, north arrow and inset go to the corners (or, for
    the small ones, edge middles) where they hide the fewest reports, then
    the fewest markers close by, then the least of the mapped country and
    of the border (:func:`borderstrikes.viz.furniture.choose_slots`). The
    title, date line and note sit above the map, the attribution below it;
    save with :func:`save_map` (or ``bbox_inches="tight"``) to keep them.

    Tiles are fetched at the zoom whose pixels match the axes' pixels at the
    figure's dpi, in Web Mercator, then warped to ``crs`` (contextily's
    ``warp_tiles``); the tile cache is described in
    :mod:`borderstrikes.viz.basemap`.

    Labels are placed greedily after everything else is drawn, in display
    space, so they are collision-free for the figure size at the time of the
    call; resizing the figure afterwards can make them overlap. Where markers
    are so dense that no position is nearer its own marker than every other
    (thousands of single events over a country), a required label goes where
    the fewest markers are nearer, next to its marker.

    Examples
    --------
    >>> ax = plot_strikes(basemap="offline")
    >>> type(ax).__name__
    'Axes'
    >>> any("OpenStreetMap" in t.get_text() for t in ax.texts)
    True
    """
    plt = import_optional("matplotlib.pyplot", purpose="plots")
    map_crs = resolve_map_crs(crs)
    kind, raster = check_basemap(basemap)
    provider = resolve_provider(tile_provider) if kind in {"tiles", "auto"} else None
    layers = build_layers(
        strikes,
        clusters=clusters,
        zones=zones,
        distance_bands_km=distance_bands_km,
        border=border,
        countries=countries,
        caller="plot_strikes",
        overlays=overlays,
    )
    colours = layers.colours(color_by)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 6.5), layout="constrained")
    bare_frame(ax)  # no ticks: the layout is the final one from the first draw on
    xlim, ylim = _frame_map(ax, layers, map_crs)
    basemap_credits = draw_basemap(
        ax,
        kind,
        map_crs=map_crs,
        provider=provider,
        path=raster,
        cache_dir=cache_dir,
        zoom=tile_zoom,
    )
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)

    _draw_context(ax, layers, map_crs, tiles=bool(basemap_credits))
    bands = _draw_zones(ax, layers, map_crs)
    _draw_footprints(ax, layers, map_crs, colours[1] if color_by == "cluster" else None)
    _draw_overlays(ax, layers, map_crs)
    _draw_border(ax, layers, map_crs)
    marks = _marks(ax, layers, map_crs, colours)
    circle_min = circle_min_m(ax, map_crs)
    if precision_circles:
        _draw_circles(ax, layers, map_crs, circle_min)
    _draw_reports(ax, marks, colours[1])
    if attribution is True:
        attribution = attribution_text(layers.sources, [*_event_credits(layers), *basemap_credits])
    table, n_min = _label_table(ax, layers, marks, labels, label_min_reports)
    _draw_titles(ax, layers, title, marks)
    if attribution:
        draw_attribution(ax, attribution, fontsize=max(3.5, _font_size(ax) * 0.77), below=True)
    ax.figure.canvas.draw()  # settle the layout (title, credits) before placing by pixels
    furniture = {
        "color_by": color_by,
        "bands": bands,
        "inset": inset,
        "n_min": n_min,
        "circle_min": circle_min,
    }
    obstacles, fontsize = _draw_furniture(ax, layers, map_crs, colours, marks, **furniture)
    if len(table) or labels is not False:
        _draw_labels(ax, layers, map_crs, marks, table, obstacles, fontsize)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    bare_frame(ax)
    ax.set_gid(GID + "map")
    return ax


def save_map(fig: Any, path: str | os.PathLike[str], **kwargs: Any) -> None:
    """Save a map with its text kept as text (SVG, PDF) and nothing cut off.

    Wraps :meth:`matplotlib.figure.Figure.savefig` in an ``rc_context`` with
    ``svg.fonttype: 'none'`` (SVG text stays ``<text>`` elements, editable
    and searchable) and ``pdf.fonttype: 42`` (TrueType text in PDF), and
    ``bbox_inches='tight'`` by default so that the title above the map and
    the credits below it are kept.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save, e.g. ``plot_strikes(...).figure``.
    path : path
        Where to write; the format follows the suffix (or ``format=``).
    **kwargs
        Passed to ``savefig`` (``dpi``, ``format``, ...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> ax = plot_strikes(basemap="offline", labels=False, inset=False)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "map.svg"
    ...     save_map(ax.figure, path)
    ...     "Reports are claims, not verified facts" in path.read_text()
    True
    """
    plt = import_optional("matplotlib.pyplot", purpose="plots")
    kwargs.setdefault("bbox_inches", "tight")
    with plt.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        fig.savefig(path, **kwargs)


# --------------------------------------------------------------------------- per-layer drawers


def _frame_map(
    ax: Axes, layers: MapLayers, map_crs: CRS
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Set the extent (the home country plus every report, padded) to fill the axes."""
    home = layers.countries[layers.countries["iso3"] == layers.home]
    minx, miny, maxx, maxy = home.to_crs(map_crs).total_bounds
    if len(layers.reports):
        pminx, pminy, pmaxx, pmaxy = layers.reports.to_crs(map_crs).total_bounds
        minx, miny = min(minx, pminx), min(miny, pminy)
        maxx, maxy = max(maxx, pmaxx), max(maxy, pmaxy)
    for overlay in layers.overlays:
        if len(overlay.frame):
            ominx, ominy, omaxx, omaxy = overlay.frame.to_crs(map_crs).total_bounds
            minx, miny = min(minx, ominx), min(miny, ominy)
            maxx, maxy = max(maxx, omaxx), max(maxy, omaxy)
    # Room around the data for the labels of the outermost points (about 10 %).
    padx, pady = 0.1 * (maxx - minx), 0.06 * (maxy - miny)
    centre_lat = float(np.mean(home.total_bounds[[1, 3]]))
    ax.figure.canvas.draw()  # settle the layout before anything depends on pixels
    xlim, ylim = fill_box(
        ax, (minx - padx, maxx + padx), (miny - pady, maxy + pady), map_crs, centre_lat
    )
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_autoscale_on(False)
    set_map_aspect(ax, map_crs, centre_lat)
    return xlim, ylim


def _draw_context(ax: Axes, layers: MapLayers, map_crs: CRS, *, tiles: bool) -> None:
    """Draw countries, lakes and admin-1 units: filled without tiles, outlined over them."""
    countries = layers.countries.to_crs(map_crs)
    home = countries["iso3"] == layers.home
    if tiles:
        ax.set_facecolor("white")
    else:
        ax.set_facecolor(WATER)
        countries[~home].plot(ax=ax, facecolor=LAND_OTHER, edgecolor="none", zorder=1)
        countries[home].plot(ax=ax, facecolor=LAND_HOME, edgecolor="none", zorder=1)
        lakes = layers.lakes.to_crs(map_crs)
        lakes.plot(ax=ax, facecolor=WATER, edgecolor=LAKE_LINE, linewidth=0.3, zorder=2)
    layers.units.to_crs(map_crs).boundary.plot(ax=ax, color=ADMIN1_LINE, linewidth=0.4, zorder=3)
    countries.boundary.plot(ax=ax, color=COUNTRY_LINE, linewidth=0.7, zorder=3)
    if tiles:
        layers.lakes.to_crs(map_crs).boundary.plot(ax=ax, color="#5D8FB0", linewidth=0.3, zorder=3)


def _draw_zones(ax: Axes, layers: MapLayers, map_crs: CRS) -> list[tuple[str, str]]:
    """Draw the bands between zone depths; return their (label, colour) for the legend."""
    if layers.zones is None:
        return []
    bands = zone_bands(layers.zones, map_crs)
    for band in bands.itertuples():
        gpd.GeoSeries([band.geometry], crs=map_crs).plot(
            ax=ax,
            facecolor=band.colour,
            edgecolor="none",
            alpha=BAND_ALPHA,
            zorder=1.5,
            gid=GID + "distance-band",
        )
    return list(zip(bands["label"], bands["colour"], strict=True))


def _draw_footprints(
    ax: Axes, layers: MapLayers, map_crs: CRS, cluster_colours: dict[str, str] | None
) -> None:
    """Draw dashed cluster footprints, edged in the cluster colours if coloured by cluster."""
    if layers.footprints is None or not len(polygonal(layers.footprints)):
        return
    footprints = polygonal(layers.footprints).to_crs(map_crs)
    by_label = {
        int(name.split(":")[0].removeprefix("Cluster ")): colour
        for name, colour in (cluster_colours or {}).items()
        if name.startswith("Cluster ")
    }
    edges = [
        by_label.get(int(k), "#333333") if isinstance(k, (int, np.integer)) else "#333333"
        for k in footprints.index
    ]
    footprints.plot(
        ax=ax,
        facecolor="#33333312",
        edgecolor=edges,
        linewidth=0.9,
        linestyle="--",
        zorder=5,
        gid=GID + "cluster-footprint",
    )


def _draw_overlays(ax: Axes, layers: MapLayers, map_crs: CRS) -> None:
    """Draw each overlay: translucent fill (areas), outline in its colour (gid ``overlay-<i>``)."""
    from matplotlib.colors import to_rgba

    for i, overlay in enumerate(layers.overlays):
        style = overlay.style
        frame = overlay.frame.to_crs(map_crs)
        is_area = frame.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
        areas, lines = frame[is_area], frame[~is_area]
        if len(areas):
            areas.plot(
                ax=ax,
                facecolor=to_rgba(style["color"], style["alpha"]),
                edgecolor=style["color"],
                linewidth=1.1,
                linestyle=style["linestyle"],
                zorder=5.5,
                gid=GID + f"overlay-{i}",
            )
        if len(lines):
            lines.plot(
                ax=ax,
                color=style["color"],
                linewidth=1.3,
                linestyle=style["linestyle"],
                zorder=5.5,
                gid=GID + f"overlay-{i}-lines",
            )


def _draw_border(ax: Axes, layers: MapLayers, map_crs: CRS) -> None:
    """Draw the border, one line style per section."""
    border = layers.border.to_crs(map_crs)
    for kind in layers.border_kinds:
        style = BORDER_STYLES[kind]
        border[border["kind"] == kind].plot(
            ax=ax,
            color=BORDER_COLOR,
            linestyle=style["linestyle"],
            linewidth=style["linewidth"],
            zorder=6,
            gid=GID + f"border-{kind}",
        )


#: Marker area (pt²) of a single report, the largest marker and the smallest.
ONE_REPORT_PT2 = 22.0
MAX_MARKER_PT2 = 420.0
MIN_MARKER_PT2 = 5.0
#: The note every map carries.
NOT_VERIFIED = "Reports are claims, not verified facts."


@dataclass
class _Marks:
    """What the markers are: one per group of co-located reports of one kind."""

    #: One row per marker: x, y (map CRS), key, category, stand_in, count, area_pt2, r_px, loc.
    groups: pd.DataFrame
    #: Location code of each report (same point, any kind).
    report_loc: np.ndarray
    #: One row per location: x, y, r_px (its largest marker), count.
    locations: pd.DataFrame
    #: Reports per pt² of marker area.
    per_report_pt2: float
    #: The reports' stand-in flags.
    standin: np.ndarray


def marker_area_pt2(count: Any, per_report_pt2: float) -> np.ndarray:
    """Area (pt², as ``scatter(s=...)``) of a marker standing for ``count`` reports."""
    return np.maximum(per_report_pt2 * np.asarray(count, float), MIN_MARKER_PT2)


def _marks(ax: Axes, layers: MapLayers, map_crs: CRS, colours: Colours) -> _Marks:
    """Group co-located reports (one marker per point, evidence, colour and stand-in)."""
    categories = colours[0]
    reports = layers.reports
    geoms = np.asarray(reports.geometry.values)
    lon, lat = shapely.get_x(geoms), shapely.get_y(geoms)
    to_map = Transformer.from_crs(WGS84, map_crs, always_xy=True)
    x, y = to_map.transform(lon, lat)
    standin = stand_in(reports)
    key = layers.evidence.to_numpy(object)
    cat = categories.astype(str).to_numpy(object)
    group, counts = colocated_groups(lon, lat, [key, cat, standin])
    loc, _ = colocated_groups(lon, lat)
    first = pd.Series(np.arange(len(group))).groupby(group).first().to_numpy()
    per_report = min(ONE_REPORT_PT2, MAX_MARKER_PT2 / max(int(counts.max(initial=1)), 1))
    area = marker_area_pt2(counts, per_report)
    px_per_pt = ax.figure.dpi / 72.0
    groups = pd.DataFrame(
        {
            "x": np.asarray(x)[first],
            "y": np.asarray(y)[first],
            "key": key[first],
            "category": cat[first],
            "stand_in": standin[first],
            "count": counts,
            "area_pt2": area,
            "r_px": (np.sqrt(area) / 2 + 0.5) * px_per_pt,
            "loc": loc[first],
        }
    )
    locations = groups.groupby("loc").agg(
        x=("x", "first"), y=("y", "first"), r_px=("r_px", "max"), count=("count", "sum")
    )
    return _Marks(groups, loc, locations, per_report, standin)


def _draw_reports(ax: Axes, marks: _Marks, colour_map: dict[str, str]) -> None:
    """Draw one marker per group, area by count; stand-ins hollow; smaller kinds on top."""
    groups = marks.groups
    order = groups.groupby("key")["area_pt2"].mean().sort_values(ascending=False).index.tolist()
    for rank, key in enumerate(order):
        for hollow in (False, True):
            sel = groups[(groups["key"] == key) & (groups["stand_in"] == hollow)]
            if not len(sel):
                continue
            sel = sel.sort_values("area_pt2", ascending=False, kind="stable")
            colour = [colour_map[c] for c in sel["category"]]
            style = {
                "edgecolors": colour if hollow else "white",
                "facecolors": "none" if hollow else colour,
                "linewidths": 1.1 if hollow else 0.5,
            }
            kind = "stand-in" if hollow else "reports"
            collection = ax.scatter(
                sel["x"].to_numpy(),
                sel["y"].to_numpy(),
                s=sel["area_pt2"].to_numpy(),
                marker=evidence_style(key)["marker"],
                zorder=20 + 0.1 * rank + (0.05 if hollow else 0.0),
                gid=GID + f"{kind}-{key}",
                label=mpl_text(evidence_label(key)),
                **style,
            )
            # How many reports each marker stands for (read by tests and tools).
            collection.report_counts = sel["count"].to_numpy()


def _draw_circles(ax: Axes, layers: MapLayers, map_crs: CRS, threshold: float) -> None:
    """Draw a geodesic circle of ``location_radius_m`` (>= ``threshold`` m) around points."""
    from matplotlib.collections import PolyCollection

    if "location_radius_m" not in layers.reports.columns:
        return
    radius = pd.to_numeric(layers.reports["location_radius_m"], errors="coerce").to_numpy(float)
    geoms = np.asarray(layers.reports.geometry.values)
    frame = pd.DataFrame(
        {"lon": shapely.get_x(geoms), "lat": shapely.get_y(geoms), "r": radius}
    ).round({"lon": 5, "lat": 5})
    frame = frame[np.isfinite(frame["r"]) & (frame["r"] >= threshold)].drop_duplicates()
    if not len(frame):
        return
    n_side = 72
    azimuths = np.linspace(0.0, 360.0, n_side, endpoint=False)
    lons = np.repeat(frame["lon"].to_numpy(), n_side)
    lats = np.repeat(frame["lat"].to_numpy(), n_side)
    dist = np.repeat(frame["r"].to_numpy(), n_side)
    clon, clat, _ = GEOD.fwd(lons, lats, np.tile(azimuths, len(frame)), dist)
    x, y = Transformer.from_crs(WGS84, map_crs, always_xy=True).transform(clon, clat)
    rings = np.stack([np.asarray(x), np.asarray(y)], axis=-1).reshape(len(frame), n_side, 2)
    ax.add_collection(
        PolyCollection(
            list(rings),
            facecolors=PRECISION_CIRCLE["facecolor"],
            edgecolors=PRECISION_CIRCLE["edgecolor"],
            linewidths=PRECISION_CIRCLE["linewidth"],
            linestyles=PRECISION_CIRCLE["linestyle"],
            zorder=8,
            gid=GID + "precision-circle",
        ),
        autolim=False,
    )


def circle_min_m(ax: Axes, map_crs: CRS) -> float:
    """Smallest precision radius drawn: 5 pt on the page at the map's centre (geodesic)."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    yc = 0.5 * (y0 + y1)
    to_ll = Transformer.from_crs(map_crs, WGS84, always_xy=True)
    (lon_a, lon_b), (lat_a, lat_b) = to_ll.transform([x0, x1], [yc, yc])
    width_m = GEOD.inv(lon_a, lat_a, lon_b, lat_b)[2]
    width_pt = ax.get_window_extent().width * 72.0 / ax.figure.dpi
    return 5.0 * width_m / width_pt


def _event_credits(layers: MapLayers) -> list[str]:
    """Credit lines the event datasets drawn require (ACLED, UCDP GED, GDELT)."""
    credits = []
    for source in layers.sources:
        entry = EVENT_DATASET_CREDITS.get(str(source.get("dataset", "")))
        if entry is not None and f"Events: {entry['credit']}" not in credits:
            credits.append(f"Events: {entry['credit']}")
    return credits


def _dates(reports: pd.DataFrame) -> tuple[Any, Any] | None:
    """First and last day the reports cover (their date intervals), or None if undated."""
    start, end = day_intervals(reports)
    if not start.notna().any():
        return None
    return start.min(), end.max()


def _draw_titles(ax: Axes, layers: MapLayers, title: str | None, marks: _Marks) -> None:
    """Title above the map; below it the dates, counts and the "not verified" note."""
    dates = _dates(layers.reports)
    span = date_range_text(*dates) if dates else "dates unknown"
    if title is None:
        title = f"Reported strikes, {span}" if dates else "Reported strikes"
    width_in = ax.get_window_extent().width / ax.figure.dpi
    fs = max(4.5, min(7.5, 7.0 * width_in / 6.0))
    n_points = len(marks.locations)
    line = (
        f"Dates reported: {span}. {layers.n_reports:,} reports, "
        f"{n_points:,} {'point' if n_points == 1 else 'points'} on the map. {NOT_VERIFIED}"
    )
    subtitle = ax.annotate(
        "",
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(0, 3),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=fs,
        color="#333333",
        gid=GID + "subtitle",
        annotation_clip=False,
    )
    # Wrapped to the map's width by measuring the rendered text.
    renderer = ax.figure.canvas.get_renderer()
    width_px = ax.get_window_extent(renderer).width
    chars = max(int(width_px / (fs * 0.5 * ax.figure.dpi / 72.0)), 20)
    while True:
        subtitle.set_text("\n".join(mpl_text(part) for part in textwrap.wrap(line, chars)))
        if subtitle.get_window_extent(renderer).width <= width_px or chars <= 20:
            break
        chars = int(chars * 0.92)
    if title:
        # Above the subtitle, however many lines it took.
        pad_pt = subtitle.get_window_extent(renderer).height * 72.0 / ax.figure.dpi + 5.0
        ax.set_title(mpl_text(title), loc="left", fontsize=fs * 1.5, fontweight="bold", pad=pad_pt)


def _draw_furniture(
    ax: Axes,
    layers: MapLayers,
    map_crs: CRS,
    colours: Colours,
    marks: _Marks,
    *,
    color_by: str,
    bands: list[tuple[str, str]],
    inset: bool,
    n_min: int,
    circle_min: float,
) -> tuple[list[Any], float]:
    """Draw the legend, scale bar, north arrow and inset where they hide the fewest reports.

    Returns the display boxes of the furniture (for the labels) and the font size.
    """
    fs = _font_size(ax)
    has_footprints = layers.footprints is not None and len(layers.footprints) > 0
    sections = [
        *report_sections(layers.evidence_kinds, colours[1], colours[2], color_by),
        size_section(marks.groups["count"].to_numpy(), marks.per_report_pt2, n_min, fontsize=fs),
        uncertainty_section(
            stand_ins=bool(marks.groups["stand_in"].any()),
            circles=any(c.get_gid() == GID + "precision-circle" for c in ax.collections),
            circle_min_km=circle_min / 1000.0,
        ),
        map_section(
            layers.border_kinds,
            bands,
            has_footprints,
            labels={kind: layers.border_label(kind) for kind in layers.border_kinds},
        ),
        overlay_section(layers.overlays),
    ]
    key = legend(ax, [sec for sec in sections if sec[1]], title=_legend_title(layers), fontsize=fs)
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    pieces: dict[str, Callable[[tuple[float, float]], list[Any]]] = {
        "scale": lambda loc: [add_scale_bar(ax, map_crs, loc=loc, fontsize=fs)],
        "north": lambda loc: [add_north_arrow(ax, map_crs, loc=loc, fontsize=fs + 1)],
    }
    sizes: dict[str, tuple[float, float]] = {}
    drawn: dict[str, tuple[np.ndarray, list[Any]]] = {}
    for name, draw in pieces.items():
        before = set(ax.lines) | set(ax.texts)
        draw((0.5, 0.5))
        added = [a for a in [*ax.lines, *ax.texts] if a not in before]
        box = _union_box(added, renderer)
        sizes[name] = (box[2] - box[0] + 2, box[3] - box[1] + 2)
        drawn[name] = (box, added)
    kbox = key.get_window_extent(renderer)
    sizes["legend"] = (kbox.width, kbox.height)
    if inset:
        sizes["inset"] = _inset_size(ax, layers, map_crs)
    home = layers.countries[layers.countries["iso3"] == layers.home].to_crs(map_crs)
    to_px = ax.transData.transform
    home_px = shapely.transform(shapely.union_all(np.asarray(home.geometry.values)), to_px)
    border_px = shapely.transform(
        shapely.union_all(np.asarray(layers.border.to_crs(map_crs).geometry.values)), to_px
    )
    groups = marks.groups
    slots = {
        "points_px": to_px(groups[["x", "y"]].to_numpy(float)),
        "radii_px": groups["r_px"].to_numpy(float),
        "weights": groups["count"].to_numpy(float),
        "areas": home_px,
        "lines": border_px,
        "preferred": {
            "legend": "lower left",
            "inset": "upper right",
            "north": "upper left",
            "scale": "lower right",
        },
    }
    boxes = choose_slots(ax, sizes, **slots)
    # A legend that would hide reports anywhere inside goes outside, right of the map.
    outside = _hides(boxes["legend"], slots["points_px"], slots["radii_px"])
    if outside:
        boxes = choose_slots(ax, {k: v for k, v in sizes.items() if k != "legend"}, **slots)
    to_axes = ax.transAxes.inverted().transform
    for name, draw in pieces.items():
        old_box, added = drawn[name]
        for artist in added:
            artist.remove()
        shift = to_axes(boxes[name][:2] + 1) - to_axes(old_box[:2])
        draw((0.5 + float(shift[0]), 0.5 + float(shift[1])))
    if outside:
        key.set_loc("upper left")
        key.set_bbox_to_anchor((1.01, 1.0), transform=ax.transAxes)
    else:
        x0, y0 = to_axes(boxes["legend"][:2])
        x1, y1 = to_axes(boxes["legend"][2:])
        key.set_loc("center")
        key.set_bbox_to_anchor((x0, y0, x1 - x0, y1 - y0), transform=ax.transAxes)
    if inset:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        ib = boxes["inset"]
        (ax0, ay0), (ax1, ay1) = to_axes(ib[:2]), to_axes(ib[2:])
        draw_inset(
            ax,
            map_crs,
            layers.countries,
            (x0, y0, x1, y1),
            home=layers.home,
            position=(ax0, ay0, ax1 - ax0, ay1 - ay0),
        )
    ax.figure.canvas.draw()
    obstacles = [key.get_window_extent(renderer)]
    obstacles += [t.get_window_extent(renderer) for t in ax.texts]
    obstacles += [c.get_window_extent(renderer) for c in ax.child_axes]
    obstacles += [
        line.get_window_extent(renderer)
        for line in ax.lines
        if line.get_label().startswith("_scale")
    ]
    return [b for b in obstacles if b.overlaps(frame)], fs


def _font_size(ax: Axes) -> float:
    """Text scales with the map's width: 6.5 pt on a 6-inch-wide map, between 4 and 7 pt."""
    width_in = ax.get_window_extent().width / ax.figure.dpi
    return max(4.0, min(7.0, 6.5 * width_in / 6.0))


def _hides(box: np.ndarray, points: np.ndarray, radii: np.ndarray) -> bool:
    """Whether a display box touches any marker (centres ``points``, ``radii`` in px)."""
    dx = np.maximum(np.maximum(box[0] - points[:, 0], points[:, 0] - box[2]), 0.0)
    dy = np.maximum(np.maximum(box[1] - points[:, 1], points[:, 1] - box[3]), 0.0)
    return bool((np.hypot(dx, dy) < radii + 1.0).any())


def _union_box(artists: list[Any], renderer: Any) -> np.ndarray:
    boxes = [a.get_window_extent(renderer) for a in artists]
    return np.array(
        [
            min(b.x0 for b in boxes),
            min(b.y0 for b in boxes),
            max(b.x1 for b in boxes),
            max(b.y1 for b in boxes),
        ]
    )


def _inset_size(ax: Axes, layers: MapLayers, map_crs: CRS) -> tuple[float, float]:
    """Display size of the inset: 23.5 % of the map's side, with the region's aspect."""
    frame = ax.get_window_extent()
    side_w, side_h = 0.235 * frame.width, 0.235 * frame.height
    minx, miny, maxx, maxy = layers.countries.to_crs(map_crs).total_bounds
    ratio = (maxy - miny) / (maxx - minx)
    if side_h / side_w > ratio:
        return side_w, side_w * ratio
    return side_h / ratio, side_h


def _label_table(
    ax: Axes, layers: MapLayers, marks: _Marks, wanted: Any, min_reports: int | None
) -> tuple[pd.DataFrame, int]:
    if wanted is False or "place" not in layers.reports.columns or not len(layers.reports):
        return pd.DataFrame(columns=["loc", "text", "n", "required"]), 0
    frame = ax.get_window_extent()
    area_in2 = frame.width * frame.height / ax.figure.dpi**2
    max_labels = int(np.clip(area_in2 / 2.5, 6, 30))
    return label_candidates(
        layers.reports,
        marks.report_loc,
        marks.standin,
        wanted=wanted,
        min_reports=min_reports,
        max_labels=max_labels,
    )


def _draw_labels(
    ax: Axes,
    layers: MapLayers,
    map_crs: CRS,
    marks: _Marks,
    table: pd.DataFrame,
    obstacles: list[Any],
    fontsize: float,
) -> None:
    """Name the places reported and the countries and lakes, around everything drawn so far."""
    locations = marks.locations.loc[table["loc"].to_numpy()] if len(table) else marks.locations[:0]
    groups = marks.groups
    draw_labels(
        ax,
        table=table,
        anchors=locations[["x", "y"]].to_numpy(float),
        anchor_radii_px=locations["r_px"].to_numpy(float),
        markers_px=ax.transData.transform(groups[["x", "y"]].to_numpy(float)),
        marker_radii_px=groups["r_px"].to_numpy(float),
        obstacles=obstacles,
        countries=layers.countries.to_crs(map_crs),
        lakes=layers.lakes.to_crs(map_crs),
        fontsize=fontsize,
    )


def _legend_title(layers: MapLayers) -> str:
    n_missing = layers.n_reports - len(layers.reports)
    missing = f" ({n_missing} without coordinates, not shown)" if n_missing else ""
    return f"{layers.n_reports} reports{missing}"
