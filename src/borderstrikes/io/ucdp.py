"""Read the UCDP Georeferenced Event Dataset (GED, CSV) into the event schema.

:data:`UCDP_GED` is the mapping table: which GED column feeds which column of
the event schema, and which codebook of :mod:`borderstrikes.io.codebooks`
translates it. :func:`read_ucdp_ged` follows the shared recipe of
:mod:`borderstrikes.io.table`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from borderstrikes.io.codebooks import (
    CODEBOOK_URLS,
    DATE_PRECISION_FROM_UCDP,
    EVENT_CLASS_FROM_UCDP,
    ISO3_FROM_GLEDITSCH_WARD,
    PRECISION_FROM_UCDP,
    VIOLENCE_FROM_UCDP,
)
from borderstrikes.io.files import MAX_BYTES, MAX_RATIO
from borderstrikes.io.table import (
    Errors,
    EventFormat,
    EventsRead,
    EventTable,
    each_chunk,
    format_unique,
    line_places,
    map_codes,
)

__all__ = ["UCDP_GED", "read_ucdp_ged"]

#: How a UCDP GED file maps onto the event schema.
UCDP_GED = EventFormat(
    dataset="UCDP GED",
    id_prefix="UCDP",
    what="UCDP GED CSV",
    codebook=CODEBOOK_URLS["UCDP GED"],
    required=(
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
    ),
    event_id="id",
    lonlat=("longitude", "latitude"),
    precision=("where_prec", PRECISION_FROM_UCDP),
    date_precision=("date_prec", DATE_PRECISION_FROM_UCDP),
    dates=("date_start", "date_end"),
    date_formats=("%Y-%m-%d",),
    date_hint="expected YYYY-MM-DD",
    date_extract=re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})(?:[ T][0-9:.]*)?$"),  # no time
    country=("country_id", ISO3_FROM_GLEDITSCH_WARD),
    text=MappingProxyType(
        {
            "place": "where_coordinates",
            "admin1": "adm_1",
            "actor1": "side_a",
            "actor2": "side_b",
            "source_outlet": "source_office",
            "notes": "source_headline",
        }
    ),
    fatalities=("low", "best", "high"),
    claimant_sources="source_office",
    optional=(
        "where_coordinates",
        "adm_1",
        "side_a",
        "side_b",
        "source_office",
        "source_headline",
        "country_id",
    ),
    extra=("where_description",),
)


def read_ucdp_ged(
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
        ``events`` and ``rejects`` as for
        :func:`~borderstrikes.io.read_acled`.

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
    borderstrikes.io.read_acled, borderstrikes.io.read_gdelt_events

    Notes
    -----
    Required columns: ``id``, ``type_of_violence``, ``where_prec``,
    ``latitude``, ``longitude``, ``date_prec``, ``date_start``,
    ``date_end``, ``best``, ``low`` and ``high``.

    ``date_start`` and ``date_end`` (``YYYY-MM-DD``, optionally followed by
    a time, which is ignored) are the interval; ``date`` is its middle day
    (rounded down). ``low``/``best``/``high`` fill the three fatality
    columns. Location precision follows
    :data:`borderstrikes.io.codebooks.PRECISION_FROM_UCDP`: ``where_prec`` 6
    (country) and 7 (water or airspace) give no precision and no radius.
    ``country_iso3`` comes from ``country_id``, a Gleditsch–Ward number
    (:data:`~borderstrikes.io.codebooks.ISO3_FROM_GLEDITSCH_WARD`).

    A record whose ``low`` > ``best`` or ``best`` > ``high`` is kept as
    published and flagged in ``fatalities_flag`` (``'low 3 > best 2'``),
    not rejected: its place and date are sound, and GED publishes such
    records. An event placed on a line (``where_coordinates`` or
    ``where_description`` naming the "Line of Contact", a front or a
    ceasefire line) keeps UCDP's point but gets no location precision,
    radius or admin-1 unit. Both are counted in ``events.attrs["notes"]``.

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
        tables = EventTable.from_csv_chunks(path, UCDP_GED, chunksize=chunksize, **options)
        return each_chunk(tables, _events, keep_raw)
    return _events(EventTable.from_csv(path, UCDP_GED, **options), keep_raw)


def _events(table: EventTable, keep_raw: bool) -> EventsRead:
    """Return the events and rejects of a table read from a UCDP GED file."""
    ids = table.ids()
    lon, lat = table.coordinates()
    where_prec = table.location_precision()
    date_prec = table.date_precision()
    violence = table.codes("type_of_violence", VIOLENCE_FROM_UCDP)
    start, end = table.dates()
    table.problems.add(
        (end < start).to_numpy(),
        lambda i: f"date_end {end.iloc[i].date()} is before date_start {start.iloc[i].date()}",
    )
    fatalities = table.fatalities()
    iso3, unmapped = table.country()
    description = table.get("where_description")
    columns = {
        "country_iso3": iso3,
        "date": start + pd.to_timedelta((end - start).dt.days // 2, unit="D"),  # the middle
        "date_start": start,
        "date_end": end,
        "date_precision": map_codes(date_prec, DATE_PRECISION_FROM_UCDP),
        "event_class": pd.Series(map_codes(violence, EVENT_CLASS_FROM_UCDP), index=table.raw.index),
        "source_event_type": format_unique(
            lambda v: f"type_of_violence {v} ({VIOLENCE_FROM_UCDP[v]})" if v is not None else None,
            violence,
        ),
        **fatalities,
        "coord_source": format_unique(
            lambda p, code, d: (
                f"UCDP GED latitude/longitude of {p!r} (where_prec {code})"
                + (f"; where_description {d!r}" if d else "")
            ),
            table.get("where_coordinates"),
            where_prec,
            description,
        ),
    }
    flagged = fatalities["fatalities_flag"]
    flagged_rows = [table.row(int(i)) for i in np.flatnonzero(pd.notna(flagged))]
    if flagged_rows:
        table.notes.append(
            f"{table.path.name}: {len(flagged_rows)} record(s) with low > best or best > high "
            f"(rows {flagged_rows[:10]}{' ...' if len(flagged_rows) > 10 else ''}): kept as "
            "published and flagged in fatalities_flag"
        )
    on_line = line_places(table.get("where_coordinates"), description)
    if on_line.any():
        place = table.get("where_coordinates")[on_line].iloc[0]
        table.notes.append(
            f"{table.path.name}: {int(on_line.sum())} event(s) placed on a line (e.g. {place!r}): "
            "kept at UCDP's point with no location precision, radius or admin-1 unit, since no "
            "point of a line is the place"
        )
    return table.finish(
        columns,
        ids=ids,
        lon=lon,
        lat=lat,
        precision=where_prec,
        unmapped=unmapped,
        layout="UCDP GED CSV",
        keep_raw=keep_raw,
        unlocated=on_line,
    )
