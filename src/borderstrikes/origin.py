"""Where fire came from: bearings, bearing fans (range fans) and their intersection.

:func:`bearing` gives the geodesic azimuth and distance between points.
:func:`bearing_fans` turns impacts with a direction of fire ("from the NNE",
or degrees) and a maximum range into exact geodesic wedges;
:func:`fan_crossings` says which border sections and countries each wedge
reaches and at what distances from the impact; :func:`triangulate` intersects
several wedges into the area most of them agree on, with its size.

Every geometry returned is in EPSG:4326 with plain columns, ready to draw.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.constants import GEOD, UNITS_M, WGS84
from borderstrikes._core.validate import (
    as_geoseries,
    check_number,
    check_option,
    point_lonlat,
    to_wgs84,
)
from borderstrikes.geodesy.azimuth import (
    compass_point,
    compass_sector,
    inverse,
    wedge_rings,
)
from borderstrikes.geodesy.lines import densify_lonlat, line_coords
from borderstrikes.geodesy.projection import from_aeqd, to_aeqd

__all__ = ["bearing", "bearing_fans", "fan_crossings", "triangulate"]


def bearing(
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    unit: str = "km",
) -> pd.DataFrame:
    """Geodesic azimuth and distance from each point to a target.

    Parameters
    ----------
    points : geopandas.GeoDataFrame or geopandas.GeoSeries
        Points in any CRS (converted to EPSG:4326).
    targets : geopandas.GeoDataFrame or geopandas.GeoSeries
        Points in any CRS: one per row of ``points`` (matched by position,
        not by label), or a single point for all of them.
    unit : {'km', 'm', 'nmi'}, default 'km'
        Unit of the distance column.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``points``, with float64 columns ``azimuth_deg`` (the
        direction in which the geodesic leaves the point, degrees clockwise
        from true north, in [0, 360)), ``back_azimuth_deg`` (from the target
        back to the point), ``distance_<unit>``, and ``compass`` (the nearest
        of the 16 compass points of ``azimuth_deg``). Azimuths are NaN for a
        missing point or a target on the point.

    Raises
    ------
    borderstrikes.errors.CRSError
        If an input has no CRS.
    ValueError
        If ``targets`` has neither one row nor as many as ``points``.

    Notes
    -----
    GeographicLib's inverse problem on WGS84 (through :class:`pyproj.Geod`):
    exact to the nanometre, and the azimuths are those of the geodesic, not
    of a rhumb line or a great circle on a sphere.

    Examples
    --------
    >>> import geopandas
    >>> from shapely.geometry import Point
    >>> jermuk = geopandas.GeoSeries([Point(45.6862, 39.8414)], crs="EPSG:4326")
    >>> istisu = geopandas.GeoSeries([Point(45.9486, 39.9467)], crs="EPSG:4326")
    >>> row = bearing(jermuk, istisu).iloc[0]
    >>> round(float(row["azimuth_deg"]), 1), row["compass"], round(float(row["distance_km"]), 1)
    (62.4, 'ENE', 25.3)
    """
    check_option(unit, "unit", UNITS_M)
    lon1, lat1 = point_lonlat(points, "points")
    lon2, lat2 = point_lonlat(targets, "targets")
    if lon2.size not in (1, lon1.size):
        msg = (
            f"targets must hold one point or one per point ({lon1.size}); got {lon2.size}. "
            "Targets are matched to points by position."
        )
        raise ValueError(msg)
    az, back, dist = inverse(lon1, lat1, lon2, lat2)
    frame = pd.DataFrame(
        {
            "azimuth_deg": az,
            "back_azimuth_deg": back,
            f"distance_{unit}": dist / UNITS_M[unit],
            "compass": pd.Series(compass_point(az), dtype=object),
        }
    )
    frame.index = as_geoseries(points, "points").index.copy()
    return frame


def _per_row(value: Any, n: int, name: str, frame: Any) -> list[Any]:
    """Return n values: a scalar repeated, a column of ``frame`` named by ``value``, or a list."""
    if isinstance(value, str) and isinstance(frame, pd.DataFrame) and value in frame.columns:
        return list(frame[value])
    if isinstance(value, (str, int, float, np.number)) or value is None:
        return [value] * n
    values = list(value)
    if len(values) != n:
        msg = f"{name} must be one value or one per row ({n}); got {len(values)}."
        raise ValueError(msg)
    return values


def bearing_fans(
    impacts: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    direction: Any,
    max_range_km: Any,
    min_range_km: Any = 0.0,
    half_width_deg: float | None = None,
    step_m: float = 250.0,
) -> gpd.GeoDataFrame:
    """Geodesic wedges (range fans) from impacts towards where the fire came from.

    Parameters
    ----------
    impacts : geopandas.GeoDataFrame or geopandas.GeoSeries
        Impact points in any CRS. A missing point gives a row with no geometry.
    direction : str, float, sequence or column name
        The direction *the fire came from*, as seen from the impact: a
        compass point (``"NNE"``) or an azimuth in degrees; one for all rows,
        one per row, or the name of a column of ``impacts``.
    max_range_km : float, sequence or column name
        Outer radius of each fan (e.g. the weapon's maximum range), km.
    min_range_km : float, sequence or column name, default 0
        Inner radius (e.g. a minimum range), km.
    half_width_deg : float, optional
        Half-width of every sector; default 11.25 degrees (half a point of
        the 16-point compass, so ``"NNE"`` is 22.5 ± 11.25 degrees).
    step_m : float, default 250
        Largest spacing of the outline's vertices.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, indexed like ``impacts``, with columns ``direction``
        (as given), ``azimuth_deg`` (centre), ``half_width_deg``,
        ``azimuth_from_deg`` and ``azimuth_to_deg`` (the sector, clockwise),
        ``min_range_km``, ``max_range_km``, ``apex_lon``, ``apex_lat``, and
        Polygon geometry.

    Raises
    ------
    ValueError
        If a direction is neither a compass point nor a number, or a range is
        not a positive number (min < max).

    See Also
    --------
    fan_crossings : which border sections and countries each fan reaches.
    triangulate : the area several fans agree on.

    Notes
    -----
    The fan is the set of points whose geodesic from the impact leaves within
    the sector and is between ``min_range_km`` and ``max_range_km`` long.
    Its outline is exact at every vertex: the radial edges are the bounding
    geodesics, sampled every ``step_m`` with
    :meth:`pyproj.Geod.fwd`, and the arcs are points at exactly the range,
    sampled every ``step_m`` along the arc. Between vertices the outline is a
    straight edge in longitude/latitude, off the true boundary by well under a
    metre at the default step.

    Examples
    --------
    >>> import geopandas
    >>> from shapely.geometry import Point
    >>> crater = geopandas.GeoSeries([Point(45.69, 39.84)], crs="EPSG:4326")
    >>> fan = bearing_fans(crater, direction="ENE", max_range_km=15).iloc[0]
    >>> float(fan["azimuth_from_deg"]), float(fan["azimuth_to_deg"]), fan.geometry.geom_type
    (56.25, 78.75, 'Polygon')
    """
    lon, lat = point_lonlat(impacts, "impacts")
    step_m = check_number(step_m, "step_m", unit="metres")
    n = lon.size
    directions = _per_row(direction, n, "direction", impacts)
    outer = _per_row(max_range_km, n, "max_range_km", impacts)
    inner = _per_row(min_range_km, n, "min_range_km", impacts)
    rows, geoms = [], []
    for i in range(n):
        centre, half = compass_sector(directions[i], half_width_deg=half_width_deg)
        r1 = check_number(outer[i], "max_range_km", unit="km")
        r0 = check_number(inner[i], "min_range_km", unit="km", strict=False, maximum=r1)
        if r0 >= r1:
            msg = f"min_range_km must be below max_range_km (got {r0} and {r1})."
            raise ValueError(msg)
        start = float((centre - half) % 360.0)
        rows.append(
            {
                "direction": directions[i],
                "azimuth_deg": centre,
                "half_width_deg": half,
                "azimuth_from_deg": start,
                "azimuth_to_deg": float((centre + half) % 360.0),
                "min_range_km": r0,
                "max_range_km": r1,
                "apex_lon": lon[i],
                "apex_lat": lat[i],
            }
        )
        if not (np.isfinite(lon[i]) and np.isfinite(lat[i])):
            geoms.append(None)
            continue
        shell, hole = wedge_rings(
            lon[i], lat[i], start, 2.0 * half, r1 * 1000.0, min_m=r0 * 1000.0, step_m=step_m
        )
        geoms.append(shapely.Polygon(shell, None if hole is None else [hole]))
    columns = list(rows[0]) if rows else [
        "direction", "azimuth_deg", "half_width_deg", "azimuth_from_deg", "azimuth_to_deg",
        "min_range_km", "max_range_km", "apex_lon", "apex_lat",
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=columns)
    table["direction"] = table["direction"].astype(object)
    table.index = as_geoseries(impacts, "impacts").index.copy()
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, index=table.index), crs=WGS84)


def _apex_distances_km(lon0: float, lat0: float, geom: Any, step_m: float) -> tuple[float, float]:
    """Nearest and farthest geodesic distance (km) from the apex to a line or area."""
    coords = [densify_lonlat(c, step_m) for c in line_coords(geom)]
    if not coords:
        return np.nan, np.nan
    pts = np.vstack(coords)
    _, _, dist = inverse(lon0, lat0, pts[:, 0], pts[:, 1])
    nearest = float(np.nanmin(dist))
    if geom.geom_type in {"Polygon", "MultiPolygon"} and geom.covers(shapely.Point(lon0, lat0)):
        nearest = 0.0
    return nearest / 1000.0, float(np.nanmax(dist)) / 1000.0


def _fans_wgs(fans: gpd.GeoDataFrame) -> gpd.GeoSeries:
    missing = {"apex_lon", "apex_lat"} - set(fans.columns)
    if missing:
        msg = f"fans must be the output of bearing_fans (missing columns {sorted(missing)!r})."
        raise ValueError(msg)
    return to_wgs84(fans, "fans")


def fan_crossings(
    fans: gpd.GeoDataFrame,
    *,
    border: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    step_m: float = 100.0,
) -> pd.DataFrame:
    """Which border sections and countries each fan reaches, and how far from the impact.

    Parameters
    ----------
    fans : geopandas.GeoDataFrame
        The output of :func:`bearing_fans`.
    border : geopandas.GeoDataFrame, optional
        Border lines with ``section`` (and ``country_a``/``country_b``)
        columns, any CRS. Default: the shipped Armenia-Azerbaijan border.
    countries : geopandas.GeoDataFrame, optional
        Country polygons with an ``iso3`` column, any CRS. Default: the
        shipped admin-0 countries.
    step_m : float, default 100
        Spacing at which the crossed lines and outlines are sampled for the
        distances.

    Returns
    -------
    pandas.DataFrame
        One row per fan and feature reached, in the order of ``fans``:
        ``fan`` (the fan's index label), ``kind`` (``'section'`` or
        ``'country'``), ``name`` (section name or ISO3 code),
        ``country_a``/``country_b`` (the section's countries; None for a
        country row), ``nearest_km`` and ``farthest_km`` (geodesic distance
        from the impact to the nearest and farthest point of the feature
        inside the fan; 0 when the impact is in the country), and
        ``length_km`` (border length inside the fan) or ``area_km2`` (country
        area inside the fan), geodesic on WGS84. Fans reaching nothing have no
        row.

    Notes
    -----
    Intersections are taken in longitude/latitude with the fan's densified
    outline; the distances are geodesic from the apex to the intersection's
    vertices, densified to ``step_m``, so they are within about ``step_m``
    of the exact nearest distance along a line (and exact at vertices).

    Examples
    --------
    >>> import geopandas
    >>> from shapely.geometry import Point
    >>> jermuk = geopandas.GeoSeries([Point(45.6862, 39.8414)], crs="EPSG:4326")
    >>> fans = bearing_fans(jermuk, direction="NE", max_range_km=20)
    >>> hits = fan_crossings(fans)
    >>> hits[hits["kind"] == "section"][["name", "country_b"]].values.tolist()
    [['main', 'AZE']]
    >>> near = hits.loc[hits["kind"] == "section", "nearest_km"].iloc[0]
    >>> round(float(near), 2), round(float(bs.distance_to_border(jermuk)["distance_km"].iloc[0]), 2)
    (10.92, 10.92)
    """
    wgs = _fans_wgs(fans)
    step_m = check_number(step_m, "step_m", unit="metres")
    lines = defaults.border(border)
    line_geoms = to_wgs84(lines, "border")
    polys = defaults.countries(countries)
    poly_geoms = to_wgs84(polys, "countries")
    sections = list(lines["section"]) if "section" in lines.columns else list(lines.index)
    pair_a = list(lines["country_a"]) if "country_a" in lines.columns else [None] * len(lines)
    pair_b = list(lines["country_b"]) if "country_b" in lines.columns else [None] * len(lines)
    codes = list(polys["iso3"]) if "iso3" in polys.columns else list(polys.index)
    rows = []
    for label, fan, lon0, lat0 in zip(
        wgs.index, wgs.values, fans["apex_lon"], fans["apex_lat"], strict=True
    ):
        if fan is None or fan.is_empty:
            continue
        for name, a, b, line in zip(sections, pair_a, pair_b, line_geoms.values, strict=True):
            if line is None or not fan.intersects(line):
                continue
            piece = shapely.intersection(line, fan)
            if piece.is_empty or piece.length == 0:
                continue
            near, far = _apex_distances_km(lon0, lat0, piece, step_m)
            rows.append(
                {
                    "fan": label,
                    "kind": "section",
                    "name": name,
                    "country_a": a,
                    "country_b": b,
                    "nearest_km": near,
                    "farthest_km": far,
                    "length_km": GEOD.geometry_length(piece) / 1000.0,
                    "area_km2": np.nan,
                }
            )
        for code, shape in zip(codes, poly_geoms.values, strict=True):
            if shape is None or not fan.intersects(shape):
                continue
            piece = shapely.intersection(shape, fan)
            if piece.is_empty or piece.area == 0:
                continue
            near, far = _apex_distances_km(lon0, lat0, piece, step_m)
            rows.append(
                {
                    "fan": label,
                    "kind": "country",
                    "name": code,
                    "country_a": None,
                    "country_b": None,
                    "nearest_km": near,
                    "farthest_km": far,
                    "length_km": np.nan,
                    "area_km2": abs(GEOD.geometry_area_perimeter(piece)[0]) / 1e6,
                }
            )
    columns = [
        "fan", "kind", "name", "country_a", "country_b",
        "nearest_km", "farthest_km", "length_km", "area_km2",
    ]  # fmt: skip
    text = ("fan", "kind", "name", "country_a", "country_b")
    return pd.DataFrame(
        {c: pd.Series([r[c] for r in rows], dtype=object if c in text else float) for c in columns}
    )


def triangulate(fans: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Intersect bearing fans: the area covered by the most fans, and by at least k of them.

    Parameters
    ----------
    fans : geopandas.GeoDataFrame
        Fans from :func:`bearing_fans` (any polygons in any CRS work), at
        least one with a geometry.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, one row per level ``k`` from the largest number of
        overlapping fans down to 1, indexed by ``min_fans`` = k: the area
        covered by at least k fans. The first row is the most likely origin
        area. Columns ``n_fans`` (fans with a geometry), ``fans``
        (``;``-joined labels of the fans that cover part of the area at that
        level), ``area_km2`` (geodesic), ``centroid_lon``/``centroid_lat``
        (of the area, taken in an azimuthal equidistant projection about the
        area's bounding-box centre), ``radius_km`` (largest geodesic distance
        from the centroid to the area's outline: the uncertainty of the
        centroid as an origin), and (Multi)Polygon geometry.

    Raises
    ------
    ValueError
        If no fan has a geometry.

    Notes
    -----
    The fans' outlines are overlaid (:func:`shapely.polygonize` of their
    union), and each face counts the fans containing its representative
    point. Fans that do not overlap at all give a first row with
    ``min_fans`` = 1: there is no common origin.

    Examples
    --------
    >>> import geopandas
    >>> from shapely.geometry import Point
    >>> craters = geopandas.GeoSeries(
    ...     [Point(45.60, 39.80), Point(45.70, 39.75)], index=["a", "b"], crs="EPSG:4326"
    ... )
    >>> fans = bearing_fans(craters, direction=["E", "NE"], max_range_km=20)
    >>> best = triangulate(fans).iloc[0]
    >>> int(best.name), best["fans"], bool(best["area_km2"] > 0)
    (2, 'a;b', True)
    """
    wgs = to_wgs84(fans, "fans")
    keep = [(label, g) for label, g in zip(wgs.index, wgs.values, strict=True) if g is not None]
    keep = [(label, g) for label, g in keep if not g.is_empty]
    if not keep:
        msg = "fans has no geometry to intersect (every row is missing or empty)."
        raise ValueError(msg)
    labels = [label for label, _ in keep]
    shapes = [shapely.make_valid(g) for _, g in keep]
    for shape in shapes:
        shapely.prepare(shape)
    edges = shapely.union_all([shapely.boundary(s) for s in shapes])
    faces = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(edges))))
    cover = []
    for face in faces:
        point = face.representative_point()
        cover.append([i for i, s in enumerate(shapes) if s.contains(point)])
    depth = np.array([len(c) for c in cover])
    rows, geoms = [], []
    for k in range(int(depth.max()) if depth.size else 0, 0, -1):
        chosen = [f for f, d in zip(faces, depth, strict=True) if d >= k]
        area_geom = shapely.union_all(chosen)
        members = sorted({i for c, d in zip(cover, depth, strict=True) if d >= k for i in c})
        rows.append(
            {
                "min_fans": k,
                "n_fans": len(shapes),
                "fans": ";".join(str(labels[i]) for i in members),
                **_area_stats(area_geom),
            }
        )
        geoms.append(area_geom)
    table = pd.DataFrame(rows).set_index("min_fans")
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, index=table.index), crs=WGS84)


def _area_stats(geom: Any) -> dict[str, float]:
    area = abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6
    x0, y0, x1, y1 = geom.bounds
    lon0, lat0 = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    local = shapely.transform(geom, lambda xy: np.column_stack(to_aeqd(lon0, lat0, *xy.T)))
    centre = local.centroid
    clon, clat = from_aeqd(lon0, lat0, np.array([centre.x]), np.array([centre.y]))
    outline = np.vstack(line_coords(geom))
    _, _, dist = inverse(clon[0], clat[0], outline[:, 0], outline[:, 1])
    return {
        "area_km2": area,
        "centroid_lon": float(clon[0]),
        "centroid_lat": float(clat[0]),
        "radius_km": float(np.nanmax(dist)) / 1000.0,
    }
