"""Who lives within reach: settlements and population near strikes and near the line.

:func:`strike_exposure` counts the settlements of a gazetteer, and their population,
within given geodesic radii of each strike, or of each cluster of strikes
(a settlement counted once however many of the cluster's strikes reach it),
as an interval that carries each report's location radius.
:func:`exposure_rings` gives the matching discs for maps.
:func:`settlement_exposure` lists the settlements of a country by distance
band from the line, with the reports that name them;
:func:`band_summary` totals that list per band.

A settlement whose population the gazetteer does not give is counted as a
settlement of unknown population: sums of population are then lower bounds,
and say so, never a zero.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes import defaults
from borderstrikes._core.constants import WGS84
from borderstrikes._core.validate import (
    as_geoseries,
    check_number,
    location_radii_m,
    point_lonlat,
)
from borderstrikes.border import distance_to_border
from borderstrikes.geodesy.azimuth import inverse, wedge_rings
from borderstrikes.strikes import EVIDENCE_KINDS

__all__ = [
    "SETTLEMENT_FEATURES",
    "band_summary",
    "exposure_rings",
    "settlement_exposure",
    "strike_exposure",
]

_BLOCK = 2_000_000  # pairs of (strike, place) measured at once


def _radii(radii_km: Any) -> list[float]:
    values = [radii_km] if np.ndim(radii_km) == 0 else list(radii_km)
    if not values:
        msg = "radii_km must hold at least one radius."
        raise ValueError(msg)
    return sorted({check_number(r, "radii_km", unit="km") for r in values})


def _pair_distances_m(
    lon: np.ndarray, lat: np.ndarray, plon: np.ndarray, plat: np.ndarray, reach_m: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per strike: indices of places within ``reach_m`` and their geodesic distances (m)."""
    out: list[tuple[np.ndarray, np.ndarray]] = []
    # a cheap prefilter: 1 degree of latitude > 110 km, of longitude > 111 km * cos(lat)
    for i in range(lon.size):
        if not (np.isfinite(lon[i]) and np.isfinite(lat[i])):
            out.append((np.empty(0, dtype=np.int64), np.empty(0)))
            continue
        dlat = reach_m[i] / 110_000.0 + 1e-9
        dlon = dlat / max(np.cos(np.radians(min(abs(lat[i]) + dlat, 89.9))), 1e-6)
        near = np.flatnonzero(
            (np.abs(plat - lat[i]) <= dlat)
            & (np.abs(np.mod(plon - lon[i] + 180.0, 360.0) - 180.0) <= dlon)
        )
        if near.size == 0:
            out.append((near, np.empty(0)))
            continue
        _, _, dist = inverse(lon[i], lat[i], plon[near], plat[near])
        keep = dist <= reach_m[i]
        out.append((near[keep], dist[keep]))
    return out


#: Values of a gazetteer's ``feature`` column that are settlements (a missing value counts too).
SETTLEMENT_FEATURES = ("village", "town", "city", "settlement", "hamlet")


def _settlements(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep the settlements of a gazetteer: all rows, unless a ``feature`` column says not."""
    if "feature" not in places.columns:
        return places
    feature = places["feature"].astype(object)
    keep = feature.isna() | feature.isin(["", *SETTLEMENT_FEATURES])
    return places[keep.to_numpy()]


def _population(places: gpd.GeoDataFrame) -> np.ndarray:
    if "population" not in places.columns:
        return np.full(len(places), np.nan)
    pop = pd.to_numeric(places["population"], errors="coerce").to_numpy(dtype=float)
    return np.where(pop > 0, pop, np.nan)  # 0 in a gazetteer means "not known", not nobody


def _label(radius: float) -> str:
    return f"{radius:g}km"


def strike_exposure(
    strikes: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    radii_km: Any = (1, 2, 5),
    by: Any = None,
    places: gpd.GeoDataFrame | None = None,
    location_radius_m: Any = "location_radius_m",
) -> pd.DataFrame:
    """Settlements and population within given geodesic radii of each strike or cluster.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame or geopandas.GeoSeries
        Strike points in any CRS.
    radii_km : float or sequence of float, default (1, 2, 5)
        Radii, km.
    by : str or array-like, optional
        Group the strikes (a column name, or one label per strike, e.g. the
        labels of :func:`~borderstrikes.cluster_strikes`): one row per group,
        each settlement counted once in a group. Default: one row per strike.
        Strikes with a missing label are left out.
    places : geopandas.GeoDataFrame, optional
        Settlements (points, any CRS) with a ``population`` column (missing or
        0 = unknown). With a ``feature`` column, only rows whose feature is
        missing or one of :data:`SETTLEMENT_FEATURES` count (not reservoirs,
        lakes or roads). Default: the shipped gazetteer.
    location_radius_m : str, float or sequence, default 'location_radius_m'
        How far (m) from its point each strike may really be: a column, one
        number, or one per strike (missing = 0).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``strikes`` (or by group label, sorted), with for each
        radius R (column suffix ``_<R>km``):

        - ``places_min`` / ``places_max`` (int): settlements within R
          wherever in its location radius each strike was (distance + radius
          <= R) / for some position in it (distance - radius <= R);
        - ``population_min`` / ``population_max`` (float): summed known
          population of those settlements;
        - ``unknown_min`` / ``unknown_max`` (int): how many of them have no
          known population, so the sums are lower bounds when these are > 0;
        - ``population`` (object): the interval in words, e.g.
          ``"4,095-5,170 (+1 place of unknown population)"``.

        And ``n_strikes`` (strikes in the row).

    Notes
    -----
    Distances are geodesic (WGS84) from each strike point to each settlement
    point; a settlement is a point, so its own extent is not counted. A
    settlement within reach of several strikes of a group is counted once:
    the population of a group is that of the union of its strikes' discs.

    Examples
    --------
    >>> strikes = bs.load_strikes().set_index("report_id")
    >>> table = strike_exposure(strikes, radii_km=[5])
    >>> int(table.loc["SR077", "places_min_5km"]) >= 1
    True
    >>> table.loc["SR077", "population_5km"]
    '4,095-5,029'
    """
    radii = _radii(radii_km)
    lon, lat = point_lonlat(strikes, "strikes")
    index = as_geoseries(strikes, "strikes").index
    loc_m = location_radii_m(strikes, location_radius_m, lon.size)
    gazetteer = _settlements(defaults.places(places))
    plon, plat = point_lonlat(gazetteer, "places")
    pop = _population(gazetteer)
    reach = max(radii) * 1000.0 + loc_m
    pairs = _pair_distances_m(lon, lat, plon, plat, reach)
    if by is None:
        groups: list[tuple[Any, list[int]]] = [(label, [i]) for i, label in enumerate(index)]
    else:
        if isinstance(by, str) and isinstance(strikes, pd.DataFrame) and by in strikes.columns:
            labels = list(strikes[by])
        else:
            labels = list(by)
            if len(labels) != lon.size:
                msg = f"by must be a column name or one label per strike ({lon.size})."
                raise ValueError(msg)
        found: dict[Any, list[int]] = {}
        for i, label in enumerate(labels):
            if label is None or (isinstance(label, float) and np.isnan(label)):
                continue
            found.setdefault(label, []).append(i)
        groups = [(k, v) for k, v in sorted(found.items(), key=_sort_key)]
    rows = []
    for _, members in groups:
        row: dict[str, Any] = {"n_strikes": len(members)}
        for radius in radii:
            r_m = radius * 1000.0
            sure: set[int] = set()
            maybe: set[int] = set()
            for i in members:
                idx, dist = pairs[i]
                sure.update(idx[dist + loc_m[i] <= r_m].tolist())
                maybe.update(idx[dist - loc_m[i] <= r_m].tolist())
            row.update(_counts(sure, maybe, pop, _label(radius)))
        rows.append(row)
    columns = ["n_strikes"] + [
        f"{name}_{_label(r)}"
        for r in radii
        for name in (
            "places_min",
            "places_max",
            "population_min",
            "population_max",
            "unknown_min",
            "unknown_max",
            "population",
        )
    ]
    text = {f"population_{_label(r)}" for r in radii}
    frame = pd.DataFrame(
        {
            c: pd.Series(
                [r[c] for r in rows],
                dtype=object if c in text else (float if c.startswith("population") else np.int64),
            )
            for c in columns
        }
    )
    frame.index = index.copy() if by is None else pd.Index([k for k, _ in groups], name="group")
    return frame


def _sort_key(item: tuple[Any, list[int]]) -> tuple[int, Any]:
    key = item[0]
    return (0, key) if isinstance(key, (int, float, np.integer, np.floating)) else (1, str(key))


def _counts(sure: set[int], maybe: set[int], pop: np.ndarray, suffix: str) -> dict[str, Any]:
    lo = np.fromiter(sure, dtype=np.int64, count=len(sure))
    hi = np.fromiter(maybe, dtype=np.int64, count=len(maybe))
    pop_lo = float(np.nansum(pop[lo])) if lo.size else 0.0
    pop_hi = float(np.nansum(pop[hi])) if hi.size else 0.0
    unknown_lo = int(np.isnan(pop[lo]).sum()) if lo.size else 0
    unknown_hi = int(np.isnan(pop[hi]).sum()) if hi.size else 0
    plural = "place" if unknown_hi == 1 else "places"
    if hi.size == 0:
        text = "no settlement"
    elif pop_hi == 0:
        text = f"unknown ({unknown_hi} {plural} of unknown population)"
    else:
        text = f"{pop_lo:,.0f}-{pop_hi:,.0f}"
        if unknown_hi:
            text += f" (+{unknown_hi} {plural} of unknown population)"
    return {
        f"places_min_{suffix}": lo.size,
        f"places_max_{suffix}": hi.size,
        f"population_min_{suffix}": pop_lo,
        f"population_max_{suffix}": pop_hi,
        f"unknown_min_{suffix}": unknown_lo,
        f"unknown_max_{suffix}": unknown_hi,
        f"population_{suffix}": text,
    }


def exposure_rings(
    strikes: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    radii_km: Any = (1, 2, 5),
    step_m: float = 100.0,
) -> gpd.GeoDataFrame:
    """Geodesic discs of the given radii around each strike, for maps.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, one row per strike and radius (largest first, so smaller
        discs draw on top): ``strike`` (the strike's index label),
        ``radius_km`` and Polygon geometry. Missing points give no row.

    Examples
    --------
    >>> import geopandas
    >>> from shapely.geometry import Point
    >>> crater = geopandas.GeoSeries([Point(45.69, 39.84)], index=["x"], crs="EPSG:4326")
    >>> exposure_rings(crater, radii_km=[1, 5])[["strike", "radius_km"]].values.tolist()
    [['x', 5.0], ['x', 1.0]]
    """
    radii = _radii(radii_km)[::-1]
    step_m = check_number(step_m, "step_m", unit="metres")
    lon, lat = point_lonlat(strikes, "strikes")
    index = as_geoseries(strikes, "strikes").index
    labels, sizes, geoms = [], [], []
    for label, x, y in zip(index, lon, lat, strict=True):
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        for radius in radii:
            shell, _ = wedge_rings(x, y, 0.0, 360.0, radius * 1000.0, step_m=step_m)
            labels.append(label)
            sizes.append(radius)
            geoms.append(shapely.Polygon(shell))
    table = pd.DataFrame(
        {"strike": pd.Series(labels, dtype=object), "radius_km": pd.Series(sizes, dtype=float)}
    )
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, index=table.index), crs=WGS84)


def _band_labels(bands_km: Sequence[float]) -> list[str]:
    return [f"{a:g}-{b:g} km" for a, b in itertools.pairwise(bands_km)]


def settlement_exposure(
    strikes: gpd.GeoDataFrame | None = None,
    *,
    bands_km: Sequence[float] = (0, 5, 20),
    places: gpd.GeoDataFrame | None = None,
    border: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    country: str = defaults.COUNTRY,
    place_radius_km: float = 1.0,
    match_km: float = 1.0,
) -> pd.DataFrame:
    """Settlements of a country by distance band from the line, with the reports naming them.

    Parameters
    ----------
    strikes : geopandas.GeoDataFrame, optional
        Reports (points, any CRS) with ``report_id`` and ``evidence`` columns
        when available. Default: the shipped reports.
    bands_km : sequence of float, default (0, 5, 20)
        Increasing band edges, km (UNHCR and REACH report 0-5 and 5-20 km).
    places : geopandas.GeoDataFrame, optional
        Settlements with ``place_id``, ``name``, ``admin1_name``,
        ``population``, ``source`` and ``feature`` columns (any may be
        missing; see :func:`strike_exposure` for ``feature``). Default: the
        shipped gazetteer.
    border, countries : geopandas.GeoDataFrame, optional
        The line and the country polygons (default: shipped).
    country : str, default 'ARM'
        ISO3 code of the country whose settlements are listed.
    place_radius_km : float, default 1
        How far a settlement's point may be from where it really is (or how
        far the settlement extends): the distance interval.
    match_km : float, default 1
        A report belongs to the nearest settlement within this distance of
        its point.

    Returns
    -------
    pandas.DataFrame
        One row per settlement of ``country`` within the outer band, sorted by
        distance, indexed by ``place_id``: ``name``, ``admin1_name``,
        ``population`` (float, NaN when unknown), ``population_source``
        (the gazetteer's source, or ``"unknown"``), ``distance_km``,
        ``distance_min_km``/``distance_max_km`` (± ``place_radius_km``, never
        below 0), ``band`` (by ``distance_km``), ``band_certain`` (whether
        the whole interval is in the band), ``reports`` (int),
        ``report_ids`` (``;``-joined) and ``strongest_evidence`` (first of
        :data:`borderstrikes.strikes.EVIDENCE_KINDS` (strongest
        first) among them, None if no report).

    Examples
    --------
    >>> table = settlement_exposure()
    >>> row = table[table["name"] == "Jermuk"].iloc[0]
    >>> row["band"], int(row["reports"]), row["strongest_evidence"]
    ('5-20 km', 11, 'impact')
    """
    edges = [check_number(b, "bands_km", unit="km", strict=False) for b in bands_km]
    if len(edges) < 2 or any(b <= a for a, b in itertools.pairwise(edges)):
        msg = f"bands_km must be at least two increasing edges (got {list(bands_km)!r})."
        raise ValueError(msg)
    place_radius_km = check_number(place_radius_km, "place_radius_km", unit="km", strict=False)
    match_km = check_number(match_km, "match_km", unit="km", strict=False)
    gazetteer = _settlements(defaults.places(places))
    reports = defaults.strikes(strikes)
    dist = distance_to_border(gazetteer, border, signed=True, country=country, countries=countries)
    inside = (dist["side"] == country).to_numpy() & (dist["distance_km"] < edges[-1]).to_numpy()
    inside &= (dist["distance_km"] >= edges[0]).to_numpy()
    labels = _band_labels(edges)
    d = dist["distance_km"].to_numpy()
    band_idx = np.clip(np.searchsorted(edges, d, side="right") - 1, 0, len(labels) - 1)
    low = np.maximum(d - place_radius_km, 0.0)
    high = d + place_radius_km
    certain = (low >= np.asarray(edges)[band_idx]) & (high < np.asarray(edges)[band_idx + 1])
    pop = _population(gazetteer)
    source = list(gazetteer["source"]) if "source" in gazetteer.columns else [None] * len(gazetteer)
    matched = _match_reports(reports, gazetteer, match_km)
    ids = list(gazetteer["place_id"]) if "place_id" in gazetteer.columns else list(gazetteer.index)
    rows = []
    for j in np.flatnonzero(inside):
        found = matched.get(j, [])
        kinds = {kind for _, kind in found}
        strongest = next((k for k in EVIDENCE_KINDS if k in kinds), None)
        rows.append(
            {
                "place_id": ids[j],
                "name": _get(gazetteer, "name", j),
                "admin1_name": _get(gazetteer, "admin1_name", j),
                "population": pop[j],
                "population_source": source[j] if np.isfinite(pop[j]) else "unknown",
                "distance_km": d[j],
                "distance_min_km": low[j],
                "distance_max_km": high[j],
                "band": labels[band_idx[j]],
                "band_certain": bool(certain[j]),
                "reports": len(found),
                "report_ids": ";".join(str(r) for r, _ in found),
                "strongest_evidence": strongest or (min(map(str, kinds)) if kinds else None),
            }
        )
    columns = [
        "place_id", "name", "admin1_name", "population", "population_source", "distance_km",
        "distance_min_km", "distance_max_km", "band", "band_certain", "reports", "report_ids",
        "strongest_evidence",
    ]  # fmt: skip
    dtypes = {
        "population": float,
        "distance_km": float,
        "distance_min_km": float,
        "distance_max_km": float,
        "band_certain": bool,
        "reports": np.int64,
    }
    table = pd.DataFrame(
        {c: pd.Series([r[c] for r in rows], dtype=dtypes.get(c, object)) for c in columns}
    )
    table = table.sort_values(["distance_km", "place_id"], kind="stable").set_index("place_id")
    table.attrs["bands_km"] = edges
    table.attrs["provenance"] = list(getattr(gazetteer, "attrs", {}).get("provenance", []))
    return table


def _get(frame: pd.DataFrame, column: str, j: int) -> Any:
    return frame[column].iloc[j] if column in frame.columns else None


def _match_reports(
    reports: gpd.GeoDataFrame, places: gpd.GeoDataFrame, match_km: float
) -> dict[int, list[tuple[Any, Any]]]:
    """Place row -> [(report id, evidence)] for reports whose nearest place is within match_km."""
    if len(reports) == 0:
        return {}
    lon, lat = point_lonlat(reports, "strikes")
    plon, plat = point_lonlat(places, "places")
    reach = np.full(lon.size, match_km * 1000.0)
    pairs = _pair_distances_m(lon, lat, plon, plat, reach)
    ids = list(reports["report_id"]) if "report_id" in reports.columns else list(reports.index)
    evidence = list(reports["evidence"]) if "evidence" in reports.columns else [None] * lon.size
    out: dict[int, list[tuple[Any, Any]]] = {}
    for i, (idx, dist) in enumerate(pairs):
        if idx.size:
            out.setdefault(int(idx[np.argmin(dist)]), []).append((ids[i], evidence[i]))
    return out


def band_summary(settlements: pd.DataFrame, *, by: str | None = "admin1_name") -> pd.DataFrame:
    """Totals of :func:`settlement_exposure` per distance band (and per unit).

    Parameters
    ----------
    settlements : pandas.DataFrame
        The output of :func:`settlement_exposure`.
    by : str or None, default 'admin1_name'
        A column to break the bands down by, or None for bands only.

    Returns
    -------
    pandas.DataFrame
        One row per (unit,) band: ``settlements``, ``with_reports``,
        ``population_known`` (sum of known populations), ``unknown``
        (settlements of unknown population) and ``population`` in words:
        ``"12,345"`` or ``"at least 12,345 (+2 of unknown population)"``.

    Examples
    --------
    >>> table = band_summary(settlement_exposure(), by=None)
    >>> list(table.index)
    ['0-5 km', '5-20 km']
    """
    keys = ["band"] if by is None else [by, "band"]
    grouped = settlements.groupby(keys, sort=True, dropna=False)
    table = pd.DataFrame(
        {
            "settlements": grouped.size(),
            "with_reports": grouped["reports"].apply(lambda s: int((s > 0).sum())),
            "population_known": grouped["population"].sum(min_count=0),
            "unknown": grouped["population"].apply(lambda s: int(s.isna().sum())),
        }
    )

    def words(row: pd.Series) -> str:
        known = f"{row['population_known']:,.0f}"
        if row["unknown"]:
            return f"at least {known} (+{int(row['unknown'])} of unknown population)"
        return known

    table["population"] = pd.Series(
        [words(r) for _, r in table.iterrows()], index=table.index, dtype=object
    )
    return table
