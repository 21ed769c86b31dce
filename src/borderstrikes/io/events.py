"""Read ACLED, UCDP GED and GDELT event files into the library's event schema.

Each reader returns an :class:`EventsRead` pair: the events as a
GeoDataFrame of points in EPSG:4326, and the rows it could not read, each
with its reasons. Nothing is dropped silently: a record is either an event or
a reject. The event columns (:data:`EVENT_COLUMNS`) include every column of
the strike-report schema (:data:`borderstrikes.strikes.REQUIRED_COLUMNS`), so
the events go into the same analysis functions as the packaged reports. The
schema, and every table that maps a dataset's codes onto it, is documented in
``docs/event_schema.md``.

The mapping tables are module constants, so they can be read, tested and
cited: :data:`EVENT_CLASS_FROM_ACLED`, :data:`EVENT_CLASS_FROM_UCDP`,
:data:`EVENT_CLASS_FROM_CAMEO`, :data:`EVIDENCE_FROM_EVENT_CLASS`,
:data:`PRECISION_FROM_GDELT` (ACLED's and UCDP's location precision come from
:data:`borderstrikes.io.codebooks.PRECISION_FROM_ACLED` and
:data:`~borderstrikes.io.codebooks.PRECISION_FROM_UCDP`),
:data:`ISO3_FROM_FIPS`, :data:`ISO3_FROM_ISO_NUMERIC` and
:data:`ISO3_FROM_GLEDITSCH_WARD`.
"""

from __future__ import annotations

import csv
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import datasets
from borderstrikes._core.validate import WGS84
from borderstrikes.errors import DataFileError
from borderstrikes.io.codebooks import PRECISION_FROM_ACLED, PRECISION_FROM_UCDP
from borderstrikes.strikes import PRECISION_RADIUS_M

__all__ = [
    "DATE_PRECISIONS",
    "EVENT_CLASSES",
    "EVENT_CLASS_FROM_ACLED",
    "EVENT_CLASS_FROM_CAMEO",
    "EVENT_CLASS_FROM_UCDP",
    "EVENT_COLUMNS",
    "EVIDENCE_FROM_EVENT_CLASS",
    "GDELT_COLUMNS",
    "ISO3_FROM_FIPS",
    "ISO3_FROM_GLEDITSCH_WARD",
    "ISO3_FROM_ISO_NUMERIC",
    "PRECISION_FROM_GDELT",
    "EventsRead",
    "StrikeSelection",
    "read_acled",
    "read_gdelt_events",
    "read_ucdp_ged",
    "select_strike_reports",
]

Errors = Literal["collect", "raise"]

#: What kind of event a record describes, in the library's own words.
EVENT_CLASSES = (
    "shelling_artillery_missile",
    "air_drone_strike",
    "remote_violence_other",
    "armed_clash",
    "violence_unspecified",
    "other",
)

#: ACLED ``sub_event_type`` -> event class (matched case-insensitively); others -> "other".
EVENT_CLASS_FROM_ACLED = MappingProxyType(
    {
        "Shelling/artillery/missile attack": "shelling_artillery_missile",
        "Air/drone strike": "air_drone_strike",
        "Remote explosive/landmine/IED": "remote_violence_other",
        "Grenade": "remote_violence_other",
        "Suicide bomb": "remote_violence_other",
        "Chemical weapon": "remote_violence_other",
        "Armed clash": "armed_clash",
        "Government regains territory": "armed_clash",
        "Non-state actor overtakes territory": "armed_clash",
    }
)

#: UCDP GED ``type_of_violence`` -> event class. GED does not record the weapon.
EVENT_CLASS_FROM_UCDP = MappingProxyType(
    {1: "violence_unspecified", 2: "violence_unspecified", 3: "other"}
)

#: GDELT CAMEO ``EventCode`` -> event class. A four-digit code not listed falls
#: back on its three-digit parent (1951 -> 195); every other code is "other".
EVENT_CLASS_FROM_CAMEO = MappingProxyType(
    {
        "183": "remote_violence_other",
        "190": "violence_unspecified",
        "192": "armed_clash",
        "193": "armed_clash",
        "194": "shelling_artillery_missile",
        "195": "air_drone_strike",
        "196": "violence_unspecified",
    }
)

#: Event class -> ``evidence`` of the strike-report schema (None: not a strike report).
EVIDENCE_FROM_EVENT_CLASS = MappingProxyType(
    {
        "shelling_artillery_missile": "impact",
        "air_drone_strike": "impact",
        "remote_violence_other": "impact",
        "armed_clash": "ground_fighting",
        "violence_unspecified": "ground_fighting",
        "other": None,
    }
)

#: GDELT ``ActionGeo_Type`` -> ``location_precision`` (None: a country centroid).
PRECISION_FROM_GDELT = MappingProxyType(
    {1: None, 2: "region", 3: "settlement", 4: "settlement", 5: "region"}
)

#: How well the date interval is known, from finest to coarsest.
DATE_PRECISIONS = ("day", "days", "week", "month", "year")

_DATE_PRECISION_FROM_ACLED = MappingProxyType({1: "day", 2: "week", 3: "month"})
_DATE_PRECISION_FROM_UCDP = MappingProxyType(
    {1: "day", 2: "days", 3: "week", 4: "month", 5: "year"}
)

#: FIPS 10-4 country code (GDELT ``*_CountryCode``) -> ISO 3166-1 alpha-3, for the region.
ISO3_FROM_FIPS = MappingProxyType(
    {"AM": "ARM", "AJ": "AZE", "GG": "GEO", "IR": "IRN", "TU": "TUR", "RS": "RUS"}
)

#: ISO 3166-1 numeric (ACLED ``iso``) -> ISO 3166-1 alpha-3, for the region.
ISO3_FROM_ISO_NUMERIC = MappingProxyType(
    {51: "ARM", 31: "AZE", 268: "GEO", 364: "IRN", 792: "TUR", 643: "RUS"}
)

#: Gleditsch–Ward state number (UCDP GED ``country_id``) -> ISO 3166-1 alpha-3, for the region.
ISO3_FROM_GLEDITSCH_WARD = MappingProxyType(
    {371: "ARM", 373: "AZE", 372: "GEO", 630: "IRN", 640: "TUR", 365: "RUS"}
)

#: Columns of the event schema, in order (``raw_*`` columns and the geometry follow).
EVENT_COLUMNS = (
    "report_id",
    "source_dataset",
    "source_event_id",
    "place",
    "admin1",
    "admin1_iso",
    "country_iso3",
    "date",
    "date_start",
    "date_end",
    "date_precision",
    "event_class",
    "source_event_type",
    "actor1",
    "actor2",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "evidence",
    "claimant",
    "source_outlet",
    "source_url",
    "location_precision",
    "location_radius_m",
    "coord_source",
    "notes",
)

_ACTOR_GEO = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
_GDELT_V2 = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(
        f"{actor}{field}"
        for actor in ("Actor1", "Actor2")
        for field in (
            "Code",
            "Name",
            "CountryCode",
            "KnownGroupCode",
            "EthnicCode",
            "Religion1Code",
            "Religion2Code",
            "Type1Code",
            "Type2Code",
            "Type3Code",
        )
    ),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(f"{geo}_{field}" for geo in ("Actor1Geo", "Actor2Geo", "ActionGeo") for field in _ACTOR_GEO),
    "DATEADDED",
    "SOURCEURL",
)
_GDELT_V1 = tuple(name for name in _GDELT_V2 if not name.endswith("_ADM2Code"))

#: Column names of the header-less GDELT event layouts, keyed by their number of fields:
#: 57 (1.0 back file, to March 2013), 58 (1.0 daily files), 61 (2.0 15-minute files).
GDELT_COLUMNS = MappingProxyType({57: _GDELT_V1[:-1], 58: _GDELT_V1, 61: _GDELT_V2})

_GDELT_LAYOUTS = MappingProxyType(
    {
        57: "GDELT 1.0 back file (57 fields)",
        58: "GDELT 1.0 daily (58 fields)",
        61: "GDELT 2.0 (61 fields)",
    }
)

_CODEBOOKS = MappingProxyType(
    {
        "ACLED": "https://acleddata.com/knowledge-base/codebook/",
        "UCDP GED": "https://ucdp.uu.se/downloads/",
        "GDELT": "http://data.gdeltproject.org/documentation/GDELT-Event_Codebook-V2.0.pdf",
    }
)

_SHOW = 10  # rows named in an error message


class EventsRead(NamedTuple):
    """What a reader returns: the events, and the records it could not read.

    Unpack it (``events, rejects = read_acled(path)``) or use the fields.
    """

    #: The events (GeoDataFrame, EPSG:4326), indexed by the record's row in the file.
    events: gpd.GeoDataFrame
    #: The records that were not read (DataFrame, same row numbering), with their reasons.
    rejects: pd.DataFrame


class StrikeSelection(NamedTuple):
    """What :func:`select_strike_reports` returns: the reports, and the rows left out."""

    #: The events usable as strike reports (GeoDataFrame, index preserved).
    strikes: gpd.GeoDataFrame
    #: The events left out (DataFrame, index preserved), with ``report_id`` and ``reason``.
    left_out: pd.DataFrame


# ---------------------------------------------------------------------------- helpers


class _Problems:
    """Reasons why each record cannot be read, collected by row position."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.reasons: dict[int, list[str]] = {}  # only the rows with a problem

    def add(self, mask: Any, reason: Callable[[int], str]) -> None:
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            self.reasons.setdefault(int(i), []).append(reason(int(i)))

    @property
    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        out[list(self.reasons)] = True
        return out

    def text(self, i: int) -> str:
        return "; ".join(self.reasons.get(i, ()))


def _check_errors(errors: Any) -> None:
    if errors not in ("collect", "raise"):
        msg = (
            f"errors must be 'collect' or 'raise' (got {errors!r}). 'collect' returns the "
            "unreadable records in a rejects table; 'raise' stops at them."
        )
        raise ValueError(msg)


def _check_path(path: Any, what: str) -> Path:
    path = Path(path)
    if not path.is_file():
        msg = f"no such file: {path}. Give the path of a {what} file."
        raise DataFileError(msg)
    return path


# What a damaged .zip (or the compressed member in it) raises while it is read.
_ARCHIVE_ERRORS = (
    OSError,
    EOFError,
    NotImplementedError,  # an unsupported compression method
    RuntimeError,  # an encrypted member
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
)


def _read_csv(
    path: Path, *, what: str, encoding: str, sep: str = ",", quoting: int = csv.QUOTE_MINIMAL
) -> pd.DataFrame:
    """Every cell as text exactly as written (no NA guessing); header names stripped."""
    try:
        table = pd.read_csv(
            path,
            sep=sep,
            quoting=quoting,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding=encoding,
        )
    except pd.errors.EmptyDataError as exc:
        msg = f"{path.name} is empty; expected a {what} file with a header row."
        raise DataFileError(msg) from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        msg = (
            f"cannot parse {path.name} as a {what} file: {exc}. A field holding the "
            "delimiter or a line break must be double-quoted."
        )
        raise DataFileError(msg) from exc
    except _ARCHIVE_ERRORS as exc:
        msg = f"cannot read {path.name}: a damaged or unsupported compressed file ({exc!r})."
        raise DataFileError(msg) from exc
    table.columns = [str(c).strip() for c in table.columns]
    return table


class _Columns:
    """Case-insensitive access to a raw table's columns."""

    def __init__(self, table: pd.DataFrame, *, strip: bool = True) -> None:
        self.table = table
        self.strip = strip
        self.names = {c.lower(): c for c in table.columns}

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.names

    def get(self, name: str) -> pd.Series:
        """Return the column stripped of surrounding spaces (empty strings if it is absent)."""
        if name.lower() not in self.names:
            return pd.Series("", index=self.table.index, dtype=object)
        values = self.table[self.names[name.lower()]].astype(object)
        return values.str.strip() if self.strip else values

    def require(self, required: tuple[str, ...], *, path: Path, dataset: str) -> None:
        missing = [name for name in required if name not in self]
        if not missing:
            return
        found = list(self.table.columns)
        shown = ", ".join(found[:15]) + (f" … ({len(found)} in all)" if len(found) > 15 else "")
        hint = _looks_like(self)
        msg = (
            f"{path.name} is missing the {dataset} column(s) {missing!r} (it has: {shown}). "
            f"The reader needs {list(required)!r}; column names are matched "
            f"case-insensitively (codebook: {_CODEBOOKS[dataset]}).{hint}"
        )
        raise DataFileError(msg)


def _looks_like(columns: _Columns) -> str:
    found = list(columns.table.columns)
    if len(found) == 1 and any(d in found[0] for d in (";", "\t", "|")):
        return (
            " The header is a single column: the file is not comma-separated (re-export it as "
            "CSV, or convert it with pandas.read_csv(path, sep=...).to_csv(...))."
        )
    markers = {
        "read_acled": ("event_id_cnty", "geo_precision"),
        "read_ucdp_ged": ("where_prec", "date_prec"),
        "read_gdelt_events": ("GLOBALEVENTID", "ActionGeo_Type"),
    }
    for reader, names in markers.items():
        if all(name in columns for name in names):
            return f" The columns look like another dataset's: try {reader}()."
    return ""


def _blank(values: pd.Series) -> np.ndarray:
    return (values == "").to_numpy()


def _text(values: pd.Series) -> pd.Series:
    return values.where(values != "", None).astype("str")


def _numbers(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values.where(values != ""), errors="coerce").to_numpy(dtype=float)


def _coordinates(
    lon_text: pd.Series, lat_text: pd.Series, names: tuple[str, str], problems: _Problems
) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude in degrees; unusable values are reported as problems."""
    out = []
    for text, name, limit in ((lon_text, names[0], 180), (lat_text, names[1], 90)):
        value = _numbers(text)
        empty = _blank(text)
        problems.add(empty, lambda i, name=name: f"{name} is empty")
        not_number = ~empty & ~np.isfinite(value)
        problems.add(
            not_number, lambda i, name=name, text=text: f"{name} {text.iloc[i]!r} is not a number"
        )
        outside = np.isfinite(value) & (np.abs(value) > limit)
        problems.add(
            outside,
            lambda i, name=name, value=value, limit=limit: (
                f"{name} {value[i]:g} is outside -{limit}..{limit}"
            ),
        )
        out.append(value)
    lon, lat = out
    null_island = (lon == 0) & (lat == 0)
    problems.add(null_island, lambda i: "coordinates are 0, 0 (a placeholder, not a place)")
    return lon, lat


def _codes(
    text: pd.Series,
    name: str,
    allowed: Any,
    problems: _Problems,
    *,
    required: bool = True,
    describe: str | None = None,
) -> np.ndarray:
    """Integer codes (object array of int or None); values outside ``allowed`` are problems."""
    value = _numbers(text)
    empty = _blank(text)
    ok = np.isfinite(value) & (value == np.round(value)) & (np.abs(value) < 2**31)
    ok &= np.isin(np.where(ok, value, -1).astype(np.int64), list(allowed))
    bad = ~ok & ~(empty & (not required))
    allowed_text = describe or ", ".join(str(a) for a in sorted(allowed))
    problems.add(
        bad,
        lambda i: (
            f"{name} is empty (expected one of {allowed_text})"
            if empty[i]
            else f"{name} {text.iloc[i]!r} is not one of {allowed_text}"
        ),
    )
    return np.array([int(v) if good else None for v, good in zip(value, ok, strict=True)], object)


def _counts(text: pd.Series, name: str, problems: _Problems) -> pd.Series:
    """Non-negative integer counts (Int64); an empty cell is <NA>, anything else odd a problem."""
    value = _numbers(text)
    empty = _blank(text)
    # below 2**63: larger counts do not fit Int64 (and are not counts of people)
    ok = np.isfinite(value) & (value >= 0) & (value == np.round(value)) & (value < 2.0**63)
    problems.add(~ok & ~empty, lambda i: f"{name} {text.iloc[i]!r} is not a whole number >= 0")
    return pd.Series(np.where(ok, value, np.nan), index=text.index).astype("Int64")


def _parse_dates(
    text: pd.Series,
    name: str,
    formats: tuple[str, ...],
    hint: str,
    problems: _Problems,
    *,
    extract: re.Pattern[str] | None = None,
) -> pd.Series:
    """Dates (datetime64[us], NaT where unreadable) trying each format in turn.

    With ``extract``, only the regex's first group of each value is parsed
    (e.g. the day of a timestamp); messages quote the whole value.
    """
    candidate = text if extract is None else text.str.extract(extract, expand=False).fillna("")
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for fmt in formats:
        todo = parsed.isna() & (candidate != "")
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(candidate[todo], format=fmt, errors="coerce")
    empty = _blank(text)
    problems.add(empty, lambda i: f"{name} is empty")
    problems.add(
        parsed.isna().to_numpy() & ~empty,
        lambda i: f"{name} {text.iloc[i]!r} is not a date ({hint})",
    )
    return parsed.astype("datetime64[us]")


def _map(codes: np.ndarray, table: Mapping[Any, Any]) -> list[Any]:
    return [table.get(code) if code is not None else None for code in codes]


def _radius_m(precision: list[Any]) -> np.ndarray:
    return np.array(
        [float(PRECISION_RADIUS_M[p]) if p is not None else np.nan for p in precision], float
    )


def _admin1_iso(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """ISO 3166-2 code of the Armenian or Azerbaijani admin-1 unit holding each point."""
    out = np.full(len(lon), None, dtype=object)
    finite = np.isfinite(lon) & np.isfinite(lat)
    if not finite.any():
        return out
    units = datasets.load_boundaries(1, countries=["ARM", "AZE"])
    tree = shapely.STRtree(np.asarray(units.geometry.values))
    rows = np.flatnonzero(finite)
    # event datasets put many events on one place's point: test each distinct point once
    xy, inverse = np.unique(np.column_stack([lon[rows], lat[rows]]), axis=0, return_inverse=True)
    hit_point, hit_unit = tree.query(shapely.points(xy), predicate="intersects")
    first_point, first = np.unique(hit_point, return_index=True)  # a point on a shared edge
    codes = units["iso_3166_2"].to_numpy(dtype=object)
    found = np.full(len(xy), None, dtype=object)
    found[first_point] = codes[hit_unit[first]]
    out[rows] = found[inverse.ravel()]
    return out


def _ids(
    text: pd.Series, name: str, problems: _Problems, *, check_unique: bool = True
) -> pd.Series:
    empty = _blank(text)
    problems.add(empty, lambda i: f"{name} is empty")
    if check_unique:
        first_row = {}
        duplicate = np.zeros(len(text), dtype=bool)
        for i, value in enumerate(text):
            if value == "":
                continue
            if value in first_row:
                duplicate[i] = True
            else:
                first_row[value] = i
        problems.add(
            duplicate,
            lambda i: f"{name} {text.iloc[i]!r} repeats row {first_row[text.iloc[i]]}",
        )
    return text


def _country(codes: np.ndarray, table: Mapping[int, str]) -> tuple[list[Any], list[int]]:
    iso3 = _map(codes, table)
    unmapped = sorted(
        {int(c) for c, v in zip(codes, iso3, strict=True) if c is not None and v is None}
    )
    return iso3, unmapped


def _finish(
    *,
    dataset: str,
    path: Path,
    layout: str,
    raw: pd.DataFrame,
    ids: pd.Series,
    columns: dict[str, Any],
    lon: np.ndarray,
    lat: np.ndarray,
    problems: _Problems,
    errors: Errors,
    keep_raw: bool,
    extra: dict[str, Any],
) -> EventsRead:
    n = len(raw)
    bad = problems.bad
    index = pd.RangeIndex(n, name="row")
    raw = raw.set_axis(index).add_prefix("raw_").astype("str")
    reasons = [problems.text(i) for i in range(n)]
    rejects = pd.concat(
        [
            pd.DataFrame(
                {"source_event_id": ids.to_numpy(dtype=object), "reason": reasons}, index=index
            ).astype("str"),
            raw,
        ],
        axis=1,
    )[bad]
    if errors == "raise" and bad.any():
        rows = np.flatnonzero(bad)
        shown = "; ".join(f"row {i} ({ids.iloc[i]!r}): {reasons[i]}" for i in rows[:_SHOW])
        more = f"; and {len(rows) - _SHOW} more" if len(rows) > _SHOW else ""
        msg = (
            f"{path.name}: {len(rows)} of {n} record(s) cannot be read as {dataset} events "
            f"(rows are 0-based, header excluded): {shown}{more}. Fix them, or read with "
            "errors='collect' to get them in a rejects table."
        )
        raise DataFileError(msg)
    good = ~bad
    frame = pd.DataFrame(index=index)
    for name in EVENT_COLUMNS:
        if name == "admin1_iso":
            frame[name] = pd.Series(_admin1_iso(lon, lat), index=index).astype("str")
            continue
        value = columns[name]
        if isinstance(value, pd.Series):
            value = value.set_axis(index)
        frame[name] = value
    for name in ("report_id", "source_dataset", "source_event_id", "place", "admin1",
                 "country_iso3", "date_precision", "event_class", "source_event_type", "actor1",
                 "actor2", "evidence", "claimant", "source_outlet", "source_url",
                 "location_precision", "coord_source", "notes"):  # fmt: skip
        frame[name] = frame[name].astype("str")
    for name in ("date", "date_start", "date_end"):
        frame[name] = frame[name].astype("datetime64[us]")
    for name in ("fatalities_low", "fatalities_best", "fatalities_high"):
        frame[name] = frame[name].astype("Int64")
    frame["location_radius_m"] = frame["location_radius_m"].astype("float64")
    if keep_raw:
        frame = pd.concat([frame, raw], axis=1)
    events = gpd.GeoDataFrame(
        frame[good], geometry=gpd.points_from_xy(lon[good], lat[good]), crs=WGS84
    )
    events.attrs["provenance"] = [
        {
            "dataset": dataset,
            "layout": layout,
            "file": path.name,
            "codebook": _CODEBOOKS[dataset],
            "records": n,
            "rejected": int(bad.sum()),
            **extra,
        }
    ]
    return EventsRead(events, rejects)


def _map_unique(values: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``values.map(func)``, calling ``func`` once per distinct value."""
    return values.map({value: func(value) for value in values.unique()})


def _claimant(dataset: str, sources: pd.Series) -> pd.Series:
    return _map_unique(sources, lambda s: f"{dataset} (sources: {s})" if s else dataset)


# ---------------------------------------------------------------------------- ACLED

_ACLED_REQUIRED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "latitude",
    "longitude",
    "geo_precision",
)
_ACLED_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d-%b-%Y", "%d/%m/%Y")
_ACLED_CLASS = {key.lower(): value for key, value in EVENT_CLASS_FROM_ACLED.items()}


def _acled_layout(columns: _Columns) -> str:
    old = [c for c in ("data_id", "event_id_no_cnty", "iso3") if c in columns]
    new = [c for c in ("disorder_type", "civilian_targeting", "tags") if c in columns]
    if old and not new:
        return "ACLED before 20 March 2023 (" + ", ".join(old) + ")"
    if new and not old:
        return "ACLED since 20 March 2023 (" + ", ".join(new) + ")"
    return "ACLED (columns of both layouts)" if old else "ACLED (minimal columns)"


def read_acled(
    path: str | Path,
    *,
    errors: Errors = "collect",
    encoding: str = "utf-8-sig",
    keep_raw: bool = True,
) -> EventsRead:
    r"""Read an ACLED export (CSV) into the library's event schema.

    Both layouts are read: the one before ACLED's column change of
    20 March 2023 (with ``data_id``, ``event_id_no_cnty`` and ``iso3``) and
    the one after it (with ``disorder_type``, ``civilian_targeting`` and
    ``tags``), with ``inter1``/``inter2``/``interaction`` as numeric codes or
    as text. Both give the same event columns; only the ``raw_*`` columns
    differ.

    Parameters
    ----------
    path : str or path-like
        A comma-separated ACLED file with a header row, as the export tool
        or the API (``.csv``) writes it; a ``.zip`` holding one such file is
        read too. Column names are matched case-insensitively.
    errors : {'collect', 'raise'}, default 'collect'
        ``'collect'`` puts the records that cannot be read in ``rejects``;
        ``'raise'`` raises :class:`~borderstrikes.errors.DataFileError`
        naming them.
    encoding : str, default 'utf-8-sig'
        Text encoding of the file (a UTF-8 byte-order mark is skipped).
    keep_raw : bool, default True
        Keep every column of the file, as text exactly as written, under a
        ``raw_`` prefix.

    Returns
    -------
    EventsRead
        ``events``: a GeoDataFrame of points in EPSG:4326 with the columns
        of :data:`EVENT_COLUMNS` (see ``docs/event_schema.md``), then the
        ``raw_*`` columns. Its index, named ``row``, is each record's
        0-based position among the file's data rows; rows keep the file's
        order. ``rejects``: a DataFrame with the same index numbering,
        ``source_event_id``, ``reason`` and the ``raw_*`` columns, holding
        every record that is not in ``events``.

    Raises
    ------
    borderstrikes.errors.DataFileError
        If the file is missing or is not a CSV; if required columns are
        missing (all of them are named at once); with ``errors='raise'``, if
        any record cannot be read.
    ValueError
        If ``errors`` is not 'collect' or 'raise'.

    See Also
    --------
    read_ucdp_ged, read_gdelt_events, select_strike_reports

    Notes
    -----
    Required columns: ``event_id_cnty``, ``event_date``, ``time_precision``,
    ``event_type``, ``sub_event_type``, ``latitude``, ``longitude`` and
    ``geo_precision``; the others the schema uses (``location``,
    ``admin1``, ``country``, ``iso`` or ``iso3``, ``actor1``, ``actor2``,
    ``fatalities``, ``source``, ``notes``) are left empty if absent.

    ``time_precision`` 1 is the day itself; 2 is a week or weekend, which
    ACLED codes at its midpoint, so the interval is ``event_date`` ± 3 days;
    3 is a month, coded at its middle, so the interval is that calendar
    month. ``date`` is ``event_date`` as coded. ``event_date`` is read as
    ``YYYY-MM-DD``, ``13 September 2022``, ``13-September-2022``,
    ``13-Sep-2022`` or day-first ``13/09/2022``.

    ``fatalities`` is ACLED's one figure, the most conservative of the
    reports: it fills both ``fatalities_low`` and ``fatalities_best``;
    ``fatalities_high`` is empty. Location precision follows
    :data:`borderstrikes.io.codebooks.PRECISION_FROM_ACLED`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> text = (
    ...     "event_id_cnty,event_date,time_precision,event_type,sub_event_type,"
    ...     "location,admin1,iso,latitude,longitude,geo_precision,fatalities,source\n"
    ...     'ARM1,2022-09-13,1,Explosions/Remote violence,Shelling/artillery/missile attack,'
    ...     'Jermuk,Vayots Dzor,51,39.8395,45.6711,1,0,"Armenpress; Ministry of Defence"\n'
    ...     "ARM2,2022-09-14,2,Battles,Armed clash,Sotk,Gegharkunik,51,40.2001,north,2,3,"
    ...     "Armenpress\n"
    ... )
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "acled.csv"
    ...     _ = path.write_text(text, encoding="utf-8")
    ...     events, rejects = read_acled(path)
    >>> events.index.tolist(), events.crs.to_epsg()
    ([0], 4326)
    >>> events.loc[0, ["report_id", "event_class", "evidence", "admin1_iso"]].tolist()
    ['ACLED:ARM1', 'shelling_artillery_missile', 'impact', 'AM-VD']
    >>> events.loc[0, "location_precision"], float(events.loc[0, "location_radius_m"])
    ('settlement', 2000.0)
    >>> rejects["reason"].tolist()
    ["longitude 'north' is not a number"]
    """
    _check_errors(errors)
    path = _check_path(path, "ACLED CSV")
    raw = _read_csv(path, what="ACLED CSV", encoding=encoding)
    col = _Columns(raw)
    col.require(_ACLED_REQUIRED, path=path, dataset="ACLED")
    problems = _Problems(len(raw))

    ids = _ids(col.get("event_id_cnty"), "event_id_cnty", problems)
    lon, lat = _coordinates(
        col.get("longitude"), col.get("latitude"), ("longitude", "latitude"), problems
    )
    geo_precision = _codes(
        col.get("geo_precision"), "geo_precision", PRECISION_FROM_ACLED, problems
    )
    time_precision = _codes(
        col.get("time_precision"), "time_precision", _DATE_PRECISION_FROM_ACLED, problems
    )
    date_text = col.get("event_date")
    date = _parse_dates(
        date_text,
        "event_date",
        _ACLED_DATE_FORMATS,
        "expected e.g. 2022-09-13, 13 September 2022 or day-first 13/09/2022",
        problems,
    )
    if "year" in col:
        year_text = col.get("year")
        year = _numbers(year_text)
        wrong = date.notna().to_numpy() & np.isfinite(year) & (date.dt.year.to_numpy() != year)
        problems.add(
            wrong, lambda i: f"event_date {date_text.iloc[i]!r} is not in year {year_text.iloc[i]}"
        )
    tp = pd.Series(time_precision, index=raw.index)
    week = (tp == 2).to_numpy()
    month = (tp == 3).to_numpy()
    start, end = date.copy(), date.copy()
    start[week] = date[week] - pd.Timedelta(days=3)
    end[week] = date[week] + pd.Timedelta(days=3)
    start[month] = date[month].dt.to_period("M").dt.start_time
    end[month] = date[month].dt.to_period("M").dt.end_time.dt.normalize()
    fatalities = _counts(col.get("fatalities"), "fatalities", problems)

    sub_event = col.get("sub_event_type")
    event_class = sub_event.str.lower().map(lambda s: _ACLED_CLASS.get(s, "other"))
    event_type = col.get("event_type")
    iso_numeric = _codes(
        col.get("iso"), "iso", range(1000), problems, required=False, describe="a number code"
    )
    iso3, unmapped = _country(iso_numeric, ISO3_FROM_ISO_NUMERIC)
    alpha3 = col.get("iso3")  # the pre-2023 layout's own alpha-3 code wins where present
    iso3 = [a.upper() if a else v for a, v in zip(alpha3, iso3, strict=True)]
    precision = _map(geo_precision, PRECISION_FROM_ACLED)
    location = col.get("location")
    source = col.get("source")
    columns = {
        "report_id": "ACLED:" + ids,
        "source_dataset": "ACLED",
        "source_event_id": ids,
        "place": _text(location),
        "admin1": _text(col.get("admin1")),
        "country_iso3": iso3,
        "date": date,
        "date_start": start,
        "date_end": end,
        "date_precision": _map(time_precision, _DATE_PRECISION_FROM_ACLED),
        "event_class": event_class,
        "source_event_type": _text((event_type + ": " + sub_event).str.strip(": ")),
        "actor1": _text(col.get("actor1")),
        "actor2": _text(col.get("actor2")),
        "fatalities_low": fatalities,
        "fatalities_best": fatalities,
        "fatalities_high": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
        "evidence": event_class.map(EVIDENCE_FROM_EVENT_CLASS),
        "claimant": _claimant("ACLED", source),
        "source_outlet": _text(source),
        "source_url": None,
        "location_precision": precision,
        "location_radius_m": _radius_m(precision),
        "coord_source": [
            f"ACLED latitude/longitude of {place!r} (geo_precision {code})"
            for place, code in zip(location, geo_precision, strict=True)
        ],
        "notes": _text(col.get("notes")),
    }
    return _finish(
        dataset="ACLED",
        path=path,
        layout=_acled_layout(col),
        raw=raw,
        ids=ids,
        columns=columns,
        lon=lon,
        lat=lat,
        problems=problems,
        errors=errors,
        keep_raw=keep_raw,
        extra={"unmapped_country_codes": unmapped},
    )


# ---------------------------------------------------------------------------- UCDP GED

_UCDP_REQUIRED = (
    "id",
    "type_of_violence",
    "where_prec",
    "latitude",
    "longitude",
    "date_prec",
    "date_start",
    "date_end",
    "best",
    "low",
    "high",
)
_UCDP_VIOLENCE = MappingProxyType({1: "state-based", 2: "non-state", 3: "one-sided"})
_UCDP_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T][0-9:.]*)?$")


def read_ucdp_ged(
    path: str | Path,
    *,
    errors: Errors = "collect",
    encoding: str = "utf-8-sig",
    keep_raw: bool = True,
) -> EventsRead:
    r"""Read a UCDP Georeferenced Event Dataset (GED) CSV into the library's event schema.

    Parameters
    ----------
    path : str or path-like
        A comma-separated GED file with a header row, as UCDP distributes
        it (the global release, a candidate release or a country extract);
        a ``.zip`` holding one such file is read too. Column names are
        matched case-insensitively.
    errors : {'collect', 'raise'}, default 'collect'
        ``'collect'`` puts the records that cannot be read in ``rejects``;
        ``'raise'`` raises :class:`~borderstrikes.errors.DataFileError`
        naming them.
    encoding : str, default 'utf-8-sig'
        Text encoding of the file.
    keep_raw : bool, default True
        Keep every column of the file, as text exactly as written, under a
        ``raw_`` prefix.

    Returns
    -------
    EventsRead
        ``events`` and ``rejects`` as for :func:`read_acled`.

    Raises
    ------
    borderstrikes.errors.DataFileError
        If the file is missing or is not a CSV; if required columns are
        missing (all of them are named at once); with ``errors='raise'``, if
        any record cannot be read.
    ValueError
        If ``errors`` is not 'collect' or 'raise'.

    See Also
    --------
    read_acled, read_gdelt_events

    Notes
    -----
    Required columns: ``id``, ``type_of_violence``, ``where_prec``,
    ``latitude``, ``longitude``, ``date_prec``, ``date_start``,
    ``date_end``, ``best``, ``low`` and ``high``.

    ``date_start`` and ``date_end`` (``YYYY-MM-DD``, optionally followed by
    a time, which is ignored) are the interval; ``date`` is its middle day
    (rounded down). ``low``/``best``/``high`` fill the three fatality
    columns. Location precision follows
    :data:`borderstrikes.uncertainty.PRECISION_FROM_UCDP`: ``where_prec`` 6
    (country) and 7 (water or airspace) give no precision and no radius.
    ``country_iso3`` comes from ``country_id``, a Gleditsch–Ward number
    (:data:`ISO3_FROM_GLEDITSCH_WARD`).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> text = (
    ...     "id,type_of_violence,side_a,side_b,where_prec,where_coordinates,adm_1,latitude,"
    ...     "longitude,country_id,date_prec,date_start,date_end,best,low,high,source_office\n"
    ...     "1,1,Government of Azerbaijan,Government of Armenia,1,Jermuk town,Vayots Dzor province,"
    ...     "39.8395,45.6711,371,2,2022-09-13 00:00:00.000,2022-09-14 00:00:00.000,3,2,5,"
    ...     '"Armenpress"\n'
    ... )
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "ged.csv"
    ...     _ = path.write_text(text, encoding="utf-8")
    ...     events, rejects = read_ucdp_ged(path)
    >>> row = events.iloc[0]
    >>> str(row["date_start"].date()), str(row["date_end"].date()), row["date_precision"]
    ('2022-09-13', '2022-09-14', 'days')
    >>> int(row["fatalities_low"]), int(row["fatalities_best"]), int(row["fatalities_high"])
    (2, 3, 5)
    >>> row["location_precision"], row["country_iso3"], len(rejects)
    ('settlement', 'ARM', 0)
    """
    _check_errors(errors)
    path = _check_path(path, "UCDP GED CSV")
    raw = _read_csv(path, what="UCDP GED CSV", encoding=encoding)
    col = _Columns(raw)
    col.require(_UCDP_REQUIRED, path=path, dataset="UCDP GED")
    problems = _Problems(len(raw))

    ids = _ids(col.get("id"), "id", problems)
    lon, lat = _coordinates(
        col.get("longitude"), col.get("latitude"), ("longitude", "latitude"), problems
    )
    where_prec = _codes(col.get("where_prec"), "where_prec", PRECISION_FROM_UCDP, problems)
    date_prec = _codes(col.get("date_prec"), "date_prec", _DATE_PRECISION_FROM_UCDP, problems)
    violence = _codes(col.get("type_of_violence"), "type_of_violence", _UCDP_VIOLENCE, problems)
    start, end = (
        _parse_dates(
            col.get(name), name, ("%Y-%m-%d",), "expected YYYY-MM-DD", problems, extract=_UCDP_DAY
        )
        for name in ("date_start", "date_end")
    )
    reversed_ = (end < start).to_numpy()
    problems.add(
        reversed_,
        lambda i: f"date_end {end.iloc[i].date()} is before date_start {start.iloc[i].date()}",
    )
    middle = start + pd.to_timedelta((end - start).dt.days // 2, unit="D")
    low = _counts(col.get("low"), "low", problems)
    best = _counts(col.get("best"), "best", problems)
    high = _counts(col.get("high"), "high", problems)

    event_class = pd.Series(_map(violence, EVENT_CLASS_FROM_UCDP), index=raw.index)
    if "country_id" in col:
        gw = _codes(
            col.get("country_id"),
            "country_id",
            range(1000),
            problems,
            required=False,
            describe="a number code",
        )
        iso3, unmapped = _country(gw, ISO3_FROM_GLEDITSCH_WARD)
    else:
        iso3, unmapped = [None] * len(raw), []
    precision = _map(where_prec, PRECISION_FROM_UCDP)
    place = col.get("where_coordinates")
    description = col.get("where_description")
    office = col.get("source_office")
    columns = {
        "report_id": "UCDP:" + ids,
        "source_dataset": "UCDP GED",
        "source_event_id": ids,
        "place": _text(place),
        "admin1": _text(col.get("adm_1")),
        "country_iso3": iso3,
        "date": middle,
        "date_start": start,
        "date_end": end,
        "date_precision": _map(date_prec, _DATE_PRECISION_FROM_UCDP),
        "event_class": event_class,
        "source_event_type": [
            f"type_of_violence {v} ({_UCDP_VIOLENCE[v]})" if v is not None else None
            for v in violence
        ],
        "actor1": _text(col.get("side_a")),
        "actor2": _text(col.get("side_b")),
        "fatalities_low": low,
        "fatalities_best": best,
        "fatalities_high": high,
        "evidence": event_class.map(EVIDENCE_FROM_EVENT_CLASS),
        "claimant": _claimant("UCDP GED", office),
        "source_outlet": _text(office),
        "source_url": None,
        "location_precision": precision,
        "location_radius_m": _radius_m(precision),
        "coord_source": [
            f"UCDP GED latitude/longitude of {p!r} (where_prec {code})"
            + (f"; where_description {d!r}" if d else "")
            for p, code, d in zip(place, where_prec, description, strict=True)
        ],
        "notes": _text(col.get("source_headline")),
    }
    return _finish(
        dataset="UCDP GED",
        path=path,
        layout="UCDP GED CSV",
        raw=raw,
        ids=ids,
        columns=columns,
        lon=lon,
        lat=lat,
        problems=problems,
        errors=errors,
        keep_raw=keep_raw,
        extra={"unmapped_country_codes": unmapped},
    )


# ---------------------------------------------------------------------------- GDELT

_GDELT_REQUIRED = (
    "GLOBALEVENTID",
    "SQLDATE",
    "EventCode",
    "ActionGeo_Type",
    "ActionGeo_Lat",
    "ActionGeo_Long",
)


def _read_lines(path: Path, encoding: str) -> list[str]:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if not m.endswith("/")]
                if len(members) != 1:
                    msg = (
                        f"{path.name} holds {len(members)} files ({members[:5]!r}); "
                        "extract the one event file and read it."
                    )
                    raise DataFileError(msg)
                data = archive.read(members[0])
        else:
            data = path.read_bytes()
        text = data.decode(encoding)
    except (UnicodeDecodeError, *_ARCHIVE_ERRORS) as exc:
        msg = f"cannot read {path.name} as text ({encoding}): {exc!r}"
        raise DataFileError(msg) from exc
    return text.replace("\r\n", "\n").split("\n")


def _gdelt_raw(path: Path, encoding: str) -> tuple[pd.DataFrame, str, list[str]]:
    """Return the raw table, its layout and, per row, a field-count problem (or "")."""
    lines = _read_lines(path, encoding)
    while lines and lines[-1] == "":
        lines.pop()
    if not lines:
        msg = f"{path.name} is empty; expected GDELT event records."
        raise DataFileError(msg)
    first = lines[0]
    delimiter = "\t" if "\t" in first else ","
    if first.split(delimiter)[0].strip().upper() == "GLOBALEVENTID":  # an export with a header
        quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        table = _read_csv(
            path, what="GDELT event", encoding=encoding, sep=delimiter, quoting=quoting
        )
        return table, f"GDELT with a header row ({len(table.columns)} columns)", [""] * len(table)
    fields = [line.split("\t") for line in lines]
    counts = pd.Series([len(f) for f in fields])
    supported = counts[counts.isin(list(GDELT_COLUMNS))]
    if supported.empty:
        msg = (
            f"{path.name} has {counts.iloc[0]} tab-separated field(s) on its first line; GDELT "
            "event files have 57 (1.0 back file), 58 (1.0 daily) or 61 (2.0) fields per line "
            f"and no header. Is it a Mentions or GKG file, or not tab-separated? "
            f"(codebook: {_CODEBOOKS['GDELT']})"
        )
        raise DataFileError(msg)
    width = int(supported.mode().iloc[0])
    names = GDELT_COLUMNS[width]
    problems = []
    rows = []
    for row in fields:
        if len(row) == width:
            problems.append("")
        else:
            problems.append(
                f"has {len(row)} tab-separated fields; this file's layout "
                f"({_GDELT_LAYOUTS[width]}) has {width}"
            )
            row = (
                [*row[: width - 1], "\t".join(row[width - 1 :])]
                if len(row) > width
                else (row + [""] * (width - len(row)))
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(names), dtype=object), _GDELT_LAYOUTS[width], problems


def _cameo_class(code: str) -> str:
    return EVENT_CLASS_FROM_CAMEO.get(code) or EVENT_CLASS_FROM_CAMEO.get(code[:3]) or "other"


def _gdelt_admin1(full_names: pd.Series, geo_types: np.ndarray) -> list[Any]:
    """ADM1 name out of ``ActionGeo_FullName`` ("City, ADM1, Country" or "ADM1, Country")."""
    out: list[Any] = []
    for name, kind in zip(full_names, geo_types, strict=True):
        parts = [p.strip() for p in name.split(",")] if name else []
        if kind in (3, 4) and len(parts) >= 3:
            out.append(parts[-2])
        elif kind in (2, 5) and len(parts) >= 2:
            out.append(parts[0])
        else:
            out.append(None)
    return out


def _host(url: str) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # e.g. "Invalid IPv6 URL": a malformed URL names no host
        return None
    return host.removeprefix("www.") or None


def read_gdelt_events(
    path: str | Path,
    *,
    errors: Errors = "collect",
    encoding: str = "utf-8",
    keep_raw: bool = True,
) -> EventsRead:
    r"""Read a GDELT 1.0 or 2.0 Event file into the library's event schema.

    GDELT event files are tab-separated, have no header and no quoting. The
    layout is recognised by its number of fields per line: 57 (GDELT 1.0
    back file, to March 2013, no ``SOURCEURL``), 58 (GDELT 1.0 daily files)
    or 61 (GDELT 2.0 15-minute files, which add the three ``*_ADM2Code``
    fields); the names are in :data:`GDELT_COLUMNS`. An export with a header
    row (e.g. from BigQuery; tab- or comma-separated) is read by column
    name. The location is the event's ``ActionGeo``.

    Parameters
    ----------
    path : str or path-like
        An event file (``*.export.CSV``), or the ``.zip`` GDELT publishes
        it in.
    errors : {'collect', 'raise'}, default 'collect'
        ``'collect'`` puts the records that cannot be read in ``rejects``;
        ``'raise'`` raises :class:`~borderstrikes.errors.DataFileError`
        naming them.
    encoding : str, default 'utf-8'
        Text encoding of the file.
    keep_raw : bool, default True
        Keep every field, as text exactly as written, under a ``raw_``
        prefix (``raw_GLOBALEVENTID`` …).

    Returns
    -------
    EventsRead
        ``events`` and ``rejects`` as for :func:`read_acled`. For a file
        without a header, ``row + 1`` is the line number.

    Raises
    ------
    borderstrikes.errors.DataFileError
        If the file is missing or empty; if no line has a supported number
        of fields; if an export with a header lacks required columns (all
        are named at once); with ``errors='raise'``, if any record cannot
        be read.
    ValueError
        If ``errors`` is not 'collect' or 'raise'.

    See Also
    --------
    read_acled, read_ucdp_ged

    Notes
    -----
    A line with another number of fields than the file's layout is a
    reject. So is an event without ``ActionGeo`` coordinates (GDELT leaves
    them empty when it found no place). ``SQLDATE`` (``YYYYMMDD``) is the
    day: ``date``, ``date_start`` and ``date_end`` are all that day.
    ``EventCode`` (CAMEO) gives the event class (:data:`EVENT_CLASS_FROM_CAMEO`),
    ``ActionGeo_Type`` the location precision
    (:data:`PRECISION_FROM_GDELT`) and ``ActionGeo_CountryCode`` (FIPS
    10-4) the country (:data:`ISO3_FROM_FIPS`; a code not in the table
    gives None and is listed in ``events.attrs["provenance"]``). GDELT
    records no fatalities. GDELT is coded by machine from news text, so
    its ``evidence`` says what the coder extracted, not what a person read.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> fields = [""] * 61
    >>> fields[0], fields[1], fields[26] = "1057000001", "20220913", "194"
    >>> fields[51:54] = ["4", "Jermuk, Vayots' Dzor, Armenia", "AM"]
    >>> fields[56:58] = ["39.8395", "45.6711"]
    >>> fields[60] = "https://www.example.org/news/1"
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "20220913.export.CSV"
    ...     _ = path.write_text("\t".join(fields) + "\n", encoding="utf-8")
    ...     events, rejects = read_gdelt_events(path)
    >>> row = events.iloc[0]
    >>> row["event_class"], row["country_iso3"], row["admin1"], row["source_outlet"]
    ('shelling_artillery_missile', 'ARM', "Vayots' Dzor", 'example.org')
    >>> events.attrs["provenance"][0]["layout"]
    'GDELT 2.0 (61 fields)'
    """
    _check_errors(errors)
    path = _check_path(path, "GDELT event")
    raw, layout, width_problems = _gdelt_raw(path, encoding)
    col = _Columns(raw, strip=layout.startswith("GDELT with a header"))  # no padding otherwise
    col.require(_GDELT_REQUIRED, path=path, dataset="GDELT")
    problems = _Problems(len(raw))
    problems.add([bool(p) for p in width_problems], lambda i: width_problems[i])

    ids = _ids(col.get("GLOBALEVENTID"), "GLOBALEVENTID", problems)
    geo_text = col.get("ActionGeo_Type")
    no_place = (geo_text.isin(["", "0"]) & _blank(col.get("ActionGeo_Lat"))).to_numpy()
    problems.add(no_place, lambda i: "no ActionGeo location (GDELT found no place)")
    located = _Problems(len(raw))  # the reasons above say it all for events without a place
    lon, lat = _coordinates(
        col.get("ActionGeo_Long"), col.get("ActionGeo_Lat"),
        ("ActionGeo_Long", "ActionGeo_Lat"), located,
    )  # fmt: skip
    geo_type = _codes(geo_text, "ActionGeo_Type", PRECISION_FROM_GDELT, located)
    for i, reasons in located.reasons.items():
        if not no_place[i]:
            problems.reasons.setdefault(i, []).extend(reasons)
    date = _parse_dates(col.get("SQLDATE"), "SQLDATE", ("%Y%m%d",), "expected YYYYMMDD", problems)
    code = col.get("EventCode")
    not_cameo = ~code.str.fullmatch(r"\d{2,4}").to_numpy(dtype=bool)
    problems.add(not_cameo, lambda i: f"EventCode {code.iloc[i]!r} is not a CAMEO code")
    event_class = _map_unique(code, _cameo_class)
    fips = col.get("ActionGeo_CountryCode")
    iso3 = [ISO3_FROM_FIPS.get(c.upper()) for c in fips]
    unmapped = sorted({c for c, v in zip(fips, iso3, strict=True) if c and v is None})
    precision = _map(geo_type, PRECISION_FROM_GDELT)
    full_name = col.get("ActionGeo_FullName")
    url = col.get("SOURCEURL")
    outlet = _map_unique(url, _host)
    feature = col.get("ActionGeo_FeatureID")
    columns = {
        "report_id": "GDELT:" + ids,
        "source_dataset": "GDELT",
        "source_event_id": ids,
        "place": _text(full_name.str.split(",").str[0].str.strip()),
        "admin1": _gdelt_admin1(full_name, geo_type),
        "country_iso3": iso3,
        "date": date,
        "date_start": date,
        "date_end": date,
        "date_precision": "day",
        "event_class": event_class,
        "source_event_type": "CAMEO " + code,
        "actor1": _text(col.get("Actor1Name")),
        "actor2": _text(col.get("Actor2Name")),
        "fatalities_low": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
        "fatalities_best": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
        "fatalities_high": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
        "evidence": event_class.map(EVIDENCE_FROM_EVENT_CLASS),
        "claimant": _map_unique(
            outlet, lambda h: f"GDELT (machine-coded from {h})" if h else "GDELT (machine-coded)"
        ),
        "source_outlet": outlet,
        "source_url": _text(url),
        "location_precision": precision,
        "location_radius_m": _radius_m(precision),
        "coord_source": [
            f"GDELT ActionGeo_Lat/ActionGeo_Long of {name!r} (ActionGeo_Type {kind}"
            + (f", FeatureID {fid}" if fid else "")
            + ")"
            for name, kind, fid in zip(full_name, geo_type, feature, strict=True)
        ],
        "notes": None,
    }
    return _finish(
        dataset="GDELT",
        path=path,
        layout=layout,
        raw=raw,
        ids=ids,
        columns=columns,
        lon=lon,
        lat=lat,
        problems=problems,
        errors=errors,
        keep_raw=keep_raw,
        extra={"unmapped_country_codes": unmapped},
    )


# ---------------------------------------------------------------------------- strike reports


# ISO 3166 alpha-3 -> alpha-2 of the countries with shipped admin-1 units (ISO 3166-2 prefixes).
_ISO2_OF = MappingProxyType({"ARM": "AM", "AZE": "AZ"})


def select_strike_reports(
    events: gpd.GeoDataFrame, *, countries: Sequence[str] = ("ARM",)
) -> StrikeSelection:
    """Split read events into those usable as strike reports in ``countries`` and the rest.

    :func:`borderstrikes.validate_strikes` (and so
    :func:`borderstrikes.report.write_report`) accepts only reports of
    strikes located in an Armenian marz. An event is kept if it has an
    ``evidence`` (its event class is a strike or fighting, see
    :data:`EVIDENCE_FROM_EVENT_CLASS`), a ``location_precision`` (not a
    country centroid or open water) and an ``admin1_iso`` of one of
    ``countries`` (by default Armenia, as ``validate_strikes`` expects by
    default).

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        Events from :func:`read_acled`, :func:`read_ucdp_ged` or
        :func:`read_gdelt_events` (or several of them concatenated with
        ``ignore_index=True``).
    countries : sequence of str, default ("ARM",)
        ISO3 codes whose admin-1 units are accepted; pass the same to
        ``validate_strikes`` / ``write_report``.

    Returns
    -------
    StrikeSelection
        ``strikes``: the kept rows, unchanged and in their order, index
        preserved. ``left_out``: a DataFrame indexed like the rest, with
        ``report_id`` and ``reason``. Every row is in one of the two.

    Raises
    ------
    borderstrikes.errors.DataFileError
        If ``events`` lacks the columns the selection needs.

    Examples
    --------
    >>> import geopandas as gpd
    >>> events = gpd.GeoDataFrame(
    ...     {
    ...         "report_id": ["ACLED:1", "ACLED:2", "ACLED:3"],
    ...         "evidence": ["impact", None, "impact"],
    ...         "location_precision": ["settlement", "settlement", "settlement"],
    ...         "admin1_iso": ["AM-VD", "AM-SU", "AZ-KAL"],
    ...     },
    ...     geometry=gpd.points_from_xy([45.67, 46.34, 46.04], [39.84, 39.51, 40.11]),
    ...     crs="EPSG:4326",
    ... )
    >>> strikes, left_out = select_strike_reports(events)
    >>> strikes["report_id"].tolist()
    ['ACLED:1']
    >>> left_out["reason"].tolist()
    ['evidence is empty (the dataset codes no strike or fighting)',
     'admin1_iso AZ-KAL is not a unit of ARM']
    """
    needed = ("report_id", "evidence", "location_precision", "admin1_iso")
    missing = [c for c in needed if c not in events.columns]
    if missing:
        msg = (
            f"events is missing the column(s) {missing!r}; pass the events returned by "
            "read_acled, read_ucdp_ged or read_gdelt_events."
        )
        raise DataFileError(msg)
    reasons = pd.Series("", index=events.index, dtype=object)
    no_evidence = events["evidence"].isna().to_numpy()
    no_precision = events["location_precision"].isna().to_numpy()
    iso = events["admin1_iso"]
    countries = (countries,) if isinstance(countries, str) else tuple(countries)
    prefixes = tuple(f"{_ISO2_OF.get(c, c)}-" for c in countries)
    outside = ~iso.fillna("").astype(str).str.startswith(prefixes).to_numpy()
    for mask, reason in (
        (no_evidence, lambda i: "evidence is empty (the dataset codes no strike or fighting)"),
        (
            no_precision & ~no_evidence,
            lambda i: "location_precision is empty (a country centroid or open water)",
        ),
        (
            outside & ~no_evidence & ~no_precision,
            lambda i: (
                f"admin1_iso {iso.iloc[i]} is not a unit of {'/'.join(countries)}"
                if pd.notna(iso.iloc[i])
                else "the point lies in no Armenian or Azerbaijani admin-1 unit"
            ),
        ),
    ):
        for i in np.flatnonzero(mask):
            reasons.iloc[i] = reason(i)
    keep = (reasons == "").to_numpy()
    left_out = pd.DataFrame(
        {"report_id": events["report_id"], "reason": reasons.astype("str")}, index=events.index
    )[~keep]
    return StrikeSelection(events[keep], left_out)
