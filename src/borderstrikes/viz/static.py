"""Static maps of strike reports (matplotlib, optional contextily basemap).

The map is drawn in a projection suited to Armenia (UTM zone 38N,
EPSG:32638, by default), never in Web Mercator: web tiles are fetched in Web
Mercator and warped into the map's CRS. Every length shown on the map (scale
bar, distance bands) is computed on the WGS84 ellipsoid with
:class:`pyproj.Geod`, so it is right whatever CRS the map is drawn in.

matplotlib and contextily are imported inside the functions, so
``import borderstrikes`` stays free of them; install them with
``pip install "borderstrikes[plot]"``.

Basemaps
--------
``basemap="offline"``
    Vector layers shipped with the package only (country and admin-1
    polygons, lakes). Needs no network.
``basemap="tiles"``
    Web tiles from a named :mod:`xyzservices` provider through contextily,
    cached on disk (``cache_dir``) so a second map of the same area, or a map
    drawn later without a connection, reuses them. Requests carry a stable
    User-Agent that names this package, as tile servers' usage policies ask.
``basemap="auto"``
    Tiles if they can be fetched, else the offline basemap and a
    :class:`~borderstrikes.errors.BorderstrikesWarning` saying why.
``basemap=<path>``
    A local raster (e.g. a GeoTIFF saved earlier with
    ``contextily.bounds2raster``), warped to the map's CRS.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from borderstrikes import datasets
from borderstrikes._core.constants import GEOD as _GEOD
from borderstrikes._core.optional import import_optional
from borderstrikes._core.validate import require_crs, to_wgs84
from borderstrikes.errors import BasemapError, BorderstrikesWarning

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

__all__ = [
    "DEFAULT_CRS",
    "EVIDENCE_STYLES",
    "add_north_arrow",
    "add_scale_bar",
    "default_tile_cache_dir",
    "plot_strikes",
    "tile_user_agent",
]

#: Map CRS used when ``crs=None``: UTM zone 38N (42°E–48°E) covers all of
#: Armenia, so the map is conformal with a scale error below 0.1 %.
DEFAULT_CRS = "EPSG:32638"

#: Marker, legend label and colour of each ``evidence`` kind of the strikes schema.
#: Colours are from the Okabe–Ito palette, distinguishable with colour-vision deficiency.
EVIDENCE_STYLES: dict[str, dict[str, str]] = {
    "impact": {"marker": "o", "label": "Impact reported", "color": "#D55E00"},
    "direction": {"marker": "^", "label": "Direction named", "color": "#E69F00"},
    "ground_fighting": {"marker": "X", "label": "Ground fighting", "color": "#CC79A7"},
    "displacement_only": {"marker": "s", "label": "Displacement only", "color": "#0072B2"},
    "claimed_firing_point": {
        "marker": "P",
        "label": "Claimed firing point",
        "color": "#009E73",
    },
    "denial": {"marker": "D", "label": "Denied", "color": "#6E6E6E"},
}
_OTHER_EVIDENCE = {"marker": "o", "label": "Report", "color": "#444444"}

_PALETTE = ["#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#8C564B", "#000000"]
_MISSING_COLOR = "#9E9E9E"

# Weapon vocabulary of the reports is free text; these keywords map it to classes.
_WEAPON_CLASSES: list[tuple[str, tuple[str, ...]]] = [
    ("Drone (UAV)", ("uav", "drone")),
    ("Rocket / missile", ("rocket", "missile")),
    ("Mortar", ("mortar",)),
    ("Artillery / shelling", ("artiller", "shell", "calibre", "caliber", "bombard", "heavy")),
    ("Ground assault / small arms", ("ground", "gunfire", "firearm", "shot", "assault")),
]

_BORDER_STYLES = {
    "main": {"linestyle": "-", "linewidth": 1.6, "label": "Armenia–Azerbaijan border"},
    "nakhchivan": {
        "linestyle": (0, (4, 1.5)),
        "linewidth": 1.4,
        "label": "Armenia–Nakhchivan (AZ) border",
    },
    "exclave": {"linestyle": (0, (1, 1)), "linewidth": 1.2, "label": "Exclave boundary"},
}
_BORDER_COLOR = "#7A0019"

_LAND_ARM = "#F8F6F0"
_LAND_OTHER = "#E4E4E1"
_WATER = "#BFD9EA"
_ADMIN1_LINE = "#A7A7A7"
_COUNTRY_LINE = "#6B6B6B"

_TEXT_HALO = 2.2
_BAND_ALPHA = 0.45
_GID = "borderstrikes-"

#: Default on-disk tile cache, see :func:`default_tile_cache_dir`.
_CACHE_ENV = "BORDERSTRIKES_CACHE_DIR"
_PROJECT_URL = "https://github.com/borderstrikes/borderstrikes"
_TILE_TIMEOUT_S = (3.05, 20.0)


# --------------------------------------------------------------------------- imports


def _import_matplotlib() -> Any:
    return import_optional("matplotlib.pyplot", extra="plot", purpose="plots")


def _import_contextily() -> Any:
    return import_optional(
        "contextily", extra="plot", purpose="basemap tiles", hint=', or pass basemap="offline"'
    )


# --------------------------------------------------------------------------- tiles helpers


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


def _resolve_provider(tile_provider: Any) -> Any:
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


def _add_tiles(ax: Axes, map_crs: CRS, provider: Any, cache_dir: Path, zoom: int | None) -> None:
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
        image.set_gid(_GID + "basemap")


def _add_raster(ax: Axes, map_crs: CRS, path: Path) -> None:
    cx = _import_contextily()
    with _quiet_affine():
        cx.add_basemap(ax, source=str(path), crs=map_crs.to_wkt(), attribution=False, zorder=0)
    for image in ax.images:
        image.set_gid(_GID + "basemap")


# --------------------------------------------------------------------------- geometry helpers


def _map_crs(crs: Any) -> CRS:
    if crs is None:
        return CRS.from_user_input(DEFAULT_CRS)
    try:
        return CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises CRSError, a RuntimeError subclass
        msg = f"crs must be anything pyproj.CRS accepts, e.g. 'EPSG:32638' (got {crs!r})."
        raise ValueError(msg) from exc


def _data_aspect(map_crs: CRS, centre_lat: float) -> float:
    if map_crs.is_geographic:
        return 1.0 / math.cos(math.radians(centre_lat))
    return 1.0


def _set_map_aspect(ax: Axes, map_crs: CRS, centre_lat: float) -> None:
    ax.set_aspect(_data_aspect(map_crs, centre_lat), adjustable="box")


def _fill_box(
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


# --------------------------------------------------------------------------- public map furniture


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
    import matplotlib.patheffects as pe

    map_crs = _map_crs(crs)
    to_ll = Transformer.from_crs(map_crs, "EPSG:4326", always_xy=True)
    from_ll = Transformer.from_crs("EPSG:4326", map_crs, always_xy=True)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()

    if length_km is None:
        yc = 0.5 * (ylim[0] + ylim[1])
        (lon_a, lon_b), (lat_a, lat_b) = to_ll.transform([xlim[0], xlim[1]], [yc, yc])
        width_km = _GEOD.inv(lon_a, lat_a, lon_b, lat_b)[2] / 1000.0
        length_km = _nice_length_km(width_km / 4.0)
    if not length_km > 0:
        msg = f"length_km must be a positive number of kilometres (got {length_km!r})."
        raise ValueError(msg)

    def ends(xa: float) -> tuple[np.ndarray, np.ndarray]:
        x0, y0 = _axes_to_data(ax, xa, loc[1])
        lon0, lat0 = to_ll.transform(x0, y0)
        # Azimuth of the map's +x direction at the start point.
        step = (xlim[1] - xlim[0]) * 1e-3
        lon_e, lat_e = to_ll.transform(x0 + step, y0)
        azimuth = _GEOD.inv(lon0, lat0, lon_e, lat_e)[0]
        fractions = np.linspace(0.0, 1.0, segments + 1)
        lons, lats, _ = _GEOD.fwd(
            np.full(fractions.size, lon0),
            np.full(fractions.size, lat0),
            np.full(fractions.size, azimuth),
            fractions * length_km * 1000.0,
        )
        xs, ys = from_ll.transform(lons, lats)
        return np.asarray(xs), np.asarray(ys)

    xs, ys = ends(loc[0])
    right_edge = xlim[0] + 0.97 * (xlim[1] - xlim[0])
    if xs[-1] > right_edge:
        shift = (xs[-1] - right_edge) / (xlim[1] - xlim[0])
        xs, ys = ends(max(loc[0] - shift, 0.02))

    (bar,) = ax.plot(
        [xs[0], xs[-1]],
        [ys[0], ys[-1]],
        color="black",
        linewidth=4.0,
        solid_capstyle="butt",
        zorder=30,
        gid=_GID + "scale-bar",
        label="_scale_bar",
    )
    for i in range(1, segments, 2):
        ax.plot(
            xs[i : i + 2],
            ys[i : i + 2],
            color="white",
            linewidth=2.2,
            solid_capstyle="butt",
            zorder=31,
            label="_scale_bar_segment",
        )
    halo = [pe.withStroke(linewidth=_TEXT_HALO, foreground="white")]
    ax.text(
        xs[0],
        ys[0] + 0.012 * (ylim[1] - ylim[0]),
        "0",
        fontsize=fontsize,
        ha="center",
        va="bottom",
        zorder=31,
        path_effects=halo,
    )
    ax.text(
        xs[-1],
        ys[-1] + 0.012 * (ylim[1] - ylim[0]),
        _format_km(length_km),
        fontsize=fontsize,
        ha="center",
        va="bottom",
        zorder=31,
        path_effects=halo,
        gid=_GID + "scale-bar-label",
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
    import matplotlib.patheffects as pe

    map_crs = _map_crs(crs)
    to_ll = Transformer.from_crs(map_crs, "EPSG:4326", always_xy=True)
    from_ll = Transformer.from_crs("EPSG:4326", map_crs, always_xy=True)
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
        gid=_GID + "north-arrow",
        path_effects=[pe.withStroke(linewidth=_TEXT_HALO, foreground="white")],
    )


# --------------------------------------------------------------------------- colour schemes


def _weapon_class(weapons: Any) -> str:
    if weapons is None or (isinstance(weapons, float) and math.isnan(weapons)):
        return "Unknown"
    items = [weapons] if isinstance(weapons, str) else list(weapons)
    classes = []
    for item in items:
        text = str(item).lower()
        for name, keys in _WEAPON_CLASSES:
            if any(key in text for key in keys):
                if name not in classes:
                    classes.append(name)
                break
    if not classes:
        return "Unknown"
    if len(classes) > 1:
        return "Several weapon types"
    return classes[0]


def _colour_values(
    strikes: pd.DataFrame,
    color_by: str,
    cluster_labels: pd.Series | None,
    cluster_names: dict[int, str] | None = None,
) -> tuple[pd.Series, dict[str, str], str]:
    """Category of each report, colour of each category (legend order) and a title."""
    import matplotlib as mpl

    if color_by == "evidence":
        values = strikes["evidence"].astype(object).where(strikes["evidence"].notna(), "unknown")
        order = [k for k in EVIDENCE_STYLES if (values == k).any()]
        order += sorted(set(values) - set(order))
        colours = {
            k: EVIDENCE_STYLES.get(k, _OTHER_EVIDENCE)["color"]
            if k in EVIDENCE_STYLES
            else _MISSING_COLOR
            for k in order
        }
        labels = {k: EVIDENCE_STYLES[k]["label"] if k in EVIDENCE_STYLES else str(k) for k in order}
        return values.map(labels), {labels[k]: colours[k] for k in order}, "Evidence"
    if color_by == "date":
        dates = pd.to_datetime(strikes["date"], errors="coerce")
        keys = sorted(dates.dropna().unique())
        cmap = mpl.colormaps["plasma"]
        shades = cmap(np.linspace(0.05, 0.8, max(len(keys), 1)))
        names = {pd.Timestamp(k): pd.Timestamp(k).strftime("%-d %b %Y") for k in keys}
        values = dates.map(lambda d: names.get(pd.Timestamp(d)) if pd.notna(d) else "Date unknown")
        colours = {
            names[pd.Timestamp(k)]: mpl.colors.to_hex(c)
            for k, c in zip(keys, shades[: len(keys)], strict=True)
        }
        if (values == "Date unknown").any():
            colours["Date unknown"] = _MISSING_COLOR
        return values, colours, "Reported date"
    if color_by == "weapon":
        values = strikes["weapons"].map(_weapon_class)
        order = [name for name, _ in _WEAPON_CLASSES] + ["Several weapon types", "Unknown"]
        present = [k for k in order if (values == k).any()]
        colours = {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(present)}
        if "Unknown" in colours:
            colours["Unknown"] = _MISSING_COLOR
        return values, colours, "Weapon (as reported)"
    if color_by == "cluster":
        if cluster_labels is None:
            msg = (
                "color_by='cluster' needs per-report cluster labels: pass "
                "clusters=cluster_strikes(strikes, eps_km=..., min_samples=...)."
            )
            raise ValueError(msg)
        labels = cluster_labels.reindex(strikes.index)
        keys = sorted(int(k) for k in labels.dropna().unique() if int(k) >= 0)
        given = cluster_names or {}
        names = {k: f"Cluster {k}" + (f": {given[k]}" if given.get(k) else "") for k in keys}
        values = labels.map(
            lambda v: names.get(int(v), "Not clustered") if pd.notna(v) else "Not clustered"
        )
        colours = {names[k]: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(keys)}
        if (values == "Not clustered").any():
            colours["Not clustered"] = _MISSING_COLOR
        return values, colours, "Cluster"
    if color_by in strikes.columns:
        raw = strikes[color_by].astype(object)
        values = raw.where(raw.notna(), "unknown").astype(str)
        present = sorted(set(values) - {"unknown"})
        colours = {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(present)}
        if (values == "unknown").any():
            colours["unknown"] = _MISSING_COLOR
        return values, colours, color_by
    msg = (
        "color_by must be 'evidence', 'date', 'weapon', 'cluster' or a column of strikes "
        f"(got {color_by!r})."
    )
    raise ValueError(msg)


# --------------------------------------------------------------------------- layers


def _provenance(frame: Any) -> list[dict[str, Any]]:
    return list(getattr(frame, "attrs", {}).get("provenance", []) or [])


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _attribution_text(sources: list[dict[str, Any]], extra: list[str]) -> str:
    parts: list[str] = []
    for source in sources:
        text = str(source.get("attribution", "")).strip().rstrip(".")
        licence = str(source.get("license", "")).strip()
        if not text:
            continue
        # Name the licence unless the attribution already carries one in brackets.
        if licence and "(" not in text and _squash(licence) not in _squash(text):
            text = f"{text} ({licence})"
        if text not in parts:
            parts.append(text)
    for text in extra:
        text = text.strip().rstrip(".")
        if text and text not in parts:
            parts.append(text)
    return "; ".join(parts) + ("." if parts else "")


def _draw_attribution(ax: Axes, text: str, fontsize: float = 5.0) -> Any:
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    width_px = ax.get_window_extent(renderer).width * 0.985
    char_px = fontsize * 0.5 * fig.dpi / 72.0
    chars = max(int(width_px / char_px), 20)
    artist = ax.text(
        0.006,
        0.006,
        "",
        transform=ax.transAxes,
        fontsize=fontsize,
        color="#333333",
        ha="left",
        va="bottom",
        zorder=40,
        gid=_GID + "attribution",
        bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.2},
        clip_on=False,
    )
    # Wrap by measuring the rendered text, so the line breaks stay inside the
    # axes at any dpi (matplotlib's wrap=True re-wraps against the figure on savefig).
    while True:
        artist.set_text("\n".join(textwrap.wrap(text, chars)))
        if artist.get_window_extent(renderer).width <= width_px or chars <= 20:
            break
        chars = int(chars * 0.92)
    return artist


def _border_kind(section: str) -> str:
    if section == "main":
        return "main"
    if section == "nakhchivan":
        return "nakhchivan"
    return "exclave"


def _distance_bands(bands_km: Sequence[float], map_crs: CRS) -> list[tuple[str, Any]]:
    from borderstrikes.areas import buffer_zone

    depths = sorted(float(d) for d in bands_km)
    if not depths or depths[0] <= 0:
        msg = f"distance_bands_km must be positive distances in km (got {list(bands_km)!r})."
        raise ValueError(msg)
    rings: list[tuple[str, Any]] = []
    inner = None
    previous = 0.0
    for depth in depths:
        zone = buffer_zone("ARM", "AZE", depth_km=depth)
        geom = shapely.union_all(np.asarray(zone.to_crs(map_crs).geometry.values))
        ring = geom if inner is None else shapely.difference(geom, inner)
        rings.append((f"{previous:g}–{depth:g} km from the border", ring))
        inner, previous = geom, depth
    return rings


def _footprints(clusters: Any, strikes: gpd.GeoDataFrame | None) -> tuple[Any, pd.Series | None]:
    """Cluster footprints (GeoDataFrame) and per-report labels (or None)."""
    if clusters is None:
        return None, None
    if isinstance(clusters, gpd.GeoDataFrame):
        require_crs(clusters, "clusters")
        return clusters, None
    if isinstance(clusters, pd.Series):
        if strikes is None:  # pragma: no cover - strikes is always set by the caller
            msg = "clusters given as labels need the strikes they label."
            raise ValueError(msg)
        from borderstrikes.clustering import describe_clusters

        return describe_clusters(strikes, clusters), clusters
    msg = (
        "clusters must be a GeoDataFrame from describe_clusters() or a Series of labels "
        f"from cluster_strikes() (got {type(clusters).__name__})."
    )
    raise TypeError(msg)


def _located(geoms: np.ndarray) -> np.ndarray:
    """Flag point geometries that are present, non-empty and have finite coordinates."""
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    with np.errstate(invalid="ignore"):
        located &= np.isfinite(shapely.get_x(geoms)) & np.isfinite(shapely.get_y(geoms))
    return located


def _polygonal(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows with an area (a cluster at a single place has a point footprint)."""
    geoms = np.asarray(frame.geometry.values)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    keep &= np.isin(shapely.get_type_id(geoms), [3, 6])  # Polygon, MultiPolygon
    return frame[keep]


def _dodge(
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


def _marker_boxes(ax: Axes, xs: np.ndarray, ys: np.ndarray) -> list[Any]:
    from matplotlib.transforms import Bbox

    pts = ax.transData.transform(np.column_stack([xs, ys]))
    half = 3.0 * ax.figure.dpi / 72.0
    return [Bbox.from_extents(x - half, y - half, x + half, y + half) for x, y in pts]


def _place_labels(
    ax: Axes,
    names: list[str],
    xs: np.ndarray,
    ys: np.ndarray,
    marker_xs: np.ndarray,
    marker_ys: np.ndarray,
    fontsize: float,
    obstacles: list[Any],
) -> list[Any]:
    """Greedy, collision-free placement of one label per place (display coordinates)."""
    import matplotlib.patheffects as pe
    from matplotlib.transforms import Bbox

    renderer = ax.figure.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    taken: list[Bbox] = _marker_boxes(ax, marker_xs, marker_ys) + list(obstacles)
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
    halo = [pe.withStroke(linewidth=_TEXT_HALO, foreground="white")]
    placed = []
    for name, x, y in zip(names, xs, ys, strict=True):
        text = ax.annotate(
            name,
            xy=(x, y),
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=fontsize,
            color="#1A1A1A",
            zorder=25,
            path_effects=halo,
            gid=_GID + "place-label",
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


_COUNTRY_NAMES = {
    "ARM": "ARMENIA",
    "AZE": "AZERBAIJAN",
    "GEO": "GEORGIA",
    "IRN": "IRAN",
    "TUR": "TÜRKİYE",
}


def _area_labels(
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
        name = _COUNTRY_NAMES.get(row["iso3"], str(row.get("name", "")))
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
            name,
            ha="center",
            va="center",
            zorder=7,
            gid=_GID + "area-label",
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


def _legend(
    ax: Axes,
    evidence_present: list[str],
    colour_map: dict[str, str],
    colour_title: str,
    color_by: str,
    border_kinds: list[str],
    bands: list[tuple[str, Any, str]],
    has_footprints: bool,
    n_mapped: int,
    n_total: int,
    fontsize: float,
) -> Any:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    labels: list[str] = []
    headers: list[int] = []

    def header(text: str) -> None:
        headers.append(len(labels))
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(text)

    def marker(shape: str, face: str, edge: str = "white", width: float = 0.5) -> Any:
        return Line2D(
            [],
            [],
            linestyle="none",
            marker=shape,
            markersize=5,
            markerfacecolor=face,
            markeredgecolor=edge,
            markeredgewidth=width,
        )

    title = f"{n_total} reports" + (
        f" ({n_total - n_mapped} without coordinates, not shown)" if n_total > n_mapped else ""
    )
    if color_by == "evidence":
        header("Evidence")
        for key in evidence_present:
            style = EVIDENCE_STYLES.get(key, _OTHER_EVIDENCE)
            handles.append(marker(style["marker"], style["color"]))
            labels.append(style["label"] if key in EVIDENCE_STYLES else str(key))
    else:
        if len(evidence_present) > 1 or evidence_present[:1] != ["__none__"]:
            header("Evidence (marker)")
            for key in evidence_present:
                style = EVIDENCE_STYLES.get(key, _OTHER_EVIDENCE)
                # Hollow: the shape carries the evidence, the fill is the colour key's.
                handles.append(marker(style["marker"], "none", "#333333", 0.8))
                labels.append(style["label"] if key in EVIDENCE_STYLES else str(key))
        header(f"{colour_title} (colour)")
        for name, colour in colour_map.items():
            handles.append(marker("o", colour))
            labels.append(name)
    header("Map")
    for kind in border_kinds:
        style = _BORDER_STYLES[kind]
        handles.append(
            Line2D(
                [],
                [],
                color=_BORDER_COLOR,
                linestyle=style["linestyle"],
                linewidth=style["linewidth"],
            )
        )
        labels.append(style["label"])
    for label, _, colour in bands:
        handles.append(Patch(facecolor=colour, edgecolor="none", alpha=_BAND_ALPHA))
        labels.append(label)
    if has_footprints:
        handles.append(Patch(facecolor="none", edgecolor="#333333", linestyle="--", linewidth=0.8))
        labels.append("Cluster footprint")
    legend = ax.legend(
        handles,
        labels,
        loc="lower left",
        title=title,
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
    legend.set_zorder(35)
    legend.set_gid(_GID + "legend")
    texts = legend.get_texts()
    for i in headers:
        texts[i].set_fontweight("bold")
    # Headers get no handle: shift their text left over the empty handle slot.
    for i in headers:
        legend.legend_handles[i].set_visible(False)
    return legend


def _draw_inset(ax: Axes, map_crs: CRS, admin0: gpd.GeoDataFrame, bounds: tuple) -> Axes:
    import matplotlib.patches as mpatches

    inset = ax.inset_axes([0.755, 0.755, 0.235, 0.235], zorder=36)
    inset.set_gid(_GID + "inset")
    frame = admin0.to_crs(map_crs)
    others = frame[frame["iso3"] != "ARM"]
    arm = frame[frame["iso3"] == "ARM"]
    others.plot(ax=inset, facecolor=_LAND_OTHER, edgecolor="#8A8A8A", linewidth=0.3)
    arm.plot(ax=inset, facecolor="#8C8C8C", edgecolor="#555555", linewidth=0.3)
    inset.set_facecolor(_WATER)
    x0, y0, x1, y1 = bounds
    box = shapely.box(x0, y0, x1, y1)
    inset.add_patch(
        mpatches.Polygon(
            np.asarray(box.exterior.coords),
            closed=True,
            fill=False,
            edgecolor=_BORDER_COLOR,
            linewidth=1.0,
            zorder=5,
        )
    )
    minx, miny, maxx, maxy = frame.total_bounds
    inset.set_xlim(minx, maxx)
    inset.set_ylim(miny, maxy)
    inset.set_aspect("equal", adjustable="box", anchor="NE")
    _bare_frame(inset)
    return inset


def _bare_frame(ax: Axes) -> None:
    # A map needs no axis ticks or labels (geopandas labels axes from the CRS).
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#666666")
        spine.set_linewidth(0.6)


# --------------------------------------------------------------------------- main entry point


def plot_strikes(
    strikes: gpd.GeoDataFrame | None = None,
    *,
    ax: Axes | None = None,
    color_by: str = "evidence",
    basemap: str | os.PathLike[str] = "auto",
    clusters: gpd.GeoDataFrame | pd.Series | None = None,
    distance_bands_km: Sequence[float] | None = None,
    labels: bool | Sequence[str] = True,
    inset: bool = True,
    crs: Any = None,
    tile_provider: Any = "OpenStreetMap.Mapnik",
    cache_dir: str | os.PathLike[str] | None = None,
    attribution: bool | str = True,
    tile_zoom: int | None = None,
) -> Axes:
    """Map strike reports over Armenia, its neighbours and the border.

    Draws, from bottom to top: the basemap (tiles or the shipped country,
    admin-1 and lake polygons), optional geodesic distance bands from the
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
        ``'cluster'`` needs ``clusters`` as labels; any other column name is
        drawn as categories.
    basemap : {'auto', 'tiles', 'offline'} or path, default 'auto'
        See the module documentation. ``'auto'`` never fails for want of a
        network: it warns and draws the offline basemap.
    clusters : geopandas.GeoDataFrame or pandas.Series, optional
        Cluster footprints from :func:`borderstrikes.clustering.describe_clusters`,
        or per-report labels from
        :func:`borderstrikes.clustering.cluster_strikes` (footprints are then
        derived, and ``color_by='cluster'`` becomes possible).
    distance_bands_km : sequence of float, optional
        Depths, in km, of bands inside Armenia measured geodesically from the
        border with Azerbaijan, e.g. ``[5, 10, 20]``
        (:func:`borderstrikes.areas.buffer_zone`).
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

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Nothing is shown or saved.

    Raises
    ------
    ValueError
        If ``basemap``, ``color_by``, ``tile_provider`` or
        ``distance_bands_km`` is invalid.
    BasemapError
        If ``basemap='tiles'`` and the tiles cannot be fetched.
    ImportError
        If matplotlib (or, for tiles, contextily) is not installed.

    Notes
    -----
    Reports that share a location are spread on a small ring of a few
    points' radius around it, so that each report stays visible; their true
    position is the centre of the ring.

    Tiles are fetched at the zoom whose pixels match the axes' pixels at the
    figure's dpi, in Web Mercator, then warped to ``crs``. contextily keeps
    its cache location in a process-wide setting: this function points it at
    ``cache_dir`` for the download and restores it afterwards, so do not
    draw tiled maps from several threads at once.

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
    plt = _import_matplotlib()
    map_crs = _map_crs(crs)
    basemap_kind, basemap_path = _check_basemap(basemap)
    provider = _resolve_provider(tile_provider) if basemap_kind in {"tiles", "auto"} else None

    if strikes is None:
        strikes = datasets.load_strikes()
    strikes_ll = gpd.GeoDataFrame(strikes.copy(), geometry=to_wgs84(strikes, "strikes"))
    if "evidence" not in strikes_ll.columns and color_by == "evidence":
        strikes_ll["evidence"] = "report"
    footprints, cluster_labels = _footprints(clusters, strikes_ll)

    admin0 = datasets.load_boundaries(0)
    admin1 = datasets.load_boundaries(1)
    border = datasets.load_border()
    lakes = datasets.load_lakes()
    sources = _provenance(admin0) + _provenance(admin1) + _provenance(border) + _provenance(lakes)

    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 6.5), layout="constrained")
    fig = ax.figure

    # ---- extent: Armenia plus every mapped report, padded.
    mapped = _located(np.asarray(strikes_ll.geometry.values))
    pts = strikes_ll[mapped].to_crs(map_crs)
    arm = admin0[admin0["iso3"] == "ARM"].to_crs(map_crs)
    minx, miny, maxx, maxy = arm.total_bounds
    if len(pts):
        pminx, pminy, pmaxx, pmaxy = pts.total_bounds
        minx, miny, maxx, maxy = (
            min(minx, pminx),
            min(miny, pminy),
            max(maxx, pmaxx),
            max(maxy, pmaxy),
        )
    padx, pady = 0.06 * (maxx - minx), 0.06 * (maxy - miny)
    centre_lat = float(np.mean(admin0[admin0["iso3"] == "ARM"].total_bounds[[1, 3]]))
    fig.canvas.draw()  # settle the layout before anything depends on pixels
    xlim, ylim = _fill_box(
        ax, (minx - padx, maxx + padx), (miny - pady, maxy + pady), map_crs, centre_lat
    )
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_autoscale_on(False)
    _set_map_aspect(ax, map_crs, centre_lat)

    # ---- basemap
    tiles_drawn = False
    extra_attribution: list[str] = []
    if basemap_kind in {"tiles", "auto"}:
        cache = Path(cache_dir) if cache_dir is not None else default_tile_cache_dir()
        try:
            _add_tiles(ax, map_crs, provider, cache, tile_zoom)
            tiles_drawn = True
            extra_attribution.append(f"Basemap: {provider.get('attribution', provider.name)}")
        except Exception as exc:
            # requests, PIL and rasterio raise several unrelated types for a
            # failed download; "auto" must never fail for want of tiles.
            if basemap_kind == "tiles":
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
                stacklevel=2,
            )
    elif basemap_kind == "file":
        _add_raster(ax, map_crs, basemap_path)
        tiles_drawn = True
        extra_attribution.append(f"Basemap: {basemap_path.name}")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)

    # ---- vector basemap
    countries = admin0.to_crs(map_crs)
    if tiles_drawn:
        ax.set_facecolor("white")
    else:
        ax.set_facecolor(_WATER)
        countries[countries["iso3"] != "ARM"].plot(
            ax=ax, facecolor=_LAND_OTHER, edgecolor="none", zorder=1
        )
        countries[countries["iso3"] == "ARM"].plot(
            ax=ax, facecolor=_LAND_ARM, edgecolor="none", zorder=1
        )
        lakes_map = lakes.to_crs(map_crs)
        lakes_map.plot(ax=ax, facecolor=_WATER, edgecolor="#8DB6CF", linewidth=0.3, zorder=2)
    admin1.to_crs(map_crs).boundary.plot(ax=ax, color=_ADMIN1_LINE, linewidth=0.4, zorder=3)
    countries.boundary.plot(ax=ax, color=_COUNTRY_LINE, linewidth=0.7, zorder=3)
    if tiles_drawn:
        lakes.to_crs(map_crs).boundary.plot(ax=ax, color="#5D8FB0", linewidth=0.3, zorder=3)

    # ---- distance bands
    band_entries: list[tuple[str, Any, str]] = []
    if distance_bands_km is not None:
        rings = _distance_bands(distance_bands_km, map_crs)
        shades = ["#5E3C99", "#8B6BB8", "#B9A6D6", "#DCD2EB", "#EEEAF5"]
        for i, (label, ring) in enumerate(rings):
            colour = shades[min(i, len(shades) - 1)]
            gpd.GeoSeries([ring], crs=map_crs).plot(
                ax=ax,
                facecolor=colour,
                edgecolor="none",
                alpha=_BAND_ALPHA,
                zorder=1.5,
                gid=_GID + "distance-band",
            )
            band_entries.append((label, ring, colour))

    # ---- reports' colours (cluster colours are shared with the footprints)
    cluster_names = None
    if footprints is not None and "name" in footprints.columns:
        cluster_names = {
            int(k): str(v)
            for k, v in footprints["name"].items()
            if isinstance(k, (int, np.integer))
        }
    categories, colour_map, colour_title = _colour_values(
        strikes_ll[mapped], color_by, cluster_labels, cluster_names
    )

    # ---- cluster footprints
    if footprints is not None and len(_polygonal(footprints)):
        fp = _polygonal(footprints).to_crs(map_crs)
        edges = ["#333333"] * len(fp)
        if color_by == "cluster":
            by_label = {
                int(name.split(":")[0].removeprefix("Cluster ")): colour
                for name, colour in colour_map.items()
                if name.startswith("Cluster ")
            }
            edges = [
                by_label.get(int(k), "#333333") if isinstance(k, (int, np.integer)) else "#333333"
                for k in fp.index
            ]
        fp.plot(
            ax=ax,
            facecolor="#33333312",
            edgecolor=edges,
            linewidth=0.9,
            linestyle="--",
            zorder=5,
            gid=_GID + "cluster-footprint",
        )

    # ---- border, by section
    border_map = border.to_crs(map_crs)
    kinds = border_map["section"].map(_border_kind)
    border_kinds = [k for k in ("main", "nakhchivan", "exclave") if (kinds == k).any()]
    for kind in border_kinds:
        style = _BORDER_STYLES[kind]
        border_map[kinds == kind].plot(
            ax=ax,
            color=_BORDER_COLOR,
            linestyle=style["linestyle"],
            linewidth=style["linewidth"],
            zorder=6,
            gid=_GID + f"border-{kind}",
        )

    # ---- reports
    evidence = (
        strikes_ll.loc[mapped, "evidence"].astype(object).fillna("__none__")
        if "evidence" in strikes_ll.columns
        else pd.Series("__none__", index=pts.index)
    )
    xs = shapely.get_x(np.asarray(pts.geometry.values))
    ys = shapely.get_y(np.asarray(pts.geometry.values))
    dx, dy = _dodge(ax, xs, ys, radius_pt=3.2)
    evidence_present = [k for k in EVIDENCE_STYLES if (evidence == k).any()]
    evidence_present += sorted(set(evidence) - set(evidence_present))
    for key in evidence_present:
        sel = (evidence == key).to_numpy()
        style = EVIDENCE_STYLES.get(key, _OTHER_EVIDENCE)
        colours = [colour_map[c] for c in categories[sel]]
        ax.scatter(
            dx[sel],
            dy[sel],
            s=22,
            marker=style["marker"],
            c=colours,
            edgecolors="white",
            linewidths=0.5,
            zorder=20,
            gid=_GID + f"reports-{key}",
            label=style["label"] if key in EVIDENCE_STYLES else str(key),
        )

    # ---- furniture: north arrow, scale bar, inset, legend
    # Text scales with the map's width: 6.5 pt on a 6-inch-wide map, never below 4 pt.
    width_in = ax.get_window_extent().width / fig.dpi
    fs = max(4.0, min(7.0, 6.5 * width_in / 6.0))
    add_north_arrow(ax, map_crs, fontsize=fs + 1)
    if inset:
        _draw_inset(ax, map_crs, admin0, (xlim[0], ylim[0], xlim[1], ylim[1]))
    legend = _legend(
        ax,
        evidence_present,
        colour_map,
        colour_title,
        color_by,
        border_kinds,
        band_entries,
        footprints is not None and len(footprints) > 0,
        int(mapped.sum()),
        len(strikes_ll),
        fontsize=fs,
    )

    # ---- attribution (also places the scale bar above it)
    strike_sources = _provenance(strikes)
    if attribution is True:
        text = _attribution_text(strike_sources + sources, extra_attribution)
    elif isinstance(attribution, str):
        text = attribution
    else:
        text = ""
    renderer = fig.canvas.get_renderer()
    attr_top = 0.0
    if text:
        attr = _draw_attribution(ax, text, fontsize=max(3.5, fs * 0.77))
        box = attr.get_window_extent(renderer).transformed(ax.transAxes.inverted())
        attr_top = box.y1
    legend.set_bbox_to_anchor((0.005, attr_top + 0.01), transform=ax.transAxes)
    add_scale_bar(ax, map_crs, loc=(0.68, attr_top + 0.035), fontsize=fs)

    # ---- labels, avoiding everything drawn so far
    if labels is not False and "place" in strikes_ll.columns and len(pts):
        fig.canvas.draw()
        # Map furniture: legend, inset, north arrow, scale bar and its labels, attribution.
        obstacles = [legend.get_window_extent(renderer)]
        obstacles += [t.get_window_extent(renderer) for t in ax.texts]
        obstacles += [c.get_window_extent(renderer) for c in ax.child_axes]
        obstacles += [
            line.get_window_extent(renderer)
            for line in ax.lines
            if line.get_label().startswith("_scale")
        ]
        marker_boxes = _marker_boxes(ax, dx, dy)
        areas = _area_labels(
            ax,
            admin0.to_crs(map_crs),
            lakes.to_crs(map_crs),
            (xlim[0], ylim[0], xlim[1], ylim[1]),
            fs,
            obstacles + marker_boxes,
        )
        obstacles += [t.get_window_extent(renderer) for t in areas]
        names, lx, ly = _label_candidates(strikes_ll[mapped], pts, labels)
        _place_labels(ax, names, lx, ly, dx, dy, fontsize=fs, obstacles=obstacles)

    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    _bare_frame(ax)
    ax.set_gid(_GID + "map")
    return ax


def _check_basemap(basemap: Any) -> tuple[str, Path | None]:
    if isinstance(basemap, str) and basemap in {"auto", "tiles", "offline"}:
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


def _label_candidates(
    strikes: gpd.GeoDataFrame, pts: gpd.GeoDataFrame, labels: Any
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """One label position per place, most strongly evidenced and most reported first."""
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
