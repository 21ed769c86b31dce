"""Reading files other people wrote: event exports and strike tables.

One module per format; every reader returns the event schema
(``docs/event_schema.md``) with its rejected rows kept, never dropped. This
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

__all__ = [
    "EventsRead",
    "StrikeSelection",
    "read_acled",
    "read_gdelt_events",
    "read_strikes",
    "read_ucdp_ged",
    "select_strike_reports",
]
