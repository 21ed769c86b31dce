"""The summary tables the report page and ``borderstrikes summary`` both show."""

from __future__ import annotations

import pandas as pd

__all__ = ["place_table", "summary_tables"]


def summary_tables(strikes: pd.DataFrame) -> dict[str, pd.Series]:
    """Count reports per province, date, evidence kind and place: the summary tables.

    The report page and ``borderstrikes summary`` both show these.

    Parameters
    ----------
    strikes : pandas.DataFrame
        Reports with ``admin1``, ``date``, ``evidence`` and ``place`` columns.

    Returns
    -------
    dict of str to pandas.Series
        ``"province"``, ``"date"`` (as YYYY-MM-DD), ``"evidence"`` and
        ``"place"`` (by province and place), each a count named ``reports``.

    Examples
    --------
    >>> tables = summary_tables(bs.load_strikes())
    >>> int(tables["evidence"].sum())
    88
    """
    return {
        "province": strikes.groupby("admin1").size().rename("reports"),
        "date": strikes.groupby(strikes["date"].dt.strftime("%Y-%m-%d")).size().rename("reports"),
        "evidence": strikes.groupby("evidence").size().rename("reports"),
        "place": strikes.groupby(["admin1", "place"]).size().rename("reports"),
    }


def place_table(strikes: pd.DataFrame, distances: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """One row per place: reports, strongest evidence, distance interval, clusters, dates.

    Parameters
    ----------
    strikes : pandas.DataFrame
        Reports with ``place``, ``admin1``, ``evidence``, ``claimant``,
        ``date`` (optionally ``date_start``/``date_end``) and
        ``location_radius_m``.
    distances : pandas.DataFrame
        ``signed_distance_km`` of each report, row for row with ``strikes``
        (e.g. :func:`borderstrikes.distance_to_border` in km).
    labels : pandas.Series
        Cluster of each report, row for row (−1: none).

    Returns
    -------
    pandas.DataFrame
        Sorted by number of reports (then place): ``place``, ``admin1``,
        ``reports``, ``claimants`` (distinct), ``strongest_evidence`` (the
        first of :data:`borderstrikes.strikes.EVIDENCE_KINDS` among the
        place's reports), ``signed_distance_km`` (median over its reports),
        ``distance_min_km`` and ``distance_max_km`` (the signed distance of
        any point within a report's location radius lies between them: a
        point moved by r moves its distance by at most r), ``clusters``
        (their labels, "; "-joined, empty if none), ``first_date`` and
        ``last_date`` (first day and last day the reports cover).

    Examples
    --------
    >>> strikes = bs.load_strikes()
    >>> d = bs.distance_to_border(strikes)
    >>> labels = pd.Series(-1, index=strikes.index)
    >>> table = place_table(strikes, d, labels)
    >>> first = table.iloc[0]
    >>> str(first["place"]), int(first["reports"]), str(first["strongest_evidence"])
    ('Jermuk', 11, 'impact')
    """
    from borderstrikes.strikes import EVIDENCE_KINDS

    rank = {kind: i for i, kind in enumerate(EVIDENCE_KINDS)}
    radius_km = pd.to_numeric(strikes["location_radius_m"], errors="coerce").fillna(0) / 1000
    signed = pd.Series(distances["signed_distance_km"].to_numpy(), index=strikes.index)
    start = strikes["date_start"] if "date_start" in strikes else strikes["date"]
    end = strikes["date_end"] if "date_end" in strikes else strikes["date"]
    frame = pd.DataFrame(
        {
            "place": strikes["place"].fillna("(unnamed)").astype(str),
            "admin1": strikes["admin1"].fillna("").astype(str),
            "claimant": strikes["claimant"],
            "rank": strikes["evidence"].map(rank).fillna(len(rank)),
            "evidence": strikes["evidence"],
            "signed": signed,
            "low": signed - radius_km,
            "high": signed + radius_km,
            "cluster": labels.to_numpy(),
            "start": pd.to_datetime(start),
            "end": pd.to_datetime(end),
        },
        index=strikes.index,
    )
    grouped = frame.groupby(["place", "admin1"], sort=True)
    strongest = frame.loc[grouped["rank"].idxmin().to_numpy(), ["place", "admin1", "evidence"]]

    def _clusters(values: pd.Series) -> str:
        return "; ".join(str(v) for v in sorted(set(values)) if v >= 0)

    table = grouped.agg(
        reports=("claimant", "size"),
        claimants=("claimant", "nunique"),
        signed_distance_km=("signed", "median"),
        distance_min_km=("low", "min"),
        distance_max_km=("high", "max"),
        clusters=("cluster", _clusters),
        first_date=("start", "min"),
        last_date=("end", "max"),
    ).reset_index()
    table = table.merge(
        strongest.rename(columns={"evidence": "strongest_evidence"}), on=["place", "admin1"]
    )
    order = [
        "place",
        "admin1",
        "reports",
        "claimants",
        "strongest_evidence",
        "signed_distance_km",
        "distance_min_km",
        "distance_max_km",
        "clusters",
        "first_date",
        "last_date",
    ]
    table = table.sort_values(["reports", "place"], ascending=[False, True], kind="stable")
    return table[order].reset_index(drop=True)
