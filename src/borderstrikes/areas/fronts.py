"""Fronts: following the border between two points, and the area behind a line of positions.

The border is followed as *chains* (:class:`borderstrikes.geodesy.lines.Chain`):
each border line joined end to end across gaps of up to 5 km in the data.
The *foot* of a point is the nearest point of the border (geodesic), from
:func:`borderstrikes.border.distance_to_border`.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.constants import WGS84
from borderstrikes._core.deprecate import renamed_arguments
from borderstrikes._core.validate import as_geoseries, to_wgs84
from borderstrikes.areas.measure import MAX_BUFFER_KM, area_m2, check_km
from borderstrikes.areas.zones import border_frame, check_code, territory
from borderstrikes.border import distance_to_border
from borderstrikes.errors import GeometryError
from borderstrikes.geodesy.lines import (
    Chain,
    border_chains,
    densify_lonlat,
    length_weighted_mean,
    locate,
    stretch,
)

__all__ = ["advance_area", "border_feet", "border_stretch", "chains_of"]

_DEPTH_STEP_M = 250.0  # spacing of the points along a front whose depth is measured


def chains_of(border: Any) -> list[Chain]:
    """Chains of border lines, labelled by the ``section`` column (else the index)."""
    series = as_geoseries(border, "border")
    labels = (
        border["section"].tolist()
        if isinstance(border, gpd.GeoDataFrame) and "section" in border.columns
        else list(series.index)
    )
    return border_chains(labels, series.values)


def border_feet(points: gpd.GeoSeries, border: Any) -> pd.DataFrame:
    """Distance of each point to ``border`` and its foot (``foot_lon``, ``foot_lat``)."""
    return distance_to_border(points, border, signed=False)


def _one_point(geoms: Any, name: str) -> gpd.GeoSeries:
    series = to_wgs84(geoms, name)
    if len(series) != 1 or series.iloc[0] is None or series.iloc[0].geom_type != "Point":
        msg = f"{name} must hold exactly one Point (got {len(series)} rows)."
        raise GeometryError(msg)
    return series


@renamed_arguments(near="points", to="to_points")
def border_stretch(
    points: gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    length_km: float | None = None,
    to_points: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    country: str = defaults.COUNTRY,
    neighbour: str = defaults.NEIGHBOUR,
    border: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Follow the border: ``length_km`` centred on a point's foot, or between two feet.

    The *foot* of a point is the nearest point of the border (geodesic).

    Parameters
    ----------
    points : geopandas.GeoSeries or geopandas.GeoDataFrame
        One point (any CRS). (Called ``near`` before 0.2; that name still
        works, with a FutureWarning.)
    length_km : float, optional
        Length of a stretch centred on the foot of ``points``, geodesic km.
        Near the end of a border line the window slides to keep this length.
    to_points : geopandas.GeoSeries or geopandas.GeoDataFrame, optional
        A second point: the stretch then runs from the foot of ``points`` to
        the foot of ``to_points``. Give exactly one of ``length_km`` and
        ``to_points``. (Called ``to`` before 0.2; that name still works, with
        a FutureWarning.)
    country, neighbour : str, default "ARM", "AZE"
        The border to follow when ``border`` is not given: the shipped file
        of the pair, or the border derived from ``countries``.
    border : geopandas.GeoSeries or geopandas.GeoDataFrame, optional
        Border lines to follow instead.
    countries : geopandas.GeoDataFrame, optional
        Country polygons with an ``iso3`` column where ``country`` and
        ``neighbour`` are looked up; default the shipped admin-0 countries.

    Returns
    -------
    geopandas.GeoDataFrame
        One row in EPSG:4326: ``section`` (the border line followed),
        ``length_km`` (geodesic), ``gap_km`` (length of gaps in the border
        data bridged by a geodesic, see Notes) and the line.

    Raises
    ------
    GeometryError
        If a point argument is not a single point, or the two feet lie on
        different border lines.
    ValueError
        If both or neither of ``length_km`` and ``to_points`` are given, or
        ``length_km`` is not in (0, 1000].

    Notes
    -----
    Parts of one border line whose ends are within 5 km of each other are
    followed as one line, the gap bridged by a geodesic; the shipped
    OpenStreetMap-derived border has such gaps of 0.04-2 km (one at Lake Sev).
    If the border line is shorter than ``length_km`` the whole line is
    returned, with a :class:`~borderstrikes.errors.BorderstrikesWarning`.

    Examples
    --------
    >>> from borderstrikes.gazetteer import geocode
    >>> jermuk = geocode("Jermuk")
    >>> stretch = border_stretch(jermuk, length_km=8.5)
    >>> print(stretch.loc[0, "section"], f"{stretch.loc[0, 'length_km']:.3f} km")
    main 8.500 km
    """
    if (length_km is None) == (to_points is None):
        msg = (
            "give exactly one of length_km (a window around points) or to_points (a second point)."
        )
        raise ValueError(msg)
    length_m = None
    if to_points is None:
        length_m = 1000.0 * check_km(length_km, "length_km", MAX_BUFFER_KM)
    frame = border_frame(check_code(country, "country", countries), neighbour, border, countries)
    chains = chains_of(frame)
    ends = [_one_point(points, "points")]
    if to_points is not None:
        ends.append(_one_point(to_points, "to_points"))
    feet = border_feet(pd.concat(ends, ignore_index=True), frame)
    located = [locate(chains, lon, lat) for lon, lat in feet[["foot_lon", "foot_lat"]].to_numpy()]
    # stacklevel 3: the warning of a short line points at the caller of the renaming wrapper
    label, line, length, gap = stretch(chains, *located, length_m=length_m, stacklevel=3)
    return gpd.GeoDataFrame(
        {
            "section": [label],
            "length_km": [length / 1000.0],
            "gap_km": [gap / 1000.0],
        },
        geometry=[shapely.LineString(line)],
        crs=WGS84,
    )


def _front_lines(
    series: gpd.GeoSeries, chains: list[Chain], border: Any
) -> tuple[dict[Any, np.ndarray], pd.Index]:
    """Lon/lat front lines by label, and the index of the result."""
    values = np.asarray(series.values)
    present = ~(shapely.is_missing(values) | shapely.is_empty(values))
    kinds = {g.geom_type for g in values[present]}
    if kinds == {"Point"}:
        feet = border_feet(series[present], border)
        along = [locate(chains, x, y) for x, y in feet[["foot_lon", "foot_lat"]].to_numpy()]
        order = sorted(range(len(along)), key=lambda i: along[i])
        kept = values[present]
        return {0: np.array([[kept[i].x, kept[i].y] for i in order])}, pd.RangeIndex(1)
    if kinds <= {"LineString"} and kinds:
        lines = {
            label: np.asarray(g.coords)[:, :2]
            for label, g, ok in zip(series.index, values, present, strict=True)
            if ok
        }
        return lines, series.index
    msg = (
        "points: the positions must be all Points (joined along the border) or all "
        f"LineStrings (one front each); got {sorted(kinds) or 'no geometry'}. Split "
        "MultiLineStrings with .explode()."
    )
    raise GeometryError(msg)


def _front(
    chains: list[Chain],
    land: Any,
    label: Any,
    line: np.ndarray,
    depth: np.ndarray,
    feet: np.ndarray,
) -> tuple[dict[str, Any], Any]:
    """Row and enclosed polygon of one front line, given its depths and the feet of its ends."""
    ends_located = [locate(chains, *foot) for foot in feet]
    try:
        section, border_part, front, gap = stretch(chains, *ends_located)
    except GeometryError as exc:
        msg = f"points row {label!r}: {exc} Split it into one front per border line."
        raise GeometryError(msg) from exc
    ring = np.vstack([feet[:1], line, feet[1:]])
    polygon = shapely.make_valid(shapely.Polygon(np.vstack([ring, border_part[::-1]])))
    enclosed = shapely.intersection(land, polygon)
    row = {
        "area_km2": area_m2(enclosed) / 1e6,
        "front_km": front / 1000.0,
        "max_depth_km": float(depth.max()),
        "mean_depth_km": length_weighted_mean(depth, line),
        "section": section,
        "gap_km": gap / 1000.0,
    }
    return row, enclosed


@renamed_arguments(positions="points")
def advance_area(
    points: gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    country: str | gpd.GeoSeries | gpd.GeoDataFrame = defaults.COUNTRY,
    neighbour: str = defaults.NEIGHBOUR,
    border: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Area between the border and a line of positions inside a country.

    The figure behind "they advanced N km on an M km front": the land
    enclosed by a line of (claimed) positions and the stretch of border
    between the feet of its two ends.

    Parameters
    ----------
    points : geopandas.GeoSeries or geopandas.GeoDataFrame
        The positions: either LineStrings, one front per row, from one end of
        the front to the other; or Points, joined into one line in their
        order along the border (by the position of their feet). Any CRS.
        (Called ``positions`` before 0.2; that name still works, with a
        FutureWarning.)
    country : str or geopandas.GeoSeries or geopandas.GeoDataFrame, default "ARM"
        The country the positions lie in (ISO3 code or polygons); the area is
        clipped to it.
    neighbour : str, default "AZE"
        The country across the border (for the shipped border).
    border : geopandas.GeoSeries or geopandas.GeoDataFrame, optional
        Border lines to use instead of the shipped ``country``-``neighbour``
        border (required when ``country`` is given as polygons).
    countries : geopandas.GeoDataFrame, optional
        Country polygons with an ``iso3`` column where the codes are looked
        up; default the shipped admin-0 countries.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, indexed like ``points`` for lines (one row ``0`` for
        points), with ``area_km2`` (geodesic, clipped to the country),
        ``front_km`` (geodesic length of border between the feet of the two
        ends), ``max_depth_km`` and ``mean_depth_km`` (distance of the line
        from the border: the maximum, and the length-weighted mean along the
        line; positions outside the country count as depth 0), ``section``
        (the border line followed), ``gap_km`` (bridged data gaps inside the
        front, see :func:`border_stretch`) and the enclosed polygon.

    Raises
    ------
    GeometryError
        If ``points`` are neither all points nor all lines, or the two ends
        of a line have their feet on different border lines.
    UnknownCountryError, CRSError
        As :func:`buffer_zone`.

    Notes
    -----
    Depths come from :func:`borderstrikes.border.distance_to_border` on the
    line densified to 250 m (exact geodesic point-to-border distances), the
    feet of the end points from the same call. The polygon is the line,
    the geodesics from its ends to their feet and the border between the
    feet; its area is measured with :func:`geodesic_area`. A line that
    leaves the country only counts the part inside it.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from borderstrikes.gazetteer import geocode
    >>> stretch = border_stretch(geocode("Jermuk"), length_km=8.5)
    >>> front = bs.geodesic_buffer(stretch, distance_km=2, cap_style="flat").boundary
    >>> inside = front.intersection(bs.load_boundaries(0, countries=["ARM"]).union_all())
    >>> result = advance_area(gpd.GeoSeries(inside.line_merge(), crs="EPSG:4326"))
    >>> result[["front_km", "max_depth_km"]].round(1).iloc[0].tolist()
    [8.5, 2.0]
    >>> round(result["area_km2"].iloc[0])
    17
    """
    land, code, _ = territory(country, countries)
    frame = border_frame(code, neighbour, border, countries)
    chains = chains_of(frame)
    lines, index = _front_lines(to_wgs84(points, "points"), chains, frame)
    dense = {label: densify_lonlat(c, _DEPTH_STEP_M) for label, c in lines.items()}
    ends = np.vstack([c[[0, -1]] for c in lines.values()])
    samples = np.vstack([*dense.values(), ends])
    found = border_feet(
        gpd.GeoSeries(gpd.points_from_xy(samples[:, 0], samples[:, 1]), crs=WGS84), frame
    )
    depth = found["distance_km"].to_numpy(dtype=float)
    depth = np.where(shapely.contains_xy(land, samples[:, 0], samples[:, 1]), depth, 0.0)
    foot = found[["foot_lon", "foot_lat"]].to_numpy(dtype=float)[-len(ends) :]
    rows, geoms, start = {}, {}, 0
    for n, (label, line) in enumerate(dense.items()):
        d = depth[start : start + len(line)]
        start += len(line)
        rows[label], geoms[label] = _front(chains, land, label, line, d, foot[2 * n : 2 * n + 2])
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(index)
    return gpd.GeoDataFrame(table, geometry=[geoms.get(i) for i in index], crs=WGS84)
