"""Labels of the static map: report markers spread apart, place, country and lake names.

Labels are placed greedily after everything else is drawn, in display
space, so they are collision-free for the figure size at the time of
drawing; resizing the figure afterwards can make them overlap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes._core.escape import mpl_text
from borderstrikes.viz.style import GID, TEXT_HALO

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "COUNTRY_NAMES",
    "area_labels",
    "dodge",
    "label_candidates",
    "marker_boxes",
    "place_labels",
]

#: How the map names the countries it shows (by ISO3 code).
COUNTRY_NAMES = {
    "ARM": "ARMENIA",
    "AZE": "AZERBAIJAN",
    "GEO": "GEORGIA",
    "IRN": "IRAN",
    "TUR": "TÜRKİYE",
}


def dodge(
    ax: Axes, xs: np.ndarray, ys: np.ndarray, radius_pt: float
) -> tuple[np.ndarray, np.ndarray]:
    """Spread reports sharing a location on a small ring (display space) around it."""
    xs, ys = xs.copy(), ys.copy()
    keys = pd.Series(list(zip(np.round(xs, 0), np.round(ys, 0), strict=True)))
    to_px = ax.transData
    from_px = ax.transData.inverted()
    radius_px = radius_pt * ax.figure.dpi / 72.0
    for _, idx in keys.groupby(keys).groups.items():
        idx = np.asarray(idx)
        n = idx.size
        if n < 2:
            continue
        centre = to_px.transform((xs[idx[0]], ys[idx[0]]))
        r = radius_px * (1.0 + 0.12 * max(n - 6, 0))
        angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
        points = centre + r * np.column_stack([np.cos(angles), np.sin(angles)])
        data = from_px.transform(points)
        xs[idx], ys[idx] = data[:, 0], data[:, 1]
    return xs, ys


def marker_boxes(ax: Axes, xs: np.ndarray, ys: np.ndarray) -> list[Any]:
    """Return the display-space box of a report marker at each point."""
    from matplotlib.transforms import Bbox

    pts = ax.transData.transform(np.column_stack([xs, ys]))
    half = 3.0 * ax.figure.dpi / 72.0
    return [Bbox.from_extents(x - half, y - half, x + half, y + half) for x, y in pts]


def place_labels(
    ax: Axes,
    names: list[str],
    xs: np.ndarray,
    ys: np.ndarray,
    marker_xs: np.ndarray,
    marker_ys: np.ndarray,
    fontsize: float,
    obstacles: list[Any],
) -> list[Any]:
    """Place one label per place, greedily and collision-free (display coordinates)."""
    import matplotlib.patheffects as pe
    from matplotlib.transforms import Bbox

    renderer = ax.figure.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    taken: list[Bbox] = marker_boxes(ax, marker_xs, marker_ys) + list(obstacles)
    offsets = [
        (6, 3, "left", "bottom"),
        (6, -3, "left", "top"),
        (-6, 3, "right", "bottom"),
        (-6, -3, "right", "top"),
        (0, 7, "center", "bottom"),
        (0, -7, "center", "top"),
        (9, 0, "left", "center"),
        (-9, 0, "right", "center"),
    ]
    halo = [pe.withStroke(linewidth=TEXT_HALO, foreground="white")]
    placed = []
    for name, x, y in zip(names, xs, ys, strict=True):
        text = ax.annotate(
            mpl_text(name),  # a place name is text, never mathtext
            xy=(x, y),
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=fontsize,
            color="#1A1A1A",
            zorder=25,
            path_effects=halo,
            gid=GID + "place-label",
        )
        for dx, dy, ha, va in offsets:
            text.set_position((dx, dy))
            text.set_ha(ha)
            text.set_va(va)
            box = text.get_window_extent(renderer).expanded(1.04, 1.1)
            inside = (
                box.x0 >= axes_box.x0
                and box.x1 <= axes_box.x1
                and box.y0 >= axes_box.y0
                and box.y1 <= axes_box.y1
            )
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                placed.append(text)
                break
        else:
            text.remove()
    return placed


def area_labels(
    ax: Axes,
    admin0: gpd.GeoDataFrame,
    lakes: gpd.GeoDataFrame,
    extent: tuple[float, float, float, float],
    fontsize: float,
    obstacles: list[Any],
) -> list[Any]:
    """Name the countries and named lakes in view, where the name fits and hides nothing."""
    import matplotlib.patheffects as pe
    from shapely.ops import polylabel

    renderer = ax.figure.canvas.get_renderer()
    view = shapely.box(*extent)
    axes_box = ax.get_window_extent(renderer)
    entries = []
    country_style = {"color": "#7D7D7D", "fontsize": fontsize * 1.15, "fontweight": "bold"}
    for _, row in admin0.iterrows():
        name = COUNTRY_NAMES.get(row["iso3"], str(row.get("name", "")))
        if row["iso3"] == "AZE":
            # Nakhchivan, the exclave west of Armenia, gets its own name.
            visible = shapely.intersection(row.geometry, view)
            parts = sorted(getattr(visible, "geoms", [visible]), key=lambda g: -g.area)
            entries.append((name, parts[0], country_style))
            if len(parts) > 1:
                entries.append(("NAKHCHIVAN (AZ)", parts[1], country_style))
            continue
        entries.append((name, row.geometry, country_style))
    for _, row in lakes.iterrows():
        if isinstance(row.get("name"), str) and row["name"]:
            entries.append(
                (
                    row["name"],
                    row.geometry,
                    {"color": "#3F6F91", "fontsize": fontsize, "fontstyle": "italic"},
                )
            )
    placed = []
    for name, geom, style in entries:
        if not name:
            continue
        visible = shapely.intersection(geom, view)
        if visible.is_empty:
            continue
        parts = list(getattr(visible, "geoms", [visible]))
        part = max(parts, key=lambda g: g.area)
        if part.geom_type != "Polygon" or (part.area < 0.02 * view.area and "Lake" not in name):
            continue
        point = polylabel(part, tolerance=max(part.length / 500, 1.0))
        text = ax.text(
            point.x,
            point.y,
            mpl_text(name),
            ha="center",
            va="center",
            zorder=7,
            gid=GID + "area-label",
            clip_on=True,
            path_effects=[pe.withStroke(linewidth=1.5, foreground="white")],
            **style,
        )
        box = text.get_window_extent(renderer)
        fits = axes_box.contains(box.x0, box.y0) and axes_box.contains(box.x1, box.y1)
        if not fits or any(box.overlaps(o) for o in obstacles):
            text.remove()
            continue
        obstacles.append(box)
        placed.append(text)
    return placed


def label_candidates(
    strikes: gpd.GeoDataFrame, pts: gpd.GeoDataFrame, labels: Any
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return one label position per place, most strongly evidenced and most reported first."""
    frame = pd.DataFrame(
        {
            "place": strikes["place"].astype(str).to_numpy(),
            "x": shapely.get_x(np.asarray(pts.geometry.values)),
            "y": shapely.get_y(np.asarray(pts.geometry.values)),
            "impact": (
                (strikes["evidence"] == "impact").to_numpy()
                if "evidence" in strikes.columns
                else np.zeros(len(strikes), bool)
            ),
        }
    )
    if labels is not True:
        wanted = {str(name) for name in labels}
        frame = frame[frame["place"].isin(wanted)]
    summary = frame.groupby("place", sort=False).agg(
        x=("x", "first"), y=("y", "first"), impact=("impact", "any"), n=("x", "size")
    )
    summary = summary.sort_values(["impact", "n"], ascending=False, kind="stable")
    return list(summary.index), summary["x"].to_numpy(), summary["y"].to_numpy()


def draw_labels(
    ax: Axes,
    legend: Any,
    *,
    reports: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    markers: tuple[np.ndarray, np.ndarray],
    wanted: Any,
    countries: gpd.GeoDataFrame,
    lakes: gpd.GeoDataFrame,
    fontsize: float,
) -> list[Any]:
    """Name the countries and lakes in view, then the places reported, around what is drawn.

    ``points`` are the ``reports`` in the map's CRS, ``markers`` the drawn
    (spread) marker positions and ``wanted`` is ``True`` or the place names
    to label. Nothing is placed over the legend, the inset, the north arrow,
    the scale bar, the attribution or a marker.
    """
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    obstacles = [legend.get_window_extent(renderer)]
    obstacles += [t.get_window_extent(renderer) for t in ax.texts]
    obstacles += [c.get_window_extent(renderer) for c in ax.child_axes]
    obstacles += [
        line.get_window_extent(renderer)
        for line in ax.lines
        if line.get_label().startswith("_scale")
    ]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    areas = area_labels(
        ax,
        countries,
        lakes,
        (x0, y0, x1, y1),
        fontsize,
        obstacles + marker_boxes(ax, *markers),
    )
    obstacles += [t.get_window_extent(renderer) for t in areas]
    names, lx, ly = label_candidates(reports, points, wanted)
    return areas + place_labels(ax, names, lx, ly, *markers, fontsize=fontsize, obstacles=obstacles)
