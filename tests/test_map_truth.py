"""The static map tells the truth: labels, furniture, uncertainty, co-located reports, credits.

Distances are measured in display space after ``fig.canvas.draw()`` with plain
numpy (brute force over every marker drawn), never with the placement code.
Two maps are drawn once per module: the packaged reports at the default size
and an ACLED-like map (many events on a few centroids, seeded; see
:func:`acled_like`, also used by ``benchmarks/bench_map.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from pyproj import Geod, Transformer

import borderstrikes
from borderstrikes.viz.static import NOT_VERIFIED, plot_strikes, save_map

GEOD = Geod(ellps="WGS84")
PX_PER_PT = 100 / 72
#: The size of the map in the report and of ``borderstrikes map`` (inches).
FIGSIZE = (9, 9.5)


def acled_like(
    n: int, *, seed: int = 0, n_centroids: int = 300, scattered: float = 0.5, counts=None
):
    """ACLED-like events in Armenia and Azerbaijan (seeded).

    ``1 - scattered`` of the events sit on ``n_centroids`` points (ACLED
    ``geo_precision`` 3: a region's centre, 25 km, a stand-in), with a
    heavy-tailed share each (or exactly ``counts``); the rest are at
    distinct points (``geo_precision`` 1: a town, 2 km). Dates spread over
    2021-2022; ``attrs["provenance"]`` names ACLED like ``read_acled`` does.
    """
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    countries = borderstrikes.load_boundaries(0)
    land = shapely.union_all(
        np.asarray(countries[countries["iso3"].isin(["ARM", "AZE"])].to_crs(4326).geometry)
    )
    minx, miny, maxx, maxy = land.bounds

    def inside(k):
        out = np.empty((0, 2))
        while len(out) < k:
            x, y = rng.uniform(minx, maxx, 4 * k + 8), rng.uniform(miny, maxy, 4 * k + 8)
            keep = shapely.contains_xy(land, x, y)
            out = np.vstack([out, np.column_stack([x[keep], y[keep]])])
        return out[:k]

    centroids = inside(n_centroids)
    if counts is None:
        n_on = round(n * (1 - scattered))
        share = rng.pareto(1.2, n_centroids) + 1
        which = rng.choice(n_centroids, n_on, p=share / share.sum())
    else:
        which = np.repeat(np.arange(len(counts)), counts)
        n_on = len(which)
    xy = np.vstack([centroids[which], inside(n - n_on)]) if n > n_on else centroids[which]
    on = np.arange(n) < n_on
    place = np.where(
        on,
        np.char.add("Centroid ", np.char.zfill(np.resize(which, n).astype(str), 3)),
        np.char.add("Village ", np.arange(n).astype(str)),
    )
    start = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    frame = gpd.GeoDataFrame(
        {
            "report_id": [f"ACLED:ARM{i}" for i in range(n)],
            "place": place,
            "date": start,
            "date_start": start,
            "date_end": start,
            "evidence": rng.choice(
                ["impact", "direction", "ground_fighting"], n, p=[0.7, 0.2, 0.1]
            ),
            "location_precision": np.where(on, "region", "settlement"),
            "location_radius_m": np.where(on, 25_000.0, 2_000.0),
            "coord_source": [f"ACLED latitude/longitude of {p!r}" for p in place],
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs="EPSG:4326",
    )
    frame.attrs["provenance"] = [{"dataset": "ACLED", "file": "synthetic.csv", "records": n}]
    return frame


# --------------------------------------------------------------------------- fixtures


def draw(strikes, **kwargs):
    # Not a pyplot figure: the module-scope maps outlive conftest's plt.close("all").
    fig = Figure(figsize=FIGSIZE, dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    plot_strikes(strikes, ax=ax, basemap="offline", **kwargs)
    ax.figure.canvas.draw()
    return ax


@pytest.fixture(scope="module")
def strikes():
    return borderstrikes.load_strikes()


@pytest.fixture(scope="module")
def packaged_map(strikes):
    return draw(strikes)


#: Events per centroid of the ACLED-like test map (350 at one point).
COUNTS = [350, 120, 60, 30, 12, 5, 2, 1]


@pytest.fixture(scope="module")
def acled():
    return acled_like(sum(COUNTS), seed=7, n_centroids=len(COUNTS), counts=COUNTS)


@pytest.fixture(scope="module")
def acled_map(acled):
    return draw(acled)


def by_gid(ax, gid):
    return [a for a in [*ax.collections, *ax.lines, *ax.texts] if a.get_gid() == gid]


def report_collections(ax):
    prefixes = ("borderstrikes-reports-", "borderstrikes-stand-in-")
    return [c for c in ax.collections if (c.get_gid() or "").startswith(prefixes)]


def markers(ax):
    """Centre (display px) and radius (px) of every report marker drawn."""
    centres, radii = [], []
    for c in report_collections(ax):
        xy = c.get_offset_transform().transform(c.get_offsets())
        r = np.sqrt(np.broadcast_to(c.get_sizes(), len(xy))) / 2 * ax.figure.dpi / 72
        centres.append(xy)
        radii.append(r)
    return np.vstack(centres), np.concatenate(radii)


def box_distance(box, points):
    dx = np.maximum.reduce([box.x0 - points[:, 0], points[:, 0] - box.x1, np.zeros(len(points))])
    dy = np.maximum.reduce([box.y0 - points[:, 1], points[:, 1] - box.y1, np.zeros(len(points))])
    return np.hypot(dx, dy)


def place_labels(ax):
    return by_gid(ax, "borderstrikes-place-label")


# --------------------------------------------------------------------------- labels


def test_every_place_with_n_reports_is_labelled(packaged_map, strikes):
    texts = [t.get_text() for t in packaged_map.get_legend().get_texts()]
    (named,) = [t for t in texts if t.startswith("Named: places with ≥ ")]
    n_min = int(named.split("≥ ")[1].split()[0])
    assert n_min <= 10  # Sotk, 10 reports, must be named
    # A label may put the count on a line of its own.
    labelled = "\n".join(t.get_text().replace("\n(", " (") for t in place_labels(packaged_map))
    counts = strikes.groupby(["place", strikes.geometry.x.round(5), strikes.geometry.y.round(5)])
    for (place, _, _), group in counts:
        if len(group) >= n_min:
            assert f"{place} ({len(group)})" in labelled
    assert "Sotk (10)" in labelled


@pytest.mark.parametrize("which", ["packaged_map", "acled_map"])
def test_each_label_is_nearest_its_own_marker(which, request):
    ax = request.getfixturevalue(which)
    renderer = ax.figure.canvas.get_renderer()
    centres, radii = markers(ax)
    labels = place_labels(ax)
    assert labels
    for label in labels:
        box = Text.get_window_extent(label, renderer)
        own_xy = ax.transData.transform(label.xy)
        own = np.hypot(*(centres - own_xy).T) < 0.5
        assert own.any(), label.get_text()  # the label names a drawn marker
        # Distance to the disc drawn (0 when the label touches it).
        edge = np.maximum(box_distance(box, centres) - radii, 0)
        d_own = edge[own].min()
        assert d_own > 0, label.get_text()  # the label leaves its marker visible
        assert (edge[~own] > d_own).all(), label.get_text()


@pytest.mark.parametrize("which", ["packaged_map", "acled_map"])
def test_moved_labels_have_a_leader_line(which, request):
    ax = request.getfixturevalue(which)
    renderer = ax.figure.canvas.get_renderer()
    centres, radii = markers(ax)
    for label in place_labels(ax):
        own_xy = ax.transData.transform(label.xy)
        own = np.hypot(*(centres - own_xy).T) < 0.5
        gap_pt = (
            box_distance(Text.get_window_extent(label, renderer), own_xy[None])[0]
            - radii[own].max()
        ) / PX_PER_PT
        if gap_pt > 6:
            assert label.arrow_patch is not None, label.get_text()


def test_labels_overlap_nothing(packaged_map):
    renderer = packaged_map.figure.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in packaged_map.texts]
    boxes = [b for b in boxes if b.overlaps(packaged_map.get_window_extent(renderer))]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


# --------------------------------------------------------------------------- furniture


def furniture_boxes(ax):
    renderer = ax.figure.canvas.get_renderer()
    scale = [
        a
        for a in [*ax.lines, *ax.texts]
        if (a.get_gid() or "").startswith("borderstrikes-scale-bar")
    ]
    return {
        "legend": ax.get_legend().get_window_extent(renderer),
        "scale": Bbox.union([a.get_window_extent(renderer) for a in scale]),
        "north": by_gid(ax, "borderstrikes-north-arrow")[0].get_window_extent(renderer),
        "inset": ax.child_axes[0].get_window_extent(renderer),
    }


@pytest.mark.parametrize("which", ["packaged_map", "acled_map"])
def test_furniture_covers_no_marker(which, request):
    ax = request.getfixturevalue(which)
    centres, radii = markers(ax)
    for name, box in furniture_boxes(ax).items():
        hidden = box_distance(box, centres) < radii
        assert not hidden.any(), (name, centres[hidden])


def test_scale_bar_is_not_over_syunik(packaged_map):
    units = borderstrikes.load_boundaries(1).to_crs("EPSG:32638")
    syunik = units.loc[units["iso_3166_2"] == "AM-SU", "geometry"].iloc[0]
    in_px = shapely.transform(syunik, packaged_map.transData.transform)
    box = furniture_boxes(packaged_map)["scale"]
    assert not in_px.intersects(shapely.box(box.x0, box.y0, box.x1, box.y1))


# --------------------------------------------------------------------------- uncertainty


def test_colocated_reports_are_one_marker_at_their_true_point(acled_map, acled):
    to_map = Transformer.from_crs("EPSG:4326", "EPSG:32638", always_xy=True)
    x, y = to_map.transform(acled.geometry.x.to_numpy(), acled.geometry.y.to_numpy())
    truth = acled_map.transData.transform(np.column_stack([x, y]))
    collections = report_collections(acled_map)
    assert sum(int(c.report_counts.sum()) for c in collections) == len(acled)
    centres, _ = markers(acled_map)
    # Every marker sits on a report's own point: no ring, no spreading.
    nearest = np.min(np.hypot(*(centres[:, None, :] - truth[None, :, :]).transpose(2, 0, 1)), 1)
    assert nearest.max() < 0.01
    # The 350 events at the first centroid: one marker per evidence kind, no more.
    first = acled.geometry.iloc[0]
    at_first = (acled.geometry.x.sub(first.x).abs() < 1e-9) & (
        acled.geometry.y.sub(first.y).abs() < 1e-9
    )
    first_px = truth[0]
    on_first = np.hypot(*(centres - first_px).T) < 0.5
    assert on_first.sum() == acled.loc[at_first, "evidence"].nunique()
    counts = np.concatenate(
        [
            c.report_counts[
                np.hypot(*(c.get_offset_transform().transform(c.get_offsets()) - first_px).T) < 0.5
            ]
            for c in collections
        ]
    )
    assert counts.sum() == at_first.sum() == 350
    # The biggest marker stands for the most reports (area grows with the count).
    sizes = np.concatenate(
        [np.broadcast_to(c.get_sizes(), len(c.get_offsets())) for c in collections]
    )
    all_counts = np.concatenate([c.report_counts for c in collections])
    assert sizes[np.argmax(all_counts)] == sizes.max()
    order = np.argsort(all_counts)
    assert (np.diff(sizes[order]) >= 0).all()


def test_precision_circles_are_geodesic(packaged_map, strikes):
    (circles,) = by_gid(packaged_map, "borderstrikes-precision-circle")
    to_ll = Transformer.from_crs("EPSG:32638", "EPSG:4326", always_xy=True)
    radius = strikes["location_radius_m"]
    points = set(zip(strikes.geometry.x.round(5), strikes.geometry.y.round(5), radius, strict=True))
    found = set()
    for path in circles.get_paths():
        lon, lat = to_ll.transform(*path.vertices[:-1].T)
        # The centre is the report whose geodesic distance to every vertex is its radius.
        for px, py, r in points:
            d = GEOD.inv(np.full(len(lon), px), np.full(len(lat), py), lon, lat)[2]
            if np.allclose(d, r, rtol=1e-3):
                found.add((px, py, r))
                break
        else:
            pytest.fail("a circle matches no report's location_radius_m")
    # The 25 km circle of the Nerkin Hand stand-in is drawn, no 2 km settlement circle.
    assert 25_000 in {r for *_, r in found}
    assert 2_000 not in {r for *_, r in found}


def test_stand_in_points_are_hollow_and_explained(packaged_map, strikes):
    hollow = [
        c
        for c in report_collections(packaged_map)
        if c.get_gid().startswith("borderstrikes-stand-in-")
    ]
    assert hollow
    for c in hollow:
        assert len(c.get_facecolors()) == 0 or (c.get_facecolors()[:, 3] == 0).all()
    kapan = strikes.loc[strikes["place"] == "Nerkin Hand"].geometry.iloc[0]
    xy = packaged_map.transData.transform(
        Transformer.from_crs(4326, 32638, always_xy=True).transform(kapan.x, kapan.y)
    )
    offsets = np.vstack([c.get_offset_transform().transform(c.get_offsets()) for c in hollow])
    assert (np.hypot(*(offsets - xy).T) < 0.5).any()
    texts = [t.get_text() for t in packaged_map.get_legend().get_texts()]
    assert any(t.startswith("Stand-in point") for t in texts)
    assert any("radius" in t for t in texts)
    assert "≈Nerkin Hand (2)" in "\n".join(t.get_text() for t in place_labels(packaged_map))


# --------------------------------------------------------------------------- standalone map


def test_title_dates_and_note(packaged_map):
    assert packaged_map.get_title(loc="left") == "Reported strikes, 12–15 September 2022"
    (subtitle,) = by_gid(packaged_map, "borderstrikes-subtitle")
    assert "12–15 September 2022" in subtitle.get_text()
    assert NOT_VERIFIED in subtitle.get_text()


def test_event_dataset_is_credited(acled_map):
    (credit,) = by_gid(acled_map, "borderstrikes-attribution")
    text = credit.get_text().replace("\n", " ")
    assert "Armed Conflict Location & Event Data (ACLED)" in text
    assert "OpenStreetMap contributors" in text
    assert acled_map.get_title(
        loc="left"
    ) == "Reported strikes, 1 January 2021 – 30 December 2022" or (
        acled_map.get_title(loc="left").startswith("Reported strikes, ")
    )


def test_svg_keeps_real_text(tmp_path, packaged_map):
    path = tmp_path / "map.svg"
    save_map(packaged_map.figure, path)
    svg = path.read_text()
    assert "<text" in svg
    assert "Reports are claims, not verified facts" in svg
    assert "Reported strikes, 12–15 September 2022" in svg
    assert "Sotk (10)" in svg


def test_label_moved_past_an_obstacle_gets_a_leader():
    from borderstrikes.viz.labels import LEADER_MIN_PT
    from borderstrikes.viz.labels import place_labels as place

    fig = Figure(figsize=(4, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    fig.canvas.draw()
    centre = ax.transData.transform((50, 50))
    # Everything within 40 px of the marker is taken (as by a legend).
    blocked = np.array([[*(centre - 40), *(centre + 40)]])
    markers = np.array([centre, centre + np.array([120.0, 0.0])])
    (label,) = place(
        ax,
        ["Somewhere (3)"],
        np.array([[50.0, 50.0]]),
        radii_px=np.array([4.0]),
        markers_px=markers,
        marker_radii_px=np.array([4.0, 4.0]),
        required=np.array([True]),
        obstacles=blocked,
        fontsize=7,
    )
    fig.canvas.draw()
    box = Text.get_window_extent(label, fig.canvas.get_renderer())
    assert not box.overlaps(Bbox(blocked.reshape(2, 2)))
    gap_pt = (box_distance(box, centre[None])[0] - 4.0) / PX_PER_PT
    assert gap_pt > LEADER_MIN_PT
    assert label.arrow_patch is not None
    edge = np.maximum(box_distance(box, markers) - 4.0, 0)
    assert edge[0] < edge[1]  # still nearer its own marker than the other one
