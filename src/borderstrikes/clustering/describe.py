"""One summary row per cluster: :func:`describe_clusters`.

Centres, footprints and spread are computed in geodesic polar coordinates
around each cluster's centre (azimuth and distance from
:meth:`pyproj.Geod.inv`, the azimuthal equidistant projection written with
the package's one geodesic solver): exact distances and azimuths from the
centre, one vectorised call per step, no projection object per centre.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from borderstrikes._core.constants import E2, GEOD, WGS84
from borderstrikes._core.validate import as_geoseries, check_option, point_lonlat
from borderstrikes.border import distance_to_border
from borderstrikes.clustering.dbscan import normalise_lon
from borderstrikes.clustering.times import intervals_if_dated
from borderstrikes.geodesy.ellipsoid import ecef
from borderstrikes.geodesy.projection import from_aeqd, to_aeqd

__all__ = ["CONCAVE_HULL_RATIO", "describe_clusters"]

CONCAVE_HULL_RATIO = 0.5
"""``ratio`` passed to :func:`shapely.concave_hull` by ``footprint="concave"``."""

_DENSIFY_M = 500.0  # vertex spacing of footprint edges
_COLUMNS = [
    "name", "n_reports", "n_places", "places", "first_date", "last_date", "first_start",
    "last_end", "centre_lon", "centre_lat", "area_km2", "standard_distance_km", "sde_major_km",
    "sde_minor_km", "sde_angle_deg", "border_min_km", "border_median_km", "border_max_km",
    "geometry",
]  # fmt: skip


def _geodesic_centre(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float]:
    """Point minimising the sum of squared geodesic distances (iterated AEQD mean)."""
    if (lon == lon[0]).all() and (lat == lat[0]).all():
        return float(lon[0]), float(lat[0])
    xyz = ecef(lon, lat).mean(axis=0)
    lon0 = math.degrees(math.atan2(xyz[1], xyz[0]))
    lat0 = math.degrees(math.atan2(xyz[2], (1 - E2) * math.hypot(xyz[0], xyz[1])))
    for _ in range(100):
        x, y = to_aeqd(lon0, lat0, lon, lat)
        mx, my = float(x.mean()), float(y.mean())
        step = math.hypot(mx, my)
        if step < 1e-4:
            break
        lon0, lat0, _ = GEOD.fwd(lon0, lat0, math.degrees(math.atan2(mx, my)), step)
    lon0 = float(normalise_lon(np.array([lon0]))[0])
    return lon0, float(lat0)


def _footprint(
    lon0: float,
    lat0: float,
    x: np.ndarray,
    y: np.ndarray,
    kind: str,
    lon: np.ndarray,
    lat: np.ndarray,
) -> shapely.Geometry:
    """Hull of the reports in the plane around the centre, mapped back to lon/lat."""
    xy = np.unique(np.column_stack((x, y)), axis=0)
    if len(np.unique(np.column_stack((lon, lat)), axis=0)) == 1:
        return shapely.Point(lon[0], lat[0])
    points = shapely.multipoints(xy)
    if kind == "concave":
        hull = shapely.concave_hull(points, ratio=CONCAVE_HULL_RATIO)
    else:
        hull = shapely.convex_hull(points)
    hull = shapely.segmentize(hull, _DENSIFY_M)
    coords = shapely.get_coordinates(hull)
    lon_v, lat_v = from_aeqd(lon0, lat0, coords[:, 0], coords[:, 1])
    return shapely.set_coordinates(hull, np.column_stack((lon_v, lat_v)))


def _name_of(rows: pd.DataFrame, label: int) -> str:
    """Most reported place and its most reported province."""
    if "place" not in rows or rows["place"].isna().all():
        return f"cluster {label}"
    counts = rows["place"].value_counts()
    top = sorted(counts.index[counts == counts.max()])[0]
    if "admin1" not in rows:
        return str(top)
    admin = rows.loc[rows["place"] == top, "admin1"].dropna()
    if admin.empty:
        return str(top)
    admin_counts = admin.value_counts()
    province = sorted(admin_counts.index[admin_counts == admin_counts.max()])[0]
    return f"{top} ({province})"


def _spread(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Semi-axes (m) and azimuth (degrees) of the standard deviational ellipse."""
    cov = np.array([[np.mean(x * x), np.mean(x * y)], [np.mean(x * y), np.mean(y * y)]])
    eigval, eigvec = np.linalg.eigh(cov)
    eigval = np.clip(eigval, 0.0, None)
    major, minor = math.sqrt(eigval[1]), math.sqrt(eigval[0])
    angle = math.degrees(math.atan2(eigvec[0, 1], eigvec[1, 1])) % 180.0
    if major - minor <= 1e-9 * max(major, 1.0):
        angle = math.nan
    return major, minor, angle


def _span(start: np.ndarray, end: np.ndarray, missing: np.ndarray) -> dict[str, pd.Timestamp]:
    """First and last day, first start and last end of the reports' time intervals."""
    if missing.all():
        return dict.fromkeys(("first_date", "last_date", "first_start", "last_end"), pd.NaT)
    first = pd.Timestamp(int(start[~missing].min()))
    last = pd.Timestamp(int(end[~missing].max()))
    last_day = (last - pd.Timedelta(1, "ns")) if last > first else first  # the end is exclusive
    return {
        "first_date": first.normalize(),
        "last_date": last_day.normalize(),
        "first_start": first,
        "last_end": last,
    }


def _summary(
    label: int,
    lon: np.ndarray,
    lat: np.ndarray,
    sub: pd.DataFrame,
    span: tuple[np.ndarray, np.ndarray, np.ndarray],
    border_km: np.ndarray,
    footprint: str,
) -> dict[str, Any]:
    """Summarise one cluster from its reports' coordinates, rows, dates and border distances."""
    lon = normalise_lon(lon)
    lon0, lat0 = _geodesic_centre(lon, lat)
    x, y = to_aeqd(lon0, lat0, lon, lat)
    dist = np.hypot(x, y)
    shape = _footprint(lon0, lat0, x, y, footprint, lon, lat)
    area = (
        abs(GEOD.geometry_area_perimeter(shape)[0]) / 1e6 if shape.geom_type == "Polygon" else 0.0
    )
    major, minor, angle = _spread(x, y)
    if "place" in sub:
        places = sorted(str(p) for p in sub["place"].dropna().unique())
        n_places = len(places)
    else:
        places = []
        n_places = len(np.unique(np.column_stack((lon, lat)), axis=0))
    return {
        "name": _name_of(sub, label),
        "n_reports": len(lon),
        "n_places": n_places,
        "places": places,
        **_span(*span),
        "centre_lon": lon0,
        "centre_lat": lat0,
        "area_km2": area,
        "standard_distance_km": math.sqrt(float(np.mean(dist**2))) / 1000.0,
        "sde_major_km": major / 1000.0,
        "sde_minor_km": minor / 1000.0,
        "sde_angle_deg": angle,
        "border_min_km": float(np.min(border_km)),
        "border_median_km": float(np.median(border_km)),
        "border_max_km": float(np.max(border_km)),
        "geometry": shape,
    }


def describe_clusters(
    strikes: gpd.GeoDataFrame | gpd.GeoSeries,
    labels: pd.Series | ArrayLike,
    *,
    footprint: Literal["convex", "concave"] = "convex",
    border: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    time_column: str = "date",
) -> gpd.GeoDataFrame:
    """Summarise each cluster: name, places, dates, centre, footprint, spread, border.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame or geopandas.GeoSeries
        The reports that were clustered (point geometries with a CRS). The
        columns ``place``, ``admin1`` and ``time_column`` are used when present.
    labels : pandas.Series or array-like of int
        Cluster label per report, ``-1`` for noise, e.g. the result of
        :func:`~borderstrikes.clustering.cluster_strikes`. A Series must have the index
        of ``strikes``.
    footprint : {'convex', 'concave'}, default 'convex'
        Shape of the footprint polygon: the convex hull of the reports, or
        :func:`shapely.concave_hull` with ``ratio=CONCAVE_HULL_RATIO`` (0.5).
    border : geopandas.GeoDataFrame, geopandas.GeoSeries or None, default None
        Border lines for :func:`borderstrikes.border.distance_to_border`;
        ``None`` uses the packaged Armenia–Azerbaijan border.
    time_column : str, default "date"
        Column of dates giving the time span of a cluster, with
        ``<time_column>_start`` and ``<time_column>_end`` (``date_start`` and
        ``date_end``) where present: each report covers the interval that
        :func:`~borderstrikes.clustering.cluster_strikes` uses (Notes there).
        NaT if there are none.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cluster, indexed by cluster label (named ``"cluster"``,
        ascending, noise left out), in EPSG:4326, with columns:

        - ``name`` (str): the most reported place and its province, e.g.
          ``"Jermuk (Vayots Dzor)"``; ties go to the alphabetically first
          place. ``"cluster <label>"`` without a ``place`` column.
        - ``n_reports`` (int), ``n_places`` (int) and ``places`` (sorted list of
          place names; without a ``place`` column, ``n_places`` counts distinct
          locations and ``places`` is empty).
        - ``first_date``, ``last_date`` (datetime64, a day): the first day
          and the last day (inclusive) covered by the reports' intervals, so a
          month-precision report stretches the span to its whole month.
        - ``first_start``, ``last_end`` (datetime64, local wall time): the
          earliest start and the latest end (exclusive) of those intervals;
          a date-only report on the 15th ends at 00:00 on the 16th.
        - ``centre_lon``, ``centre_lat`` (degrees): the geodesic centre.
        - ``area_km2`` (float): geodesic area of the footprint.
        - ``standard_distance_km``: root mean square geodesic distance of the
          reports from the centre.
        - ``sde_major_km``, ``sde_minor_km``, ``sde_angle_deg``: the standard
          deviational ellipse, semi-axes and azimuth of the major axis
          (degrees clockwise from north, in [0, 180); NaN when the ellipse is a
          circle or a point).
        - ``border_min_km``, ``border_median_km``, ``border_max_km``: geodesic
          distance of the reports to the border (unsigned), over reports.
        - ``geometry``: the footprint, a Polygon (a Point for a single-place
          cluster, a LineString when all places lie on a line).

    Raises
    ------
    ValueError
        If ``labels`` does not match ``strikes`` or ``footprint`` is unknown,
        or a clustered row has no geometry.

    See Also
    --------
    borderstrikes.clustering.cluster_strikes : Produces the labels.

    Notes
    -----
    Every report counts once (co-located reports included).

    *Centre.* The point minimising the sum of squared geodesic distances to
    the reports: starting from the normalised mean of their Earth-centred
    coordinates, the centre is moved to the mean of the reports' azimuthal
    equidistant (AEQD) coordinates around it until the step is below 0.1 mm
    (at the minimum that mean is zero).

    *Footprint.* The hull is computed in the AEQD plane around the centre
    (where distances and azimuths from the centre are exact), its edges are
    cut into pieces of at most 500 m and its vertices are mapped back to
    longitude and latitude along geodesics from the centre. Near the
    antimeridian the longitudes stay continuous and may pass ±180°. The area
    is :meth:`pyproj.Geod.geometry_area_perimeter` of that polygon.

    *Spread.* With AEQD coordinates ``(x, y)`` of the reports around the
    centre, the covariance matrix ``mean([[x*x, x*y], [x*y, y*y]])`` has
    eigenvalues ``l1 >= l2``; the semi-axes are ``sqrt(l1)`` and ``sqrt(l2)``
    (one standard deviation, no ``sqrt(2)`` factor), so that
    ``sde_major_km**2 + sde_minor_km**2 == standard_distance_km**2``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(
    ...     {"place": ["A", "A", "B", "C"], "admin1": ["X", "X", "X", "X"]},
    ...     geometry=gpd.points_from_xy([45.0, 45.0, 45.1, 45.0], [40.0, 40.0, 40.0, 40.1]),
    ...     crs="EPSG:4326",
    ... )
    >>> summary = describe_clusters(pts, [0, 0, 0, 0])
    >>> row = summary.loc[0]
    >>> row["name"], int(row["n_reports"]), int(row["n_places"]), row["places"]
    ('A (X)', 4, 3, ['A', 'B', 'C'])
    >>> round(float(summary.loc[0, "area_km2"]), 1)
    47.4

    The clusters of the packaged reports:

    >>> strikes = bs.load_strikes()
    >>> labels = bs.cluster_strikes(strikes, eps_km=20, min_samples=3)
    >>> describe_clusters(strikes, labels)["name"].tolist()
    ['Sotk (Gegharkunik)', 'Goris (Syunik)', 'Jermuk (Vayots Dzor)', 'Kapan (Syunik)']
    """
    check_option(footprint, "footprint", ("convex", "concave"))
    as_geoseries(strikes, "strikes")
    lon, lat = point_lonlat(strikes, "strikes")
    labels = _check_labels(labels, strikes, lon, lat)
    clustered = labels >= 0
    frame = strikes if isinstance(strikes, pd.DataFrame) else pd.DataFrame(index=strikes.index)
    start, end, no_time = intervals_if_dated(frame, time_column)
    border_km = _border_distance_km(lon, lat, clustered, border)
    ids = np.unique(labels[clustered])
    # positions of each cluster's rows, in row order (one sort: linear in clusters x rows)
    order = np.argsort(labels, kind="stable")
    starts = np.searchsorted(labels[order], ids, side="left")
    ends = np.searchsorted(labels[order], ids, side="right")
    records = [
        _summary(
            label,
            lon[rows],
            lat[rows],
            frame.iloc[rows],
            (start[rows], end[rows], no_time[rows]),
            border_km[rows],
            footprint,
        )
        for label, rows in (
            (label, order[start:end])
            for label, start, end in zip(ids.tolist(), starts, ends, strict=True)
        )
    ]
    table = pd.DataFrame.from_records(records, columns=_COLUMNS)
    table.index = pd.Index(ids.astype("int64"), name="cluster")
    return gpd.GeoDataFrame(table, geometry="geometry", crs=WGS84)


def _check_labels(labels: Any, strikes: Any, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Labels as an integer array with one value per row; clustered rows must have a point."""
    if isinstance(labels, pd.Series):
        if not labels.index.equals(strikes.index):
            msg = "labels must have the same index as strikes (as cluster_strikes returns)."
            raise ValueError(msg)
        labels = labels.to_numpy()
    labels = np.asarray(labels)
    if labels.shape != (len(lon),) or not np.issubdtype(labels.dtype, np.integer):
        msg = f"labels must hold one integer per row of strikes ({len(lon)}); got {labels!r}."
        raise ValueError(msg)
    missing = (labels >= 0) & (np.isnan(lon) | np.isnan(lat))
    if missing.any():
        rows = list(strikes.index[missing][:10])
        msg = f"rows {rows!r} have a cluster label but no geometry; give them label -1."
        raise ValueError(msg)
    return labels


def _border_distance_km(
    lon: np.ndarray, lat: np.ndarray, clustered: np.ndarray, border: Any
) -> np.ndarray:
    """Unsigned distance (km) to the border of each clustered report (NaN elsewhere)."""
    out = np.full(len(lon), np.nan)
    if not clustered.any():
        return out
    xy = np.column_stack((lon[clustered], lat[clustered]))
    unique, inverse = np.unique(xy, axis=0, return_inverse=True)
    points = gpd.GeoSeries.from_xy(unique[:, 0], unique[:, 1], crs=WGS84)
    table = distance_to_border(points, border, unit="km")
    out[clustered] = table["distance_km"].to_numpy(dtype=float)[inverse.ravel()]
    return out
