"""Tests of borderstrikes.interactive: the saved page is opened in headless Chromium.

The page is built with ``tiles=None`` and inlined Leaflet, so neither the
page nor the browser needs the network. The browser tests skip when
Chromium is missing, except in CI (``CI`` set), where they fail.
"""

import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image

import borderstrikes
from borderstrikes.viz.interactive import LEAFLET_VERSION, explore_strikes, save_html

sys.path.insert(0, str(Path(__file__).parent))
from browser import run_chromium


@pytest.fixture(scope="module")
def strikes():
    return borderstrikes.load_strikes()


@pytest.fixture(scope="module")
def page(tmp_path_factory, strikes):
    folder = tmp_path_factory.mktemp("page")
    m = explore_strikes(strikes, tiles=None)
    return save_html(m, folder / "strikes.html")


def external_references(text):
    return re.findall(r"""(?:src|href)\s*=\s*["'](https?://[^"']+)""", text)


def test_page_is_self_contained(page, strikes):
    text = page.read_text(encoding="utf-8")
    # Nothing is loaded from outside the page; the only links are Leaflet's own credit
    # and each report's source (a link in its popup, followed only when clicked).
    allowed = {"https://leafletjs.com", *strikes["source_url"].dropna()}
    assert set(external_references(text)) <= allowed
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+stylesheet", text)
    assert f"Leaflet {LEAFLET_VERSION}" in text
    assert "BSD" in text or "(c) 2010-2023 Vladimir Agafonkin" in text


def test_cdn_assets_when_not_inlined(strikes):
    m = explore_strikes(strikes, tiles=None, inline_assets=False)
    html = m.get_root().render()
    assert "leaflet.js" in html
    assert "https://" in html


def test_layers_and_popups(strikes):
    m = explore_strikes(strikes, tiles=None)
    html = m.get_root().render()
    assert html.count('"className": "bs-report') == len(strikes)
    assert "L.control.layers" in html
    for name in ("Admin-1 units", "Armenia–Azerbaijan border", "Reports: Impact reported"):
        assert name in html
    row = strikes.iloc[0]
    assert row["source_url"] in html
    assert "OpenStreetMap contributors" in html  # attribution of the vector data


def test_popup_escapes_html(strikes):
    evil = strikes.iloc[:1].copy()
    evil["place"] = "<script>alert(1)</script>"
    evil["source_url"] = "javascript:alert(1)"
    html = explore_strikes(evil, tiles=None).get_root().render()
    assert "<script>alert(1)</script>" not in html
    assert "javascript:alert(1)" not in html


def test_default_tiles_are_credited(strikes):
    html = explore_strikes(strikes).get_root().render()
    assert "tile.openstreetmap.org" in html
    assert "OpenStreetMap" in html


def test_too_many_points_refused():
    points = gpd.GeoDataFrame(
        {"place": ["x"] * 6},
        geometry=gpd.points_from_xy(np.linspace(45, 46, 6), np.full(6, 40.0)),
        crs="EPSG:4326",
    )
    with pytest.raises(ValueError, match="lonboard"):
        explore_strikes(points, tiles=None, max_points=5)


def test_clusters_and_zones_layers(strikes):
    from borderstrikes.areas import buffer_zone
    from borderstrikes.clustering import cluster_strikes, describe_clusters

    labels = cluster_strikes(strikes, eps_km=15, min_samples=3)
    zones = pd.concat([buffer_zone(depth_km=d) for d in (5, 10)])
    m = explore_strikes(
        strikes, tiles=None, clusters=describe_clusters(strikes, labels), zones=zones
    )
    html = m.get_root().render()
    assert "Cluster footprints" in html
    assert "Distance from the border (geodesic)" in html
    assert "0–5 km from the border" in html


def test_deprecated_inputs_warn_and_draw_the_same(strikes):
    from borderstrikes.clustering import cluster_strikes, describe_clusters
    from borderstrikes.viz.layers import zones_at

    labels = cluster_strikes(strikes, eps_km=15, min_samples=3)
    with pytest.warns(FutureWarning) as caught:
        old = explore_strikes(strikes, tiles=None, clusters=labels, distance_bands_km=[5, 10])
    messages = " ".join(str(w.message) for w in caught)
    assert "describe_clusters(strikes, labels)" in messages
    assert "zones=" in messages
    new = explore_strikes(
        strikes, tiles=None, clusters=describe_clusters(strikes, labels), zones=zones_at([5, 10])
    )

    def features(m):
        # Element ids are random per map: compare the layers' data instead.
        return re.sub(r"_[0-9a-f]{32}", "_ID", m.get_root().render())

    assert features(old) == features(new)


def test_chromium_renders_every_report_and_the_layer_control(page, tmp_path, strikes):
    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri())
    markers = re.findall(r'<path class="bs-report[^"]*"', dom)
    assert len(markers) == strikes.geometry.notna().sum()
    assert "leaflet-control-layers" in dom
    # Vector context layers rendered too (countries, admin-1, border).
    assert len(re.findall(r"<path ", dom)) > len(markers) + 10


def test_chromium_screenshot_is_not_blank(page, tmp_path):
    shot = tmp_path / "shot.png"
    run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=800,600", page.as_uri())
    image = np.asarray(Image.open(shot).convert("RGB"))
    assert image.shape[:2] == (600, 800)
    colours = np.unique(image.reshape(-1, 3), axis=0)
    assert len(colours) > 20
    # The report colour (impact, #D55E00) is visible somewhere.
    assert (np.abs(image.astype(int) - [0xD5, 0x5E, 0x00]).sum(axis=2) < 30).any()
