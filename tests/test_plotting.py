"""Tests of borderstrikes.viz.static (the publication map).

Three tiers (see the house style): assertions on artists first, then a few
image comparisons against baselines made with matplotlib 3.11.2. Tile tests
run the real download and cache path against a tile server on 127.0.0.1
(tests/tileserver.py; the cache itself is tested in tests/test_tile_cache.py);
nothing touches the internet.
"""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.testing.decorators import image_comparison
from matplotlib.text import Text
from pyproj import Geod, Transformer

import borderstrikes
from borderstrikes.errors import BorderstrikesWarning
from borderstrikes.viz import static as plotting
from borderstrikes.viz.layers import zone_bands, zones_at
from borderstrikes.viz.static import (
    EVIDENCE_STYLES,
    add_north_arrow,
    add_scale_bar,
    plot_strikes,
    tile_user_agent,
)

sys.path.insert(0, str(Path(__file__).parent))
from tileserver import TileServer

GEOD = Geod(ellps="WGS84")
SMALL = {"figsize": (4, 4), "dpi": 72}


@pytest.fixture
def small_ax():
    _, ax = plt.subplots(**SMALL)
    return ax


@pytest.fixture
def tile_server():
    server = TileServer(rgb=(214, 39, 40)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def strikes():
    return borderstrikes.load_strikes()


def by_gid(ax, gid):
    artists = [*ax.collections, *ax.lines, *ax.texts, *ax.images, *ax.artists]
    return [a for a in artists if a.get_gid() == gid]


def report_collections(ax):
    prefixes = ("borderstrikes-reports-", "borderstrikes-stand-in-")
    return [c for c in ax.collections if (c.get_gid() or "").startswith(prefixes)]


def n_drawn(collections):
    """Reports the markers stand for (one marker per group of co-located reports)."""
    return sum(int(c.report_counts.sum()) for c in collections)


def kind_of(collection):
    gid = collection.get_gid()
    return gid.removeprefix("borderstrikes-reports-").removeprefix("borderstrikes-stand-in-")


# --------------------------------------------------------------------------- import hygiene


def test_modules_import_without_matplotlib_or_contextily():
    code = (
        "import sys, borderstrikes.viz; "
        "bad = [m for m in ('matplotlib', 'contextily', 'folium') if m in sys.modules]; "
        "print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- tier 1: artists


def test_returns_axes_and_draws_every_mapped_report(small_ax, strikes):
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline")
    assert ax is small_ax
    collections = report_collections(ax)
    assert n_drawn(collections) == strikes.geometry.notna().sum()
    # Co-located reports share a marker: fewer markers than reports.
    assert sum(len(c.get_offsets()) for c in collections) < len(strikes)
    assert {kind_of(c) for c in collections} == set(strikes["evidence"])


def test_map_is_not_web_mercator_and_defaults_to_utm38n(small_ax, strikes):
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline")
    x0, x1 = ax.get_xlim()
    # UTM 38N eastings of Armenia lie around 300-600 km.
    assert 200_000 < x0 < x1 < 800_000
    assert ax.get_aspect() == 1.0


def test_marker_and_colour_follow_evidence(small_ax, strikes):
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline", labels=False)
    impact = by_gid(ax, "borderstrikes-reports-impact")[0]
    expected = plt.matplotlib.colors.to_rgba(EVIDENCE_STYLES["impact"]["color"])
    np.testing.assert_allclose(impact.get_facecolors()[0], expected)
    # Stand-in points are hollow, edged in the same colour.
    (hollow,) = by_gid(ax, "borderstrikes-stand-in-impact")
    assert len(hollow.get_facecolors()) == 0 or hollow.get_facecolors()[0][3] == 0
    np.testing.assert_allclose(hollow.get_edgecolors()[0], expected)
    n_impact = int((strikes["evidence"] == "impact").sum())
    assert n_drawn([impact, hollow]) == n_impact


def test_legend_lists_evidence_and_border_sections(small_ax, strikes):
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    for kind in set(strikes["evidence"]):
        assert EVIDENCE_STYLES[kind]["label"] in texts
    assert "Armenia–Azerbaijan border" in texts
    assert "Armenia–Nakhchivan (AZ) border" in texts
    assert ax.get_legend().get_title().get_text() == f"{len(strikes)} reports"


@pytest.mark.parametrize(
    ("color_by", "expected"),
    [("date", "13 Sep 2022"), ("weapon", "Drone (UAV)"), ("claimant", "Armenian MOD")],
)
def test_color_by_other_fields(small_ax, strikes, color_by, expected):
    ax = plot_strikes(
        strikes, ax=small_ax, basemap="offline", color_by=color_by, labels=False, inset=False
    )
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert expected in texts
    colours = np.vstack([c.get_facecolors() for c in report_collections(ax)])
    assert len(np.unique(colours.round(3), axis=0)) > 1


def test_color_by_date_is_ordered(small_ax, strikes):
    ax = plot_strikes(
        strikes, ax=small_ax, basemap="offline", color_by="date", labels=False, inset=False
    )
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    dates = [t for t in texts if t.endswith("2022")]
    assert dates == sorted(dates, key=lambda d: pd.Timestamp(d))


def test_unknown_color_by_raises(small_ax, strikes):
    with pytest.raises(ValueError, match="color_by must be"):
        plot_strikes(strikes, ax=small_ax, basemap="offline", color_by="nonsense")


def test_cluster_colouring_needs_labels(small_ax, strikes):
    with pytest.raises(ValueError, match="needs per-report cluster labels"):
        plot_strikes(strikes, ax=small_ax, basemap="offline", color_by="cluster")


def test_clusters_from_footprints_and_label_column(small_ax, strikes):
    from borderstrikes.clustering import cluster_strikes, describe_clusters

    labels = cluster_strikes(strikes, eps_km=15, min_samples=3)
    described = describe_clusters(strikes, labels)
    ax = plot_strikes(
        strikes.assign(cluster=labels),
        ax=small_ax,
        basemap="offline",
        clusters=described,
        color_by="cluster",
        labels=False,
        inset=False,
    )
    footprints = by_gid(ax, "borderstrikes-cluster-footprint")
    assert len(footprints) == 1
    n_clusters = len(set(labels[labels >= 0]))
    # Clusters whose reports share one place have a point footprint: not drawn.
    n_polygons = int(described.geom_type.isin(["Polygon", "MultiPolygon"]).sum())
    assert len(footprints[0].get_paths()) == n_polygons
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Cluster footprint" in texts
    assert sum(bool(re.match(r"Cluster \d+", t)) for t in texts) == n_clusters
    # Legend names come from the footprints' name column.
    assert f"Cluster {described.index[0]}: {described['name'].iloc[0]}" in texts


def artists_signature(ax):
    """What a test can compare between two maps: legend texts and drawn paths."""
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    paths = [
        (c.get_gid(), [p.vertices.round(3).tolist() for p in c.get_paths()])
        for c in ax.collections
        if c.get_gid()
    ]
    return texts, paths


def test_clusters_as_labels_are_deprecated_but_draw_the_same(strikes):
    from borderstrikes.clustering import cluster_strikes, describe_clusters

    labels = cluster_strikes(strikes, eps_km=15, min_samples=3)
    _, ax_old = plt.subplots(**SMALL)
    with pytest.warns(FutureWarning, match=r"describe_clusters\(strikes, labels\)") as caught:
        plot_strikes(
            strikes, ax=ax_old, basemap="offline", clusters=labels, color_by="cluster", labels=False
        )
    assert caught[0].filename == __file__  # attributed to the caller
    _, ax_new = plt.subplots(**SMALL)
    plot_strikes(
        strikes.assign(cluster=labels),
        ax=ax_new,
        basemap="offline",
        clusters=describe_clusters(strikes, labels),
        color_by="cluster",
        labels=False,
    )
    assert artists_signature(ax_old) == artists_signature(ax_new)


def test_clusters_from_footprints(small_ax, strikes):
    hull = shapely.convex_hull(shapely.MultiPoint(list(strikes.geometry[:10])))
    footprints = gpd.GeoDataFrame({"name": ["a"]}, geometry=[hull], crs="EPSG:4326")
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline", clusters=footprints)
    assert len(by_gid(ax, "borderstrikes-cluster-footprint")) == 1


def test_zones_are_drawn_as_nested_bands(small_ax, strikes):
    from borderstrikes.areas import buffer_zone

    zones = pd.concat([buffer_zone(depth_km=d) for d in (20, 5, 10)])  # any order
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline", zones=zones, labels=False)
    bands = by_gid(ax, "borderstrikes-distance-band")
    assert len(bands) == 3
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[-3:] == [
        "0–5 km from the border",
        "5–10 km from the border",
        "10–20 km from the border",
    ]


def test_distance_bands_km_is_deprecated_but_draws_the_same(strikes):
    _, ax_old = plt.subplots(**SMALL)
    with pytest.warns(FutureWarning, match=r"zones=") as caught:
        plot_strikes(strikes, ax=ax_old, basemap="offline", distance_bands_km=[5, 10, 20])
    assert caught[0].filename == __file__
    _, ax_new = plt.subplots(**SMALL)
    plot_strikes(strikes, ax=ax_new, basemap="offline", zones=zones_at([5, 10, 20]))
    assert artists_signature(ax_old) == artists_signature(ax_new)


def test_zones_and_distance_bands_together_raise(small_ax, strikes):
    with pytest.raises(TypeError, match="not both"):
        plot_strikes(
            strikes, ax=small_ax, basemap="offline", zones=zones_at([5]), distance_bands_km=[5]
        )


def test_border_and_countries_inputs(small_ax, strikes):
    main = borderstrikes.load_border().query("section == 'main'")
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline", border=main, labels=False)
    assert by_gid(ax, "borderstrikes-border-main")
    assert not by_gid(ax, "borderstrikes-border-nakhchivan")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Armenia–Nakhchivan (AZ) border" not in texts


def test_border_or_countries_without_a_crs_raise_crs_error(small_ax, strikes):
    from borderstrikes.errors import CRSError

    naive = borderstrikes.load_border().set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="border has no CRS"):
        plot_strikes(strikes, ax=small_ax, basemap="offline", border=naive)
    naive = borderstrikes.load_boundaries(0).set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="countries has no CRS"):
        plot_strikes(strikes, ax=small_ax, basemap="offline", countries=naive)


def test_distance_band_depth_comes_from_geodesic_buffer(strikes):
    # The 0-5 km band, drawn in UTM, reaches no further than ~5 km from the
    # border when measured on the ellipsoid: test its farthest vertex.
    from borderstrikes.border import distance_to_border

    ring = zone_bands(zones_at([5]), "EPSG:4326").geometry.iloc[0]
    coords = shapely.get_coordinates(ring)
    points = gpd.GeoSeries(gpd.points_from_xy(coords[:, 0], coords[:, 1]), crs="EPSG:4326")
    distance = distance_to_border(points, signed=False)["distance_km"]
    assert distance.max() == pytest.approx(5.0, rel=0.02)
    assert distance.min() == pytest.approx(0.0, abs=0.01)


def test_labels_do_not_overlap(strikes):
    _, ax = plt.subplots(figsize=(7, 6.5), dpi=100)
    plot_strikes(strikes, ax=ax, basemap="offline")
    labels = by_gid(ax, "borderstrikes-place-label")
    assert len(labels) >= 8
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    # The text alone: a label's leader line may pass near another label.
    boxes = [Text.get_window_extent(t, renderer) for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    axes_box = ax.get_window_extent(renderer)
    for box in boxes:
        assert axes_box.contains(box.x0, box.y0)
        assert axes_box.contains(box.x1, box.y1)


def test_labels_false_and_named(small_ax, strikes):
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline", labels=False)
    assert by_gid(ax, "borderstrikes-place-label") == []
    _, ax = plt.subplots(figsize=(7, 6.5))
    ax = plot_strikes(strikes, ax=ax, basemap="offline", labels=["Jermuk"])
    assert [t.get_text() for t in by_gid(ax, "borderstrikes-place-label")] == ["Jermuk (11)"]


def test_inset_locator(small_ax, strikes):
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline")
    insets = [a for a in ax.child_axes if a.get_gid() == "borderstrikes-inset"]
    assert len(insets) == 1
    _, ax = plt.subplots(**SMALL)
    ax = plot_strikes(strikes, ax=ax, basemap="offline", inset=False)
    assert ax.child_axes == []


# --------------------------------------------------------------------------- scale bar and arrow


def bar_length_km(bar, crs):
    (x0, x1), (y0, y1) = bar.get_data()
    to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    (lon0, lon1), (lat0, lat1) = to_ll.transform([x0, x1], [y0, y1])
    return GEOD.inv(lon0, lat0, lon1, lat1)[2] / 1000.0


def label_km(ax):
    (label,) = by_gid(ax, "borderstrikes-scale-bar-label")
    return float(label.get_text().removesuffix(" km"))


def test_scale_bar_is_geodesically_true_on_the_map(small_ax, strikes):
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline")
    (bar,) = by_gid(ax, "borderstrikes-scale-bar")
    assert bar_length_km(bar, "EPSG:32638") == pytest.approx(label_km(ax), rel=0.005)
    # Horizontal on the page.
    (_, _), (y0, y1) = bar.get_data()
    assert abs(y1 - y0) < 1e-3 * np.ptp(ax.get_ylim())


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:3857", "EPSG:32638", "ESRI:102014"])
def test_scale_bar_right_in_any_crs(crs):
    # Same region in several CRSs, including lon/lat and Web Mercator where a
    # "metres per data unit" bar is wrong away from the equator.
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x0, y0, x1, y1 = to_map.transform_bounds(43.4, 38.8, 46.7, 41.3)
    _, ax = plt.subplots(**SMALL)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    bar = add_scale_bar(ax, crs, length_km=50)
    assert bar_length_km(bar, crs) == pytest.approx(50, rel=0.005)
    assert label_km(ax) == 50


def test_scale_bar_default_length_is_round():
    _, ax = plt.subplots(**SMALL)
    ax.set_xlim(300_000, 650_000)
    ax.set_ylim(4_280_000, 4_580_000)
    bar = add_scale_bar(ax, "EPSG:32638")
    assert label_km(ax) in {50.0, 100.0}
    assert bar_length_km(bar, "EPSG:32638") == pytest.approx(label_km(ax), rel=0.005)


def test_scale_bar_rejects_bad_length(small_ax):
    with pytest.raises(ValueError, match="length_km must be a positive"):
        add_scale_bar(small_ax, "EPSG:32638", length_km=-1)


def test_north_arrow_points_to_true_north():
    # In Web Mercator north is straight up; in a rotated CRS it is not.
    _, ax = plt.subplots(**SMALL)
    to_map = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x0, y0, x1, y1 = to_map.transform_bounds(43.4, 38.8, 46.7, 41.3)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    arrow = add_north_arrow(ax, "EPSG:3857")
    (hx, hy), (tx, ty) = arrow.xy, arrow.xyann
    assert hy > ty
    assert hx == pytest.approx(tx, abs=1e-9)
    _, ax = plt.subplots(**SMALL)
    ax.set_xlim(100_000, 400_000)  # far west of UTM 38N's central meridian
    ax.set_ylim(4_300_000, 4_600_000)
    arrow = add_north_arrow(ax, "EPSG:32638")
    (hx, hy), (tx, ty) = arrow.xy, arrow.xyann
    assert hy > ty
    assert hx > tx  # meridians converge towards the central meridian (east)


# --------------------------------------------------------------------------- attribution


def attribution_text(ax):
    (artist,) = by_gid(ax, "borderstrikes-attribution")
    return artist.get_text().replace("\n", " ")


def test_attribution_names_every_source(small_ax, strikes):
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline")
    text = attribution_text(ax)
    assert "OpenStreetMap contributors" in text
    assert "Natural Earth" in text
    assert "GeoNames" in text


def test_attribution_survives_savefig_to_svg_and_png(tmp_path, strikes):
    _, ax = plt.subplots(figsize=(5, 5), dpi=100)
    plot_strikes(strikes, ax=ax, basemap="offline")
    with plt.rc_context({"svg.fonttype": "none"}):
        ax.figure.savefig(tmp_path / "map.svg")
    svg = (tmp_path / "map.svg").read_text()
    assert 'id="borderstrikes-attribution"' in svg
    assert "OpenStreetMap contributors" in svg
    assert "Natural Earth" in svg
    ax.figure.savefig(tmp_path / "map.png", dpi=200)
    # After a save at another dpi, the wrapped text still lies under the map, within its width.
    renderer = ax.figure.canvas.get_renderer()
    (artist,) = by_gid(ax, "borderstrikes-attribution")
    box = artist.get_window_extent(renderer)
    axes_box = ax.get_window_extent(renderer)
    assert axes_box.x0 - 1 <= box.x0
    assert box.x1 <= axes_box.x1 + 1
    assert box.y1 <= axes_box.y0 + 1


def test_attribution_custom_and_off(small_ax, strikes):
    ax = plot_strikes(strikes, ax=small_ax, basemap="offline", attribution="My credit line")
    assert attribution_text(ax) == "My credit line"
    _, ax = plt.subplots(**SMALL)
    ax = plot_strikes(strikes, ax=ax, basemap="offline", attribution=False)
    assert by_gid(ax, "borderstrikes-attribution") == []


# --------------------------------------------------------------------------- basemaps


def test_tiles_download_warp_attribute_and_cache(tmp_path, tile_server, strikes):
    from contextily import tile as cx_tile

    before = cx_tile.memory.store_backend.location
    cache = tmp_path / "tiles"
    _, ax = plt.subplots(**SMALL)
    ax = plot_strikes(
        strikes, ax=ax, basemap="tiles", tile_provider=tile_server.provider, cache_dir=cache
    )
    first = len(tile_server.tile_requests)
    assert first > 0
    assert {r["user_agent"] for r in tile_server.tile_requests} == {tile_user_agent()}
    # The warped image has the tiles' colour.
    (image,) = by_gid(ax, "borderstrikes-basemap")
    array = np.asarray(image.get_array())
    centre = array[array.shape[0] // 2, array.shape[1] // 2]
    np.testing.assert_array_equal(centre[:3], tile_server.rgb)
    assert "Test tiles from a local server" in attribution_text(ax)
    # contextily's global cache location is restored; our cache has files.
    assert cx_tile.memory.store_backend.location == before
    assert any(cache.rglob("*"))

    # Same map again: every tile comes from the on-disk cache.
    _, ax = plt.subplots(**SMALL)
    plot_strikes(
        strikes, ax=ax, basemap="tiles", tile_provider=tile_server.provider, cache_dir=cache
    )
    assert len(tile_server.tile_requests) == first

    # A fresh cache directory downloads again.
    _, ax = plt.subplots(**SMALL)
    plot_strikes(
        strikes,
        ax=ax,
        basemap="auto",
        tile_provider=tile_server.provider,
        cache_dir=tmp_path / "other",
    )
    assert len(tile_server.tile_requests) == 2 * first


def test_auto_falls_back_to_offline_when_tiles_fail(tmp_path, strikes):
    server = TileServer().start()
    provider = server.provider
    server.stop()  # nothing listens on the port any more
    _, ax = plt.subplots(**SMALL)
    with pytest.warns(BorderstrikesWarning, match="could not fetch map tiles"):
        ax = plot_strikes(
            strikes, ax=ax, basemap="auto", tile_provider=provider, cache_dir=tmp_path
        )
    assert len(ax.images) == 0
    # The offline basemap is drawn (land polygons, water background), not a blank map.
    assert ax.get_facecolor()[:3] == pytest.approx(plt.matplotlib.colors.to_rgb("#BFD9EA"))
    assert len(ax.collections) > 6
    assert "Test tiles" not in attribution_text(ax)


def test_explicit_tiles_fail_loudly(tmp_path, strikes):
    server = TileServer().start()
    provider = server.provider
    server.stop()
    _, ax = plt.subplots(**SMALL)
    with pytest.raises(ConnectionError, match="basemap='offline'"):
        plot_strikes(strikes, ax=ax, basemap="tiles", tile_provider=provider, cache_dir=tmp_path)


def test_offline_makes_no_request(tile_server, small_ax, strikes):
    plot_strikes(strikes, ax=small_ax, basemap="offline", tile_provider=tile_server.provider)
    assert tile_server.requests == []


# rasterio.transform.from_bounds multiplies affines with "*" (affine >= 2.4 flags it).
@pytest.mark.filterwarnings("ignore:Use `@` matmul:PendingDeprecationWarning")
def test_basemap_from_local_geotiff(tmp_path, small_ax, strikes):
    import rasterio
    from rasterio.transform import from_bounds

    to_wm = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x0, y0, x1, y1 = to_wm.transform_bounds(42.0, 37.5, 48.0, 42.5)
    path = tmp_path / "basemap.tif"
    data = np.zeros((3, 64, 64), dtype="uint8")
    data[0], data[1], data[2] = 20, 150, 60
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=64,
        height=64,
        count=3,
        dtype="uint8",
        crs="EPSG:3857",
        transform=from_bounds(x0, y0, x1, y1, 64, 64),
    ) as dst:
        dst.write(data)
    ax = plot_strikes(strikes, ax=small_ax, basemap=path)
    (image,) = by_gid(ax, "borderstrikes-basemap")
    array = np.asarray(image.get_array())
    np.testing.assert_array_equal(
        array[array.shape[0] // 2, array.shape[1] // 2][:3], [20, 150, 60]
    )
    assert "basemap.tif" in attribution_text(ax)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"basemap": "satellite"}, ValueError, "basemap must be 'auto', 'tiles', 'offline'"),
        ({"basemap": 3}, TypeError, "basemap must be"),
        ({"basemap": "tiles", "tile_provider": "No.Such"}, ValueError, "xyzservices provider"),
        ({"basemap": "tiles", "tile_provider": "Thunderforest.Landscape"}, ValueError, "API key"),
        ({"basemap": "offline", "crs": "EPSG:nope"}, ValueError, "crs must be"),
        ({"basemap": "offline", "distance_bands_km": [0, 5]}, ValueError, "positive"),
        ({"basemap": "offline", "clusters": [1, 2]}, TypeError, "clusters must be"),
        ({"basemap": "offline", "zones": [5, 10]}, TypeError, "zones must be a GeoDataFrame"),
    ],
)
def test_invalid_arguments(small_ax, strikes, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_strikes(strikes, ax=small_ax, **kwargs)


def test_strikes_without_crs_raise(small_ax, strikes):
    from borderstrikes.errors import CRSError

    naive = gpd.GeoDataFrame(strikes.drop(columns="geometry"), geometry=list(strikes.geometry))
    with pytest.raises(CRSError, match="has no CRS"):
        plot_strikes(naive, ax=small_ax, basemap="offline")


def test_reports_without_location_are_counted_not_drawn(small_ax, strikes):
    partial = strikes.copy()
    partial.loc[partial.index[:5], "geometry"] = None
    ax = plot_strikes(partial, ax=small_ax, basemap="offline")
    assert n_drawn(report_collections(ax)) == len(strikes) - 5
    assert "5 without coordinates" in ax.get_legend().get_title().get_text()


def test_input_not_modified(small_ax, strikes):
    copy = strikes.copy()
    plot_strikes(strikes, ax=small_ax, basemap="offline", color_by="weapon")
    pd.testing.assert_frame_equal(pd.DataFrame(strikes), pd.DataFrame(copy))


def test_default_cache_dir_honours_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BORDERSTRIKES_CACHE_DIR", str(tmp_path))
    assert plotting.default_tile_cache_dir() == tmp_path / "tiles"
    monkeypatch.delenv("BORDERSTRIKES_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert plotting.default_tile_cache_dir() == tmp_path / "xdg" / "borderstrikes" / "tiles"


def test_weapon_classes():
    from borderstrikes.viz.style import weapon_class

    assert weapon_class(["UAV (attack drones)"]) == "Drone (UAV)"
    assert weapon_class(["artillery", "mortar"]) == "Several weapon types"
    assert weapon_class(["unknown"]) == "Unknown"
    assert weapon_class([]) == "Unknown"


def test_no_warnings_on_offline_map(small_ax, strikes):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_strikes(strikes, ax=small_ax, basemap="offline")


# --------------------------------------------------------------------------- tier 3: images

IMAGE = {"extensions": ["png"], "remove_text": True, "style": "mpl20"}


@image_comparison(["map_offline_evidence"], **IMAGE)
def test_image_offline_evidence():
    _, ax = plt.subplots(**SMALL)
    plot_strikes(ax=ax, basemap="offline")


@image_comparison(["map_by_date_no_inset"], **IMAGE)
def test_image_by_date_no_inset():
    _, ax = plt.subplots(**SMALL)
    plot_strikes(ax=ax, basemap="offline", color_by="date", inset=False, labels=False)


@image_comparison(["map_bands_clusters"], **IMAGE)
def test_image_bands_and_clusters():
    from borderstrikes.areas import buffer_zone
    from borderstrikes.clustering import cluster_strikes, describe_clusters

    strikes = borderstrikes.load_strikes()
    labels = cluster_strikes(strikes, eps_km=15, min_samples=3)
    zones = pd.concat([buffer_zone(depth_km=d) for d in (5, 10, 20)])
    _, ax = plt.subplots(**SMALL)
    plot_strikes(
        strikes.assign(cluster=labels),
        ax=ax,
        basemap="offline",
        clusters=describe_clusters(strikes, labels),
        color_by="cluster",
        zones=zones,
        labels=False,
    )
