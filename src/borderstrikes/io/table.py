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
from collections.abc import Callable, Mapping
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
from borderstrikes.errors import DataFileError
from borderstrikes.io.codebooks import EVIDENCE_FROM_EVENT_CLASS
from borderstrikes.io.files import MAX_BYTES, MAX_RATIO, check_errors, check_path, read_csv
from borderstrikes.strikes import PRECISION_RADIUS_M

__all__ = [
    "EVENT_COLUMNS",
    "Errors",
    "EventFormat",
    "EventTable",
    "EventsRead",
    "Problems",
    "as_text",
    "blank",
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
    "evidence": "str", "claimant": "str", "source_outlet": "str", "source_url": "str",
    "location_precision": "str", "location_radius_m": "float64", "coord_source": "str",
    "notes": "str",
})  # fmt: skip

#: Columns of the event schema, in order (``raw_*`` columns and the geometry follow).
EVENT_COLUMNS = tuple(_DTYPES)

_SHOW = 10  # rows named in an error message

# Which columns give away which dataset a file is from (for a hint when columns are missing).
_LOOKS_LIKE = MappingProxyType(
    {
        "read_acled": ("event_id_cnty", "geo_precision"),
        "read_ucdp_ged": ("where_prec", "date_prec"),
        "read_gdelt_events": ("GLOBALEVENTID", "ActionGeo_Type"),
    }
)


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
    return (values == "").to_numpy()


def as_text(values: pd.Series) -> pd.Series:
    """Cells as text, an empty cell being missing."""
    return values.where(values != "", None).astype("str")


def numbers(values: pd.Series) -> np.ndarray:
    """Cells as floats, NaN where empty or not a number."""
    return pd.to_numeric(values.where(values != ""), errors="coerce").to_numpy(dtype=float)


def map_codes(codes: Any, table: Mapping[Any, Any]) -> list[Any]:
    """Look each code up in ``table`` (None for a missing or unknown code)."""
    return [table.get(code) if code is not None else None for code in codes]


def map_unique(values: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``values.map(func)``, calling ``func`` once per distinct value."""
    return values.map({value: func(value) for value in values.unique()})


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
    units = defaults.units(countries=["ARM", "AZE"])
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

    Raises
    ------
    borderstrikes.errors.DataFileError
        If a required column is missing (all of them are named at once).
    """

    def __init__(
        self,
        raw: pd.DataFrame,
        fmt: EventFormat,
        *,
        path: Path,
        errors: Errors = "collect",
        strip: bool = True,
    ) -> None:
        self.raw = raw
        self.format = fmt
        self.path = path
        self.errors = errors
        self.strip = strip
        self.names = {c.lower(): c for c in raw.columns}
        self._require()
        self.problems = Problems(len(raw))

    @classmethod
    def from_csv(
        cls,
        path: Any,
        fmt: EventFormat,
        *,
        encoding: str,
        errors: Errors,
        max_bytes: float = MAX_BYTES,
        max_ratio: float = MAX_RATIO,
    ) -> EventTable:
        """Check ``errors`` and ``path``, then read a comma-separated file with a header row.

        A compressed file (a ``.zip`` holding one such file, gzip, bzip2, xz)
        is read too, expanded under ``max_bytes`` and ``max_ratio``
        (:func:`borderstrikes.io.files.open_data`).
        """
        check_errors(errors)
        path = check_path(path, fmt.what)
        raw = read_csv(
            path, what=fmt.what, encoding=encoding, max_bytes=max_bytes, max_ratio=max_ratio
        )
        return cls(raw, fmt, path=path, errors=errors)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.names

    def get(self, name: str) -> pd.Series:
        """Return the column stripped of surrounding spaces (empty strings if it is absent)."""
        if name.lower() not in self.names:
            return pd.Series("", index=self.raw.index, dtype=object)
        values = self.raw[self.names[name.lower()]].astype(object)
        return values.str.strip() if self.strip else values

    def _require(self) -> None:
        required = self.format.required
        missing = [name for name in required if name not in self]
        if not missing:
            return
        found = list(self.raw.columns)
        shown = ", ".join(found[:15]) + (f" … ({len(found)} in all)" if len(found) > 15 else "")
        msg = (
            f"{self.path.name} is missing the {self.format.dataset} column(s) {missing!r} "
            f"(it has: {shown}). The reader needs {list(required)!r}; column names are matched "
            f"case-insensitively (codebook: {self.format.codebook}).{self._looks_like()}"
        )
        raise DataFileError(msg)

    def _looks_like(self) -> str:
        found = list(self.raw.columns)
        if len(found) == 1 and any(d in found[0] for d in (";", "\t", "|")):
            return (
                " The header is a single column: the file is not comma-separated (re-export it "
                "as CSV, or convert it with pandas.read_csv(path, sep=...).to_csv(...))."
            )
        for reader, names in _LOOKS_LIKE.items():
            if all(name in self for name in names):
                return f" The columns look like another dataset's: try {reader}()."
        return ""

    # ------------------------------------------------------------------ steps

    def ids(self) -> pd.Series:
        """Return the event ids (text); an empty or repeated id is a problem."""
        name = self.format.event_id
        text = self.get(name)
        self.problems.add(blank(text), lambda i: f"{name} is empty")
        duplicate = (text.duplicated() & (text != "")).to_numpy()
        first_row = {value: i for i, value in reversed(list(enumerate(text)))}
        self.problems.add(
            duplicate, lambda i: f"{name} {text.iloc[i]!r} repeats row {first_row[text.iloc[i]]}"
        )
        return text

    def coordinates(self, problems: Problems | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude in degrees; unusable values are problems."""
        problems = self.problems if problems is None else problems
        out = []
        for name, limit in zip(self.format.lonlat, (180, 90), strict=True):
            text = self.get(name)
            value = numbers(text)
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
        return np.array(
            [int(v) if good else None for v, good in zip(value, ok, strict=True)], object
        )

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
        each value is parsed; messages quote the whole value.
        """
        out = []
        for name in self.format.dates:
            text = self.get(name)
            extract = self.format.date_extract
            candidate = text if extract is None else text.str.extract(extract, expand=False)
            candidate = candidate.fillna("")
            parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
            for fmt in self.format.date_formats:
                todo = parsed.isna() & (candidate != "")
                if not todo.any():
                    break
                parsed[todo] = pd.to_datetime(candidate[todo], format=fmt, errors="coerce")
            empty = blank(text)
            self.problems.add(empty, lambda i, name=name: f"{name} is empty")
            self.problems.add(
                parsed.isna().to_numpy() & ~empty,
                lambda i, name=name, text=text: (
                    f"{name} {text.iloc[i]!r} is not a date ({self.format.date_hint})"
                ),
            )
            out.append(parsed.astype("datetime64[us]"))
        return out

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
        return {
            column: read[name] if name is not None else missing.copy()
            for column, name in zip(
                ("fatalities_low", "fatalities_best", "fatalities_high"), sources, strict=True
            )
        }

    def country(self) -> tuple[list[Any], list[Any]]:
        """ISO3 code of each record's country, and the codes the codebook does not map.

        Number codes that are not numbers are problems; letter codes are
        matched case-insensitively.
        """
        name, codebook = self.format.country
        if all(isinstance(key, str) for key in codebook):  # letter codes
            letters = self.get(name)
            iso3 = [codebook.get(code.upper()) for code in letters]
            pairs = zip(letters, iso3, strict=True)
            return iso3, sorted({code for code, v in pairs if code and v is None})
        numbers = self.codes(name, range(1000), required=False, describe="a number code")
        iso3 = map_codes(numbers, codebook)
        pairs = zip(numbers, iso3, strict=True)
        return iso3, sorted({int(code) for code, v in pairs if code is not None and v is None})

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
    ) -> EventsRead:
        """Assemble the events and the rejects (or raise, if the table's ``errors`` is 'raise').

        ``columns`` holds the schema columns the reader computed; the ones the
        mapping table names (ids, text columns, precision, evidence, claimant)
        are filled here unless ``columns`` has them, and any other column is
        empty. ``precision`` holds the location precision codes.
        """
        fmt = self.format
        n = len(self.raw)
        bad = self.problems.bad
        index = pd.RangeIndex(n, name="row")
        raw = self.raw.set_axis(index).add_prefix("raw_").astype("str")
        reasons = [self.problems.text(i) for i in range(n)]
        rejects = pd.concat(
            [
                pd.DataFrame(
                    {"source_event_id": ids.to_numpy(dtype=object), "reason": reasons},
                    index=index,
                ).astype("str"),
                raw,
            ],
            axis=1,
        )[bad]
        if self.errors == "raise" and bad.any():
            rows = np.flatnonzero(bad)
            shown = "; ".join(f"row {i} ({ids.iloc[i]!r}): {reasons[i]}" for i in rows[:_SHOW])
            more = f"; and {len(rows) - _SHOW} more" if len(rows) > _SHOW else ""
            msg = (
                f"{self.path.name}: {len(rows)} of {n} record(s) cannot be read as "
                f"{fmt.dataset} events (rows are 0-based, header excluded): {shown}{more}. "
                "Fix them, or read with errors='collect' to get them in a rejects table."
            )
            raise DataFileError(msg)
        location_precision = map_codes(precision, fmt.precision[1])
        mapped = {
            "report_id": f"{fmt.id_prefix}:" + ids,
            "source_dataset": fmt.dataset,
            "source_event_id": ids,
            "admin1_iso": _admin1_iso(lon, lat),
            **{column: as_text(self.get(source)) for column, source in fmt.text.items()},
            "evidence": columns["event_class"].map(EVIDENCE_FROM_EVENT_CLASS),
            "location_precision": location_precision,
            "location_radius_m": _radius_m(location_precision),
        }
        if fmt.claimant_sources is not None:
            mapped["claimant"] = map_unique(
                self.get(fmt.claimant_sources),
                lambda s: f"{fmt.dataset} (sources: {s})" if s else fmt.dataset,
            )
        columns = {**mapped, **columns}
        frame = pd.DataFrame(index=index)
        for name, dtype in _DTYPES.items():
            value = columns.get(name)
            if isinstance(value, pd.Series):
                value = value.set_axis(index)
            frame[name] = value
            frame[name] = frame[name].astype(dtype)
        if keep_raw:
            frame = pd.concat([frame, raw], axis=1)
        good = ~bad
        events = gpd.GeoDataFrame(
            frame[good], geometry=gpd.points_from_xy(lon[good], lat[good]), crs=WGS84
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
        return EventsRead(events, rejects)
