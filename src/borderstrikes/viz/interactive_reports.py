"""The reports of the interactive map as one compact table for the page's script.

:func:`report_payload` turns located reports into what the script of
:func:`borderstrikes.viz.interactive.interactive_map_html` draws: one marker
per place, the reports behind each marker with their date interval and
evidence kind (for the time control and the legend counts), and the details
shown in a marker's popup. Nothing is dropped: every report is counted in
its marker, and the page's summary says how many reports stand behind how
many markers.

Merging
    Reports at the same point (to 1e-5 degree, about 1 m) are one marker,
    sized and labelled by their count. When there are more distinct points
    than ``max_markers`` (a browser slows down past a few thousand markers),
    reports are merged on a grid of square cells in degrees, the finest of
    :data:`GRID_STEPS_DEG` that gives at most ``max_markers`` markers; such
    a marker stands at the mean position of its reports and the page says
    so in the summary and in each popup.
Precision
    Each marker has a radius in metres: the largest, over its reports, of
    the geodesic distance from the marker to the report's point plus the
    report's ``location_radius_m`` (on WGS84, :data:`borderstrikes._core.constants.GEOD`).
    A circle of that radius therefore covers the stated location of every
    report behind the marker.
Stand-in points
    The rule the static map uses too,
    :func:`borderstrikes.viz.layers.stand_in`: ``coord_source`` says so,
    or ``location_precision`` is ``region``.
Details
    Popups list at most ``details_per_marker`` reports of a marker (the
    earliest), each with id, place, claimant, outlet, source link and
    precision; the popup says how many more there are. All text is data,
    written into the page by :func:`borderstrikes._core.escape.js_literal`
    and shown with ``textContent``.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes._core.constants import GEOD
from borderstrikes.strikes import PRECISION_RADIUS_M
from borderstrikes.viz.layers import day_intervals, stand_in
from borderstrikes.viz.style import evidence_label, evidence_style

__all__ = [
    "DETAILS_PER_MARKER",
    "GRID_STEPS_DEG",
    "MAX_MARKERS",
    "report_payload",
]

#: Most markers drawn; past it, reports are merged on a grid (see the module's notes).
MAX_MARKERS = 2000

#: Cell sizes (degrees) tried, finest first, when reports are merged on a grid.
GRID_STEPS_DEG = (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.5, 1.0, 2.0, 5.0)

#: Reports listed in a marker's popup (the others are counted).
DETAILS_PER_MARKER = 8

#: Detail fields of a report, in the order the page's script reads them.
DETAIL_FIELDS = (
    "report_id",
    "place",
    "claimant",
    "source_outlet",
    "source_url",
    "location_precision",
)


def _radius_m(reports: pd.DataFrame) -> np.ndarray:
    """``location_radius_m``, else the default of ``location_precision``, else 0."""
    n = len(reports)
    radius = np.full(n, np.nan)
    if "location_radius_m" in reports.columns:
        radius = pd.to_numeric(reports["location_radius_m"], errors="coerce").to_numpy(float)
    if "location_precision" in reports.columns:
        default = reports["location_precision"].map(dict(PRECISION_RADIUS_M))
        default = pd.to_numeric(default, errors="coerce").to_numpy(float)
        radius = np.where(np.isnan(radius), default, radius)
    radius = np.where(np.isfinite(radius) & (radius > 0), radius, 0.0)
    return radius


def _groups(lon: np.ndarray, lat: np.ndarray, max_markers: int) -> tuple[np.ndarray, float | None]:
    """Marker number of each report, and the grid step used (None: same point only)."""
    keys = np.column_stack([np.round(lon, 5), np.round(lat, 5)])
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.ravel()
    if group.max(initial=-1) + 1 <= max_markers:
        return group, None
    for step in GRID_STEPS_DEG:
        cells = np.column_stack([np.floor(lon / step), np.floor(lat / step)])
        _, group = np.unique(cells, axis=0, return_inverse=True)
        group = group.ravel()
        if group.max() + 1 <= max_markers:
            return group, step
    return group, GRID_STEPS_DEG[-1]


class _Strings:
    """A table of distinct texts; each text is written once and referred to by number."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, value: Any) -> int:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            return -1
        if isinstance(value, (list, tuple, np.ndarray)):
            value = ", ".join(str(v) for v in value)
        text = str(value)
        if not text:
            return -1
        return self.index.setdefault(text, len(self.index))

    @property
    def values(self) -> list[str]:
        return list(self.index)


def report_payload(
    reports: gpd.GeoDataFrame,
    evidence: pd.Series,
    kinds: list[str],
    *,
    max_markers: int = MAX_MARKERS,
    details_per_marker: int = DETAILS_PER_MARKER,
) -> dict[str, Any]:
    """Return the markers, reports and details the page's script draws, as plain data.

    Parameters
    ----------
    reports : geopandas.GeoDataFrame
        Located reports in EPSG:4326 (:attr:`borderstrikes.viz.layers.MapLayers.reports`).
    evidence : pandas.Series
        Evidence key of each report (same index).
    kinds : list of str
        The evidence keys in legend order, strongest first: a marker takes the
        symbol of the strongest kind among its reports shown.
    max_markers : int, default MAX_MARKERS
        Most markers; past it reports are merged on a grid.
    details_per_marker : int, default DETAILS_PER_MARKER
        Reports listed in a popup.

    Returns
    -------
    dict
        JSON-ready: ``kinds`` (label, colour, marker of each kind),
        ``markers`` (columns ``lat``, ``lon``, ``radius_m``, ``first``,
        ``n``, ``place``, ``n_places``), ``reports`` (columns ``start``, the
        first day as days from ``day0``, -1 if undated; ``span_days``, last
        minus first day; ``kind``; ``stand_in``; the reports of marker ``i``
        are rows ``first[i]`` to ``first[i] + n[i] - 1``), ``details`` (per
        marker, one row per listed report: string numbers in
        :data:`DETAIL_FIELDS` order, -1 for none, then ``location_radius_m``),
        ``strings``,
        ``day0`` (ISO date or None), ``n_days``, ``grid_step_deg`` and
        ``n_reports``.

    Examples
    --------
    >>> import borderstrikes
    >>> from borderstrikes.viz.layers import build_layers
    >>> layers = build_layers(borderstrikes.load_strikes())
    >>> data = report_payload(layers.reports, layers.evidence, layers.evidence_kinds)
    >>> sum(data["markers"]["n"]) == len(layers.reports) == data["n_reports"]
    True
    >>> data["day0"], data["grid_step_deg"]
    ('2022-09-12', None)
    """
    n = len(reports)
    geoms = np.asarray(reports.geometry.values)
    lon = shapely.get_x(geoms) if n else np.zeros(0)
    lat = shapely.get_y(geoms) if n else np.zeros(0)
    kind_number = {k: i for i, k in enumerate(kinds)}
    kind = evidence.reindex(reports.index).map(kind_number).fillna(len(kinds)).to_numpy(int)
    start, end = day_intervals(reports)
    day0 = start.min() if start.notna().any() else None
    if day0 is None:
        start_day = np.full(n, -1)
        end_day = np.full(n, -1)
        n_days = 0
    else:
        start_day = ((start - day0).dt.days).fillna(-1).to_numpy(int)
        end_day = ((end - day0).dt.days).fillna(-1).to_numpy(int)
        n_days = int(end_day.max()) + 1
    flags = stand_in(reports)
    radius = _radius_m(reports)

    if n:
        group, step = _groups(lon, lat, max_markers)
    else:
        group, step = np.zeros(0, dtype=int), None
    # Reports of one marker together, earliest first.
    order = np.lexsort((np.arange(n), start_day, group))
    n_markers = int(group.max()) + 1 if n else 0
    counts = np.bincount(group, minlength=n_markers)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int) if n_markers else counts
    marker_lon = np.bincount(group, weights=lon, minlength=n_markers) / np.maximum(counts, 1)
    marker_lat = np.bincount(group, weights=lat, minlength=n_markers) / np.maximum(counts, 1)
    if step is None and n:  # same point: keep it exactly (the mean of equal values may drift)
        marker_lon[group] = lon
        marker_lat[group] = lat
    reach = radius.copy()
    if step is not None:
        _, _, offset = GEOD.inv(marker_lon[group], marker_lat[group], lon, lat)
        reach += np.abs(offset)
    marker_radius = np.zeros(n_markers)
    np.maximum.at(marker_radius, group, reach)

    strings = _Strings()
    place = reports["place"] if "place" in reports.columns else pd.Series(None, index=reports.index)
    names = pd.DataFrame(
        {"marker": group, "place": place.astype("string").fillna("").to_numpy(object)}
    )
    names = names[names["place"] != ""]
    # The most frequent place name of each marker (the first seen among equals).
    per_place = names.groupby(["marker", "place"], sort=False).size().rename("n").reset_index()
    top = per_place.sort_values("n", ascending=False, kind="stable").drop_duplicates("marker")
    top_of = dict(zip(top["marker"], top["place"], strict=True))
    n_places_of = per_place.groupby("marker").size().to_dict()
    marker_place = [strings(top_of.get(m)) for m in range(n_markers)]
    marker_places = [int(n_places_of.get(m, 0)) for m in range(n_markers)]
    # The first details_per_marker reports of each marker (in the order above) are listed.
    rank = np.arange(n) - first[group[order]] if n else np.zeros(0, dtype=int)
    listed_rows = order[rank < details_per_marker]
    columns = {
        f: reports[f].to_numpy(object) if f in reports.columns else None for f in DETAIL_FIELDS
    }
    details: list[list[list[int]]] = [[] for _ in range(n_markers)]
    for row in listed_rows:
        texts = [
            -1
            if columns[f] is None
            else strings(_url(columns[f][row]) if f == "source_url" else columns[f][row])
            for f in DETAIL_FIELDS
        ]
        details[group[row]].append([*texts, round(float(radius[row]))])
    return {
        "kinds": [
            {
                "label": evidence_label(k),
                "color": evidence_style(k)["color"],
                "marker": evidence_style(k)["marker"],
            }
            for k in kinds
        ],
        "markers": {
            "lat": np.round(marker_lat, 5).tolist(),
            "lon": np.round(marker_lon, 5).tolist(),
            "radius_m": np.round(marker_radius).astype(int).tolist(),
            "first": [int(v) for v in first],
            "n": counts.astype(int).tolist(),
            "place": marker_place,
            "n_places": marker_places,
        },
        "reports": {
            "start": start_day[order].tolist(),
            "span_days": (end_day[order] - start_day[order]).tolist(),
            "kind": kind[order].tolist(),
            "stand_in": flags[order].astype(int).tolist(),
        },
        "details": details,
        "detail_fields": list(DETAIL_FIELDS),
        "strings": strings.values,
        "day0": None if day0 is None else day0.strftime("%Y-%m-%d"),
        "n_days": n_days,
        "grid_step_deg": step,
        "n_reports": n,
    }


def _url(value: Any) -> Any:
    """Return a source URL if it is http(s), else None (any other scheme is dropped)."""
    if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
        return value
    return None
