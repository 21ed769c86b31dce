"""Read ACLED exports (CSV) into the event schema.

:data:`ACLED` is the mapping table: which ACLED column feeds which column of
the event schema, and which codebook of :mod:`borderstrikes.io.codebooks`
translates it. :func:`read_acled` follows the shared recipe of
:mod:`borderstrikes.io.table`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from borderstrikes.io.codebooks import (
    CODEBOOK_URLS,
    DATE_PRECISION_FROM_ACLED,
    EVENT_CLASS_FROM_ACLED,
    ISO3_FROM_ISO_NUMERIC,
    PRECISION_FROM_ACLED,
)
from borderstrikes.io.files import MAX_BYTES, MAX_RATIO
from borderstrikes.io.table import (
    Errors,
    EventFormat,
    EventsRead,
    EventTable,
    as_text,
    blank,
    each_chunk,
    format_unique,
    line_places,
    map_codes,
    map_unique,
    numbers,
    text_array,
)

__all__ = ["ACLED", "read_acled"]

#: How an ACLED export maps onto the event schema.
ACLED = EventFormat(
    dataset="ACLED",
    id_prefix="ACLED",
    what="ACLED CSV",
    codebook=CODEBOOK_URLS["ACLED"],
    required=(
        "event_id_cnty",
        "event_date",
        "time_precision",
        "event_type",
        "sub_event_type",
        "latitude",
        "longitude",
        "geo_precision",
    ),
    event_id="event_id_cnty",
    lonlat=("longitude", "latitude"),
    precision=("geo_precision", PRECISION_FROM_ACLED),
    date_precision=("time_precision", DATE_PRECISION_FROM_ACLED),
    dates=("event_date",),
    date_formats=("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d-%b-%Y"),
    date_hint="expected e.g. 2022-09-13, 13 September 2022 or 13/09/2022",
    country=("iso", ISO3_FROM_ISO_NUMERIC),
    text=MappingProxyType(
        {
            "place": "location",
            "admin1": "admin1",
            "actor1": "actor1",
            "actor2": "actor2",
            "source_outlet": "source",
            "notes": "notes",
        }
    ),
    fatalities=("fatalities", "fatalities", None),  # ACLED's one, most conservative figure
    claimant_sources="source",
    optional=("location", "admin1", "actor1", "actor2", "fatalities", "source", "notes"),
    extra=(
        "iso3",
        "year",
        "data_id",
        "event_id_no_cnty",
        "disorder_type",
        "civilian_targeting",
        "tags",
    ),
)

_EVENT_CLASS = {key.lower(): value for key, value in EVENT_CLASS_FROM_ACLED.items()}


def read_acled(
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
    encoding : str or None, default None
        Text encoding of the file; None: recognised from the file (a UTF-8
        or UTF-16 byte-order mark, UTF-16 without one, UTF-8, else cp1252
        with a :class:`~borderstrikes.errors.BorderstrikesWarning`).
    sep : str or None, default None
        The field separator; None: the one of ``,`` ``;`` tab ``|`` found
        most often in the header line (a spreadsheet saving "CSV" in a
        European locale writes ``;``).
    dayfirst : bool or None, default None
        Whether dates written with numbers only (``5/9/2022``) put the day
        first. None: told from the file (a first number above 12 is a day,
        a second one above 12 makes the dates month-first); a file where no
        date tells, or where dates show both orders, is refused with an
        error naming rows, never read by guess. ``False`` reads US
        ``m/d/yyyy`` dates.
    date_format : str or None, default None
        A ``strftime`` format for every date of the file (e.g.
        ``'%m/%d/%Y'``), instead of the formats below.
    keep_raw : bool, default True
        Keep every column of the file, as text exactly as written, under a
        ``raw_`` prefix.
    max_bytes : int, default borderstrikes.io.files.MAX_BYTES (1 GiB)
        Largest uncompressed size of a compressed file (``.zip``, gzip,
        bzip2, xz); checked before it is expanded and while it is.
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
        ``events``: a GeoDataFrame of points in EPSG:4326 with the columns
        of :data:`~borderstrikes.io.events.EVENT_COLUMNS` (see
        ``docs/event_schema.md``), then the ``raw_*`` columns. Its index,
        named ``row``, is each record's 0-based position among the file's
        data rows; rows keep the file's order. ``rejects``: a DataFrame with
        the same index numbering, ``source_event_id``, ``reason`` and the
        ``raw_*`` columns, holding every record that is not in ``events``.
        ``events.attrs["notes"]`` lists, as sentences, what the reader
        decided about the file as a whole (its encoding and separator if not
        UTF-8 CSV, an HXL row skipped, absent optional columns, the
        day/month order of numbers-only dates ...), for a report's method
        notes.

    Raises
    ------
    borderstrikes.errors.DataFileError
        If the file is missing or is not a CSV; if a compressed file
        exceeds ``max_bytes`` or ``max_ratio``; if required columns are
        missing (all of them are named at once); with ``errors='raise'``, if
        any record cannot be read.
    ValueError
        If ``errors`` is not 'collect' or 'raise', or ``chunksize`` is not a
        whole number >= 1.

    See Also
    --------
    borderstrikes.io.read_ucdp_ged, borderstrikes.io.read_gdelt_events,
    borderstrikes.io.select_strike_reports

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
    ``13-Sep-2022`` or with numbers only (``13/09/2022``, ``9/13/2022``:
    see ``dayfirst``).

    ``fatalities`` is ACLED's one figure, the most conservative of the
    reports: it fills both ``fatalities_low`` and ``fatalities_best``;
    ``fatalities_high`` is empty. Location precision follows
    :data:`borderstrikes.io.codebooks.PRECISION_FROM_ACLED`.

    A file is read as analysts have it: the encoding and separator are
    recognised (``encoding=``, ``sep=`` override them), a coordinate with a
    decimal comma is read, a first row of HXL hashtags (HDX exports) is
    skipped, and an old ACLED layout (before 2019: ``GEO_PRECIS``,
    ``GWNO``, no ``SUB_EVENT_TYPE``) or a file without a header is refused
    with a message naming it. A location that is a line ("Line of
    Contact") keeps its point but gets no location precision, radius or
    admin-1 unit. See ``docs/event_schema.md``.

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

    The same file in chunks of one record (for a file larger than memory):
    each chunk is a pair, and the chunks together are the one read.

    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "acled.csv"
    ...     _ = path.write_text(text, encoding="utf-8")
    ...     chunks = list(read_acled(path, chunksize=1))
    >>> [(c.events.index.tolist(), c.rejects.index.tolist()) for c in chunks]
    [([0], []), ([], [1])]
    """
    options = {
        "encoding": encoding,
        "errors": errors,
        "sep": sep,
        "keep_raw": keep_raw,
        "dayfirst": dayfirst,
        "date_format": date_format,
        "max_bytes": max_bytes,
        "max_ratio": max_ratio,
    }
    if chunksize is not None:
        tables = EventTable.from_csv_chunks(path, ACLED, chunksize=chunksize, **options)
        return each_chunk(tables, _events, keep_raw)
    return _events(EventTable.from_csv(path, ACLED, **options), keep_raw)


def _events(table: EventTable, keep_raw: bool) -> EventsRead:
    """Return the events and rejects of a table read from a ACLED file."""
    ids = table.ids()
    lon, lat = table.coordinates()
    geo_precision = table.location_precision()
    time_precision = table.date_precision()
    (date,) = table.dates()
    _check_year(table, date)
    start, end = _interval(date, time_precision)
    fatalities = table.fatalities()
    iso3, unmapped = table.country()
    alpha3 = table.get("iso3")  # the pre-2023 layout's own alpha-3 code wins where present
    sub_event = table.get("sub_event_type")
    event_class = map_unique(sub_event, lambda s: _EVENT_CLASS.get(s.lower(), "other"))
    columns = {
        "country_iso3": map_unique(alpha3, str.upper).where(
            ~blank(alpha3),
            pd.Series(text_array(np.asarray(iso3, dtype=object)), index=alpha3.index),
        ),
        "date": date,
        "date_start": start,
        "date_end": end,
        "date_precision": map_codes(time_precision, DATE_PRECISION_FROM_ACLED),
        "event_class": event_class,
        "source_event_type": as_text((table.get("event_type") + ": " + sub_event).str.strip(": ")),
        **fatalities,
        "coord_source": format_unique(
            lambda place, code: f"ACLED latitude/longitude of {place!r} (geo_precision {code})",
            table.get("location"),
            geo_precision,
        ),
    }
    on_line = line_places(table.get("location"))
    if on_line.any():
        table.notes.append(
            f"{table.path.name}: {int(on_line.sum())} event(s) whose location is a line (e.g. "
            f"{table.get('location')[on_line].iloc[0]!r}): kept at ACLED's point with no location "
            "precision, radius or admin-1 unit, since no point of a line is the place"
        )
    return table.finish(
        columns,
        ids=ids,
        lon=lon,
        lat=lat,
        precision=geo_precision,
        unmapped=unmapped,
        layout=_layout(table),
        keep_raw=keep_raw,
        unlocated=on_line,
    )


def _check_year(table: EventTable, date: pd.Series) -> None:
    """Report an ``event_date`` outside the ``year`` column's year as a problem."""
    if "year" not in table:
        return
    date_text, year_text = table.get("event_date"), table.get("year")
    year = numbers(year_text)
    wrong = date.notna().to_numpy() & np.isfinite(year) & (date.dt.year.to_numpy() != year)
    table.problems.add(
        wrong, lambda i: f"event_date {date_text.iloc[i]!r} is not in year {year_text.iloc[i]}"
    )


def _interval(date: pd.Series, time_precision: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """First and last day the coded ``date`` stands for (a week: ± 3 days; a month: all of it)."""
    precision = pd.Series(time_precision, index=date.index)
    week = (precision == 2).to_numpy()
    month = (precision == 3).to_numpy()
    start, end = date.copy(), date.copy()
    start[week] = date[week] - pd.Timedelta(days=3)
    end[week] = date[week] + pd.Timedelta(days=3)
    start[month] = date[month].dt.to_period("M").dt.start_time
    end[month] = date[month].dt.to_period("M").dt.end_time.dt.normalize()
    return start, end


def _layout(table: EventTable) -> str:
    """Which of ACLED's two column layouts the file has (its columns added or dropped in 2023)."""
    old = [c for c in ("data_id", "event_id_no_cnty", "iso3") if c in table]
    new = [c for c in ("disorder_type", "civilian_targeting", "tags") if c in table]
    if old and not new:
        return "ACLED before 20 March 2023 (" + ", ".join(old) + ")"
    if new and not old:
        return "ACLED since 20 March 2023 (" + ", ".join(new) + ")"
    return "ACLED (columns of both layouts)" if old else "ACLED (minimal columns)"
