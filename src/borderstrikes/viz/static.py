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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from borderstrikes._core.escape import mpl_text
from borderstrikes._core.optional import import_optional
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
    draw_attribution,
    draw_inset,
    fill_box,
    legend,
    map_section,
    report_sections,
    set_map_aspect,
)
from borderstrikes.viz.labels import dodge, draw_labels
from borderstrikes.viz.layers import MapLayers, build_layers, polygonal, zone_bands
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
    WATER,
    attribution_text,
    evidence_label,
    evidence_style,
    resolve_map_crs,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "DEFAULT_CRS",
    "EVIDENCE_STYLES",
    "add_north_arrow",
    "add_scale_bar",
    "default_tile_cache_dir",
    "plot_strikes",
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
) -> Axes:
    """Map strike reports over Armenia, its neighbours and the border.

    Draws, from bottom to top: the basemap (tiles or the shipped country,
    admin-1 and lake polygons), optional geodesic distance zones from the
    Armenia–Azerbaijan border, optional cluster footprints, the border styled
    by section, the reports (marker shape = evidence kind, colour =
    ``color_by``), labels of the places reported, a legend, a north arrow, a
    geodesically true scale bar, an inset locator map and the attribution of
    every source drawn.

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
        (``True``), nothing (``False``), or only the named places. Labels
        that would overlap another label, a marker or the map furniture are
        left out.
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

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Nothing is shown or saved.

    Raises
    ------
    ValueError
        If ``basemap``, ``color_by``, ``tile_provider``, ``zones`` or
        ``distance_bands_km`` is invalid.
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
    Reports that share a location are spread on a small ring of a few
    points' radius around it, so that each report stays visible; their true
    position is the centre of the ring.

    Tiles are fetched at the zoom whose pixels match the axes' pixels at the
    figure's dpi, in Web Mercator, then warped to ``crs`` (contextily's
    ``warp_tiles``); the tile cache is described in
    :mod:`borderstrikes.viz.basemap`.

    Labels are placed greedily after everything else is drawn, in display
    space, so they are collision-free for the figure size at the time of the
    call; resizing the figure afterwards can make them overlap.

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
    )
    colours = layers.colours(color_by)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 6.5), layout="constrained")
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
    _draw_border(ax, layers, map_crs)
    markers = _draw_reports(ax, layers, map_crs, colours)
    if attribution is True:
        attribution = attribution_text(layers.sources, basemap_credits)
    furniture = {"color_by": color_by, "bands": bands, "inset": inset}
    key, fontsize = _draw_furniture(ax, layers, map_crs, colours, attribution or "", **furniture)
    if labels is not False and "place" in layers.reports.columns and len(layers.reports):
        _draw_labels(ax, key, layers, map_crs, markers, labels, fontsize)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    bare_frame(ax)
    ax.set_gid(GID + "map")
    return ax


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
    padx, pady = 0.06 * (maxx - minx), 0.06 * (maxy - miny)
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


def _draw_reports(
    ax: Axes, layers: MapLayers, map_crs: CRS, colours: Colours
) -> tuple[np.ndarray, np.ndarray]:
    """Draw one scatter per evidence kind; return the drawn (spread) marker positions."""
    categories, colour_map, _ = colours
    geoms = np.asarray(layers.reports.to_crs(map_crs).geometry.values)
    xs, ys = dodge(ax, shapely.get_x(geoms), shapely.get_y(geoms), radius_pt=3.2)
    for key in layers.evidence_kinds:
        sel = (layers.evidence == key).to_numpy()
        ax.scatter(
            xs[sel],
            ys[sel],
            s=22,
            marker=evidence_style(key)["marker"],
            c=[colour_map[c] for c in categories[sel]],
            edgecolors="white",
            linewidths=0.5,
            zorder=20,
            gid=GID + f"reports-{key}",
            label=mpl_text(evidence_label(key)),
        )
    return xs, ys


def _draw_furniture(
    ax: Axes,
    layers: MapLayers,
    map_crs: CRS,
    colours: Colours,
    attribution: str,
    *,
    color_by: str,
    bands: list[tuple[str, str]],
    inset: bool,
) -> tuple[Any, float]:
    """Draw the north arrow, inset, legend, attribution and scale bar; return legend, font size."""
    # Text scales with the map's width: 6.5 pt on a 6-inch-wide map, never below 4 pt.
    width_in = ax.get_window_extent().width / ax.figure.dpi
    fs = max(4.0, min(7.0, 6.5 * width_in / 6.0))
    add_north_arrow(ax, map_crs, fontsize=fs + 1)
    if inset:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        draw_inset(ax, map_crs, layers.countries, (x0, y0, x1, y1), home=layers.home)
    has_footprints = layers.footprints is not None and len(layers.footprints) > 0
    sections = [
        *report_sections(layers.evidence_kinds, colours[1], colours[2], color_by),
        map_section(layers.border_kinds, bands, has_footprints),
    ]
    key = legend(ax, sections, title=_legend_title(layers), fontsize=fs)
    top = 0.0
    if attribution:
        artist = draw_attribution(ax, attribution, fontsize=max(3.5, fs * 0.77))
        renderer = ax.figure.canvas.get_renderer()
        top = artist.get_window_extent(renderer).transformed(ax.transAxes.inverted()).y1
    # The legend and the scale bar sit just above the attribution.
    key.set_bbox_to_anchor((0.005, top + 0.01), transform=ax.transAxes)
    add_scale_bar(ax, map_crs, loc=(0.68, top + 0.035), fontsize=fs)
    return key, fs


def _draw_labels(
    ax: Axes,
    key: Any,
    layers: MapLayers,
    map_crs: CRS,
    markers: tuple[np.ndarray, np.ndarray],
    wanted: Any,
    fontsize: float,
) -> None:
    """Name the countries, lakes and places reported, around everything drawn so far."""
    draw_labels(
        ax,
        key,
        reports=layers.reports,
        points=layers.reports.to_crs(map_crs),
        markers=markers,
        wanted=wanted,
        countries=layers.countries.to_crs(map_crs),
        lakes=layers.lakes.to_crs(map_crs),
        fontsize=fontsize,
    )


def _legend_title(layers: MapLayers) -> str:
    n_missing = layers.n_reports - len(layers.reports)
    missing = f" ({n_missing} without coordinates, not shown)" if n_missing else ""
    return f"{layers.n_reports} reports{missing}"
