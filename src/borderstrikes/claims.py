"""Quantitative territorial claims and what the border's geometry says about them.

:func:`load_claims` reads the shipped, hand-curated table of claims (areas,
depths of advance, fronts) with who made each claim, when and where it was
published; ``data/CLAIMS_SCHEMA.md`` documents it. :func:`check_claims`
sets every claim against the geometry of the shipped border and against the
claims it is curated to relate to, and says whether the figures fit.

A claim stays a claim: the checks add ``implied_*`` columns next to the
claimed value and a verdict; they never replace the claim with a "true"
figure. *Consistent* means that the geometry and the related claims leave
room for the figure, not that it is right.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import datasets
from borderstrikes._core.validate import WGS84
from borderstrikes.areas import core as areas
from borderstrikes.errors import DataFileError
from borderstrikes.gazetteer import geocode

__all__ = [
    "ABOUT_TOLERANCE",
    "CLAIM_COLUMNS",
    "KINDS",
    "PLACE_TOLERANCE_KM",
    "QUALIFIERS",
    "UNITS",
    "VERDICTS",
    "check_claims",
    "load_claims",
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

#: Values of the ``verdict`` column of :func:`check_claims`.
VERDICTS = ("consistent", "inconsistent", "not_checkable")

#: Relative half-width given to an ``about`` figure.
ABOUT_TOLERANCE = 0.10

#: Allowance for the size of a named place and the rounding of a stated
#: distance (km) when a distance to or from a place is compared.
PLACE_TOLERANCE_KM = 1.0

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_MAX_QUOTE_WORDS = 15
_WINDOW_KM = 2.0  # border "nearest a place" for a depth claim without a front
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
    records = []
    for raw in table[list(CLAIM_COLUMNS)].to_dict("records"):
        row = {key: _text(raw[key]) for key in CLAIM_COLUMNS}
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
        records.append({**row, "value": value, "value_max": value_max, "front_km": front})
    out = pd.DataFrame.from_records(records, columns=list(CLAIM_COLUMNS))
    numeric = ("value", "value_max", "front_km")  # typed even when there are no rows
    out = out.astype({c: "float64" if c in numeric else "str" for c in CLAIM_COLUMNS})
    duplicated = out["claim_id"][out["claim_id"].duplicated()].tolist()
    if duplicated:
        raise _fail(duplicated[0], "claim_id is not unique.")
    known = set(out["claim_id"])
    for cid, related in zip(out["claim_id"], out["relates_to"], strict=True):
        unknown = [r for r in _ids(related) if r not in known or r == cid]
        if unknown:
            raise _fail(cid, f"relates_to names unknown or own ids {unknown!r}.")
    return out.set_index("claim_id")


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def load_claims(path: str | Path | None = None) -> pd.DataFrame:
    """Load the table of quantitative territorial claims.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV file with the same schema; default the shipped
        ``data/claims.csv`` (``datasets.get_path("claims")``).

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
    if path is None:
        datasets.verify("claims")
    source = datasets.get_path("claims") if path is None else Path(path)
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError covers parser and decoding errors
        msg = f"cannot read {source} as a UTF-8 CSV claims table: {exc}"
        raise DataFileError(msg) from exc
    table = validate_claims(raw)
    if path is None:
        table.attrs["provenance"] = [datasets._provenance("claims")]
    return table


# --------------------------------------------------------------------------- checking


def _decimals(value: float) -> int:
    text = f"{value:g}"
    return len(text.split(".")[1]) if "." in text else 0


def _interval(row: Any) -> tuple[float, float]:
    """(low, high) of a claimed value in km or km², from its qualifier."""
    factor = UNITS[row["unit"]][1]
    value, value_max = row["value"], row["value_max"]
    kind = row["qualifier"]
    if kind == "exact":
        half = 0.5 * 10.0 ** -_decimals(value)
        low, high = value - half, value + half
    elif kind == "about":
        low, high = value * (1 - ABOUT_TOLERANCE), value * (1 + ABOUT_TOLERANCE)
    elif kind == "up_to":
        low, high = 0.0, value
    elif kind == "at_least":
        low, high = value, math.inf
    else:
        low, high = value, value_max
    return low * factor, high * factor


def _top(row: Any) -> float:
    """Return the largest figure a claim states, in km or km²."""
    stated = row["value_max"] if not math.isnan(row["value_max"]) else row["value"]
    return stated * UNITS[row["unit"]][1]


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "∞"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:.2f}" if abs(x) >= 0.1 else f"{x:.3f}"


def _said(row: Any) -> str:
    """Return the claimed figure as stated, e.g. 'about 139 km2' or 'up to 7.5 km'."""
    value, value_max, unit = row["value"], row["value_max"], row["unit"]
    figure = f"{value:g}" + (f"-{value_max:g}" if not math.isnan(value_max) else "")
    prefix = {"about": "about ", "up_to": "up to ", "at_least": "at least "}
    shown = {"km2": "km²", "m2": "m²"}.get(unit, unit)
    text = f"{prefix.get(row['qualifier'], '')}{figure} {shown}"
    if unit in {"ha", "m2", "m"}:
        factor = UNITS[unit][1]
        target = "km²" if UNITS[unit][0] == "area" else "km"
        text += f" ({_fmt(value * factor)} {target})"
    return text


def _span(low: float, high: float) -> str:
    return _fmt(low) if math.isclose(low, high) else f"{_fmt(low)}–{_fmt(high)}"


class _TooDeep(Exception):
    """A depth beyond what the geodesic buffers are built for; the claim is not checkable."""


def _check_depth(depth_km: float) -> None:
    if depth_km > areas._MAX_BUFFER_KM:
        msg = (
            f"a depth of {depth_km:g} km is beyond the {areas._MAX_BUFFER_KM:g} km that the "
            "geodesic buffers are built for, so the geometry cannot check it."
        )
        raise _TooDeep(msg)


@dataclass
class _Place:
    name: str
    point: Any = None
    distance_km: float = math.nan
    located: tuple[int, float] | None = None


@dataclass
class _Geometry:
    """Border, country and gazetteer lookups shared by every check."""

    country: str
    neighbour: str
    territory: Any = None
    chains: list[Any] = field(default_factory=list)
    places: dict[str, _Place] = field(default_factory=dict)
    zones: dict[tuple[bytes, float], float] = field(default_factory=dict)
    deep: dict[float, Any] = field(default_factory=dict)
    lines: list[np.ndarray] = field(default_factory=list)

    def load(self, names: set[str]) -> None:
        territory, _, _ = areas._territory(self.country)
        frame = areas._border_frame(self.country, self.neighbour, None)
        self.territory = territory
        self.chains = areas._border_chains(frame)
        self.lines = [chain[1] for chain in self.chains]
        ordered = sorted(names)
        found = geocode(ordered, country=self.country) if ordered else None
        points = []
        for i, name in enumerate(ordered):
            place = _Place(name)
            if found is not None and found["match"].iloc[i] in {"exact", "variant"}:
                place.point = found.geometry.iloc[i]
                points.append(name)
            self.places[name] = place
        if points:
            series = gpd.GeoSeries([self.places[n].point for n in points], crs=WGS84)
            feet = areas._feet(series, frame)
            for name, (_, foot) in zip(points, feet.iterrows(), strict=True):
                place = self.places[name]
                place.distance_km = float(foot["distance_km"])
                place.located = areas._locate(self.chains, foot["foot_lon"], foot["foot_lat"])

    def place(self, name: str) -> _Place | None:
        place = self.places.get(name)
        return place if place is not None and place.point is not None else None

    def zone_km2(self, line: np.ndarray, depth_km: float) -> float:
        _check_depth(depth_km)
        key = (line.tobytes(), depth_km)
        if key not in self.zones:
            zone = areas._zone(self.territory, [line], 1000.0 * depth_km, "flat")
            self.zones[key] = areas._area_m2(zone) / 1e6
        return self.zones[key]

    def reaches(self, line: np.ndarray, depth_km: float) -> bool:
        """Tell whether land ``depth_km`` from the whole border lies that close to ``line``."""
        _check_depth(depth_km)
        slack_m = max(50.0, 20.0 * depth_km)
        if depth_km not in self.deep:
            shallow = areas._line_buffer(self.lines, 1000.0 * depth_km - slack_m, "round")
            self.deep[depth_km] = shapely.difference(self.territory, shallow)
        near = areas._line_buffer([line], 1000.0 * depth_km + slack_m, "round")
        return bool(shapely.intersection(self.deep[depth_km], near).area > 0)

    def window(self, place: _Place, length_km: float) -> tuple[np.ndarray, float]:
        _, line, length_m, _ = areas._stretch(
            self.chains, place.located, length_m=1000.0 * length_km
        )
        return line, length_m / 1000.0

    def between(self, a: _Place, b: _Place) -> tuple[np.ndarray, float]:
        _, line, length_m, _ = areas._stretch(self.chains, a.located, b.located)
        return line, length_m / 1000.0


_IMPLIED = (
    "implied_place_distance_km",
    "implied_stretch_km",
    "implied_zone_km2",
    "implied_area_min_km2",
    "implied_area_max_km2",
    "implied_mean_depth_km",
    "implied_min_depth_km",
    "implied_front_km",
    "implied_sum_km2",
)


def _missing_place(name: str) -> tuple[str, str]:
    return (
        "not_checkable",
        f"{name!r} is not in the gazetteer (no exact or variant match), so the claim "
        "cannot be placed on the border.",
    )


def _front_range(geo: _Geometry, row: Any, out: dict[str, float]) -> tuple[str, str]:
    """Depth on a front: triangle-to-rectangle area against the land there."""
    place = geo.place(row["location"])
    if place is None:
        return _missing_place(row["location"])
    front = row["front_km"]
    high = _top(row)
    if row["qualifier"] == "range":
        a_min, a_max = row["value"] * UNITS[row["unit"]][1] * front, high * front
        shape = f"positions {_said(row)} deep along a front of {front:g} km"
    else:
        a_min, a_max = high * front / 2, high * front
        shape = f"an advance {_said(row)} deep on a front of {front:g} km"
    line, stretch_km = geo.window(place, front)
    zone = geo.zone_km2(line, high)
    out.update(
        implied_place_distance_km=place.distance_km,
        implied_stretch_km=stretch_km,
        implied_zone_km2=zone,
        implied_area_min_km2=a_min,
        implied_area_max_km2=min(a_max, zone),
    )
    where = (
        f"the land of {geo.country} within {_fmt(high)} km of the {_fmt(stretch_km)} km of "
        f"border nearest {row['location']} ({_fmt(place.distance_km)} km from the border)"
    )
    if row["qualifier"] == "range":
        bounds = f"encloses {_span(a_min, a_max)} km²"
    else:
        bounds = f"encloses {_fmt(a_min)} km² (triangle) to {_fmt(a_max)} km² (rectangle)"
    if not geo.reaches(line, high):
        return "inconsistent", (
            f"{shape} {bounds}, but no land of {geo.country} {_fmt(high)} km from the border "
            f"lies within {_fmt(high)} km of the {_fmt(stretch_km)} km of border nearest "
            f"{row['location']}."
        )
    if zone >= a_min:
        return "consistent", f"{shape} {bounds}; {where} is {_fmt(zone)} km², room enough."
    return "inconsistent", f"{shape} {bounds}, but {where} is only {_fmt(zone)} km²."


def _depth(geo: _Geometry, row: Any, out: dict[str, float]) -> tuple[str, str]:
    place = geo.place(row["location"])
    if place is None:
        return _missing_place(row["location"])
    depth = _top(row)
    line, stretch_km = geo.window(place, _WINDOW_KM)
    out.update(implied_place_distance_km=place.distance_km, implied_stretch_km=stretch_km)
    near = f"{row['location']} lies {_fmt(place.distance_km)} km from the border"
    if depth < place.distance_km:
        towards = f"beyond the claimed {_said(row)} by {_fmt(place.distance_km - depth)} km"
    else:
        towards = f"within the claimed {_said(row)}"
    where = (
        f"within {_fmt(depth)} km of the {_fmt(stretch_km)} km of border nearest {row['location']}"
    )
    if geo.reaches(line, depth):
        return "consistent", (
            f"land of {geo.country} {_fmt(depth)} km from the border lies {where}; {near}, "
            f"{towards}."
        )
    return "inconsistent", (
        f"no land of {geo.country} {_fmt(depth)} km from the border lies {where}; {near}."
    )


def _place_distance(geo: _Geometry, row: Any, out: dict[str, float]) -> tuple[str, str]:
    place = geo.place(row["location"])
    if place is None:
        return _missing_place(row["location"])
    low, high = _interval(row)
    out["implied_place_distance_km"] = place.distance_km
    fits = low - PLACE_TOLERANCE_KM <= place.distance_km <= high + PLACE_TOLERANCE_KM
    text = (
        f"{row['location']} lies {_fmt(place.distance_km)} km from the border (geodesic, "
        f"gazetteer point); claimed {_said(row)}, allowance ±{PLACE_TOLERANCE_KM:g} km."
    )
    return ("consistent" if fits else "inconsistent"), text


def _depth_claims(table: pd.DataFrame, ids: list[str]) -> list[str]:
    return [i for i in ids if table.loc[i, "kind"] in {"depth", "depth_on_front"}]


def _from_place(
    geo: _Geometry, row: Any, table: pd.DataFrame, out: dict[str, float]
) -> tuple[str, str]:
    place = geo.place(row["location"])
    if place is None:
        return _missing_place(row["location"])
    _, high = _interval(row)
    min_depth = place.distance_km - high
    out.update(implied_place_distance_km=place.distance_km, implied_min_depth_km=min_depth)
    text = (
        f"positions {_said(row)} from {row['location']}, which lies "
        f"{_fmt(place.distance_km)} km from the border, are at least {_fmt(min_depth)} km inside"
    )
    related = _depth_claims(table, _ids(row["relates_to"]))
    if not related:
        return "not_checkable", text + "; no related depth claim to compare with."
    deepest = max(_top(table.loc[i]) for i in related)
    fits = deepest >= min_depth - PLACE_TOLERANCE_KM
    verb = "allow" if fits else "do not allow"
    return ("consistent" if fits else "inconsistent"), (
        f"{text}; the related claims ({', '.join(related)}) give up to {_fmt(deepest)} km, "
        f"which {verb} that (allowance {PLACE_TOLERANCE_KM:g} km)."
    )


def _area(
    geo: _Geometry,
    row: Any,
    table: pd.DataFrame,
    cache: dict[str, dict[str, float]],
    out: dict[str, float],
) -> tuple[str, str]:
    low, high = _interval(row)
    related = _ids(row["relates_to"])
    if row["check_stretch"]:
        return _area_on_stretch(geo, row, table, out)
    fronts = [i for i in related if table.loc[i, "kind"] == "depth_on_front"]
    if fronts:
        parts, ok = [], True
        for i in fronts:
            ranges = cache[i]
            a_min, a_max = ranges.get("implied_area_min_km2"), ranges.get("implied_area_max_km2")
            if a_min is None or math.isnan(a_min):
                return "not_checkable", f"the related claim {i} could not be checked."
            fits = high >= a_min and low <= a_max
            ok &= fits
            parts.append(f"{i} implies {_span(a_min, a_max)} km²")
            out["implied_area_min_km2"] = max(out.get("implied_area_min_km2", 0.0), a_min)
            out["implied_area_max_km2"] = min(out.get("implied_area_max_km2", math.inf), a_max)
        first = table.loc[fronts[0]]
        out["implied_mean_depth_km"] = row["value"] * UNITS[row["unit"]][1] / first["front_km"]
        out["implied_place_distance_km"] = cache[fronts[0]].get("implied_place_distance_km")
        verdict = "consistent" if ok else "inconsistent"
        word = "inside" if ok else "outside"
        return verdict, (
            f"claimed {_said(row)} is {word} what the related fronts allow: "
            f"{'; '.join(parts)}; over the {_fmt(first['front_km'])} km front of {fronts[0]} "
            f"it means a mean depth of {_fmt(out['implied_mean_depth_km'])} km."
        )
    areas_ = [i for i in related if table.loc[i, "kind"] == "area"]
    if areas_:
        return _area_vs_areas(row, table, areas_, out)
    depths = _depth_claims(table, related)
    if depths:
        deepest = max(_top(table.loc[i]) for i in depths)
        out["implied_front_km"] = row["value"] * UNITS[row["unit"]][1] / deepest
        return "not_checkable", (
            f"an area of {_said(row)} no deeper than {_fmt(deepest)} km (claim "
            f"{', '.join(depths)}) needs a front of at least {_fmt(out['implied_front_km'])} km; "
            "without a located front the geometry cannot decide."
        )
    return "not_checkable", (
        "no place, front, border stretch or related claim to test the figure against; the "
        "geometry cannot decide."
    )


def _area_on_stretch(
    geo: _Geometry, row: Any, table: pd.DataFrame, out: dict[str, float]
) -> tuple[str, str]:
    low, _ = _interval(row)
    ends = [name.strip() for name in row["check_stretch"].split(" to ")]
    places = [geo.place(name) for name in ends]
    for name, place in zip(ends, places, strict=True):
        if place is None:
            return _missing_place(name)
    line, stretch_km = geo.between(*places)
    stated = row["value"] * UNITS[row["unit"]][1]
    out["implied_stretch_km"] = stretch_km
    out["implied_mean_depth_km"] = stated / stretch_km
    depths = _depth_claims(table, _ids(row["relates_to"]))
    if not depths:
        return "not_checkable", (
            f"spread over the {_fmt(stretch_km)} km of border from {ends[0]} to {ends[1]} it "
            f"means a mean depth of {_fmt(stated / stretch_km)} km; no related depth claim "
            "bounds it."
        )
    deepest = max(_top(table.loc[i]) for i in depths)
    zone = geo.zone_km2(line, deepest)
    out["implied_zone_km2"] = zone
    text = (
        f"spread over the {_fmt(stretch_km)} km of border from {ends[0]} to {ends[1]}, "
        f"{_said(row)} means a mean depth of {_fmt(stated / stretch_km)} km; the land "
        f"of {geo.country} within {_fmt(deepest)} km (deepest related claim, "
        f"{', '.join(depths)}) of that stretch is {_fmt(zone)} km²"
    )
    if low <= zone:
        return "consistent", text + f"; the claim is {100 * stated / zone:.1f} % of it."
    return "inconsistent", text + ", less than claimed."


def _area_vs_areas(
    row: Any, table: pd.DataFrame, related: list[str], out: dict[str, float]
) -> tuple[str, str]:
    low, high = _interval(row)
    spans = {i: _interval(table.loc[i]) for i in related}
    if " to " in row["period"]:
        s_low = sum(s[0] for s in spans.values())
        s_high = sum(s[1] for s in spans.values())
        out["implied_sum_km2"] = sum(_top(table.loc[i]) for i in related)
        fits = high >= s_low and low <= s_high
        return ("consistent" if fits else "inconsistent"), (
            f"a cumulative figure: the related claims ({' + '.join(related)}) add up to "
            f"{_span(s_low, s_high)} km², against {_said(row)} claimed ({_span(low, high)} km²)"
            f"{'' if fits else ', no overlap'}."
        )
    texts, ok = [], True
    for i, (r_low, r_high) in spans.items():
        whole = table.loc[i]
        if whole["period"] != row["period"]:
            texts.append(f"{i} concerns another period ({whole['period']})")
            continue
        if row["location"] and not whole["location"]:
            fits = low <= r_high
            texts.append(
                f"{i} gives {_said(whole)} for all of it"
                + ("" if fits else ", less than this part")
            )
        else:
            fits = high >= r_low and low <= r_high
            texts.append(
                f"{i} gives {_said(whole)} for the same period" + ("" if fits else ", no overlap")
            )
        ok &= fits
    return ("consistent" if ok else "inconsistent"), (
        f"claimed {_said(row)}; " + "; ".join(texts) + "."
    )


def check_claims(
    claims: pd.DataFrame | None = None, *, country: str = "ARM", neighbour: str = "AZE"
) -> pd.DataFrame:
    """Set each claim against the border's geometry and the claims it relates to.

    Parameters
    ----------
    claims : pandas.DataFrame, optional
        A claims table (see :func:`load_claims`); default the shipped one.
        It is validated with :func:`validate_claims` and not modified.
    country, neighbour : str, default "ARM", "AZE"
        The country the claims are about and the one across the border.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``claim_id``: ``claimant``, ``date_said``, ``period``,
        ``kind``, ``qualifier``, ``claimed_value``, ``claimed_value_max``,
        ``unit``, ``claimed_front_km``, ``location``, ``relates_to``, then the
        figures the geometry implies (NaN where a rule does not produce them):
        ``implied_place_distance_km`` (named place to the border),
        ``implied_stretch_km`` (length of border used), ``implied_zone_km2``
        (land of ``country`` within the claimed depth of that stretch, flat
        ends), ``implied_area_min_km2`` / ``implied_area_max_km2`` (range of
        areas an advance of the claimed depth and front can enclose there),
        ``implied_mean_depth_km`` (claimed area / front or stretch),
        ``implied_min_depth_km``, ``implied_front_km`` and
        ``implied_sum_km2``; finally ``verdict`` (one of :data:`VERDICTS`)
        and ``reason``.

    Raises
    ------
    DataFileError
        If ``claims`` breaks the schema.
    UnknownCountryError
        If ``country`` or ``neighbour`` is not shipped.

    Notes
    -----
    The rule depends on the kind of claim (``data/CLAIMS_SCHEMA.md``):

    * ``depth`` at or towards a place: consistent when ``country`` has land
      at the claimed depth from the stretch of border nearest the place (a
      window of twice the depth, at least 2 km); the place's distance from
      the border is reported.
    * ``depth_on_front`` (depth D on front F near a place, D as stated): an advance
      reaching D somewhere along F encloses from D·F/2 (a triangle) to D·F
      (a rectangle); for a range of depths [d1, d2], d1·F to d2·F. The land
      within D of the F km of border centred on the place's foot (flat ends)
      caps it. Consistent when that land can hold the smallest figure.
    * ``area`` related to ``depth_on_front`` claims: consistent when the
      area lies in every related range (mean depth = area / F reported).
    * ``area`` with a ``check_stretch`` "A to B": compared with the land
      within the deepest related depth of the border between the feet of
      A and B; the mean depth area / stretch is reported.
    * ``area`` related to ``area`` claims: a cumulative period ("X to Y")
      must match the sum of the related figures; a figure with a location
      must not exceed a related whole for the same period; otherwise the
      figures must overlap.
    * ``place_distance``: the place's geodesic distance from the border
      must match within :data:`PLACE_TOLERANCE_KM`.
    * ``distance_from_place`` (positions X km from a place): they are at
      least d(place) − X inside, which the related depth claims must allow.

    Figures compare as intervals from their qualifier (``exact``: half a
    unit of the last digit; ``about``: ±10 %; ``up_to``; ``at_least``;
    ``range``). Places resolve with
    :func:`borderstrikes.gazetteer.geocode` (exact or variant matches
    only). Everything else is ``not_checkable``, with the reason.

    Examples
    --------
    >>> checked = check_claims()
    >>> c15 = checked.loc["C15"]
    >>> print(c15["claimed_value"], c15["unit"], c15["verdict"])
    60.06 km2 consistent
    >>> c08 = checked.loc["C08"]
    >>> print(f"{c08['implied_area_min_km2']:.1f}-{c08['implied_area_max_km2']:.1f} km²")
    31.9-63.8 km²
    """
    table = load_claims() if claims is None else validate_claims(claims)
    geo = _Geometry(country, neighbour)
    names = {n for n in table["location"] if n}
    for stretch in table["check_stretch"]:
        names.update(part.strip() for part in stretch.split(" to ") if stretch)
    geo.load(names)
    results: dict[str, dict[str, Any]] = {}
    implied: dict[str, dict[str, float]] = {}
    order = sorted(table.index, key=lambda i: table.loc[i, "kind"] == "area")
    for cid in order:
        row = table.loc[cid]
        out: dict[str, float] = {}
        kind = row["kind"]
        try:
            if kind == "depth":
                verdict, reason = _depth(geo, row, out)
            elif kind == "depth_on_front":
                verdict, reason = _front_range(geo, row, out)
            elif kind == "place_distance":
                verdict, reason = _place_distance(geo, row, out)
            elif kind == "distance_from_place":
                verdict, reason = _from_place(geo, row, table, out)
            else:
                verdict, reason = _area(geo, row, table, implied, out)
        except _TooDeep as exc:
            verdict, reason = "not_checkable", str(exc)
        implied[cid] = out
        results[cid] = {**{k: out.get(k, math.nan) for k in _IMPLIED}, "verdict": verdict}
        results[cid]["reason"] = reason
    checked = pd.DataFrame.from_dict(results, orient="index").reindex(
        index=table.index, columns=[*_IMPLIED, "verdict", "reason"]
    )
    base = table[["claimant", "date_said", "period", "kind", "qualifier"]].assign(
        claimed_value=table["value"],
        claimed_value_max=table["value_max"],
        unit=table["unit"],
        claimed_front_km=table["front_km"],
        location=table["location"],
        relates_to=table["relates_to"],
    )
    out_table = pd.concat([base, checked.astype(dict.fromkeys(_IMPLIED, float))], axis=1)
    out_table.index.name = "claim_id"
    return out_table
