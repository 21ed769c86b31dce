"""Reading files other people wrote: event exports and strike tables.

One module per format (:mod:`~borderstrikes.io.acled`,
:mod:`~borderstrikes.io.ucdp`, :mod:`~borderstrikes.io.gdelt`), each a
mapping table over one shared recipe (:mod:`~borderstrikes.io.table`) and the
codebooks (:mod:`~borderstrikes.io.codebooks`); every reader returns the event
schema (:mod:`~borderstrikes.io.events`, ``docs/event_schema.md``) with its
rejected rows kept, never dropped. Strike tables are read by
:mod:`~borderstrikes.io.strikes`. Every output file is written through
:mod:`~borderstrikes.io.write` (CSV cells no spreadsheet runs as formulas,
one GeoPackage layer at a time, folders all at once, data credits). This
layer sits above the data layer and below the analyses: nothing here imports
an analysis module.
"""

from __future__ import annotations

from borderstrikes.io.events import (
    EventsRead,
    StrikeSelection,
    read_acled,
    read_gdelt_events,
    read_ucdp_ged,
    select_strike_reports,
)
from borderstrikes.io.strikes import read_strikes
from borderstrikes.io.write import (
    atomic_folder,
    check_output_folder,
    sources_text,
    write_csv,
    write_vector,
)

__all__ = [
    "EventsRead",
    "StrikeSelection",
    "atomic_folder",
    "check_output_folder",
    "read_acled",
    "read_gdelt_events",
    "read_strikes",
    "read_ucdp_ged",
    "select_strike_reports",
    "sources_text",
    "write_csv",
    "write_vector",
]
