"""Map furniture of the static map: frame, scale bar, north arrow, legend, inset, credits.

:func:`add_scale_bar` and :func:`add_north_arrow` work on any matplotlib
axes whose data coordinates are in a known CRS: lengths are measured on the
WGS84 ellipsoid with :class:`pyproj.Geod` and north is found by projecting a
step along the meridian, so both are right in any projection.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from borderstrikes import defaults
from borderstrikes._core.constants import GEOD, WGS84
from borderstrikes._core.escape import mpl_text
from borderstrikes.viz.style import (
    BAND_ALPHA,
    BORDER_COLOR,
    BORDER_STYLES,
    GID,
    LAND_OTHER,
    NO_EVIDENCE,
    PRECISION_CIRCLE,
    STAND_IN_LABEL,
    TEXT_BOX,
    WATER,
    evidence_label,
    evidence_style,
    resolve_map_crs,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D

__all__ = [
    "add_north_arrow",
    "add_scale_bar",
    "bare_frame",
    "choose_slots",
    "draw_attribution",
    "draw_inset",
    "fill_box",
    "legend",
    "map_section",
    "overlay_section",
    "report_sections",
    "set_map_aspect",
    "size_section",
    "uncertainty_section",
]


def _data_aspect(map_crs: CRS, centre_lat: float) -> float:
    if map_crs.is_geographic:
        return 1.0 / math.cos(math.radians(centre_lat))
    return 1.0


def set_map_aspect(ax: Axes, map_crs: CRS, centre_lat: float) -> None:
    """Make one km as long north-south as east-west at ``centre_lat``."""
    ax.set_aspect(_data_aspect(map_crs, centre_lat), adjustable="box")


def fill_box(
    ax: Axes,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    map_crs: CRS,
    centre_lat: float,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Grow the shorter side of the extent so that the map fills the axes box."""
    box = ax.get_window_extent()
    aspect = _data_aspect(map_crs, centre_lat)
    width, height = xlim[1] - xlim[0], ylim[1] - ylim[0]
    # Data units per pixel along each axis must satisfy dy/dx == 1/aspect.
    wanted_ratio = box.height / box.width  # (height_data * aspect) / width_data
    if height * aspect / width < wanted_ratio:
        grow = (wanted_ratio * width / aspect - height) / 2
        ylim = (ylim[0] - grow, ylim[1] + grow)
    else:
        grow = (height * aspect / wanted_ratio - width) / 2
        xlim = (xlim[0] - grow, xlim[1] + grow)
    return xlim, ylim


def _axes_to_data(ax: Axes, xa: float, ya: float) -> tuple[float, float]:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return x0 + xa * (x1 - x0), y0 + ya * (y1 - y0)


def _nice_length_km(max_km: float) -> float:
    steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000]
    fitting = [s for s in steps if s <= max_km]
    return float(fitting[-1] if fitting else max_km)


def _format_km(value: float) -> str:
    return f"{value:g} km"


def add_scale_bar(
    ax: Axes,
    crs: Any,
    *,
    length_km: float | None = None,
    loc: tuple[float, float] = (0.62, 0.07),
    segments: int = 2,
    fontsize: float = 7,
) -> Line2D:
    """Draw a scale bar whose length is geodesically right where it is drawn.

    The bar starts at ``loc`` (axes fraction); its far end is found with
    :meth:`pyproj.Geod.fwd` on the WGS84 ellipsoid, heading in the direction
    of the map's x axis at that point, and both ends are projected to the
    map's CRS. It is therefore right on any projection, including lon/lat
    and Web Mercator maps, where a bar drawn in "metres per data unit" is
    wrong away from the equator or the central meridian.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose data coordinates are in ``crs``; set its limits first.
    crs : pyproj.CRS or str
        CRS of the axes' data coordinates.
    length_km : float, optional
        Length of the bar in km. Default: a round value close to a quarter of
        the map's width.
    loc : tuple of float, default (0.62, 0.07)
        Axes-fraction position of the bar's left end. The bar is moved left
        if it would leave the axes.
    segments : int, default 2
        Number of alternating black and white segments.
    fontsize : float, default 7
        Font size of the length label, in points.

    Returns
    -------
    matplotlib.lines.Line2D
        The bar (gid ``"borderstrikes-scale-bar"``); its two data points are
        the bar's ends, ``length_km`` apart on the ellipsoid.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from pyproj import Geod, Transformer
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_xlim(400_000, 700_000); _ = ax.set_ylim(4_300_000, 4_600_000)
    >>> bar = add_scale_bar(ax, "EPSG:32638", length_km=50)
    >>> (x0, x1), (y0, y1) = bar.get_data()
    >>> to_ll = Transformer.from_crs("EPSG:32638", "EPSG:4326", always_xy=True)
    >>> (lon0, lon1), (lat0, lat1) = to_ll.transform([x0, x1], [y0, y1])
    >>> round(Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)[2] / 1000, 3)
    50.0
    """
    map_crs = resolve_map_crs(crs)
    to_ll = Transformer.from_crs(map_crs, WGS84, always_xy=True)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    if length_km is None:
        yc = 0.5 * (ylim[0] + ylim[1])
        (lon_a, lon_b), (lat_a, lat_b) = to_ll.transform([xlim[0], xlim[1]], [yc, yc])
        width_km = GEOD.inv(lon_a, lat_a, lon_b, lat_b)[2] / 1000.0
        length_km = _nice_length_km(width_km / 4.0)
    if not length_km > 0:
        msg = f"length_km must be a positive number of kilometres (got {length_km!r})."
        raise ValueError(msg)

    xs, ys = _bar_stops(ax, map_crs, loc, length_km, segments)
    right_edge = xlim[0] + 0.97 * (xlim[1] - xlim[0])
    if xs[-1] > right_edge:
        shift = (xs[-1] - right_edge) / (xlim[1] - xlim[0])
        xs, ys = _bar_stops(ax, map_crs, (max(loc[0] - shift, 0.02), loc[1]), length_km, segments)
    return _draw_bar(ax, xs, ys, _format_km(length_km), fontsize=fontsize)


def _bar_stops(
    ax: Axes, map_crs: CRS, loc: tuple[float, float], length_km: float, segments: int
) -> tuple[np.ndarray, np.ndarray]:
    """Map coordinates of the ends of the bar's segments, geodesically ``length_km`` long."""
    to_ll = Transformer.from_crs(map_crs, WGS84, always_xy=True)
    from_ll = Transformer.from_crs(WGS84, map_crs, always_xy=True)
    x0, y0 = _axes_to_data(ax, *loc)
    lon0, lat0 = to_ll.transform(x0, y0)
    # Azimuth of the map's +x direction at the start point.
    xlim = ax.get_xlim()
    step = (xlim[1] - xlim[0]) * 1e-3
    lon_e, lat_e = to_ll.transform(x0 + step, y0)
    azimuth = GEOD.inv(lon0, lat0, lon_e, lat_e)[0]
    fractions = np.linspace(0.0, 1.0, segments + 1)
    lons, lats, _ = GEOD.fwd(
        np.full(fractions.size, lon0),
        np.full(fractions.size, lat0),
        np.full(fractions.size, azimuth),
        fractions * length_km * 1000.0,
    )
    xs, ys = from_ll.transform(lons, lats)
    return np.asarray(xs), np.asarray(ys)


def _draw_bar(ax: Axes, xs: np.ndarray, ys: np.ndarray, label: str, fontsize: float) -> Line2D:
    """Draw a black bar with white alternate segments, "0" and ``label`` above its ends."""
    (bar,) = ax.plot(
        [xs[0], xs[-1]],
        [ys[0], ys[-1]],
        color="black",
        linewidth=4.0,
        solid_capstyle="butt",
        zorder=30,
        gid=GID + "scale-bar",
        label="_scale_bar",
    )
    for i in range(1, len(xs) - 1, 2):
        ax.plot(
            xs[i : i + 2],
            ys[i : i + 2],
            color="white",
            linewidth=2.2,
            solid_capstyle="butt",
            zorder=31,
            label="_scale_bar_segment",
        )
    ylim = ax.get_ylim()
    ends = ((xs[0], ys[0], "0", "scale-bar-zero"), (xs[-1], ys[-1], label, "scale-bar-label"))
    for x, y, text, gid in ends:
        ax.text(
            x,
            y + 0.012 * (ylim[1] - ylim[0]),
            text,
            fontsize=fontsize,
            ha="center",
            va="bottom",
            zorder=31,
            bbox=TEXT_BOX,
            gid=GID + gid,
        )
    return bar


def add_north_arrow(
    ax: Axes,
    crs: Any,
    *,
    loc: tuple[float, float] = (0.06, 0.86),
    size: float = 0.08,
    fontsize: float = 8,
) -> Any:
    """Draw an arrow pointing to true (geographic) north.

    The direction is found by projecting a short step due north from the
    arrow's position, so the arrow follows the meridian convergence of the
    map's projection instead of assuming that north is up.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose data coordinates are in ``crs``; set its limits first.
    crs : pyproj.CRS or str
        CRS of the axes' data coordinates.
    loc : tuple of float, default (0.06, 0.86)
        Axes-fraction position of the arrow's tail.
    size : float, default 0.08
        Arrow length as a fraction of the axes height.
    fontsize : float, default 8
        Font size of the "N".

    Returns
    -------
    matplotlib.text.Annotation
        The arrow (gid ``"borderstrikes-north-arrow"``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from pyproj import Geod, Transformer
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_xlim(400_000, 700_000); _ = ax.set_ylim(4_300_000, 4_600_000)
    >>> add_north_arrow(ax, "EPSG:32638").get_text()
    'N'
    """
    map_crs = resolve_map_crs(crs)
    to_ll = Transformer.from_crs(map_crs, WGS84, always_xy=True)
    from_ll = Transformer.from_crs(WGS84, map_crs, always_xy=True)
    x0, y0 = _axes_to_data(ax, *loc)
    lon, lat = to_ll.transform(x0, y0)
    xn, yn = from_ll.transform(lon, min(lat + 0.05, 89.9))
    # Direction in display space, so the aspect ratio is accounted for.
    p0 = ax.transData.transform((x0, y0))
    p1 = ax.transData.transform((xn, yn))
    direction = (p1 - p0) / np.hypot(*(p1 - p0))
    length_px = size * ax.get_window_extent().height
    tail_px = ax.transAxes.transform(loc)
    head_px = tail_px + direction * length_px
    head = ax.transAxes.inverted().transform(head_px)
    return ax.annotate(
        "N",
        xy=tuple(head),
        xytext=tuple(loc),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="top",
        fontsize=fontsize,
        fontweight="bold",
        arrowprops={
            "arrowstyle": "-|>,head_width=0.35,head_length=0.7",
            "color": "black",
            "linewidth": 1.4,
            "shrinkA": 1,
            "shrinkB": 0,
        },
        zorder=30,
        gid=GID + "north-arrow",
        bbox=TEXT_BOX,
    )


def draw_attribution(ax: Axes, text: str, fontsize: float = 5.0, *, below: bool = False) -> Any:
    """Write ``text`` in the lower left corner, wrapped to the axes' width, never as mathtext.

    With ``below=True`` the text goes under the map, outside the axes, where
    it hides no data (save with ``bbox_inches='tight'`` to keep it).
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    width_px = ax.get_window_extent(renderer).width * 0.985
    char_px = fontsize * 0.5 * fig.dpi / 72.0
    chars = max(int(width_px / char_px), 20)
    artist = ax.text(
        0.0 if below else 0.006,
        -0.006 if below else 0.006,
        "",
        transform=ax.transAxes,
        fontsize=fontsize,
        color="#333333",
        ha="left",
        va="top" if below else "bottom",
        zorder=40,
        gid=GID + "attribution",
        bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.2},
        clip_on=False,
    )
    # Wrap by measuring the rendered text, so the line breaks stay inside the
    # axes at any dpi (matplotlib's wrap=True re-wraps against the figure on savefig).
    while True:
        # Escaped after wrapping, so that no line break separates "\\" from "$".
        artist.set_text("\n".join(mpl_text(line) for line in textwrap.wrap(text, chars)))
        if artist.get_window_extent(renderer).width <= width_px or chars <= 20:
            break
        chars = int(chars * 0.92)
    return artist


#: One legend entry: the kind of handle ("marker", "line" or "patch"), its
#: matplotlib properties and its label.
Entry = tuple[str, dict[str, Any], str]
#: A legend section: a bold header and its entries.
Section = tuple[str, list[Entry]]


def _marker(shape: str, face: str, edge: str = "white", width: float = 0.5) -> dict[str, Any]:
    return {
        "marker": shape,
        "markerfacecolor": face,
        "markeredgecolor": edge,
        "markeredgewidth": width,
    }


def report_sections(
    evidence_kinds: list[str], colours: dict[str, str], colour_title: str, color_by: str
) -> list[Section]:
    """Return the legend sections of the reports: evidence (marker shape) and the colour key."""
    if color_by == "evidence":
        entries = [
            (
                "marker",
                _marker(evidence_style(k)["marker"], evidence_style(k)["color"]),
                evidence_label(k),
            )
            for k in evidence_kinds
        ]
        return [("Evidence", entries)]
    sections: list[Section] = []
    if evidence_kinds != [NO_EVIDENCE]:
        # Hollow: the shape carries the evidence, the fill is the colour key's.
        entries = [
            (
                "marker",
                _marker(evidence_style(k)["marker"], "none", "#333333", 0.8),
                evidence_label(k),
            )
            for k in evidence_kinds
        ]
        sections.append(("Evidence (marker)", entries))
    entries = [("marker", _marker("o", colour), name) for name, colour in colours.items()]
    sections.append((f"{colour_title} (colour)", entries))
    return sections


def _nice_counts(max_count: int) -> list[int]:
    steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]
    fitting = [c for c in steps if c <= max_count]
    if max_count not in fitting and max_count > 1:
        fitting.append(max_count)
    if len(fitting) <= 3:
        return fitting
    return [fitting[0], fitting[len(fitting) // 2], fitting[-1]]


def size_section(
    counts: np.ndarray, per_report_pt2: float, min_reports: int, *, fontsize: float = 6.5
) -> Section:
    """Return the legend section of the marker sizes (area proportional to the count).

    ``per_report_pt2`` is the marker area of one report, ``min_reports`` the
    number of reports from which a place is named (0: no names drawn). A
    label is padded with blank lines so that its row is as tall as its marker.
    """
    max_count = int(np.max(counts, initial=1))
    entries: list[Entry] = []
    if max_count > 1:
        for count in _nice_counts(max_count):
            area = max(per_report_pt2 * count, 5.0)
            props = _marker("o", "#8C8C8C") | {"markersize": math.sqrt(area)}
            label = f"{count:,} {'report' if count == 1 else 'reports'}"
            pad = max(math.ceil(math.sqrt(area) / (1.2 * fontsize)) - 1, 0) // 2
            entries.append(("marker", props, "\n" * pad + label + "\n" * pad))
    if min_reports:
        plural = "report" if min_reports == 1 else "reports"
        entries.append(("text", {}, f"Named: places with ≥ {min_reports} {plural} (count)"))
    header = "Reports at one point (marker area)" if max_count > 1 else "Places"
    return (header, entries)


def uncertainty_section(*, stand_ins: bool, circles: bool, circle_min_km: float) -> Section:
    """Return the legend section of location uncertainty: stand-in points, precision circles."""
    entries: list[Entry] = []
    if stand_ins:
        entries.append(
            (
                "marker",
                _marker("o", "none", "#333333", 1.1),
                STAND_IN_LABEL,
            )
        )
    if circles:
        patch = dict(PRECISION_CIRCLE)
        entries.append(
            (
                "patch",
                patch,
                f"Event reported within this radius\n(radii ≥ {circle_min_km:.1f} km shown)",
            )
        )
    return ("Location", entries)


def map_section(
    border_kinds: list[str],
    bands: list[tuple[str, str]],
    has_footprints: bool,
    *,
    labels: Mapping[str, str] | None = None,
) -> Section:
    """Return the legend section of the map layers: border sections, distance bands, footprints.

    ``labels`` overrides the legend label of a border section kind.
    """
    entries: list[Entry] = []
    for kind in border_kinds:
        style = BORDER_STYLES[kind]
        line = {
            "color": BORDER_COLOR,
            "linestyle": style["linestyle"],
            "linewidth": style["linewidth"],
        }
        entries.append(("line", line, (labels or {}).get(kind, style["label"])))
    for label, colour in bands:
        entries.append(
            ("patch", {"facecolor": colour, "edgecolor": "none", "alpha": BAND_ALPHA}, label)
        )
    if has_footprints:
        patch = {"facecolor": "none", "edgecolor": "#333333", "linestyle": "--", "linewidth": 0.8}
        entries.append(("patch", patch, "Cluster footprint"))
    return ("Map", entries)


def overlay_section(overlays: Any) -> Section:
    """Return the legend section of the overlays: one entry per overlay, with its label.

    ``overlays`` are :class:`borderstrikes.viz.layers.Overlay` records (label,
    kind, style); areas get a patch of their fill and outline, lines a line.
    Labels are escaped by :func:`legend`.
    """
    from matplotlib.colors import to_rgba

    entries: list[Entry] = []
    for overlay in overlays:
        style = overlay.style
        if overlay.kind == "line":
            line = {"color": style["color"], "linestyle": style["linestyle"], "linewidth": 1.3}
            entries.append(("line", line, overlay.label))
        else:
            patch = {
                "facecolor": to_rgba(style["color"], style["alpha"]),
                "edgecolor": style["color"],
                "linestyle": style["linestyle"],
                "linewidth": 1.1,
            }
            entries.append(("patch", patch, overlay.label))
    return ("Overlays", entries)


def legend(ax: Axes, sections: list[Section], *, title: str, fontsize: float) -> Legend:
    """Draw a legend of titled sections in the lower left corner (gid ``borderstrikes-legend``).

    Headers, labels and ``title`` are drawn literally (a ``$`` is never mathtext).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    labels: list[str] = []
    headers: list[int] = []
    for header, entries in sections:
        headers.append(len(labels))
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(mpl_text(header))
        for kind, props, label in entries:
            if kind == "marker":
                handles.append(Line2D([], [], linestyle="none", **{"markersize": 5, **props}))
            elif kind == "text":
                handles.append(Line2D([], [], linestyle="none"))
            elif kind == "line":
                handles.append(Line2D([], [], **props))
            else:
                handles.append(Patch(**props))
            labels.append(mpl_text(label))
    artist = ax.legend(
        handles,
        labels,
        loc="lower left",
        title=mpl_text(title),
        fontsize=fontsize,
        title_fontsize=fontsize,
        frameon=True,
        framealpha=0.9,
        edgecolor="#BBBBBB",
        borderpad=0.5,
        handlelength=1.6,
        handletextpad=0.5,
        labelspacing=0.3,
        bbox_to_anchor=(0.005, 0.045),
    )
    artist.set_zorder(35)
    artist.set_gid(GID + "legend")
    texts = artist.get_texts()
    for i in headers:
        texts[i].set_fontweight("bold")
    # Headers get no handle: shift their text left over the empty handle slot.
    for i in headers:
        artist.legend_handles[i].set_visible(False)
    return artist


def draw_inset(
    ax: Axes,
    map_crs: CRS,
    countries: gpd.GeoDataFrame,
    bounds: tuple,
    *,
    home: str = defaults.COUNTRY,
    position: tuple[float, float, float, float] = (0.755, 0.755, 0.235, 0.235),
) -> Axes:
    """Draw a locator map of ``countries`` (``home`` in grey) with the map's ``bounds``.

    ``position`` is the inset's (x0, y0, width, height) in axes fraction.
    """
    import matplotlib.patches as mpatches

    inset = ax.inset_axes(list(position), zorder=36)
    inset.set_gid(GID + "inset")
    frame = countries.to_crs(map_crs)
    others = frame[frame["iso3"] != home]
    arm = frame[frame["iso3"] == home]
    others.plot(ax=inset, facecolor=LAND_OTHER, edgecolor="#8A8A8A", linewidth=0.3)
    arm.plot(ax=inset, facecolor="#8C8C8C", edgecolor="#555555", linewidth=0.3)
    inset.set_facecolor(WATER)
    x0, y0, x1, y1 = bounds
    box = shapely.box(x0, y0, x1, y1)
    inset.add_patch(
        mpatches.Polygon(
            np.asarray(box.exterior.coords),
            closed=True,
            fill=False,
            edgecolor=BORDER_COLOR,
            linewidth=1.0,
            zorder=5,
        )
    )
    minx, miny, maxx, maxy = frame.total_bounds
    inset.set_xlim(minx, maxx)
    inset.set_ylim(miny, maxy)
    inset.set_aspect("equal", adjustable="box", anchor="C")
    bare_frame(inset)
    return inset


def bare_frame(ax: Axes) -> None:
    """Remove ticks and labels and draw a thin grey frame."""
    # A map needs no axis ticks or labels (geopandas labels axes from the CRS).
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#666666")
        spine.set_linewidth(0.6)


#: Where a piece of furniture may go (legend ``loc`` names); small pieces may also
#: take the middle of an edge.
CORNERS = ("lower left", "lower right", "upper left", "upper right")
EDGES = ("lower center", "upper center", "center left", "center right")


def _slot_box(slot: str, size: tuple[float, float], frame: Any, margin: float) -> np.ndarray:
    width, height = size
    vertical, _, horizontal = slot.partition(" ")
    if vertical == "center":
        vertical, horizontal = "middle", horizontal
    if horizontal == "left":
        x0 = frame.x0 + margin
    elif horizontal == "right":
        x0 = frame.x1 - margin - width
    else:
        x0 = (frame.x0 + frame.x1 - width) / 2
    if vertical == "lower":
        y0 = frame.y0 + margin
    elif vertical == "upper":
        y0 = frame.y1 - margin - height
    else:
        y0 = (frame.y0 + frame.y1 - height) / 2
    return np.array([x0, y0, x0 + width, y0 + height])


def choose_slots(
    ax: Axes,
    sizes: dict[str, tuple[float, float]],
    *,
    points_px: np.ndarray,
    radii_px: np.ndarray,
    weights: np.ndarray,
    areas: Any = None,
    lines: Any = None,
    preferred: dict[str, str] | None = None,
    margin_px: float = 4.0,
    room_px: float = 40.0,
) -> dict[str, np.ndarray]:
    """Put each piece of furniture in the corner (or edge) where it hides the least data.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map (drawn once, so that its size in pixels is settled).
    sizes : dict
        Width and height (display pixels) of each piece, by name.
    points_px, radii_px, weights : numpy.ndarray
        Markers drawn: centres (N, 2) and radii in display pixels, and how
        many reports each stands for.
    areas : shapely geometry, optional
        Polygons of interest in display coordinates (the country mapped).
    lines : shapely geometry, optional
        Lines of interest in display coordinates (the border).
    preferred : dict, optional
        The usual slot of each piece, kept when it hides nothing more.
    margin_px : float, default 4
        Gap between a piece and the frame.
    room_px : float, default 40
        Markers closer than this to a piece count against it too (their
        labels need room), less than the markers it hides.

    Returns
    -------
    dict
        Box (x0, y0, x1, y1, display pixels) of each piece. Pieces never
        overlap one another. The score of a box is, in order of weight, the
        reports whose marker it touches, the markers within ``room_px`` of
        it, the share of ``areas`` it covers and the length of ``lines``
        it crosses.
    """
    frame = ax.get_window_extent()
    names = sorted(sizes, key=lambda n: -sizes[n][0] * sizes[n][1])
    preferred = preferred or {}
    options: dict[str, list[tuple[str, np.ndarray, float]]] = {}
    pts = np.asarray(points_px, float).reshape(-1, 2)
    rad = np.asarray(radii_px, float)
    wts = np.asarray(weights, float)
    for name in names:
        w, h = sizes[name]
        small = w < 0.45 * frame.width and h < 0.45 * frame.height
        slots = CORNERS + (EDGES if small else ())
        found = []
        for slot in slots:
            box = _slot_box(slot, (w, h), frame, margin_px)
            dx = np.maximum(np.maximum(box[0] - pts[:, 0], pts[:, 0] - box[2]), 0.0)
            dy = np.maximum(np.maximum(box[1] - pts[:, 1], pts[:, 1] - box[3]), 0.0)
            gap = np.hypot(dx, dy) - rad
            hidden = float(wts[gap < 1.0].sum())
            # Markers just outside need room for their labels.
            crowded = int(((gap >= 1.0) & (gap < room_px)).sum())
            score = 1000.0 * hidden + 100.0 * crowded
            rect = shapely.box(*box)
            if areas is not None and not areas.is_empty:
                score += 30.0 * shapely.intersection(areas, rect).area / rect.area
            if lines is not None and not lines.is_empty:
                score += 10.0 * shapely.intersection(lines, rect).length / math.hypot(w, h)
            if preferred.get(name) != slot:
                score += 0.5
            found.append((slot, box, score))
        options[name] = found
    best: tuple[float, tuple[Any, ...]] | None = None
    for combo in itertools.product(*(options[n] for n in names)):
        boxes = [c[1] for c in combo]
        clash = any(
            a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]
            for a, b in itertools.combinations(boxes, 2)
        )
        if clash:
            continue
        total = sum(c[2] for c in combo)
        if best is None or total < best[0]:
            best = (total, combo)
    if best is None:  # pieces too big to fit side by side: their usual slots
        return {
            n: _slot_box(preferred.get(n, CORNERS[0]), sizes[n], frame, margin_px) for n in names
        }
    return {n: c[1] for n, c in zip(names, best[1], strict=True)}
