"""Density clustering of strike reports: :func:`cluster_strikes` and :func:`k_distance`.

The exact geodesic DBSCAN behind both, and why it is exact, is in
:mod:`borderstrikes.clustering.dbscan`.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from borderstrikes._core.lazy import is_lazy, lazy_layer
from borderstrikes._core.validate import as_geoseries, check_integer, point_lonlat
from borderstrikes.clustering.dbscan import Dbscan, Sites, canonical_labels, site_k_distance_m
from borderstrikes.clustering.inputs import check_options, cluster_rows, warn_rows
from borderstrikes.strikes import NOT_STRIKE_EVIDENCE, is_strike_report

__all__ = ["DEFAULT_EPS_KM", "DEFAULT_MIN_SAMPLES", "cluster_strikes", "k_distance"]

DEFAULT_EPS_KM = 20.0
"""Default neighbourhood radius (km) for the packaged reports; see :func:`k_distance`."""

DEFAULT_MIN_SAMPLES = 3
"""Default ``min_samples`` for the packaged reports; see :func:`k_distance`."""


def cluster_strikes(
    strikes: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    eps_km: float,
    min_samples: int = 3,
    time_eps_hours: float | None = None,
    weight: str | ArrayLike | None = None,
    time_column: str = "date",
    exclude_evidence: Iterable[str] = NOT_STRIKE_EVIDENCE,
) -> pd.Series:
    """Cluster strike reports with DBSCAN (or ST-DBSCAN) on geodesic distance.

    Two reports are neighbours when the geodesic distance between them on the
    WGS84 ellipsoid is at most ``eps_km`` and, in space-time mode, when their
    time intervals are at most ``time_eps_hours`` apart. A report is a *core*
    report when the weight of its neighbours, itself included, reaches
    ``min_samples``. Clusters are the connected groups of core reports plus the
    non-core reports within reach of one (*border* reports); everything else
    is noise (``-1``).

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame or geopandas.GeoSeries
        Point geometries with a CRS (any CRS; converted to EPSG:4326).
    eps_km : float
        Neighbourhood radius, geodesic kilometres; finite and > 0. For the
        packaged reports use :data:`DEFAULT_EPS_KM`.
    min_samples : int, default 3
        Weight (report count by default) a neighbourhood needs, the report
        itself included, to make the report core; >= 1.
    time_eps_hours : float or None, default None
        If given (>= 0), run ST-DBSCAN: neighbours must also be at most this
        many hours apart in time (see Notes).
    weight : str, array-like or None, default None
        Sample weight of each report: a column name or one value per row
        (finite, >= 0). ``min_samples`` is compared with summed weights.
        ``None`` gives every report weight 1.
    time_column : str, default "date"
        Column of dates or timestamps used when ``time_eps_hours`` is set;
        ``<time_column>_start`` and ``<time_column>_end`` (``date_start`` and
        ``date_end`` by default), where present, give a report's first and
        last day (see Notes).
    exclude_evidence : tuple of str, default ("displacement_only", "denial")
        Reports whose ``evidence`` column holds one of these values are not
        clustered and get ``-1``: a displacement or a denial is not a strike
        location. Ignored when there is no ``evidence`` column. Pass ``()`` to
        cluster every report.

    Returns
    -------
    pandas.Series
        ``int64`` cluster label per report, named ``"cluster"``, with the index
        of ``strikes``; ``-1`` is noise. Clusters are numbered ``0, 1, ...`` by
        descending number of reports, ties broken by the smallest
        ``(lon, lat)`` among their reports (then start and end time).

    Raises
    ------
    ValueError
        For a bad parameter, a missing weight or time column, or weights that
        are negative or not finite.
    borderstrikes.errors.CRSError
        If ``strikes`` has no CRS.
    borderstrikes.errors.GeometryError
        If a geometry is not a point.

    Warns
    -----
    borderstrikes.errors.BorderstrikesWarning
        Rows with a missing or empty geometry (or, in space-time mode, a missing
        time) cannot be placed; they get ``-1`` and the warning names them.

    See Also
    --------
    describe_clusters : One summary row per cluster.
    k_distance : Distance to the k-th nearest report, to choose ``eps_km``.

    Notes
    -----
    *Exactness.* Neighbourhoods are decided on the geodesic distance itself:
    pairs are screened in Earth-centred Cartesian coordinates with a proven
    chord-to-arc bound, and the few pairs the bound cannot settle (those
    within about ``eps_km**3 / 24 / 6335**2`` km of the threshold) are measured
    with :meth:`pyproj.Geod.inv`. The result is therefore that of DBSCAN on
    the geodesic distance, across the antimeridian and at any latitude. See the
    module documentation for the proof.

    *Co-located reports.* Reports at identical coordinates (and, in
    space-time mode, identical intervals) are merged into one weighted point
    for speed; they all get the same label and all count towards
    ``min_samples``. No report is dropped.

    *Border reports.* A non-core report within reach of several clusters joins
    the cluster of its nearest core report (geodesic distance; in space-time
    mode ties are broken by the smaller time gap); remaining ties go to the
    core report with the smallest ``(lon, lat)`` (then start, end). The labels
    therefore do not depend on the row order.

    *Time intervals* (space-time mode). Each report covers an interval of local
    wall-clock time, ``[start, end)``; two reports are neighbours in time when
    the gap between their intervals is at most ``time_eps_hours`` (0 when they
    overlap or touch). The interval of a report is, in this order:

    1. ``date_start`` to ``date_end`` (the first and last day, inclusive:
       from 00:00 of the first day to 24:00 of the last), when the row has
       both. An ACLED event of month precision spans its month, a UCDP event
       its ``date_start``..``date_end``. A value with a time of day other than
       midnight is used as that instant instead of the day boundary. If both
       are the day of ``time_column``, rule 2 applies instead, so that a
       time of day is used. (With another ``time_column``, the columns are
       ``<time_column>_start`` and ``<time_column>_end``.)
    2. ``time_column`` otherwise: a value at exactly midnight is a date, the
       whole day ``[00:00, 24:00)``; any other time of day is an instant. On a
       date, a ``time_local`` column holding ``"HH:MM"`` (an instant) or
       ``"HH:MM-HH:MM"`` (a range, hyphen or en dash; an end before the start
       crosses midnight) narrows the day to that time; any other text
       (``"~23:00"``, ``"night"``, ``"00:48-02:48 (approx.)"``) leaves the
       whole day.

    So two date-only reports on the same day are always neighbours in time, a
    report at 23:00 on the 13th is 0 h from a date-only report on the 13th and
    1 h from one on the 14th, date-only reports on consecutive days touch
    (gap 0), and a month-precision report is 0 h from any report inside that
    month. Timezones are dropped (wall time is kept). A row whose
    ``date_end`` is before its ``date_start`` raises ``ValueError``.

    Examples
    --------
    Three reports within a few kilometres and one 40 km away:

    >>> import geopandas as gpd
    >>> pts = gpd.GeoSeries.from_xy(
    ...     [45.67, 45.66, 45.68, 45.90], [39.84, 39.80, 39.85, 40.18], crs="EPSG:4326"
    ... )
    >>> cluster_strikes(pts, eps_km=10, min_samples=3).tolist()
    [0, 0, 0, -1]

    On the packaged reports, with the documented defaults:

    >>> strikes = bs.load_strikes()
    >>> labels = cluster_strikes(
    ...     strikes, eps_km=DEFAULT_EPS_KM, min_samples=DEFAULT_MIN_SAMPLES
    ... )
    >>> sorted(set(strikes.loc[labels == labels[strikes["place"] == "Jermuk"].iloc[0], "place"]))
    ['Jermuk', 'Kechut Reservoir']
    """
    if is_lazy(strikes):
        return lazy_layer().cluster_strikes_partitioned(
            strikes, eps_km=eps_km, min_samples=min_samples, time_eps_hours=time_eps_hours,
            weight=weight, time_column=time_column, exclude_evidence=exclude_evidence,
        )  # fmt: skip
    options = check_options(
        eps_km, min_samples, time_eps_hours, weight, time_column, exclude_evidence
    )
    as_geoseries(strikes, "strikes")
    rows = cluster_rows(strikes, options)
    use = rows.use
    out = np.full(len(use), -1, dtype=np.int64)
    if use.any():
        sites = Sites(
            rows.lon[use],
            rows.lat[use],
            rows.weight[use],
            None if rows.t0 is None else rows.t0[use],
            None if rows.t1 is None else rows.t1[use],
        )
        dbscan = Dbscan(sites, options.eps_km * 1000.0, options.min_samples, options.time_eps_ns)
        out[use] = canonical_labels(dbscan.run(), sites)[sites.inverse]
    return pd.Series(out, index=strikes.index.copy(), name="cluster", dtype="int64")


def k_distance(
    strikes: gpd.GeoDataFrame | gpd.GeoSeries,
    k: int,
    *,
    exclude_evidence: Iterable[str] = NOT_STRIKE_EVIDENCE,
) -> pd.Series:
    """Geodesic distance from each report to its k-th nearest other report.

    A report is a core report of :func:`cluster_strikes` with
    ``min_samples=k + 1`` (unit weights, spatial mode) exactly when its
    k-distance is at most ``eps_km``. Sorted in descending order, the values
    draw the usual "k-distance curve": a knee in the curve marks a radius
    below which most reports have ``k`` neighbours.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame or geopandas.GeoSeries
        Point geometries with a CRS.
    k : int
        Rank of the neighbour (>= 1). Other reports at the same coordinates
        count, at distance 0.
    exclude_evidence : tuple of str, default ("displacement_only", "denial")
        As in :func:`cluster_strikes`: those reports are neither measured
        nor counted as neighbours.

    Returns
    -------
    pandas.Series
        ``float64`` distances in kilometres on the WGS84 ellipsoid, named
        ``"k_distance_km"``, indexed like ``strikes`` (not sorted; use
        ``.sort_values(ascending=False)`` for the curve). NaN for excluded
        reports, reports without geometry, and when fewer than ``k`` other
        reports are left.

    Raises
    ------
    ValueError
        If ``k`` is not an integer >= 1.

    Warns
    -----
    borderstrikes.errors.BorderstrikesWarning
        Rows with a missing or empty geometry (they get NaN).

    See Also
    --------
    cluster_strikes : DBSCAN on geodesic distance.

    Notes
    -----
    Read the sorted curve for its knee: ``eps_km`` just above the knee puts
    every report before it in a cluster. Reports of one place share one
    point, so on report data the curve is a staircase of distances between
    named places. How the defaults :data:`DEFAULT_EPS_KM` and
    :data:`DEFAULT_MIN_SAMPLES` were chosen on the packaged reports (the
    curve, and the range of ``eps_km`` over which the clusters do not change)
    is computed in ``notebooks/01_september_2022.ipynb``, where the tests
    execute it.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoSeries.from_xy([45.0, 45.0, 45.1], [40.0, 40.0, 40.0], crs="EPSG:4326")
    >>> k_distance(pts, 1).round(3).tolist()
    [0.0, 0.0, 8.539]
    >>> k_distance(pts, 2).round(3).tolist()
    [8.539, 8.539, 8.539]

    The curve of the packaged reports:

    >>> curve = k_distance(bs.load_strikes(), 2).sort_values(ascending=False)
    >>> curve.round(1).head(4).tolist()
    [33.8, 33.8, 16.3, 12.4]
    """
    k = check_integer(k, "k", minimum=1)
    as_geoseries(strikes, "strikes")
    lon, lat = point_lonlat(strikes, "strikes")
    excluded = ~is_strike_report(strikes, exclude_evidence=exclude_evidence)
    missing = np.isnan(lon) | np.isnan(lat)
    if (missing & ~excluded).any():
        warn_rows(strikes.index, missing & ~excluded, "no (or an empty) geometry")
    use = ~(excluded | missing)
    out = np.full(len(lon), np.nan)
    if use.any():
        sites = Sites(lon[use], lat[use], np.ones(int(use.sum())), None, None)
        out[use] = site_k_distance_m(sites, k)[sites.inverse] / 1000.0
    return pd.Series(out, index=strikes.index.copy(), name="k_distance_km", dtype="float64")
