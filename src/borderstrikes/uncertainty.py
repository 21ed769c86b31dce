"""How location uncertainty of strike reports carries into distances and clusters.

A report's point is where the source's place lies, not where a shell landed.
The model used here: the true location is **uniform in the geodesic disc of
radius** ``location_radius_m`` around the reported point (the column of the
strike table, set from the report's ``location_precision``; see
``data/STRIKES_SCHEMA.md``). :func:`distance_interval` turns that into an
interval of the signed distance to the border and a probability that the
event lay inside the reference country; :func:`cluster_stability` re-runs the
clustering on perturbed locations.

Precision codes of other event datasets map onto ``location_precision``
through :mod:`borderstrikes.io.codebooks`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from borderstrikes import defaults
from borderstrikes._core.constants import GEOD
from borderstrikes._core.deprecate import renamed_arguments
from borderstrikes._core.lazy import is_lazy, lazy_layer
from borderstrikes._core.validate import (
    WGS84,
    as_geoseries,
    check_integer,
    check_number,
    point_lonlat,
)
from borderstrikes.border import distance_to_border, prepare_border, prepare_countries
from borderstrikes.clustering import cluster_strikes
from borderstrikes.io.codebooks import PRECISION_FROM_ACLED, PRECISION_FROM_UCDP
from borderstrikes.strikes import NOT_STRIKE_EVIDENCE, PRECISION_RADIUS_M, is_strike_report

__all__ = [
    "PRECISION_FROM_ACLED",
    "PRECISION_FROM_UCDP",
    "cluster_stability",
    "distance_interval",
    "location_radius_m",
]


#: Monte Carlo points drawn and measured at once by distance_interval and cluster_stability.
_MAX_SAMPLES = 500_000
#: Largest ``n`` of distance_interval: a report's ``n`` distances are kept to take exact
#: percentiles (about 25 bytes a sample, 25 MB at the cap), whatever the blocks.
_MAX_N = 1_000_000


def location_radius_m(strikes: gpd.GeoDataFrame) -> pd.Series:
    """Radius of the uncertainty disc of each report, in metres.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame
        Reports with a ``location_radius_m`` column, or else a
        ``location_precision`` column (mapped through
        :data:`borderstrikes.strikes.PRECISION_RADIUS_M`).

    Returns
    -------
    pandas.Series
        float64, indexed like ``strikes``, named ``location_radius_m``. A
        missing ``location_radius_m`` falls back on the precision's default.

    Raises
    ------
    ValueError
        If neither column is present, a precision is unknown, a radius is
        negative, or a radius cannot be determined for a row.

    Examples
    --------
    >>> location_radius_m(bs.load_strikes()).describe()[["min", "max"]].tolist()
    [2000.0, 25000.0]
    """
    columns = getattr(strikes, "columns", ())
    radius = pd.Series(np.nan, index=strikes.index, name="location_radius_m", dtype="float64")
    if "location_radius_m" in columns:
        radius = pd.to_numeric(strikes["location_radius_m"], errors="coerce").astype("float64")
        radius = radius.rename("location_radius_m")
    if "location_precision" in columns:
        precision = strikes["location_precision"]
        unknown = sorted(set(precision.dropna()) - set(PRECISION_RADIUS_M))
        if unknown:
            msg = (
                f"location_precision must be one of {list(PRECISION_RADIUS_M)!r} (got {unknown!r})."
            )
            raise ValueError(msg)
        radius = radius.fillna(precision.map(dict(PRECISION_RADIUS_M)).astype("float64"))
    elif "location_radius_m" not in columns:
        msg = (
            "strikes needs a location_radius_m or a location_precision column to say how "
            "well each point locates its report (see data/STRIKES_SCHEMA.md)."
        )
        raise ValueError(msg)
    bad = radius.isna() | (radius < 0)
    if bad.any():
        labels = list(radius.index[bad][:5])
        msg = (
            f"location_radius_m must be a number >= 0 for every report; rows {labels!r} have "
            "none or a negative one."
        )
        raise ValueError(msg)
    return radius


def _samples(
    lon: np.ndarray, lat: np.ndarray, radius_m: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points per row, uniform in the geodesic disc around it; shape (rows, n)."""
    rows = len(lon)
    azimuth = rng.uniform(0.0, 360.0, (rows, n))
    distance = radius_m[:, None] * np.sqrt(rng.uniform(0.0, 1.0, (rows, n)))
    lon0, lat0 = np.repeat(lon, n), np.repeat(lat, n)
    slon, slat, _ = GEOD.fwd(lon0, lat0, azimuth.ravel(), distance.ravel())
    still = distance.ravel() == 0.0  # exact points stay exactly where they are
    slon = np.where(still, lon0, slon)
    slat = np.where(still, lat0, slat)
    return slon.reshape(rows, n), slat.reshape(rows, n)


class _RowStreams:
    """The random numbers :func:`_samples` draws for a block of rows of a larger table.

    In one piece, one generator serves the located rows block after block
    (blocks of ``step`` rows): for each block, the azimuths of its rows
    (``n`` per row), then their distances. For rows ``first, first + 1, ...``
    of one block, the first call of :meth:`uniform` therefore starts where
    the block's azimuths of row ``first`` start, and the second call where
    its distances do (PCG64, the generator of :func:`numpy.random.default_rng`,
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
            msg = "_samples drew more than twice; update _RowStreams."
            raise RuntimeError(msg)
        bits = np.random.PCG64(self._seed)
        bits.advance(self._skips.pop(0))
        return np.random.Generator(bits).uniform(low, high, size)


class _Drawn:
    """Hand :func:`_samples` random numbers drawn beforehand, in the order it asks for them.

    A row with more samples than :data:`_MAX_SAMPLES` is measured in chunks:
    its azimuths and distances are drawn once, as :func:`_samples` would draw
    them for the whole row, and each chunk takes its slice of both, so that
    the result does not depend on the chunks.
    """

    def __init__(self, *draws: np.ndarray) -> None:
        self._draws = list(draws)

    def uniform(self, low: float, high: float, size: tuple[int, int]) -> np.ndarray:
        if not self._draws or self._draws[0].shape != tuple(size):  # pragma: no cover
            msg = "_samples drew other numbers than _Drawn holds; update _Drawn."
            raise RuntimeError(msg)
        return self._draws.pop(0)


def _row_in_chunks(
    lon: np.ndarray,
    lat: np.ndarray,
    radius_m: np.ndarray,
    n: int,
    draw: Any,
    measure: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """``measure`` of ``n`` samples of one row, at most :data:`_MAX_SAMPLES` at a time.

    Draws exactly the random numbers of ``_samples(lon, lat, radius_m, n, draw)``
    (the row's ``n`` azimuths, then its ``n`` distances), so that the result
    equals measuring all ``n`` samples at once.
    """
    azimuth = draw.uniform(0.0, 360.0, (1, n))
    unit = draw.uniform(0.0, 1.0, (1, n))
    sampled = np.empty(n)
    inside = np.empty(n, dtype=bool)
    chunk = max(1, _MAX_SAMPLES)
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        slon, slat = _samples(lon, lat, radius_m, b - a, _Drawn(azimuth[:, a:b], unit[:, a:b]))
        sampled[a:b], inside[a:b] = measure(slon.ravel(), slat.ravel())
    return sampled, inside


def shared_seed(seed: Any) -> Any:
    """Return a seed every piece of a table can rebuild the same generator from.

    None draws one fresh seed now (for all pieces); an integer >= 0 or a
    :class:`numpy.random.SeedSequence` is returned as it is.

    Raises
    ------
    ValueError
        For any other seed (a Generator cannot be rebuilt in another process).

    Examples
    --------
    >>> shared_seed(7)
    7
    """
    if seed is None:
        return np.random.SeedSequence().entropy
    if isinstance(seed, np.random.SeedSequence) or (
        isinstance(seed, int | np.integer) and not isinstance(seed, bool) and seed >= 0
    ):
        return seed
    msg = (
        f"seed must be None, an integer >= 0 or a numpy SeedSequence to sample a table in "
        f"pieces (got {seed!r}): every piece rebuilds the generator from it."
    )
    raise ValueError(msg)


def _check_position(position: Any, rows: int) -> tuple[int, int]:
    """``stream_position`` as ``(first, total)``, room for ``rows`` located rows."""
    try:
        first, total = (int(v) for v in position)
    except (TypeError, ValueError):
        first, total = -1, -1
    if first < 0 or first + rows > total:
        msg = (
            "stream_position must be (located rows before these, located rows in the whole "
            f"table) with room for the {rows} located rows here (got {position!r})."
        )
        raise ValueError(msg)
    return first, total


_COLUMNS = ["distance_km", "distance_p5_km", "distance_p50_km", "distance_p95_km", "p_inside"]


def _random_source(
    seed: Any, stream_position: tuple[int, int] | None, rows: int
) -> tuple[int, int, Any, np.random.Generator | None]:
    """Where these rows start in the whole table, its size, the seed and a generator.

    Without ``stream_position`` the rows are the whole table and one generator
    draws for all of them; with it, each block draws from its own stream
    (:class:`_RowStreams`) so that pieces equal the whole.
    """
    if stream_position is None:
        return 0, rows, seed, np.random.default_rng(seed)
    if seed is None:
        msg = (
            "seed=None cannot be used with stream_position: draw one seed for all pieces "
            "(numpy.random.SeedSequence().entropy) and pass it to each."
        )
        raise ValueError(msg)
    first, total = _check_position(stream_position, rows)
    return first, total, shared_seed(seed), None


@renamed_arguments(reference="country")
def distance_interval(
    strikes: gpd.GeoDataFrame,
    *,
    n: int = 1000,
    seed: int | None = 0,
    border: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    country: str = defaults.COUNTRY,
    countries: gpd.GeoDataFrame | None = None,
    stream_position: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Interval of each report's signed distance to the border, from its location radius.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame
        Point reports (any CRS) with ``location_radius_m`` or
        ``location_precision`` (see :func:`location_radius_m`).
    n : int, default 1000
        Monte Carlo samples per report, at most 1,000,000.
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives the
        same result.
    border : geopandas.GeoSeries or geopandas.GeoDataFrame, optional
        Border lines; default the shipped ARM-AZE border (as
        :func:`borderstrikes.border.distance_to_border`).
    country : str, default "ARM"
        Country whose side counts as positive (inside). (Called ``reference``
        before 0.2; that name still works, with a FutureWarning.)
    countries : geopandas.GeoDataFrame, optional
        Country polygons that decide the side (as in
        :func:`~borderstrikes.border.distance_to_border`); default the shipped ones.
    stream_position : (int, int), optional
        For a table sampled in pieces with one seed: the number of located
        reports (with a point) before these ones, and in the whole table.
        Each piece then draws exactly the random numbers the whole table
        would draw for its rows, so that the pieces put together equal the
        whole (the dask layer uses this per partition). ``seed`` must then be
        an integer >= 0 or a :class:`numpy.random.SeedSequence`. Default:
        ``strikes`` is the whole table.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``strikes``: ``location_radius_m``, ``distance_km``
        (signed distance of the reported point), ``distance_p5_km``,
        ``distance_p50_km``, ``distance_p95_km`` (percentiles of the signed
        distance of the true location under the model; positive inside
        ``country``) and ``p_inside`` (probability that the true location
        lies inside ``country``). Rows without a point give NaN.

    Raises
    ------
    ValueError
        If ``n`` is not an integer from 1 to 1,000,000, radii are missing (see
        :func:`location_radius_m`), or ``stream_position`` or its ``seed`` is unusable.
    CRSError, GeometryError
        If ``strikes`` has no CRS or holds non-point geometries.

    Notes
    -----
    Model: the true location is uniform in the geodesic disc of radius
    ``location_radius_m`` around the point. Samples take a uniform azimuth
    and a distance ``radius * sqrt(u)``, ``u`` uniform in [0, 1), and are
    placed with :meth:`pyproj.Geod.fwd`; this is uniform in area to within
    ``(r/R)**2 / 6`` (3e-6 at 25 km). With
    ``n = 1000`` the Monte Carlo error of ``p_inside`` is at most
    ``0.5 / sqrt(n)`` ≈ 0.016 (one standard error). Reports are perturbed
    independently, even when they name the same place. A sample that falls in
    no shipped country (water that OpenStreetMap assigns to neither side, such
    as Lake Sev) has no signed distance; it is left out of the percentiles and
    counts as not inside ``country`` for ``p_inside``.

    Memory is bounded whatever the size of the table: samples are drawn and
    measured (:func:`~borderstrikes.border.distance_to_border`) in blocks of
    whole reports of at most 500,000 points, and a report with more samples
    than that is measured in chunks of 500,000 with the random numbers drawn
    for it as a whole, so that its result does not depend on the chunks. The
    ``n`` signed distances of one report are kept to take exact percentiles,
    hence the cap on ``n`` (1,000,000 samples, about 25 MB). The blocks of
    reports follow the table, not the pieces it is cut into, so that pieces
    sampled with ``stream_position`` still equal the whole.

    Examples
    --------
    >>> strikes = bs.load_strikes()
    >>> interval = distance_interval(strikes, n=200)
    >>> row = interval.loc[strikes["place"] == "Jermuk"].iloc[0]
    >>> bool(row["distance_p5_km"] < row["distance_p50_km"] < row["distance_p95_km"])
    True
    >>> float(row["p_inside"])
    1.0
    """
    if is_lazy(strikes):
        return lazy_layer().distance_interval(
            strikes, n=n, seed=seed, border=border, country=country, countries=countries
        )

    n = check_integer(n, "n", minimum=1)
    if n > _MAX_N:
        msg = (
            f"n must be an integer from 1 to {_MAX_N:,} (got {n!r}): the n signed distances "
            f"of a report are kept to take its percentiles. {_MAX_N:,} samples put the Monte "
            f"Carlo error of p_inside below {0.5 / math.sqrt(_MAX_N):.4f}."
        )
        raise ValueError(msg)
    radius = location_radius_m(strikes).to_numpy()
    lon, lat = point_lonlat(strikes, "strikes")
    ok = ~np.isnan(lon)
    rows = int(ok.sum())
    lon, lat, radius_ok = lon[ok], lat[ok], radius[ok]
    first, total, seed, rng = _random_source(seed, stream_position, rows)
    border = prepare_border(border)  # indexed once, not once per block of samples
    countries = prepare_countries(countries)

    def signed_km(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=WGS84)
        found = distance_to_border(
            points, border, signed=True, country=country, countries=countries
        )
        side = found["side"].to_numpy(dtype=object) == country
        return found["signed_distance_km"].to_numpy(dtype=float), side

    signed, _ = signed_km(lon, lat)
    # Samples go in blocks of rows, so that memory stays bounded for any number of rows;
    # blocks are cut at the same rows of the whole table, however it is cut into pieces.
    percentiles = np.full((rows, 3), np.nan)
    p_inside = np.full(rows, np.nan)
    step = max(1, _MAX_SAMPLES // n)
    start = 0
    while start < rows:
        size = min(rows - start, step - (first + start) % step)  # up to the block's end
        block = slice(start, start + size)
        draw = rng if rng is not None else _RowStreams(seed, first + start, total, n, step)
        if n > _MAX_SAMPLES:  # one report per block (step 1), measured in chunks
            sampled, inside = _row_in_chunks(
                lon[block], lat[block], radius_ok[block], n, draw, signed_km
            )
        else:
            slon, slat = _samples(lon[block], lat[block], radius_ok[block], n, draw)
            sampled, inside = signed_km(slon.ravel(), slat.ravel())
        sampled = sampled.reshape(-1, n)
        with warnings.catch_warnings():  # a row whose samples all lack a side stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            percentiles[block] = np.nanpercentile(sampled, [5, 50, 95], axis=1).T
        p_inside[block] = inside.reshape(-1, n).mean(axis=1)
        start += size
    values = np.full((ok.size, 5), np.nan)
    values[ok] = np.column_stack([signed, percentiles, p_inside])
    out = pd.DataFrame(values, index=as_geoseries(strikes, "strikes").index, columns=_COLUMNS)
    out.insert(0, "location_radius_m", radius)
    return out


def _singletons(labels: np.ndarray) -> np.ndarray:
    """Labels with every noise point (-1) turned into its own group."""
    out = labels.astype(np.int64).copy()
    noise = out < 0
    out[noise] = -1 - np.flatnonzero(noise)
    return out


def _jaccard(base: np.ndarray, run: np.ndarray) -> np.ndarray:
    """Per row: Jaccard index of its co-member sets under two labellings."""
    _, base_id, base_size = np.unique(base, return_inverse=True, return_counts=True)
    _, run_id, run_size = np.unique(run, return_inverse=True, return_counts=True)
    pairs = base_id.astype(np.int64) * (run_id.max() + 1) + run_id
    _, pair_id, pair_size = np.unique(pairs, return_inverse=True, return_counts=True)
    inter = pair_size[pair_id]
    return inter / (base_size[base_id] + run_size[run_id] - inter)


def cluster_stability(
    strikes: gpd.GeoDataFrame,
    *,
    n: int = 100,
    seed: int | None = 0,
    threshold: float = 0.5,
    **cluster_kwargs: Any,
) -> pd.DataFrame:
    """How often each report keeps its cluster when locations are perturbed.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame
        Point reports with ``location_radius_m`` or ``location_precision``.
    n : int, default 100
        Number of perturbed runs.
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`.
    threshold : float, default 0.5
        Jaccard index a run must reach to count as keeping the cluster.
    **cluster_kwargs
        Passed to :func:`borderstrikes.clustering.cluster_strikes`
        (``eps_km`` is required).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``strikes``: ``cluster`` (label of the unperturbed run,
        -1 noise), ``stability`` (share of runs whose co-membership Jaccard
        index with the unperturbed run is at least ``threshold``),
        ``mean_jaccard`` and ``p_noise`` (share of runs in which the report
        is noise). NaN for reports the clustering leaves out (excluded
        evidence, no point).

    Raises
    ------
    ValueError
        If ``n`` or ``threshold`` is out of range, or as
        :func:`~borderstrikes.clustering.cluster_strikes`.

    Notes
    -----
    The *co-members* of a report in one run are the reports sharing its
    cluster, itself included; a noise report's co-members are itself alone.
    For report ``i`` with co-members ``S`` unperturbed and ``T`` in a run,
    the Jaccard index is ``|S ∩ T| / |S ∪ T|``. A report that stays noise
    scores 1; a noise report that joins a cluster of k reports scores
    ``1/k``. Each run moves every report independently to a random point of
    its uncertainty disc (the model of :func:`distance_interval`). Warnings
    of the perturbed runs are silenced (the unperturbed run shows them).

    Memory is bounded whatever ``n``: the perturbed locations are drawn for a
    block of runs at a time, at most ``max(500_000, len(strikes))`` points
    (a run needs a location for every report), never ``len(strikes) * n`` at
    once. When ``len(strikes) * n`` is at most 500,000 all runs form one
    block; a larger product draws the same model in several blocks, whose
    random numbers (for the same seed) then depend on the block size.

    Examples
    --------
    >>> from borderstrikes.clustering import DEFAULT_EPS_KM, DEFAULT_MIN_SAMPLES
    >>> strikes = bs.load_strikes()
    >>> stable = cluster_stability(
    ...     strikes, n=20, eps_km=DEFAULT_EPS_KM, min_samples=DEFAULT_MIN_SAMPLES
    ... )
    >>> jermuk = stable.loc[strikes["place"] == "Jermuk", "stability"]
    >>> bool(jermuk.between(0, 1).all())
    True
    """
    n = check_integer(n, "n", minimum=1)
    threshold = check_number(threshold, "threshold", maximum=1.0)
    if "eps_km" not in cluster_kwargs:
        msg = "cluster_stability needs eps_km=... for cluster_strikes."
        raise ValueError(msg)
    base = cluster_strikes(strikes, **cluster_kwargs)
    radius = location_radius_m(strikes).to_numpy()
    lon, lat = point_lonlat(strikes, "strikes")
    excluded = cluster_kwargs.get("exclude_evidence", NOT_STRIKE_EVIDENCE)
    used = ~np.isnan(lon) & is_strike_report(strikes, exclude_evidence=excluded)
    rng = np.random.default_rng(seed)
    base_labels = _singletons(base.to_numpy())
    kept = np.zeros(len(lon))
    total = np.zeros(len(lon))
    noise = np.zeros(len(lon))
    geometry = as_geoseries(strikes, "strikes")
    runs_per_block = max(1, _MAX_SAMPLES // max(1, len(lon)))
    for k in range(n):
        if k % runs_per_block == 0:  # draw the next block of runs
            runs = min(runs_per_block, n - k)
            slon, slat = _samples(np.nan_to_num(lon), np.nan_to_num(lat), radius, runs, rng)
        points = gpd.points_from_xy(slon[:, k % runs_per_block], slat[:, k % runs_per_block])
        moved = gpd.GeoSeries(np.where(used, points, None), index=geometry.index, crs=WGS84)
        frame = (
            strikes.set_geometry(moved.rename(geometry.name))
            if isinstance(strikes, gpd.GeoDataFrame)
            else moved
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = cluster_strikes(frame, **cluster_kwargs).to_numpy()
        jaccard = _jaccard(base_labels, _singletons(labels))
        kept += jaccard >= threshold
        total += jaccard
        noise += labels < 0
    out = pd.DataFrame(
        {
            "cluster": base.to_numpy(),
            "stability": kept / n,
            "mean_jaccard": total / n,
            "p_noise": noise / n,
        },
        index=geometry.index,
    )
    out.loc[~used, ["stability", "mean_jaccard", "p_noise"]] = math.nan
    return out
