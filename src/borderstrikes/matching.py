"""Link strike reports with the events of ACLED, UCDP GED, GDELT (or any table in the event schema).

The same shelling is in the packaged reports, in ACLED, in UCDP GED and in
GDELT, each with its own point, date and precision. :func:`match_events`
links records of two tables that may describe the same event. The windows
come from each record's own precision, not from one global tolerance:

- **space**: two records may be the same event when the geodesic distance
  between their points is at most the sum of their ``location_radius_m``
  (the discs within which each locates its event overlap). A GDELT city
  centroid (2 km) and an ACLED event coded to the provincial capital (25 km)
  get a 27 km window; two village-level records, 4 km.
- **time**: their local date intervals (``date_start``..``date_end``,
  through :func:`borderstrikes.timeline.report_intervals`) overlap, after
  widening each by ``time_slack_h``. An ACLED week-precision event spans its
  week; a UCDP event its ``date_start``..``date_end``.
- **kind**: their event classes are compatible (:data:`CLASS_COMPATIBILITY`).
  A record without ``event_class`` (a packaged strike report) takes the
  classes its ``evidence`` allows (:data:`CLASSES_FROM_EVIDENCE`).

:func:`gdelt_duplicates` groups GDELT records that repeat one event (the same
day, CAMEO class, actors and ActionGeo feature, from other articles); the
matcher links to one record per group and lists the others.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from borderstrikes._core.validate import check_number, point_lonlat
from borderstrikes.incidents import radius_m, space_time_pairs
from borderstrikes.timeline import report_intervals

__all__ = [
    "CLASSES_FROM_EVIDENCE",
    "CLASS_COMPATIBILITY",
    "class_score",
    "gdelt_duplicates",
    "match_events",
]

_STRIKE = ("shelling_artillery_missile", "air_drone_strike", "remote_violence_other")

#: Event classes a strike report's ``evidence`` allows (empty: the report is
#: not about an event on the place, so it is never linked).
CLASSES_FROM_EVIDENCE = MappingProxyType(
    {
        "impact": _STRIKE,
        "direction": _STRIKE,
        "ground_fighting": ("armed_clash",),
        "displacement_only": (),
        "denial": (),
        "claimed_firing_point": (),
    }
)

#: How well two event classes agree, from 0 (never the same event) to 1; symmetric.
#: Same class 1. Two kinds of remote fire 0.5 (datasets disagree on the weapon).
#: ``violence_unspecified`` (UCDP GED records deaths, not means; CAMEO 190, 196)
#: 0.5 with any violent class. ``armed_clash`` 0.25 with remote fire: ACLED codes
#: a strike within a ground battle as one *Battles* event. ``other`` never matches.
CLASS_COMPATIBILITY = MappingProxyType(
    {
        **{(c, c): 1.0 for c in (*_STRIKE, "armed_clash", "violence_unspecified")},
        ("shelling_artillery_missile", "air_drone_strike"): 0.5,
        ("shelling_artillery_missile", "remote_violence_other"): 0.5,
        ("air_drone_strike", "remote_violence_other"): 0.5,
        **{(c, "violence_unspecified"): 0.5 for c in (*_STRIKE, "armed_clash")},
        **{(c, "armed_clash"): 0.25 for c in _STRIKE},
    }
)


def class_score(left: Any, right: Any) -> float:
    """Return how well two event classes (or tuples of possible classes) agree (0 to 1).

    Examples
    --------
    >>> class_score("air_drone_strike", "shelling_artillery_missile")
    0.5
    >>> class_score(("shelling_artillery_missile", "air_drone_strike"), "air_drone_strike")
    1.0
    >>> class_score("other", "other")
    0.0
    """
    lefts = (left,) if isinstance(left, str) else tuple(left)
    rights = (right,) if isinstance(right, str) else tuple(right)
    best = 0.0
    for a in lefts:
        for b in rights:
            best = max(best, CLASS_COMPATIBILITY.get((a, b), CLASS_COMPATIBILITY.get((b, a), 0.0)))
    return best


def _classes(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    """Possible event classes of each row: its ``event_class``, else from ``evidence``."""
    n = len(frame)
    event_class = frame["event_class"] if "event_class" in frame else pd.Series([None] * n)
    evidence = frame["evidence"] if "evidence" in frame else pd.Series([None] * n)
    out = []
    for cls, ev in zip(event_class.to_numpy(object), evidence.to_numpy(object), strict=True):
        if isinstance(cls, str):
            out.append((cls,))
        elif isinstance(ev, str):
            out.append(tuple(CLASSES_FROM_EVIDENCE.get(ev, ())))
        else:
            out.append(())
    return out


def _text(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), "", dtype=object)
    values = frame[column].astype(object)
    return values.where(values.notna(), "").astype(str).to_numpy(object)


def gdelt_duplicates(events: pd.DataFrame) -> pd.Series:
    """Return, for each GDELT record, the ``report_id`` of the record it duplicates.

    GDELT codes every news article separately, so one event appears as many
    records. Two GDELT records are duplicates here when they agree on
    ``date_start``, ``date_end``, ``event_class``, ``actor1``, ``actor2`` and
    the ActionGeo feature (``raw_ActionGeo_FeatureID``, else the point to 1e-5
    degrees). Each group is represented by its smallest ``source_event_id``
    (numerically). Records of other datasets are their own representative.

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        In the event schema (:func:`borderstrikes.read_gdelt_events`).

    Returns
    -------
    pandas.Series
        str ``report_id`` of each row's representative, named
        ``duplicate_of``, same index as ``events``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> ev = gpd.GeoDataFrame({
    ...     "report_id": ["GDELT:12", "GDELT:9", "ACLED:1"], "source_event_id": ["12", "9", "1"],
    ...     "source_dataset": ["GDELT", "GDELT", "ACLED"],
    ...     "date_start": pd.to_datetime(["2022-09-13"] * 3),
    ...     "date_end": pd.to_datetime(["2022-09-13"] * 3),
    ...     "event_class": ["air_drone_strike"] * 3, "actor1": ["AZE"] * 3, "actor2": ["ARM"] * 3,
    ... }, geometry=gpd.points_from_xy([45.87] * 3, [40.2] * 3), crs=4326)
    >>> gdelt_duplicates(ev).tolist()
    ['GDELT:9', 'GDELT:9', 'ACLED:1']
    """
    ids = _text(events, "report_id")
    out = pd.Series(ids, index=events.index, name="duplicate_of", dtype=object)
    gdelt = _text(events, "source_dataset") == "GDELT"
    if not gdelt.any():
        return out
    lon, lat = point_lonlat(events, "events")
    feature = _text(events, "raw_ActionGeo_FeatureID")
    place = np.where(
        feature != "", feature, [f"{x:.5f},{y:.5f}" for x, y in zip(lon, lat, strict=True)]
    )
    key = pd.DataFrame(
        {
            "start": pd.to_datetime(events["date_start"]).astype(str).to_numpy(object),
            "end": pd.to_datetime(events["date_end"]).astype(str).to_numpy(object),
            "class": _text(events, "event_class"),
            "a1": _text(events, "actor1"),
            "a2": _text(events, "actor2"),
            "place": place,
        }
    )[gdelt]
    source = _text(events, "source_event_id")[gdelt]
    number = pd.to_numeric(pd.Series(source), errors="coerce").to_numpy(float)
    rows = np.flatnonzero(gdelt)
    # sort so that the first row of each group is its representative
    order = np.lexsort((source, np.nan_to_num(number, nan=np.inf)))
    first = key.iloc[order].drop_duplicates()
    representative = {
        tuple(r): ids[rows[order[k]]]
        for k, r in zip(
            np.flatnonzero(~key.iloc[order].duplicated().to_numpy()),
            first.itertuples(index=False),
            strict=True,
        )
    }
    out.iloc[rows] = [representative[tuple(r)] for r in key.itertuples(index=False)]
    return out


_LINK_COLUMNS = [
    "left",
    "right",
    "left_id",
    "right_id",
    "right_dataset",
    "distance_m",
    "window_m",
    "overlap_h",
    "space_score",
    "time_score",
    "left_class",
    "right_class",
    "class_score",
    "score",
    "rank",
    "mutual_best",
    "right_duplicates",
    "reasons",
]


def match_events(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    time_slack_h: float = 0.0,
    min_class_score: float = 0.25,
    collapse_gdelt: bool = True,
) -> pd.DataFrame:
    """Link each record of ``left`` with the records of ``right`` that may be the same event.

    Parameters
    ----------
    left, right : geopandas.GeoDataFrame
        Point records in the strike-report schema (e.g.
        :func:`borderstrikes.load_strikes`) or the event schema (e.g.
        :func:`borderstrikes.read_acled`), in any CRS. Each needs
        ``report_id``, ``location_radius_m`` or ``location_precision``, a
        date (``date`` and/or ``date_start``/``date_end``) and
        ``event_class`` or ``evidence``. Concatenate several event tables
        into one ``right`` to match against all of them.
    time_slack_h : float, default 0
        Hours by which every record's interval is widened on both sides
        (GDELT dates an event by its article, often a day late: 24 helps).
    min_class_score : float, default 0.25
        Pairs whose classes agree less (:func:`class_score`) are not linked.
    collapse_gdelt : bool, default True
        Link only one record of each group of GDELT duplicates
        (:func:`gdelt_duplicates`) in ``right``; ``right_duplicates`` lists
        the others.

    Returns
    -------
    pandas.DataFrame
        One row per link, sorted by ``left_id``, ``right_dataset``, then
        descending ``score``,
        with columns ``left``/``right`` (index labels in the inputs),
        ``left_id``/``right_id`` (``report_id``), ``right_dataset``,
        ``distance_m`` (geodesic, metres), ``window_m`` (sum of the two
        radii), ``overlap_h`` (hours the unwidened intervals share; an
        instant inside the other counts 0), ``space_score`` (1 − distance /
        window), ``time_score`` (overlap / shorter interval; 1 when an
        instant lies inside, 0 when only the slack joins them),
        ``left_class``/``right_class``, ``class_score``, ``score``
        (``class_score × (space_score + time_score) / 2``, 0 to 1),
        ``rank`` (1 for the best link of its left record among the records
        of one dataset, since a dataset records an event once; ties by
        ``right_id``), ``mutual_best`` (rank 1, and the best link of its
        right record too), ``right_duplicates`` (``"; "``-joined ids of the
        collapsed GDELT duplicates) and ``reasons`` (the windows in words).
        Records without a point, radius or date are never linked.

    Raises
    ------
    ValueError
        If ``report_id`` is missing or a parameter is out of range.
    borderstrikes.errors.CRSError
        If a table has no CRS.

    Notes
    -----
    Distances are geodesic on WGS84. All pairs are compared (O(n·m), in
    blocks). The result does not depend on row order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> reports = gpd.GeoDataFrame({
    ...     "report_id": ["R1"], "evidence": ["impact"], "location_radius_m": [2000.0],
    ...     "date": pd.to_datetime(["2022-09-13"]),
    ... }, geometry=gpd.points_from_xy([45.6711], [39.8395]), crs=4326)
    >>> acled = gpd.GeoDataFrame({
    ...     "report_id": ["ACLED:1", "ACLED:2"], "source_dataset": ["ACLED"] * 2,
    ...     "event_class": ["shelling_artillery_missile", "armed_clash"],
    ...     "location_radius_m": [2000.0, 2000.0],
    ...     "date": pd.to_datetime(["2022-09-13", "2022-09-14"]),
    ... }, geometry=gpd.points_from_xy([45.68, 45.6711], [39.84, 39.8395]), crs=4326)
    >>> links = match_events(reports, acled)
    >>> links[["left_id", "right_id", "score"]].round(2)
      left_id right_id  score
    0      R1  ACLED:1    0.9
    """
    for name, frame in (("left", left), ("right", right)):
        if "report_id" not in frame:
            msg = f"{name} must have a 'report_id' column (the strike or event schema)."
            raise ValueError(msg)
    slack_h = check_number(time_slack_h, "time_slack_h", unit="h", strict=False)
    min_score = check_number(min_class_score, "min_class_score", strict=False, maximum=1.0)
    if collapse_gdelt:
        duplicate_of = gdelt_duplicates(right)
        keep = duplicate_of.to_numpy(object) == _text(right, "report_id")
        groups = (
            pd.Series(_text(right, "report_id"), index=right.index)
            .groupby(duplicate_of.to_numpy(object))
            .agg(lambda ids: "; ".join(sorted(ids)))
        )
        reduced = right[keep]
    else:
        reduced = right
        groups = pd.Series(dtype=object)
    sides = []
    for name, frame in (("left", left), ("right", reduced)):
        lon, lat = point_lonlat(frame, name)
        intervals = report_intervals(frame)
        start = intervals["start"].to_numpy("datetime64[ns]").astype("int64")
        end = intervals["end"].to_numpy("datetime64[ns]").astype("int64")
        sides.append((lon, lat, radius_m(frame), start, end))
    (l_lon, l_lat, l_r, l_s, l_e), (r_lon, r_lat, r_r, r_s, r_e) = sides
    i, j, dist = space_time_pairs(
        l_lon,
        l_lat,
        l_r,
        l_s,
        l_e,
        r_lon,
        r_lat,
        r_r,
        r_s,
        r_e,
        slack_ns=round(slack_h * 3_600e9),
    )
    l_cls, r_cls = _classes(left), _classes(reduced)
    cls = np.array([class_score(l_cls[a], r_cls[b]) for a, b in zip(i, j, strict=True)])
    ok = (cls >= min_score) & (cls > 0)
    i, j, dist, cls = i[ok], j[ok], dist[ok], cls[ok]
    window = l_r[i] + r_r[j]
    overlap_ns = np.clip(np.minimum(l_e[i], r_e[j]) - np.maximum(l_s[i], r_s[j]), 0, None)
    shorter = np.minimum(l_e[i] - l_s[i], r_e[j] - r_s[j])
    inside = (np.maximum(l_s[i], r_s[j]) <= np.minimum(l_e[i], r_e[j])) & (shorter == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        time_score = np.where(shorter > 0, overlap_ns / np.where(shorter > 0, shorter, 1), 0.0)
    time_score = np.where(inside, 1.0, np.clip(time_score, 0.0, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        space_score = np.where(window > 0, 1.0 - dist / np.where(window > 0, window, 1), 1.0)
    space_score = np.clip(space_score, 0.0, 1.0)
    score = cls * (space_score + time_score) / 2
    l_ids, r_ids = _text(left, "report_id"), _text(reduced, "report_id")
    r_data = _text(reduced, "source_dataset")
    links = pd.DataFrame(
        {
            "left": left.index.to_numpy()[i],
            "right": reduced.index.to_numpy()[j],
            "left_id": l_ids[i],
            "right_id": r_ids[j],
            "right_dataset": r_data[j],
            "distance_m": dist,
            "window_m": window,
            "overlap_h": overlap_ns / 3_600e9,
            "space_score": space_score,
            "time_score": time_score,
            "left_class": ["|".join(l_cls[a]) for a in i],
            "right_class": ["|".join(r_cls[b]) for b in j],
            "class_score": cls,
            "score": score,
        }
    )
    links["right_duplicates"] = [
        "; ".join(x for x in str(groups.get(rid, rid)).split("; ") if x != rid)
        for rid in links["right_id"]
    ]
    links["reasons"] = [_reason(row) for row in links.itertuples(index=False)]
    links = links.sort_values(
        ["left_id", "right_dataset", "score", "right_id"],
        ascending=[True, True, False, True],
        kind="stable",
    )
    links["rank"] = links.groupby(["left_id", "right_dataset"]).cumcount() + 1
    best_right = links.sort_values(
        ["right_id", "score", "left_id"], ascending=[True, False, True]
    ).drop_duplicates("right_id")
    best_pairs = set(zip(best_right["left_id"], best_right["right_id"], strict=True))
    links["mutual_best"] = (links["rank"] == 1).to_numpy() & np.array(
        [(a, b) in best_pairs for a, b in zip(links["left_id"], links["right_id"], strict=True)],
        dtype=bool,
    )
    return links[_LINK_COLUMNS].reset_index(drop=True)


def _reason(row: Any) -> str:
    space = (
        f"{row.distance_m / 1000:.1f} km apart, within the {row.window_m / 1000:.1f} km window "
        "(sum of the two location radii)"
    )
    if row.time_score >= 1 and row.overlap_h == 0:
        time = "one record is an instant inside the other's interval"
    elif row.overlap_h > 0:
        time = f"intervals share {row.overlap_h:.1f} h"
    else:
        time = "intervals meet only within the time slack"
    kind = f"classes {row.left_class or '?'} ~ {row.right_class or '?'} ({row.class_score:g})"
    return f"{space}; {time}; {kind}"
