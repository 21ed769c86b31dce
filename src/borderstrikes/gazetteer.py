"""Resolve place names to points with the packaged gazetteer.

By default the gazetteer is :func:`borderstrikes.datasets.load_places`
(GeoNames ``cities500`` for Armenia and the Azerbaijani border districts, plus
a curated supplement of border villages GeoNames lacks) and the curated alias
table :func:`borderstrikes.datasets.load_place_aliases` (spellings that the
reports use but GeoNames lacks or gives to several places); ``places=`` and
``aliases=`` take your own tables in the same schema. The name index of the
shipped tables is built once per process, that of your own on each call.

Matching works on normalised names (see :func:`normalize_name`) in four tiers,
and the first tier that finds a candidate decides:

1. ``exact`` -- the primary name of a place;
2. ``variant`` -- first a *preferred* alias (a curated decision for a spelling
   that GeoNames gives to several places), then any alternate name (GeoNames,
   the supplement, or an *alternate* alias);
3. ``fuzzy`` -- the most similar name that is a slip of the query: a
   :class:`difflib.SequenceMatcher` ratio of at least :data:`FUZZY_CUTOFF`
   *and* at most one edit (a letter inserted, deleted, replaced, or two
   neighbours swapped) per started :data:`FUZZY_LETTERS_PER_EDIT` letters of
   the normalised query;
4. ``not_found``.

The ``admin1``, ``country`` and ``near`` filters apply to every tier: a place
outside them is never returned. When a tier finds several places (homonyms
such as the two Vardenis) and the filters do not decide between them, the
result is ``ambiguous`` and lists the candidates instead of guessing.
"""

from __future__ import annotations

import collections
import difflib
import functools
import math
import numbers
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.constants import GEOD, WGS84
from borderstrikes._core.validate import check_number, check_option, point_lonlat, require_crs
from borderstrikes.errors import DataFileError, PlaceNotFoundError

__all__ = [
    "FUZZY_CUTOFF",
    "FUZZY_LETTERS_PER_EDIT",
    "MATCH_KINDS",
    "NEAR_KM",
    "geocode",
    "normalize_name",
]

#: Minimum :meth:`difflib.SequenceMatcher.ratio` of normalised names for a fuzzy match.
FUZZY_CUTOFF = 0.85
#: A fuzzy match differs from the query by at most one edit per started this many letters
#: of the normalised query (one edit up to 16 letters, two up to 32, ...).
FUZZY_LETTERS_PER_EDIT = 16
#: Default of ``near_km``: how far from ``near`` a place may lie, in km.
NEAR_KM = 25.0
#: How many refused near-misses a ``not_found`` row lists in ``candidates``.
_MAX_NEAR_MISSES = 5

#: Values of the ``match`` column returned by :func:`geocode`.
MATCH_KINDS = ("exact", "variant", "fuzzy", "ambiguous", "not_found")

OUTPUT_COLUMNS = [
    "query",
    "name",
    "place_id",
    "admin1_iso",
    "admin1_name",
    "country",
    "population",
    "match",
    "score",
    "candidates",
]

_APOSTROPHES = frozenset("'`\u00b4\u2018\u2019\u02b9\u02bb\u02bc\u02bd")
# Letters that NFKD does not decompose; Azerbaijani schwa is usually romanised as "a".
_FOLD = str.maketrans(
    {"\u0259": "a", "\u0131": "i", "\u0142": "l", "\u00f8": "o", "\u0111": "d", "\u00df": "ss"}
)
_ADMIN1_SUFFIXES = frozenset({"province", "marz", "region", "district", "rayon", "oblast"})
_COUNTRY_ALIASES = {"ARM": "AM", "AZE": "AZ", "GEO": "GE", "IRN": "IR", "TUR": "TR"}


def normalize_name(name: str) -> str:
    r"""Normalise a place name for matching.

    Case-folds, strips diacritics (Unicode NFKD), folds a few letters that
    NFKD keeps (schwa U+0259 to ``a``, dotless i U+0131 to ``i``, and ``l``,
    ``o``, ``d``, ``ss`` for U+0142, U+00F8, U+0111, U+00DF), drops apostrophes
    and modifier letters (U+0027, U+2018, U+2019, U+02BB, U+02BC ...), turns
    hyphens and dashes (Unicode category Pd) into spaces and collapses
    whitespace. Armenian and Cyrillic letters are kept as they are.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> normalize_name("Sot\u2019k\u2019")
    'sotk'
    >>> normalize_name("B\u0259s\u0259rke\u00e7\u0259r")
    'basarkecar'
    >>> normalize_name("Sisian\u2013Noravan  road")
    'sisian noravan road'
    """
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_FOLD)
    text = "".join(
        "" if ch in _APOSTROPHES else " " if unicodedata.category(ch) == "Pd" else ch for ch in text
    )
    return " ".join(text.split())


def _admin1_key(value: str) -> str:
    words = normalize_name(value).split()
    while len(words) > 1 and words[-1] in _ADMIN1_SUFFIXES:
        words.pop()
    return " ".join(words)


def _max_edits(key: str) -> int:
    """Edits a fuzzy match of the normalised query ``key`` may differ by."""
    return max(1, math.ceil(len(key) / FUZZY_LETTERS_PER_EDIT))


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance of ``a`` and ``b``, or ``limit + 1`` if larger.

    Counts insertions, deletions, substitutions and swaps of two neighbouring
    letters (Damerau-Levenshtein without editing a substring twice).
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


@dataclass(frozen=True)
class _Index:
    places: gpd.GeoDataFrame
    lon: np.ndarray
    lat: np.ndarray
    exact: dict[str, tuple[int, ...]]
    preferred: dict[str, tuple[int, ...]]
    variant: dict[str, tuple[int, ...]]
    all_names: tuple[tuple[str, int], ...]
    admin1: dict[str, str]
    admin1_of_row: tuple[frozenset[str], ...]
    countries: frozenset[str]


def _add(table: dict[str, set[int]], name: Any, row: int) -> None:
    if isinstance(name, str) and (key := normalize_name(name)):
        table.setdefault(key, set()).add(row)


@functools.cache
def _shipped_index() -> _Index:
    return _build_index(defaults.places(), defaults.aliases())


def _index(places: gpd.GeoDataFrame | None = None, aliases: pd.DataFrame | None = None) -> _Index:
    """Return the name index of the given tables (the shipped one is built once per process)."""
    if places is None and aliases is None:
        return _shipped_index()
    if aliases is None and places is not None:
        aliases = defaults.aliases().iloc[:0]  # the shipped aliases name shipped places only
    return _build_index(defaults.places(places), defaults.aliases(aliases))


def _build_index(places: gpd.GeoDataFrame, aliases: pd.DataFrame) -> _Index:
    require_crs(places, "places")  # a CRSError naming the fix, not geopandas' own
    places = places.to_crs(WGS84).reset_index(drop=True)
    exact: dict[str, set[int]] = {}
    preferred: dict[str, set[int]] = {}
    variant: dict[str, set[int]] = {}
    for row, (name, alternates) in enumerate(
        zip(places["name"], places["alternatenames"], strict=True)
    ):
        _add(exact, name, row)
        for alternate in str(alternates or "").split("|"):
            _add(variant, alternate, row)

    row_of_id = {place_id: row for row, place_id in enumerate(places["place_id"])}
    unknown = sorted(set(aliases["place_id"]) - set(row_of_id))
    if unknown:
        msg = (
            f"the place alias table names place_id values that are not in the gazetteer: "
            f"{unknown!r}. Fix data/places/aliases.csv."
        )
        raise DataFileError(msg)
    kinds = set(aliases["kind"]) - {"preferred", "alternate"}
    if kinds:
        msg = (
            f"the place alias table has unknown kind values {sorted(kinds)!r}; use "
            "'preferred' or 'alternate'. Fix data/places/aliases.csv."
        )
        raise DataFileError(msg)
    for name, place_id, kind in zip(
        aliases["alias"], aliases["place_id"], aliases["kind"], strict=True
    ):
        _add(preferred if kind == "preferred" else variant, name, row_of_id[place_id])

    # admin1 lookup: each ISO 3166-2 code maps to itself; each province name maps to the code
    # most of its places carry (GeoNames' admin-1 code and the polygon containing the point
    # can disagree near internal borders).
    votes: dict[str, collections.Counter[str]] = {}
    for iso, name in zip(places["admin1_iso"], places["admin1_name"], strict=True):
        if isinstance(iso, str) and iso and isinstance(name, str) and name:
            votes.setdefault(_admin1_key(name), collections.Counter())[iso] += 1
    admin1 = {key: max(sorted(count), key=count.__getitem__) for key, count in votes.items()}
    admin1.update(
        {_admin1_key(iso): iso for iso in set(places["admin1_iso"]) if isinstance(iso, str) and iso}
    )
    admin1_of_row = tuple(
        frozenset(
            code
            for code in (
                iso if isinstance(iso, str) else "",
                admin1.get(_admin1_key(name), "") if isinstance(name, str) else "",
            )
            if code
        )
        for iso, name in zip(places["admin1_iso"], places["admin1_name"], strict=True)
    )

    def frozen(table: dict[str, set[int]]) -> dict[str, tuple[int, ...]]:
        return {key: tuple(sorted(rows)) for key, rows in table.items()}

    all_names = sorted(
        {
            (key, row)
            for table in (exact, preferred, variant)
            for key, rows in table.items()
            for row in rows
        }
    )
    return _Index(
        places=places,
        lon=np.asarray(shapely.get_x(places.geometry.values), dtype=float),
        lat=np.asarray(shapely.get_y(places.geometry.values), dtype=float),
        exact=frozen(exact),
        preferred=frozen(preferred),
        variant=frozen(variant),
        all_names=tuple(all_names),
        admin1=admin1,
        admin1_of_row=admin1_of_row,
        countries=frozenset(places["country"]),
    )


def _resolve_country(country: str | None, index: _Index) -> str | None:
    if country is None:
        return None
    code = _COUNTRY_ALIASES.get(country.upper(), country.upper())
    if code not in index.countries:
        msg = (
            f"country must be one of {sorted(index.countries)!r} (ISO 3166-1 alpha-2; "
            f"alpha-3 such as 'ARM' also works) (got {country!r})."
        )
        raise ValueError(msg)
    return code


def _resolve_admin1(value: Any, index: _Index) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    code = index.admin1.get(_admin1_key(str(value)))
    if code is None:
        known = sorted(set(index.admin1.values()))
        msg = (
            f"admin1 must be an ISO 3166-2 code or a province name known to the gazetteer, "
            f"such as 'AM-SU' or 'Syunik' (got {value!r}). Known codes: {known!r}."
        )
        raise ValueError(msg)
    return code


def _match_one(
    query: Any,
    admin1: str | None,
    country: str | None,
    near: tuple[float, float] | None,
    near_km: float,
    index: _Index,
) -> tuple[str, float, tuple[int, ...], tuple[int, ...]]:
    """Return (match kind, score, matched rows, other candidate rows) for one query.

    The other candidates are, for a fuzzy match, the rows whose names also
    passed the fuzzy rule (best first); for ``not_found``, the rows whose names
    passed the ratio but were refused (more edits than allowed, or farther than
    ``near_km`` from ``near``), best first. Otherwise there are none.
    """
    if not isinstance(query, str) or not (key := normalize_name(query)):
        return "not_found", 0.0, (), ()

    def near_enough(row: int) -> bool:
        if near is None:
            return True
        _, _, metres = GEOD.inv(near[0], near[1], index.lon[row], index.lat[row])
        return bool(metres <= near_km * 1000.0)

    def allowed(row: int) -> bool:
        if country is not None and index.places.at[row, "country"] != country:
            return False
        return admin1 is None or admin1 in index.admin1_of_row[row]

    tiers = (("exact", index.exact), ("variant", index.preferred), ("variant", index.variant))
    for kind, table in tiers:
        rows = tuple(row for row in table.get(key, ()) if allowed(row) and near_enough(row))
        if rows:
            return (kind if len(rows) == 1 else "ambiguous"), 1.0, rows, ()

    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(key)
    limit = _max_edits(key)
    best: dict[int, float] = {}
    refused: dict[int, float] = {}
    for name, row in index.all_names:
        matcher.set_seq1(name)
        if (
            matcher.real_quick_ratio() >= FUZZY_CUTOFF
            and matcher.quick_ratio() >= FUZZY_CUTOFF
            and allowed(row)
        ):
            ratio = matcher.ratio()
            if ratio < FUZZY_CUTOFF:
                continue
            if _edit_distance(key, name, limit) <= limit and near_enough(row):
                best[row] = max(ratio, best.get(row, 0.0))
            else:
                refused[row] = max(ratio, refused.get(row, 0.0))

    def by_score(scores: dict[int, float]) -> list[int]:
        return sorted(scores, key=lambda row: (-scores[row], row))

    if not best:
        near_misses = tuple(by_score(refused)[:_MAX_NEAR_MISSES])
        return "not_found", 0.0, (), near_misses
    top = max(best.values())
    rows = tuple(sorted(row for row, ratio in best.items() if ratio == top))
    if len(rows) > 1:
        return "ambiguous", round(top, 6), rows, ()
    others = tuple(row for row in by_score(best) if row != rows[0])
    return "fuzzy", round(top, 6), rows, others


def _lonlat(value: Any) -> tuple[float, float] | None:
    """One ``near`` value as (lon, lat), None for a missing one; raise if unusable."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, shapely.Geometry):
        if value.is_empty:
            return None
        if not isinstance(value, shapely.Point):
            msg = f"near must hold points (got a {value.geom_type})."
            raise TypeError(msg)
        lon, lat = value.x, value.y
    elif _is_pair(value):
        lon, lat = (float(v) for v in value)
    else:
        msg = (
            "near must be a (lon, lat) pair in degrees, a shapely Point, or one of these "
            f"(or None) per name (got {value!r})."
        )
        raise TypeError(msg)
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        msg = (
            "near must be a (lon, lat) point in degrees (EPSG:4326), longitude first "
            f"(got ({lon!r}, {lat!r}))."
        )
        raise ValueError(msg)
    return lon, lat


def _is_pair(value: Any) -> bool:
    return (
        isinstance(value, (tuple, list, np.ndarray))
        and len(value) == 2
        and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value)
    )


def _near_points(near: Any, n: int) -> list[tuple[float, float] | None]:
    """``near`` as one (lon, lat) or None per name."""
    if near is None:
        return [None] * n
    if isinstance(near, (gpd.GeoSeries, gpd.GeoDataFrame)):
        lon, lat = point_lonlat(near, "near")
        values: list[Any] = [
            None if math.isnan(x) else (float(x), float(y)) for x, y in zip(lon, lat, strict=True)
        ]
    elif isinstance(near, shapely.Geometry) or _is_pair(near):
        return [_lonlat(near)] * n
    elif isinstance(near, str) or not isinstance(near, Iterable):
        return [_lonlat(near)] * n  # raises the TypeError that says what near may be
    else:
        values = list(near)
    if len(values) != n:
        msg = (
            f"near must be one (lon, lat) point for all names or have one per name ({n}) "
            f"(got {len(values)})."
        )
        raise ValueError(msg)
    return [_lonlat(value) for value in values]


def _as_series(names: str | Sequence[str] | pd.Series | Iterable[str]) -> pd.Series:
    if isinstance(names, str):
        return pd.Series([names], dtype=object)
    if isinstance(names, pd.Series):
        return names
    return pd.Series(list(names), dtype=object)


def _broadcast(value: Any, n: int, label: str) -> list[Any]:
    if value is None or isinstance(value, str):
        return [value] * n
    values = list(value)
    if len(values) != n:
        msg = f"{label} must be a string or have one value per name ({n}) (got {len(values)})."
        raise ValueError(msg)
    return values


def _errors_option(errors: Any) -> str:
    """Check ``errors``; ``'ignore'`` (its name before 0.2) becomes ``'collect'`` (warns)."""
    if errors == "ignore":
        warnings.warn(
            "geocode(errors='ignore') is deprecated and will be removed in borderstrikes 0.3; "
            "use errors='collect' (the same behaviour).",
            FutureWarning,
            stacklevel=3,
        )
        return "collect"
    return check_option(errors, "errors", ("collect", "raise"))


def _raise_unresolved(result: gpd.GeoDataFrame) -> None:
    """Raise PlaceNotFoundError naming every name not found or ambiguous, if any."""
    unresolved = result["match"].isin(["not_found", "ambiguous"])
    if unresolved.any():
        missing = result.loc[result["match"] == "not_found", "query"].tolist()
        ambiguous = {
            row.query: row.candidates
            for row in result.loc[result["match"] == "ambiguous"].itertuples()
        }
        msg = (
            f"could not resolve {int(unresolved.sum())} of {len(result)} place names: "
            f"not found {missing!r}; ambiguous {ambiguous!r}. Check the spelling, pass "
            "admin1= (an ISO 3166-2 code such as 'AM-SU' or a province name) to choose "
            "between homonyms, or use errors='collect' to get match='not_found' rows."
        )
        raise PlaceNotFoundError(msg)


def geocode(
    names: str | Sequence[str] | pd.Series,
    *,
    admin1: str | Sequence[str | None] | pd.Series | None = None,
    country: str | None = None,
    near: Any = None,
    near_km: float = NEAR_KM,
    errors: Literal["collect", "raise"] = "collect",
    places: gpd.GeoDataFrame | None = None,
    aliases: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Resolve place names to gazetteer places and points.

    Parameters
    ----------
    names : str, list of str or pandas.Series
        Place names in any spelling the gazetteer knows: primary names,
        transliterations, Armenian, Russian or Azerbaijani spellings.
    admin1 : str or sequence of str, optional
        First-level unit that the place must lie in, as an ISO 3166-2 code
        (``"AM-SU"``) or a name (``"Syunik"``, ``"Syunik Province"``); one
        value for all names or one per name (``None`` for no constraint).
        Use it to choose between homonyms.
    country : str, optional
        ISO 3166-1 code of the country the place must lie in (``"AM"`` or
        ``"ARM"``).
    near : (lon, lat) or shapely.geometry.Point, or a sequence of them, optional
        Where the place is expected, in degrees (EPSG:4326), longitude first:
        one point for all names, or one per name (``None`` for no
        constraint); a GeoSeries is converted from its CRS. A place farther
        than ``near_km`` from it is never returned, in any tier: an exact name
        beyond it is not found, and of homonyms only those within it remain.
    near_km : float, default :data:`NEAR_KM` (25 km)
        Geodesic distance from ``near`` within which the place must lie.
    errors : {'collect', 'raise'}, default 'collect'
        What to do with a name that is not found or stays ambiguous: keep it
        as a row whose ``match`` says so (``'collect'``, the meaning
        ``errors=`` has everywhere in borderstrikes), or raise
        :class:`~borderstrikes.errors.PlaceNotFoundError` (``'raise'``).
        ``'ignore'``, the name before 0.2, still works with a FutureWarning.
    places : geopandas.GeoDataFrame, optional
        Your own gazetteer in the schema of
        :func:`borderstrikes.datasets.load_places` (``place_id``, ``name``,
        ``alternatenames``, ``admin1_iso``, ``admin1_name``, ``country``,
        ``population``, points with a CRS). Default: the shipped one.
    aliases : pandas.DataFrame, optional
        Alias table in the schema of
        :func:`borderstrikes.datasets.load_place_aliases`. Default: the shipped
        aliases with the shipped places, none with your own ``places``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per name, with the index of ``names`` (a new ``RangeIndex``
        for a str or list), in EPSG:4326. Columns: ``query`` (the input),
        ``name``, ``place_id`` (``"geonames:<id>"`` or ``"sup:<slug>"``),
        ``admin1_iso``, ``admin1_name``, ``country``, ``population`` (Int64,
        may be missing), ``match`` (one of :data:`MATCH_KINDS`), ``score``
        (similarity of the matched name, 0-1: 1.0 for exact and variant
        matches, the :class:`difflib.SequenceMatcher` ratio for a fuzzy one,
        0.0 when not found), ``candidates`` (a list of place ids: for
        ``ambiguous``, the places it could be; for ``fuzzy``, the other
        places whose names also passed the fuzzy rule, most similar first;
        for ``not_found``, up to five places whose names came close (ratio
        at least :data:`FUZZY_CUTOFF`) but were refused, for more edits than
        allowed or lying farther than ``near_km`` from ``near``, most similar
        first; else empty) and point geometry (``None`` when not found or
        ambiguous).

    Raises
    ------
    PlaceNotFoundError
        With ``errors='raise'``, if any name is not found or ambiguous; the
        message lists them.
    ValueError
        If ``admin1``, ``country``, ``near``, ``near_km`` or ``errors`` has an
        unknown value.
    TypeError
        If ``near`` holds something other than points or (lon, lat) pairs.

    See Also
    --------
    normalize_name : the normalisation applied before matching.
    borderstrikes.datasets.load_places : the gazetteer itself.

    Notes
    -----
    Primary names win over variants, so ``"Jermuk"`` is the Vayots Dzor town
    even though GeoNames also lists "Jermuk" as a former name of Mets Sepasar
    (Shirak). The fuzzy tier compares normalised names with
    :class:`difflib.SequenceMatcher` and counts their edits; it accepts
    single-letter slips (``"Mets Masrikh"`` finds Mets Masrik) but not a
    missing word (``"Shorzha"`` does not match Verin Shorzha) nor two slips
    in a short name: ``"Artsvashen"``, a village the gazetteer lacks, is not
    found rather than matched to Bardzrashen ("Bartsrashen", ratio 0.86 but
    two edits, 100 km away), which it lists in ``candidates``. A name the
    gazetteer lacks can still find a similar name of another place; pass
    ``admin1=`` or ``near=`` when the place's whereabouts are known, so that
    such a match is refused.

    Examples
    --------
    >>> from borderstrikes.gazetteer import geocode
    >>> geocode(["Dzhermuk"]).loc[0, "name"]
    'Jermuk'
    >>> found = geocode(["Kafan", "Verin Shorja", "Vardenis"], admin1=["Syunik", None, "AM-GR"])
    >>> found[["name", "place_id", "match"]]
                name           place_id    match
    0          Kapan    geonames:174875  variant
    1  Verin Shorzha  sup:verin-shorzha  variant
    2       Vardenis    geonames:616108    exact
    >>> geocode("Atlantis").loc[0, "match"]
    'not_found'
    >>> geocode("Akner").loc[0, ["match", "candidates"]].tolist()
    ['ambiguous', ['geonames:174941', 'geonames:616984']]
    >>> geocode("Vardenis", near=(45.73, 40.18)).loc[0, ["name", "admin1_iso"]].tolist()
    ['Vardenis', 'AM-GR']
    >>> geocode("Artsvashen").loc[0, ["match", "candidates"]].tolist()
    ['not_found', ['geonames:793672']]
    """
    errors = _errors_option(errors)
    queries = _as_series(names)
    index = _index(places, aliases)
    country_code = _resolve_country(country, index)
    admin1_values = _broadcast(admin1, len(queries), "admin1")
    admin1_codes = [_resolve_admin1(value, index) for value in admin1_values]
    near_points = _near_points(near, len(queries))
    near_km = check_number(near_km, "near_km", unit="km")

    places = index.places
    records: list[dict[str, Any]] = []
    geometries: list[Any] = []
    cache: dict[tuple[Any, ...], tuple[str, float, tuple[int, ...], tuple[int, ...]]] = {}
    for query, code, point in zip(queries.tolist(), admin1_codes, near_points, strict=True):
        key = (query if isinstance(query, str) else None, code, point)
        if key not in cache:
            cache[key] = _match_one(query, code, country_code, point, near_km, index)
        kind, score, rows, others = cache[key]
        record: dict[str, Any] = dict.fromkeys(OUTPUT_COLUMNS)
        record.update(query=query, match=kind, score=score, candidates=[])
        geometry = None
        if kind == "ambiguous":
            record["candidates"] = sorted(places.loc[list(rows), "place_id"])
        else:
            record["candidates"] = places.loc[list(others), "place_id"].tolist()
        if kind not in {"ambiguous", "not_found"}:
            place = places.loc[rows[0]]
            for column in ("name", "place_id", "admin1_iso", "admin1_name", "country"):
                record[column] = place[column]
            record["population"] = place["population"]
            geometry = place.geometry
        records.append(record)
        geometries.append(geometry)

    table = pd.DataFrame.from_records(records, columns=OUTPUT_COLUMNS, index=queries.index)
    table["population"] = pd.array(
        [None if pd.isna(v) else int(v) for v in table["population"]], dtype="Int64"
    )
    table["score"] = table["score"].astype("float64")
    result = gpd.GeoDataFrame(table, geometry=geometries, crs=WGS84)

    if errors == "raise":
        _raise_unresolved(result)
    return result
