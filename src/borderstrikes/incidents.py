"""Reports of one strike, grouped into incidents.

One shelling is reported by several outlets, by both sides, at different
precisions. :func:`group_incidents` groups reports that may describe the same
event: the same place (their location discs overlap) at the same time (their
date intervals overlap). Airwars calls such a group an *incident* and weighs
it by how many independent sources report it; the incident table gives those
counts.

Two reports are *linked* when

- **place**: the geodesic distance between their points is at most the
  larger of their two ``location_radius_m`` (one report's point lies inside
  the disc within which the other locates its event; two villages 3 km apart,
  each located to 2 km, stay apart), and
- **time**: their local intervals ``[start, end)`` from
  :func:`borderstrikes.timeline.report_intervals` overlap (an instant counts
  when it lies inside the other interval), widened by ``time_slack_h``.

An incident is a connected component of links, with one restriction: a
*coarse* report (``location_radius_m`` above ``max_bridge_radius_m``) never
joins two incidents of finer reports. A 25 km "Vardenis community" tally
overlaps Sotk, Kut and Norabak, but it must not make one incident of three
villages. A coarse report joins the one fine incident it links to; when it
links to none, or to several, it stays with the coarse reports it links to
that lie within ``max_bridge_radius_m`` of it (so coarse reports do not chain
across a province either).

Independence is counted two ways: distinct ``claimant`` (who makes the claim)
and distinct ``source_outlet`` (who published it). Claimants are compared
case-insensitively, with a trailing "(via ...)", "(as quoted)" or "(citing
...)" dropped, so that the same ministry quoted by two outlets counts once.
Nothing else is merged: "Armenian MOD" and "Ministry of Defence" count as two.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from borderstrikes._core.graph import components
from borderstrikes._core.validate import check_number, point_lonlat
from borderstrikes.geodesy import geodesic_distance_m
from borderstrikes.strikes import EVIDENCE_KINDS, NOT_STRIKE_EVIDENCE, PRECISION_RADIUS_M
from borderstrikes.timeline import report_intervals

__all__ = [
    "CORROBORATING_EVIDENCE",
    "SIDE_PATTERNS",
    "claimant_key",
    "claimant_side",
    "group_incidents",
    "interval_overlap",
    "radius_m",
    "space_time_pairs",
]

#: Evidence kinds that report fire reaching (or aimed at) the place; they count
#: towards corroboration. Denials, displacement lists and the Azerbaijani MOD's
#: claimed Armenian firing points do not.
CORROBORATING_EVIDENCE = tuple(
    kind
    for kind in EVIDENCE_KINDS
    if kind not in NOT_STRIKE_EVIDENCE and kind != "claimed_firing_point"
)

#: Which side a claimant speaks for, by a pattern searched (case-insensitively)
#: in ``claimant`` and ``source_outlet``; the first side that matches wins.
#: ``dataset`` is an event dataset's record (ACLED, UCDP GED, GDELT): neither side.
SIDE_PATTERNS: Mapping[str, str] = {
    "dataset": r"^(?:ACLED|UCDP|GDELT)\b",
    "AZE": r"azerbaijan|azertac|azernews|\bapa\.az|\breport\.az|\btrend\.az|\.az\b",
    "ARM": (
        r"armenia|armenpress|azatutyun|civilnet|hetq|\.am\b|arka\b|mil\.am|"
        r"gegharkunik|syunik|vayots|vardenis|jermuk|goris|kapan|sisian|geghamasar|"
        r"sotk|\bkut\b|verin shorzha|norabak"
    ),
}

_RELAY = re.compile(r"\s*\((?:via|as quoted|citing)\b[^()]*\)\s*$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_TEXT = ("claimant", "source_outlet")


def claimant_key(value: Any) -> str:
    """Return the key under which two claimants count as one.

    Case-folded, whitespace collapsed, a trailing "(via ...)", "(as quoted)"
    or "(citing ...)" dropped; missing values give ``""``.

    Examples
    --------
    >>> claimant_key("Armenian MOD (as quoted)") == claimant_key("armenian  MOD")
    True
    >>> claimant_key("Gegharkunik governor (via RFE/RL)")
    'gegharkunik governor'
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = _SPACE.sub(" ", str(value)).strip()
    while True:
        shorter = _RELAY.sub("", text)
        if shorter == text:
            break
        text = shorter
    return text.casefold()


def claimant_side(
    reports: pd.DataFrame, *, patterns: Mapping[str, str] = SIDE_PATTERNS
) -> pd.Series:
    """Return the side each report's claimant speaks for (by :data:`SIDE_PATTERNS`).

    A ``side`` column in ``reports`` is used as it is. Otherwise the first
    pattern found in ``claimant`` (or else in ``source_outlet``) names the
    side; ``"unknown"`` when none is.

    Parameters
    ----------
    reports : pandas.DataFrame
        With ``claimant`` and ``source_outlet`` (or ``side``).
    patterns : mapping of str to str, default SIDE_PATTERNS
        Side name to a regular expression, tried in order.

    Returns
    -------
    pandas.Series
        str, named ``side``, same index as ``reports``.

    Examples
    --------
    >>> frame = pd.DataFrame({"claimant": ["Azerbaijani MOD", "Kut resident", "UN"],
    ...                       "source_outlet": ["Azernews", "168.am", "Reuters"]})
    >>> claimant_side(frame).tolist()
    ['AZE', 'ARM', 'unknown']
    """
    if "side" in reports:
        return (
            reports["side"].astype(object).where(reports["side"].notna(), "unknown").rename("side")
        )
    compiled = [(side, re.compile(pattern, re.IGNORECASE)) for side, pattern in patterns.items()]
    texts = [reports[c].astype(object) if c in reports else None for c in _TEXT]

    def side_of(i: int) -> str:
        for column in texts:
            if column is None:
                continue
            value = column.iloc[i]
            if not isinstance(value, str):
                continue
            for side, pattern in compiled:
                if pattern.search(value):
                    return side
        return "unknown"

    return pd.Series([side_of(i) for i in range(len(reports))], index=reports.index, name="side")


def radius_m(frame: pd.DataFrame) -> np.ndarray:
    """Return ``location_radius_m`` of each row as float64 (the precision's default, else NaN).

    Examples
    --------
    >>> radius_m(pd.DataFrame({"location_precision": ["area", None]})).tolist()
    [5000.0, nan]
    """
    radius = np.full(len(frame), np.nan)
    if "location_radius_m" in frame:
        radius = pd.to_numeric(frame["location_radius_m"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
    if "location_precision" in frame:
        default = frame["location_precision"].map(PRECISION_RADIUS_M)
        default = pd.to_numeric(default, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        radius = np.where(np.isnan(radius), default, radius)
    return radius


def interval_overlap(
    start_a: np.ndarray, end_a: np.ndarray, start_b: np.ndarray, end_b: np.ndarray
) -> np.ndarray:
    """Tell whether half-open intervals ``[start, end)`` overlap; an instant (start == end) counts.

    Arrays of int64 nanoseconds (or datetime64), broadcast against each other.
    Two intervals overlap when they share time; an instant overlaps an interval
    that contains it, and an equal instant.

    Examples
    --------
    >>> day = np.array([0]), np.array([24])
    >>> interval_overlap(*day, np.array([24, 23, 5]), np.array([48, 23, 5])).tolist()
    [False, True, True]
    """
    sa, ea, sb, eb = (np.asarray(v).astype("int64") for v in (start_a, end_a, start_b, end_b))
    point_a = sa == ea
    point_b = sb == eb
    both = np.maximum(sa, sb) < np.minimum(ea, eb)
    a_in_b = point_a & ~point_b & (sb <= sa) & (sa < eb)
    b_in_a = point_b & ~point_a & (sa <= sb) & (sb < ea)
    same = point_a & point_b & (sa == sb)
    return both | a_in_b | b_in_a | same


def space_time_pairs(
    lon_a: np.ndarray,
    lat_a: np.ndarray,
    radius_a: np.ndarray,
    start_a: np.ndarray,
    end_a: np.ndarray,
    lon_b: np.ndarray,
    lat_b: np.ndarray,
    radius_b: np.ndarray,
    start_b: np.ndarray,
    end_b: np.ndarray,
    *,
    slack_ns: int = 0,
    same: bool = False,
    reach: str = "sum",
    block: int = 512,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``(i, j)`` whose locations and (widened) time intervals overlap.

    With ``reach="sum"`` the locations overlap when the geodesic distance is
    at most ``radius_a[i] + radius_b[j]`` (the two discs overlap); with
    ``reach="max"``, at most the larger radius (one point lies in the other's
    disc). Times are int64 nanoseconds; ``slack_ns`` widens every
    interval on both sides. With ``same``, ``a`` and ``b`` are one table and
    only pairs ``i < j`` are returned. NaN coordinates, radii or NaT times
    never pair. Works in blocks of ``block`` rows of ``a`` (memory
    ``block * len(b)``).

    Returns
    -------
    tuple of numpy.ndarray
        ``i`` (int64), ``j`` (int64) and the distance in metres (float64),
        sorted by ``i`` then ``j``.

    Examples
    --------
    >>> t0, t1 = np.array([0]), np.array([10])
    >>> i, j, d = space_time_pairs(
    ...     np.array([45.0]), np.array([40.0]), np.array([500.0]), t0, t1,
    ...     np.array([45.01, 45.1]), np.array([40.0, 40.0]), np.array([500.0, 500.0]),
    ...     np.array([5, 5]), np.array([6, 6]))
    >>> i.tolist(), j.tolist(), d.round(1).tolist()
    ([0], [0], [853.9])
    """
    nat = np.iinfo(np.int64).min
    sa, ea, sb, eb = (np.asarray(v).astype("int64") for v in (start_a, end_a, start_b, end_b))
    ok_a = np.isfinite(lon_a) & np.isfinite(lat_a) & np.isfinite(radius_a) & (sa != nat)
    ok_b = np.isfinite(lon_b) & np.isfinite(lat_b) & np.isfinite(radius_b) & (sb != nat)
    # widen by the slack (an instant widened is an interval; keep instants as they are at 0)
    if slack_ns:
        sa, ea, sb, eb = sa - slack_ns, ea + slack_ns, sb - slack_ns, eb + slack_ns
    out_i, out_j, out_d = [], [], []
    for first in range(0, len(lon_a), block):
        rows = np.arange(first, min(first + block, len(lon_a)))
        rows = rows[ok_a[rows]]
        if rows.size == 0:
            continue
        ii, jj = np.meshgrid(rows, np.flatnonzero(ok_b), indexing="ij")
        ii, jj = ii.ravel(), jj.ravel()
        if same:
            keep = ii < jj
            ii, jj = ii[keep], jj[keep]
        timely = interval_overlap(sa[ii], ea[ii], sb[jj], eb[jj])
        ii, jj = ii[timely], jj[timely]
        dist = np.asarray(geodesic_distance_m(lon_a[ii], lat_a[ii], lon_b[jj], lat_b[jj]), float)
        if reach == "sum":
            near = dist <= radius_a[ii] + radius_b[jj]
        else:
            near = dist <= np.maximum(radius_a[ii], radius_b[jj])
        out_i.append(ii[near])
        out_j.append(jj[near])
        out_d.append(dist[near])
    if not out_i:
        empty = np.array([], dtype=np.int64)
        return empty, empty.copy(), np.array([], dtype=float)
    i, j, d = np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_d)
    order = np.lexsort((j, i))
    return i[order], j[order], d[order]


def _ns(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[ns]").astype("int64")


def _labels(
    n: int, i: np.ndarray, j: np.ndarray, close: np.ndarray, coarse: np.ndarray
) -> np.ndarray:
    """Components of the fine reports; each coarse report joins its one fine component.

    Coarse reports that join none stay together only along links shorter than
    the bridge radius (``close``), so that they do not chain across a province.
    """
    fine_edge = ~coarse[i] & ~coarse[j]
    labels = components(n, i[fine_edge], j[fine_edge])
    fine_labels = np.where(coarse, -1, labels)
    # each coarse report: the fine components it links to
    attach = np.full(n, -1, dtype=np.int64)
    for c in np.flatnonzero(coarse):
        partners = np.concatenate([j[i == c], i[j == c]])
        found = np.unique(fine_labels[partners])
        found = found[found >= 0]
        if found.size == 1:
            attach[c] = found[0]
    # coarse reports left over: components among themselves
    free = coarse & (attach < 0)
    free_edge = free[i] & free[j] & close
    free_labels = components(n, i[free_edge], j[free_edge])
    key = np.where(~coarse, labels, np.where(attach >= 0, attach, n + free_labels))
    return np.unique(key, return_inverse=True)[1]


def group_incidents(
    reports: pd.DataFrame,
    *,
    time_slack_h: float = 0.0,
    max_bridge_radius_m: float = 3_000.0,
    sides: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Group reports into incidents: one place, one time window, every report of it.

    Parameters
    ----------
    reports : geopandas.GeoDataFrame
        Point reports in the strike schema (``report_id``, ``place``,
        ``claimant``, ``source_outlet``, ``evidence``, ``location_radius_m``
        or ``location_precision``, ``date`` and optionally
        ``date_start``/``date_end``/``time_local``), e.g.
        :func:`borderstrikes.load_strikes`, or events from
        :func:`borderstrikes.read_acled` and its siblings. Any CRS.
    time_slack_h : float, default 0
        Hours by which every interval is widened on both sides before
        comparing (0: the intervals must overlap as given).
    max_bridge_radius_m : float, default 3000
        Reports with a larger ``location_radius_m`` are *coarse*: they join
        an incident of finer reports but never join two (see Notes).
    sides : pandas.Series, optional
        Side of each report's claimant (index of ``reports``); default
        :func:`claimant_side`.

    Returns
    -------
    incidents : pandas.DataFrame
        One row per incident, indexed by ``incident`` (0, 1, ... in order of
        start time, then smallest ``report_id``), with columns
        ``place`` (place of the finest report; ties by ``report_id``),
        ``places`` (every place, ``"; "``-joined, sorted), ``lon``, ``lat``
        (point of that finest report, degrees WGS84), ``radius_m`` (a disc
        around that point holding every report's disc, metres), ``start``,
        ``end`` (union of the intervals, local, end exclusive),
        ``n_reports``, ``n_claimants`` and ``n_outlets`` (distinct claimants
        and outlets, see Notes), ``sides`` (``"; "``-joined), ``both_sides``
        (an Armenian and an Azerbaijani claimant both mention it),
        ``n_denials``, ``strongest_evidence`` (first of
        :data:`borderstrikes.strikes.EVIDENCE_KINDS` present),
        ``corroboration`` (distinct claimants with a report of
        :data:`CORROBORATING_EVIDENCE`) and ``report_ids``.
    labels : pandas.Series
        int64 incident of each report, named ``incident``, same index as
        ``reports``. A report without a point, radius or date is an incident
        of its own.

    Raises
    ------
    ValueError
        If a required column is missing or a parameter is out of range.
    borderstrikes.errors.CRSError
        If ``reports`` has no CRS.

    Notes
    -----
    Two reports are linked when one's point lies within the other's
    ``location_radius_m`` (geodesic distance on WGS84) and their local
    intervals overlap. A coarse report joins the one incident of finer
    reports it links to; linked to none or several, it stays with the coarse
    reports within ``max_bridge_radius_m`` it links to. Claimants count as
    one when equal after case-folding and dropping a trailing "(via ...)",
    "(as quoted)" or "(citing ...)"; outlets likewise. Links are symmetric
    and an incident is a connected component of them, so the result
    does not depend on row order: shuffled reports give the same incidents
    with the same numbers. Pairs are compared all against all (O(n²) in
    blocks); fine for thousands of reports.

    Examples
    --------
    >>> import borderstrikes as bs
    >>> incidents, labels = bs.group_incidents(bs.load_strikes())
    >>> (labels.index == bs.load_strikes().index).all()
    np.True_
    >>> int(incidents["n_reports"].sum()), str(labels.dtype)
    (88, 'int64')
    """
    for column in ("report_id", "claimant", "source_outlet", "evidence"):
        if column not in reports:
            msg = (
                f"reports must have a {column!r} column (the strike schema, data/STRIKES_SCHEMA.md"
                "; borderstrikes.load_strikes() is an example)."
            )
            raise ValueError(msg)
    slack_h = check_number(time_slack_h, "time_slack_h", unit="h", strict=False)
    bridge_m = check_number(max_bridge_radius_m, "max_bridge_radius_m", unit="m", strict=False)
    n = len(reports)
    lon, lat = point_lonlat(reports, "reports")
    radius = radius_m(reports)
    intervals = report_intervals(reports)
    start, end = _ns(intervals["start"]), _ns(intervals["end"])
    # work in report_id order so that the result does not depend on row order
    ids = reports["report_id"].astype(str).to_numpy()
    order = np.lexsort((np.arange(n), ids))
    i, j, d = space_time_pairs(
        lon[order],
        lat[order],
        radius[order],
        start[order],
        end[order],
        lon[order],
        lat[order],
        radius[order],
        start[order],
        end[order],
        slack_ns=round(slack_h * 3_600e9),
        same=True,
        reach="max",
    )
    coarse = ~(radius[order] <= bridge_m)
    sorted_labels = _labels(n, i, j, d <= bridge_m, coarse)
    raw = np.empty(n, dtype=np.int64)
    raw[order] = sorted_labels
    side = (claimant_side(reports) if sides is None else sides.reindex(reports.index)).astype(str)
    table = _table(reports, raw, lon, lat, radius, intervals, side.to_numpy())
    # number incidents by start time, then smallest report_id
    nat_last = table["start"].isna().to_numpy()
    rank = np.lexsort((table["report_ids"].to_numpy(), table["start"].to_numpy(), nat_last))
    renumber = np.empty(len(rank), dtype=np.int64)
    renumber[rank] = np.arange(len(rank))
    table = table.iloc[rank].reset_index(drop=True)
    table.index.name = "incident"
    labels = pd.Series(renumber[raw], index=reports.index, name="incident", dtype="int64")
    return table, labels


def _table(
    reports: pd.DataFrame,
    raw: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    radius: np.ndarray,
    intervals: pd.DataFrame,
    side: np.ndarray,
) -> pd.DataFrame:
    rank = {kind: k for k, kind in enumerate(EVIDENCE_KINDS)}
    ids = reports["report_id"].astype(str).to_numpy()
    places = reports["place"].astype(object).to_numpy() if "place" in reports else ids
    evidence = reports["evidence"].astype(object).to_numpy()
    claimants = np.array([claimant_key(v) for v in reports["claimant"]], dtype=object)
    outlets = np.array([claimant_key(v) for v in reports["source_outlet"]], dtype=object)
    rows = []
    for label in np.unique(raw):
        members = np.flatnonzero(raw == label)
        members = members[np.argsort(ids[members], kind="stable")]
        finest = members[np.lexsort((ids[members], np.nan_to_num(radius[members], nan=np.inf)))[0]]
        reach = geodesic_distance_m(lon[finest], lat[finest], lon[members], lat[members])
        reach = np.asarray(reach, dtype=float) + radius[members]
        kinds = [k for k in evidence[members] if isinstance(k, str) and k in rank]
        strike = np.isin(evidence[members].astype(str), CORROBORATING_EVIDENCE)
        named = sorted({str(p) for p in places[members] if isinstance(p, str)})
        member_sides = sorted({str(s) for s in side[members]})
        rows.append(
            {
                "place": places[finest] if isinstance(places[finest], str) else None,
                "places": "; ".join(named),
                "lon": lon[finest],
                "lat": lat[finest],
                "radius_m": float(np.nanmax(reach)) if np.isfinite(reach).any() else np.nan,
                "start": intervals["start"].iloc[members].min(),
                "end": intervals["end"].iloc[members].max(),
                "n_reports": members.size,
                "n_claimants": len({c for c in claimants[members] if c}),
                "n_outlets": len({c for c in outlets[members] if c}),
                "sides": "; ".join(member_sides),
                "both_sides": "ARM" in member_sides and "AZE" in member_sides,
                "n_denials": int(np.sum(evidence[members].astype(str) == "denial")),
                "strongest_evidence": min(kinds, key=rank.__getitem__) if kinds else None,
                "corroboration": len({c for c in claimants[members[strike]] if c}),
                "report_ids": "; ".join(ids[members]),
            }
        )
    return pd.DataFrame(rows)
