"""The look both maps share: symbols, colours, map CRS and credits.

One place for what a reader learns from the legend of one map and expects on
the other: the marker and colour of each evidence kind, the border colour and
line style of each section, the shades of the distance bands, the land and
water colours of the offline basemap, the weapon classes and the attribution
line built from each dataset's ``attrs["provenance"]``.

Nothing here draws; :func:`colour_values` imports matplotlib (for a colour
map) only when called.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
from pyproj import CRS

__all__ = [
    "ADMIN1_LINE",
    "BAND_ALPHA",
    "BAND_COLOURS",
    "BORDER_COLOR",
    "BORDER_STYLES",
    "COUNTRY_LINE",
    "DEFAULT_CRS",
    "EVIDENCE_STYLES",
    "GID",
    "LAKE_LINE",
    "LAND_HOME",
    "LAND_OTHER",
    "MISSING_COLOR",
    "NO_EVIDENCE",
    "OTHER_EVIDENCE",
    "OVERLAY_ALPHA",
    "OVERLAY_COLOURS",
    "OVERLAY_DASHES",
    "PALETTE",
    "PRECISION_CIRCLE",
    "STAND_IN_LABEL",
    "TEXT_BOX",
    "TEXT_HALO",
    "UNKNOWN_EVIDENCE",
    "WATER",
    "WEAPON_CLASSES",
    "attribution_text",
    "colour_values",
    "date_range_text",
    "evidence_label",
    "evidence_style",
    "overlay_style",
    "provenance",
    "resolve_map_crs",
    "weapon_class",
]

#: Map CRS used when ``crs=None``: UTM zone 38N (42°E–48°E) covers all of
#: Armenia, so the map is conformal with a scale error below 0.1 %.
DEFAULT_CRS = "EPSG:32638"

#: Marker, legend label and colour of each ``evidence`` kind of the strikes schema.
#: Colours are from the Okabe–Ito palette, distinguishable with colour-vision deficiency.
EVIDENCE_STYLES: dict[str, dict[str, str]] = {
    "impact": {"marker": "o", "label": "Impact reported", "color": "#D55E00"},
    "direction": {"marker": "^", "label": "Direction named", "color": "#E69F00"},
    "ground_fighting": {"marker": "X", "label": "Ground fighting", "color": "#CC79A7"},
    "displacement_only": {"marker": "s", "label": "Displacement only", "color": "#0072B2"},
    "claimed_firing_point": {
        "marker": "P",
        "label": "Claimed firing point",
        "color": "#009E73",
    },
    "denial": {"marker": "D", "label": "Denied", "color": "#6E6E6E"},
}
#: Style of an evidence value not in :data:`EVIDENCE_STYLES`.
OTHER_EVIDENCE = {"marker": "o", "label": "Report", "color": "#444444"}
#: Evidence key of a report whose ``evidence`` is missing.
UNKNOWN_EVIDENCE = "unknown"
#: Evidence key of every report when the reports have no ``evidence`` column.
NO_EVIDENCE = "report"

PALETTE = ["#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#8C564B", "#000000"]
MISSING_COLOR = "#9E9E9E"

#: Weapon vocabulary of the reports is free text; these keywords map it to classes.
WEAPON_CLASSES: list[tuple[str, tuple[str, ...]]] = [
    ("Drone (UAV)", ("uav", "drone")),
    ("Rocket / missile", ("rocket", "missile")),
    ("Mortar", ("mortar",)),
    ("Artillery / shelling", ("artiller", "shell", "calibre", "caliber", "bombard", "heavy")),
    ("Ground assault / small arms", ("ground", "gunfire", "firearm", "shot", "assault")),
]

#: Line style (matplotlib), dash pattern (Leaflet) and legend label of each border section.
BORDER_STYLES: dict[str, dict[str, Any]] = {
    "main": {
        "linestyle": "-",
        "linewidth": 1.6,
        "dash": None,
        "label": "Armenia–Azerbaijan border",
    },
    "nakhchivan": {
        "linestyle": (0, (4, 1.5)),
        "linewidth": 1.4,
        "dash": "8 4",
        "label": "Armenia–Nakhchivan (AZ) border",
    },
    "exclave": {
        "linestyle": (0, (1, 1)),
        "linewidth": 1.2,
        "dash": "2 4",
        "label": "Exclave boundary",
    },
}
BORDER_COLOR = "#7A0019"

#: Shades of the distance bands, nearest the border first.
BAND_COLOURS = ["#5E3C99", "#8B6BB8", "#B9A6D6", "#DCD2EB", "#EEEAF5"]
BAND_ALPHA = 0.45

#: Outline and fill of the overlays (fans, range rings, exposure rings), one per overlay in
#: order: the Okabe–Ito colours the evidence kinds do not use (sky blue, black, yellow),
#: then the same colours dashed (:data:`OVERLAY_DASHES`), then dotted.
OVERLAY_COLOURS = ("#56B4E9", "#000000", "#F0E442")
#: Dash of the overlays' outlines, per round of :data:`OVERLAY_COLOURS`: matplotlib
#: ``linestyle`` and Leaflet ``dashArray``.
OVERLAY_DASHES: tuple[tuple[Any, str | None], ...] = (
    ("-", None),
    ((0, (5, 2)), "8 4"),
    ((0, (1, 1.5)), "2 4"),
)
#: Opacity of an overlay's fill (its outline is opaque).
OVERLAY_ALPHA = 0.15

LAND_HOME = "#F8F6F0"
LAND_OTHER = "#E4E4E1"
WATER = "#BFD9EA"
LAKE_LINE = "#8DB6CF"
ADMIN1_LINE = "#A7A7A7"
COUNTRY_LINE = "#6B6B6B"

TEXT_HALO = 2.2
#: Legend text of a stand-in point (drawn hollow; "≈" before its place name).
STAND_IN_LABEL = (
    "Stand-in point (hollow; ≈ before the name):\nno own coordinate, or an area's centre"
)
#: Precision circle (radius ``location_radius_m``): fill, edge, edge width, dash.
PRECISION_CIRCLE: dict[str, Any] = {
    "facecolor": (0.35, 0.35, 0.35, 0.04),
    "edgecolor": (0.25, 0.25, 0.25, 0.55),
    "linewidth": 0.6,
    "linestyle": (0, (3, 2)),
}
#: Background of text drawn over the map (a box, not a path-effect halo, which
#: would turn the text into paths in SVG and PDF).
TEXT_BOX = {"boxstyle": "square,pad=0.12", "facecolor": "white", "alpha": 0.8, "edgecolor": "none"}
#: Prefix of the gid of every artist drawn (``borderstrikes-legend`` ...).
GID = "borderstrikes-"


def resolve_map_crs(crs: Any) -> CRS:
    """Return ``crs`` as a :class:`pyproj.CRS`, or :data:`DEFAULT_CRS` if None."""
    if crs is None:
        return CRS.from_user_input(DEFAULT_CRS)
    try:
        return CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises CRSError, a RuntimeError subclass
        msg = f"crs must be anything pyproj.CRS accepts, e.g. 'EPSG:32638' (got {crs!r})."
        raise ValueError(msg) from exc


def evidence_style(key: str) -> dict[str, str]:
    """Return the marker, label and colour of an evidence key (or :data:`OTHER_EVIDENCE`)."""
    return EVIDENCE_STYLES.get(key, OTHER_EVIDENCE)


def overlay_style(position: int) -> dict[str, Any]:
    """Return the colour and dashes of the overlay at ``position`` (0 first).

    Examples
    --------
    >>> overlay_style(0)["color"], overlay_style(3)["dash"]
    ('#56B4E9', '8 4')
    """
    n = len(OVERLAY_COLOURS)
    linestyle, dash = OVERLAY_DASHES[(position // n) % len(OVERLAY_DASHES)]
    return {
        "color": OVERLAY_COLOURS[position % n],
        "alpha": OVERLAY_ALPHA,
        "linestyle": linestyle,
        "dash": dash,
    }


def evidence_label(key: str) -> str:
    """Return the legend label of an evidence key: its style's label, else the key."""
    return EVIDENCE_STYLES[key]["label"] if key in EVIDENCE_STYLES else str(key)


def weapon_class(weapons: Any) -> str:
    """Return the class of a report's free-text weapons (see :data:`WEAPON_CLASSES`).

    Examples
    --------
    >>> weapon_class(["UAV (attack drones)"])
    'Drone (UAV)'
    >>> weapon_class(["artillery", "mortar"])
    'Several weapon types'
    >>> weapon_class([])
    'Unknown'
    """
    if weapons is None or (isinstance(weapons, float) and math.isnan(weapons)):
        return "Unknown"
    items = [weapons] if isinstance(weapons, str) else list(weapons)
    classes = []
    for item in items:
        text = str(item).lower()
        for name, keys in WEAPON_CLASSES:
            if any(key in text for key in keys):
                if name not in classes:
                    classes.append(name)
                break
    if not classes:
        return "Unknown"
    if len(classes) > 1:
        return "Several weapon types"
    return classes[0]


def colour_values(
    reports: pd.DataFrame,
    color_by: str,
    *,
    evidence: pd.Series,
    cluster_labels: pd.Series | None = None,
    cluster_names: dict[int, str] | None = None,
) -> tuple[pd.Series, dict[str, str], str]:
    """Return the category of each report, the colour of each category and a title.

    ``evidence`` holds the reports' evidence keys (see
    :func:`borderstrikes.viz.layers.build_layers`).
    """
    import matplotlib as mpl

    if color_by == "evidence":
        order = [k for k in EVIDENCE_STYLES if (evidence == k).any()]
        order += sorted(set(evidence) - set(order))
        colours = {
            k: EVIDENCE_STYLES[k]["color"] if k in EVIDENCE_STYLES else MISSING_COLOR for k in order
        }
        labels = {k: evidence_label(k) for k in order}
        return evidence.map(labels), {labels[k]: colours[k] for k in order}, "Evidence"
    if color_by == "date":
        dates = pd.to_datetime(reports["date"], errors="coerce")
        keys = sorted(dates.dropna().unique())
        shades = mpl.colormaps["plasma"](np.linspace(0.05, 0.8, max(len(keys), 1)))
        names = {pd.Timestamp(k): pd.Timestamp(k).strftime("%-d %b %Y") for k in keys}
        values = dates.map(lambda d: names.get(pd.Timestamp(d)) if pd.notna(d) else "Date unknown")
        colours = {
            names[pd.Timestamp(k)]: mpl.colors.to_hex(c)
            for k, c in zip(keys, shades[: len(keys)], strict=True)
        }
        if (values == "Date unknown").any():
            colours["Date unknown"] = MISSING_COLOR
        return values, colours, "Reported date"
    if color_by == "weapon":
        values = reports["weapons"].map(weapon_class)
        order = [name for name, _ in WEAPON_CLASSES] + ["Several weapon types", "Unknown"]
        return values, _categorical(values, order, "Unknown"), "Weapon (as reported)"
    if color_by == "cluster":
        return _cluster_values(reports, cluster_labels, cluster_names or {})
    if color_by in reports.columns:
        raw = reports[color_by].astype(object)
        values = raw.where(raw.notna(), "unknown").astype(str)
        order = [*sorted(set(values) - {"unknown"}), "unknown"]
        return values, _categorical(values, order, "unknown"), color_by
    msg = (
        "color_by must be 'evidence', 'date', 'weapon', 'cluster' or a column of strikes "
        f"(got {color_by!r})."
    )
    raise ValueError(msg)


def _categorical(values: pd.Series, order: list[str], missing: str) -> dict[str, str]:
    """Palette colours for the categories present, in ``order``; ``missing`` is grey."""
    present = [k for k in order if (values == k).any()]
    colours = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(present)}
    if missing in colours:
        colours[missing] = MISSING_COLOR
    return colours


def _cluster_values(
    reports: pd.DataFrame, cluster_labels: pd.Series | None, given: dict[int, str]
) -> tuple[pd.Series, dict[str, str], str]:
    if cluster_labels is None:
        msg = (
            "color_by='cluster' needs per-report cluster labels: add them as a 'cluster' "
            "column, strikes.assign(cluster=cluster_strikes(strikes, eps_km=...)), and pass "
            "clusters=describe_clusters(strikes, labels) for the footprints."
        )
        raise ValueError(msg)
    labels = cluster_labels.reindex(reports.index)
    keys = sorted(int(k) for k in labels.dropna().unique() if int(k) >= 0)
    names = {k: f"Cluster {k}" + (f": {given[k]}" if given.get(k) else "") for k in keys}
    values = labels.map(
        lambda v: names.get(int(v), "Not clustered") if pd.notna(v) else "Not clustered"
    )
    colours = {names[k]: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    if (values == "Not clustered").any():
        colours["Not clustered"] = MISSING_COLOR
    return values, colours, "Cluster"


def provenance(frame: Any) -> list[dict[str, Any]]:
    """Return the ``attrs["provenance"]`` records of a (Geo)DataFrame, or an empty list."""
    return list(getattr(frame, "attrs", {}).get("provenance", []) or [])


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def attribution_text(sources: list[dict[str, Any]], extra: list[str]) -> str:
    """Return one credit line: each source's attribution and licence, then ``extra``, deduplicated.

    Examples
    --------
    >>> attribution_text([{"attribution": "Natural Earth", "license": "Public domain"}], [])
    'Natural Earth (Public domain).'
    """
    parts: list[str] = []
    for source in sources:
        text = str(source.get("attribution", "")).strip().rstrip(".")
        licence = str(source.get("license", "")).strip()
        if not text:
            continue
        # Name the licence unless the attribution already carries one in brackets.
        if licence and "(" not in text and _squash(licence) not in _squash(text):
            text = f"{text} ({licence})"
        if text not in parts:
            parts.append(text)
    for text in extra:
        text = text.strip().rstrip(".")
        if text and text not in parts:
            parts.append(text)
    return "; ".join(parts) + ("." if parts else "")


def date_range_text(first: Any, last: Any) -> str:
    """Write a date range the way a caption does.

    Examples
    --------
    >>> date_range_text(pd.Timestamp("2022-09-12"), pd.Timestamp("2022-09-15"))
    '12–15 September 2022'
    >>> date_range_text(pd.Timestamp("2021-01-03"), pd.Timestamp("2022-12-30"))
    '3 January 2021 – 30 December 2022'
    """
    a, b = pd.Timestamp(first), pd.Timestamp(last)
    if a.date() == b.date():
        return f"{a.day} {a:%B %Y}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%B %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%B} – {b.day} {b:%B %Y}"
    return f"{a.day} {a:%B %Y} – {b.day} {b:%B %Y}"
