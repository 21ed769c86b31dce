"""Quantitative territorial claims and what the border's geometry says about them.

:func:`load_claims` reads the shipped, hand-curated table of claims (areas,
depths of advance, fronts) with who made each claim, when and where it was
published; ``data/CLAIMS_SCHEMA.md`` documents it
(:mod:`~borderstrikes.claims.schema`). :func:`check_claims` sets every claim
against the geometry of the border and against the claims it is curated to
relate to, and says whether the figures fit (:mod:`~borderstrikes.claims.check`).

A claim stays a claim: the checks add ``implied_*`` columns next to the
claimed value and a verdict; they never replace the claim with a "true"
figure. *Consistent* means that the geometry and the related claims leave
room for the figure, not that it is right.
"""

from __future__ import annotations

from borderstrikes.claims.check import (
    ABOUT_TOLERANCE,
    PLACE_TOLERANCE_KM,
    VERDICTS,
    check_claims,
)
from borderstrikes.claims.schema import (
    CLAIM_COLUMNS,
    KINDS,
    OPTIONAL_CLAIM_COLUMNS,
    QUALIFIERS,
    UNITS,
    load_claims,
    validate_claims,
)

__all__ = [
    "ABOUT_TOLERANCE",
    "CLAIM_COLUMNS",
    "KINDS",
    "OPTIONAL_CLAIM_COLUMNS",
    "PLACE_TOLERANCE_KM",
    "QUALIFIERS",
    "UNITS",
    "VERDICTS",
    "check_claims",
    "load_claims",
    "validate_claims",
]
