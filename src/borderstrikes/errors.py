"""Exceptions and warnings raised by borderstrikes.

Every error subclasses a built-in (``ValueError`` or ``TypeError``) so that a
caller's generic ``except ValueError`` keeps working, and every message says
what is wrong and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "BasemapError",
    "BorderstrikesError",
    "BorderstrikesWarning",
    "CRSError",
    "DataFileError",
    "GeometryError",
    "PlaceNotFoundError",
    "StrikesValidationError",
    "UnknownCountryError",
]


class BorderstrikesError(Exception):
    """Base class of every error raised by borderstrikes."""


class CRSError(BorderstrikesError, ValueError):
    """A coordinate reference system is missing, or two inputs disagree on it."""


class GeometryError(BorderstrikesError, TypeError):
    """A geometry has a type or state the function cannot measure."""


class StrikesValidationError(BorderstrikesError, ValueError):
    """A table of strike reports breaks the documented schema."""


class PlaceNotFoundError(BorderstrikesError, ValueError):
    """A place name could not be resolved by the gazetteer."""


class UnknownCountryError(BorderstrikesError, ValueError):
    """A country code is not among the shipped boundaries."""


class DataFileError(BorderstrikesError, ValueError):
    """A data file is missing, malformed or does not match its registry entry."""


class BasemapError(BorderstrikesError, ConnectionError):
    """Web tiles for a basemap could not be fetched (``basemap="tiles"``)."""


class BorderstrikesWarning(UserWarning):
    """Warning emitted by borderstrikes (always with ``stacklevel=2``)."""
