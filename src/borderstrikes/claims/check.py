"""Setting claims against the border's geometry: :func:`check_claims`.

A claim stays a claim: the checks add ``implied_*`` columns next to the
claimed value and a verdict; they never replace the claim with a "true"
figure. *Consistent* means that the geometry and the related claims leave
room for the figure, not that it is right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.constants import WGS84
from borderstrikes.areas.fronts import border_feet, chains_of
from borderstrikes.areas.measure import MAX_BUFFER_KM, area_m2, line_buffer
from borderstrikes.areas.zones import border_frame, territory, zone_polygon
from borderstrikes.claims.schema import UNITS, load_claims, related_ids, validate_claims
from borderstrikes.gazetteer import geocode
from borderstrikes.geodesy.lines import Chain, locate, stretch

__all__ = ["ABOUT_TOLERANCE", "PLACE_TOLERANCE_KM", "VERDICTS", "check_claims"]

#: Values of the ``verdict`` column of :func:`check_claims`.
VERDICTS = ("consistent", "inconsistent", "not_checkable")

#: Relative half-width given to an ``about`` figure.
ABOUT_TOLERANCE = 0.10

#: Allowance for the size of a named place and the rounding of a stated
#: distance (km) when a distance to or from a place is compared.
PLACE_TOLERANCE_KM = 1.0

_WINDOW_KM = 2.0  # border "nearest a place" for a depth claim without a front

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
    if depth_km > MAX_BUFFER_KM:
        msg = (
            f"a depth of {depth_km:g} km is beyond the {MAX_BUFFER_KM:g} km that the "
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
    border: Any = None
    countries: Any = None
    territory: Any = None
    chains: list[Chain] = field(default_factory=list)
    found: dict[str, _Place] = field(default_factory=dict)
    zones: dict[tuple[bytes, float], float] = field(default_factory=dict)
    deep: dict[float, Any] = field(default_factory=dict)
    lines: list[np.ndarray] = field(default_factory=list)

    def load(self, names: set[str], places: Any = None) -> None:
        """Build the territory and border chains, and place ``names`` (geocoded) on the border."""
        self.territory, code, _ = territory(self.country, self.countries)
        frame = border_frame(code, self.neighbour, self.border, self.countries)
        self.chains = chains_of(frame)
        self.lines = [chain.coords for chain in self.chains]
        ordered = sorted(names)
        found = geocode(ordered, country=self.country, places=places) if ordered else None
        points = []
        for i, name in enumerate(ordered):
            place = _Place(name)
            if found is not None and found["match"].iloc[i] in {"exact", "variant"}:
                place.point = found.geometry.iloc[i]
                points.append(name)
            self.found[name] = place
        if points:
            series = gpd.GeoSeries([self.found[n].point for n in points], crs=WGS84)
            feet = border_feet(series, frame)
            for name, (_, foot) in zip(points, feet.iterrows(), strict=True):
                place = self.found[name]
                place.distance_km = float(foot["distance_km"])
                place.located = locate(self.chains, foot["foot_lon"], foot["foot_lat"])

    def place(self, name: str) -> _Place | None:
        place = self.found.get(name)
        return place if place is not None and place.point is not None else None

    def zone_km2(self, line: np.ndarray, depth_km: float) -> float:
        _check_depth(depth_km)
        key = (line.tobytes(), depth_km)
        if key not in self.zones:
            zone = zone_polygon(self.territory, [line], 1000.0 * depth_km, "flat")
            self.zones[key] = area_m2(zone) / 1e6
        return self.zones[key]

    def reaches(self, line: np.ndarray, depth_km: float) -> bool:
        """Tell whether land ``depth_km`` from the whole border lies that close to ``line``."""
        _check_depth(depth_km)
        slack_m = max(50.0, 20.0 * depth_km)
        if depth_km not in self.deep:
            shallow = line_buffer(self.lines, 1000.0 * depth_km - slack_m, "round")
            self.deep[depth_km] = shapely.difference(self.territory, shallow)
        near = line_buffer([line], 1000.0 * depth_km + slack_m, "round")
        return bool(shapely.intersection(self.deep[depth_km], near).area > 0)

    def window(self, place: _Place, length_km: float) -> tuple[np.ndarray, float]:
        _, line, length_m, _ = stretch(self.chains, place.located, length_m=1000.0 * length_km)
        return line, length_m / 1000.0

    def between(self, a: _Place, b: _Place) -> tuple[np.ndarray, float]:
        _, line, length_m, _ = stretch(self.chains, a.located, b.located)
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
    related = _depth_claims(table, related_ids(row["relates_to"]))
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
    related = related_ids(row["relates_to"])
    fronts = [i for i in related if table.loc[i, "kind"] == "depth_on_front"]
    if row["check_stretch"]:
        verdict, text = _area_on_stretch(geo, row, table, out)
        if fronts:
            other, other_text = _area_vs_fronts(row, table, fronts, cache, {})
            if other != verdict:
                text += (
                    f" Rule area_stretch decides (a check_stretch takes precedence over the "
                    f"front rule); the front rule alone (area_fronts) would make it {other}: "
                    f"{other_text}"
                )
        return verdict, text
    if fronts:
        return _area_vs_fronts(row, table, fronts, cache, out)
    return _area_rest(row, table, related, out)


def _area_vs_fronts(
    row: Any,
    table: pd.DataFrame,
    fronts: list[str],
    cache: dict[str, dict[str, float]],
    out: dict[str, float],
) -> tuple[str, str]:
    low, high = _interval(row)
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
    return "not_checkable", "no related front."


def _area_rest(
    row: Any, table: pd.DataFrame, related: list[str], out: dict[str, float]
) -> tuple[str, str]:
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
    depths = _depth_claims(table, related_ids(row["relates_to"]))
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
        verdict = "consistent" if fits else "inconsistent"
        text = (
            f"a cumulative figure: the related claims ({' + '.join(related)}) add up to "
            f"{_span(s_low, s_high)} km², against {_said(row)} claimed ({_span(low, high)} km²)"
            f"{'' if fits else ', no overlap'}."
        )
        return verdict, text + _other_links(row, table, related, spans, verdict)
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


def _other_links(
    row: Any,
    table: pd.DataFrame,
    related: list[str],
    spans: dict[str, tuple[float, float]],
    verdict: str,
) -> str:
    """Say which other link (an area claim of the same period) would flip a cumulative verdict."""
    low, high = _interval(row)
    notes = []
    for i in related:
        same = table.index[
            (table["kind"] == "area")
            & (table["period"] == table.loc[i, "period"])
            & ~table.index.isin([*related, row.name])
        ]
        for j in same:
            swapped = {**spans, j: _interval(table.loc[j])}
            del swapped[i]
            s_low = sum(s[0] for s in swapped.values())
            s_high = sum(s[1] for s in swapped.values())
            other = "consistent" if high >= s_low and low <= s_high else "inconsistent"
            if other != verdict:
                notes.append(
                    f"linking {j} ({_said(table.loc[j])}, period {table.loc[j, 'period']}) "
                    f"instead of {i} would make it {other} (sum {_span(s_low, s_high)} km²)"
                )
    return (" Alternative: " + "; ".join(notes) + ".") if notes else ""


def _rule_name(row: Any, table: pd.DataFrame) -> str:
    """Name the rule of CLAIMS_SCHEMA.md that decides a claim's verdict."""
    if row["kind"] != "area":
        return str(row["kind"])
    related = related_ids(row["relates_to"])
    kinds = {table.loc[i, "kind"] for i in related}
    if row["check_stretch"]:
        return "area_stretch"
    if "depth_on_front" in kinds:
        return "area_fronts"
    if "area" in kinds:
        return "area_sum" if " to " in row["period"] else "area_parts"
    return "area_alone"


def _verdict(
    geo: _Geometry,
    row: Any,
    table: pd.DataFrame,
    implied: dict[str, dict[str, float]],
    out: dict[str, float],
) -> tuple[str, str]:
    """Verdict and reason of one claim by the rule of its kind, filling ``out``."""
    kind = row["kind"]
    try:
        if kind == "depth":
            return _depth(geo, row, out)
        if kind == "depth_on_front":
            return _front_range(geo, row, out)
        if kind == "place_distance":
            return _place_distance(geo, row, out)
        if kind == "distance_from_place":
            return _from_place(geo, row, table, out)
        return _area(geo, row, table, implied, out)
    except _TooDeep as exc:
        return "not_checkable", str(exc)


def _place_names(table: pd.DataFrame) -> set[str]:
    """Every place a claim names, as ``location`` or as an end of ``check_stretch``."""
    names = {n for n in table["location"] if n}
    for stretch_ in table["check_stretch"]:
        names.update(part.strip() for part in stretch_.split(" to ") if stretch_)
    return names


def check_claims(
    claims: pd.DataFrame | None = None,
    *,
    country: str = defaults.COUNTRY,
    neighbour: str = defaults.NEIGHBOUR,
    border: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    countries: gpd.GeoDataFrame | None = None,
    places: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Set each claim against the border's geometry and the claims it relates to.

    Parameters
    ----------
    claims : pandas.DataFrame, optional
        A claims table (see :func:`load_claims`); default the shipped one.
        It is validated with :func:`validate_claims` and not modified.
    country, neighbour : str, default "ARM", "AZE"
        The country the claims are about and the one across the border (ISO3
        codes of ``countries``).
    border : geopandas.GeoDataFrame or geopandas.GeoSeries, optional
        Border lines to measure from; default the border of ``country`` and
        ``neighbour`` (:func:`borderstrikes.border.border_between`).
    countries : geopandas.GeoDataFrame, optional
        Country polygons with an ``iso3`` column, giving the land of
        ``country``; default the shipped admin-0 countries.
    places : geopandas.GeoDataFrame, optional
        Gazetteer the claimed places are looked up in
        (:func:`borderstrikes.gazetteer.geocode`); default the shipped one.

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
        If ``country`` or ``neighbour`` is not a code of ``countries``.

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
    geo = _Geometry(country, neighbour, border=border, countries=countries)
    geo.load(_place_names(table), places=places)
    results: dict[str, dict[str, Any]] = {}
    implied: dict[str, dict[str, float]] = {}
    # areas last: their rules read what the depth claims they relate to implied
    for cid in sorted(table.index, key=lambda i: table.loc[i, "kind"] == "area"):
        out: dict[str, float] = {}
        verdict, reason = _verdict(geo, table.loc[cid], table, implied, out)
        implied[cid] = out
        results[cid] = {**{k: out.get(k, math.nan) for k in _IMPLIED}, "verdict": verdict}
        links = table.loc[cid, "relates_to"]
        results[cid]["reason"] = (
            f"Rule {_rule_name(table.loc[cid], table)}; linked claims: {links or 'none'}. {reason}"
        )
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
