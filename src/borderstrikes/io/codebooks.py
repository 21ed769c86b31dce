"""Codebooks: the precision codes of other event datasets, in the project's terms.

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

__all__ = ["PRECISION_FROM_ACLED", "PRECISION_FROM_UCDP"]

#: ACLED ``geo_precision`` code -> ``location_precision`` (see the module docstring).
PRECISION_FROM_ACLED = MappingProxyType({1: "settlement", 2: "area", 3: "region"})

#: UCDP GED ``where_prec`` code -> ``location_precision`` (None: not locatable).
PRECISION_FROM_UCDP = MappingProxyType(
    {1: "settlement", 2: "area", 3: "region", 4: "region", 5: "region", 6: None, 7: None}
)
