"""The claims table: its schema, :func:`validate_claims` and :func:`load_claims`.

``data/CLAIMS_SCHEMA.md`` documents the columns; the shipped, hand-curated
table records who made each claim, when and where it was published.
"""

from __future__ import annotations

import datetime
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from borderstrikes import defaults
from borderstrikes.errors import DataFileError

__all__ = [
    "CLAIM_COLUMNS",
    "KINDS",
    "OPTIONAL_CLAIM_COLUMNS",
    "QUALIFIERS",
    "UNITS",
    "load_claims",
    "related_ids",
    "validate_claims",
]

#: Columns of the claims table, in order (``data/CLAIMS_SCHEMA.md``).
CLAIM_COLUMNS = (
    "claim_id",
    "claimant",
    "claimant_role",
    "date_said",
    "period",
    "kind",
    "qualifier",
    "value",
    "value_max",
    "unit",
    "front_km",
    "location",
    "quote",
    "source_url",
    "source_outlet",
    "relates_to",
    "check_stretch",
    "notes",
)

#: Optional columns, with the value a table without them gets: the language of ``quote``
#: (ISO 639-1) and whether the quote is a translation rather than the published words.
OPTIONAL_CLAIM_COLUMNS = {"quote_language": "", "quote_is_translation": False}

#: Claim kinds and the dimension of their value.
KINDS = {
    "area": "area",
    "depth": "length",
    "depth_on_front": "length",
    "place_distance": "length",
    "distance_from_place": "length",
}

#: Accepted units: dimension and factor to km² (areas) or km (lengths).
UNITS = {
    "km2": ("area", 1.0),
    "ha": ("area", 0.01),
    "m2": ("area", 1e-6),
    "km": ("length", 1.0),
    "m": ("length", 0.001),
}

#: How a value is qualified: ``exact`` (to the last digit given), ``about``
#: (±:data:`ABOUT_TOLERANCE`), ``up_to``, ``at_least`` and ``range``
#: (``value`` to ``value_max``).
QUALIFIERS = ("exact", "about", "up_to", "at_least", "range")

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_MAX_QUOTE_WORDS = 15
_LOCATED_KINDS = {"depth", "depth_on_front", "place_distance", "distance_from_place"}

# --------------------------------------------------------------------------- loading


def _fail(claim_id: Any, message: str) -> DataFileError:
    return DataFileError(f"claims row {claim_id!r}: {message}")


def _number(value: Any, claim_id: Any, column: str, *, required: bool) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _fail(claim_id, f"{column} is required.")
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if required and math.isnan(number):
        raise _fail(claim_id, f"{column} must be a positive number (got {value!r}).")
    if not math.isnan(number) and not (number > 0 and math.isfinite(number)):
        raise _fail(claim_id, f"{column} must be a positive number (got {value!r}).")
    return number


def _past_date(text: str) -> bool:
    """Whether ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` names a real date, not after today."""
    try:
        first = datetime.date.fromisoformat((text + "-01-01")[:10])
    except ValueError:
        return False
    return first <= datetime.date.today()


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _check_labels(row: dict[str, str]) -> None:
    """Check the text columns of one row (``row`` holds stripped strings)."""
    cid = row["claim_id"]
    if not cid:
        msg = "a claims row has an empty claim_id."
        raise DataFileError(msg)
    for key in ("claimant", "source_url"):
        if not row[key]:
            raise _fail(cid, f"{key} is required.")
    if not row["source_url"].startswith(("http://", "https://")):
        raise _fail(cid, f"source_url must be an http(s) URL (got {row['source_url']!r}).")
    if not _DATE.match(row["date_said"]) or not _past_date(row["date_said"]):
        raise _fail(
            cid,
            f"date_said must be YYYY, YYYY-MM or YYYY-MM-DD, a real date not in the "
            f"future (got {row['date_said']!r}).",
        )
    if row["kind"] not in KINDS:
        raise _fail(cid, f"kind must be one of {sorted(KINDS)!r} (got {row['kind']!r}).")
    if row["unit"] not in UNITS:
        raise _fail(cid, f"unit must be one of {sorted(UNITS)!r} (got {row['unit']!r}).")
    dimension = KINDS[row["kind"]]
    if UNITS[row["unit"]][0] != dimension:
        raise _fail(
            cid,
            f"unit {row['unit']!r} does not fit kind {row['kind']!r}, which needs "
            f"{'an area' if dimension == 'area' else 'a length'} unit.",
        )
    if row["qualifier"] not in QUALIFIERS:
        raise _fail(
            cid, f"qualifier must be one of {list(QUALIFIERS)!r} (got {row['qualifier']!r})."
        )


def _record(raw: dict[str, Any]) -> dict[str, Any]:
    """One checked, normalised row of the claims table."""
    row = {key: _text(raw[key]) for key in CLAIM_COLUMNS}
    _check_labels(row)
    cid = row["claim_id"]
    value = _number(raw["value"], cid, "value", required=True)
    value_max = _number(raw["value_max"], cid, "value_max", required=False)
    if row["qualifier"] == "range" and not value_max >= value:
        raise _fail(cid, "a range needs value_max >= value.")
    if not math.isnan(value_max) and row["qualifier"] not in {"range", "at_least"}:
        raise _fail(cid, "value_max is only allowed with qualifier 'range' or 'at_least'.")
    front = _number(raw["front_km"], cid, "front_km", required=row["kind"] == "depth_on_front")
    if row["kind"] in _LOCATED_KINDS and not row["location"]:
        raise _fail(cid, f"kind {row['kind']!r} needs a location.")
    quote = row["quote"]
    if quote and (len(quote) < 2 or quote[0] != '"' or quote[-1] != '"'):
        raise _fail(cid, 'quote must be in double quotes ("...").')
    if len(quote.split()) > _MAX_QUOTE_WORDS:
        raise _fail(cid, f"quote must be at most {_MAX_QUOTE_WORDS} words.")
    if row["check_stretch"] and len(row["check_stretch"].split(" to ")) != 2:
        raise _fail(cid, "check_stretch must read '<place> to <place>'.")
    return {**row, "value": value, "value_max": value_max, "front_km": front}


def validate_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """Check a claims table against the documented schema and normalise it.

    Parameters
    ----------
    claims : pandas.DataFrame
        A table with the columns of :data:`CLAIM_COLUMNS` (``claim_id`` as a
        column or as the index), values as text or numbers.

    Returns
    -------
    pandas.DataFrame
        A copy indexed by ``claim_id``, with ``value``, ``value_max`` and
        ``front_km`` as float (NaN when not stated) and the other columns as
        str (empty when not stated). The input is not modified.

    Raises
    ------
    DataFileError
        If a column is missing, or a row breaks the schema (unknown kind,
        unit or qualifier, a unit that does not fit the kind, a bad number or
        date, an over-long or unquoted quote, a ``relates_to`` id that does
        not exist...). The message names the row.

    Examples
    --------
    >>> table = load_claims().reset_index()
    >>> table.loc[0, "unit"] = "sq km"
    >>> validate_claims(table)
    Traceback (most recent call last):
    ...
    borderstrikes.errors.DataFileError: claims row 'C01': unit must be one of ...
    """
    table = claims.reset_index() if "claim_id" not in claims.columns else claims.copy()
    missing = [c for c in CLAIM_COLUMNS if c not in table.columns]
    if missing:
        msg = f"the claims table lacks the columns {missing!r}; see data/CLAIMS_SCHEMA.md."
        raise DataFileError(msg)
    repeated = sorted({str(c) for c in table.columns[table.columns.duplicated()]})
    if repeated:
        msg = f"the claims table has the columns {repeated!r} more than once; keep one of each."
        raise DataFileError(msg)
    records = [_record(raw) for raw in table[list(CLAIM_COLUMNS)].to_dict("records")]
    out = pd.DataFrame.from_records(records, columns=list(CLAIM_COLUMNS))
    numeric = ("value", "value_max", "front_km")  # typed even when there are no rows
    out = out.astype({c: "float64" if c in numeric else "str" for c in CLAIM_COLUMNS})
    duplicated = out["claim_id"][out["claim_id"].duplicated()].tolist()
    if duplicated:
        raise _fail(duplicated[0], "claim_id is not unique.")
    known = set(out["claim_id"])
    for cid, related in zip(out["claim_id"], out["relates_to"], strict=True):
        unknown = [r for r in related_ids(related) if r not in known or r == cid]
        if unknown:
            raise _fail(cid, f"relates_to names unknown or own ids {unknown!r}.")
    for column, default in OPTIONAL_CLAIM_COLUMNS.items():
        if column not in table.columns:
            out[column] = default
        elif column == "quote_is_translation":
            # map: bytes never decoded; object first, so that an empty column has .str too
            flags = table[column].astype(object).map(str).str.strip().str.lower()
            if not flags.isin(["true", "false"]).all():
                msg = "quote_is_translation must be 'true' or 'false' on every row."
                raise DataFileError(msg)
            out[column] = (flags == "true").to_numpy()
        else:
            out[column] = table[column].fillna("").map(str).to_numpy()
    return out.set_index("claim_id")


def related_ids(text: str) -> list[str]:
    """Claim ids in a ``relates_to`` cell (``;``-separated)."""
    return [part.strip() for part in text.split(";") if part.strip()]


def load_claims(path: str | Path | None = None) -> pd.DataFrame:
    """Load the table of quantitative territorial claims.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV file with the same schema; default the shipped
        ``data/claims.csv`` (``borderstrikes.datasets.get_path("claims")``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``claim_id``; see :func:`validate_claims` for the dtypes
        and ``data/CLAIMS_SCHEMA.md`` for the columns. ``attrs["provenance"]``
        holds the registry entry of the shipped file.

    Raises
    ------
    DataFileError
        If the file is missing or is not a UTF-8 CSV, or breaks the schema
        (the message names the row).

    Examples
    --------
    >>> claims = load_claims()
    >>> c08 = claims.loc["C08"]
    >>> print(c08["claimant"], c08["kind"], c08["value"], c08["unit"], c08["front_km"])
    Edward Asryan depth_on_front 7.5 km 8.5
    """
    source = defaults.claims_file() if path is None else Path(path)
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError covers parser and decoding errors
        msg = f"cannot read {source} as a UTF-8 CSV claims table: {exc}"
        raise DataFileError(msg) from exc
    table = validate_claims(raw)
    if path is None:
        table.attrs["provenance"] = [defaults.provenance("claims")]
    return table
