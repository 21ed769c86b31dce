"""The DBSCAN of :func:`borderstrikes.cluster_strikes`, tile by tile, with halos.

The grid and its margins are in :mod:`borderstrikes.dask.grid`. The exact
DBSCAN of :mod:`borderstrikes.clustering.dbscan` runs on each tile with its
halo. Every neighbour of a point within one margin of the tile lies within
two margins, so the core status of those points is exact, and so are the
clusters and border-point choices of the tile's own points (their neighbours
are all within one margin). A core point within one margin of a tile it does
not belong to links that tile's local cluster to the one of its own tile; the
connected components of those links (one task) join the local clusters,
which are then numbered as :func:`borderstrikes.cluster_strikes` numbers
them (:func:`borderstrikes.clustering.dbscan.rank_clusters`): most reports
first, ties to the smallest ``(lon, lat, start, end)``. A halo of a single
margin would leave the core status of halo points unknown, and with it the
border-point rule; two margins keep the whole computation of a tile in one task.

Memory
------
The tiled DBSCAN holds one tile with its halo per task, so a tile and its
halo must fit in one worker's memory (choose ``tile_deg`` for that). The
shuffle of the events into tiles goes through dask's shuffle, which can
spill to disk. Between the tile step and the final labels, the workers keep
32 bytes per event (partition, position, tile and local cluster id) plus one
row per local cluster, and a single task joins the local clusters: it holds
one row per local cluster and per core site within one margin of a tile edge
(a fraction of the events that shrinks as ``tile_deg`` grows), never the
events themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from borderstrikes._core.graph import components
from borderstrikes._core.validate import as_geoseries, check_number
from borderstrikes.clustering.dbscan import Dbscan, Sites, normalise_lon, rank_clusters
from borderstrikes.clustering.inputs import ClusterOptions, check_options, cluster_rows
from borderstrikes.dask._shipping import check_frame, dask_modules, is_dask
from borderstrikes.dask.grid import Grid, default_tile_deg
from borderstrikes.strikes import NOT_STRIKE_EVIDENCE

__all__ = ["cluster_strikes_partitioned"]

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
    frame: Any, grid: Grid, options: ClusterOptions, partition_info: dict | None = None
) -> pd.DataFrame:
    """One row per copy of a clustered event: its tile, role and what DBSCAN needs."""
    rows = cluster_rows(frame, options, warn=False)  # the rule of cluster_strikes
    pos = np.flatnonzero(rows.use)
    lon = normalise_lon(rows.lon[pos])
    lat = rows.lat[pos] + 0.0
    no_time = np.zeros(len(rows.use), dtype=np.int64)
    t0 = no_time if rows.t0 is None else rows.t0
    t1 = no_time if rows.t1 is None else rows.t1
    tile, role, point, shared = grid.copies(lon, lat)
    data = {
        "tile": tile,
        "role": role,
        "shared": shared[point] & (role == 0),
        "part": np.full(len(tile), partition_info["number"] if partition_info else 0),
        "pos": pos[point],
        "lon": lon[point],
        "lat": lat[point],
        "weight": rows.weight[pos][point],
        "t0": t0[pos][point],
        "t1": t1[pos][point],
    }
    return pd.DataFrame({k: np.asarray(v, dtype=_COPY_COLUMNS[k]) for k, v in data.items()})


# ---------------------------------------------------------------------------
# one tile, and the merge

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


def _one_tile(tile: int, copies: pd.DataFrame, options: ClusterOptions) -> list[pd.DataFrame]:
    """Local DBSCAN of a tile with its halo: labels of its own rows, and what the merge needs."""
    timed = options.time_eps_hours is not None
    role = copies["role"].to_numpy()
    sites = Sites(
        copies["lon"].to_numpy(),
        copies["lat"].to_numpy(),
        copies["weight"].to_numpy(),
        copies["t0"].to_numpy() if timed else None,
        copies["t1"].to_numpy() if timed else None,
    )
    eps_m = options.eps_km * 1000.0
    dbscan = Dbscan(sites, eps_m, options.min_samples, options.time_eps_ns)
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


def _tile_records(copies: pd.DataFrame, options: ClusterOptions) -> pd.DataFrame:
    """Run every tile of a frame of copies (one partition after the shuffle)."""
    parts = [_empty_records()]
    for tile, group in copies.groupby("tile", sort=True):
        parts.extend(_one_tile(int(tile), group, options))
    return pd.concat(parts, ignore_index=True)


def _resolve_records(records: pd.DataFrame) -> _Labels:
    """:func:`_resolve` from the merge records of every tile (all but the rows)."""
    kind = records["kind"].to_numpy()
    return _resolve(records[kind == _COMP], _links(records[kind == _HALO], records[kind == _BAND]))


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
    cluster = components(n, a, b)
    n_clusters = int(cluster.max()) + 1 if n else 0
    rows = np.bincount(cluster, weights=comps["rows"].to_numpy(), minlength=n_clusters)
    key = [comps[name].to_numpy() for name in _KEY]
    order = np.lexsort(key[::-1])  # by lon, then lat, start, end
    place = np.empty(n, dtype=np.int64)
    place[order] = np.arange(n)
    first = np.full(n_clusters, n, dtype=np.int64)
    np.minimum.at(first, cluster, place)  # the smallest key of each cluster
    kept = np.flatnonzero(rows > 0)
    rank = np.full(n_clusters, -1, dtype=np.int64)
    rank[kept] = rank_clusters(rows[kept], first[kept])
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
) -> ClusterOptions:
    """Check the options; the weight and time columns must exist in ``frame``."""
    options = check_options(
        eps_km, min_samples, time_eps_hours, weight, time_column, exclude_evidence
    )
    if weight is not None and not isinstance(weight, str):
        msg = (
            f"weight must be None or a column name for a dask input (got "
            f"{type(weight).__name__}); add the weights as a column of strikes."
        )
        raise TypeError(msg)
    cluster_rows(frame, options, warn=False)  # the weight and time columns exist
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
        least 0.5°; for ``eps_km=20`` that is 3.6°. Pick it so that a tile
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
    The method and why it is exact are in the module documentation. In
    space-time mode each partition computes the reports' time intervals with
    the rule of :func:`borderstrikes.cluster_strikes` (``date_start`` to
    ``date_end`` where present, else ``date`` and ``time_local``), through the
    same function, so the partition is the same. Rows
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
    meta = check_frame(events, "strikes") if lazy else events
    options = _options(
        eps_km, min_samples, time_eps_hours, weight, time_column, exclude_evidence, meta.iloc[:0]
    )
    eps_m = options.eps_km * 1000.0
    if tile_deg is None:
        tile_deg = default_tile_deg(eps_m)
    tile_deg = check_number(tile_deg, "tile_deg", unit="degrees", maximum=360.0)
    grid = Grid(tile_deg, eps_m)
    if not lazy:
        as_geoseries(events, "strikes")
        records = _tile_records(_tile_copies(events, grid, options), options)
        labels = _resolve_records(records[records["kind"] != _ROW])
        return _attach(events.index, _label_rows(records[records["kind"] == _ROW], labels))

    dask, dd, _ = dask_modules()
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
    # the local clusters and the core sites near tile edges are few: one task joins them
    # (a dask merge of the halo and band records cost more than the whole join)
    labels = dask.delayed(_resolve_records, pure=True)(records[kind != _ROW])
    rows = records[kind == _ROW][["part", "pos", "tile", "comp"]]  # held until resolved
    labelled = rows.map_partitions(
        _label_rows,
        labels,
        meta=pd.DataFrame({c: pd.Series(dtype="int64") for c in ("part", "pos", "cluster")}),
    )
    by_part = labelled.set_index("part", divisions=tuple(range(events.npartitions + 1)))
    meta_out = pd.Series(index=meta.index, name="cluster", dtype="int64")
    return dd.map_partitions(_attach, events.index, by_part, meta=meta_out, align_dataframes=False)
