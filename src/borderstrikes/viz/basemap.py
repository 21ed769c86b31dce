"""Basemaps of the static map: web tiles (cached, warped) or a local raster.

Tiles come from a named :mod:`xyzservices` provider, in Web Mercator, and are
warped into the map's CRS (with contextily's :func:`contextily.warp_tiles`).
They are cached on disk (:func:`default_tile_cache_dir`) so that a second map
of the same area, or a map drawn later without a connection, reuses them, and
requests carry a stable User-Agent naming this package (:func:`tile_user_agent`),
as tile servers' usage policies ask. contextily is imported only when tiles or
a raster are drawn.

The cache holds plain image files, ``<cache_dir>/<provider>-<hash>/<z>/<x>/<y>.png``
(or ``.jpg``): the bytes the server sent, nothing else. A file is used only
if it is a PNG or JPEG that PIL decodes; one that is not is fetched again and
replaced, with a :class:`~borderstrikes.errors.BorderstrikesWarning` naming it.
Nothing read from the cache is unpickled or executed, so a cache folder that
someone else could write can at worst change the picture, never run code.
Folders are created with mode 0o700 and files with 0o600.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import re
import stat
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pyproj import CRS, Transformer

from borderstrikes._core.constants import A_M
from borderstrikes._core.optional import import_optional
from borderstrikes.errors import BasemapError, BorderstrikesWarning
from borderstrikes.viz.style import GID

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "BASEMAP_KINDS",
    "add_raster",
    "add_tiles",
    "check_basemap",
    "default_tile_cache_dir",
    "draw_basemap",
    "resolve_provider",
    "tile_user_agent",
]

#: What ``basemap=`` may name besides the path of a raster file.
BASEMAP_KINDS = ("auto", "tiles", "offline")

_CACHE_ENV = "BORDERSTRIKES_CACHE_DIR"
_PROJECT_URL = "https://github.com/borderstrikes/borderstrikes"
_TILE_TIMEOUT_S = (3.05, 20.0)


def _import_contextily() -> Any:
    return import_optional(
        "contextily", purpose="basemap tiles", hint=', or pass basemap="offline"'
    )


def tile_user_agent() -> str:
    """Return the User-Agent sent with tile requests.

    Tile servers (OpenStreetMap's among them) ask clients for a stable
    User-Agent that identifies the application; contextily's default is a
    random value per session. The string names this package and its
    ``major.minor`` version.

    Returns
    -------
    str

    Examples
    --------
    >>> tile_user_agent().startswith("borderstrikes/")
    True
    """
    from borderstrikes._core.versions import __version__

    major_minor = ".".join(__version__.split(".")[:2])
    return f"borderstrikes/{major_minor} (+{_PROJECT_URL})"


def default_tile_cache_dir() -> Path:
    """Return the folder where downloaded map tiles are kept between sessions.

    ``$BORDERSTRIKES_CACHE_DIR/tiles`` if that variable is set, else the
    platform's user cache folder: ``$XDG_CACHE_HOME`` or ``~/.cache`` on
    Linux, ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows,
    followed by ``borderstrikes/tiles``.

    Returns
    -------
    pathlib.Path
        The folder; it is created only when tiles are first saved.

    Examples
    --------
    >>> default_tile_cache_dir().parts[-2:]
    ('borderstrikes', 'tiles')
    """
    if os.environ.get(_CACHE_ENV):
        return Path(os.environ[_CACHE_ENV]) / "tiles"
    if sys.platform == "win32":  # pragma: no cover - platform specific
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":  # pragma: no cover - platform specific
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "borderstrikes" / "tiles"


def check_basemap(basemap: Any) -> tuple[str, Path | None]:
    """Return ``(kind, None)`` for a named basemap or ``('file', path)``; raise if neither."""
    if isinstance(basemap, str) and basemap in BASEMAP_KINDS:
        return basemap, None
    if isinstance(basemap, (str, os.PathLike)):
        path = Path(basemap)
        if path.is_file():
            return "file", path
        msg = (
            "basemap must be 'auto', 'tiles', 'offline' or the path of a raster file such as "
            f"a GeoTIFF (got {str(basemap)!r}, which is not an existing file)."
        )
        raise ValueError(msg)
    msg = f"basemap must be 'auto', 'tiles', 'offline' or a path (got {type(basemap).__name__})."
    raise TypeError(msg)


def resolve_provider(tile_provider: Any) -> Any:
    """Return the :class:`xyzservices.TileProvider` named or given; raise if unusable."""
    import xyzservices

    if isinstance(tile_provider, str):
        try:
            provider = xyzservices.providers.query_name(tile_provider)
        except ValueError as exc:
            msg = (
                f"tile_provider must name an xyzservices provider such as "
                f"'OpenStreetMap.Mapnik', 'OpenTopoMap' or 'Esri.WorldImagery' "
                f"(got {tile_provider!r}). List them with xyzservices.providers.flatten()."
            )
            raise ValueError(msg) from exc
    elif isinstance(tile_provider, xyzservices.TileProvider):
        provider = tile_provider
    else:
        msg = (
            "tile_provider must be a provider name or an xyzservices.TileProvider "
            f"(got {type(tile_provider).__name__})."
        )
        raise TypeError(msg)
    if provider.requires_token():
        msg = (
            f"tile provider {provider.name!r} needs an API key; build it with "
            f"xyzservices.providers.query_name({provider.name!r})(apikey='...') and pass "
            "that as tile_provider."
        )
        raise ValueError(msg)
    return provider


def _tile_zoom(ax: Axes, map_crs: CRS, provider: Any) -> int:
    """Zoom whose tile pixels roughly match the axes' pixels (no oversampling)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    to_wm = Transformer.from_crs(map_crs, "EPSG:3857", always_xy=True)
    left, _, right, _ = to_wm.transform_bounds(x0, y0, x1, y1)
    width_px = max(ax.get_window_extent().width, 64.0)
    metres_per_px = (right - left) / width_px
    world = 2 * math.pi * 6378137.0
    zoom = round(math.log2(world / (256 * metres_per_px)))
    lo = int(provider.get("min_zoom", 0))
    hi = int(provider.get("max_zoom", 18))
    return int(min(max(zoom, lo), hi))


@contextlib.contextmanager
def _quiet_affine() -> Iterator[None]:
    # contextily's warping multiplies affine transforms with ``*``, which
    # affine >= 2.4 flags with a PendingDeprecationWarning; not ours to fix.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Use `@` matmul", category=PendingDeprecationWarning
        )
        yield


# -------------------------------------------------------------------------- the tile cache

#: Magic bytes of the tile formats kept in the cache, with the file suffix of each.
_TILE_FORMATS = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}
_TILE_SIZE = 256
_MAX_TILE_PX = 1024  # "retina" tiles are 512 pixels; anything larger is not a tile
_MAX_TILE_BYTES = 4 * 2**20  # a 1024 x 1024 RGBA PNG without compression is 4 MiB
_WORLD_M = 2 * math.pi * A_M  # width of the Web Mercator plane (EPSG:3857), metres


def _tile_format(data: bytes) -> str | None:
    """Return the suffix of the image format of ``data`` (``".png"``, ``".jpg"``) or None."""
    for magic, suffix in _TILE_FORMATS.items():
        if data.startswith(magic):
            return suffix
    return None


def _decode_tile(data: bytes) -> np.ndarray:
    """RGBA pixels of a PNG or JPEG tile; raise ValueError for anything else."""
    from PIL import Image

    if _tile_format(data) is None:
        msg = f"not a PNG or JPEG image (starts with {data[:8]!r})"
        raise ValueError(msg)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in {"PNG", "JPEG"}:
                msg = f"decodes as {image.format}, not PNG or JPEG"
                raise ValueError(msg)
            if max(image.size) > _MAX_TILE_PX:
                msg = f"is {image.size[0]} x {image.size[1]} pixels, too large for a map tile"
                raise ValueError(msg)
            pixels = np.asarray(image.convert("RGBA"))
    except ValueError:
        raise
    except Exception as exc:  # PIL raises OSError, SyntaxError, struct.error ... on bad data
        msg = f"cannot be decoded ({type(exc).__name__}: {exc})"
        raise ValueError(msg) from exc
    return pixels


def _provider_key(provider: Any) -> str:
    """Folder name of a provider in the cache: its name and a hash of its URL template.

    The hash keeps two providers of the same name apart (e.g. another server
    or API key) without writing the URL, which may hold a key, to disk.
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(provider.get("name", "tiles"))).strip("._")
    digest = hashlib.sha256(provider.build_url().encode()).hexdigest()[:16]
    return f"{name[:64] or 'tiles'}-{digest}"


def _private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by the owner only (0o700)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in missing:  # mkdir's mode is cut by the umask; set it exactly
        with contextlib.suppress(OSError):
            folder.chmod(0o700)


def _is_own_folder(path: Path) -> bool:
    """Return whether ``path`` is a folder (not a link to one) of this user."""
    if sys.platform == "win32":  # pragma: no cover - platform specific
        return path.is_dir()
    info = path.lstat()
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()


class _TileCache:
    """Tiles of one provider as plain image files: ``<root>/<provider key>/<z>/<x>/<y>.png``.

    Files hold the bytes the server sent (PNG or JPEG), nothing else; each is
    checked (magic bytes, then decoded by PIL) before use. Folders are
    created 0o700 and files 0o600. A file that fails the check is fetched
    again and replaced, with a :class:`~borderstrikes.errors.BorderstrikesWarning`
    naming it. A provider folder that belongs to another user is not used at
    all (tiles are then fetched without caching, with a warning).
    """

    def __init__(self, root: Path, provider: Any) -> None:
        self.folder = Path(root) / _provider_key(provider)
        self.enabled = True
        if self.folder.exists() or self.folder.is_symlink():
            if not _is_own_folder(self.folder):
                warnings.warn(
                    f"the tile cache folder {self.folder} is not a folder of this user; "
                    "fetched the tiles without reading or writing it. Pass another "
                    "cache_dir (one that only you can write).",
                    BorderstrikesWarning,
                    stacklevel=5,  # _TileCache, add_tiles, draw_basemap, plot_strikes
                )
                self.enabled = False
            else:
                with contextlib.suppress(OSError):
                    self.folder.chmod(0o700)

    def _stem(self, z: int, x: int, y: int) -> Path:
        return self.folder / str(z) / str(x) / str(y)

    def read(self, z: int, x: int, y: int) -> np.ndarray | None:
        """Pixels of the cached tile, or None if it is missing or fails the check (warns)."""
        if not self.enabled:
            return None
        stem = self._stem(z, x, y)
        for suffix in _TILE_FORMATS.values():
            path = stem.with_suffix(suffix)
            if not path.is_file():
                continue
            try:
                size = path.stat().st_size
                if size > _MAX_TILE_BYTES:
                    msg = f"{size} bytes, too large for a map tile"
                    raise ValueError(msg)
                data = path.read_bytes()
                if _tile_format(data) != suffix:
                    msg = f"not a {suffix[1:].upper()} image (starts with {data[:8]!r})"
                    raise ValueError(msg)
                return _decode_tile(data)
            except (OSError, ValueError) as exc:
                warnings.warn(
                    f"the tile cache file {path} is damaged or was replaced ({exc}); "
                    "deleted it, and the tile is fetched again.",
                    BorderstrikesWarning,
                    stacklevel=6,  # read, _tile_mosaic, add_tiles, draw_basemap, plot_strikes
                )
                with contextlib.suppress(OSError):
                    path.unlink()
        return None

    def write(self, z: int, x: int, y: int, data: bytes) -> None:
        """Keep ``data`` (already checked) as the tile's file, atomically, mode 0o600."""
        if not self.enabled:
            return
        stem = self._stem(z, x, y)
        _private_dir(stem.parent)
        path = stem.with_suffix(_tile_format(data) or ".png")
        fd, tmp = tempfile.mkstemp(dir=stem.parent, prefix=f".{y}-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:  # mkstemp creates the file 0o600
                file.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        for other in _TILE_FORMATS.values():  # a tile that changed format
            if other != path.suffix:
                with contextlib.suppress(OSError):
                    stem.with_suffix(other).unlink()


def _fetch_tile(url: str) -> tuple[bytes, np.ndarray]:
    """Download one tile; return its bytes and pixels, or raise if it is not an image."""
    import requests

    response = requests.get(url, headers={"user-agent": tile_user_agent()}, timeout=_TILE_TIMEOUT_S)
    response.raise_for_status()
    data = response.content
    try:
        pixels = _decode_tile(data)
    except ValueError as exc:
        msg = f"the tile server sent something that is not a tile for {url}: {exc}"
        raise ValueError(msg) from exc
    return data, pixels


def _tile_range(bounds: tuple[float, float, float, float], zoom: int) -> tuple[range, range]:
    """Columns and rows of the tiles covering lon/lat ``bounds`` at ``zoom``."""
    west, south, east, north = bounds
    count = 2**zoom
    limit = 85.0511287798066  # the latitude where Web Mercator ends

    def column(lon: float) -> int:
        return min(max(int((lon + 180.0) / 360.0 * count), 0), count - 1)

    def row(lat: float) -> int:
        lat = math.radians(min(max(lat, -limit), limit))
        y = (1.0 - math.log(math.tan(lat) + 1.0 / math.cos(lat)) / math.pi) / 2.0
        return min(max(int(y * count), 0), count - 1)

    return range(column(west), column(east) + 1), range(row(north), row(south) + 1)


def _tile_mosaic(
    provider: Any, bounds: tuple[float, float, float, float], zoom: int, cache: _TileCache
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """RGBA mosaic of the tiles covering ``bounds`` and its extent in EPSG:3857."""
    columns, rows = _tile_range(bounds, zoom)
    mosaic = np.zeros((len(rows) * _TILE_SIZE, len(columns) * _TILE_SIZE, 4), dtype=np.uint8)
    for j, y in enumerate(rows):
        for i, x in enumerate(columns):
            pixels = cache.read(zoom, x, y)
            if pixels is None:
                data, pixels = _fetch_tile(provider.build_url(x=x, y=y, z=zoom))
                cache.write(zoom, x, y, data)
            if pixels.shape != (_TILE_SIZE, _TILE_SIZE, 4):
                from PIL import Image

                pixels = np.asarray(
                    Image.fromarray(pixels).resize((_TILE_SIZE, _TILE_SIZE), Image.BILINEAR)
                )
            mosaic[j * _TILE_SIZE : (j + 1) * _TILE_SIZE, i * _TILE_SIZE : (i + 1) * _TILE_SIZE] = (
                pixels
            )
    step = _WORLD_M / 2**zoom
    left = -_WORLD_M / 2 + columns.start * step
    top = _WORLD_M / 2 - rows.start * step
    return mosaic, (left, left + len(columns) * step, top - len(rows) * step, top)


def add_tiles(ax: Axes, map_crs: CRS, provider: Any, cache_dir: Path, zoom: int | None) -> None:
    """Draw ``provider``'s tiles, warped to ``map_crs``, caching them in ``cache_dir``.

    Tiles are kept as the PNG or JPEG files the server sent (see
    :class:`_TileCache`); nothing in this path unpickles or executes cached data.
    """
    cx = _import_contextily()
    from rasterio.enums import Resampling

    cache = _TileCache(Path(cache_dir), provider)
    if zoom is None:
        zoom = _tile_zoom(ax, map_crs, provider)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    to_lonlat = Transformer.from_crs(map_crs, "EPSG:4326", always_xy=True)
    bounds = to_lonlat.transform_bounds(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    mosaic, extent = _tile_mosaic(provider, bounds, zoom, cache)
    with _quiet_affine():
        image, extent = cx.warp_tiles(
            mosaic, extent, t_crs=map_crs.to_wkt(), resampling=Resampling.bilinear
        )
    ax.imshow(
        image,
        extent=extent,
        interpolation="bilinear",
        aspect=ax.get_aspect(),
        zorder=0,
        gid=GID + "basemap",
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def add_raster(ax: Axes, map_crs: CRS, path: Path) -> None:
    """Draw a local raster (e.g. a GeoTIFF), warped to ``map_crs``."""
    cx = _import_contextily()
    with _quiet_affine():
        cx.add_basemap(ax, source=str(path), crs=map_crs.to_wkt(), attribution=False, zorder=0)
    for image in ax.images:
        image.set_gid(GID + "basemap")


def draw_basemap(
    ax: Axes,
    kind: str,
    *,
    map_crs: CRS,
    provider: Any = None,
    path: Path | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    zoom: int | None = None,
) -> list[str]:
    """Draw the tiles or raster of ``kind`` (from :func:`check_basemap`).

    Returns the credit lines of what was drawn: empty when nothing was (the
    caller then draws the offline basemap). ``'auto'`` warns instead of
    failing when the tiles cannot be fetched; ``'tiles'`` raises
    :class:`~borderstrikes.errors.BasemapError`.
    """
    if kind == "file":
        add_raster(ax, map_crs, path)
        return [f"Basemap: {path.name}"]
    if kind not in {"tiles", "auto"}:
        return []
    cache = Path(cache_dir) if cache_dir is not None else default_tile_cache_dir()
    try:
        add_tiles(ax, map_crs, provider, cache, zoom)
    except Exception as exc:
        # requests, PIL and rasterio raise several unrelated types for a
        # failed download; "auto" must never fail for want of tiles.
        if kind == "tiles":
            msg = (
                f"could not fetch map tiles from {provider.name!r}: {exc}. "
                "Check the connection, pick another tile_provider, or pass "
                "basemap='offline'."
            )
            raise BasemapError(msg) from exc
        for image in list(ax.images):
            image.remove()
        warnings.warn(
            f"could not fetch map tiles from {provider.name!r} ({type(exc).__name__}: "
            f"{exc}); drew the offline basemap instead. Pass basemap='offline' to skip "
            "the download, or draw once with a connection so that the tiles are cached "
            f"in {cache}.",
            BorderstrikesWarning,
            stacklevel=3,
        )
        return []
    return [f"Basemap: {provider.get('attribution', provider.name)}"]
