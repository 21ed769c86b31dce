"""The summary tables the report page and ``borderstrikes summary`` both show."""

from __future__ import annotations

import pandas as pd

__all__ = ["summary_tables"]


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
