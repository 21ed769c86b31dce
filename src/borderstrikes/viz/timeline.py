"""Draw a timeline table: bars shared over date intervals, bounds, and dated marks.

matplotlib is imported when :func:`plot_timeline` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from borderstrikes._core.escape import mpl_text
from borderstrikes.viz.style import MISSING_COLOR, PALETTE, evidence_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_timeline"]

#: Groups drawn in their own colour; the rest are summed as "other".
MAX_GROUPS = 7

_NOTE = (
    "Reports are claims, not verified facts. Each bar shares a report over the {unit}s its "
    "date covers; the outline counts every report that may fall in the {unit}."
)


def _group_colours(by: str | None, groups: list[str]) -> dict[str, str]:
    if by == "evidence":
        return {g: evidence_style(g)["color"] for g in groups}
    colours = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    if "other" in colours:
        colours["other"] = MISSING_COLOR
    return colours


def _wide(table: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Bins as rows, groups as columns (the largest MAX_GROUPS, then "other")."""
    if by is None:
        return table.set_index("start")[["reports"]]
    wide = table.pivot_table(index="start", columns=by, values="reports", aggfunc="sum")
    wide = wide.fillna(0.0)
    order = wide.sum().sort_values(ascending=False, kind="stable").index
    keep = list(order[:MAX_GROUPS])
    rest = [c for c in wide.columns if c not in keep]
    wide = wide[keep]
    if rest:
        wide = wide.assign(
            other=table.pivot_table(index="start", columns=by, values="reports", aggfunc="sum")[
                rest
            ]
            .fillna(0.0)
            .sum(axis=1)
        )
    return wide


def plot_timeline(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    marks: pd.DataFrame | None = None,
    title: str | None = None,
) -> Axes:
    """Draw a table of :func:`borderstrikes.timeline.report_timeline` as stacked bars.

    Bars show ``reports`` (each report shared over the bins its date interval
    covers), stacked by the table's group column if it has one; a black step
    outline shows ``reports_max`` summed over groups (every report that may
    fall in the bin). Dated marks (e.g. the ceasefires of
    :func:`borderstrikes.datasets.load_timeline_marks`) are drawn as dashed
    vertical lines, labelled with their ``mark_id``, ``kind`` and time; their
    sources are credited under the chart (their ``label`` belongs in a table
    next to it). Text from the tables is drawn as
    plain text (no mathtext).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`borderstrikes.timeline.report_timeline`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure 9 x 3.6 inches.
    marks : pandas.DataFrame, optional
        Rows with ``time_local`` (naive local datetimes) and optionally
        ``kind``; the index names each mark; ``source_outlet`` is credited
        when present.
    title : str, optional
        Default "Reports per day" or "Reports per hour".

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import borderstrikes as bs
    >>> from borderstrikes.timeline import report_timeline
    >>> table = report_timeline(bs.load_strikes(), by="evidence")
    >>> ax = plot_timeline(table, marks=bs.datasets.load_timeline_marks())
    >>> ax.get_title(loc="left")
    'Reports per day'
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.6), dpi=150, layout="constrained")
    known = {"start", "end", "reports", "reports_min", "reports_max"}
    group_columns = [c for c in table.columns if c not in known]
    by = group_columns[0] if group_columns else None
    if table.empty:
        ax.text(0.5, 0.5, "No dated reports", ha="center", va="center", transform=ax.transAxes)
        return ax
    width = table["end"].iloc[0] - table["start"].iloc[0]
    unit = "hour" if width <= pd.Timedelta(hours=1) else "day"
    wide = _wide(table, by)
    colours = _group_colours(by, [str(c) for c in wide.columns])
    bottom = np.zeros(len(wide))
    x = wide.index + width / 2
    bar_width = width * 0.85
    for column in wide.columns:
        values = wide[column].to_numpy(dtype=float)
        label = str(column) if by != "evidence" else evidence_style(column)["label"]
        ax.bar(
            x,
            values,
            width=bar_width,
            bottom=bottom,
            color=colours[str(column)],
            label=mpl_text(label) if by else "Reports (shared over their dates)",
            edgecolor="white",
            linewidth=0.4,
        )
        bottom += values
    upper = table.groupby("start")["reports_max"].sum().reindex(wide.index).to_numpy()
    edges = [*wide.index, wide.index[-1] + width]
    ax.stairs(upper, edges, color="black", linewidth=0.8, label="Reports that may fall here")
    ymax = max(float(upper.max()), float(bottom.max()), 1.0)
    credits = []
    if marks is not None and len(marks):
        for mark_id, mark in marks.iterrows():
            when = pd.Timestamp(mark["time_local"])
            ax.axvline(when, color="#222222", linestyle="--", linewidth=0.9, zorder=3)
            kind = str(mark.get("kind", "mark"))
            ax.annotate(
                mpl_text(f"{mark_id} {kind}\n{when:%d %b %H:%M}"),
                xy=(when, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -2),
                textcoords="offset points",
                va="top",
                ha="left",
                fontsize=6.5,
                color="#222222",
                bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                zorder=4,
            )
            if "source_outlet" in mark:
                credits.append(f"{mark_id} {mark['source_outlet']} ({when:%d %b %H:%M} local)")
    ax.set_ylim(0, ymax * 1.25)  # room for the mark labels
    ax.set_ylabel("Reports")
    ax.set_title(mpl_text(title or f"Reports per {unit}"), loc="left", fontsize=10)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=6.5, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    note = _NOTE.format(unit=unit)
    if credits:
        note += " Marks: " + "; ".join(credits) + "."
    ax.annotate(
        mpl_text(note),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -36),
        textcoords="offset points",
        fontsize=6,
        color="#444444",
        va="top",
        wrap=True,
    )
    return ax
