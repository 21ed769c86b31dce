"""The on-disk tile cache of tiled maps: plain images, checked before use, private.

Issue 13: cached tiles used to be pickles (contextily's joblib cache), so a
replaced cache file ran code on the next tiled map, and a damaged one ended
in a traceback that did not name the cache. Every test draws real maps
against the tile server on 127.0.0.1 (tests/tileserver.py); nothing touches
the internet. The tests use the public API only, so that they run unchanged
against an older copy of the package.
"""

import ast
import io
import os
import pickle
import stat
import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import borderstrikes
from borderstrikes.errors import BasemapError, BorderstrikesWarning
from borderstrikes.viz.static import plot_strikes

sys.path.insert(0, str(Path(__file__).parent))
from tileserver import TileServer

SMALL = {"figsize": (3, 3), "dpi": 60}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


class _Touch:
    """Unpickling this creates ``marker``: what a planted cache file could do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


@pytest.fixture(scope="module")
def strikes():
    return borderstrikes.load_strikes()


@pytest.fixture
def tile_server():
    server = TileServer(rgb=(31, 119, 180)).start()
    yield server
    server.stop()


@pytest.fixture
def umask_022():
    """A usual umask, so that the modes checked are the cache's own choice."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def draw(strikes, server, cache):
    _, ax = plt.subplots(**SMALL)
    plot_strikes(strikes, ax=ax, basemap="tiles", tile_provider=server.provider, cache_dir=cache)
    (image,) = [i for i in ax.images if i.get_gid() == "borderstrikes-basemap"]
    array = np.asarray(image.get_array())
    return array[array.shape[0] // 2, array.shape[1] // 2][:3]


def cached_files(cache):
    """Every file the cache holds, except bookkeeping metadata (JSON) of older caches."""
    return sorted(p for p in Path(cache).rglob("*") if p.is_file() and p.suffix != ".json")


def test_a_planted_pickle_in_the_cache_never_runs(tmp_path, tile_server, strikes):
    cache = tmp_path / "tiles"
    draw(strikes, tile_server, cache)
    tiles = len(tile_server.tile_requests)
    files = cached_files(cache)
    assert files
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Touch(marker))
    for path in files:
        path.write_bytes(payload)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            centre = draw(strikes, tile_server, cache)
        except BasemapError:  # what the unpickled object does next does not matter
            centre = None
    assert not marker.exists(), "a pickle planted in the tile cache ran"
    # Each replaced tile is named, fetched again, and drawn from the server's image.
    named = " ".join(str(w.message) for w in caught if w.category is BorderstrikesWarning)
    assert all(str(path) in named for path in files)
    assert len(tile_server.tile_requests) == 2 * tiles
    np.testing.assert_array_equal(centre, tile_server.rgb)
    assert all(path.read_bytes().startswith(PNG_MAGIC) for path in cached_files(cache))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated-png"),
        pytest.param(lambda data: b"<html>502 Bad Gateway</html>", id="not-an-image"),
        pytest.param(lambda data: PNG_MAGIC + b"\0" * 64, id="png-magic-only"),
        pytest.param(lambda data: data + b"\0" * 2**23, id="too-large"),
    ],
)
def test_a_damaged_cache_file_is_named_and_fetched_again(tmp_path, tile_server, strikes, damage):
    cache = tmp_path / "tiles"
    draw(strikes, tile_server, cache)
    tiles = len(tile_server.tile_requests)
    victim = cached_files(cache)[0]
    victim.write_bytes(damage(victim.read_bytes()))

    with pytest.warns(BorderstrikesWarning, match="tile cache file") as caught:
        centre = draw(strikes, tile_server, cache)
    messages = [str(w.message) for w in caught if issubclass(w.category, BorderstrikesWarning)]
    assert len(messages) == 1
    assert str(victim) in messages[0]
    assert "the tile is fetched again" in messages[0]
    assert len(tile_server.tile_requests) == tiles + 1  # only the damaged tile
    np.testing.assert_array_equal(centre, tile_server.rgb)
    assert victim.read_bytes() == tile_server.png  # repaired


def test_the_cache_holds_plain_images_one_file_per_tile(tmp_path, tile_server, strikes):
    cache = tmp_path / "tiles"
    draw(strikes, tile_server, cache)
    files = cached_files(cache)
    paths = {r["path"] for r in tile_server.tile_requests}
    assert len(files) == len(paths)
    for path in files:
        assert path.read_bytes() == tile_server.png
        z, x, y = path.parent.parent.name, path.parent.name, path.stem
        assert f"/{z}/{x}/{y}.png" in paths
        assert path.parent.parent.parent.parent == cache  # <cache>/<provider>/<z>/<x>/<y>.png
        assert path.parent.parent.parent.name.startswith("LocalTestTiles-")


def test_the_cache_is_private(tmp_path, tile_server, strikes, umask_022):
    if sys.platform == "win32":  # pragma: no cover - POSIX modes
        pytest.skip("POSIX file modes")
    cache = tmp_path / "tiles"
    draw(strikes, tile_server, cache)
    found = list(cache.rglob("*"))
    folders = [cache, *(p for p in found if p.is_dir())]
    files = [p for p in found if p.is_file()]
    assert files
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in folders} == {"0o700"}
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {"0o600"}


def test_the_second_map_reads_the_cache_without_a_request(tmp_path, tile_server, strikes):
    cache = tmp_path / "tiles"
    draw(strikes, tile_server, cache)
    tiles = len(tile_server.tile_requests)
    centre = draw(strikes, tile_server, cache)
    assert len(tile_server.tile_requests) == tiles
    np.testing.assert_array_equal(centre, tile_server.rgb)
    # The cache is keyed by the provider's URL too: another server gets its own tiles.
    with TileServer(rgb=(44, 160, 44)) as other:
        assert (draw(strikes, other, cache) == other.rgb).all()
        assert len(other.tile_requests) == tiles


def test_jpeg_tiles_are_kept_as_jpeg(tmp_path, tile_server, strikes):
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), tile_server.rgb).save(buffer, format="JPEG", quality=100)
    tile_server.png = buffer.getvalue()  # the server now sends JPEG
    cache = tmp_path / "tiles"
    draw(strikes, tile_server, cache)
    files = cached_files(cache)
    assert files
    assert all(p.suffix == ".jpg" and p.read_bytes().startswith(JPEG_MAGIC) for p in files)
    tiles = len(tile_server.tile_requests)
    draw(strikes, tile_server, cache)
    assert len(tile_server.tile_requests) == tiles


def test_a_server_that_sends_no_image_fails_and_caches_nothing(tmp_path, tile_server, strikes):
    tile_server.png = b"<html>rate limited</html>"
    cache = tmp_path / "tiles"
    _, ax = plt.subplots(**SMALL)
    with pytest.raises(BasemapError, match="could not fetch map tiles"):
        plot_strikes(
            strikes, ax=ax, basemap="tiles", tile_provider=tile_server.provider, cache_dir=cache
        )
    assert cached_files(cache) == []


def test_a_provider_folder_that_is_a_link_is_not_used(tmp_path, tile_server, strikes):
    if sys.platform == "win32":  # pragma: no cover - symlinks need privileges
        pytest.skip("symlinks")
    cache = tmp_path / "tiles"
    draw(strikes, tile_server, cache)
    (folder,) = [p for p in cache.iterdir() if p.is_dir()]
    elsewhere = tmp_path / "elsewhere"
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere, target_is_directory=True)
    tiles = len(tile_server.tile_requests)
    with pytest.warns(BorderstrikesWarning, match="is not a folder of this user"):
        centre = draw(strikes, tile_server, cache)
    np.testing.assert_array_equal(centre, tile_server.rgb)
    assert len(tile_server.tile_requests) == 2 * tiles  # fetched, not read through the link


def test_the_tile_path_imports_no_pickle():
    source = Path(borderstrikes.__file__).parent / "viz" / "basemap.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    forbidden = {"pickle", "joblib", "dill", "cloudpickle", "shelve", "marshal"}
    assert not {name for name in imported if name.split(".")[0] in forbidden}
    assert not {name for name in imported if name.startswith("contextily.tile")}
    assert "set_cache_dir" not in source.read_text(encoding="utf-8")
