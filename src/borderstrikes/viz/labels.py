"""Labels of the static map: names of the places reported, countries and lakes.

Labels are placed greedily after everything else is drawn, in display
space, so they are collision-free for the figure size at the time of
drawing; resizing the figure afterwards can make them overlap. A place label
is always nearer (in display space) to its own marker than to any other
marker, and gets a leader line when moved away from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes._core.escape import mpl_text
from borderstrikes.viz.style import GID, TEXT_BOX

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "COUNTRY_NAMES",
    "LEADER_MIN_PT",
    "area_labels",
    "default_min_reports",
    "draw_labels",
    "label_candidates",
    "place_labels",
    "text_box",
]

#: How the map names the countries it shows (by ISO3 code).
COUNTRY_NAMES = {
    "ARM": "ARMENIA",
    "AZE": "AZERBAIJAN",
    "GEO": "GEORGIA",
    "IRN": "IRAN",
    "TUR": "TÜRKİYE",
}


def _box_distance(boxes: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance (display units) from each box (K, 4: x0, y0, x1, y1) to each point (L, 2)."""
    x, y = points[None, :, 0], points[None, :, 1]
    dx = np.maximum(np.maximum(boxes[:, None, 0] - x, x - boxes[:, None, 2]), 0.0)
    dy = np.maximum(np.maximum(boxes[:, None, 1] - y, y - boxes[:, None, 3]), 0.0)
    return np.hypot(dx, dy)


def _conflicts(
    boxes: np.ndarray,
    own_xy: np.ndarray,
    own_r: float,
    tree: Any,
    markers: np.ndarray,
    radii: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For each box: how many other markers are as near as its own, and how many it covers.

    Distances are to what the reader sees, the marker's disc: a marker is
    "as near" if its edge is not farther from the box than the own marker's
    edge (0.5 px tolerance). Centres would not do: a small marker drawn
    inside a big one is nearer by centre to every side of the big one. Only
    markers a k-d tree finds within reach are measured.
    """
    count = len(boxes)
    if tree is None:
        return np.zeros(count, int), np.zeros(count, int)
    d_own = _box_distance(boxes, own_xy[None, :])[:, 0]
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    half_diag = np.hypot(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) / 2
    reach = d_own + float(radii.max()) + half_diag + 1.0
    found = tree.query_ball_point(centres, reach)
    lengths = np.fromiter((len(f) for f in found), int, count)
    if not lengths.sum():
        return np.zeros(count, int), np.zeros(count, int)
    flat = np.concatenate([np.asarray(f, int) for f in found])
    box = np.repeat(np.arange(count), lengths)
    pts, r = markers[flat], radii[flat]
    other = np.hypot(*(pts - own_xy).T) >= 0.5
    x, y = pts[:, 0], pts[:, 1]
    b = boxes[box]
    dx = np.maximum(np.maximum(b[:, 0] - x, x - b[:, 2]), 0.0)
    dy = np.maximum(np.maximum(b[:, 1] - y, y - b[:, 3]), 0.0)
    d = np.hypot(dx, dy)
    near = other & (np.maximum(d - r, 0.0) <= d_own[box] - own_r + 0.5)
    cover = other & (d < r + 0.5)
    return (
        np.bincount(box, weights=near, minlength=count).astype(int),
        np.bincount(box, weights=cover, minlength=count).astype(int),
    )


def _best_candidate(
    boxes: np.ndarray,
    gaps: np.ndarray,
    free: np.ndarray,
    own_xy: np.ndarray,
    own_r: float,
    tree: Any,
    markers: np.ndarray,
    radii: np.ndarray,
) -> tuple[int, float]:
    """Index of the first free box, nearest ring first, that no other marker is as near to.

    A box that covers no marker wins; failing that, within a ring beyond the
    fourth, one that covers a marker. Rings are measured one at a time and
    the search stops early when the markers around are so dense that no ring
    can work (everywhere so far, more than 3 markers nearer than the own one
    after four rings, or more than 12 after two). Returns -1 if none, and
    the fewest markers nearer than the own one over the boxes measured.
    """
    fallback = -1
    fewest = np.inf
    for k, gap in enumerate(_GAPS_PT):
        idx = np.flatnonzero(free & (gaps == gap))
        if not len(idx):
            continue
        nearer, covered = _conflicts(boxes[idx], own_xy, own_r, tree, markers, radii)
        strict = (nearer == 0) & (covered == 0)
        if strict.any():
            return int(idx[np.argmax(strict)]), 0.0
        if fallback < 0 and (nearer == 0).any():
            fallback = int(idx[np.argmax(nearer == 0)])
        fewest = min(fewest, float(nearer.min()))
        if fallback >= 0 and k >= 3:
            return fallback, 0.0
        if (k >= 3 and fewest > 3) or (k >= 1 and fewest > 12):
            break
    return fallback, fewest


def _overlaps(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Whether each box (K, 4) overlaps any of ``others`` (M, 4)."""
    if not len(others):
        return np.zeros(len(boxes), bool)
    hit = (
        (boxes[:, None, 0] < others[None, :, 2])
        & (boxes[:, None, 2] > others[None, :, 0])
        & (boxes[:, None, 1] < others[None, :, 3])
        & (boxes[:, None, 3] > others[None, :, 1])
    )
    return hit.any(axis=1)


#: Gaps (points) between a marker's edge and its label tried, nearest first.
_GAPS_PT = (1.5, 4.0, 8.0, 13.0, 20.0, 30.0, 44.0, 62.0, 86.0, 120.0)
#: Directions tried at each gap (degrees counter-clockwise from east), preferred first.
_ANGLES_DEG = (
    0, 180, 30, 150, -30, -150, 60, 120, -60, -120, 90, -90,
    15, 165, -15, -165, 45, 135, -45, -135, 75, 105, -75, -105,
)  # fmt: skip
#: A label farther than this (points) from its marker's edge gets a leader line.
LEADER_MIN_PT = 4.5


def _candidates(
    anchor: np.ndarray, radius: float, width: float, height: float, px_per_pt: float
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate boxes (K, 4) around a marker of ``radius`` at ``anchor``, with their gaps (pt)."""
    gaps = np.repeat(np.asarray(_GAPS_PT), len(_ANGLES_DEG))
    theta = np.radians(np.tile(np.asarray(_ANGLES_DEG, float), len(_GAPS_PT)))
    cos, sin = np.cos(theta), np.sin(theta)
    r = radius + gaps * px_per_pt
    sx = np.where(np.abs(cos) > 0.05, np.sign(cos), 0.0)
    sy = np.where(np.abs(sin) > 0.05, np.sign(sin), 0.0)
    cx = anchor[0] + r * cos + sx * width / 2
    cy = anchor[1] + r * sin + sy * height / 2
    # Above or below the marker the box may also run to the right or to the left of it.
    steep = np.abs(cos) <= 0.55
    slide = np.where(steep, width / 2 - radius, 0.0)
    cx = np.concatenate([cx, (cx + slide)[steep], (cx - slide)[steep]])
    cy = np.concatenate([cy, cy[steep], cy[steep]])
    gaps = np.concatenate([gaps, gaps[steep], gaps[steep]])
    order = np.argsort(gaps, kind="stable")  # nearest ring first
    cx, cy, gaps = cx[order], cy[order], gaps[order]
    boxes = np.column_stack([cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2])
    return boxes, gaps


def place_labels(
    ax: Axes,
    texts: list[str],
    anchors: np.ndarray,
    *,
    radii_px: np.ndarray,
    markers_px: np.ndarray,
    marker_radii_px: np.ndarray,
    required: np.ndarray,
    obstacles: np.ndarray,
    fontsize: float,
) -> list[Any]:
    """Label markers so that each label is nearer its own marker than any other (display space).

    ``anchors`` are the labelled markers' positions in data coordinates and
    ``radii_px`` their radii; ``markers_px`` and ``marker_radii_px`` every
    marker drawn (display coordinates, including the labelled ones) and
    ``obstacles`` boxes (M, 4, display) no label may cover. Candidate boxes
    are tried on rings of growing gap around each marker, a ring at a time
    with array arithmetic; the first that lies inside the axes and covers no
    obstacle, no earlier label and no marker, and whose distance to its own
    marker's edge is smaller than to any other marker's edge, wins; the
    text may put the count on a second line to fit. When only earlier labels
    are in the way, they are moved if they can go elsewhere (one level of
    repair). A label placed more than :data:`LEADER_MIN_PT` from its marker
    gets a leader line. A ``required`` label that still has no such
    position is placed where the fewest markers are nearer to it than its
    own; the others are left out.
    """
    from scipy.spatial import cKDTree

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    inner = np.array([frame.x0 + 1, frame.y0 + 1, frame.x1 - 1, frame.y1 - 1])
    fixed = np.asarray(obstacles, float).reshape(-1, 4)
    anchors_px = ax.transData.transform(np.asarray(anchors, float).reshape(-1, 2))
    markers_px = np.asarray(markers_px, float).reshape(-1, 2)
    marker_radii_px = np.asarray(marker_radii_px, float)
    tree = cKDTree(markers_px) if len(markers_px) else None
    sizes: dict[str, tuple[float, float]] = {}

    def size(text: str) -> tuple[float, float]:
        if text not in sizes:
            probe = ax.text(0, 0, mpl_text(text), fontsize=fontsize, ha="center", va="center")
            extent = probe.get_window_extent(renderer)
            probe.remove()
            sizes[text] = (extent.width + 2.0, extent.height + 1.0)
        return sizes[text]

    def shapes(text: str) -> list[str]:
        # One line first; then with the count on a line of its own (narrower).
        if "\n" not in text and text.endswith(")") and " (" in text:
            return [text, text.replace(" (", "\n(", 1)]
        return [text]

    def candidates(i: int, text: str, others: list[np.ndarray]) -> tuple[Any, ...]:
        boxes, gaps = _candidates(anchors_px[i], float(radii_px[i]), *size(text), px_per_pt)
        inside = (
            (boxes[:, 0] >= inner[0])
            & (boxes[:, 1] >= inner[1])
            & (boxes[:, 2] <= inner[2])
            & (boxes[:, 3] <= inner[3])
        )
        clear = inside & ~_overlaps(boxes, fixed)
        free = clear & ~_overlaps(boxes, np.vstack([np.empty((0, 4)), *others]))
        if not required[i]:
            # Optional labels stay next to their marker (no leader line).
            clear &= gaps <= _GAPS_PT[1]
            free &= gaps <= _GAPS_PT[1]
        return boxes, gaps, inside, clear, free

    crowd: dict[int, float] = {}

    def fit(i: int, others: list[np.ndarray]) -> tuple[str, np.ndarray, float] | None:
        own_xy, own_r = anchors_px[i], float(radii_px[i])
        if tree is not None:
            # More than 12 other markers within 12 pt of this one's edge: no position
            # can be nearer to it than to all of them; skip the search.
            around = tree.query_ball_point(own_xy, own_r + 12 * px_per_pt, return_length=True)
            same = tree.query_ball_point(own_xy, 0.5, return_length=True)
            if around - same > 12:
                crowd[i] = np.inf
                return None
        # Optional labels keep one line; the second shape is tried only where few
        # markers crowd the first (in a dense field neither shape can work).
        for text in shapes(texts[i])[: 2 if required[i] else 1]:
            boxes, gaps, _, _, free = candidates(i, text, others)
            best, fewest = _best_candidate(
                boxes, gaps, free, own_xy, own_r, tree, markers_px, marker_radii_px
            )
            crowd[i] = min(crowd.get(i, np.inf), fewest)
            if best >= 0:
                return text, boxes[best], float(gaps[best])
            if fewest > 12:
                break
        return None

    placed: dict[int, tuple[str, np.ndarray, float]] = {}
    for i in range(len(texts)):
        others = [box[None, :] for _, box, _ in placed.values()]
        found = fit(i, others)
        # Moving earlier labels helps only where few markers crowd this one.
        if found is None and required[i] and crowd.get(i, np.inf) <= 3:
            found = _repair(i, placed, fit, candidates, anchors_px, radii_px, tree,
                            markers_px, marker_radii_px, texts)  # fmt: skip
        if found is None and required[i]:
            # No position is nearer its own marker than every other: the fewest nearer,
            # among the positions close to the marker.
            boxes, gaps, inside, _, free = candidates(i, texts[i], others)
            near_gap = _GAPS_PT[3] if crowd.get(i, np.inf) <= 3 else _GAPS_PT[1]
            pool = np.flatnonzero(free & (gaps <= near_gap))
            if not len(pool):
                pool = np.flatnonzero(free) if free.any() else np.flatnonzero(inside)
            if not len(pool):
                pool = np.arange(len(boxes))
            nearer, _ = _conflicts(
                boxes[pool], anchors_px[i], float(radii_px[i]), tree, markers_px, marker_radii_px
            )
            best = int(pool[np.argmin(nearer)])
            found = (texts[i], boxes[best], float(gaps[best]))
        if found is not None:
            placed[i] = found
    artists = []
    for i in sorted(placed):
        text, box, gap = placed[i]
        centre_pt = ((box[:2] + box[2:]) / 2 - anchors_px[i]) / px_per_pt
        leader = None
        if gap > LEADER_MIN_PT:
            leader = {
                "arrowstyle": "-",
                "color": "#4D4D4D",
                "linewidth": 0.6,
                "shrinkA": 0.5,
                "shrinkB": float(radii_px[i]) / px_per_pt + 0.5,
            }
        artist = ax.annotate(
            mpl_text(text),  # a place name is text, never mathtext
            xy=tuple(anchors[i]),
            xytext=tuple(centre_pt),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=fontsize,
            color="#1A1A1A",
            zorder=25,
            # A box, not a path-effect halo: text with path effects is saved as
            # paths, and SVG and PDF maps must keep real (editable) text.
            bbox=TEXT_BOX,
            gid=GID + "place-label",
            annotation_clip=False,
            arrowprops=leader,
        )
        if leader is not None:
            artist.arrow_patch.set_gid(GID + "leader")
        artists.append(artist)
    return artists


def _repair(
    i: int,
    placed: dict[int, tuple[str, np.ndarray, float]],
    fit: Any,
    candidates: Any,
    anchors_px: np.ndarray,
    radii_px: np.ndarray,
    tree: Any,
    markers: np.ndarray,
    radii: np.ndarray,
    texts: list[str],
) -> tuple[str, np.ndarray, float] | None:
    """Place label ``i`` where only earlier labels are in the way, if those can move.

    Tries the good positions (no other marker as near, none covered) that
    only placed labels block, nearest ring first; moves the blocking labels
    to their own best other position; keeps everything as it was if one of
    them cannot move. ``placed`` is updated in place on success.
    """
    own_xy, own_r = anchors_px[i], float(radii_px[i])
    for text in [texts[i]]:
        boxes, gaps, _, clear, _ = candidates(i, text, [])
        pool = np.flatnonzero(clear & (gaps <= _GAPS_PT[3]))  # near the marker only
        if not len(pool):
            continue
        nearer, covered = _conflicts(boxes[pool], own_xy, own_r, tree, markers, radii)
        for k in pool[(nearer == 0) & (covered == 0)][:12]:  # nearest ring first
            box = boxes[k]
            blockers = [
                j for j, (_, other, _) in placed.items() if _overlaps(box[None], other[None])[0]
            ]
            if not blockers or len(blockers) > 2:
                continue
            trial = {j: v for j, v in placed.items() if j not in blockers}
            trial[i] = (text, box, float(gaps[k]))
            ok = True
            for j in blockers:
                moved = fit(j, [b[None, :] for _, b, _ in trial.values()])
                if moved is None:
                    ok = False
                    break
                trial[j] = moved
            if ok:
                placed.clear()
                placed.update({j: trial[j] for j in trial if j != i})
                return trial[i]
    return None


def area_labels(
    ax: Axes,
    admin0: gpd.GeoDataFrame,
    lakes: gpd.GeoDataFrame,
    extent: tuple[float, float, float, float],
    fontsize: float,
    obstacles: list[Any],
) -> list[Any]:
    """Name the countries and named lakes in view, where the name fits and hides nothing."""
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


def text_box(annotation: Any, renderer: Any) -> Any:
    """Display box of an annotation's text alone (without its leader line), where it is now."""
    from matplotlib.text import Text

    annotation.update_positions(renderer)
    return Text.get_window_extent(annotation, renderer)


def default_min_reports(counts: np.ndarray, max_labels: int) -> int:
    """Smallest number of reports N >= 1 such that at most ``max_labels`` of ``counts`` reach it.

    Examples
    --------
    >>> default_min_reports(np.array([11, 10, 7, 2, 1, 1]), 3)
    3
    >>> default_min_reports(np.array([3, 1]), 5)
    1
    """
    counts = np.sort(np.asarray(counts, int))[::-1]
    if len(counts) <= max_labels:
        return 1
    return int(counts[max_labels]) + 1


#: Lines of one label at most; further places at the same point are counted.
_MAX_LINES = 3


def label_candidates(
    reports: pd.DataFrame,
    location: np.ndarray,
    standin: np.ndarray,
    *,
    wanted: Any,
    min_reports: int | None,
    max_labels: int,
) -> tuple[pd.DataFrame, int]:
    """Return one label per labelled point, required labels first, and the N used.

    A place (a name at one point) with at least ``min_reports`` reports is
    labelled (``required``); with ``min_reports=None``, N is the smallest
    number that keeps the points to label at or below ``max_labels``. The
    label of a point lists its places, most reported first, with the count
    when at least 2 and ``≈`` before a place drawn at a stand-in point.
    Places below N are labelled only where room is left (``required`` False).
    """
    frame = pd.DataFrame(
        {
            "place": reports["place"].astype(str).to_numpy(),
            "loc": np.asarray(location),
            "stand_in": np.asarray(standin, bool),
        }
    )
    per_place = frame.groupby(["loc", "place"], sort=False).agg(
        n=("stand_in", "size"), stand_in=("stand_in", "all")
    )
    per_place = per_place.reset_index().sort_values(["loc", "n"], ascending=[True, False])
    if wanted is not True:
        names = {str(name) for name in wanted}
        per_place = per_place[per_place["place"].isin(names)]
        n_min = 1
    elif min_reports is None:
        n_min = default_min_reports(per_place.groupby("loc")["n"].max().to_numpy(), max_labels)
    else:
        n_min = int(min_reports)
    # Only the points worth trying: every required one, and the most reported others.
    loc_max = per_place.groupby("loc")["n"].max()
    loc_total = per_place.groupby("loc")["n"].sum()
    required_locs = loc_max.index[loc_max >= n_min]
    others = loc_total.drop(required_locs).sort_values(ascending=False, kind="stable")
    keep = required_locs.append(others.index[: 2 * max_labels if wanted is True else 0])
    per_place = per_place[per_place["loc"].isin(keep)]
    per_place = per_place.assign(
        line=np.where(per_place["stand_in"], "≈", "")
        + per_place["place"]
        + np.where(per_place["n"] >= 2, " (" + per_place["n"].astype(str) + ")", "")
    )
    rows = []
    for loc, group in per_place.groupby("loc", sort=False):
        lines = group["line"].tolist()
        if len(lines) > _MAX_LINES:
            lines = [*lines[: _MAX_LINES - 1], f"+{len(lines) - _MAX_LINES + 1} more places"]
        rows.append(
            {
                "loc": loc,
                "text": "\n".join(lines),
                "n": int(group["n"].sum()),
                "required": bool((group["n"] >= n_min).any()),
            }
        )
    table = pd.DataFrame(rows, columns=["loc", "text", "n", "required"])
    table = table.sort_values(["required", "n"], ascending=False, kind="stable")
    return table.reset_index(drop=True), n_min


def draw_labels(
    ax: Axes,
    *,
    table: pd.DataFrame,
    anchors: np.ndarray,
    anchor_radii_px: np.ndarray,
    markers_px: np.ndarray,
    marker_radii_px: np.ndarray,
    obstacles: list[Any],
    countries: gpd.GeoDataFrame,
    lakes: gpd.GeoDataFrame,
    fontsize: float,
) -> list[Any]:
    """Label the points in ``table``, then name the countries and lakes around what is drawn.

    ``anchors`` (data) and ``anchor_radii_px`` give the position and marker
    radius of each row of ``table`` (from :func:`label_candidates`);
    ``markers_px`` and ``marker_radii_px`` every marker drawn; ``obstacles``
    the display boxes (matplotlib ``Bbox``) of the furniture. Nothing is
    placed over the furniture, a marker or another label.
    """
    renderer = ax.figure.canvas.get_renderer()
    boxes = np.array([[b.x0, b.y0, b.x1, b.y1] for b in obstacles], float).reshape(-1, 4)
    places = place_labels(
        ax,
        table["text"].tolist(),
        anchors,
        radii_px=anchor_radii_px,
        markers_px=markers_px,
        marker_radii_px=marker_radii_px,
        required=table["required"].to_numpy(bool),
        obstacles=boxes,
        fontsize=fontsize,
    )
    from matplotlib.transforms import Bbox

    taken = list(obstacles) + [text_box(t, renderer) for t in places]
    pts = np.asarray(markers_px, float).reshape(-1, 2)
    half = np.asarray(marker_radii_px, float)
    taken += [
        Bbox.from_extents(x - r, y - r, x + r, y + r)
        for (x, y), r in zip(pts, half, strict=True)
        if ax.get_window_extent(renderer).contains(x, y)
    ][:5000]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    areas = area_labels(ax, countries, lakes, (x0, y0, x1, y1), fontsize, taken)
    return places + areas
