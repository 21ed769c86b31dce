"""Basemaps of the static map: web tiles (cached, warped) or a local raster.

Tiles come from a named :mod:`xyzservices` provider through contextily, in
Web Mercator, and are warped into the map's CRS. They are cached on disk
(:func:`default_tile_cache_dir`) so that a second map of the same area, or a
map drawn later without a connection, reuses them, and requests carry a
stable User-Agent naming this package (:func:`tile_user_agent`), as tile
servers' usage policies ask. contextily is imported only when tiles or a
raster are drawn.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyproj import CRS, Transformer

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
        "contextily", extra="plot", purpose="basemap tiles", hint=', or pass basemap="offline"'
    )


def tile_user_agent() -> str:
    """Return the User-Agent sent with tile requests.

    Tile servers (OpenStreetMap's among them) ask clients for a stable
    User-Agent that identifies the application; contextily's default is a
    random value per session. The string names this package and its
    ``major.minor`` version, so that a patch release keeps the on-disk cache
    valid (contextily's cache key includes the request headers).

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


def add_tiles(ax: Axes, map_crs: CRS, provider: Any, cache_dir: Path, zoom: int | None) -> None:
    """Draw ``provider``'s tiles, warped to ``map_crs``, caching them in ``cache_dir``."""
    cx = _import_contextily()
    from contextily import tile as cx_tile

    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    if zoom is None:
        zoom = _tile_zoom(ax, map_crs, provider)
    # contextily's tile cache location is process-global: set it for this call only.
    previous = cx_tile.memory.store_backend.location
    cx.set_cache_dir(str(cache_dir))
    try:
        with _quiet_affine():
            cx.add_basemap(
                ax,
                source=provider,
                zoom=zoom,
                crs=map_crs.to_wkt(),
                headers={"user-agent": tile_user_agent()},
                attribution=False,
                timeout=_TILE_TIMEOUT_S,
                zorder=0,
            )
    finally:
        cx.set_cache_dir(previous)
    for image in ax.images:
        image.set_gid(GID + "basemap")


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
