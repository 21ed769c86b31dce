"""Distance from points to a border, and borders derived from the shipped countries.

:func:`distance_to_border` measures the geodesic distance (WGS84) from each
point to the nearest point of a border, says on which side the point lies and
which section and neighbouring country are nearest. :func:`border_between`
returns the shared border of two shipped countries as sections, in the schema
of :func:`borderstrikes.datasets.load_border`.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.constants import GEOD, UNITS_M
from borderstrikes._core.deprecate import renamed_arguments
from borderstrikes._core.lazy import is_lazy, lazy_layer
from borderstrikes._core.validate import (
    WGS84,
    as_geoseries,
    check_coordinates,
    check_number,
    check_option,
    convert_to_wgs84,
    point_lonlat,
    require_crs,
    to_wgs84,
)
from borderstrikes.errors import DataFileError, GeometryError, UnknownCountryError
from borderstrikes.geodesy import BorderIndex
from borderstrikes.geodesy.azimuth import inverse

__all__ = [
    "PreparedBorder",
    "border_between",
    "border_key",
    "distance_to_border",
    "prepare_border",
    "shipped_border_key",
]

# A point in no country this close to the border line is on it: signed distance ~0, not NaN.
_ON_LINE_M = 1e-3
_LINE_TYPES = ("LineString", "MultiLineString")
# Near the line the side is that of the geodesic edge the distance is measured
# to (where it names one of the part's two countries); farther out, the polygons
# decide. "Near" is, per part, twice the largest gap between an edge's geodesic
# midpoint and its straight lon/lat midpoint (how far a polygon drawing the
# same vertices straight can stray from the geodesic line: 0.46 m on the
# shipped border), and at least _NEAR_MIN_M.
_NEAR_MIN_M = 10.0
# How far from an edge's midpoint the polygons are asked which country is on each side.
_PROBE_M = 200.0
# Nearer than this the geodesic side is not trusted (a point on the line has a
# distance of nanometres and no side of its own): the polygons decide.
_LINE_SIDE_FROM_M = 5e-4


class PreparedBorder:
    """A border ready for queries: its :class:`~borderstrikes.geodesy.BorderIndex` and part labels.

    :func:`distance_to_border` accepts one as ``border=``, so that a caller
    measuring many batches against the same border indexes it once.
    """

    def __init__(self, frame: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
        geoms = as_geoseries(frame, "border")
        require_crs(geoms, "border")
        wgs = convert_to_wgs84(geoms, "border")
        check_coordinates(geoms, wgs, "border")
        values = np.asarray(wgs.values)
        present = ~(shapely.is_missing(values) | shapely.is_empty(values))
        kinds = np.asarray(wgs.geom_type, dtype=object)
        bad = present & ~np.isin(kinds, _LINE_TYPES)
        if bad.any():
            first = np.flatnonzero(bad)[:5]
            msg = (
                f"border must contain only LineString or MultiLineString geometries; rows "
                f"{list(wgs.index[first])!r} are {sorted(set(kinds[first]))!r}. For a "
                "country outline use its .boundary, or build the shared border with "
                "borderstrikes.border_between(a, b)."
            )
            raise GeometryError(msg)
        has_sections = isinstance(frame, gpd.GeoDataFrame) and "section" in frame.columns
        names = list(frame["section"]) if has_sections else list(wgs.index)
        has_pairs = isinstance(frame, gpd.GeoDataFrame) and {"country_a", "country_b"} <= set(
            frame.columns
        )
        country_a = list(frame["country_a"]) if has_pairs else [None] * len(wgs)
        country_b = list(frame["country_b"]) if has_pairs else [None] * len(wgs)
        parts, part_row = [], []
        for row in np.flatnonzero(present):
            for line in shapely.get_parts(values[row]):
                parts.append(shapely.get_coordinates(line))
                part_row.append(row)
        if not parts:
            msg = "border has no line geometry (every row is missing or empty)."
            raise GeometryError(msg)
        self.index = BorderIndex(parts)
        rows = np.asarray(part_row)
        self.part_section = np.asarray([names[r] for r in rows] + [None], dtype=object)
        self.part_a = np.asarray([country_a[r] for r in rows] + [None], dtype=object)
        self.part_b = np.asarray([country_b[r] for r in rows] + [None], dtype=object)
        self.countries = {c for c in country_a + country_b if isinstance(c, str)}
        self.n_parts = len(parts)
        self.part_near_m = np.r_[[_near_m(xy) for xy in parts], 0.0]
        # Which country lies left/right of each part, for the last polygons asked about.
        self._orientation: tuple[PreparedCountries, np.ndarray, np.ndarray] | None = None

    def orient(self, polygons: PreparedCountries) -> tuple[np.ndarray, np.ndarray]:
        """Name the countries left and right of each part (majority of polygon tests).

        Every edge's geodesic midpoint is moved ``_PROBE_M`` along the geodesic
        normal to each side and placed in a polygon; a part gets its two
        countries when at least 90 % of its probes on each side agree and the
        two differ. Other parts keep None (their side comes from the polygons).
        Returns the left and right country of each part, with a trailing None
        (the label of a missing point's part, -1).
        """
        known = self._orientation
        if known is not None and known[0] is polygons:
            return known[1], known[2]
        index = self.index
        mid_lon, mid_lat, back = GEOD.fwd(
            index.vertex_lon[index.seg_a],
            index.vertex_lat[index.seg_a],
            index.seg_az_a,
            index.seg_length / 2,
        )
        track = np.asarray(back) + 180.0  # direction of travel at the midpoint
        sides = []
        for turn in (-90.0, 90.0):  # left, right of the direction of travel
            x, y, _ = GEOD.fwd(mid_lon, mid_lat, track + turn, np.full(track.size, _PROBE_M))
            sides.append(polygons.side(np.asarray(x), np.asarray(y)))
        left = np.full(self.n_parts + 1, None, dtype=object)
        right = np.full(self.n_parts + 1, None, dtype=object)
        for number in np.unique(index.seg_part):
            on = index.seg_part == number
            names = []
            for side in sides:
                values, counts = np.unique(side[on].astype(str), return_counts=True)
                top = int(np.argmax(counts))
                agree = counts[top] >= 0.9 * on.sum()
                names.append(str(values[top]) if agree and values[top] != "None" else None)
            if names[0] is not None and names[1] is not None and names[0] != names[1]:
                left[number], right[number] = names
        self._orientation = (polygons, left, right)  # one assignment: safe across threads
        return left, right

    def line_side(
        self, lon: np.ndarray, lat: np.ndarray, found: dict[str, np.ndarray]
    ) -> np.ndarray:
        """Side of each point of the geodesic edge it is measured to: +1 left, -1 right, 0 unknown.

        A foot inside an edge A-B: the sign of ``sin(az_AB - az_AP)`` (the geodesics
        leaving A fan out, so the azimuth to P says on which side of A-B it lies).
        A foot on a vertex V between two edges of a part: the angle-weighted
        pseudo-normal rule (Baerentzen & Aanaes 2005), which in 2-D is the sum
        of the two edges' normals: the sign of ``sin(a_in - b) + sin(a_out - b)``
        with ``b`` the azimuth from V to P and ``a_in``, ``a_out`` the
        directions of travel at V. A foot on an end of a part gives 0.
        """
        index = self.index
        seg = found["segment"]
        result = np.zeros(lon.size)
        ok = np.flatnonzero(seg >= 0)
        if ok.size == 0:
            return result
        s = seg[ok]
        a, b = index.seg_a[s], index.seg_b[s]
        foot_lon, foot_lat = found["foot_lon"][ok], found["foot_lat"][ok]
        at_a = (foot_lon == index.vertex_lon[a]) & (foot_lat == index.vertex_lat[a])
        at_b = (foot_lon == index.vertex_lon[b]) & (foot_lat == index.vertex_lat[b]) & ~at_a
        last = index.n_segments - 1
        prev = np.maximum(s - 1, 0)
        nxt = np.minimum(s + 1, last)
        has_prev = (s > 0) & (index.seg_part[prev] == index.seg_part[s]) & (index.seg_b[prev] == a)
        has_next = (s < last) & (index.seg_part[nxt] == index.seg_part[s]) & (index.seg_a[nxt] == b)
        # Directions of travel into and out of the vertex (or along the edge at A).
        vertex = np.where(at_b, b, a)
        a_out = np.where(at_b, index.seg_az_a[nxt], index.seg_az_a[s])
        a_in = np.where(at_a, index.seg_az_b[prev] + 180.0, index.seg_az_b[s] + 180.0)
        a_in = np.where(at_a | at_b, a_in, a_out)
        usable = np.where(at_a, has_prev, np.where(at_b, has_next, True))
        beta = np.asarray(
            GEOD.inv(index.vertex_lon[vertex], index.vertex_lat[vertex], lon[ok], lat[ok])[0]
        )
        score = np.sin(np.radians(a_in - beta)) + np.sin(np.radians(a_out - beta))
        result[ok] = np.where(usable, np.sign(score), 0.0)
        return result


def _near_m(xy: np.ndarray) -> float:
    """How far from a part the geodesic side decides (see ``_NEAR_MIN_M``)."""
    xy = xy[np.r_[True, (np.diff(xy, axis=0) != 0).any(axis=1)]]
    if len(xy) < 2:
        return _NEAR_MIN_M
    az, _, length = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    geo_lon, geo_lat, _ = GEOD.fwd(xy[:-1, 0], xy[:-1, 1], az, np.asarray(length) / 2)
    step = (xy[1:, 0] - xy[:-1, 0] + 180.0) % 360.0 - 180.0  # across the antimeridian too
    gap = GEOD.inv(geo_lon, geo_lat, xy[:-1, 0] + step / 2, 0.5 * (xy[:-1, 1] + xy[1:, 1]))[2]
    return max(_NEAR_MIN_M, 2.0 * float(np.max(gap)))


def border_key(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> str | None:
    """Return the content fingerprint of a border: SHA-256 of its geometry and labels.

    None when the border is not in EPSG:4326 (its bytes would depend on the CRS).
    """
    geoms = as_geoseries(frame, "border")
    if geoms.crs is None or not geoms.crs.equals(WGS84):
        return None
    digest = hashlib.sha256()
    for geom in np.asarray(geoms.values):
        digest.update(b"\0" if geom is None else shapely.to_wkb(geom))
    if isinstance(frame, gpd.GeoDataFrame):
        for column in ("section", "country_a", "country_b"):
            if column in frame.columns:
                digest.update(repr(list(frame[column])).encode())
    return digest.hexdigest()


@functools.cache
def _shipped_border() -> PreparedBorder:
    """Index of the default ARM-AZE border, built once per process."""
    return PreparedBorder(defaults.border())


@functools.cache
def shipped_border_key() -> str | None:
    """Return the fingerprint of the shipped border (None when it cannot be read)."""
    try:
        return border_key(defaults.border())
    except DataFileError:  # a user border must still work on a broken install
        return None


def prepare_border(border: Any) -> PreparedBorder:
    """Return ``border`` indexed for queries (the shipped border's index is built once).

    ``border`` may be None (the shipped border), a GeoDataFrame/GeoSeries of
    lines, or a :class:`PreparedBorder` (returned as it is).
    """
    if isinstance(border, PreparedBorder):
        return border
    if border is None:
        return _shipped_border()
    key = border_key(border)
    if key is not None and key == shipped_border_key():
        return _shipped_border()
    content = _content_key(border, key)
    with _USER_LOCK:  # threads asking for one border wait for the first build
        target = _USER_BORDERS.get(content)
        if target is None:
            target = PreparedBorder(border)
            _USER_BUILDS[content] += 1
            _USER_BORDERS[content] = target
            while len(_USER_BORDERS) > _MAX_USER_BORDERS:
                _USER_BORDERS.popitem(last=False)
        else:
            _USER_BORDERS.move_to_end(content)
    return target


# Indexes of users' borders, by content: the last few built, least recently used dropped.
_MAX_USER_BORDERS = 4
_USER_BORDERS: collections.OrderedDict[str, PreparedBorder] = collections.OrderedDict()
_USER_BUILDS: collections.Counter[str] = collections.Counter()
_USER_LOCK = threading.Lock()


def _content_key(border: Any, key: str | None) -> str:
    """Key of a border's index: its fingerprint, with the CRS when not EPSG:4326."""
    if key is not None:
        return key
    geoms = as_geoseries(border, "border")
    require_crs(geoms, "border")
    digest = hashlib.sha256(geoms.crs.to_wkt().encode())
    for geom in np.asarray(geoms.values):
        digest.update(b"\0" if geom is None else shapely.to_wkb(geom))
    if isinstance(border, gpd.GeoDataFrame):
        for column in ("section", "country_a", "country_b"):
            if column in border.columns:
                digest.update(repr(list(border[column])).encode())
    return digest.hexdigest()


class PreparedCountries:
    """Country polygons ready for point-in-polygon tests: the side of a point.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygons in any CRS with an ``iso3`` column (else the index labels
        are the codes). A point belongs to the first polygon containing it.
    """

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        wgs = to_wgs84(frame, "countries")
        codes = frame["iso3"] if "iso3" in getattr(frame, "columns", ()) else wgs.index
        self.codes = [str(code) for code in codes]
        # Number of each code: the position of its first row (rows may repeat a code).
        self.number = {code: self.codes.index(code) for code in self.codes}
        self.names = np.asarray([*self.codes, None], dtype=object)  # number -1: None
        geoms = shapely.from_wkb(shapely.to_wkb(np.asarray(wgs.values)))  # private copies
        shapely.prepare(geoms)
        self.geoms = list(geoms)
        self.bounds = [tuple(map(float, shapely.bounds(g))) for g in self.geoms]

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return the number (``number``) of the country containing each point, -1 if none."""
        found = np.full(lon.size, -1, dtype=np.int64)
        open_ = np.isfinite(lon) & np.isfinite(lat)
        for code, geom, (x0, y0, x1, y1) in zip(self.codes, self.geoms, self.bounds, strict=True):
            if geom is None:
                continue
            idx = np.flatnonzero(open_ & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
            if idx.size == 0:
                continue
            hit = idx[shapely.contains_xy(geom, lon[idx], lat[idx])]
            found[hit] = self.number[code]
            open_[hit] = False
        return found

    def side(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """ISO3 code of the country containing each point (None when none does)."""
        return self.names[self.locate(lon, lat)]


@functools.cache
def _shipped_countries() -> PreparedCountries:
    """Prepare the shipped admin-0 polygons (once per process)."""
    return PreparedCountries(defaults.countries())


def prepare_countries(countries: Any) -> PreparedCountries:
    """Return ``countries`` prepared (None: the shipped admin-0 polygons, prepared once)."""
    if isinstance(countries, PreparedCountries):
        return countries
    if countries is None:
        return _shipped_countries()
    return PreparedCountries(countries)


@renamed_arguments(reference="country")
def distance_to_border(
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    border: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    *,
    unit: str = "km",
    signed: bool = True,
    country: str = defaults.COUNTRY,
    countries: gpd.GeoDataFrame | None = None,
    azimuth: bool = False,
    threads: int | None = None,
) -> pd.DataFrame:
    """Geodesic distance from points to the nearest point of a border.

    Parameters
    ----------
    points : geopandas.GeoDataFrame or geopandas.GeoSeries
        Point geometries in any CRS (converted to EPSG:4326). Missing or empty
        geometries give a row of NaN.
    border : geopandas.GeoDataFrame or geopandas.GeoSeries, optional
        LineString/MultiLineString geometries in any CRS. Sections are named by
        a ``section`` column when there is one, else by the row index; with
        ``country_a`` and ``country_b`` columns the result also names the
        neighbouring country. Default: the shipped Armenia-Azerbaijan border,
        :func:`borderstrikes.datasets.load_border`.
    unit : {'km', 'm', 'nmi'}, default 'km'
        Unit of the distance columns (``nmi`` is the international nautical
        mile, 1852 m).
    signed : bool, default True
        Add ``signed_distance_<unit>``.
    country : str, default "ARM"
        ISO3 code of the country whose inside counts as positive. It must be
        one of the border's countries or of ``countries``. (Called
        ``reference`` before 0.2; that name still works, with a FutureWarning.)
    countries : geopandas.GeoDataFrame, optional
        Country polygons (any CRS, codes in an ``iso3`` column or the index)
        that decide ``side``. Default: the shipped admin-0 countries,
        :func:`borderstrikes.datasets.load_boundaries`. Give your own with
        your own border, so that the side agrees with it.
    azimuth : bool, default False
        Add ``azimuth_deg``: the direction (degrees clockwise from true north,
        in [0, 360)) in which the geodesic from the point to its foot leaves
        the point; NaN for a point on the line or a missing point.
    threads : int, optional
        Threads sharing the work, in chunks of 65,536 points (GeographicLib,
        GEOS and the compiled search release the GIL). Default: one per CPU
        core available. The result is bitwise the same for any value.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``points`` (same labels, same order, duplicates kept) with
        columns

        - ``distance_<unit>`` (float64): geodesic distance to the border;
        - ``signed_distance_<unit>`` (float64, when ``signed``): the same,
          positive for points inside ``country`` and negative elsewhere;
        - ``side`` (object): ISO3 code of the point's country: the side of
          the geodesic border near it, else the country of ``countries``
          containing the point; None when it is in none of them;
        - ``section`` (object): the nearest section;
        - ``neighbour`` (object): the country across that section from
          ``side``, None when ``side`` is not one of the section's two countries
          or the border has no ``country_a``/``country_b`` columns;
        - ``foot_lon``, ``foot_lat`` (float64, degrees): the nearest point of
          the border;
        - ``azimuth_deg`` (float64, with ``azimuth=True``): the azimuth from
          the point to the foot (:func:`borderstrikes.bearing` of the two).

    Raises
    ------
    borderstrikes.errors.CRSError
        If ``points`` or ``border`` has no CRS.
    borderstrikes.errors.GeometryError
        If ``points`` holds anything but points, or ``border`` anything but
        lines.
    borderstrikes.errors.UnknownCountryError
        If ``country`` is unknown.
    ValueError
        If ``unit`` is not one of the options.

    See Also
    --------
    border_between : the shared border of any two shipped countries.
    borderstrikes.geodesy.BorderIndex : the search behind this function.

    Notes
    -----
    Distances are geodesics on the WGS84 ellipsoid (GeographicLib through
    pyproj), and the border's edges are geodesics between its vertices, as in
    PostGIS ``geography``; straight edges in longitude/latitude would move the
    Armenia-Azerbaijan border by up to about 9 m. The distance is within
    1 µm of the exact geodesic distance at any distance up to 2,000 km (the
    tests check 2 µm against a brute-force GeographicLib oracle that is
    itself exact to 1 µm, in bands 0-1, 1-10, 10-100, 100-400 and
    400-2,000 km): the index only narrows the search with proven bounds, and
    the final decision is geodesic (see :class:`BorderIndex`).

    The side is decided against the same geodesic border the distance is
    measured to. :func:`shapely.contains_xy` on the ``countries`` polygons
    names the country; a point near the line (at least 0.5 mm from it and
    closer than twice the largest gap between a geodesic edge of the nearest
    part and the same edge drawn straight in lon/lat, or 10 m) whose polygon
    is one of the two countries on either side of that part gets instead the
    country on its side of the nearest geodesic edge -- the sign of the
    cross-track direction at the foot, or at a vertex the angle-weighted
    pseudo-normal rule (Bærentzen and Aanæs 2005). Polygons draw edges
    straight in longitude/latitude, up to 0.46 m off the geodesic on the
    shipped border; without this rule a point in such a sliver would be
    measured to one line and signed by another. Which country lies left and
    right of each part is read once from the polygons, 200 m out from every
    edge (a part without a clear answer, or a foot on the end of a part, keeps
    the polygons' answer). A point exactly on a country's outline elsewhere
    belongs to no country. The sign follows ``side``: positive in ``country``,
    negative in any other country, and NaN where ``side`` is None (a point in
    no country, such as one on water OpenStreetMap assigns to neither side,
    like Lake Sev on the Armenia-Azerbaijan line): the side is unknown, so no
    sign is made up. A point in no country within 1 mm of the border line is
    on it and gets a signed distance of 0.

    Each row depends on its own point only: reordering the input reorders the
    output, bit for bit, and neither ``threads`` nor a split into partitions
    changes a bit. With numba installed (the ``fast`` extra) the candidate
    search of calls of 4,096 points or more runs compiled
    (:mod:`borderstrikes.geodesy.kernels`), else in numpy: the same bits.
    The index of the default border is built once per
    process; a user's border is indexed once and kept by content (SHA-256
    of its geometry's WKB, labels and CRS; the last 4 such borders).

    Examples
    --------
    >>> import geopandas
    >>> from shapely.geometry import Point
    >>> towns = geopandas.GeoSeries(
    ...     [Point(45.3, 40.35), Point(46.0, 40.0)], index=["sevan", "x"], crs="EPSG:4326"
    ... )
    >>> result = distance_to_border(towns)
    >>> result["side"].tolist(), result["section"].tolist()
    (['ARM', 'AZE'], ['main', 'main'])
    >>> result["signed_distance_km"].round(2).tolist()
    [21.08, -10.29]
    >>> result["neighbour"].tolist()
    ['AZE', 'ARM']
    """
    if is_lazy(points):
        if azimuth:
            msg = "azimuth=True is not available for dask inputs; call .compute() first."
            raise NotImplementedError(msg)
        return lazy_layer().distance_to_border(
            points, border, unit=unit, signed=signed, country=country, countries=countries
        )
    check_option(unit, "unit", UNITS_M)
    threads = _check_threads(threads)
    lon, lat = point_lonlat(points, "points")
    target = prepare_border(border)
    polygons = prepare_countries(countries)
    if country not in target.countries and country not in polygons.codes:
        options = sorted(target.countries | set(polygons.codes))
        msg = (
            f"country must be one of {options!r} (got {country!r}); use the ISO 3166-1 "
            "alpha-3 code of a country of the border or of the countries polygons."
        )
        raise UnknownCountryError(msg)
    found, number = _measure(target, polygons, lon, lat, threads=threads)
    part = found["part"]  # -1 (missing point) picks the trailing None label
    side = polygons.names[number]
    section = target.part_section[part]
    # Countries as numbers of ``polygons`` (-2: not among them, so never a point's side).
    part_a, part_b = (
        np.asarray([polygons.number.get(c, -2) for c in names], dtype=np.int64)
        for names in (target.part_a, target.part_b)
    )
    known = number >= 0
    at_a = known & (number == part_a[part])
    at_b = known & (number == part_b[part]) & ~at_a
    # neighbour: country_b of the part at a, country_a at b, else the trailing None
    labels_ab = np.concatenate([target.part_b, target.part_a])
    pick = np.where(at_a, part, np.where(at_b, target.n_parts + 1 + part, -1))
    neighbour = labels_ab[pick]
    dist = found["distance_m"] / UNITS_M[unit]
    index = as_geoseries(points, "points").index
    columns: dict[str, Any] = {f"distance_{unit}": dist}
    if signed:
        on_line = ~known & (dist * UNITS_M[unit] < _ON_LINE_M)
        mine = polygons.number.get(country, -2)
        sign = np.where(number == mine, 1.0, np.where(known, -1.0, np.nan))
        sign[on_line] = 0.0
        columns[f"signed_distance_{unit}"] = sign * dist + 0.0
    labels = {"side": side, "section": section, "neighbour": neighbour}
    columns.update({name: pd.Series(values, dtype=object) for name, values in labels.items()})
    columns.update(foot_lon=found["foot_lon"], foot_lat=found["foot_lat"])
    if azimuth:
        columns["azimuth_deg"] = inverse(lon, lat, found["foot_lon"], found["foot_lat"])[0]
    frame = pd.DataFrame(
        {
            name: pd.Series(values, dtype=np.asarray(values).dtype)
            for name, values in columns.items()
        }
    )  # explicit Series keep object columns object (pandas 3 would infer str and drop None)
    frame.index = index.copy()
    return frame


# Points per task when threads share a call (each task measures and places its points).
_TASK_POINTS = 65_536


def _check_threads(threads: Any) -> int:
    """``threads`` as a positive int (None: the CPU cores this process may use)."""
    if threads is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if isinstance(threads, bool) or not isinstance(threads, int | np.integer) or threads < 1:
        msg = f"threads must be a positive integer or None (got {threads!r})."
        raise ValueError(msg)
    return int(threads)


def _measure(
    target: PreparedBorder,
    polygons: PreparedCountries,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    threads: int,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Nearest point of the border and side (country number) of every point, over ``threads``.

    Every point's answer depends on that point only, so the chunks (and the
    number of threads) never change a bit of the result.
    """
    target.orient(polygons)  # read once, before the threads share it
    n = lon.size
    tasks = max(1, -(-n // _TASK_POINTS))
    if threads <= 1 or tasks <= 1:
        found = target.index.query(lon, lat)
        return found, _side(target, polygons, lon, lat, found)
    cuts = np.linspace(0, n, tasks + 1).astype(np.int64)

    def task(lo: int, hi: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        found = target.index.query(lon[lo:hi], lat[lo:hi])
        return found, _side(target, polygons, lon[lo:hi], lat[lo:hi], found)

    with ThreadPoolExecutor(min(threads, tasks)) as pool:
        done = list(pool.map(task, cuts[:-1], cuts[1:]))
    found = {key: np.concatenate([f[key] for f, _ in done]) for key in done[0][0]}
    return found, np.concatenate([side for _, side in done])


def _side(
    target: PreparedBorder,
    polygons: PreparedCountries,
    lon: np.ndarray,
    lat: np.ndarray,
    found: dict[str, np.ndarray],
) -> np.ndarray:
    """Country of each point: the side of the geodesic line near it, the polygons elsewhere.

    Returns the country's number in ``polygons`` (-1: none).
    """
    side = polygons.locate(lon, lat)
    part_left, part_right = (
        np.asarray([-1 if c is None else polygons.number[c] for c in names], dtype=np.int64)
        for names in target.orient(polygons)
    )
    part = found["part"]
    left = part_left[part]
    right = part_right[part]
    dist = found["distance_m"]
    with np.errstate(invalid="ignore"):
        near = (dist >= _LINE_SIDE_FROM_M) & (dist < target.part_near_m[part])
    near &= (left >= 0) & ((side == left) | (side == right))
    pick = np.flatnonzero(near)
    if pick.size:
        sub = {key: value[pick] for key, value in found.items()}
        turn = target.line_side(lon[pick], lat[pick], sub)
        side[pick] = np.where(turn > 0, left[pick], np.where(turn < 0, right[pick], side[pick]))
    return side


def _local_crs(a: Any, b: Any) -> Any:
    """UTM zone of the region where two outlines can meet."""
    ax0, ay0, ax1, ay1 = a.bounds
    bx0, by0, bx1, by1 = b.bounds
    x0, y0, x1, y1 = max(ax0, bx0), max(ay0, by0), min(ax1, bx1), min(ay1, by1)
    if x0 > x1 or y0 > y1:
        x0, y0, x1, y1 = min(ax0, bx0), min(ay0, by0), max(ax1, bx1), max(ay1, by1)
    probe = gpd.GeoSeries([shapely.box(x0, y0, x1, y1)], crs=WGS84)
    return probe.estimate_utm_crs()


def _connected(lines: list[Any], gap: float) -> list[list[int]]:
    """Group lines closer than ``gap`` to one another (union-find over an STRtree)."""
    parent = list(range(len(lines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tree = shapely.STRtree(lines)
    left, right = tree.query(lines, predicate="dwithin", distance=gap)
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(lines)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


@renamed_arguments(a="country", b="neighbour")
def border_between(
    country: str,
    neighbour: str,
    *,
    tolerance_m: float = 100.0,
    countries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Shared border of two countries, shipped or of your own polygons, split into sections.

    Parameters
    ----------
    country, neighbour : str
        ISO3 codes of two different countries of ``countries``. (Called ``a``
        and ``b`` before 0.2; those names still work, with a FutureWarning.)
    tolerance_m : float, default 100
        How close (metres) a stretch of ``country``'s outline must run to
        ``neighbour`` to count as shared. Used only for pairs without a
        shipped border file.
    countries : geopandas.GeoDataFrame, optional
        Country polygons with an ``iso3`` column, in any CRS (converted to
        EPSG:4326), e.g. your own admin-0 file (``borderstrikes report
        --boundaries FILE`` passes it here). Default: the shipped admin-0
        countries (:func:`borderstrikes.datasets.load_boundaries`), for which
        the shipped border file of a pair is returned when there is one.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, one row per section with columns ``section``,
        ``country_a``, ``country_b``, ``length_km`` (geodesic, WGS84),
        ``bridged_gap_km`` (0 here: derived lines are not bridged) and
        LineString/MultiLineString geometry: the schema of
        :func:`borderstrikes.datasets.load_border`.

    Raises
    ------
    borderstrikes.errors.CRSError
        If ``countries`` has no CRS.
    borderstrikes.errors.UnknownCountryError
        If a code is not in ``countries``, or the two countries share no border.
    ValueError
        If ``country == neighbour`` or ``tolerance_m`` is not a positive number.

    See Also
    --------
    distance_to_border : distances from points to the result.

    Notes
    -----
    A pair with a shipped border file (Armenia-Azerbaijan) returns that file,
    :func:`~borderstrikes.datasets.load_border`, whatever the order of ``a``
    and ``neighbour``. For any other pair the border is derived: the part of
    ``country``'s outline within ``tolerance_m`` of ``neighbour``'s polygon, with the buffer taken
    in the UTM zone estimated for the region where the two outlines can meet
    (``GeoSeries.estimate_utm_crs``). The pieces are merged and grouped into
    sections, two pieces joining the same section when they come within
    ``10 * tolerance_m`` of each other (a short stretch where the outlines
    part by more than the tolerance does not split a section); sections are
    named ``section_1``, ``section_2``, ... from the longest down. Georgia,
    Iran and Turkey are shipped coarsely, so borders with them are coarse
    too and lie only roughly on the finer outline of Armenia or Azerbaijan.

    Examples
    --------
    >>> border_between("ARM", "AZE")["section"].iloc[0]
    'main'
    >>> turkey = border_between("ARM", "TUR")
    >>> turkey["section"].iloc[0], turkey["country_b"].iloc[0]
    ('section_1', 'TUR')

    Your own polygons: two squares sharing a 0.1° meridian edge of 11.057 km.
    Where the shared edge ends, the outline turning away runs within
    ``tolerance_m`` of the other square for that distance, and counts:

    >>> import geopandas, shapely
    >>> mine = geopandas.GeoDataFrame(
    ...     {"iso3": ["AAA", "BBB"]},
    ...     geometry=[shapely.box(10.0, 0.0, 10.1, 0.1), shapely.box(10.1, 0.0, 10.2, 0.1)],
    ...     crs="EPSG:4326",
    ... )
    >>> for tolerance_m in (100, 1):
    ...     line = border_between("AAA", "BBB", countries=mine, tolerance_m=tolerance_m)
    ...     print(round(float(line["length_km"].iloc[0]), 3))
    11.257
    11.059
    """
    shipped = countries is None
    boundaries = defaults.countries(countries)
    if not shipped:
        require_crs(boundaries, "countries")
        if "iso3" not in boundaries.columns:
            msg = (
                "countries must have an 'iso3' column of ISO 3166-1 alpha-3 codes (got columns "
                f"{list(boundaries.columns)!r}); rename the code column, e.g. "
                "countries.rename(columns={'ISO_A3': 'iso3'})."
            )
            raise ValueError(msg)
        boundaries = boundaries.to_crs(WGS84)
    codes = [str(code) for code in boundaries["iso3"]]
    for name, code in (("country", country), ("neighbour", neighbour)):
        if code not in codes:
            msg = f"{name} must be one of {sorted(codes)!r} (got {code!r})."
            raise UnknownCountryError(msg)
    if country == neighbour:
        msg = f"country and neighbour must be two different countries (got {country!r} twice)."
        raise ValueError(msg)
    tolerance_m = check_number(tolerance_m, "tolerance_m", unit="metres")
    if shipped:
        try:
            return defaults.border_file(country, neighbour)
        except UnknownCountryError:
            pass
    a, b = country, neighbour
    shape_a = boundaries.geometry.iloc[codes.index(a)]
    shape_b = boundaries.geometry.iloc[codes.index(b)]
    local = _local_crs(shape_a, shape_b)
    pair = gpd.GeoSeries([shape_a, shape_b], crs=WGS84).to_crs(local)
    shared = shapely.intersection(pair.iloc[0].boundary, pair.iloc[1].buffer(tolerance_m))
    lines = [
        g
        for g in shapely.get_parts(shapely.line_merge(shapely.union_all(shared)))
        if g.geom_type == "LineString" and g.length > 0
    ]
    if not lines:
        msg = (
            f"{a} and {b} share no border in the shipped boundaries (no stretch of {a}'s "
            f"outline lies within {tolerance_m} m of {b})."
        )
        raise UnknownCountryError(msg)
    sections = [
        shapely.line_merge(shapely.MultiLineString([lines[i] for i in group]))
        for group in _connected(lines, 10.0 * tolerance_m)
    ]
    geoms = gpd.GeoSeries(sections, crs=local).to_crs(WGS84)
    lengths = np.array([GEOD.geometry_length(g) / 1000.0 for g in geoms])
    order = np.argsort(-lengths, kind="stable")
    frame = gpd.GeoDataFrame(
        {
            "section": [f"section_{i + 1}" for i in range(len(order))],
            "country_a": a,
            "country_b": b,
            "length_km": lengths[order],
            "bridged_gap_km": 0.0,
        },
        geometry=list(geoms.iloc[order]),
        crs=WGS84,
    )
    frame.attrs["provenance"] = boundaries.attrs.get("provenance", [])
    return frame
