"""Read GDELT 1.0 and 2.0 Event files into the event schema.

:data:`GDELT` is the mapping table: which GDELT field feeds which column of
the event schema, and which codebook of :mod:`borderstrikes.io.codebooks`
translates it. :func:`read_gdelt_events` follows the shared recipe of
:mod:`borderstrikes.io.table`; what is GDELT's own is the header-less,
tab-separated layout, recognised by its number of fields
(:data:`~borderstrikes.io.codebooks.GDELT_COLUMNS`).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from borderstrikes.errors import DataFileError
from borderstrikes.io.codebooks import (
    CODEBOOK_URLS,
    EVENT_CLASS_FROM_CAMEO,
    GDELT_COLUMNS,
    GDELT_LAYOUTS,
    ISO3_FROM_FIPS,
    PRECISION_FROM_GDELT,
)
from borderstrikes.io.files import (
    ARCHIVE_ERRORS,
    MAX_BYTES,
    MAX_RATIO,
    SNIFF_BYTES,
    STREAM_BLOCK_BYTES,
    arrow_chunks,
    check_errors,
    check_limits,
    check_path,
    open_data,
    pa,
    pv,
    read_csv,
    read_csv_chunks,
    sniff_dialect,
    str_array,
)
from borderstrikes.io.table import (
    Errors,
    EventFormat,
    EventsRead,
    EventTable,
    Problems,
    as_text,
    blank,
    check_chunksize,
    check_dates,
    each_chunk,
    format_unique,
    map_unique,
)

__all__ = ["GDELT", "read_gdelt_events"]

#: How a GDELT event file maps onto the event schema (the place is the event's ``ActionGeo``).
GDELT = EventFormat(
    dataset="GDELT",
    id_prefix="GDELT",
    what="GDELT event",
    codebook=CODEBOOK_URLS["GDELT"],
    required=(
        "GLOBALEVENTID",
        "SQLDATE",
        "EventCode",
        "ActionGeo_Type",
        "ActionGeo_Lat",
        "ActionGeo_Long",
    ),
    event_id="GLOBALEVENTID",
    lonlat=("ActionGeo_Long", "ActionGeo_Lat"),
    precision=("ActionGeo_Type", PRECISION_FROM_GDELT),
    date_precision=None,  # SQLDATE is a day
    dates=("SQLDATE",),
    date_formats=("%Y%m%d",),
    date_hint="expected YYYYMMDD",
    country=("ActionGeo_CountryCode", ISO3_FROM_FIPS),
    text=MappingProxyType(
        {"actor1": "Actor1Name", "actor2": "Actor2Name", "source_url": "SOURCEURL"}
    ),
    extra=("ActionGeo_FullName", "ActionGeo_FeatureID"),
)

# The fields read_gdelt_events uses (kept when keep_raw=False).
_USED = frozenset(
    name.lower()
    for name in (
        *GDELT.required, *GDELT.text.values(), *GDELT.extra, GDELT.country[0],
    )
)  # fmt: skip


def read_gdelt_events(
    path: str | Path,
    *,
    errors: Errors = "collect",
    encoding: str | None = None,
    sep: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    keep_raw: bool = True,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
    chunksize: int | None = None,
) -> EventsRead | Iterator[EventsRead]:
    r"""Read a GDELT 1.0 or 2.0 Event file into the library's event schema.

    GDELT event files are tab-separated, have no header and no quoting. The
    layout is recognised by its number of fields per line: 57 (GDELT 1.0
    back file, to March 2013, no ``SOURCEURL``), 58 (GDELT 1.0 daily files)
    or 61 (GDELT 2.0 15-minute files, which add the three ``*_ADM2Code``
    fields); the names are in
    :data:`~borderstrikes.io.codebooks.GDELT_COLUMNS`. An export with a
    header row (e.g. from BigQuery; tab- or comma-separated) is read by
    column name. The location is the event's ``ActionGeo``.

    Parameters
    ----------
    path : str or path-like
        An event file (``*.export.CSV``), or the ``.zip`` GDELT publishes
        it in.
    errors : {'collect', 'raise'}, default 'collect'
        ``'collect'`` puts the records that cannot be read in ``rejects``;
        ``'raise'`` raises :class:`~borderstrikes.errors.DataFileError`
        naming them.
    encoding : str or None, default None
        Text encoding of the file; None: recognised from the file (a
        byte-order mark, UTF-16 without one, UTF-8, else cp1252 with a
        :class:`~borderstrikes.errors.BorderstrikesWarning`).
    sep : str or None, default None
        The field separator; None: a tab for GDELT's own files, and for an
        export with a header the one of ``,`` ``;`` tab ``|`` found most
        often in its header line.
    dayfirst, date_format : optional
        How to read ``SQLDATE`` if a spreadsheet rewrote it with numbers
        only (``13/09/2022``); as for :func:`~borderstrikes.io.read_acled`.
    keep_raw : bool, default True
        Keep every field, as text exactly as written, under a ``raw_``
        prefix (``raw_GLOBALEVENTID`` …).
    max_bytes : int, default borderstrikes.io.files.MAX_BYTES (1 GiB)
        Largest uncompressed size of a compressed file (the ``.zip``, or
        gzip, bzip2, xz); checked before it is expanded and while it is.
    max_ratio : float, default borderstrikes.io.files.MAX_RATIO (100)
        Largest compression ratio of a compressed file (checked once more
        than 1 MiB has come out). Both limits stop a "zip bomb" with a
        :class:`~borderstrikes.errors.DataFileError`; raise them for a file
        you trust.
    chunksize : int or None, default None
        Read the file in chunks of this many records, for a file larger
        than memory: an iterator of :class:`EventsRead` pairs is returned
        instead, one per chunk, each in the schema described below and
        indexed by its records' rows in the file, so that the chunks'
        events (and rejects), concatenated, are the one read's. What
        concerns the file as a whole is decided once, before this returns:
        the encoding and separator, an HXL row, absent columns (warned about
        once), and, from a first pass over only the event id and date
        columns, the day/month order of numbers-only dates (refused here
        if the file does not tell it) and the ids that repeat (a repeat is
        rejected in whichever chunk it falls). Only one chunk is held at a
        time.

    Returns
    -------
    EventsRead
        ``events`` and ``rejects`` as for
        :func:`~borderstrikes.io.read_acled`. For a file without a header,
        ``row + 1`` is the line number.

    Raises
    ------
    borderstrikes.errors.DataFileError
        If the file is missing or empty; if a compressed file exceeds
        ``max_bytes`` or ``max_ratio``; if no line has a supported number
        of fields; if an export with a header lacks required columns (all
        are named at once); with ``errors='raise'``, if any record cannot
        be read.
    ValueError
        If ``errors`` is not 'collect' or 'raise', or ``chunksize`` is not a
        whole number >= 1.

    See Also
    --------
    borderstrikes.io.read_acled, borderstrikes.io.read_ucdp_ged

    Notes
    -----
    A line with another number of fields than the file's layout is a
    reject. So is an event without ``ActionGeo`` coordinates (GDELT leaves
    them empty when it found no place). ``SQLDATE`` (``YYYYMMDD``) is the
    day: ``date``, ``date_start`` and ``date_end`` are all that day.
    ``EventCode`` (CAMEO) gives the event class
    (:data:`~borderstrikes.io.codebooks.EVENT_CLASS_FROM_CAMEO`),
    ``ActionGeo_Type`` the location precision
    (:data:`~borderstrikes.io.codebooks.PRECISION_FROM_GDELT`) and
    ``ActionGeo_CountryCode`` (FIPS 10-4) the country
    (:data:`~borderstrikes.io.codebooks.ISO3_FROM_FIPS`; a code not in the
    table gives None and is listed in ``events.attrs["provenance"]``).
    GDELT records no fatalities. GDELT is coded by machine from news text,
    so its ``evidence`` says what the coder extracted, not what a person
    read.

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
    check_errors(errors)
    check_limits(max_bytes, max_ratio)
    check_dates(dayfirst, date_format)
    check_chunksize(chunksize)
    path = check_path(path, GDELT.what)
    options = (encoding, sep, max_bytes, max_ratio)
    if chunksize is not None:
        first, frames, layout, narrow = _raw_chunks(path, *options, chunksize, keep_raw)
        tables = EventTable.chunked(
            first,
            frames,
            GDELT,
            path=path,
            errors=errors,
            strip=layout.startswith("GDELT with a header"),
            dayfirst=dayfirst,
            date_format=date_format,
            narrow=narrow,
        )
        return each_chunk(tables, lambda table, keep: _events(table, layout, keep), keep_raw)
    raw, layout, width_problems = _raw_table(path, *options, keep_raw=keep_raw)
    raw.attrs["width_problems"] = None if width_problems is None else _Shared(width_problems)
    header = layout.startswith("GDELT with a header")  # header-less fields have no padding
    table = EventTable(
        raw,
        GDELT,
        path=path,
        errors=errors,
        strip=header,
        dayfirst=dayfirst,
        date_format=date_format,
    )
    return _events(table, layout, keep_raw)


def _events(table: EventTable, layout: str, keep_raw: bool) -> EventsRead:
    """Return the events and rejects of a table read from a GDELT file."""
    width_problems = table.raw.attrs.get("width_problems")
    if width_problems is not None:
        width_problems = width_problems[len(width_problems) - len(table.raw) :]  # an HXL row
        table.problems.add([bool(p) for p in width_problems], lambda i: width_problems[i])
    ids = table.ids()
    lon, lat, geo_type = _locate(table)
    (date,) = table.dates()
    code = table.get("EventCode")
    not_cameo = ~code.str.fullmatch(r"\d{2,4}").to_numpy(dtype=bool)
    table.problems.add(not_cameo, lambda i: f"EventCode {code.iloc[i]!r} is not a CAMEO code")
    event_class = map_unique(code, _cameo_class)
    fatalities = table.fatalities()
    iso3, unmapped = table.country()
    full_name = table.get("ActionGeo_FullName")
    outlet = map_unique(table.get("SOURCEURL"), _host)
    columns = {
        "place": as_text(map_unique(full_name, _place)),
        "admin1": _admin1(full_name, geo_type),
        "country_iso3": iso3,
        "date": date,
        "date_start": date,
        "date_end": date,
        "date_precision": "day",
        "event_class": event_class,
        "source_event_type": "CAMEO " + code,
        **fatalities,
        "claimant": map_unique(outlet, _claimant),
        "source_outlet": outlet,
        "coord_source": format_unique(
            lambda name, kind, fid: (
                f"GDELT ActionGeo_Lat/ActionGeo_Long of {name!r} (ActionGeo_Type {kind}"
                + (f", FeatureID {fid}" if fid else "")
                + ")"
            ),
            full_name,
            geo_type,
            table.get("ActionGeo_FeatureID"),
        ),
    }
    return table.finish(
        columns,
        ids=ids,
        lon=lon,
        lat=lat,
        precision=geo_type,
        unmapped=unmapped,
        layout=layout,
        keep_raw=keep_raw,
    )


# ---------------------------------------------------------------------------- the layout


class _Shared(list):
    """A list kept in ``DataFrame.attrs`` that pandas does not copy with each derived frame."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Shared:
        return self


def _read_lines(path: Path, encoding: str, max_bytes: float, max_ratio: float) -> list[str]:
    return list(_lines(path, encoding, max_bytes, max_ratio))


def _lines(path: Path, encoding: str, max_bytes: float, max_ratio: float) -> Iterator[str]:
    """Yield the lines that are not blank, decoded, without their line ends (streamed)."""
    try:
        with (
            open_data(path, what=GDELT.what, max_bytes=max_bytes, max_ratio=max_ratio) as data,
            io.TextIOWrapper(data, encoding=encoding, newline="\n") as text,
        ):
            first = True
            for line in text:
                if line.endswith("\n"):
                    line = line[:-2] if line.endswith("\r\n") else line[:-1]
                if first:
                    line, first = line.lstrip("\ufeff"), False
                if line.strip("\r"):
                    yield line
    except DataFileError:
        raise
    except (UnicodeDecodeError, *ARCHIVE_ERRORS) as exc:
        msg = (
            f"cannot read {path.name} as text ({encoding}): {exc!r}. Pass encoding= (e.g. "
            "'cp1252' or 'utf-16') if the file was saved in another encoding."
        )
        raise DataFileError(msg) from exc


class _Layout(NamedTuple):
    """How a GDELT file is laid out, told from its first line."""

    encoding: str
    delimiter: str
    first: str
    header: bool


def _layout(
    path: Path, encoding: str | None, sep: str | None, max_bytes: float, max_ratio: float
) -> _Layout:
    """Recognise the encoding, the separator and whether the first line is a header."""
    try:
        dialect = sniff_dialect(
            path,
            what=GDELT.what,
            encoding=encoding,
            sep=sep or "\t",
            quoting=csv.QUOTE_NONE,
            max_bytes=max_bytes,
            max_ratio=max_ratio,
        )
        encoding = dialect.encoding
        with open_data(path, what=GDELT.what, max_bytes=max_bytes, max_ratio=max_ratio) as data:
            head = data.read(SNIFF_BYTES)
        first = head.decode(encoding, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    except DataFileError:
        raise
    except (LookupError, *ARCHIVE_ERRORS) as exc:
        msg = f"cannot read {path.name}: a damaged compressed file or unknown encoding ({exc!r})."
        raise DataFileError(msg) from exc
    if not first.strip() and not any(True for _ in _lines(path, encoding, max_bytes, max_ratio)):
        msg = f"{path.name} is empty; expected GDELT event records."
        raise DataFileError(msg)
    delimiter = sep or ("\t" if "\t" in first else ",")
    header = first.split(delimiter)[0].strip().strip('"').upper() == "GLOBALEVENTID"
    return _Layout(encoding, delimiter if header else (sep or "\t"), first, header)


def _header_options(layout: _Layout, sep: str | None) -> dict[str, Any]:
    """How :func:`~borderstrikes.io.files.read_csv` reads an export with a header row."""
    return {
        "encoding": layout.encoding,
        "sep": None if sep is None and layout.delimiter == "," else layout.delimiter,
        "quoting": csv.QUOTE_NONE if layout.delimiter == "\t" else csv.QUOTE_MINIMAL,
    }


def _raw_table(
    path: Path,
    encoding: str | None,
    sep: str | None,
    max_bytes: float,
    max_ratio: float,
    *,
    keep_raw: bool = True,
) -> tuple[pd.DataFrame, str, list[str] | None]:
    """Return the raw table, its layout and, per row, a field-count problem ("" or None: none)."""
    layout = _layout(path, encoding, sep, max_bytes, max_ratio)
    limits = {"max_bytes": max_bytes, "max_ratio": max_ratio}
    if layout.header:
        table = read_csv(path, what=GDELT.what, **_header_options(layout, sep), **limits)
        found = f"GDELT with a header row ({len(table.columns)} columns)"
        if not keep_raw:
            table = table[[c for c in table.columns if c.lower() in _USED]]
        return table, found, None
    fast = _read_fixed_width(
        path,
        layout.encoding,
        layout.delimiter,
        max_bytes,
        max_ratio,
        first=layout.first,
        keep_raw=keep_raw,
    )
    if fast is not None:
        return fast
    table, found, problems = _read_ragged(
        path, layout.encoding, layout.delimiter, max_bytes, max_ratio
    )
    if not keep_raw:
        table = table[[c for c in table.columns if c.lower() in _USED]]
    return table, found, problems


def _fixed_options(encoding: str, delimiter: str, names: list[str], keep_raw: bool) -> dict:
    """Pyarrow's options for a header-less GDELT file of the fields ``names``."""
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig", "utf8")
    return {
        "read_options": pv.ReadOptions(
            column_names=names,
            encoding="utf8" if utf8 else encoding,
            block_size=1 << 22,  # fewer chunks: filtering them is cheaper
        ),
        "parse_options": pv.ParseOptions(delimiter=delimiter, quote_char=False),
        "convert_options": pv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.large_string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            include_columns=[n for n in names if keep_raw or n.lower() in _USED],
        ),
    }


def _arrow_frame(arrow: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {name: str_array(arrow.column(i)) for i, name in enumerate(arrow.column_names)},
        index=pd.RangeIndex(arrow.num_rows),
    )


def _read_fixed_width(
    path: Path,
    encoding: str,
    delimiter: str,
    max_bytes: float,
    max_ratio: float,
    first: str | None = None,
    *,
    keep_raw: bool = True,
) -> tuple[pd.DataFrame, str, None] | None:
    """Parse the file with pyarrow if every line has the first line's number of fields.

    The width is the first line's (``first``, read from the file if None);
    pyarrow, told the names, refuses a line of any other width, and then
    (or for a width GDELT does not use) None is returned and
    :func:`_read_ragged` reads the file line by line, rejecting the odd lines.
    Without ``keep_raw``, only the fields the reader uses are kept.
    """
    if pv is None or len(delimiter) != 1:  # pragma: no cover - pyarrow is installed
        return None
    if first is None:
        with open_data(path, what=GDELT.what, max_bytes=max_bytes, max_ratio=max_ratio) as data:
            head = data.read(SNIFF_BYTES)
        first = head.decode(encoding, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    width = first.rstrip("\r").count(delimiter) + 1
    if width not in GDELT_COLUMNS:
        return None
    names = list(GDELT_COLUMNS[width])
    limits = {"max_bytes": max_bytes, "max_ratio": max_ratio}
    try:
        with open_data(path, what=GDELT.what, **limits, arrow=True) as data:
            arrow = pv.read_csv(data, **_fixed_options(encoding, delimiter, names, keep_raw))
    except (pa.ArrowInvalid, UnicodeDecodeError):  # a line of another width, or bad text
        return None
    return _arrow_frame(arrow), GDELT_LAYOUTS[width], None


def _ragged_width(counts: Counter[int], path: Path, first: int, delimiter: str) -> int:
    """Return the width most lines have among the supported ones (the fewest on a tie)."""
    supported = {w: n for w, n in counts.items() if w in GDELT_COLUMNS}
    if not supported:
        name = "tab" if delimiter == "\t" else repr(delimiter)
        msg = (
            f"{path.name} has {first} {name}-separated field(s) on its first line; GDELT "
            "event files have 57 (1.0 back file), 58 (1.0 daily) or 61 (2.0) fields per line "
            f"and no header. Is it a Mentions or GKG file, or not tab-separated? "
            f"(codebook: {GDELT.codebook})"
        )
        raise DataFileError(msg)
    return min(supported, key=lambda w: (-supported[w], w))


def _ragged_frame(lines: list[str], delimiter: str, width: int) -> tuple[pd.DataFrame, list[str]]:
    """Lines cut into ``width`` fields; per line, a problem if it has another number."""
    problems = []
    rows = []
    for line in lines:
        row = line.split(delimiter)
        if len(row) == width:
            problems.append("")
        else:
            problems.append(
                f"has {len(row)} tab-separated fields; this file's layout "
                f"({GDELT_LAYOUTS[width]}) has {width}"
            )
            row = (
                [*row[: width - 1], "\t".join(row[width - 1 :])]
                if len(row) > width
                else (row + [""] * (width - len(row)))
            )
        rows.append(row)
    columns = list(GDELT_COLUMNS[width])
    return pd.DataFrame(rows, columns=columns, dtype=object), problems


def _read_ragged(
    path: Path, encoding: str, delimiter: str, max_bytes: float, max_ratio: float
) -> tuple[pd.DataFrame, str, list[str]]:
    """Parse a file whose lines have different numbers of fields, line by line."""
    lines = _read_lines(path, encoding, max_bytes, max_ratio)
    if not lines:
        msg = f"{path.name} is empty; expected GDELT event records."
        raise DataFileError(msg)
    counts = Counter(line.count(delimiter) + 1 for line in lines)
    width = _ragged_width(counts, path, lines[0].count(delimiter) + 1, delimiter)
    table, problems = _ragged_frame(lines, delimiter, width)
    return table, GDELT_LAYOUTS[width], problems


# ---------------------------------------------------------------------------- chunks


def _raw_chunks(
    path: Path,
    encoding: str | None,
    sep: str | None,
    max_bytes: float,
    max_ratio: float,
    chunksize: int,
    keep_raw: bool,
) -> tuple[pd.DataFrame, Iterator[pd.DataFrame], str, Callable[[frozenset[str]], pd.DataFrame]]:
    """Return the first raw frame, the others (an iterator), the layout and a narrow reader.

    The layout is told from the whole file: a header-less file is streamed
    by pyarrow if a first pass over its id and date fields finds every line
    of the first line's width, else line by line with the width most lines
    have (each other line a reject), as in one read.
    """
    layout = _layout(path, encoding, sep, max_bytes, max_ratio)
    limits = {"max_bytes": max_bytes, "max_ratio": max_ratio}
    if layout.header:
        options = _header_options(layout, sep)
        columns = None if keep_raw else (lambda name: name.lower() in _USED)
        frames = read_csv_chunks(
            path, what=GDELT.what, chunksize=chunksize, columns=columns, **options, **limits
        )
        first = next(frames)
        with open_data(path, what=GDELT.what, **limits) as data:  # the header's width
            head = data.read(SNIFF_BYTES).decode(layout.encoding, errors="replace")
        dialect = first.attrs["dialect"]
        found = f"GDELT with a header row ({_header_width(head, dialect)} columns)"

        def narrow(names: frozenset[str]) -> Iterator[pd.DataFrame]:
            return read_csv_chunks(  # streamed, in pieces: only these columns are read
                path,
                what=GDELT.what,
                chunksize=100_000,
                columns=lambda name: name.lower() in names,
                **options,
                **limits,
            )

        return first, frames, found, narrow
    width = layout.first.rstrip("\r").count(layout.delimiter) + 1
    if width in GDELT_COLUMNS and pv is not None and len(layout.delimiter) == 1:
        names = list(GDELT_COLUMNS[width])
        options = _fixed_options(layout.encoding, layout.delimiter, names, keep_raw)
        scan = _fixed_options(layout.encoding, layout.delimiter, names, False)
        scan["convert_options"].include_columns = ["GLOBALEVENTID", "SQLDATE"]
        scan["read_options"].block_size = STREAM_BLOCK_BYTES  # streamed: these two held
        try:
            with open_data(path, what=GDELT.what, **limits, arrow=True) as data:
                ids_dates = _arrow_frame(pv.open_csv(data, **scan).read_all())
        except (pa.ArrowInvalid, UnicodeDecodeError):  # a line of another width, or bad text
            ids_dates = None
        if ids_dates is not None:
            frames = _fixed_chunks(path, options, chunksize, limits)
            return next(frames), frames, GDELT_LAYOUTS[width], lambda names: ids_dates
    return _ragged_chunks(path, layout, chunksize, keep_raw, limits)


def _header_width(head: str, dialect: Any) -> int:
    """Return the number of fields of the first line of ``head``, split as ``dialect`` says."""
    reader = csv.reader(
        io.StringIO(head, newline=""),
        delimiter=dialect.sep,
        quotechar=dialect.quotechar or '"',
        quoting=csv.QUOTE_NONE if dialect.quotechar is None else csv.QUOTE_MINIMAL,
    )
    return len(next(reader, []))


def _fixed_chunks(
    path: Path, options: dict[str, Any], chunksize: int, limits: dict[str, float]
) -> Iterator[pd.DataFrame]:
    options["read_options"].block_size = STREAM_BLOCK_BYTES  # what the stream reads ahead
    with open_data(path, what=GDELT.what, **limits, arrow=True) as data:
        stream = pv.open_csv(data, **options)
        yielded = False
        for arrow in arrow_chunks(stream, chunksize):
            yielded = True
            yield _arrow_frame(arrow)
        if not yielded:
            yield _arrow_frame(stream.schema.empty_table())


def _ragged_chunks(
    path: Path, layout: _Layout, chunksize: int, keep_raw: bool, limits: dict[str, float]
) -> tuple[pd.DataFrame, Iterator[pd.DataFrame], str, Callable[[frozenset[str]], pd.DataFrame]]:
    """Read a file whose lines have different numbers of fields in chunks of lines."""
    delimiter = layout.delimiter
    counts: Counter[int] = Counter()
    ids: list[Any] = []
    dates: list[Any] = []
    held: tuple[list[str], list[str]] = ([], [])
    first_width = None

    def flush() -> None:
        ids.append(pa.array(held[0], pa.large_string()))
        dates.append(pa.array(held[1], pa.large_string()))
        held[0].clear()
        held[1].clear()

    for line in _lines(path, layout.encoding, **limits):  # the first pass: widths, ids, dates
        fields = line.split(delimiter, 2)
        n = line.count(delimiter) + 1
        first_width = n if first_width is None else first_width
        counts[n] += 1
        held[0].append(fields[0])
        held[1].append(fields[1] if len(fields) > 1 else "")
        if len(held[0]) >= 1 << 16:
            flush()
    flush()
    if first_width is None:
        msg = f"{path.name} is empty; expected GDELT event records."
        raise DataFileError(msg)
    width = _ragged_width(counts, path, first_width, delimiter)
    ids_dates = pd.DataFrame(
        {
            "GLOBALEVENTID": str_array(pa.chunked_array(ids, pa.large_string())),
            "SQLDATE": str_array(pa.chunked_array(dates, pa.large_string())),
        }
    )

    def frames() -> Iterator[pd.DataFrame]:
        lines: list[str] = []
        for line in _lines(path, layout.encoding, **limits):
            lines.append(line)
            if len(lines) == chunksize:
                yield frame(lines)
                lines = []
        if lines:
            yield frame(lines)

    def frame(lines: list[str]) -> pd.DataFrame:
        table, problems = _ragged_frame(lines, delimiter, width)
        if not keep_raw:
            table = table[[c for c in table.columns if c.lower() in _USED]]
        table.attrs["width_problems"] = _Shared(problems)
        return table

    stream = frames()
    return next(stream), stream, GDELT_LAYOUTS[width], lambda names: ids_dates


# ---------------------------------------------------------------------------- the fields


def _locate(table: EventTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitude, latitude and ``ActionGeo_Type`` of each event's ``ActionGeo``.

    An event without an ``ActionGeo`` (GDELT found no place) has that one
    problem, not one for each empty field.
    """
    no_place = (
        table.get("ActionGeo_Type").isin(["", "0"]) & blank(table.get("ActionGeo_Lat"))
    ).to_numpy()
    table.problems.add(no_place, lambda i: "no ActionGeo location (GDELT found no place)")
    located = Problems(len(no_place))
    lon, lat = table.coordinates(located)
    geo_type = table.location_precision(located)
    table.problems.extend(located, skip=no_place)
    return lon, lat, geo_type


def _cameo_class(code: str) -> str:
    return EVENT_CLASS_FROM_CAMEO.get(code) or EVENT_CLASS_FROM_CAMEO.get(code[:3]) or "other"


def _place(full_name: str) -> str:
    """Return the first part of ``ActionGeo_FullName``, without GDELT's ``*`` marks."""
    return full_name.split(",")[0].strip().rstrip("*").strip()


def _admin1(full_names: pd.Series, geo_types: np.ndarray) -> Any:
    """ADM1 name out of ``ActionGeo_FullName`` ("City, ADM1, Country" or "ADM1, Country").

    GDELT marks some ADM1 names with a trailing ``*`` ("Yerevan*"); the mark
    is not part of the name and is dropped.
    """

    def admin1(name: str | None, kind: Any) -> str | None:
        parts = [p.strip().rstrip("*").strip() for p in name.split(",")] if name else []
        if kind in (3, 4) and len(parts) >= 3:
            return parts[-2] or None
        if kind in (2, 5) and len(parts) >= 2:
            return parts[0] or None
        return None

    return format_unique(admin1, full_names, geo_types)


def _host(url: str) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # e.g. "Invalid IPv6 URL": a malformed URL names no host
        return None
    return host.removeprefix("www.") or None


def _claimant(host: str | None) -> str:
    return f"GDELT (machine-coded from {host})" if host else "GDELT (machine-coded)"
