"""The strike-report table: its schema constants and a validator.

The packaged reports (:func:`borderstrikes.datasets.load_strikes`) follow the
schema in ``data/STRIKES_SCHEMA.md``. :func:`validate_strikes` checks a table
against it -- the packaged one, or a user's own reports in the same layout --
and says which rows break it and how to fix them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import datasets
from borderstrikes._core.validate import convert_to_wgs84, require_crs
from borderstrikes.errors import (
    StrikesValidationError,
    UnknownCountryError,
)
from borderstrikes.geodesy.projection import to_aeqd

__all__ = [
    "DEFAULTS",
    "EVIDENCE_KINDS",
    "LIST_COLUMNS",
    "LOCATION_PRECISIONS",
    "NOT_STRIKE_EVIDENCE",
    "PRECISION_RADIUS_M",
    "REQUIRED_COLUMNS",
    "complete_strikes",
    "decode_columns",
    "encode_columns",
    "is_strike_report",
    "validate_strikes",
]

#: What kind of claim a report makes about its place, from strongest to weakest.
EVIDENCE_KINDS = (
    "impact",
    "direction",
    "ground_fighting",
    "displacement_only",
    "denial",
    "claimed_firing_point",
)

#: Evidence kinds that do not report a strike on the place: people fled from it
#: (displacement only) or a source denied it was hit. Analyses leave them out by default.
NOT_STRIKE_EVIDENCE = ("displacement_only", "denial")

#: How well the point locates the report, from finest to coarsest.
LOCATION_PRECISIONS = ("exact", "settlement", "area", "region")

#: Default (and smallest allowed) ``location_radius_m`` of each precision, in metres.
PRECISION_RADIUS_M = MappingProxyType(
    {"exact": 100, "settlement": 2_000, "area": 5_000, "region": 25_000}
)

#: Columns every strike table must have (besides its geometry).
REQUIRED_COLUMNS = (
    "report_id",
    "place",
    "admin1",
    "admin1_iso",
    "date",
    "claimant",
    "source_outlet",
    "evidence",
    "location_precision",
    "location_radius_m",
    "coord_source",
)

LON_RANGE = (43.0, 47.0)  # Armenia's bounding box, generously rounded
LAT_RANGE = (38.5, 41.5)
_SHOW = 10  # offending rows named in a message


def _labels(frame: pd.DataFrame, mask: Any, *, by_index: bool = False) -> str:
    """Name the offending rows: their report_id, or their index label."""
    rows = frame.loc[np.asarray(mask, dtype=bool)]
    labels = rows.index.tolist() if by_index else rows["report_id"].tolist()
    shown = ", ".join(repr(label) for label in labels[:_SHOW])
    more = f" and {len(labels) - _SHOW} more" if len(labels) > _SHOW else ""
    return f"{len(labels)} row(s): {shown}{more}"


def _fail(message: str) -> None:
    raise StrikesValidationError(message)


def _check_columns(strikes: gpd.GeoDataFrame) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in strikes.columns]
    if missing:
        _fail(
            f"strikes is missing the required column(s) {missing!r}. The schema is in "
            "data/STRIKES_SCHEMA.md; borderstrikes.load_strikes() returns a complete example."
        )


def _check_scalars(strikes: gpd.GeoDataFrame) -> None:
    for column in REQUIRED_COLUMNS:
        nested = strikes[column].map(
            lambda v: isinstance(v, list | tuple | set | dict | np.ndarray)
        )
        if nested.any():
            _fail(
                f"{column} must hold one value per report, not a list; "
                f"{_labels(strikes, nested, by_index=True)} (index labels) hold lists. "
                "See data/STRIKES_SCHEMA.md."
            )


def _check_ids(strikes: gpd.GeoDataFrame) -> None:
    ids = strikes["report_id"]
    blank = ids.isna() | (ids.astype(str).str.strip() == "")
    if blank.any():
        _fail(
            f"report_id must not be empty; {_labels(strikes, blank, by_index=True)} (index "
            "labels) have none. Give every report an id such as 'SR089'."
        )
    duplicated = ids.duplicated(keep=False)
    if duplicated.any():
        _fail(
            f"report_id must be unique; {_labels(strikes, duplicated)} share an id. "
            "Give every report its own id (e.g. 'SR089')."
        )


def _check_choices(strikes: gpd.GeoDataFrame) -> None:
    for column, allowed in (
        ("evidence", EVIDENCE_KINDS),
        ("location_precision", LOCATION_PRECISIONS),
    ):
        bad = ~strikes[column].isin(allowed)
        if bad.any():
            values = sorted({str(v) for v in strikes.loc[bad, column]})
            _fail(
                f"{column} must be one of {allowed!r}; {_labels(strikes, bad)} have "
                f"{values!r}. See data/STRIKES_SCHEMA.md for what each value means."
            )


def _radius_m(strikes: gpd.GeoDataFrame) -> np.ndarray:
    """``location_radius_m`` as floats, NaN where missing or not a number (even ``<NA>``)."""
    radius = pd.to_numeric(strikes["location_radius_m"], errors="coerce")
    return radius.to_numpy(dtype=float, na_value=np.nan)


def _check_radius(strikes: gpd.GeoDataFrame) -> None:
    radius = _radius_m(strikes)
    minimum = strikes["location_precision"].map(PRECISION_RADIUS_M).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(radius) & (radius >= minimum))
    if bad.any():
        _fail(
            f"location_radius_m must be a number of metres at least the default radius of the "
            f"row's location_precision {dict(PRECISION_RADIUS_M)!r}; {_labels(strikes, bad)} "
            "break this. Use the radius table in data/STRIKES_SCHEMA.md."
        )


def _check_dates(strikes: gpd.GeoDataFrame) -> None:
    dates = pd.to_datetime(strikes["date"], errors="coerce", format="ISO8601", utc=True)
    bad = dates.isna()
    if bad.any():
        _fail(
            f"date must be a date written YYYY-MM-DD (or a datetime); {_labels(strikes, bad)} "
            f"have {sorted({str(v) for v in strikes.loc[bad, 'date']})[:_SHOW]!r}."
        )
    # a day of slack: a report's local date can be a day ahead of UTC
    future = dates > pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)
    if future.any():
        _fail(
            f"date must not lie in the future; {_labels(strikes, future)} are dated after today. "
            "Check the year and the order of day and month."
        )


def _check_points(
    strikes: gpd.GeoDataFrame, countries: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    geoms = convert_to_wgs84(strikes.geometry, "strikes")
    values = np.asarray(geoms.values)
    missing = shapely.is_missing(values) | shapely.is_empty(values)
    if missing.any():
        _fail(
            f"every report needs a point; {_labels(strikes, missing)} have a missing or empty "
            "geometry. Give each report the point of its place (or a cited coarser stand-in "
            "with a larger location_radius_m); see data/STRIKES_SCHEMA.md."
        )
    not_point = shapely.get_type_id(values) != shapely.GeometryType.POINT
    if not_point.any():
        _fail(
            f"geometries must be Points; {_labels(strikes, not_point)} are not. Use "
            ".representative_point() for areas and lines."
        )
    lon, lat = shapely.get_x(values), shapely.get_y(values)
    (lon0, lon1), (lat0, lat1) = _bounds(countries)
    in_lon = (lon >= lon0) & (lon <= lon1)
    in_lat = (lat >= lat0) & (lat <= lat1)
    swapped = ~(in_lon & in_lat) & (lon >= lat0) & (lon <= lat1) & (lat >= lon0) & (lat <= lon1)
    if swapped.any():
        _fail(
            f"{_labels(strikes, swapped)} look like latitude and longitude swapped (x in "
            f"{lat0:g}-{lat1:g}, y in {lon0:g}-{lon1:g}). Points take (longitude, latitude): "
            "rebuild them with geopandas.points_from_xy(lon, lat), or swap existing ones with "
            "shapely.ops.transform(lambda x, y: (y, x), point)."
        )
    outside = ~(in_lon & in_lat)
    if outside.any():
        where = "/".join(countries)
        _fail(
            f"points must lie in {where} (longitude {lon0:g}-{lon1:g}, latitude "
            f"{lat0:g}-{lat1:g} in EPSG:4326); {_labels(strikes, outside)} lie "
            "outside. Check the coordinates and that the CRS is set correctly, or pass "
            "countries=... for reports in other shipped countries."
        )
    return lon, lat


def _check_countries(countries: Sequence[str]) -> tuple[str, ...]:
    if isinstance(countries, str):
        countries = (countries,)
    countries = tuple(countries)
    shipped = set(datasets.load_boundaries(1)["iso3"])
    unknown = [c for c in countries if c not in shipped]
    if unknown or not countries:
        msg = (
            f"countries must be ISO3 codes among {sorted(shipped)!r} (the countries with "
            f"shipped admin-1 units); got {list(countries)!r}."
        )
        raise UnknownCountryError(msg)
    return countries


def _bounds(countries: tuple[str, ...]) -> tuple[tuple[float, float], tuple[float, float]]:
    """Bounding box (lon, lat ranges) of the shipped countries, rounded out to 0.5°."""
    if countries == ("ARM",):
        return LON_RANGE, LAT_RANGE
    x0, y0, x1, y1 = datasets.load_boundaries(0, countries=list(countries)).total_bounds
    return (
        (math.floor(x0 * 2) / 2, math.ceil(x1 * 2) / 2),
        (math.floor(y0 * 2) / 2, math.ceil(y1 * 2) / 2),
    )


def _distance_to_unit_m(lon: float, lat: float, unit: Any) -> float:
    """Geodesic distance (m) from a point to a polygon, via an azimuthal equidistant CRS.

    Centred on the point, the projection keeps distances from the centre exact; the
    polygon is first densified to 0.01° so that its lon/lat edges keep their shape.
    """
    projected = shapely.transform(
        shapely.segmentize(unit, 0.01),
        lambda xy: np.column_stack(to_aeqd(lon, lat, xy[:, 0], xy[:, 1])),
    )
    return float(shapely.distance(shapely.Point(0.0, 0.0), projected))


def _check_admin1(
    strikes: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray, countries: tuple[str, ...]
) -> None:
    units = datasets.load_boundaries(1, countries=list(countries))
    # Natural Earth repeats a few codes (a district and its town): a code covers all its units.
    unit_of = {
        code: shapely.union_all(np.asarray(group.geometry.values))
        for code, group in units.groupby("iso_3166_2", sort=True)
    }
    unknown = ~strikes["admin1_iso"].isin(list(unit_of))
    if unknown.any():
        _fail(
            f"admin1_iso must be the ISO 3166-2 code of a unit of {'/'.join(countries)} "
            f"{sorted(unit_of)!r}; "
            f"{_labels(strikes, unknown)} have {sorted(set(strikes.loc[unknown, 'admin1_iso']))!r}."
        )
    radius = _radius_m(strikes)
    codes = strikes["admin1_iso"].to_numpy()
    inside = np.array(
        [
            shapely.contains_xy(unit_of[code], x, y)
            for code, x, y in zip(codes, lon, lat, strict=True)
        ],
        dtype=bool,
    )
    far = np.zeros(len(strikes), dtype=bool)
    details = []
    for i in np.flatnonzero(~inside):
        distance = _distance_to_unit_m(lon[i], lat[i], unit_of[codes[i]])
        if distance > radius[i]:
            far[i] = True
            details.append(f"{distance / 1000:.1f} km from {codes[i]}")
    if far.any():
        _fail(
            f"points must lie in their stated admin1 unit, or within location_radius_m of it; "
            f"{_labels(strikes, far)} do not ({', '.join(details[:_SHOW])}). Check the "
            "coordinates, the admin1_iso code, or widen location_radius_m if the point is a "
            "documented stand-in."
        )


def validate_strikes(
    strikes: gpd.GeoDataFrame, *, countries: Sequence[str] = ("ARM",)
) -> gpd.GeoDataFrame:
    """Check a table of strike reports against the documented schema.

    Checks, in this order: required columns; a CRS; one value (not a list)
    per cell of the required columns; ``report_id`` present and unique;
    ``evidence`` and ``location_precision`` among the allowed values;
    ``location_radius_m`` at least the precision's default; ``date`` a
    real date, not in the future; every row has a Point; no
    latitude/longitude swap; points inside the bounding box of
    ``countries``; each point inside its ``admin1_iso`` unit or within
    ``location_radius_m`` of it (geodesic distance).

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame
        Reports in the layout of :func:`borderstrikes.load_strikes`, in any
        CRS (coordinates are checked in EPSG:4326).
    countries : sequence of str, default ("ARM",)
        ISO3 codes of the countries the reports may lie in: their shipped
        admin-1 units are the valid ``admin1_iso`` values. Pass
        ``("ARM", "AZE")`` for events on both sides of the border.

    Returns
    -------
    geopandas.GeoDataFrame
        ``strikes`` itself, unchanged, so the call can sit in a pipeline.

    Raises
    ------
    TypeError
        If ``strikes`` is not a GeoDataFrame.
    borderstrikes.errors.CRSError
        If ``strikes`` has no CRS.
    borderstrikes.errors.StrikesValidationError
        At the first failed check, naming up to ten offending ``report_id``
        values and saying how to fix them.
    borderstrikes.errors.UnknownCountryError
        If a code in ``countries`` has no shipped admin-1 units.

    See Also
    --------
    borderstrikes.datasets.load_strikes : the packaged reports.

    Notes
    -----
    The distance of a point outside its marz is measured in an azimuthal
    equidistant projection centred on the point, which keeps distances from
    the point exact on the WGS84 ellipsoid. The marz polygons are Natural
    Earth units conformed to the OpenStreetMap outline
    (:func:`borderstrikes.datasets.load_boundaries` with ``level=1``).

    Examples
    --------
    >>> from borderstrikes.datasets import load_strikes
    >>> from borderstrikes.strikes import validate_strikes
    >>> strikes = load_strikes()
    >>> validate_strikes(strikes) is strikes
    True
    >>> broken = strikes.copy()
    >>> broken.loc[3, "evidence"] = "rumour"
    >>> validate_strikes(broken)
    Traceback (most recent call last):
    ...
    borderstrikes.errors.StrikesValidationError: evidence must be one of ...
    """
    if not isinstance(strikes, gpd.GeoDataFrame):
        msg = (
            f"strikes must be a GeoDataFrame (got {type(strikes).__name__}). Build one with "
            "geopandas.GeoDataFrame(df, geometry=geopandas.points_from_xy(df.lon, df.lat), "
            "crs='EPSG:4326')."
        )
        raise TypeError(msg)
    _check_columns(strikes)
    require_crs(strikes, "strikes")
    _check_scalars(strikes)
    _check_ids(strikes)
    _check_choices(strikes)
    _check_radius(strikes)
    _check_dates(strikes)
    countries = _check_countries(countries)
    lon, lat = _check_points(strikes, countries)
    _check_admin1(strikes, lon, lat, countries)
    return strikes


#: What :func:`complete_strikes` puts in a missing column, and why (said in the report).
DEFAULTS: MappingProxyType[str, tuple[Any, str]] = MappingProxyType(
    {
        "report_id": (None, "numbered U00001, U00002, ... in file order"),
        "place": ("(unnamed)", "the file names no place"),
        "admin1": (None, "the admin-1 unit the point lies in (shipped boundaries)"),
        "admin1_iso": (None, "the ISO 3166-2 code of that unit"),
        "claimant": ("not stated", "the file names no claimant"),
        "source_outlet": ("not stated", "the file names no outlet"),
        "evidence": (
            "impact",
            "each row is taken as the file's claim of a strike at the point; nothing verifies it",
        ),
        "location_precision": (
            "settlement",
            "precision not stated: the point is taken as a settlement centre (2 km), not exact",
        ),
        "location_radius_m": (None, "the default radius of the location precision"),
        "coord_source": ("not stated", "the file does not say where its coordinates come from"),
    }
)


def _admin1_of(points: gpd.GeoSeries, countries: Sequence[str]) -> pd.DataFrame:
    """Name and ISO 3166-2 code of the admin-1 unit each point lies in (missing if none)."""
    units = datasets.load_boundaries(1, countries=list(countries))
    name_column = "name" if "name" in units.columns else units.columns[0]
    tree = shapely.STRtree(np.asarray(units.geometry.values))
    point_at, unit_at = tree.query(np.asarray(points.values), predicate="within")
    out = pd.DataFrame({"admin1": None, "admin1_iso": None}, index=points.index, dtype=object)
    first = pd.Series(unit_at, index=point_at).groupby(level=0).first()  # one unit per point
    rows = points.index[first.index.to_numpy()]
    out.loc[rows, "admin1"] = units[name_column].to_numpy()[first.to_numpy()]
    out.loc[rows, "admin1_iso"] = units["iso_3166_2"].to_numpy()[first.to_numpy()]
    return out


def complete_strikes(
    strikes: gpd.GeoDataFrame, *, countries: Sequence[str] = ("ARM",)
) -> gpd.GeoDataFrame:
    """Fill the schema columns a minimal table of one's own events leaves out.

    A table with a point, a ``date`` and a ``place`` per row (any other
    columns are kept as they are) gets every missing column of
    :data:`REQUIRED_COLUMNS`, each with the default in :data:`DEFAULTS`:
    ids in file order, the admin-1 unit from the shipped boundaries, the
    location precision ``"settlement"`` (2 km: a point of unstated precision
    is not taken as exact), evidence ``"impact"`` (the file's own claim of a
    strike), and ``"not stated"`` for claimant, outlet and coordinate source.
    Columns present are never changed, even if empty.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame
        Point events with at least ``date``; any CRS.
    countries : sequence of str, default ("ARM",)
        Countries whose shipped admin-1 units give ``admin1`` and ``admin1_iso``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with the missing columns added (same index and CRS);
        ``attrs["defaulted"]`` maps each added column to what it holds and why.

    Raises
    ------
    ValueError
        If ``strikes`` has no ``date`` column.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> mine = gpd.GeoDataFrame(
    ...     {"date": pd.to_datetime(["2022-09-13"]), "place": ["Jermuk"]},
    ...     geometry=gpd.points_from_xy([45.669], [39.841]), crs="EPSG:4326",
    ... )
    >>> full = complete_strikes(mine)
    >>> row = full.iloc[0]
    >>> row["report_id"], row["admin1_iso"], row["location_precision"]
    ('U00001', 'AM-VD', 'settlement')
    >>> int(row["location_radius_m"])
    2000
    >>> sorted(full.attrs["defaulted"])[:3]
    ['admin1', 'admin1_iso', 'claimant']
    """
    require_crs(strikes, "strikes")
    if "date" not in strikes.columns:
        msg = "strikes need a 'date' column (the local date of each event, YYYY-MM-DD)"
        raise ValueError(msg)
    out = strikes.copy()
    defaulted: dict[str, str] = {}
    missing = [c for c in REQUIRED_COLUMNS if c not in out.columns]
    if {"admin1", "admin1_iso"} & set(missing):
        units = _admin1_of(convert_to_wgs84(out.geometry, "strikes"), tuple(countries))
    for column in missing:
        value, why = DEFAULTS[column]
        if column == "report_id":
            out[column] = [f"U{i:05d}" for i in range(1, len(out) + 1)]
        elif column in ("admin1", "admin1_iso"):
            out[column] = units[column].to_numpy()
        elif column == "location_radius_m":
            out[column] = out["location_precision"].map(PRECISION_RADIUS_M).astype("Int64")
        else:
            out[column] = value
        defaulted[column] = why if value is None else f"{value!r}: {why}"
    out.attrs["defaulted"] = defaulted
    return out


def is_strike_report(
    frame: Any, *, exclude_evidence: Iterable[str] | str | None = NOT_STRIKE_EVIDENCE
) -> np.ndarray:
    """Which rows count as strike reports: those whose ``evidence`` is not excluded.

    The one evidence filter of the package: clustering, zones, the report and the
    CLI all leave out reports of displacement only and denials this way.

    Parameters
    ----------
    frame : pandas.DataFrame
        Reports; a frame without an ``evidence`` column (or a GeoSeries) keeps
        every row.
    exclude_evidence : iterable of str, str or None, default NOT_STRIKE_EVIDENCE
        Evidence values to leave out; ``()`` or None keeps every row.

    Returns
    -------
    numpy.ndarray
        Boolean, one value per row, True for the rows kept.

    Raises
    ------
    TypeError
        If ``exclude_evidence`` is not a string, an iterable of strings or None.

    Examples
    --------
    >>> import pandas as pd
    >>> reports = pd.DataFrame({"evidence": ["impact", "denial", "direction"]})
    >>> is_strike_report(reports).tolist()
    [True, False, True]
    >>> is_strike_report(reports, exclude_evidence=()).tolist()
    [True, True, True]
    """
    if isinstance(exclude_evidence, str):
        exclude_evidence = (exclude_evidence,)
    if exclude_evidence is None:
        exclude_evidence = ()
    if not isinstance(exclude_evidence, Iterable):
        msg = (
            "exclude_evidence must be a tuple of evidence values "
            f"(got {exclude_evidence!r}); use exclude_evidence=() to keep every report."
        )
        raise TypeError(msg)
    values = tuple(exclude_evidence)
    if not values or not isinstance(frame, pd.DataFrame) or "evidence" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return ~frame["evidence"].isin(values).to_numpy()


def encode_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make a table writable to GeoJSON, GeoPackage or CSV without losing values.

    Those formats have no list field, and GDAL reads a date back in a
    different resolution, so a copy is returned with every list (such as
    ``place_variants`` and ``weapons`` of the strike reports) as a JSON array
    string and every datetime column as ISO 8601 text. Other columns and the
    geometry are unchanged. :func:`decode_columns` reverses it.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        E.g. :func:`borderstrikes.load_strikes` or the events of a reader.

    Returns
    -------
    geopandas.GeoDataFrame

    Notes
    -----
    Write the result with ``GeoDataFrame.to_file`` (GeoJSON, GeoPackage) or
    as a CSV whose ``geometry`` column is WKT at full precision
    (``GeoSeries.to_wkt(rounding_precision=-1)``; the default keeps 6
    decimals). Read it back with ``read_strikes(path, text=True)`` and
    :func:`decode_columns`: every row, value, dtype and coordinate returns
    (``tests/test_roundtrip.py``). CSV has no missing value distinct from an
    empty text, so an empty text comes back missing; the packaged reports
    hold none.

    Examples
    --------
    >>> strikes = datasets.load_strikes()
    >>> encode_columns(strikes).loc[0, "place_variants"]
    '["Agbradzor", "Akhpradzor", "Ախպրաձոր"]'
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column == out.geometry.name:
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            out[column] = values.map(lambda v: None if pd.isna(v) else v.isoformat())
        elif values.map(lambda v: isinstance(v, list | tuple)).any():
            out[column] = values.map(
                lambda v: (
                    json.dumps(list(v), ensure_ascii=False) if isinstance(v, list | tuple) else v
                )
            )
    return out


def _as_list(value: Any) -> Any:
    """Turn a JSON array string, or the array GDAL makes of it in GeoJSON, into a list."""
    if isinstance(value, str):
        return json.loads(value)
    if isinstance(value, np.ndarray | tuple):
        return np.asarray(value).tolist()
    return value


#: Columns of the strike reports that hold a list per report.
LIST_COLUMNS = ("place_variants", "weapons", "coord_candidates")


def decode_columns(
    frame: gpd.GeoDataFrame, dtypes: Any = None, *, lists: Any = LIST_COLUMNS
) -> gpd.GeoDataFrame:
    """Reverse :func:`encode_columns` on a table read back from a file.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        As :func:`read_strikes` returns it.
    dtypes : mapping of column to dtype, optional
        The dtypes to restore, e.g. ``original.dtypes``; default those of
        :func:`borderstrikes.load_strikes`. Columns not named keep theirs.
    lists : sequence of str, default :data:`LIST_COLUMNS`
        Columns holding JSON arrays to turn back into lists
        (``place_variants``, ``weapons``, ``coord_candidates``).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with the columns in ``dtypes`` order where they exist, then the geometry.

    Examples
    --------
    >>> strikes = datasets.load_strikes()
    >>> back = decode_columns(encode_columns(strikes))
    >>> back.loc[0, "place_variants"], back["date"].dtype
    (['Agbradzor', 'Akhpradzor', 'Ախպրաձոր'], dtype('<M8[us]'))
    """
    if dtypes is None:
        dtypes = datasets.load_strikes().dtypes
    out = frame.copy()
    for column in lists:
        if column in out:
            out[column] = out[column].map(_as_list)
    for column, dtype in dict(dtypes).items():
        if column not in out or column == out.geometry.name or column in lists:
            continue
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(dtype):
            values = pd.to_datetime(values, format="ISO8601")
        elif str(dtype) in {"Int64", "Int32"}:
            values = pd.to_numeric(values)
        out[column] = values.astype(dtype)
    order = [c for c in dict(dtypes) if c in out and c != out.geometry.name]
    rest = [c for c in out.columns if c not in order and c != out.geometry.name]
    return out[[*order, *rest, out.geometry.name]]
