"""Could that weapon reach? Range rings and range feasibility against a cited weapon table.

:func:`weapon_range` looks a weapon up in the cited table
(:func:`borderstrikes.datasets.load_weapons`); :func:`range_rings` draws the
geodesic disc or annulus a weapon reaches from each point; :func:`range_check`
sets each report's distance from the line (or from claimed firing positions)
against the weapon's range, with the report's location radius carried as an
interval, and says how far forward of the line the weapon must have stood.
"""

from __future__ import annotations

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
    to_wgs84,
)
from borderstrikes.border import distance_to_border
from borderstrikes.errors import GeometryError
from borderstrikes.geodesy.azimuth import inverse, wedge_rings

__all__ = ["VERDICTS", "range_check", "range_rings", "weapon_range"]

#: The verdicts of :func:`range_check`, from most to least feasible.
VERDICTS = ("in_range", "depends_on_location", "only_from_forward", "out_of_range", "too_close")


def weapon_range(weapon: str, *, weapons: pd.DataFrame | None = None) -> pd.Series:
    """Look a weapon up in the cited weapon table.

    Parameters
    ----------
    weapon : str
        A ``weapon_id`` (``"mortar_120_2s12"``) or one of the ``aliases`` of
        a row (case-insensitive, e.g. ``"120 mm mortar"``, ``"D-30"``).
    weapons : pandas.DataFrame, optional
        A table in the schema of ``data/WEAPONS_SCHEMA.md``, indexed by
        ``weapon_id``. Default: the shipped table.

    Returns
    -------
    pandas.Series
        The table's row, named by its ``weapon_id``.

    Raises
    ------
    ValueError
        If no row (or more than one) matches; the message lists the ids.

    Examples
    --------
    >>> row = weapon_range("120 mm mortar")
    >>> row.name, float(row["max_range_km"])
    ('mortar_120_2s12', 7.1)
    """
    table = defaults.weapons(weapons)
    if not isinstance(weapon, str):
        msg = f"weapon must be a weapon_id or alias string (got {weapon!r})."
        raise ValueError(msg)
    key = weapon.strip().lower()
    ids = [str(i) for i in table.index]
    hits = [i for i in ids if i.lower() == key]
    if not hits and "aliases" in table.columns:
        hits = [
            i
            for i, aliases in zip(ids, table["aliases"], strict=True)
            if key in {a.strip().lower() for a in str(aliases).split("|") if a.strip()}
        ]
    if len(hits) != 1:
        what = "no weapon" if not hits else f"several weapons {hits!r}"
        msg = (
            f"weapon must name one row of the weapon table; {weapon!r} matches {what}. "
            f"Use a weapon_id: {ids!r}."
        )
        raise ValueError(msg)
    return table.loc[hits[0]]


def _range_km(
    weapon: Any, weapons: pd.DataFrame | None, extended: bool
) -> tuple[str, float, float]:
    """(label, min km, max km) of a weapon name or a (min, max) pair of km."""
    if isinstance(weapon, tuple):
        if len(weapon) != 2:
            msg = f"weapon as numbers must be (min_range_km, max_range_km) (got {weapon!r})."
            raise ValueError(msg)
        r1 = check_number(weapon[1], "max_range_km", unit="km")
        r0 = check_number(weapon[0], "min_range_km", unit="km", strict=False, maximum=r1)
        return f"{r0:g}-{r1:g} km", r0, r1
    row = weapon_range(weapon, weapons=weapons)
    r1 = float(row["max_range_km"])
    if extended and np.isfinite(row.get("max_range_extended_km", np.nan)):
        r1 = float(row["max_range_extended_km"])
    r0 = float(row["min_range_km"]) if np.isfinite(row["min_range_km"]) else 0.0
    return str(row.name), r0, r1


def range_rings(
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    weapon: Any,
    weapons: pd.DataFrame | None = None,
    extended: bool = False,
    step_m: float = 250.0,
) -> gpd.GeoDataFrame:
    """Draw the geodesic disc (or annulus, with a minimum range) a weapon reaches from points.

    Parameters
    ----------
    points : geopandas.GeoDataFrame or geopandas.GeoSeries
        Points in any CRS (weapon positions, or impacts: the ring is then
        where the weapon could have stood).
    weapon : str or tuple of float
        A ``weapon_id`` or alias of the weapon table, or ``(min_km, max_km)``.
    weapons : pandas.DataFrame, optional
        The weapon table; default the shipped one.
    extended : bool, default False
        Use ``max_range_extended_km`` (extended-range ammunition) where the
        table gives one.
    step_m : float, default 250
        Largest spacing of the outline's vertices.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, indexed like ``points``: ``weapon``, ``min_range_km``,
        ``max_range_km`` and Polygon geometry (None for a missing point).

    Examples
    --------
    >>> import geopandas
    >>> from shapely.geometry import Point
    >>> goris = geopandas.GeoSeries([Point(46.3383, 39.5111)], crs="EPSG:4326")
    >>> ring = range_rings(goris, weapon="BM-21").iloc[0]
    >>> ring["weapon"], float(ring["min_range_km"]), float(ring["max_range_km"])
    ('mrl_122_bm21', 1.6, 20.0)
    >>> len(ring.geometry.interiors)
    1
    """
    label, r0, r1 = _range_km(weapon, weapons, extended)
    step_m = check_number(step_m, "step_m", unit="metres")
    lon, lat = point_lonlat(points, "points")
    geoms = []
    for x, y in zip(lon, lat, strict=True):
        if not (np.isfinite(x) and np.isfinite(y)):
            geoms.append(None)
            continue
        shell, hole = wedge_rings(x, y, 0.0, 360.0, r1 * 1000.0, min_m=r0 * 1000.0, step_m=step_m)
        geoms.append(shapely.Polygon(shell, None if hole is None else [hole]))
    index = as_geoseries(points, "points").index.copy()
    table = pd.DataFrame(
        {"weapon": label, "min_range_km": r0, "max_range_km": r1}, index=index
    ).astype({"weapon": object})
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, index=index), crs=WGS84)


def _distance_to_positions_m(
    lon: np.ndarray, lat: np.ndarray, positions: Any, paired: bool
) -> np.ndarray:
    """Geodesic distance (m) from each point to the nearest position (or its paired one)."""
    plon, plat = point_lonlat(positions, "from_")
    if paired:
        if plon.size != lon.size:
            msg = (
                f"with paired=True, from_ must hold one position per report ({lon.size}); "
                f"got {plon.size}."
            )
            raise ValueError(msg)
        return inverse(lon, lat, plon, plat)[2]
    ok = np.isfinite(plon) & np.isfinite(plat)
    if not ok.any():
        return np.full(lon.size, np.nan)
    _, _, dist = inverse(lon[:, None], lat[:, None], plon[ok][None, :], plat[ok][None, :])
    out = np.full(lon.size, np.nan)
    rows = np.isfinite(dist).any(axis=1)
    out[rows] = np.nanmin(dist[rows], axis=1)
    return out


def range_check(
    reports: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    weapon: Any,
    from_: Any = None,
    weapons: pd.DataFrame | None = None,
    extended: bool = False,
    paired: bool = False,
    location_radius_m: Any = "location_radius_m",
    countries: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Check whether ``weapon`` could have covered the distance between each report and the line.

    Parameters
    ----------
    reports : geopandas.GeoDataFrame or geopandas.GeoSeries
        Report points in any CRS.
    weapon : str or tuple of float
        A ``weapon_id`` or alias of the weapon table (``"120 mm mortar"``),
        or ``(min_range_km, max_range_km)``.
    from_ : None, 'border', or geopandas.GeoDataFrame/GeoSeries, default None
        Where the weapon must have been on the far side of: None or
        ``'border'`` for the shipped Armenia-Azerbaijan border; a frame of
        lines (another border or a front line); or a frame of points (firing
        positions: the nearest one counts, or with ``paired`` the one in the
        same position as the report: "fired from X at Y").
    weapons : pandas.DataFrame, optional
        The weapon table; default the shipped one.
    extended : bool, default False
        Use the extended-range figure where the table has one.
    paired : bool, default False
        With point ``from_``: row i of ``from_`` is the claimed firing point
        of report i.
    location_radius_m : str, float or sequence, default 'location_radius_m'
        Radius (m) around each report point within which the event lies: a
        column of ``reports``, one number, or one per report. A missing
        column or value counts as 0. With paired points, a
        ``location_radius_m`` column of ``from_`` widens the interval too.
    countries : geopandas.GeoDataFrame, optional
        Country polygons for :func:`~borderstrikes.distance_to_border`
        (line ``from_`` only).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``reports``, with columns

        - ``weapon``, ``min_range_km``, ``max_range_km``;
        - ``distance_km``: geodesic distance from the report point to the
          line or nearest position; ``location_radius_km``;
          ``distance_min_km`` and ``distance_max_km``: the interval the
          location radius allows (never below 0);
        - ``forward_min_km``, ``forward_max_km``: how far past the line (from
          the line towards the report) the weapon must have stood to reach,
          over the interval: ``max(distance - max_range, 0)``; for point
          ``from_``, how much nearer than the positions it must have been;
        - ``verdict``: ``'in_range'`` (reachable from the line or the
          positions wherever in the radius the event was),
          ``'depends_on_location'`` (reachable from part of the interval
          only), ``'only_from_forward'`` (line: reachable only from at least
          ``forward_min_km`` past the line), ``'out_of_range'`` (points: the
          positions are too far), ``'too_close'`` (points: nearer than the
          minimum range wherever the event was); NaN distance gives None;
        - ``reason``: the verdict in words.

    Raises
    ------
    ValueError
        If the weapon is unknown or ``from_`` mixes points and lines.

    Notes
    -----
    A report is a claim, and a range is a nominal figure for standard
    ammunition on flat ground (no altitude, charge or terrain; see
    ``data/WEAPONS_SCHEMA.md``). The verdict is therefore "feasible only if
    fired from at least X km forward of the line", never a true/false. A
    minimum range matters only for positions: from a line the weapon can
    always stand farther back. Distances are geodesic on WGS84
    (:func:`~borderstrikes.distance_to_border` for lines).

    Examples
    --------
    >>> strikes = bs.load_strikes()
    >>> claimed = strikes[strikes["evidence"] == "claimed_firing_point"].set_index("place")
    >>> table = range_check(claimed, weapon="120 mm mortar")
    >>> row = table.loc["Vardenis"]
    >>> round(float(row["distance_km"]), 1), round(float(row["forward_min_km"]), 1), row["verdict"]
    (16.9, 6.8, 'only_from_forward')
    """
    label, r0, r1 = _range_km(weapon, weapons, extended)
    lon, lat = point_lonlat(reports, "reports")
    index = as_geoseries(reports, "reports").index
    radius = location_radii_m(reports, location_radius_m, lon.size)
    line_mode = True
    if from_ is None or (isinstance(from_, str) and from_ == "border"):
        dist_m = distance_to_border(reports, None, signed=False, unit="m")["distance_m"].to_numpy()
    elif isinstance(from_, str):
        msg = f"from_ must be None, 'border' or a GeoDataFrame/GeoSeries (got {from_!r})."
        raise ValueError(msg)
    else:
        kinds = set(to_wgs84(from_, "from_").dropna().geom_type)
        if kinds <= {"Point"}:
            line_mode = False
            dist_m = _distance_to_positions_m(lon, lat, from_, paired)
            if paired and isinstance(from_, pd.DataFrame) and "location_radius_m" in from_:
                radius = radius + location_radii_m(from_, "location_radius_m", lon.size)
        elif kinds <= {"LineString", "MultiLineString"}:
            dist_m = distance_to_border(
                reports, from_, signed=False, unit="m", countries=countries
            )["distance_m"].to_numpy()
        else:
            msg = (
                f"from_ must hold only points (firing positions) or only lines (a border or "
                f"front line); got {sorted(kinds)!r}."
            )
            raise GeometryError(msg)
    dist = dist_m / 1000.0
    rad = radius / 1000.0
    low = np.maximum(dist - rad, 0.0)
    high = dist + rad
    fwd_low = np.maximum(low - r1, 0.0)
    fwd_high = np.maximum(high - r1, 0.0)
    verdict = np.full(lon.size, None, dtype=object)
    known = np.isfinite(dist)
    verdict[known & (high <= r1)] = "in_range"
    verdict[known & (low <= r1) & (high > r1)] = "depends_on_location"
    verdict[known & (low > r1)] = "only_from_forward" if line_mode else "out_of_range"
    if not line_mode and r0 > 0:
        verdict[known & (high < r0)] = "too_close"
    evidence = (
        list(reports["evidence"])
        if isinstance(reports, pd.DataFrame) and "evidence" in reports.columns
        else [None] * lon.size
    )
    reasons = [
        _reason(v, d, lo, hi, f0, f1, label, r1, line_mode, ev)
        for v, d, lo, hi, f0, f1, ev in zip(
            verdict, dist, low, high, fwd_low, fwd_high, evidence, strict=True
        )
    ]
    frame = pd.DataFrame(
        {
            "weapon": pd.Series([label] * lon.size, dtype=object),
            "min_range_km": r0,
            "max_range_km": r1,
            "distance_km": dist,
            "location_radius_km": rad,
            "distance_min_km": low,
            "distance_max_km": high,
            "forward_min_km": np.where(known, fwd_low, np.nan),
            "forward_max_km": np.where(known, fwd_high, np.nan),
            "verdict": pd.Series(verdict, dtype=object),
            "reason": pd.Series(reasons, dtype=object),
        }
    )
    frame.index = index.copy()
    return frame


def _reason(
    verdict: Any,
    dist: float,
    low: float,
    high: float,
    fwd_low: float,
    fwd_high: float,
    label: str,
    r1: float,
    line_mode: bool,
    evidence: Any,
) -> Any:
    if verdict is None:
        return None
    gap = f"{dist:.1f} km ({low:.1f}-{high:.1f} km with the location radius)"
    what = "the line" if line_mode else "the firing position(s)"
    head = f"{what.capitalize()} is {gap} away; {label} reaches {r1:g} km"
    if verdict == "in_range":
        return f"{head}: in range."
    if verdict == "too_close":
        return f"{head}: nearer than its minimum range wherever the event was."
    if verdict == "out_of_range":
        return f"{head}: out of range unless fired from {fwd_low:.1f}-{fwd_high:.1f} km nearer."
    if evidence == "claimed_firing_point":
        where = "the weapon stood at least {0:.1f} km nearer the line than the named place"
    else:
        where = "fired from at least {0:.1f} km forward of the line"
    spread = f"{fwd_low:.1f}-{fwd_high:.1f} km, depending on where within the location radius"
    if verdict == "depends_on_location":
        return (
            f"{head}: in range from part of the location radius; elsewhere feasible only if "
            f"{where.format(fwd_high)} at the far end."
        )
    return f"{head}: feasible only if {where.format(fwd_low)} ({spread})."
