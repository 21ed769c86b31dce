"""Codebooks: the codes of other event datasets, in the project's terms.

Every table that maps a dataset's codes onto the event schema lives here, as
a read-only module constant, so it can be read, tested and cited; the readers
(:mod:`borderstrikes.io.acled`, :mod:`~borderstrikes.io.ucdp`,
:mod:`~borderstrikes.io.gdelt`) only look codes up. ``docs/event_schema.md``
prints each table with its source.

- Vocabulary: :data:`EVENT_CLASSES`, :data:`DATE_PRECISIONS`.
- Event classes: :data:`EVENT_CLASS_FROM_ACLED`, :data:`EVENT_CLASS_FROM_UCDP`,
  :data:`EVENT_CLASS_FROM_CAMEO`, and the evidence each implies,
  :data:`EVIDENCE_FROM_EVENT_CLASS`.
- Location precision: :data:`PRECISION_FROM_ACLED`, :data:`PRECISION_FROM_UCDP`,
  :data:`PRECISION_FROM_GDELT`.
- Date precision: :data:`DATE_PRECISION_FROM_ACLED`, :data:`DATE_PRECISION_FROM_UCDP`.
- Countries: :data:`ISO3_FROM_ISO_NUMERIC`, :data:`ISO3_FROM_GLEDITSCH_WARD`,
  :data:`ISO3_FROM_FIPS`, :data:`ISO2_FROM_ISO3`.
- Layouts and sources: :data:`GDELT_COLUMNS`, :data:`GDELT_LAYOUTS`,
  :data:`VIOLENCE_FROM_UCDP`, :data:`CODEBOOK_URLS`.

Precision codes of other event datasets map onto the project's
``location_precision`` values through :data:`PRECISION_FROM_ACLED` and
:data:`PRECISION_FROM_UCDP` (ACLED codebook ``geo_precision``; UCDP GED
``where_prec``):

======  ==========================================================  ==============
code    meaning in the source                                       precision
======  ==========================================================  ==============
ACLED 1 the named town is known; coded to its coordinates            settlement
ACLED 2 "near" a town or part of a region; coded to the town         area
ACLED 3 only a larger region; coded to a natural feature or          region
        the provincial capital
UCDP 1  exact location: in practice a village or town's coordinates settlement
UCDP 2  limited area around a location                               area
UCDP 3  second-order administrative unit (its centroid)              region
UCDP 4  first-order administrative unit (its centroid)               region
UCDP 5  larger than ADM1, a midpoint between places, or vague        region
UCDP 6  country (its centroid)                                       None
UCDP 7  water or international airspace                              None
======  ==========================================================  ==============

``None`` means the point carries no usable location for a border study.
Mapping codes 3-5 to ``region`` (25 km) understates how coarse an ADM1
centroid is in a large province; an interoperability layer should then use
the unit's polygon instead of a disc.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "CODEBOOK_URLS",
    "DATE_PRECISIONS",
    "DATE_PRECISION_FROM_ACLED",
    "DATE_PRECISION_FROM_UCDP",
    "EVENT_CLASSES",
    "EVENT_CLASS_FROM_ACLED",
    "EVENT_CLASS_FROM_CAMEO",
    "EVENT_CLASS_FROM_UCDP",
    "EVIDENCE_FROM_EVENT_CLASS",
    "GDELT_COLUMNS",
    "GDELT_LAYOUTS",
    "ISO2_FROM_ISO3",
    "ISO3_FROM_FIPS",
    "ISO3_FROM_GLEDITSCH_WARD",
    "ISO3_FROM_ISO_NUMERIC",
    "PRECISION_FROM_ACLED",
    "PRECISION_FROM_GDELT",
    "PRECISION_FROM_UCDP",
    "VIOLENCE_FROM_UCDP",
]

#: Where each dataset's codebook is published (quoted in messages and provenance).
CODEBOOK_URLS = MappingProxyType(
    {
        "ACLED": "https://acleddata.com/knowledge-base/codebook/",
        "UCDP GED": "https://ucdp.uu.se/downloads/",
        "GDELT": "http://data.gdeltproject.org/documentation/GDELT-Event_Codebook-V2.0.pdf",
    }
)

# ---------------------------------------------------------------------------- vocabulary

#: What kind of event a record describes, in the library's own words.
EVENT_CLASSES = (
    "shelling_artillery_missile",
    "air_drone_strike",
    "remote_violence_other",
    "armed_clash",
    "violence_unspecified",
    "other",
)

#: How well the date interval is known, from finest to coarsest.
DATE_PRECISIONS = ("day", "days", "week", "month", "year")

# ---------------------------------------------------------------------------- event classes

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

#: UCDP GED ``type_of_violence`` -> the kind of violence it names (UCDP's words).
VIOLENCE_FROM_UCDP = MappingProxyType({1: "state-based", 2: "non-state", 3: "one-sided"})

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

# ---------------------------------------------------------------------------- precision

#: ACLED ``geo_precision`` code -> ``location_precision`` (see the module docstring).
PRECISION_FROM_ACLED = MappingProxyType({1: "settlement", 2: "area", 3: "region"})

#: UCDP GED ``where_prec`` code -> ``location_precision`` (None: not locatable).
PRECISION_FROM_UCDP = MappingProxyType(
    {1: "settlement", 2: "area", 3: "region", 4: "region", 5: "region", 6: None, 7: None}
)

#: GDELT ``ActionGeo_Type`` -> ``location_precision`` (None: a country centroid).
PRECISION_FROM_GDELT = MappingProxyType(
    {1: None, 2: "region", 3: "settlement", 4: "settlement", 5: "region"}
)

#: ACLED ``time_precision`` -> ``date_precision`` (2: a week or weekend; 3: a month).
DATE_PRECISION_FROM_ACLED = MappingProxyType({1: "day", 2: "week", 3: "month"})

#: UCDP GED ``date_prec`` -> ``date_precision`` (2: an interval of 2-6 days).
DATE_PRECISION_FROM_UCDP = MappingProxyType({1: "day", 2: "days", 3: "week", 4: "month", 5: "year"})

# ---------------------------------------------------------------------------- countries

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

#: ISO 3166-1 alpha-3 -> alpha-2 (the ISO 3166-2 prefix) of the countries with shipped
#: admin-1 units.
ISO2_FROM_ISO3 = MappingProxyType({"ARM": "AM", "AZE": "AZ"})

# ---------------------------------------------------------------------------- GDELT layouts

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

#: The name of each header-less GDELT layout, keyed like :data:`GDELT_COLUMNS`.
GDELT_LAYOUTS = MappingProxyType(
    {
        57: "GDELT 1.0 back file (57 fields)",
        58: "GDELT 1.0 daily (58 fields)",
        61: "GDELT 2.0 (61 fields)",
    }
)
