"""The event schema: what the ACLED, UCDP GED and GDELT readers return, and strike selection.

Each reader returns an :class:`EventsRead` pair: the events as a
GeoDataFrame of points in EPSG:4326, and the rows it could not read, each
with its reasons. Nothing is dropped silently: a record is either an event or
a reject. The event columns (:data:`EVENT_COLUMNS`) include every column of
the strike-report schema (:data:`borderstrikes.strikes.REQUIRED_COLUMNS`), so
the events go into the same analysis functions as the packaged reports, once
:func:`select_strike_reports` has kept those that are strike reports. The
schema, and every table that maps a dataset's codes onto it, is documented in
``docs/event_schema.md``.

Where the code lives (this module re-exports the public names, so
``from borderstrikes.io.events import read_acled`` keeps working):

- one module per format, each a mapping table and a reader:
  :mod:`borderstrikes.io.acled` (:func:`read_acled`),
  :mod:`borderstrikes.io.ucdp` (:func:`read_ucdp_ged`),
  :mod:`borderstrikes.io.gdelt` (:func:`read_gdelt_events`);
- the recipe they share, with :data:`EVENT_COLUMNS` and :class:`EventsRead`:
  :mod:`borderstrikes.io.table`;
- the mapping tables, as module constants that can be read, tested and cited:
  :mod:`borderstrikes.io.codebooks` (:data:`EVENT_CLASS_FROM_ACLED`,
  :data:`EVENT_CLASS_FROM_UCDP`, :data:`EVENT_CLASS_FROM_CAMEO`,
  :data:`EVIDENCE_FROM_EVENT_CLASS`, :data:`PRECISION_FROM_GDELT`,
  :data:`~borderstrikes.io.codebooks.PRECISION_FROM_ACLED`,
  :data:`~borderstrikes.io.codebooks.PRECISION_FROM_UCDP`,
  :data:`ISO3_FROM_FIPS`, :data:`ISO3_FROM_ISO_NUMERIC`,
  :data:`ISO3_FROM_GLEDITSCH_WARD`, :data:`GDELT_COLUMNS` ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from borderstrikes.errors import DataFileError
from borderstrikes.io.acled import read_acled
from borderstrikes.io.codebooks import (
    DATE_PRECISIONS,
    EVENT_CLASS_FROM_ACLED,
    EVENT_CLASS_FROM_CAMEO,
    EVENT_CLASS_FROM_UCDP,
    EVENT_CLASSES,
    EVIDENCE_FROM_EVENT_CLASS,
    GDELT_COLUMNS,
    ISO2_FROM_ISO3,
    ISO3_FROM_FIPS,
    ISO3_FROM_GLEDITSCH_WARD,
    ISO3_FROM_ISO_NUMERIC,
    PRECISION_FROM_GDELT,
)
from borderstrikes.io.gdelt import read_gdelt_events
from borderstrikes.io.table import EVENT_COLUMNS, EventsRead
from borderstrikes.io.ucdp import read_ucdp_ged

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


class StrikeSelection(NamedTuple):
    """What :func:`select_strike_reports` returns: the reports, and the rows left out."""

    #: The events usable as strike reports (GeoDataFrame, index preserved).
    strikes: gpd.GeoDataFrame
    #: The events left out (DataFrame, index preserved), with ``report_id`` and ``reason``.
    left_out: pd.DataFrame


def select_strike_reports(
    events: gpd.GeoDataFrame, *, countries: Sequence[str] = ("ARM",)
) -> StrikeSelection:
    """Split read events into those usable as strike reports in ``countries`` and the rest.

    :func:`borderstrikes.validate_strikes` (and so
    :func:`borderstrikes.report.write_report`) accepts only reports of
    strikes located in an Armenian marz. An event is kept if it has an
    ``evidence`` (its event class is a strike or fighting, see
    :data:`EVIDENCE_FROM_EVENT_CLASS`), a ``location_precision`` (not a
    country centroid, open water or a line) and an ``admin1_iso`` of one of
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
    prefixes = tuple(f"{ISO2_FROM_ISO3.get(c, c)}-" for c in countries)
    outside = ~iso.fillna("").astype(str).str.startswith(prefixes).to_numpy()
    for mask, reason in (
        (no_evidence, lambda i: "evidence is empty (the dataset codes no strike or fighting)"),
        (
            no_precision & ~no_evidence,
            lambda i: "location_precision is empty (a country centroid, open water or a line)",
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
