"""Dask inputs: lazy border distances, uncertainty intervals and a tiled DBSCAN.

:func:`borderstrikes.distance_to_border`, :func:`borderstrikes.distance_interval`
and :func:`borderstrikes.cluster_strikes` hand a ``dask_geopandas`` GeoDataFrame
or GeoSeries to the functions of this module, which answer with a dask
collection: the same columns, dtypes and index as the in-memory function, and,
once computed, the same numbers bit for bit. Dask is imported only here, and
only when such an input arrives; ``import borderstrikes`` never imports it.

What is lazy and what is computed
---------------------------------
- :func:`distance_to_border` is fully lazy: one task per partition, each
  calling the in-memory function on its partition. Building the graph only
  checks the arguments (unit, CRS, border, country) on the driver.
- :func:`distance_interval` first counts the located rows of every partition
  (one eager pass over the input), because the random numbers of a row depend
  on its place among all located rows, as in memory. The intervals themselves
  are lazy, one task per partition.
- :func:`cluster_strikes_partitioned` is fully lazy; computing its result runs
  the tiled DBSCAN described below in one graph.

How the border reaches the workers
----------------------------------
The default border is not shipped at all: every worker process loads the one
in its own installed copy of the package and builds its index once (the
per-process cache of :mod:`borderstrikes.border`). Any other border is put
into the graph once, as a single key named ``border-<hash>`` after the
SHA-256 of its content in EPSG:4326, on which every task depends; a worker
fetches it once and keeps it while its tasks run. On each process, the index
(:class:`borderstrikes.geodesy.BorderIndex`) is built the first time a task
meets that hash and reused by every later task, so a border is indexed once
per worker process, however many partitions there are (:func:`index_builds`
tells how often it happened). The index itself is not shipped: it pickles to
about 200 times the size of the border.

Memory
------
A distance task holds one partition and its result; an interval task holds
its partition plus the Monte Carlo samples of one block of rows at a time, as
in memory (at most ``uncertainty._MAX_SAMPLES``, 500 000), whatever ``n`` is.
The tiled DBSCAN holds one tile with its halo per task, so a tile and its halo
must fit in one worker's memory (choose ``tile_deg`` for that). The shuffle of the
events into tiles goes through dask's shuffle, which can spill to disk.
Between the tile step and the final labels, the workers keep 32 bytes per
event (partition, position, tile and local cluster id) plus one row per local
cluster, and a single task joins the local clusters: its memory grows with
the number of clusters, not of events.

The tiled DBSCAN
----------------
Events are put into tiles of a longitude/latitude grid (``tile_deg`` degrees
on a side). Each event belongs to the tile it lies in and is copied into the
*halo* of every other tile within two margins of it; a margin is a number of
degrees that no pair of neighbours can exceed: ``eps`` over the smallest
meridian radius of curvature ``a (1 - e**2)`` in latitude, and ``eps`` over
``a cos(phi)`` in longitude, where ``phi`` bounds the latitude of any point
within reach of the tile (a geodesic of length ``s`` changes latitude by at
most ``s / (a (1 - e**2))`` radians and longitude by at most
``s / (a cos(phi))``). The exact DBSCAN of
:func:`borderstrikes.cluster_strikes` then runs on each tile with its halo.
Every neighbour of a point within one margin of the tile lies within two
margins, so the core status of those points is exact, and so are the
clusters and border-point choices of the tile's own points (their neighbours
are all within one margin). A core point within one margin of a tile it does
not belong to links that tile's local cluster to the one of its own tile; a
union-find over those shared core points (one task) joins the local
clusters, which are then numbered as :func:`borderstrikes.cluster_strikes`
numbers them: most reports first, ties to the smallest
``(lon, lat, start, end)``. A halo of a single margin would leave the core
status of halo points unknown, and with it the border-point rule; two
margins keep the whole computation of a tile in one task.
"""

from __future__ import annotations

import collections
import math
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from borderstrikes import border as _border
from borderstrikes import uncertainty as _uncertainty
from borderstrikes._core.validate import WGS84, as_geoseries, point_lonlat, require_crs
from borderstrikes.clustering import core as _clustering
from borderstrikes.strikes import NOT_STRIKE_EVIDENCE

__all__ = [
    "cluster_strikes_partitioned",
    "distance_interval",
    "distance_to_border",
    "index_builds",
    "is_dask",
]

_DASK_MODULES = frozenset({"dask", "dask_geopandas", "dask_expr"})
_MAX_BORDERS = 4  # prepared borders kept per process
_M0_M = _clustering._A_M * (1 - _clustering._E2)  # smallest meridian radius of curvature
_SLACK_DEG = 1e-9  # added to every margin, far above the rounding of degrees
_TILE_EPS_MARGINS = 20  # default tile side, in latitude margins


def is_dask(obj: Any) -> bool:
    """Whether ``obj`` is a dask collection, judged by its type's module (dask not imported).

    Parameters
    ----------
    obj : object
        Anything.

    Returns
    -------
    bool
        True for dask and dask-geopandas collections.

    Examples
    --------
    >>> import geopandas
    >>> is_dask(geopandas.GeoSeries([]))
    False
    """
    return type(obj).__module__.partition(".")[0] in _DASK_MODULES


def _dask_modules() -> tuple[Any, Any, Any]:
    """Import dask, dask.dataframe and dask_geopandas, with a hint when missing."""
    try:
        import dask
        import dask.dataframe as dd
        import dask_geopandas
    except ImportError as exc:  # pragma: no cover - the dask extra is installed in tests
        msg = (
            "dask inputs need dask-geopandas and dask; install them with "
            "pip install 'borderstrikes[dask]'."
        )
        raise ImportError(msg) from exc
    return dask, dd, dask_geopandas


def _check_frame(data: Any, name: str) -> Any:
    """Check a dask-geopandas input and its CRS; return its empty frame (``_meta``)."""
    _, _, dask_geopandas = _dask_modules()
    if not isinstance(data, dask_geopandas.GeoDataFrame | dask_geopandas.GeoSeries):
        msg = (
            f"{name} must be a dask_geopandas GeoDataFrame or GeoSeries (got "
            f"{type(data).__name__}). Convert a dask DataFrame of coordinates with "
            "dask_geopandas.from_dask_dataframe(df, geometry=dask_geopandas.points_from_xy("
            "df, 'lon', 'lat', crs='EPSG:4326'))."
        )
        raise TypeError(msg)
    meta = data._meta
    require_crs(as_geoseries(meta, name), name)
    return meta


# ---------------------------------------------------------------------------
# the border: shipped once, indexed once per process


@dataclass(frozen=True)
class _ShippedBorder:
    """A border and the hash of its content in EPSG:4326 (the key of its index)."""

    key: str
    frame: gpd.GeoDataFrame | gpd.GeoSeries


_PREPARED: collections.OrderedDict[str, Any] = collections.OrderedDict()
_BUILDS: collections.Counter[str] = collections.Counter()
_LOCK = threading.Lock()


def index_builds() -> dict[str, int]:
    """How many times this process has indexed each shipped border, by content hash.

    Run it on the workers to check that a border is indexed once per worker
    process, e.g. ``client.run(index_builds)``. The default border is not
    counted here (see :mod:`borderstrikes.border`).

    Returns
    -------
    dict of str to int
        SHA-256 of the border's content -> number of index builds.

    Examples
    --------
    >>> isinstance(index_builds(), dict)
    True
    """
    return dict(_BUILDS)


def _prepared(shipped: _ShippedBorder | None) -> Any:
    """Return the indexed border for ``shipped`` (None, the default border, stays None)."""
    if shipped is None:
        return None
    with _LOCK:  # threads of one worker wait for the first build instead of repeating it
        target = _PREPARED.get(shipped.key)
        if target is None:
            target = _border.PreparedBorder(shipped.frame)
            _BUILDS[shipped.key] += 1
            _PREPARED[shipped.key] = target
            while len(_PREPARED) > _MAX_BORDERS:
                _PREPARED.popitem(last=False)
        else:
            _PREPARED.move_to_end(shipped.key)
    return target


def _ship_border(border: Any) -> tuple[Any, Any]:
    """Return the graph argument for a border (a Delayed, or None) and its driver-side index."""
    if border is None:
        return None, None
    geoms = as_geoseries(border, "border")
    require_crs(geoms, "border")
    wgs = border if geoms.crs.equals(WGS84) else border.to_crs(WGS84)
    key = _border.border_key(wgs)
    if key is not None and key == _border._shipped_key():
        return None, None
    shipped = _ShippedBorder(key, border)  # as given: indexed (and checked) as in memory
    dask, _, _ = _dask_modules()
    node = dask.delayed(shipped, name=f"border-{key}", pure=True, traverse=False)
    return node, _prepared(shipped)


# ---------------------------------------------------------------------------
# distance_to_border


def _distance_partition(
    points: Any,
    shipped: _ShippedBorder | None,
    unit: str,
    signed: bool,
    country: str,
    countries: Any,
) -> pd.DataFrame:
    return _border.distance_to_border(
        points, _prepared(shipped), unit=unit, signed=signed, country=country, countries=countries
    )


def distance_to_border(
    points: Any,
    border: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    *,
    unit: str = "km",
    signed: bool = True,
    country: str = "ARM",
    countries: Any = None,
) -> Any:
    """Lazy :func:`borderstrikes.distance_to_border` of a dask-geopandas input.

    Parameters
    ----------
    points : dask_geopandas.GeoDataFrame or dask_geopandas.GeoSeries
        Point geometries with a CRS.
    border : geopandas.GeoDataFrame or geopandas.GeoSeries, optional
        In-memory border lines; default the shipped Armenia-Azerbaijan border.
    unit : {'km', 'm', 'nmi'}, default 'km'
        Unit of the distance columns.
    signed : bool, default True
        Add ``signed_distance_<unit>``.
    country : str, default "ARM"
        ISO3 code of the country whose inside counts as positive.

    Returns
    -------
    dask.dataframe.DataFrame
        Partitioned and indexed like ``points`` (same divisions), with the
        columns and dtypes of :func:`borderstrikes.distance_to_border`.
        Computed, it equals the in-memory result bit for bit.

    Raises
    ------
    TypeError
        If ``points`` is not a dask-geopandas collection.
    borderstrikes.errors.CRSError
        If ``points`` or ``border`` has no CRS.
    borderstrikes.errors.GeometryError, borderstrikes.errors.UnknownCountryError
        As :func:`borderstrikes.distance_to_border`. A bad border, unit or
        country raises at once; a non-point geometry raises when the
        partition holding it is computed.

    See Also
    --------
    borderstrikes.distance_to_border : the in-memory function; it calls this
        one when given a dask input.

    Notes
    -----
    Each row depends on its own point only, so partitions are independent: the
    function runs the in-memory code on every partition. See the module
    documentation for how the border reaches the workers.

    Examples
    --------
    >>> import dask, dask_geopandas, geopandas
    >>> towns = geopandas.GeoSeries.from_xy([45.3, 46.0], [40.35, 40.0], crs="EPSG:4326")
    >>> lazy = bs.distance_to_border(dask_geopandas.from_geopandas(towns, npartitions=2))
    >>> lazy.npartitions
    2
    >>> with dask.config.set(scheduler="synchronous"):
    ...     result = lazy.compute()
    >>> result["signed_distance_km"].round(2).tolist(), result["side"].tolist()
    ([21.08, -10.29], ['ARM', 'AZE'])
    """
    meta = _check_frame(points, "points")
    shipped, prepared = _ship_border(border)
    empty = _border.distance_to_border(
        meta, prepared, unit=unit, signed=signed, country=country, countries=countries
    )  # checks unit and country now, and gives the dtypes
    return points.map_partitions(
        _distance_partition, shipped, unit, signed, country, countries, meta=empty
    )


# ---------------------------------------------------------------------------
# distance_interval


class _RowStreams:
    """The random numbers ``uncertainty._samples`` draws in memory for some rows.

    In memory, one generator serves the located rows block after block (blocks
    of ``step`` rows): for each block, the azimuths of its ``m`` rows (``n``
    per row), then their distances. For rows ``first, first + 1, ...`` of one
    block, the first call of :meth:`uniform` therefore starts where the
    block's azimuths of row ``first`` start, and the second call where its
    distances do (PCG64, the generator of :func:`numpy.random.default_rng`,
    uses one 64-bit draw per double).
    """

    def __init__(self, seed: Any, first: int, total: int, n: int, step: int) -> None:
        block, row = divmod(first, step)
        start = 2 * block * step * n  # every earlier block is full
        size = min(step, total - block * step)
        self._seed = seed
        self._skips = [start + row * n, start + (size + row) * n]

    def uniform(self, low: float, high: float, size: tuple[int, int]) -> np.ndarray:
        if not self._skips:  # pragma: no cover - guards against a change in _samples
            msg = "uncertainty._samples drew more than twice; update _RowStreams."
            raise RuntimeError(msg)
        bits = np.random.PCG64(self._seed)
        bits.advance(self._skips.pop(0))
        return np.random.Generator(bits).uniform(low, high, size)


def _seed_of(seed: Any) -> Any:
    if seed is None:
        return np.random.SeedSequence().entropy  # one fresh seed for every partition
    if isinstance(seed, np.random.SeedSequence) or (
        isinstance(seed, int | np.integer) and not isinstance(seed, bool) and seed >= 0
    ):
        return seed
    msg = (
        f"seed must be None, an integer >= 0 or a numpy SeedSequence for a dask input "
        f"(got {seed!r}): every partition rebuilds the generator from it."
    )
    raise ValueError(msg)


def _located(frame: Any) -> pd.Series:
    lon, _ = point_lonlat(frame, "strikes")
    return pd.Series([int(np.count_nonzero(~np.isnan(lon)))], dtype="int64")


def _interval_partition(
    frame: Any,
    n: int,
    seed: Any,
    offsets: np.ndarray,
    shipped: _ShippedBorder | None,
    country: str,
    countries: Any,
    partition_info: dict | None = None,
) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    target = _prepared(shipped)
    radius = _uncertainty.location_radius_m(frame).to_numpy()
    lon, lat = point_lonlat(frame, "strikes")
    rows = np.flatnonzero(~np.isnan(lon))
    if len(rows) != offsets[number + 1] - offsets[number]:
        msg = (
            f"partition {number} of strikes changed between two computations "
            f"({offsets[number + 1] - offsets[number]} then {len(rows)} located rows); "
            "persist the input before calling distance_interval."
        )
        raise RuntimeError(msg)
    columns = ["distance_km", "distance_p5_km", "distance_p50_km", "distance_p95_km", "p_inside"]
    values = np.full((len(lon), len(columns)), np.nan)
    step = max(1, _uncertainty._MAX_SAMPLES // n)  # rows per block, as in memory
    first, start = int(offsets[number]), 0
    while start < len(rows):
        size = min(len(rows) - start, step - (first + start) % step)  # up to the block's end
        idx = rows[start : start + size]
        streams = _RowStreams(seed, first + start, int(offsets[-1]), n, step)
        start += size
        slon, slat = _uncertainty._samples(lon[idx], lat[idx], radius[idx], n, streams)
        points = gpd.GeoSeries(
            gpd.points_from_xy(
                np.concatenate([lon[idx], slon.ravel()]), np.concatenate([lat[idx], slat.ravel()])
            ),
            crs=WGS84,
        )
        found = _border.distance_to_border(
            points, target, signed=True, country=country, countries=countries
        )
        signed = found["signed_distance_km"].to_numpy(dtype=float)
        k = len(idx)
        sampled = signed[k:].reshape(k, n)
        inside = (found["side"].to_numpy(dtype=object)[k:] == country).reshape(k, n)
        values[idx, 0] = signed[:k]
        with warnings.catch_warnings():  # a row whose samples all lack a side stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            values[idx, 1:4] = np.nanpercentile(sampled, [5, 50, 95], axis=1).T
        values[idx, 4] = inside.mean(axis=1)
    out = pd.DataFrame(values, index=frame.index.copy(), columns=columns)
    out.insert(0, "location_radius_m", radius)
    return out


def distance_interval(
    strikes: Any,
    *,
    n: int = 1000,
    seed: int | None = 0,
    border: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    country: str = "ARM",
    countries: Any = None,
) -> Any:
    """Lazy :func:`borderstrikes.distance_interval` of a dask-geopandas input.

    Parameters
    ----------
    strikes : dask_geopandas.GeoDataFrame
        Point reports with ``location_radius_m`` or ``location_precision``.
    n : int, default 1000
        Monte Carlo samples per report.
    seed : int, numpy.random.SeedSequence or None, default 0
        Seed of the generator; None draws one fresh seed for the whole input.
    border : geopandas.GeoDataFrame or geopandas.GeoSeries, optional
        In-memory border lines; default the shipped border.
    country : str, default "ARM"
        Country whose side counts as positive.

    Returns
    -------
    dask.dataframe.DataFrame
        Partitioned and indexed like ``strikes``, with the columns of
        :func:`borderstrikes.distance_interval`. Computed with the same seed, it
        equals the in-memory result bit for bit, however the input is
        partitioned.

    Raises
    ------
    ValueError
        If ``n`` or ``seed`` is invalid, or the radius columns are missing.
    TypeError
        If ``strikes`` is not a dask-geopandas collection.

    See Also
    --------
    borderstrikes.distance_interval : the in-memory function.

    Notes
    -----
    The samples of a report are drawn from the same positions of the same
    random stream as in memory, which depend on how many located reports
    come before it. The function therefore computes, when called, the number
    of located rows of every partition (a pass over the input); the rest
    is lazy. A partition is sampled in the blocks of rows of the in-memory
    function, so that no task holds more samples at once.

    Examples
    --------
    >>> import dask, dask_geopandas
    >>> strikes = bs.load_strikes()
    >>> with dask.config.set(scheduler="synchronous"):
    ...     lazy = bs.distance_interval(
    ...         dask_geopandas.from_geopandas(strikes, npartitions=3), n=50
    ...     )
    ...     result = lazy.compute()
    >>> result.equals(bs.distance_interval(strikes, n=50))
    True
    """
    meta = _check_frame(strikes, "strikes")
    n = _uncertainty._check_n(n, "n")
    seed = _seed_of(seed)
    shipped, prepared = _ship_border(border)
    empty = _uncertainty.distance_interval(
        meta, n=n, seed=0, border=prepared, country=country, countries=countries
    )
    counts = strikes.map_partitions(_located, meta=pd.Series(dtype="int64")).compute()
    offsets = np.concatenate([[0], np.cumsum(counts.to_numpy(dtype=np.int64))])
    dask, _, _ = _dask_modules()
    return strikes.map_partitions(
        _interval_partition,
        n,
        seed,
        dask.delayed(offsets),
        shipped,
        country,
        countries,
        meta=empty,
    )


# ---------------------------------------------------------------------------
# the tiled DBSCAN: grid and halos


def _lon_gap(lon: np.ndarray, x0: Any, x1: Any) -> np.ndarray:
    """Degrees of longitude from ``lon`` to the interval [x0, x1], either way round."""
    east = np.mod(x0 - lon, 360.0)
    west = np.mod(lon - x1, 360.0)
    return np.where((lon >= x0) & (lon <= x1), 0.0, np.minimum(east, west))


@dataclass(frozen=True)
class _Grid:
    """Tiles of ``step`` degrees and the halo margins for a neighbourhood of ``eps_m``."""

    step: float
    eps_m: float

    @property
    def dlat(self) -> float:
        """Latitude margin: no neighbour is further away in latitude."""
        return math.degrees(self.eps_m / _M0_M) * (1 + 1e-9) + _SLACK_DEG

    @property
    def shape(self) -> tuple[int, int]:
        return math.ceil(180.0 / self.step), math.ceil(360.0 / self.step)

    def rows(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Bottom and top latitude of tile rows, and their longitude margin."""
        y0 = -90.0 + r * self.step
        y1 = np.minimum(y0 + self.step, 90.0)
        # any point within reach of the tile lies below this latitude
        phi = np.radians(np.maximum(np.abs(y0), np.abs(y1)) + 2 * self.dlat)
        with np.errstate(divide="ignore"):
            dlon = np.degrees(self.eps_m / (_clustering._A_M * np.cos(np.minimum(phi, np.pi / 2))))
        dlon = np.where(phi < np.pi / 2, dlon * (1 + 1e-9) + _SLACK_DEG, 360.0)
        return y0, y1, np.minimum(dlon, 360.0)

    def copies(
        self, lon: np.ndarray, lat: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Tile, role (0 own, 1 within one margin, 2 within two) and point of every copy.

        Also returns, per point, whether it lies within one margin of another tile.
        """
        n_rows, n_cols = self.shape
        row = np.clip(np.floor((lat + 90.0) / self.step), 0, n_rows - 1).astype(np.int64)
        col = np.clip(np.floor((lon + 180.0) / self.step), 0, n_cols - 1).astype(np.int64)
        own = row * n_cols + col
        tiles, roles, points = [own], [np.zeros(len(lon), np.int8)], [np.arange(len(lon))]
        inner_elsewhere = np.zeros(len(lon), dtype=bool)
        reach = math.floor(2 * self.dlat / self.step) + 1  # rows: only the top one is narrower
        for dr in range(-reach, reach + 1):
            r = row + dr
            y0, y1, dlon = self.rows(r)
            gap = np.maximum(np.maximum(y0 - lat, lat - y1), 0.0)
            near = (r >= 0) & (r < n_rows) & (gap <= 2 * self.dlat)
            # a tile k columns away is at least k - 2 columns away (the last column is narrower)
            span = np.floor(2 * dlon / self.step).astype(np.int64) + 2
            wide = near & (2 * span + 1 >= n_cols)
            narrow = np.flatnonzero(near & ~wide)
            most = int(span[narrow].max(initial=0))
            candidates = [(narrow, col[narrow] + dc) for dc in range(-most, most + 1)]
            wide = np.flatnonzero(wide)
            candidates += [(wide, np.full(len(wide), c)) for c in range(n_cols) if len(wide)]
            for idx, c in candidates:
                c = np.mod(c, n_cols)
                x0 = -180.0 + c * self.step
                x1 = np.minimum(x0 + self.step, 180.0)
                dx = _lon_gap(lon[idx], x0, x1)
                tile = r[idx] * n_cols + c
                other = tile != own[idx]
                within1 = other & (gap[idx] <= self.dlat) & (dx <= dlon[idx])
                within2 = other & (dx <= 2 * dlon[idx])
                tiles.append(tile[within2])
                roles.append(np.where(within1, 1, 2).astype(np.int8)[within2])
                points.append(idx[within2])
                inner_elsewhere[idx[within1]] = True
        return np.concatenate(tiles), np.concatenate(roles), np.concatenate(points), inner_elsewhere


def _default_tile_deg(eps_m: float) -> float:
    return max(_TILE_EPS_MARGINS * _Grid(1.0, eps_m).dlat, 0.1)


@dataclass(frozen=True)
class _Options:
    """Parameters of cluster_strikes, checked."""

    eps_km: float
    min_samples: int
    time_eps_hours: float | None
    weight: str | None
    time_column: str
    exclude_evidence: tuple[str, ...]

    @property
    def time_eps_ns(self) -> int | None:
        if self.time_eps_hours is None:
            return None
        return int(min(round(self.time_eps_hours * _clustering._NS_PER_HOUR), 2**62))


_COPY_COLUMNS = {
    "tile": "int64",
    "role": "int8",
    "shared": "bool",
    "part": "int64",
    "pos": "int64",
    "lon": "float64",
    "lat": "float64",
    "weight": "float64",
    "t0": "int64",
    "t1": "int64",
}


def _tile_copies(
    frame: Any, grid: _Grid, options: _Options, partition_info: dict | None = None
) -> pd.DataFrame:
    """One row per copy of a clustered event: its tile, role and what DBSCAN needs."""
    lon, lat = point_lonlat(frame, "strikes")
    n = len(lon)
    excluded = _clustering._excluded_rows(frame, options.exclude_evidence)
    weights = _clustering._row_weights(frame, options.weight)
    missing = np.isnan(lon) | np.isnan(lat)
    t0 = t1 = np.zeros(n, dtype=np.int64)
    no_time = np.zeros(n, dtype=bool)
    if options.time_eps_hours is not None:
        t0, t1, no_time = _clustering._time_intervals(frame, options.time_column)
    use = ~(excluded | missing | no_time)
    bad_weight = use & ~(np.isfinite(weights) & (weights >= 0))
    if bad_weight.any():
        labels = list(frame.index[bad_weight][:10])
        msg = f"weights must be finite and >= 0; rows {labels!r} are not."
        raise ValueError(msg)
    pos = np.flatnonzero(use)
    lon = _clustering._normalise_lon(lon[pos])
    lat = lat[pos] + 0.0
    tile, role, point, shared = grid.copies(lon, lat)
    data = {
        "tile": tile,
        "role": role,
        "shared": shared[point] & (role == 0),
        "part": np.full(len(tile), partition_info["number"] if partition_info else 0),
        "pos": pos[point],
        "lon": lon[point],
        "lat": lat[point],
        "weight": weights[pos][point],
        "t0": t0[pos][point],
        "t1": t1[pos][point],
    }
    return pd.DataFrame({k: np.asarray(v, dtype=_COPY_COLUMNS[k]) for k, v in data.items()})


# ---------------------------------------------------------------------------
# the tiled DBSCAN: one tile, and the merge

_ROW, _COMP, _HALO, _BAND = 0, 1, 2, 3
_RECORD_COLUMNS = {
    "kind": "int8",
    "tile": "int64",
    "comp": "int64",
    "part": "int64",
    "pos": "int64",
    "rows": "int64",
    "lon": "float64",
    "lat": "float64",
    "t0": "int64",
    "t1": "int64",
}
_KEY = ["lon", "lat", "t0", "t1"]
_NO_TIME = np.iinfo(np.int64).max


def _records(kind: int, tile: int, **columns: Any) -> pd.DataFrame:
    size = len(next(iter(columns.values())))
    fill = {"part": -1, "pos": -1, "rows": 0, "lon": np.nan, "lat": np.nan, "t0": 0, "t1": 0}
    data = {"kind": np.full(size, kind), "tile": np.full(size, tile)}
    for name in _RECORD_COLUMNS:
        if name not in data:
            data[name] = columns.get(name, np.full(size, fill.get(name, -1)))
    return pd.DataFrame({k: np.asarray(v, dtype=_RECORD_COLUMNS[k]) for k, v in data.items()})


def _one_tile(tile: int, copies: pd.DataFrame, options: _Options) -> list[pd.DataFrame]:
    """Local DBSCAN of a tile with its halo: labels of its own rows, and what the merge needs."""
    timed = options.time_eps_hours is not None
    role = copies["role"].to_numpy()
    sites = _clustering._Sites(
        copies["lon"].to_numpy(),
        copies["lat"].to_numpy(),
        copies["weight"].to_numpy(),
        copies["t0"].to_numpy() if timed else None,
        copies["t1"].to_numpy() if timed else None,
    )
    eps_m = options.eps_km * 1000.0
    dbscan = _clustering._Dbscan(sites, eps_m, options.min_samples, options.time_eps_ns)
    label = dbscan.run()
    core = dbscan.core
    site_role = np.empty(sites.n, dtype=np.int8)
    site_role[sites.inverse] = role  # a function of the coordinates: one role per site
    site_shared = np.zeros(sites.n, dtype=bool)
    site_shared[sites.inverse] = copies["shared"].to_numpy()
    clustered = label >= 0
    _, local = np.unique(label[clustered], return_inverse=True)
    comp = np.full(sites.n, -1, dtype=np.int64)
    comp[clustered] = local
    n_comp = int(local.max()) + 1 if len(local) else 0
    t0 = sites.t0 if timed else np.zeros(sites.n, dtype=np.int64)
    t1 = sites.t1 if timed else np.zeros(sites.n, dtype=np.int64)

    own_rows = role == 0
    rows = _records(
        _ROW,
        tile,
        part=copies["part"].to_numpy()[own_rows],
        pos=copies["pos"].to_numpy()[own_rows],
        comp=comp[sites.inverse][own_rows],
    )
    counted = (site_role == 0) & clustered  # the tile's own sites, in (lon, lat, t0, t1) order
    size = np.bincount(comp[counted], weights=sites.rows[counted], minlength=n_comp)
    first = np.full(n_comp, sites.n, dtype=np.int64)
    np.minimum.at(first, comp[counted], np.flatnonzero(counted))
    has = first < sites.n
    head = np.where(has, first, 0)
    comps = _records(
        _COMP,
        tile,
        comp=np.arange(n_comp),
        rows=size.astype(np.int64),
        lon=np.where(has, sites.lon[head], np.inf),
        lat=np.where(has, sites.lat[head], np.inf),
        t0=np.where(has, t0[head], _NO_TIME),
        t1=np.where(has, t1[head], _NO_TIME),
    )
    out = [rows, comps]
    halo = (site_role == 1) & core  # core sites within one margin, owned by another tile
    band = (site_role == 0) & core & site_shared  # own core sites in another tile's margin
    for kind, mask in ((_HALO, halo), (_BAND, band)):
        out.append(
            _records(
                kind,
                tile,
                comp=comp[mask],
                lon=sites.lon[mask],
                lat=sites.lat[mask],
                t0=t0[mask],
                t1=t1[mask],
            )
        )
    return out


def _empty_records() -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(dtype=v) for k, v in _RECORD_COLUMNS.items()})


def _tile_records(copies: pd.DataFrame, options: _Options) -> pd.DataFrame:
    """Run every tile of a frame of copies (one partition after the shuffle)."""
    parts = [_empty_records()]
    for tile, group in copies.groupby("tile", sort=True):
        parts.extend(_one_tile(int(tile), group, options))
    return pd.concat(parts, ignore_index=True)


def _links(halo: pd.DataFrame, band: pd.DataFrame) -> pd.DataFrame:
    """Pairs of local clusters sharing a core site (halo copy in one, own site in the other)."""
    pairs = halo[["tile", "comp", *_KEY]].merge(
        band[["tile", "comp", *_KEY]], on=_KEY, suffixes=("_a", "_b")
    )
    return pairs[["tile_a", "comp_a", "tile_b", "comp_b"]].drop_duplicates()


@dataclass(frozen=True)
class _Labels:
    """Final label of every local cluster: node ``start[i] + comp`` of tile ``tiles[i]``."""

    tiles: np.ndarray
    start: np.ndarray
    label: np.ndarray

    def of(self, tile: np.ndarray, comp: np.ndarray) -> np.ndarray:
        out = np.full(len(tile), -1, dtype=np.int64)
        hit = comp >= 0
        node = self.start[np.searchsorted(self.tiles, tile[hit])] + comp[hit]
        out[hit] = self.label[node]
        return out


def _resolve(comps: pd.DataFrame, links: pd.DataFrame) -> _Labels:
    """Join local clusters over shared core sites and number them as cluster_strikes does."""
    comps = comps.sort_values(["tile", "comp"], kind="stable")
    tile = comps["tile"].to_numpy(dtype=np.int64)
    tiles, start = np.unique(tile, return_index=True)
    n = len(comps)

    def node(t: pd.Series, c: pd.Series) -> np.ndarray:
        t, c = t.to_numpy(dtype=np.int64), c.to_numpy(dtype=np.int64)
        return start[np.searchsorted(tiles, t)] + c

    a, b = node(links["tile_a"], links["comp_a"]), node(links["tile_b"], links["comp_b"])
    n_clusters, cluster = _clustering._components(n, a, b)
    rows = np.bincount(cluster, weights=comps["rows"].to_numpy(), minlength=n_clusters)
    key = [comps[name].to_numpy() for name in _KEY]
    order = np.lexsort(key[::-1])  # by lon, then lat, start, end
    place = np.empty(n, dtype=np.int64)
    place[order] = np.arange(n)
    first = np.full(n_clusters, n, dtype=np.int64)
    np.minimum.at(first, cluster, place)
    head = order[np.minimum(first, n - 1)]  # the node of each cluster with the smallest key
    kept = np.flatnonzero(rows > 0)
    head_key = [k[head[kept]] for k in key]
    rank = np.full(n_clusters, -1, dtype=np.int64)
    rank[kept[np.lexsort([*head_key[::-1], -rows[kept]])]] = np.arange(len(kept))
    return _Labels(tiles, start, rank[cluster])


def _label_rows(rows: pd.DataFrame, labels: _Labels) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "part": rows["part"].to_numpy(dtype=np.int64),
            "pos": rows["pos"].to_numpy(dtype=np.int64),
            "cluster": labels.of(
                rows["tile"].to_numpy(dtype=np.int64), rows["comp"].to_numpy(dtype=np.int64)
            ),
        }
    )


def _attach(index: pd.Index, labelled: pd.DataFrame) -> pd.Series:
    """Labels of one input partition, in row order (-1 for rows in no tile)."""
    out = np.full(len(index), -1, dtype=np.int64)
    out[labelled["pos"].to_numpy(dtype=np.int64)] = labelled["cluster"].to_numpy(dtype=np.int64)
    return pd.Series(out, index=index.copy(), name="cluster", dtype="int64")


def _options(
    eps_km: Any,
    min_samples: Any,
    time_eps_hours: Any,
    weight: Any,
    time_column: str,
    exclude_evidence: Any,
    frame: Any,
) -> _Options:
    eps_km, min_samples, time_eps_hours = _clustering._check_params(
        eps_km, min_samples, time_eps_hours
    )
    if weight is not None and not isinstance(weight, str):
        msg = (
            f"weight must be None or a column name for a dask input (got "
            f"{type(weight).__name__}); add the weights as a column of strikes."
        )
        raise TypeError(msg)
    _clustering._excluded_rows(frame, exclude_evidence)  # checks the type
    if isinstance(exclude_evidence, str):
        exclude_evidence = (exclude_evidence,)
    options = _Options(
        eps_km,
        min_samples,
        time_eps_hours,
        weight,
        time_column,
        tuple(exclude_evidence or ()),
    )
    _clustering._row_weights(frame, weight)  # the weight column exists
    if time_eps_hours is not None:
        _clustering._time_intervals(frame, time_column)  # the time column exists
    return options


def cluster_strikes_partitioned(
    events: Any,
    *,
    eps_km: float,
    min_samples: int = 3,
    time_eps_hours: float | None = None,
    weight: str | None = None,
    time_column: str = "date",
    exclude_evidence: Any = NOT_STRIKE_EVIDENCE,
    tile_deg: float | None = None,
    npartitions: int | None = None,
) -> Any:
    """DBSCAN of :func:`borderstrikes.cluster_strikes`, tile by tile.

    Gives the labels of :func:`~borderstrikes.cluster_strikes`, identical
    (clusters, border points and numbering), while no task holds more than one
    tile of events and its halo.

    Parameters
    ----------
    events : dask_geopandas.GeoDataFrame or dask_geopandas.GeoSeries
        Point events with a CRS. An in-memory GeoDataFrame or GeoSeries is
        tiled in this process.
    eps_km, min_samples, time_eps_hours, time_column, exclude_evidence
        As in :func:`borderstrikes.cluster_strikes`.
    weight : str or None, default None
        Name of a column of sample weights (an array cannot follow the
        partitions of a dask input).
    tile_deg : float, optional
        Side of the tiles, in degrees of longitude and latitude. Default: 20
        latitude margins (the halo is two margins wide on each side), at
        least 0.1°; for ``eps_km=20`` that is 3.6°. Pick it so that a tile
        and its halo fit in one worker's memory.
    npartitions : int, optional
        Partitions after the shuffle by tile (default: those of ``events``).

    Returns
    -------
    dask.dataframe.Series or pandas.Series
        ``int64`` label per event, named ``"cluster"``, indexed and partitioned
        like ``events``; ``-1`` is noise. A pandas Series for an in-memory input.

    Raises
    ------
    ValueError, TypeError
        As :func:`borderstrikes.cluster_strikes`, and for a ``weight`` or
        ``tile_deg`` that is not usable here.

    See Also
    --------
    borderstrikes.cluster_strikes : the in-memory DBSCAN; it calls this
        function when given a dask input.

    Notes
    -----
    The method and why it is exact are in the module documentation. Rows
    without a point, without a time (space-time mode) or with excluded
    evidence get ``-1``, as in memory, but without a warning: the lazy result
    cannot warn when it is computed. Bad weights raise when the partition
    holding them is computed.

    Examples
    --------
    >>> import dask, dask_geopandas
    >>> strikes = bs.load_strikes()
    >>> lazy = bs.cluster_strikes(
    ...     dask_geopandas.from_geopandas(strikes, npartitions=4), eps_km=20, min_samples=3
    ... )
    >>> with dask.config.set(scheduler="synchronous"):
    ...     labels = lazy.compute()
    >>> labels.equals(bs.cluster_strikes(strikes, eps_km=20, min_samples=3))
    True

    An in-memory input runs the same tiles in this process:

    >>> tiled = cluster_strikes_partitioned(strikes, eps_km=20, tile_deg=0.5)
    >>> tiled.equals(labels)
    True
    """
    lazy = is_dask(events)
    meta = _check_frame(events, "strikes") if lazy else events
    options = _options(
        eps_km, min_samples, time_eps_hours, weight, time_column, exclude_evidence, meta.iloc[:0]
    )
    eps_m = options.eps_km * 1000.0
    if tile_deg is None:
        tile_deg = _default_tile_deg(eps_m)
    if (
        isinstance(tile_deg, bool)
        or not isinstance(tile_deg, int | float)
        or not 0 < tile_deg <= 360
    ):
        msg = f"tile_deg must be a number of degrees in (0, 360] (got {tile_deg!r})."
        raise ValueError(msg)
    grid = _Grid(float(tile_deg), eps_m)
    if not lazy:
        as_geoseries(events, "strikes")
        records = _tile_records(_tile_copies(events, grid, options), options)
        labels = _resolve(
            records[records["kind"] == _COMP],
            _links(records[records["kind"] == _HALO], records[records["kind"] == _BAND]),
        )
        return _attach(events.index, _label_rows(records[records["kind"] == _ROW], labels))

    dask, dd, _ = _dask_modules()
    copies = events.map_partitions(
        _tile_copies,
        grid,
        options,
        meta=pd.DataFrame({k: pd.Series(dtype=v) for k, v in _COPY_COLUMNS.items()}),
        clear_divisions=True,
    )
    copies = copies.shuffle(on="tile", npartitions=npartitions or events.npartitions)
    records = copies.map_partitions(_tile_records, options, meta=_empty_records())
    kind = records["kind"]
    links = _links(records[kind == _HALO], records[kind == _BAND])
    labels = dask.delayed(_resolve, pure=True)(records[kind == _COMP], links)
    rows = records[kind == _ROW][["part", "pos", "tile", "comp"]]  # held until resolved
    labelled = rows.map_partitions(
        _label_rows,
        labels,
        meta=pd.DataFrame({c: pd.Series(dtype="int64") for c in ("part", "pos", "cluster")}),
    )
    by_part = labelled.set_index("part", divisions=tuple(range(events.npartitions + 1)))
    meta_out = pd.Series(index=meta.index, name="cluster", dtype="int64")
    return dd.map_partitions(_attach, events.index, by_part, meta=meta_out, align_dataframes=False)
