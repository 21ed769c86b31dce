"""Write the full report on a set of strike reports: tables, map and a self-contained HTML page.

This is the top layer, next to the CLI: it only calls the public functions of
the other modules (the same calls a notebook makes) and writes their results.
"""

from __future__ import annotations

import base64
import html
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from borderstrikes import datasets
from borderstrikes._core.versions import versions as versions_info

__all__ = ["ReportResult", "summary_tables", "write_clusters", "write_report"]

Progress = Callable[[str], None]


@dataclass
class ReportResult:
    """Paths of the files :func:`write_report` wrote, and the time each step took."""

    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _quiet(_: str) -> None:
    return None


class _Steps:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    def run(self, name: str, func: Callable[[], Any]) -> Any:
        self.progress(f"{name} …")
        start = time.perf_counter()
        value = func()
        self.seconds[name] = time.perf_counter() - start
        self.progress(f"{name}: done in {self.seconds[name]:.1f} s")
        return value


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


def _as_dates(values: pd.Series) -> pd.Series:
    """Dates of a validated table as datetimes (text like "2022-09-13" from a CSV parsed)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return pd.to_datetime(values, format="ISO8601", utc=True).dt.tz_localize(None)


def _table_html(frame: pd.DataFrame, *, float_format: str = "{:,.2f}") -> str:
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(
                lambda v: "" if pd.isna(v) else float_format.format(v)
            )
    table = shown.to_html(index=False, escape=True, border=0, classes="table", na_rep="")
    return f"<div class='scroll'>{table}</div>"


def _link(url: Any) -> str:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return html.escape(str(url)) if isinstance(url, str) else ""
    safe = html.escape(url, quote=True)
    return f'<a href="{safe}">{safe}</a>'


def _distances(strikes: gpd.GeoDataFrame) -> pd.DataFrame:
    from borderstrikes.border import distance_to_border

    measured = distance_to_border(strikes)
    columns = [
        "report_id",
        "place",
        "admin1",
        "date",
        "evidence",
        "claimant",
        "location_precision",
        "location_radius_m",
    ]
    table = strikes[[c for c in columns if c in strikes.columns]].join(measured)
    if "date" in table:
        table["date"] = pd.to_datetime(table["date"]).dt.strftime("%Y-%m-%d")
    return table


def _clusters(
    strikes: gpd.GeoDataFrame, eps_km: float, min_samples: int
) -> tuple[pd.Series, gpd.GeoDataFrame]:
    from borderstrikes.clustering import cluster_strikes, describe_clusters

    labels = cluster_strikes(strikes, eps_km=eps_km, min_samples=min_samples)
    return labels, describe_clusters(strikes, labels)


#: Depths (km) of the distance zones drawn on the report's map.
_MAP_ZONES_KM = (5, 10, 20)


def _map(
    strikes: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame, basemap: str, out: Path
) -> tuple[Path, Path]:
    import matplotlib.pyplot as plt

    from borderstrikes.areas import buffer_zone
    from borderstrikes.viz.static import plot_strikes

    zones = pd.concat([buffer_zone(depth_km=depth) for depth in _MAP_ZONES_KM])
    fig, ax = plt.subplots(figsize=(9, 9.5), dpi=150)
    plot_strikes(strikes, ax=ax, basemap=basemap, clusters=clusters, zones=zones)
    png, svg = out / "map.png", out / "map.svg"
    fig.savefig(png, bbox_inches="tight")
    fig.savefig(svg, bbox_inches="tight")
    plt.close(fig)
    return png, svg


def _sources_html(strikes: pd.DataFrame, claims: pd.DataFrame) -> str:
    rows = []
    for entry in datasets.registry().values():
        rows.append(
            "<li><b>{name}</b> ({filename}): {source} {version}; licence {license}. "
            "{attribution}</li>".format(
                name=html.escape(entry["name"]),
                filename=html.escape(entry["filename"]),
                source=html.escape(str(entry.get("source_package", ""))),
                version=html.escape(str(entry.get("source_version", ""))),
                license=html.escape(str(entry.get("license", ""))),
                attribution=html.escape(str(entry.get("attribution", ""))),
            )
        )
    urls = sorted(set(strikes.get("source_url", pd.Series(dtype=str)).dropna()))
    claim_urls = sorted(set(claims.get("source_url", pd.Series(dtype=str)).dropna()))
    links = "".join(f"<li>{_link(u)}</li>" for u in urls)
    claim_links = "".join(f"<li>{_link(u)}</li>" for u in claim_urls)
    return (
        f"<h3>Data</h3><ul>{''.join(rows)}</ul>"
        f"<h3>Sources of the strike reports</h3><ul>{links}</ul>"
        f"<h3>Sources of the claims</h3><ul>{claim_links}</ul>"
    )


def _method_html(parameters: dict[str, Any]) -> str:
    versions = versions_info()
    libs = {**versions["libraries"], **{k: v for k, v in versions["packages"].items() if v}}
    params = "".join(
        f"<li><code>{html.escape(k)}</code> = {html.escape(str(v))}</li>"
        for k, v in parameters.items()
    )
    libraries = ", ".join(f"{html.escape(k)} {html.escape(str(v))}" for k, v in libs.items())
    return (
        "<ul>"
        "<li>Distances, lengths and areas are geodesic on the WGS84 ellipsoid (GeographicLib "
        "through pyproj.Geod); border edges are geodesics. No figure comes from a map "
        "projection.</li>"
        "<li>Signed distance: positive inside Armenia, negative on the other side.</li>"
        "<li>Clusters: DBSCAN on exact geodesic distances; displacement-only and denial reports "
        "are left out.</li>"
        "<li>Buffer zones: the part of Armenia within the given geodesic depth of the "
        "Armenia–Azerbaijan border.</li>"
        "<li>Claims are quoted, not verified: each verdict says only whether the claimed figure "
        "is geometrically possible.</li>"
        f"</ul><h3>Parameters</h3><ul>{params}</ul>"
        f"<p class='small'>Software: {libraries}</p>"
    )


_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table.table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
table.table th,table.table td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}
table.table th{background:#f4f4f4}.small{font-size:.8em;color:#555}
.caveat{background:#fff8e1;border-left:4px solid #e6a700;padding:.6em 1em}
img{max-width:100%;height:auto}.scroll{overflow-x:auto}
"""


def write_report(
    out_dir: str | Path,
    *,
    strikes: gpd.GeoDataFrame | None = None,
    basemap: str = "offline",
    eps_km: float | None = None,
    min_samples: int | None = None,
    depths_km: Sequence[float] = (1, 2, 5, 10, 15, 20),
    countries: Sequence[str] = ("ARM",),
    progress: Progress | None = None,
) -> ReportResult:
    """Analyse strike reports and write tables, maps and ``report.html`` to a folder.

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write to; created if missing. Existing files of the same
        names are replaced.
    strikes : GeoDataFrame, optional
        Strike reports in the schema of :func:`borderstrikes.load_strikes`
        (checked with :func:`borderstrikes.validate_strikes`); default the
        packaged September 2022 reports.
    basemap : str, default "offline"
        Passed to :func:`borderstrikes.viz.static.plot_strikes`; ``"offline"``
        needs no network.
    eps_km, min_samples : optional
        Clustering parameters; default
        :data:`borderstrikes.clustering.DEFAULT_EPS_KM` and
        :data:`borderstrikes.clustering.DEFAULT_MIN_SAMPLES`.
    depths_km : sequence of float, default (1, 2, 5, 10, 15, 20)
        Depths of the buffer-zone scenarios.
    countries : sequence of str, default ("ARM",)
        Countries user reports may lie in, passed to
        :func:`borderstrikes.validate_strikes` (e.g. ``("ARM", "AZE")``).
    progress : callable, optional
        Called with a message at the start and end of each step (e.g. ``print``).

    Returns
    -------
    ReportResult
        The paths written (``map.png``, ``map.svg``, ``distances.csv``,
        ``clusters.geojson``, ``buffer_zones.csv``, ``claims.csv``,
        ``report.html``) and the seconds each step took.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +SKIP
    ...     result = write_report(tmp)
    ...     sorted(p.name for p in result.files.values())
    ['buffer_zones.csv', 'claims.csv', 'clusters.geojson', 'distances.csv', 'map.png', ...]
    """
    from borderstrikes.areas import buffer_scenarios
    from borderstrikes.claims import check_claims
    from borderstrikes.clustering import DEFAULT_EPS_KM, DEFAULT_MIN_SAMPLES
    from borderstrikes.strikes import validate_strikes

    packaged = strikes is None
    if packaged:
        strikes = datasets.load_strikes()
    else:
        validate_strikes(strikes, countries=countries)
        strikes = strikes.assign(date=_as_dates(strikes["date"]))  # a CSV gives text
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = _Steps(progress or _quiet)
    eps_km = DEFAULT_EPS_KM if eps_km is None else eps_km
    min_samples = DEFAULT_MIN_SAMPLES if min_samples is None else min_samples
    result = ReportResult(out_dir=out)

    distances = steps.run("distances to the border", lambda: _distances(strikes))
    result.files["distances"] = out / "distances.csv"
    distances.to_csv(result.files["distances"])

    labels, clusters = steps.run("clusters", lambda: _clusters(strikes, eps_km, min_samples))
    result.files["clusters"] = out / "clusters.geojson"
    write_clusters(clusters, result.files["clusters"])

    zones = steps.run("buffer-zone scenarios", lambda: buffer_scenarios(depths_km, strikes=strikes))
    result.files["buffer_zones"] = out / "buffer_zones.csv"
    zones.to_csv(result.files["buffer_zones"], index=False)

    claims = steps.run("claims", check_claims)
    result.files["claims"] = out / "claims.csv"
    claims.to_csv(result.files["claims"], index=False)

    png, svg = steps.run("map", lambda: _map(strikes, clusters, basemap, out))
    result.files["map_png"], result.files["map_svg"] = png, svg

    parameters = {
        "strikes": "packaged September 2022 reports" if packaged else f"{len(strikes)} reports",
        "eps_km": eps_km,
        "min_samples": min_samples,
        "depths_km": list(depths_km),
        "basemap": basemap,
        "ellipsoid": "WGS84",
    }
    page = steps.run(
        "HTML report",
        lambda: _page(strikes, distances, labels, clusters, zones, claims, png, parameters),
    )
    result.files["report"] = out / "report.html"
    result.files["report"].write_text(page, encoding="utf-8")
    result.seconds = steps.seconds
    return result


def write_clusters(clusters: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write cluster footprints to GeoJSON, lists joined with "; " and dates as YYYY-MM-DD."""
    path = Path(path)
    frame = clusters.reset_index(names="cluster")
    for column in frame.columns:
        if column != frame.geometry.name and frame[column].map(type).eq(list).any():
            frame[column] = frame[column].map("; ".join)
        elif pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    path.unlink(missing_ok=True)
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")


def _page(
    strikes: gpd.GeoDataFrame,
    distances: pd.DataFrame,
    labels: pd.Series,
    clusters: gpd.GeoDataFrame,
    zones: pd.DataFrame,
    claims: pd.DataFrame,
    png: Path,
    parameters: dict[str, Any],
) -> str:
    image = base64.b64encode(png.read_bytes()).decode("ascii")
    cluster_table = pd.DataFrame(clusters.drop(columns=clusters.geometry.name)).reset_index(
        names="cluster"
    )
    for column in cluster_table.columns:
        if cluster_table[column].map(type).eq(list).any():
            cluster_table[column] = cluster_table[column].map(", ".join)
    distance_table = distances.assign(cluster=labels.reindex(distances.index))
    by_evidence = summary_tables(strikes)["evidence"].reset_index()
    buffer = io.StringIO()
    buffer.write("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>")
    buffer.write("<title>borderstrikes report</title>")
    buffer.write(f"<style>{_STYLE}</style></head><body>")
    buffer.write("<h1>Reported strikes on Armenia and the Armenia–Azerbaijan border</h1>")
    buffer.write(
        "<p class='caveat'>Every row below is a <b>claim</b> by the named claimant, as "
        "reported by the named outlet; it is not a verified fact. Boundaries depict the "
        "cited sources (OpenStreetMap, Natural Earth), not a position on sovereignty.</p>"
    )
    buffer.write(
        f"<p>{len(strikes)} reports about {strikes['place'].nunique()} places, "
        f"{strikes['date'].min():%d %B %Y} to {strikes['date'].max():%d %B %Y}.</p>"
    )
    buffer.write(f"<img alt='Map of the reports' src='data:image/png;base64,{image}'>")
    buffer.write("<p class='small'>Vector version: <a href='map.svg'>map.svg</a>.</p>")
    buffer.write("<h2>Reports by evidence</h2>" + _table_html(by_evidence))
    buffer.write("<h2>Clusters</h2>" + _table_html(cluster_table))
    buffer.write("<h2>Buffer-zone scenarios</h2>" + _table_html(zones))
    buffer.write("<h2>Claims checked against the geometry</h2>" + _table_html(claims))
    buffer.write("<h2>Distance of each report to the border</h2>")
    buffer.write(_table_html(distance_table, float_format="{:,.3f}"))
    buffer.write("<h2>Method</h2>" + _method_html(parameters))
    buffer.write("<h2>Sources</h2>" + _sources_html(strikes, claims))
    buffer.write("</body></html>")
    return buffer.getvalue()
