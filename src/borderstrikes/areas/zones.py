"""Buffer zones: the part of a country within a distance of its border, and what lies in it.

A zone is ``country ∩ geodesic_buffer(border, depth_km)`` (see
:func:`~borderstrikes.areas.measure.geodesic_buffer` for the construction and
its error). The country, the border, the units, places and strike reports
are arguments; left out (None), they are the shipped data, resolved through
:mod:`borderstrikes.defaults`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.constants import WGS84
from borderstrikes._core.validate import as_geoseries, to_wgs84
from borderstrikes.areas.measure import (
    area_m2,
    check_cap_style,
    check_km,
    line_buffer,
    require_valid,
)
from borderstrikes.border import border_between
from borderstrikes.errors import GeometryError, UnknownCountryError
from borderstrikes.geodesy.lines import line_coords
from borderstrikes.strikes import NOT_STRIKE_EVIDENCE, is_strike_report

__all__ = [
    "MAX_DEPTH_KM",
    "border_frame",
    "buffer_scenarios",
    "buffer_zone",
    "check_code",
    "territory",
    "zone_places",
    "zone_polygon",
    "zone_strikes",
    "zone_units",
]

#: Largest ``depth_km`` accepted by :func:`buffer_zone` and :func:`buffer_scenarios`.
MAX_DEPTH_KM = 200.0

_SLIVER = 1e-6  # share of a zone below which a unit's part is boundary noise

_METHOD = (
    "geodesic buffer of the border (WGS84): pieces of <= 50 km buffered in local azimuthal "
    "equidistant projections (64 segments per quarter circle), merged in lon/lat and clipped "
    "to the country; areas with pyproj.Geod"
)


# --------------------------------------------------------------------------- inputs


def _country_codes(countries: Any) -> list[str]:
    if "iso3" not in getattr(countries, "columns", ()):
        msg = (
            "countries must be a GeoDataFrame with an 'iso3' column of ISO 3166-1 alpha-3 "
            f"codes (got columns {list(getattr(countries, 'columns', []))!r})."
        )
        raise ValueError(msg)
    return [str(code) for code in countries["iso3"]]


def check_code(code: Any, name: str, countries: Any = None) -> str:
    """Return ``code`` if it is the ISO3 code of a country of ``countries`` (default shipped)."""
    known = sorted(set(_country_codes(defaults.countries(countries))))
    if not isinstance(code, str) or code not in known:
        where = "a shipped country" if countries is None else "a country of countries"
        msg = (
            f"{name} must be the ISO 3166-1 alpha-3 code of {where}, one of "
            f"{known!r} (got {code!r})."
        )
        raise UnknownCountryError(msg)
    return code


def _polygonal(geoms: gpd.GeoSeries, name: str) -> Any:
    require_valid(geoms, name)
    values = [g for g in geoms.values if g is not None and not g.is_empty]
    bad = sorted({g.geom_type for g in values} - {"Polygon", "MultiPolygon"})
    if bad or not values:
        msg = (
            f"{name} must hold Polygon or MultiPolygon geometries (got {bad or 'none'}). "
            "Pass the country outline, e.g. borderstrikes.load_boundaries(0, countries=['ARM'])."
        )
        raise GeometryError(msg)
    return shapely.union_all(values)


def _lineal(geoms: gpd.GeoSeries | gpd.GeoDataFrame, name: str) -> list[np.ndarray]:
    values = [g for g in as_geoseries(geoms, name).values if g is not None and not g.is_empty]
    bad = sorted({g.geom_type for g in values} - {"LineString", "MultiLineString"})
    if bad or not values:
        msg = (
            f"{name} must hold LineString or MultiLineString geometries (got {bad or 'none'}). "
            "Pass border sections, e.g. borderstrikes.load_border('ARM', 'AZE')."
        )
        raise GeometryError(msg)
    return [coords for g in values for coords in line_coords(g)]


def territory(country: Any, countries: Any = None) -> tuple[Any, str | None, list[Any]]:
    """Union of a country's polygons in lon/lat, its code (None for polygons), its provenance.

    ``country`` is an ISO3 code of ``countries`` (default: the shipped
    admin-0 polygons) or the country's own polygons.
    """
    if isinstance(country, str):
        code = check_code(country, "country", countries)
        frame = defaults.countries(countries)
        shapes = to_wgs84(frame, "countries")[np.asarray(_country_codes(frame)) == code]
        provenance = list(frame.attrs.get("provenance", []))
        return _polygonal(shapes, "countries"), code, provenance
    return _polygonal(to_wgs84(country, "country"), "country"), None, []


def border_frame(
    country: str | None, neighbour: str, border: Any = None, countries: Any = None
) -> Any:
    """Return the border lines to measure from: ``border`` in EPSG:4326, or the pair's border.

    Without ``border``, the border of ``country`` and ``neighbour`` from
    :func:`borderstrikes.border.border_between` (the shipped file when there
    is one, else derived from ``countries``).
    """
    if border is not None:
        return to_wgs84(border, "border")
    if country is None:
        msg = "border is required when country is given as polygons rather than an ISO3 code."
        raise ValueError(msg)
    neighbour = check_code(neighbour, "neighbour", countries)
    if neighbour == country:
        msg = f"neighbour must differ from country (both are {country!r})."
        raise ValueError(msg)
    return border_between(country, neighbour, countries=countries)


def zone_polygon(land: Any, lines: list[np.ndarray], depth_m: float, cap_style: str) -> Any:
    """Return the part of ``land`` within ``depth_m`` of the lon/lat ``lines`` (a polygon)."""
    return shapely.intersection(land, line_buffer(lines, depth_m, cap_style))


# --------------------------------------------------------------------------- zones


def buffer_zone(
    country: str | gpd.GeoSeries | gpd.GeoDataFrame = defaults.COUNTRY,
    neighbour: str = defaults.NEIGHBOUR,
    *,
    depth_km: float,
    border: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    cap_style: Literal["round", "flat"] = "round",
    countries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Return the part of a country within ``depth_km`` of its border with a neighbour.

    Parameters
    ----------
    country : str or geopandas.GeoSeries or geopandas.GeoDataFrame, default "ARM"
        ISO 3166-1 alpha-3 code of a country of ``countries`` (default: the
        shipped ones), or its polygons (any CRS; then ``border`` is required).
    neighbour : str, default "AZE"
        ISO3 code of the country on the other side; ignored when ``border``
        is given.
    depth_km : float
        Geodesic distance from the border, km, in (0, :data:`MAX_DEPTH_KM`].
    border : geopandas.GeoSeries or geopandas.GeoDataFrame, optional
        Lines to measure from instead of the whole shipped border, e.g. one
        section (``load_border().query("section == 'main'")``) or a stretch
        from :func:`~borderstrikes.areas.border_stretch`.
    cap_style : {'round', 'flat'}, default 'round'
        Ends of the border lines; ``'flat'`` leaves out the land beyond the
        ends of a stretch (see :func:`~borderstrikes.areas.geodesic_buffer`).
    countries : geopandas.GeoDataFrame, optional
        Country polygons with an ``iso3`` column, where the codes
        ``country`` and ``neighbour`` are looked up (and the border derived
        with :func:`borderstrikes.border.border_between` when ``border`` is
        not given). Default: the shipped admin-0 countries.

    Returns
    -------
    geopandas.GeoDataFrame
        One row, EPSG:4326, with columns ``country``, ``neighbour`` (codes, or
        None for user polygons), ``depth_km``, ``area_km2`` (geodesic),
        ``country_area_km2``, ``share_of_country_pct`` and the zone polygon.
        ``attrs["method"]`` describes the construction and
        ``attrs["provenance"]`` the boundary data.

    Raises
    ------
    ValueError
        If ``depth_km`` is not in (0, 200] km or ``cap_style`` is unknown.
    UnknownCountryError
        If ``country`` or ``neighbour`` is not a code of ``countries``.
    CRSError
        If user geometries have no CRS.
    GeometryError
        If ``country`` is not polygonal or ``border`` not lineal.

    See Also
    --------
    zone_units, zone_places, zone_strikes : what lies inside a zone.
    buffer_scenarios : the zone for several depths at once, as a table.

    Notes
    -----
    The zone is ``country ∩ geodesic_buffer(border, depth_km)``, see
    :func:`~borderstrikes.areas.geodesic_buffer` for the construction and its error (outline
    vertices within 2 m of the exact geodesic offset at 20 km, mostly the
    chords of the arcs; area within 0.02 % of an independent grid
    integration, ``tests/test_areas.py``). Mercator buffers overstate such a
    zone by about a third and GEOS's default 8 arc segments lose several
    km²; neither is used here.

    Examples
    --------
    >>> zone = buffer_zone("ARM", "AZE", depth_km=5)
    >>> zone.loc[0, "country"], zone.loc[0, "neighbour"]
    ('ARM', 'AZE')
    >>> print(f"{zone.loc[0, 'area_km2']:,.0f} km², {zone.loc[0, 'share_of_country_pct']:.1f} %")
    3,949 km², 13.3 %
    """
    depth = check_km(depth_km, "depth_km", MAX_DEPTH_KM)
    check_cap_style(cap_style)
    land, code, provenance = territory(country, countries)
    lines_frame = border_frame(code, neighbour, border, countries)
    lines = _lineal(lines_frame, "border")
    provenance = provenance + list(getattr(lines_frame, "attrs", {}).get("provenance", []))
    zone = zone_polygon(land, lines, 1000.0 * depth, cap_style)
    area = area_m2(zone) / 1e6
    country_area = area_m2(land) / 1e6
    frame = gpd.GeoDataFrame(
        {
            "country": [code],
            "neighbour": [neighbour if (code is not None and border is None) else None],
            "depth_km": [depth],
            "area_km2": [area],
            "country_area_km2": [country_area],
            "share_of_country_pct": [100.0 * area / country_area],
        },
        geometry=[zone],
        crs=WGS84,
    )
    frame.attrs["method"] = _METHOD + (", flat ends" if cap_style == "flat" else "")
    frame.attrs["provenance"] = provenance
    return frame


def _region(zone: Any) -> Any:
    region = shapely.union_all(
        [g for g in np.asarray(to_wgs84(zone, "zone").values) if g is not None]
    )
    shapely.prepare(region)
    return region


def _points_in(region: Any, points: gpd.GeoSeries) -> np.ndarray:
    values = np.asarray(points.values)
    ok = ~(shapely.is_missing(values) | shapely.is_empty(values))
    inside = np.zeros(len(values), dtype=bool)
    inside[ok] = shapely.covers(region, values[ok])
    return inside


def zone_units(
    zone: gpd.GeoDataFrame | gpd.GeoSeries, *, units: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Area of a zone in each administrative unit it touches.

    Parameters
    ----------
    zone : geopandas.GeoDataFrame or geopandas.GeoSeries
        Polygons (e.g. from :func:`buffer_zone`); all rows are merged into
        one region.
    units : geopandas.GeoDataFrame, optional
        Units to split by (any CRS); default the shipped first-level units
        (``load_boundaries(1)``: marzer and Azerbaijani districts).

    Returns
    -------
    geopandas.GeoDataFrame
        The units that share area with the zone (parts smaller than a
        millionth of the zone, slivers where boundary files disagree by a few
        metres, are left out), with their index and attribute columns, sorted
        by decreasing area, plus ``area_km2`` (the
        zone's geodesic area inside the unit), ``unit_area_km2`` and
        ``share_of_unit_pct``; the geometry is the zone's part in the unit,
        in EPSG:4326.

    Raises
    ------
    CRSError
        If an input has no CRS.

    Examples
    --------
    >>> units = zone_units(buffer_zone(depth_km=5))
    >>> units["iso_3166_2"].tolist()[:3]
    ['AM-SU', 'AM-TV', 'AM-GR']
    """
    region = _region(zone)
    units = defaults.units(units)
    shapes = to_wgs84(units, "units")
    values = np.asarray(shapes.values)
    pieces = np.full(len(values), None, dtype=object)
    touch = shapely.intersects(region, values)
    pieces[touch] = shapely.intersection(values[touch], region)
    area = np.array([0.0 if p is None else area_m2(p) / 1e6 for p in pieces])
    keep = area > _SLIVER * area.sum()
    unit_area = np.array([area_m2(g) / 1e6 if g is not None else np.nan for g in values])
    table = pd.DataFrame(units).drop(columns=[shapes.name], errors="ignore")
    out = gpd.GeoDataFrame(
        table.assign(
            area_km2=area,
            unit_area_km2=unit_area,
            share_of_unit_pct=100.0 * area / unit_area,
        ),
        geometry=list(pieces),
        crs=WGS84,
    )
    out = out[keep].sort_values("area_km2", ascending=False, kind="stable")
    out.attrs = {k: v for k, v in units.attrs.items() if k == "provenance"}
    return out


def zone_places(
    zone: gpd.GeoDataFrame | gpd.GeoSeries, *, places: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Gazetteer places inside a zone (boundary included).

    Parameters
    ----------
    zone : geopandas.GeoDataFrame or geopandas.GeoSeries
        Polygons; all rows are merged into one region.
    places : geopandas.GeoDataFrame, optional
        Points to select from; default :func:`borderstrikes.load_places`.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows of ``places`` inside the zone, index and columns kept
        (``population`` among them for the gazetteer; it is missing for the
        curated border villages, so a sum is a lower bound).

    Examples
    --------
    >>> inside = zone_places(buffer_zone(depth_km=10))
    >>> "Sotk" in set(inside["name"]), "Jermuk" in set(inside["name"])
    (True, False)
    """
    region = _region(zone)
    places = defaults.places(places)
    return places[_points_in(region, to_wgs84(places, "places"))]


def zone_strikes(
    zone: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    strikes: gpd.GeoDataFrame | None = None,
    exclude_evidence: Sequence[str] | str | None = NOT_STRIKE_EVIDENCE,
) -> gpd.GeoDataFrame:
    """Strike reports whose point lies inside a zone (boundary included).

    Parameters
    ----------
    zone : geopandas.GeoDataFrame or geopandas.GeoSeries
        Polygons; all rows are merged into one region.
    strikes : geopandas.GeoDataFrame, optional
        Reports; default :func:`borderstrikes.load_strikes`.
    exclude_evidence : sequence of str, default ('displacement_only', 'denial')
        Values of the ``evidence`` column to leave out: these reports do not
        say a strike hit the place. Pass ``()`` to keep every report (see
        :func:`borderstrikes.strikes.is_strike_report`).

    Returns
    -------
    geopandas.GeoDataFrame
        The selected rows of ``strikes``, index and columns kept. Reports
        without a point are never inside.

    Examples
    --------
    >>> near = zone_strikes(buffer_zone(depth_km=5))
    >>> len(near) > 0, set(near["evidence"]) & {"denial", "displacement_only"}
    (True, set())
    """
    region = _region(zone)
    strikes = defaults.strikes(strikes)
    strikes = strikes[is_strike_report(strikes, exclude_evidence=exclude_evidence)]
    return strikes[_points_in(region, to_wgs84(strikes, "strikes"))]


def buffer_scenarios(
    depths_km: Sequence[float] = (1, 2, 5, 10, 15, 20),
    *,
    country: str | gpd.GeoSeries | gpd.GeoDataFrame = defaults.COUNTRY,
    neighbour: str = defaults.NEIGHBOUR,
    border: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    by_unit: bool = False,
    places: gpd.GeoDataFrame | None = None,
    strikes: gpd.GeoDataFrame | None = None,
    exclude_evidence: Sequence[str] | str | None = NOT_STRIKE_EVIDENCE,
    countries: gpd.GeoDataFrame | None = None,
    units: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Area, people and strike reports within several depths of the border.

    Parameters
    ----------
    depths_km : sequence of float, default (1, 2, 5, 10, 15, 20)
        Depths in (0, 200] km.
    country, neighbour, border, countries
        As in :func:`buffer_zone`.
    by_unit : bool, default False
        Break every depth down by first-level unit (marz).
    places, strikes : geopandas.GeoDataFrame, optional
        Default :func:`borderstrikes.load_places` and
        :func:`borderstrikes.load_strikes`. Places without a ``population``
        column count as of unknown population.
    exclude_evidence : sequence of str, default ('displacement_only', 'denial')
        Report kinds left out of ``n_reports`` (see :func:`zone_strikes`).
    units : geopandas.GeoDataFrame, optional
        The units of ``by_unit=True`` (columns ``iso_3166_2`` and
        ``name_en``); default the shipped first-level units. Ignored
        without ``by_unit``.

    Returns
    -------
    pandas.DataFrame
        One row per depth (RangeIndex) with ``depth_km``, ``area_km2``,
        ``share_of_country_pct``, ``n_places`` (gazetteer places inside),
        ``population`` (sum of their known populations, a lower bound),
        ``n_places_unknown_population`` and ``n_reports`` (strike reports
        inside). With ``by_unit=True``: one row per depth and unit, indexed
        by (``depth_km``, ``iso_3166_2``), with ``name_en``, ``area_km2``,
        ``share_of_unit_pct``, ``n_places``, ``population`` and
        ``n_reports``. ``attrs["reports_without_point"]`` counts reports
        that cannot be placed.

    Raises
    ------
    ValueError, UnknownCountryError
        As :func:`buffer_zone`.

    Examples
    --------
    >>> table = buffer_scenarios((5, 10))
    >>> table[["depth_km", "area_km2", "n_reports"]].round(0)
       depth_km  area_km2  n_reports
    0       5.0    3949.0         13
    1      10.0    7249.0         52
    """
    depths = [check_km(d, "depths_km", MAX_DEPTH_KM) for d in np.atleast_1d(depths_km)]
    land, code, _ = territory(country, countries)
    lines = _lineal(border_frame(code, neighbour, border, countries), "border")
    country_area = area_m2(land) / 1e6
    places = defaults.places(places)
    strikes = defaults.strikes(strikes)
    strikes = strikes[is_strike_report(strikes, exclude_evidence=exclude_evidence)]
    points = _Points(places, strikes)
    units = defaults.units(units) if by_unit else None
    rows = []
    for depth in depths:
        zone = zone_polygon(land, lines, 1000.0 * depth, "round")
        shapely.prepare(zone)
        if units is None:
            rows.append(points.depth_row(zone, depth, country_area))
        else:
            rows.extend(points.unit_rows(zone, depth, units))
    table = pd.DataFrame(rows)
    if by_unit:
        table = table.set_index(["depth_km", "iso_3166_2"])
    table.attrs["reports_without_point"] = int(
        (shapely.is_missing(np.asarray(points.strikes.values))).sum()
    )
    if isinstance(exclude_evidence, str):
        exclude_evidence = (exclude_evidence,)
    table.attrs["excluded_evidence"] = list(exclude_evidence or ())
    table.attrs["method"] = _METHOD
    return table


class _Points:
    """Places (with their population) and strike reports, counted per zone."""

    def __init__(self, places: gpd.GeoDataFrame, strikes: gpd.GeoDataFrame) -> None:
        self.places = to_wgs84(places, "places")
        self.strikes = to_wgs84(strikes, "strikes")
        if "population" in getattr(places, "columns", ()):
            population = pd.to_numeric(places["population"], errors="coerce")
            self.population = population.to_numpy(dtype=float)
        else:  # unknown for every place
            self.population = np.full(len(places), np.nan)

    def depth_row(self, zone: Any, depth: float, country_area: float) -> dict[str, Any]:
        place_in = _points_in(zone, self.places)
        area = area_m2(zone) / 1e6
        return {
            "depth_km": depth,
            "area_km2": area,
            "share_of_country_pct": 100.0 * area / country_area,
            "n_places": int(place_in.sum()),
            "population": float(np.nansum(self.population[place_in])),
            "n_places_unknown_population": int(np.isnan(self.population[place_in]).sum()),
            "n_reports": int(_points_in(zone, self.strikes).sum()),
        }

    def unit_rows(self, zone: Any, depth: float, units: Any) -> list[dict[str, Any]]:
        place_in = _points_in(zone, self.places)
        strike_in = _points_in(zone, self.strikes)
        rows = []
        for _, unit in zone_units(gpd.GeoSeries([zone], crs=WGS84), units=units).iterrows():
            piece = unit.geometry
            shapely.prepare(piece)
            p_in = place_in & _points_in(piece, self.places)
            rows.append(
                {
                    "depth_km": depth,
                    "iso_3166_2": unit["iso_3166_2"],
                    "name_en": unit["name_en"],
                    "area_km2": unit["area_km2"],
                    "share_of_unit_pct": unit["share_of_unit_pct"],
                    "n_places": int(p_in.sum()),
                    "population": float(np.nansum(self.population[p_in])),
                    "n_reports": int((strike_in & _points_in(piece, self.strikes)).sum()),
                }
            )
        return rows
