"""The shared recipe of the event readers: from a file of text cells to the event schema.

Every event reader (:mod:`borderstrikes.io.acled`, :mod:`~borderstrikes.io.ucdp`,
:mod:`~borderstrikes.io.gdelt`) follows the same steps, and this module holds
them once:

1. read the file as text, exactly as written
   (:func:`borderstrikes.io.files.read_csv`);
2. wrap it in an :class:`EventTable`, which checks the required columns and
   collects, row by row, why a record cannot be read (:class:`Problems`);
3. turn columns into values -- event ids, coordinates, codes looked up in a
   codebook, dates, counts, country codes -- each step adding its problems;
4. assemble the schema with :meth:`EventTable.finish`: the columns the format
   fills, those its mapping table names, the admin-1 code of each point, the
   dtypes of :data:`EVENT_COLUMNS`, and the rejects (or one error naming them).

What differs between formats is data, not code: an :class:`EventFormat`
(one per format, a frozen mapping table) says which source column feeds
which schema column and which codebook translates it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.validate import WGS84
from borderstrikes.errors import BorderstrikesWarning, DataFileError
from borderstrikes.io.codebooks import EVIDENCE_FROM_EVENT_CLASS
from borderstrikes.io.files import (
    MAX_BYTES,
    MAX_RATIO,
    check_errors,
    check_path,
    compute,
    pa,
    read_csv,
    read_csv_chunks,
    separator_counts,
    str_array,
    take_arrays,
    take_arrow,
    take_rows,
)
from borderstrikes.strikes import PRECISION_RADIUS_M

__all__ = [
    "EVENT_COLUMNS",
    "Errors",
    "EventFormat",
    "EventTable",
    "EventsRead",
    "FileDecisions",
    "Problems",
    "as_text",
    "blank",
    "check_chunksize",
    "check_dates",
    "each_chunk",
    "line_places",
    "map_codes",
    "map_unique",
    "numbers",
]

#: What a reader does with a record it cannot read: put it in the rejects, or raise.
Errors = Literal["collect", "raise"]

#: Columns of the event schema and their dtypes, in order (``raw_*`` columns and the
#: geometry follow); ``docs/event_schema.md`` describes each.
_DTYPES = MappingProxyType({
    "report_id": "str", "source_dataset": "str", "source_event_id": "str", "place": "str",
    "admin1": "str", "admin1_iso": "str", "country_iso3": "str", "date": "datetime64[us]",
    "date_start": "datetime64[us]", "date_end": "datetime64[us]", "date_precision": "str",
    "event_class": "str", "source_event_type": "str", "actor1": "str", "actor2": "str",
    "fatalities_low": "Int64", "fatalities_best": "Int64", "fatalities_high": "Int64",
    "fatalities_flag": "str",
    "evidence": "str", "claimant": "str", "source_outlet": "str", "source_url": "str",
    "location_precision": "str", "location_radius_m": "float64", "coord_source": "str",
    "notes": "str",
})  # fmt: skip

#: Columns of the event schema, in order (``raw_*`` columns and the geometry follow).
EVENT_COLUMNS = tuple(_DTYPES)

_SHOW = 10  # rows named in an error message

# A date written with numbers only, day and month in either order: 13/09/2022, 9.13.2022,
# 13-09-2022, optionally followed by a time (a spreadsheet's re-save of an ISO date).
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})(?:[ T][0-9:.]*(?: ?[AaPp][Mm])?)?$"
)  # the two separators must be the same (checked after the match)

# A place that is a line or a front, not a point: no radius around its point is honest.
_LINE_PLACE = re.compile(
    r"\b(?:line of contact|contact line|front ?line|cease-?fire line|line of control)\b",
    re.IGNORECASE,
)

# Header names that are data values: numbers, dates, coordinates (a file without a header).
_DATA_LIKE = re.compile(r"^[-+]?\d+(?:[.,:/ -]\d+)*$")

# A number written with a decimal comma (a European spreadsheet's export): 39,8395.
_DECIMAL_COMMA = re.compile(r"[-+]?\d{1,3},\d+")

# Older layouts of the datasets the readers do not read, recognised by their columns.
_OLD_LAYOUTS = (
    (
        ("geo_precis", "gwno"),
        "an ACLED file in its layout before 2019 (ACLED version 7 or older: GEO_PRECIS, GWNO, "
        "ALLY_ACTOR_*, no SUB_EVENT_TYPE). Its EVENT_TYPE values ('Remote violence', "
        "'Battle-No change of territory' ...) do not say the weapon, so they cannot be mapped to "
        "the event classes; download the events again from ACLED (export tool or API), which "
        "serves all years in the current layout",
    ),
)

# The reader of each dataset, named in a hint when a file is another dataset's.
_READER = MappingProxyType(
    {"ACLED": "read_acled", "UCDP GED": "read_ucdp_ged", "GDELT": "read_gdelt_events"}
)

# Which columns give away which dataset a file is from (for a hint when columns are missing).
_LOOKS_LIKE = MappingProxyType(
    {
        "read_acled": ("event_id_cnty", "geo_precision"),
        "read_ucdp_ged": ("where_prec", "date_prec"),
        "read_gdelt_events": ("GLOBALEVENTID", "ActionGeo_Type"),
    }
)


class FileDecisions(NamedTuple):
    """What a chunked read decides once, from the whole file, for every chunk."""

    #: The notes about the file as a whole (dialect, HXL row, absent columns, date order).
    notes: list[str]
    #: The day/month order of numbers-only dates (None: the file has none, or date_format).
    dayfirst: bool | None
    #: Each event id that occurs more than once -> the row of its first occurrence.
    duplicates: dict[str, int]


class EventsRead(NamedTuple):
    """What a reader returns: the events, and the records it could not read.

    Unpack it (``events, rejects = read_acled(path)``) or use the fields.
    """

    #: The events (GeoDataFrame, EPSG:4326), indexed by the record's row in the file.
    events: gpd.GeoDataFrame
    #: The records that were not read (DataFrame, same row numbering), with their reasons.
    rejects: pd.DataFrame


@dataclass(frozen=True)
class EventFormat:
    """The mapping table of one event format: which source column feeds which schema column.

    Codebooks are the tables of :mod:`borderstrikes.io.codebooks`; a pair
    ``(column, codebook)`` means the column holds codes the codebook
    translates. Columns are matched case-insensitively.
    """

    #: ``source_dataset``, and the dataset's name in messages and provenance.
    dataset: str
    #: ``report_id`` is ``"<id_prefix>:<event id>"``.
    id_prefix: str
    #: What the file is, in messages ("ACLED CSV").
    what: str
    #: Where the codebook the mapping follows is published.
    codebook: str
    #: Columns without which no record can be read.
    required: tuple[str, ...]
    #: The column of the dataset's event id (``source_event_id``).
    event_id: str
    #: The longitude and latitude columns, in degrees.
    lonlat: tuple[str, str]
    #: The location precision code column and its codebook (``location_precision``).
    precision: tuple[str, Mapping[int, str | None]]
    #: The date precision code column and its codebook (``date_precision``), if any.
    date_precision: tuple[str, Mapping[int, str]] | None
    #: The date columns, the formats tried in turn, and what a message says is expected.
    dates: tuple[str, ...]
    date_formats: tuple[str, ...]
    date_hint: str
    #: The country code column and its codebook (``country_iso3``): number or letter codes.
    country: tuple[str, Mapping[Any, str]]
    #: Schema column -> source column, copied as text (empty cells become missing).
    text: Mapping[str, str]
    #: Source columns of ``fatalities_low``, ``fatalities_best`` and ``fatalities_high``.
    fatalities: tuple[str | None, str | None, str | None] = (None, None, None)
    #: The column listing the sources, quoted in ``claimant`` (None: the reader says).
    claimant_sources: str | None = None
    #: Read only the first group of this regex of each date cell (e.g. the day of a time).
    date_extract: re.Pattern[str] | None = None
    #: Columns the schema uses that a file may lack (reported once when absent).
    optional: tuple[str, ...] = ()
    #: Other source columns the reader uses (read even with ``keep_raw=False``).
    extra: tuple[str, ...] = ()


# ---------------------------------------------------------------------------- cells


class Problems:
    """Reasons why each record cannot be read, collected by row position, in order."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.reasons: dict[int, list[str]] = {}  # only the rows with a problem

    def add(self, mask: Any, reason: Callable[[int], str]) -> None:
        """Give every row where ``mask`` is true the reason ``reason(row)``."""
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            self.reasons.setdefault(int(i), []).append(reason(int(i)))

    def extend(self, other: Problems, *, skip: Any) -> None:
        """Add the reasons of ``other``, except on the rows where ``skip`` is true."""
        for i, reasons in other.reasons.items():
            if not skip[i]:
                self.reasons.setdefault(i, []).extend(reasons)

    @property
    def bad(self) -> np.ndarray:
        """Boolean array, True for the rows with a problem."""
        out = np.zeros(self.n, dtype=bool)
        out[list(self.reasons)] = True
        return out

    def text(self, i: int) -> str:
        """Return the reasons of row ``i``, separated by "; " ("" if none)."""
        return "; ".join(self.reasons.get(i, ()))


def blank(values: pd.Series) -> np.ndarray:
    """Boolean array, True for the empty cells."""
    return (values == "").to_numpy(dtype=bool, na_value=False)


def arrow_text(values: Any) -> Any:
    """Return the pyarrow text array behind a ``str`` Series (None if it is not pyarrow's)."""
    array = getattr(values, "array", None)
    if pa is not None and isinstance(array, pd.arrays.ArrowStringArray):
        return array.__arrow_array__()
    return None


def as_text(values: pd.Series) -> pd.Series:
    """Cells as text (``str`` dtype), an empty cell being missing."""
    arrow = arrow_text(values)
    if arrow is None:
        array = values.to_numpy(dtype=object)
        return pd.Series(text_array(array), index=values.index)
    empty = compute.equal(arrow, "")
    if compute.any(empty).as_py():
        arrow = compute.if_else(empty, pa.scalar(None, arrow.type), arrow)
    return pd.Series(str_array(arrow), index=values.index)


def text_array(values: Any) -> pd.api.extensions.ExtensionArray:
    """Python strings and None ("" too is missing) as ``str``, each distinct one encoded once.

    Event columns repeat a few values (a precision, a class, a country) over
    many rows: the distinct values are found first (by hash, not by
    encoding each cell) and the column is taken from them.
    """
    array = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if pa is None or not len(array):  # pragma: no cover - pyarrow is installed
        return str_array(np.where(array == "", None, array))
    codes, uniques = pd.factorize(array, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    uniques[uniques == ""] = None
    dictionary = pa.array(uniques, pa.large_string(), from_pandas=True)
    taken = dictionary.take(pa.array(codes, mask=codes < 0))
    return str_array(taken)


def numbers(values: pd.Series) -> np.ndarray:
    """Cells as floats, NaN where empty or not a number."""
    if pa is not None and len(values):  # all numbers or empty (the usual case): pyarrow's cast
        array = arrow_text(values)
        try:
            if array is None:
                array = pa.array(values.to_numpy(dtype=object), pa.large_string())
            empty = compute.equal(array, "")
            if compute.any(empty).as_py():
                array = compute.if_else(empty, pa.scalar(None, array.type), array)
            return compute.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    return pd.to_numeric(values.where(values != ""), errors="coerce").to_numpy(dtype=float)


def map_codes(codes: Any, table: Mapping[Any, Any]) -> list[Any]:
    """Look each code up in ``table`` (None for a missing or unknown code)."""
    array = np.empty(len(codes), dtype=object)
    array[:] = list(codes)
    index, uniques = pd.factorize(array, use_na_sentinel=False)  # a few codes, many rows
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [None if code is None or pd.isna(code) else table.get(code) for code in uniques]
    return mapped[index].tolist()


def map_unique(values: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``values.map(func)``, calling ``func`` once per distinct value (a missing one: None).

    The result is ``str`` (pyarrow text, taken from the distinct results:
    no Python string per row) when ``func`` returns only text and None,
    else object dtype.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    uniques = uniques.to_numpy(dtype=object) if hasattr(uniques, "to_numpy") else uniques
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [func(None if pd.isna(value) else value) for value in uniques]
    if pa is not None and all(v is None or isinstance(v, str) for v in mapped):
        dictionary = pa.array(mapped, pa.large_string(), from_pandas=True)
        return pd.Series(str_array(dictionary.take(codes)), index=values.index)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def format_unique(
    func: Callable[..., str | None], *columns: Any
) -> pd.api.extensions.ExtensionArray:
    """``[func(*row) for row in zip(*columns)]`` as ``str``, one call per distinct row.

    Each column is factorized (missing values passed as None), the codes are
    combined into one key, and ``func`` runs once per distinct key: text
    such as "ACLED latitude/longitude of 'Jermuk' (geo_precision 1)" is
    made once per place, not once per record.
    """
    n = len(columns[0])
    key = np.zeros(n, dtype=np.int64)
    parts = []
    for column in columns:
        codes, uniques = pd.factorize(
            column if isinstance(column, pd.Series) else np.asarray(column, dtype=object),
            use_na_sentinel=False,
        )
        uniques = uniques.to_numpy(dtype=object) if hasattr(uniques, "to_numpy") else uniques
        key = key * max(len(uniques), 1) + codes
        key = pd.factorize(key)[0]  # keep the key small
        parts.append((codes, uniques))
    first = np.unique(key, return_index=True)[1]  # a row of each distinct key, in key order
    made = np.empty(len(first), dtype=object)
    made[:] = [func(*(None if pd.isna(u[c[i]]) else u[c[i]] for c, u in parts)) for i in first]
    if pa is None:  # pragma: no cover - pyarrow is installed
        return str_array(made[key])
    return str_array(pa.array(made, pa.large_string(), from_pandas=True).take(key))


def check_dates(dayfirst: Any, date_format: Any) -> None:
    """Raise ValueError unless ``dayfirst`` is a bool or None and ``date_format`` a str or None."""
    if dayfirst is not None and not isinstance(dayfirst, bool):
        msg = f"dayfirst must be True, False or None (got {dayfirst!r})."
        raise ValueError(msg)
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        msg = f"date_format must be a strftime format such as '%m/%d/%Y' (got {date_format!r})."
        raise ValueError(msg)


def check_chunksize(chunksize: Any) -> None:
    """Raise ValueError unless ``chunksize`` is None or a whole number >= 1."""
    if chunksize is not None and (
        isinstance(chunksize, bool) or not isinstance(chunksize, int | np.integer) or chunksize < 1
    ):
        msg = (
            f"chunksize must be None or a whole number of records >= 1 (got {chunksize!r}); "
            "with a number, the reader returns an iterator of (events, rejects) pairs."
        )
        raise ValueError(msg)


def each_chunk(
    tables: Iterator[EventTable], convert: Callable[[EventTable, bool], EventsRead], keep_raw: bool
) -> Iterator[EventsRead]:
    """``convert(table, keep_raw)`` for each table of a chunked read, one at a time."""
    for table in tables:
        yield convert(table, keep_raw)


#: Records per piece of a chunked read's first pass (event ids and dates only).
_FIRST_PASS_ROWS = 100_000


def _pieces(frames: Any) -> Iterator[pd.DataFrame]:
    """Frames of at most :data:`_FIRST_PASS_ROWS` rows, from a frame or an iterator of frames."""
    for frame in [frames] if isinstance(frames, pd.DataFrame) else frames:
        for start in range(0, max(len(frame), 1), _FIRST_PASS_ROWS):
            yield frame.iloc[start : start + _FIRST_PASS_ROWS].reset_index(drop=True)


def _chunk_tables(
    cls: type[EventTable], one: EventTable, frames: Iterator[pd.DataFrame], file: FileDecisions
) -> Iterator[EventTable]:
    """Yield the chunks' tables: the first (without its HXL row), then one per frame."""
    settings = one._settings()
    fmt, path, errors, strip, _, date_format = settings
    raw, offset = one.raw, 0
    del one  # the first frame is held by raw alone: free once converted
    if not len(raw):  # the first chunk held only the HXL row: start with the next
        raw = next(frames, raw)
    while raw is not None:
        table = cls(raw, fmt, path=path, errors=errors, strip=strip, dayfirst=file.dayfirst,
                    date_format=date_format, offset=offset, file=file)  # fmt: skip
        offset += len(raw)
        raw = None
        yield table
        del table
        raw = next(frames, None)


def _is_hxl(first: pd.Series) -> bool:
    """Whether a data row is a row of HXL hashtags (``#event+id``, ``#date`` ...)."""
    cells = [str(c).strip() for c in first.tolist()]
    filled = [c for c in cells if c]
    return bool(filled) and all(re.fullmatch(r"#[A-Za-z][\w+ -]*", c) for c in filled)


def _no_header(names: list[str]) -> bool:
    """Whether header names are data values (asked when no required column is found).

    Column names are never numbers or dates, nor empty; a data line holds
    some (an id, a date, coordinates, an empty cell).
    """
    return len(names) > 1 and any(_DATA_LIKE.match(n) or n == "" for n in names)


def _used_columns(fmt: EventFormat) -> set[str]:
    """Every source column the mapping table of ``fmt`` reads."""
    used = {*fmt.required, *fmt.optional, fmt.event_id, *fmt.lonlat, fmt.precision[0]}
    used |= {*fmt.dates, fmt.country[0], *fmt.text.values()}
    used |= {name for name in fmt.fatalities if name is not None}
    if fmt.date_precision is not None:
        used.add(fmt.date_precision[0])
    if fmt.claimant_sources is not None:
        used.add(fmt.claimant_sources)
    return used | set(fmt.extra)


def _bounds_flag(
    sources: tuple[str | None, str | None, str | None], read: dict[str, pd.Series], n: int
) -> np.ndarray:
    """Per record, why the low/best/high fatality figures are out of order (or None)."""
    flag = np.full(n, None, dtype=object)
    low, best, high = sources
    if low is None or best is None or high is None or len({low, best, high}) < 3:
        return flag
    lo, be, hi = (read[name].to_numpy(dtype=float, na_value=np.nan) for name in (low, best, high))
    for mask, text in (
        (lo > be, lambda i: f"{low} {lo[i]:.0f} > {best} {be[i]:.0f}"),
        (be > hi, lambda i: f"{best} {be[i]:.0f} > {high} {hi[i]:.0f}"),
        ((lo > hi) & ~(lo > be) & ~(be > hi), lambda i: f"{low} {lo[i]:.0f} > {high} {hi[i]:.0f}"),
    ):
        for i in np.flatnonzero(mask):
            flag[i] = text(i) if flag[i] is None else f"{flag[i]}; {text(i)}"
    return flag


def line_places(*texts: pd.Series) -> np.ndarray:
    """Boolean array, True where a place text names a line or a front ("Line of Contact")."""
    out = np.zeros(len(texts[0]), dtype=bool)
    for text in texts:  # places repeat: test each distinct one once
        out |= map_unique(text, lambda s: bool(s and _LINE_PLACE.search(s))).to_numpy(dtype=bool)
    return out


def _extract(text: pd.Series, pattern: re.Pattern[str] | None) -> pd.Series:
    """Return the first group of ``pattern`` in each cell ("" where it does not match)."""
    if pattern is None:
        return text
    if pa is not None and pattern.groupindex:  # RE2 through pyarrow: no Python call per cell
        array = arrow_text(text)
        if array is None:
            array = pa.array(text.to_numpy(dtype=object), pa.large_string())
        found = compute.extract_regex(array, pattern.pattern)
        if isinstance(found, pa.ChunkedArray):
            found = pa.chunked_array(
                [chunk.field(0) for chunk in found.chunks], type=found.type.field(0).type
            )
        else:
            found = found.field(0)
        found = compute.fill_null(found, "")
        return pd.Series(str_array(found.cast(pa.large_string())), index=text.index)
    return text.str.extract(pattern, expand=False).fillna("")


def _trimmed(values: Any) -> Any:
    """Strip a pyarrow text column of surrounding white space (itself if no cell had any)."""
    trimmed = compute.utf8_trim_whitespace(values)
    size = compute.sum(compute.binary_length(values)).as_py()
    if size == compute.sum(compute.binary_length(trimmed)).as_py():
        return values  # nothing was stripped: keep the file's own buffers
    return trimmed


def _arrow_of(value: Any) -> Any:
    """Return the pyarrow array of a schema column's values, if they are pyarrow text."""
    if pa is not None and isinstance(value, pa.ChunkedArray | pa.Array):
        return value
    if isinstance(value, pd.api.extensions.ExtensionArray):
        value = pd.Series(value, copy=False)
    return arrow_text(value) if isinstance(value, pd.Series) else None


def _schema_column(value: Any, dtype: str, rows: np.ndarray, *, every: bool) -> Any:
    """Return rows ``rows`` of one schema column, in its dtype (an empty text cell: missing)."""
    if dtype != "str":
        if isinstance(value, pd.Series):
            return value.iloc[rows].to_numpy() if dtype != "Int64" else value.array[rows]
        if value is None or isinstance(value, str | float | int):
            return pd.array([value] * len(rows), dtype=dtype)
        return pd.array(np.asarray(value)[rows], dtype=dtype)
    if value is None or isinstance(value, str):
        if pa is not None:
            return str_array(pa.repeat(pa.scalar(value or None, pa.large_string()), len(rows)))
        return str_array(np.full(len(rows), value or None, dtype=object))  # pragma: no cover
    if isinstance(value, pd.Series | pd.api.extensions.ExtensionArray):
        arrow = arrow_text(value if isinstance(value, pd.Series) else pd.Series(value))
        if arrow is not None:
            value = arrow
    if pa is not None and isinstance(value, pa.ChunkedArray | pa.Array):
        if not every:
            value = take_arrow(value, rows)
        return str_array(value)
    if isinstance(value, pd.Series):
        value = value.to_numpy(dtype=object)
    return text_array(np.asarray(value, dtype=object)[rows])


def _radius_m(precision: Any) -> np.ndarray:
    codes, uniques = pd.factorize(np.asarray(precision, dtype=object), use_na_sentinel=True)
    radius = np.array([float(PRECISION_RADIUS_M[p]) for p in uniques] + [np.nan], float)
    return radius[codes]  # -1 (missing): the NaN at the end


def _points(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One point per distinct (lon, lat), and each record's position among them (-1: none).

    Event datasets put many events on one place's point: each distinct point
    is made once, and the records share it (points are immutable).
    """
    inverse, xy = pd.factorize(lon + 1j * lat)  # NaN in either: -1
    return shapely.points(xy.real, xy.imag), inverse


def _admin1_iso(points: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """ISO 3166-2 code of the Armenian or Azerbaijani admin-1 unit holding each point."""
    out = np.full(len(inverse), None, dtype=object)
    if not len(points):
        return out
    units = defaults.units(countries=["ARM", "AZE"])
    # a tree of the points, queried with each unit: each polygon is prepared once
    tree = shapely.STRtree(points)
    hit_unit, hit_point = tree.query(np.asarray(units.geometry.values), predicate="intersects")
    order = np.lexsort((hit_unit, hit_point))  # a point on a shared edge: the first unit
    first_point, first = np.unique(hit_point[order], return_index=True)
    codes = units["iso_3166_2"].to_numpy(dtype=object)
    found = np.full(len(points) + 1, None, dtype=object)  # the last: no point (-1)
    found[first_point] = codes[hit_unit[order][first]]
    return found[inverse]


# ---------------------------------------------------------------------------- the table


class EventTable:
    """One file's records on their way to the event schema.

    Holds the raw table (every cell as text), the format's mapping table and
    the :class:`Problems` found so far. Each step method reads the columns the
    mapping names, adds the problems it finds, and returns the values; a
    reader calls them in order and ends with :meth:`finish`.

    Parameters
    ----------
    raw : pandas.DataFrame
        The file's cells as text, with a RangeIndex.
    fmt : EventFormat
        The format's mapping table.
    path : pathlib.Path
        The file (named in messages and provenance).
    errors : {'collect', 'raise'}, default 'collect'
        What :meth:`finish` does with the records that have a problem (the
        reader checks the value first, with :func:`check_errors`).
    strip : bool, default True
        Strip the cells of surrounding spaces.
    dayfirst : bool or None, default None
        Whether dates written with numbers only (``5/9/2022``) put the day
        first; None: tell it from the file, or refuse to guess (see
        :meth:`dates`).
    date_format : str or None, default None
        A ``strftime`` format every date is read with, instead of the
        format's own.

    Raises
    ------
    borderstrikes.errors.DataFileError
        If a required column is missing (all of them are named at once).

    Notes
    -----
    A first data row of HXL hashtags (``#event+id``, as HDX exports carry)
    is skipped, not rejected: it is not a record, so the first event is
    still row 0. What the reader had to decide about the file
    (the HXL row, absent optional columns, the day/month order, places that
    are lines) is listed in :attr:`notes`, which :meth:`finish` copies to
    ``events.attrs["notes"]``.
    """

    def __init__(
        self,
        raw: pd.DataFrame,
        fmt: EventFormat,
        *,
        path: Path,
        errors: Errors = "collect",
        strip: bool = True,
        dayfirst: bool | None = None,
        date_format: str | None = None,
        offset: int = 0,
        file: FileDecisions | None = None,
    ) -> None:
        self._setup(raw, fmt, path, errors, strip, dayfirst, date_format)
        self.offset = offset  # added to a position to give the record's row in the file
        self.file = file
        if file is not None:  # a chunk: the file's decisions were taken once, from all of it
            self.notes = list(file.notes)
            self._require()
            return
        dialect = raw.attrs.get("dialect")
        if dialect is not None and (
            dialect.encoding not in ("utf-8", "utf-8-sig") or dialect.sep != ","
        ):  # say how a file that is not plain UTF-8 CSV was read
            self.notes.append(f"{path.name}: read as {dialect.found or 'given'}")
        if len(raw) and _is_hxl(raw.iloc[0]):
            self._setup(raw.iloc[1:].reset_index(drop=True), *self._settings())
            self.notes.append(
                f"{path.name}: row 0 holds HXL hashtags (an HDX export); skipped, not an event"
            )
        self._require()
        absent = [name for name in fmt.optional if name not in self]
        if absent:
            message = (
                f"{path.name} has no column(s) {absent!r}: the event columns they feed are left "
                f"empty for every record ({fmt.dataset} codebook: {fmt.codebook})"
            )
            self.notes.append(message)
            counted = [n for n in absent if n in fmt.fatalities or n == fmt.country[0]]
            if counted:  # figures, not descriptions: say it where it is seen
                warnings.warn(
                    f"{path.name} has no column(s) {counted!r}: the event columns they feed "
                    f"(fatalities, country) are empty for every record, not zero "
                    f"({fmt.dataset} codebook: {fmt.codebook}).",
                    BorderstrikesWarning,
                    stacklevel=4,
                )

    def _setup(
        self,
        raw: pd.DataFrame,
        fmt: EventFormat,
        path: Path,
        errors: Errors,
        strip: bool,
        dayfirst: bool | None,
        date_format: str | None,
    ) -> None:
        self.format = fmt
        self.path = path
        self.errors = errors
        self.strip = strip
        self.dayfirst = dayfirst
        self.date_format = date_format
        self.notes: list[str] = getattr(self, "notes", [])
        self.offset = 0
        self.file: FileDecisions | None = None
        self.day_order: bool | None = None  # the order dates() read numbers-only dates in
        self.tally: tuple[dict[str, int], dict[str, dict[str, list[str]]]] | None = None
        self.raw = raw
        self.names = {c.lower(): c for c in raw.columns}
        self._cache: dict[str, pd.Series] = {}
        self.problems = Problems(len(raw))

    def _settings(self) -> tuple[Any, ...]:
        return (self.format, self.path, self.errors, self.strip, self.dayfirst, self.date_format)

    @classmethod
    def from_csv(
        cls,
        path: Any,
        fmt: EventFormat,
        *,
        encoding: str | None,
        errors: Errors,
        sep: str | None = None,
        keep_raw: bool = True,
        dayfirst: bool | None = None,
        date_format: str | None = None,
        max_bytes: float = MAX_BYTES,
        max_ratio: float = MAX_RATIO,
    ) -> EventTable:
        """Check ``errors`` and ``path``, then read a text table with a header row.

        The encoding and the separator are recognised from the file unless
        given (:func:`borderstrikes.io.files.sniff_dialect`). Without
        ``keep_raw``, only the columns the format uses are read. A
        compressed file (a ``.zip`` holding one such file, gzip, bzip2, xz)
        is read too, expanded under ``max_bytes`` and ``max_ratio``
        (:func:`borderstrikes.io.files.open_data`).
        """
        check_errors(errors)
        check_dates(dayfirst, date_format)
        path = check_path(path, fmt.what)
        used = None if keep_raw else frozenset(name.lower() for name in _used_columns(fmt))
        raw = read_csv(
            path,
            what=fmt.what,
            encoding=encoding,
            sep=sep,
            columns=None if used is None else (lambda name: name.lower() in used),
            max_bytes=max_bytes,
            max_ratio=max_ratio,
        )
        return cls(raw, fmt, path=path, errors=errors, dayfirst=dayfirst, date_format=date_format)

    @classmethod
    def from_csv_chunks(
        cls,
        path: Any,
        fmt: EventFormat,
        *,
        chunksize: int,
        encoding: str | None,
        errors: Errors,
        sep: str | None = None,
        keep_raw: bool = True,
        dayfirst: bool | None = None,
        date_format: str | None = None,
        max_bytes: float = MAX_BYTES,
        max_ratio: float = MAX_RATIO,
    ) -> Iterator[EventTable]:
        """:meth:`from_csv` in tables of ``chunksize`` records (see :meth:`chunked`)."""
        check_errors(errors)
        check_dates(dayfirst, date_format)
        check_chunksize(chunksize)
        path = check_path(path, fmt.what)
        used = None if keep_raw else frozenset(name.lower() for name in _used_columns(fmt))
        frames = read_csv_chunks(
            path,
            what=fmt.what,
            chunksize=chunksize,
            encoding=encoding,
            sep=sep,
            columns=None if used is None else (lambda name: name.lower() in used),
            max_bytes=max_bytes,
            max_ratio=max_ratio,
        )
        first = next(frames)
        dialect = first.attrs["dialect"]

        def narrow(names: frozenset[str]) -> Iterator[pd.DataFrame]:
            return read_csv_chunks(  # streamed, in pieces: only these columns are read
                path,
                what=fmt.what,
                chunksize=_FIRST_PASS_ROWS,
                encoding=dialect.encoding,
                sep=dialect.sep,
                columns=lambda name: name.lower() in names,
                max_bytes=max_bytes,
                max_ratio=max_ratio,
            )

        return cls.chunked(
            first,
            frames,
            fmt,
            path=path,
            errors=errors,
            dayfirst=dayfirst,
            date_format=date_format,
            narrow=narrow,
        )

    @classmethod
    def chunked(
        cls,
        first: pd.DataFrame,
        frames: Iterator[pd.DataFrame],
        fmt: EventFormat,
        *,
        path: Path,
        errors: Errors,
        strip: bool = True,
        dayfirst: bool | None,
        date_format: str | None,
        narrow: Callable[[frozenset[str]], Any],
    ) -> Iterator[EventTable]:
        """One table per frame of a file read in chunks, all under the file's own decisions.

        What one read of the whole file decides is decided once, here, before
        the first chunk is given out: the HXL row, the absent optional
        columns (warned about once), and -- from a first, cheap pass over
        only the event id and date columns (``narrow(names)`` reads them) --
        the day/month order of numbers-only dates (refused here, as in one
        read, if the file does not tell it) and the event ids that repeat,
        with the row each first occurs in. Every chunk then reads its dates
        in that order and rejects a repeated id as one read would, so the
        chunks, put together, are the one read.
        """
        one = cls(first, fmt, path=path, errors=errors, strip=strip, dayfirst=dayfirst,
                  date_format=date_format)  # fmt: skip
        hxl = len(one.raw) < len(first)
        names = frozenset(name.lower() for name in (fmt.event_id, *fmt.dates))
        tally: Any = ({"day": 0, "month": 0, "any": 0}, {"day": {}, "month": {}, "any": {}})
        ids, offset = [], 0
        for piece in _pieces(narrow(names)):
            if hxl and offset == 0 and not ids:
                piece = piece.iloc[1:].reset_index(drop=True)
            scan = cls.__new__(cls)
            scan.notes = []
            scan._setup(piece, *one._settings())
            scan.offset, scan.tally = offset, tally
            scan.dates()  # tallies numbers-only dates, decides nothing
            ids.append(arrow_text(scan.get(fmt.event_id)))
            offset += len(piece)
            del scan, piece
        decide = cls.__new__(cls)
        decide.notes = []
        decide._setup(one.raw.iloc[:0], *one._settings())
        dayfirst = one.dayfirst
        if one.date_format is None:
            dayfirst = decide._decide_order(" and ".join(fmt.dates), *tally)
        every_id = pd.Series(
            str_array(pa.chunked_array([c for a in ids for c in a.chunks], pa.large_string()))
        )
        del ids
        repeated = every_id.duplicated(keep=False).to_numpy() & ~blank(every_id)
        where = np.flatnonzero(repeated)
        firsts = pd.Series(where, index=every_id.iloc[where].to_numpy(dtype=object))
        duplicates = firsts.groupby(level=0, sort=False).min().to_dict()
        del every_id, repeated, firsts
        file = FileDecisions([*one.notes, *decide.notes], dayfirst, duplicates)
        return _chunk_tables(cls, one, frames, file)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.names

    def get(self, name: str) -> pd.Series:
        """Return the column stripped of surrounding spaces (empty strings if it is absent).

        The values are pyarrow text (``str`` dtype), trimmed once per column;
        no Python string is made per cell.
        """
        key = name.lower()
        if key not in self._cache:
            if key not in self.names:
                values = str_array(pa.repeat(pa.scalar("", pa.large_string()), len(self.raw)))
            else:
                column = self.raw[self.names[key]]
                arrow = arrow_text(column)
                if arrow is None:  # not pyarrow's text: made so once
                    arrow = pa.array(column.to_numpy(dtype=object, na_value=""), pa.large_string())
                if arrow.null_count:
                    arrow = compute.fill_null(arrow, "")
                if self.strip:
                    arrow = _trimmed(arrow)
                values = str_array(arrow)
            self._cache[key] = pd.Series(values, index=self.raw.index, copy=False)
        return self._cache[key]

    def text(self, name: str) -> Any:
        """Return column ``name`` as text for the schema: stripped, an empty cell missing.

        A pyarrow ``ChunkedArray`` (no Python string per cell), sharing the
        file's text where no cell needed stripping.
        """
        values = arrow_text(self.get(name))
        empty = compute.equal(values, "")
        if compute.any(empty).as_py():
            values = compute.if_else(empty, pa.scalar(None, values.type), values)
        return values

    def _note_once(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def row(self, i: int) -> int:
        """Return the number of the record at position ``i`` in the file (header excluded)."""
        return i + self.offset

    def _require(self) -> None:
        required = self.format.required
        missing = [name for name in required if name not in self]
        if not missing:
            return
        found = list(self.raw.columns)
        shown = ", ".join(found[:15]) + (f" … ({len(found)} in all)" if len(found) > 15 else "")
        if len(missing) == len(required) and _no_header(found):
            msg = (
                f"{self.path.name} has no header row: its first line holds values ({shown}), "
                f"not column names. The reader matches columns by name; add the "
                f"{self.format.dataset} header line (it needs {list(required)!r}; codebook: "
                f"{self.format.codebook}) or export the file again with its header."
            )
            raise DataFileError(msg)
        msg = (
            f"{self.path.name} is missing the {self.format.dataset} column(s) {missing!r} "
            f"(it has: {shown}). The reader needs {list(required)!r}; column names are matched "
            f"case-insensitively (codebook: {self.format.codebook}).{self._looks_like()}"
        )
        raise DataFileError(msg)

    def _looks_like(self) -> str:
        found = list(self.raw.columns)
        if len(found) == 1 and any(d in found[0] for d in (";", ",", "\t", "|")):
            counts = separator_counts(found[0])
            best = max(counts, key=lambda d: counts[d])
            return (
                f" The header is a single column holding {counts[best]} {best!r}: the file is "
                f"{best!r}-separated but was read with another separator; pass sep={best!r}."
            )
        for names, what in _OLD_LAYOUTS:
            if all(name in self for name in names):
                return f" The file is {what}."
        own = _READER.get(self.format.dataset)
        for reader, names in _LOOKS_LIKE.items():
            if reader != own and all(name in self for name in names):
                return f" The columns look like another dataset's: try {reader}()."
        return ""

    # ------------------------------------------------------------------ steps

    def ids(self) -> pd.Series:
        """Return the event ids (text); an empty or repeated id is a problem."""
        name = self.format.event_id
        text = self.get(name)
        self.problems.add(blank(text), lambda i: f"{name} is empty")
        if self.file is not None:  # a chunk: the repeats were found in the whole file
            first = text.map(self.file.duplicates).to_numpy(dtype=float, na_value=np.nan)
            rows = np.arange(len(text)) + self.offset
            duplicate = np.isfinite(first) & (first != rows)
            self.problems.add(
                duplicate,
                lambda i: f"{name} {text.iloc[i]!r} repeats row {int(first[i])}",
            )
            return text
        duplicate = (text.duplicated() & (text != "")).to_numpy()
        if duplicate.any():
            repeated = set(text[duplicate])
            first_row: dict[str, int] = {}
            for i in np.flatnonzero(text.isin(repeated).to_numpy()):
                first_row.setdefault(text.iloc[i], int(i))
            self.problems.add(
                duplicate,
                lambda i: (
                    f"{name} {text.iloc[i]!r} repeats row {self.row(first_row[text.iloc[i]])}"
                ),
            )
        return text

    def coordinates(self, problems: Problems | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude in degrees; unusable values are problems."""
        problems = self.problems if problems is None else problems
        out = []
        for name, limit in zip(self.format.lonlat, (180, 90), strict=True):
            text = self.get(name)
            value = numbers(text)
            comma = ~np.isfinite(value) & ~blank(text)
            if comma.any():
                comma[comma] = text[comma].str.fullmatch(_DECIMAL_COMMA).to_numpy(dtype=bool)
            if comma.any():  # a European spreadsheet's decimal comma: 39,8395
                value = value.copy()
                value[comma] = numbers(text[comma].str.replace(",", ".", regex=False))
                self._note_once(
                    f"{self.path.name}: coordinates written with a decimal comma (e.g. "
                    f"{text[comma].iloc[0]!r}) read as decimals"
                )
            empty = blank(text)
            problems.add(empty, lambda i, name=name: f"{name} is empty")
            problems.add(
                ~empty & ~np.isfinite(value),
                lambda i, name=name, text=text: f"{name} {text.iloc[i]!r} is not a number",
            )
            problems.add(
                np.isfinite(value) & (np.abs(value) > limit),
                lambda i, name=name, value=value, limit=limit: (
                    f"{name} {value[i]:g} is outside -{limit}..{limit}"
                ),
            )
            out.append(value)
        lon, lat = out
        problems.add(
            (lon == 0) & (lat == 0), lambda i: "coordinates are 0, 0 (a placeholder, not a place)"
        )
        return lon, lat

    def codes(
        self,
        name: str,
        allowed: Any,
        *,
        required: bool = True,
        describe: str | None = None,
        problems: Problems | None = None,
    ) -> np.ndarray:
        """Integer codes of column ``name`` (object array of int or None).

        A value outside ``allowed`` is a problem, and so is an empty cell if
        ``required``.
        """
        problems = self.problems if problems is None else problems
        text = self.get(name)
        value = numbers(text)
        empty = blank(text)
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
        out = np.full(len(value), None, dtype=object)
        out[ok] = value[ok].astype(np.int64).tolist()  # Python ints
        return out

    def location_precision(self, problems: Problems | None = None) -> np.ndarray:
        """Return the location precision codes (see :meth:`codes`)."""
        name, codebook = self.format.precision
        return self.codes(name, codebook, problems=problems)

    def date_precision(self) -> np.ndarray:
        """Return the date precision codes (see :meth:`codes`)."""
        if self.format.date_precision is None:
            msg = f"{self.format.dataset} records have no date precision code"
            raise TypeError(msg)
        name, codebook = self.format.date_precision
        return self.codes(name, codebook)

    def dates(self) -> list[pd.Series]:
        """Each date column (datetime64[us], NaT where unreadable), trying each format in turn.

        With the format's ``date_extract``, only the regex's first group of
        each value is parsed; messages quote the whole value. A date written
        with numbers only (``13/09/2022``, ``9/13/2022``, ``13.09.2022``,
        maybe followed by a time) is read in the day/month order the table's
        ``dayfirst`` gives; if it is None, the order is told from the file:
        a first number above 12 shows day-first dates, a second one above 12
        month-first dates. A file showing both, or neither while such dates
        are in it, is refused: the order is never guessed and a date is
        never swapped silently. ``date_format`` replaces all of this.

        Raises
        ------
        borderstrikes.errors.DataFileError
            If the day/month order of numeric dates cannot be told.
        """
        texts = {name: self.get(name) for name in self.format.dates}
        if self.date_format is not None:
            parsed = {
                name: pd.to_datetime(
                    text.where(text != ""), format=self.date_format, errors="coerce", exact=False
                )
                for name, text in texts.items()
            }
            hint = f"expected date_format={self.date_format!r}"
        else:
            # the format's own formats first; only the cells they cannot read are looked
            # at as numbers-only dates (no such date fits any of them)
            parsed, numeric = {}, {}
            for name, text in texts.items():
                candidate = _extract(text, self.format.date_extract)
                values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
                for fmt in self.format.date_formats:
                    todo = values.isna() & (candidate != "")
                    if not todo.any():
                        break
                    values[todo] = pd.to_datetime(candidate[todo], format=fmt, errors="coerce")
                parsed[name] = values
                failed = values.isna().to_numpy() & ~blank(text)
                parts = text[failed].str.extract(_NUMERIC_DATE)
                numeric[name] = parts[parts[0].notna() & (parts[1] == parts[3])]
            dayfirst = self.day_order = self._day_order(texts, numeric)
            for name, parts in numeric.items():
                if parts.empty:
                    continue
                first, second = parts[0].astype(int), parts[2].astype(int)
                day, month = (first, second) if dayfirst else (second, first)
                parsed[name][parts.index] = pd.to_datetime(
                    pd.DataFrame({"year": parts[4].astype(int), "month": month, "day": day}),
                    errors="coerce",
                )
            hint = self.format.date_hint
            if dayfirst is not None:
                hint += f"; numbers-only dates read {'day' if dayfirst else 'month'}-first"
        out = []
        for name, text in texts.items():
            values = parsed[name]
            empty = blank(text)
            self.problems.add(empty, lambda i, name=name: f"{name} is empty")
            self.problems.add(
                values.isna().to_numpy() & ~empty,
                lambda i, name=name, text=text: f"{name} {text.iloc[i]!r} is not a date ({hint})",
            )
            out.append(values.astype("datetime64[us]"))
        return out

    def _day_order(
        self, texts: dict[str, pd.Series], numeric: dict[str, pd.DataFrame]
    ) -> bool | None:
        """Whether numbers-only dates put the day first: given, told by the file, or refused."""
        if self.file is not None:  # a chunk: the whole file told it
            return self.file.dayfirst
        counts, shown = self._tally_numeric(texts, numeric)
        if self.tally is not None:  # a piece of a first pass: add up, decide at the end
            for kind, number in counts.items():
                self.tally[0][kind] += number
                for name, found in shown[kind].items():
                    kept = self.tally[1][kind].setdefault(name, [])
                    kept += found[: 3 - len(kept)]
            return self.dayfirst
        return self._decide_order(" and ".join(texts), counts, shown)

    def _tally_numeric(
        self, texts: dict[str, pd.Series], numeric: dict[str, pd.DataFrame]
    ) -> tuple[dict[str, int], dict[str, dict[str, list[str]]]]:
        """Count numbers-only dates that can only be day-first, only month-first, or any."""
        shown: dict[str, dict[str, list[str]]] = {"day": {}, "month": {}, "any": {}}
        counts = dict.fromkeys(shown, 0)
        for name, parts in numeric.items():
            if parts.empty:
                continue
            first = parts[0].astype(int).to_numpy()
            second = parts[2].astype(int).to_numpy()
            for kind, mask in (
                ("day", (first > 12) & (second <= 12)),
                ("month", (second > 12) & (first <= 12)),
                ("any", np.ones(len(parts), dtype=bool)),
            ):
                counts[kind] += int(mask.sum())
                text = texts[name]
                at = text.index.get_indexer(parts.index[mask][:3])  # labels to positions
                shown[kind][name] = [f"row {self.row(int(p))} {text.iloc[p]!r}" for p in at]
        return counts, shown

    def _decide_order(
        self, names: str, counts: dict[str, int], found: dict[str, dict[str, list[str]]]
    ) -> bool | None:
        """Decide the day/month order from the counts of :meth:`_tally_numeric`, or refuse."""
        shown = {kind: [t for texts in by.values() for t in texts] for kind, by in found.items()}
        if not counts["any"]:
            return self.dayfirst
        settle = (
            "Pass dayfirst=True (5/9/2022 is 5 September 2022), dayfirst=False (9 May 2022, the "
            "US order) or date_format= (e.g. '%m/%d/%Y') to the reader (--dayfirst/--monthfirst "
            "in the command line)"
        )
        if self.dayfirst is not None:
            order = "day" if self.dayfirst else "month"
            self.notes.append(
                f"{self.path.name}: {counts['any']} date(s) in {names} written with numbers only, "
                f"read {order}-first as dayfirst={self.dayfirst} says"
            )
            return self.dayfirst
        if counts["day"] and counts["month"]:
            msg = (
                f"{self.path.name} mixes day-first and month-first dates in {names}: "
                f"{counts['day']} can only be day-first ({', '.join(shown['day'])}) and "
                f"{counts['month']} only month-first ({', '.join(shown['month'])}). The reader "
                f"does not guess which order is meant. {settle}; the dates that do not fit it "
                "are then rejected."
            )
            raise DataFileError(msg)
        if not counts["day"] and not counts["month"]:
            msg = (
                f"{self.path.name} has {counts['any']} date(s) in {names} written with numbers "
                f"only ({', '.join(shown['any'])}), and none of them tells whether the day or the "
                f"month comes first (no number above 12 in either place). The reader does not "
                f"guess. {settle}."
            )
            raise DataFileError(msg)
        order = "day" if counts["day"] else "month"
        example = shown[order][0]
        self.notes.append(
            f"{self.path.name}: {counts['any']} date(s) in {names} written with numbers only, "
            f"read {order}-first: {counts[order]} of them can only be {order}-first ({example}) "
            "and none fits the other order"
        )
        return order == "day"

    def counts(self, name: str) -> pd.Series:
        """Return counts (Int64 >= 0); an empty cell is <NA>, anything else odd a problem."""
        text = self.get(name)
        value = numbers(text)
        empty = blank(text)
        # below 2**63: larger counts do not fit Int64 (and are not counts of people)
        ok = np.isfinite(value) & (value >= 0) & (value == np.round(value)) & (value < 2.0**63)
        self.problems.add(
            ~ok & ~empty, lambda i: f"{name} {text.iloc[i]!r} is not a whole number >= 0"
        )
        return pd.Series(np.where(ok, value, np.nan), index=text.index).astype("Int64")

    def fatalities(self) -> dict[str, pd.Series]:
        """``fatalities_low``, ``fatalities_best`` and ``fatalities_high`` (Int64)."""
        sources = self.format.fatalities
        read = {name: self.counts(name) for name in dict.fromkeys(sources) if name is not None}
        missing = pd.Series(pd.NA, index=self.raw.index, dtype="Int64")
        out = {
            column: read[name] if name is not None else missing.copy()
            for column, name in zip(
                ("fatalities_low", "fatalities_best", "fatalities_high"), sources, strict=True
            )
        }
        out["fatalities_flag"] = _bounds_flag(sources, read, len(self.raw))
        return out

    def country(self) -> tuple[Any, list[Any]]:
        """ISO3 code of each record's country, and the codes the codebook does not map.

        Number codes that are not numbers are problems; letter codes are
        matched case-insensitively.
        """
        name, codebook = self.format.country
        if all(isinstance(key, str) for key in codebook):  # letter codes
            letters = self.get(name)
            iso3 = map_unique(letters, lambda code: codebook.get(code.upper()) if code else None)
            unknown = letters[iso3.isna().to_numpy() & ~blank(letters)]
            return iso3, sorted(set(unknown.unique()))
        numbers = self.codes(name, range(1000), required=False, describe="a number code")
        iso3 = map_codes(numbers, codebook)
        present = {code for code in set(numbers) if code is not None}
        return iso3, sorted(int(code) for code in present if codebook.get(code) is None)

    # ------------------------------------------------------------------ assembly

    def finish(
        self,
        columns: dict[str, Any],
        *,
        ids: pd.Series,
        lon: np.ndarray,
        lat: np.ndarray,
        precision: np.ndarray,
        unmapped: list[Any],
        layout: str,
        keep_raw: bool,
        unlocated: np.ndarray | None = None,
    ) -> EventsRead:
        """Assemble the events and the rejects (or raise, if the table's ``errors`` is 'raise').

        ``columns`` holds the schema columns the reader computed; the ones the
        mapping table names (ids, text columns, precision, evidence, claimant)
        are filled here unless ``columns`` has them, and any other column is
        empty. ``precision`` holds the location precision codes. Where
        ``unlocated`` is true (a place that is a line, not a point), the event
        keeps its point but gets no location precision, radius or admin-1
        unit.

        Every column is cut to the readable records before it is converted to
        its dtype, and the ``raw_*`` columns are the file's own (pyarrow)
        text, taken, not copied cell by cell.
        """
        fmt = self.format
        n = len(self.raw)
        bad = self.problems.bad
        good_rows = np.flatnonzero(~bad)
        bad_rows = np.flatnonzero(bad)
        numbers_in_file = np.arange(n) + self.offset
        reasons = [self.problems.text(int(i)) for i in bad_rows]
        if self.errors == "raise" and bad.any():
            shown = "; ".join(
                f"row {self.row(int(i))} ({ids.iloc[i]!r}): {reason}"
                for i, reason in zip(bad_rows[:_SHOW], reasons, strict=False)
            )
            more = f"; and {len(bad_rows) - _SHOW} more" if len(bad_rows) > _SHOW else ""
            msg = (
                f"{self.path.name}: {len(bad_rows)} of {n} record(s) cannot be read as "
                f"{fmt.dataset} events (rows are 0-based, header excluded): {shown}{more}. "
                "Fix them, or read with errors='collect' to get them in a rejects table."
            )
            raise DataFileError(msg)
        bad_index = pd.Index(numbers_in_file[bad_rows], name="row")
        rejects = pd.DataFrame(
            {
                "source_event_id": str_array(ids.iloc[bad_rows].to_numpy(dtype=object)),
                "reason": str_array(np.asarray(reasons, dtype=object)),
                **{f"raw_{c}": v for c, v in take_rows(self.raw, bad_rows).items()},
            },
            index=bad_index,
        )
        index = pd.Index(numbers_in_file[good_rows], name="row")
        location_precision = np.asarray(map_codes(precision, fmt.precision[1]), dtype=object)
        points, at = _points(lon, lat)
        admin1_iso = _admin1_iso(points, at)
        if unlocated is not None and unlocated.any():
            location_precision[unlocated] = None
            admin1_iso[unlocated] = None
        mapped = {
            "report_id": f"{fmt.id_prefix}:" + ids,
            "source_dataset": fmt.dataset,
            "source_event_id": ids,
            "admin1_iso": admin1_iso,
            **{column: self.text(source) for column, source in fmt.text.items()},
            "evidence": map_unique(columns["event_class"], EVIDENCE_FROM_EVENT_CLASS.get),
            "location_precision": location_precision,
            "location_radius_m": _radius_m(location_precision),
        }
        if fmt.claimant_sources is not None:
            mapped["claimant"] = map_unique(
                self.get(fmt.claimant_sources),
                lambda s: f"{fmt.dataset} (sources: {s})" if s else fmt.dataset,
            )
        columns = {**mapped, **columns}
        self._cache.clear()  # the Python strings of the cells: free them before the columns
        if unlocated is not None and unlocated.any():
            admin1 = columns.get("admin1")
            if admin1 is None:
                admin1 = np.full(n, None, dtype=object)
            elif (arrow := _arrow_of(admin1)) is not None:
                admin1 = arrow.to_numpy(zero_copy_only=False).astype(object)
            else:
                admin1 = np.array(admin1, dtype=object)  # a copy
            admin1[unlocated] = None
            columns["admin1"] = admin1
        every = len(bad_rows) == 0
        texts = {  # pyarrow text columns: taken together, zero-copy where the rows allow
            name: array
            for name, dtype in _DTYPES.items()
            if dtype == "str" and (array := _arrow_of(columns.get(name))) is not None
        }
        texts = {name: str_array(v) for name, v in take_arrays(texts, good_rows).items()}
        frame: dict[str, Any] = {}
        for name, dtype in _DTYPES.items():
            frame[name] = (
                texts[name]
                if name in texts
                else _schema_column(columns.get(name), dtype, good_rows, every=every)
            )
        if keep_raw:
            kept = (
                {c: v.array for c, v in self.raw.items()}
                if every
                else take_rows(self.raw, good_rows)
            )
            frame.update({f"raw_{c}": v for c, v in kept.items()})
        events = gpd.GeoDataFrame(
            pd.DataFrame(frame, index=index),
            geometry=gpd.array.from_shapely(points[at[good_rows]], crs=WGS84),
            crs=WGS84,
        )
        events.attrs["provenance"] = [
            {
                "dataset": fmt.dataset,
                "layout": layout,
                "file": self.path.name,
                "codebook": fmt.codebook,
                "records": n,
                "rejected": int(bad.sum()),
                "unmapped_country_codes": unmapped,
            }
        ]
        events.attrs["notes"] = list(self.notes)
        return EventsRead(events, rejects)
