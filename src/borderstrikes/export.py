"""The case file: reports, incidents and measurements in the formats analysts share.

:func:`export` writes one folder (or one ``.zip``) with

- ``case.kmz`` for Google Earth: a folder per evidence kind with its own icon
  colour, each report's ``TimeSpan`` from its date interval (for the time
  slider), its claimant, outlet, source URL and precision as ``ExtendedData``,
  and optionally each report's location-precision circle (a geodesic circle);
- ``case.gpkg`` for QGIS: layers ``reports``, ``precision_circles``,
  ``incidents`` and ``clusters``, with their QGIS styles in a ``layer_styles``
  table (the table QGIS itself writes when a style is saved "in the
  database"), so the layers open styled;
- ``case.xlsx`` for Excel: sheets ``reports``, ``distances`` (with the
  sampled distance intervals and the date intervals), ``incidents``,
  ``clusters``, ``claims``, ``sources`` and ``method``;
- ``manifest.json`` (inputs, parameters, versions, every file with its
  sha256; :func:`borderstrikes.io.manifest.run_manifest`) and ``SOURCES.txt``.

Text from files is hostile. KML and QGIS style documents are built with
:mod:`xml.etree.ElementTree` (never by joining strings); characters XML 1.0
cannot hold are dropped. KML descriptions, which Google Earth renders as HTML,
are escaped with :func:`borderstrikes._core.escape.html_text`. Spreadsheet
cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
get the leading ``'`` of :func:`borderstrikes._core.escape.csv_cell`, the rule
of every CSV the package writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io as _stdio
import os
import struct
import tempfile
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderstrikes._core.constants import GEOD
from borderstrikes._core.escape import csv_cell, html_text, xml_text
from borderstrikes._core.validate import check_integer, check_number, point_lonlat
from borderstrikes.incidents import group_incidents, radius_m
from borderstrikes.io.manifest import run_manifest, write_manifest
from borderstrikes.io.write import atomic_file, atomic_folder, credit_line, sources_text
from borderstrikes.strikes import EVIDENCE_KINDS
from borderstrikes.timeline import report_intervals
from borderstrikes.viz.style import EVIDENCE_STYLES, OTHER_EVIDENCE

__all__ = ["FORMATS", "KML_NAMESPACE", "export", "precision_circles"]

#: The files :func:`export` can write, by format name.
FORMATS = {"kmz": "case.kmz", "gpkg": "case.gpkg", "xlsx": "case.xlsx"}

KML_NAMESPACE = "http://www.opengis.net/kml/2.2"

#: QGIS marker names for the matplotlib markers of :data:`EVIDENCE_STYLES`.
_QGIS_MARKER = {
    "o": "circle",
    "^": "triangle",
    "X": "cross2",
    "s": "square",
    "P": "cross_fill",
    "D": "diamond",
}

#: Columns of the KMZ's ExtendedData (those the reports have), in this order.
_KML_FIELDS = (
    "report_id",
    "place",
    "place_variants",
    "admin1",
    "date_start",
    "date_end",
    "time_local",
    "claimant",
    "source_outlet",
    "source_url",
    "source_date",
    "evidence",
    "location_precision",
    "location_radius_m",
    "incident",
    "cluster",
    "distance_km",
)

_CIRCLE_VERTICES = 72


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and not np.isfinite(value):
        return True
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """Return a cell value: lists joined with "; ", numpy scalars as Python, missing as None."""
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(str(v) for v in value)
    if _is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy with list cells joined by "; " (GDAL and Excel hold one value per cell)."""
    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        if (
            out[column].dtype == object
            and out[column].map(lambda v: isinstance(v, list | tuple | np.ndarray)).any()
        ):
            out[column] = out[column].map(
                lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple | np.ndarray) else v
            )
    return out


def precision_circles(
    reports: gpd.GeoDataFrame, *, vertices: int = _CIRCLE_VERTICES
) -> gpd.GeoSeries:
    """Return each report's location-precision circle: a geodesic circle of ``location_radius_m``.

    Parameters
    ----------
    reports : geopandas.GeoDataFrame
        Point reports with ``location_radius_m`` (or ``location_precision``).
    vertices : int, default 72
        Points on each circle (every 5° of azimuth).

    Returns
    -------
    geopandas.GeoSeries
        Polygons in EPSG:4326, same index as ``reports``; None where a point
        or radius is missing. Each vertex lies at the radius from the point
        along a geodesic (WGS84).

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame({"location_radius_m": [2000.0]},
    ...                        geometry=gpd.points_from_xy([45.0], [40.0]), crs=4326)
    >>> ring = precision_circles(pts).iloc[0].exterior.coords[0]
    >>> round(GEOD.inv(45.0, 40.0, *ring)[2], 6)
    2000.0
    """
    count = check_integer(vertices, "vertices", minimum=8)
    lon, lat = point_lonlat(reports, "reports")
    radius = radius_m(reports)
    azimuths = np.linspace(0.0, 360.0, count, endpoint=False)
    shapes: list[Any] = []
    for x, y, r in zip(lon, lat, radius, strict=True):
        if not (np.isfinite(x) and np.isfinite(y) and np.isfinite(r) and r > 0):
            shapes.append(None)
            continue
        ring_lon, ring_lat, _ = GEOD.fwd(
            np.full(count, x), np.full(count, y), azimuths, np.full(count, r)
        )
        shapes.append(shapely.Polygon(np.column_stack([ring_lon, ring_lat])))
    return gpd.GeoSeries(shapes, index=reports.index, crs="EPSG:4326", name="geometry")


# ------------------------------------------------------------------------------------- KMZ


def _kml_color(hex_rgb: str, alpha: int = 255) -> str:
    """``#RRGGBB`` as KML's ``aabbggrr``."""
    red, green, blue = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha:02x}{blue}{green}{red}".lower()


def _style(kind: str) -> dict[str, str]:
    return EVIDENCE_STYLES.get(kind, OTHER_EVIDENCE)


def _icon_png(size: int = 32) -> bytes:
    """Draw a white disc with a dark rim (RGBA PNG) that KML tints with each style's colour."""
    centre = (size - 1) / 2
    y, x = np.mgrid[0:size, 0:size]
    dist = np.hypot(x - centre, y - centre)
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    disc = dist <= size / 2 - 1
    rim = disc & (dist > size / 2 - 4)
    rgba[disc] = (255, 255, 255, 255)
    rgba[rim] = (40, 40, 40, 255)
    raw = b"".join(b"\x00" + rgba[row].tobytes() for row in range(size))

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{KML_NAMESPACE}}}{tag}", attrs)
    if text is not None:
        element.text = xml_text(text)
    return element


def _kml_time(value: pd.Timestamp, offset: str) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S") + offset


def _offset_text(hours: float) -> str:
    minutes = round(hours * 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _field_text(value: Any) -> str | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        text = pd.Timestamp(value).isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


def _write_kmz(
    table: pd.DataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    intervals: pd.DataFrame,
    circles: gpd.GeoSeries | None,
    path: Path,
    *,
    title: str,
    offset: str,
) -> None:
    ET.register_namespace("", KML_NAMESPACE)
    kml = ET.Element(f"{{{KML_NAMESPACE}}}kml")
    document = _sub(kml, "Document")
    _sub(document, "name", title)
    _sub(document, "description", html_text(credit_line()))
    fields = [c for c in _KML_FIELDS if c in table.columns]
    evidence = table["evidence"].astype(object).where(table["evidence"].notna(), "unknown")
    kinds = [k for k in EVIDENCE_KINDS if (evidence == k).any()]
    kinds += sorted({str(k) for k in evidence} - set(EVIDENCE_KINDS))
    for kind in kinds:
        style = _style(kind)
        point = _sub(document, "Style", id=f"evidence-{kinds.index(kind)}")
        icon_style = _sub(point, "IconStyle")
        _sub(icon_style, "color", _kml_color(style["color"]))
        _sub(icon_style, "scale", "0.9")
        _sub(_sub(icon_style, "Icon"), "href", "files/report.png")
        _sub(_sub(point, "LabelStyle"), "scale", "0.7")
        circle = _sub(document, "Style", id=f"circle-{kinds.index(kind)}")
        line = _sub(circle, "LineStyle")
        _sub(line, "color", _kml_color(style["color"]))
        _sub(line, "width", "1.5")
        poly = _sub(circle, "PolyStyle")
        _sub(poly, "color", _kml_color(style["color"], alpha=0x33))
    rows = [_plain_row(table.iloc[k], fields) for k in range(len(table))]
    for kind in kinds:
        folder = _sub(document, "Folder")
        label = _style(kind)["label"] if kind in EVIDENCE_STYLES else kind
        _sub(folder, "name", label)
        members = np.flatnonzero((evidence == kind).to_numpy())
        for k in members:
            if not (np.isfinite(lon[k]) and np.isfinite(lat[k])):
                continue
            placemark = _sub(folder, "Placemark", id=f"report-{k}")
            _placemark(placemark, table.iloc[k], rows[k], intervals.iloc[k], offset)
            _sub(placemark, "styleUrl", f"#evidence-{kinds.index(kind)}")
            _extended(placemark, rows[k])
            _sub(_sub(placemark, "Point"), "coordinates", f"{lon[k]:.6f},{lat[k]:.6f}")
    if circles is not None:
        folder = _sub(document, "Folder")
        _sub(folder, "name", "Location precision")
        _sub(folder, "visibility", "0")
        for k in range(len(table)):
            shape = circles.iloc[k]
            if shape is None:
                continue
            placemark = _sub(folder, "Placemark", id=f"circle-of-report-{k}")
            _placemark(placemark, table.iloc[k], rows[k], intervals.iloc[k], offset)
            _sub(placemark, "visibility", "0")
            _sub(placemark, "styleUrl", f"#circle-{kinds.index(evidence.iloc[k])}")
            _extended(placemark, rows[k])
            polygon = _sub(placemark, "Polygon")
            _sub(polygon, "tessellate", "1")
            ring = _sub(_sub(polygon, "outerBoundaryIs"), "LinearRing")
            coords = " ".join(f"{x:.6f},{y:.6f}" for x, y in shape.exterior.coords)
            _sub(ring, "coordinates", coords)
    tree = ET.ElementTree(kml)
    buffer = _stdio.BytesIO()
    tree.write(buffer, encoding="UTF-8", xml_declaration=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", buffer.getvalue())  # the first entry is the document
        archive.writestr("files/report.png", _icon_png())


def _plain_row(row: pd.Series, fields: Sequence[str]) -> dict[str, str | None]:
    return {name: _field_text(row.get(name)) for name in fields}


def _placemark(
    placemark: ET.Element,
    row: pd.Series,
    fields: Mapping[str, str | None],
    interval: pd.Series,
    offset: str,
) -> None:
    """name, description and time of a placemark, in the order KML 2.2 requires."""
    name = fields.get("place") or fields.get("report_id") or ""
    _sub(placemark, "name", name)
    said = " / ".join(v for v in (fields.get("claimant"), fields.get("source_outlet")) if v)
    summary = f"{fields.get('report_id') or ''}: {fields.get('evidence') or ''}. {said}"
    _sub(placemark, "description", html_text(summary))
    start, end = interval["start"], interval["end"]
    if pd.notna(start) and pd.notna(end):
        if start == end:
            _sub(_sub(placemark, "TimeStamp"), "when", _kml_time(start, offset))
        else:
            span = _sub(placemark, "TimeSpan")
            _sub(span, "begin", _kml_time(start, offset))
            _sub(span, "end", _kml_time(end, offset))


def _extended(placemark: ET.Element, fields: Mapping[str, str | None]) -> None:
    """Write ``<Data>`` elements (GDAL's LIBKML driver does not resolve a KMZ's ``<Schema>``)."""
    data = _sub(placemark, "ExtendedData")
    for name, value in fields.items():
        if value is not None:
            item = _sub(data, "Data", name=name)
            _sub(item, "displayName", name.replace("_", " "))
            _sub(item, "value", value)


# ------------------------------------------------------------------------------- GeoPackage


def _qgis_option(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "Option", {"type": "QString", "name": name, "value": value})


def _rgba(hex_rgb: str, alpha: int = 255) -> str:
    return f"{int(hex_rgb[1:3], 16)},{int(hex_rgb[3:5], 16)},{int(hex_rgb[5:7], 16)},{alpha}"


def _qgis_symbol(symbols: ET.Element, name: str, geometry: str, color: str, marker: str) -> None:
    symbol = ET.SubElement(
        symbols,
        "symbol",
        {"type": geometry, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    layer_class = "SimpleMarker" if geometry == "marker" else "SimpleFill"
    layer = ET.SubElement(
        symbol, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"}
    )
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    if geometry == "marker":
        _qgis_option(options, "name", marker)
        _qgis_option(options, "color", _rgba(color))
        _qgis_option(options, "outline_color", "35,35,35,255")
        _qgis_option(options, "outline_width", "0.3")
        _qgis_option(options, "size", "3")
    else:
        _qgis_option(options, "color", _rgba(color, 40))
        _qgis_option(options, "outline_color", _rgba(color))
        _qgis_option(options, "outline_width", "0.4")
        _qgis_option(options, "style", "solid")


def _qml(geometry: str, *, by_evidence: bool, color: str = "#444444") -> str:
    """Write a QGIS style document (QML): one symbol, or categories by ``evidence``."""
    root = ET.Element("qgis", {"version": "3.22.0", "styleCategories": "Symbology"})
    if by_evidence:
        renderer = ET.SubElement(
            root,
            "renderer-v2",
            {
                "type": "categorizedSymbol",
                "attr": "evidence",
                "symbollevels": "0",
                "enableorderby": "0",
                "forceraster": "0",
            },
        )
        categories = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        for number, kind in enumerate(EVIDENCE_KINDS):
            style = EVIDENCE_STYLES.get(kind, OTHER_EVIDENCE)
            ET.SubElement(
                categories,
                "category",
                {"render": "true", "symbol": str(number), "value": kind, "label": style["label"]},
            )
            _qgis_symbol(
                symbols,
                str(number),
                geometry,
                style["color"],
                _QGIS_MARKER.get(style["marker"], "circle"),
            )
        other = len(EVIDENCE_KINDS)
        ET.SubElement(
            categories,
            "category",
            {"render": "true", "symbol": str(other), "value": "", "label": "other"},
        )
        _qgis_symbol(symbols, str(other), geometry, OTHER_EVIDENCE["color"], "circle")
    else:
        renderer = ET.SubElement(
            root,
            "renderer-v2",
            {"type": "singleSymbol", "symbollevels": "0", "enableorderby": "0", "forceraster": "0"},
        )
        symbols = ET.SubElement(renderer, "symbols")
        _qgis_symbol(symbols, "0", geometry, color, "circle")
    return ET.tostring(root, encoding="unicode")


def _layer_styles(layers: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """Return the ``layer_styles`` table as QGIS writes it (one default style per layer)."""
    now = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
    rows = [
        {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": name,
            "f_geometry_column": "geom",
            "styleName": name,
            "styleQML": qml,
            "styleSLD": "",
            "useAsDefault": True,
            "description": description,
            "owner": "",
            "ui": "",
            "update_time": now,
        }
        for name, (qml, description) in layers.items()
    ]
    return pd.DataFrame(rows)


def _write_gpkg(
    reports: gpd.GeoDataFrame,
    circles: gpd.GeoSeries | None,
    incidents: pd.DataFrame,
    clusters: gpd.GeoDataFrame | None,
    path: Path,
    *,
    description: str,
) -> list[str]:
    import pyogrio

    options = {"DESCRIPTION": description, "GEOMETRY_NAME": "geom"}
    layers: dict[str, tuple[str, str]] = {}

    def write(frame: gpd.GeoDataFrame, name: str, qml: str, what: str) -> None:
        frame.to_file(
            path,
            layer=name,
            driver="GPKG",
            engine="pyogrio",
            layer_options=options,
            # GeoPackage 1.2: GDAL before 3.7 (Debian 12's, under its QGIS) warns on 1.4
            dataset_options=None if layers else {"VERSION": "1.2"},
        )
        layers[name] = (qml, what)

    write(reports, "reports", _qml("marker", by_evidence=True), "reports by evidence kind")
    if circles is not None:
        kept = circles.notna().to_numpy()
        rings = gpd.GeoDataFrame(
            reports.drop(columns=reports.geometry.name).loc[kept, _ring_columns(reports)],
            geometry=circles[kept].to_numpy(),
            crs="EPSG:4326",
        )
        write(rings, "precision_circles", _qml("fill", by_evidence=True), "location precision")
    points = gpd.GeoDataFrame(
        incidents.reset_index(),
        geometry=gpd.points_from_xy(incidents["lon"], incidents["lat"]),
        crs="EPSG:4326",
    )
    write(points, "incidents", _qml("marker", by_evidence=False, color="#000000"), "incidents")
    if clusters is not None and len(clusters):
        frame = clusters.reset_index()
        write(frame, "clusters", _qml("fill", by_evidence=False, color="#56B4E9"), "clusters")
    pyogrio.write_dataframe(
        _layer_styles(layers),
        path,
        layer="layer_styles",
        driver="GPKG",
        layer_options={"FID": "id"},
    )
    return [*layers, "layer_styles"]


def _ring_columns(reports: pd.DataFrame) -> list[str]:
    wanted = ("report_id", "place", "evidence", "location_precision", "location_radius_m")
    return [c for c in wanted if c in reports.columns]


# ------------------------------------------------------------------------------------ XLSX


def _cell(value: Any) -> Any:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)  # wall-clock time; Excel has no time zones
        return stamp.to_pydatetime()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, shapely.Geometry):
        return None
    return csv_cell(xml_text(value))


def _sheet(book: Any, name: str, frame: pd.DataFrame, *, index: bool = True) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(name)
    table = pd.DataFrame(frame)
    geometry = [c for c in table.columns if isinstance(table[c].dtype, gpd.array.GeometryDtype)]
    table = table.drop(columns=geometry)
    if index:
        table = table.reset_index()
    sheet.append([_cell(str(c)) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A2"


def _write_xlsx(sheets: Mapping[str, tuple[pd.DataFrame, bool]], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, (frame, index) in sheets.items():
        _sheet(book, name, frame, index=index)
    book.save(path)


# ---------------------------------------------------------------------------------- export


def _digest(frame: pd.DataFrame) -> str:
    """sha256 of the table's CSV text (geometry as WKT): which reports went in."""
    text = _flat(frame).to_csv(index=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _method(
    parameters: Mapping[str, Any], n_reports: int, n_incidents: int, offset: str
) -> pd.DataFrame:
    rows = [
        ("reports", f"{n_reports} reports; a report is a claim, not a verified fact."),
        (
            "distances",
            "Geodesic distance (WGS84, GeographicLib via pyproj) from each report's point to "
            "the border (borderstrikes.distance_to_border); distance_p5/p50/p95_km sample the "
            "location disc of location_radius_m (borderstrikes.distance_interval, "
            f"n={parameters['samples']}, seed={parameters['seed']}).",
        ),
        (
            "date intervals",
            "start/end: the local interval [start, end) each report covers "
            "(borderstrikes.report_intervals); KMZ times carry the offset "
            f"{offset} (Armenia is UTC+4).",
        ),
        (
            "incidents",
            f"{n_incidents} incidents (borderstrikes.group_incidents): reports linked when one "
            "point lies inside the other's location disc and their date intervals overlap; "
            "reports coarser than max_bridge_radius_m never join two incidents. n_claimants and "
            "n_outlets count distinct claimants and outlets (case-insensitive, '(via ...)' "
            "dropped); corroboration counts claimants of impact, direction or ground fighting.",
        ),
        (
            "clusters",
            f"DBSCAN on geodesic distances (eps_km={parameters['eps_km']}, "
            f"min_samples={parameters['min_samples']}); -1 is noise.",
        ),
        ("claims", "Quantitative territorial claims checked against the border geometry."),
        (
            "spreadsheet safety",
            "Text cells starting with = + - @, a tab or a carriage return carry a leading ' "
            "so that they are shown, never run as formulas.",
        ),
        ("credit", credit_line(parameters.get("provenance", []))),
    ]
    return pd.DataFrame(rows, columns=["topic", "method"])


def _sources(reports: pd.DataFrame) -> pd.DataFrame:
    wanted = ["report_id", "claimant", "source_outlet", "source_url", "source_date"]
    return pd.DataFrame(reports[[c for c in wanted if c in reports.columns]])


def _distances(reports: gpd.GeoDataFrame, samples: int, seed: int) -> pd.DataFrame:
    from borderstrikes.border import distance_to_border
    from borderstrikes.uncertainty import distance_interval

    measured = distance_to_border(reports)
    if samples == 0:
        return measured
    interval = distance_interval(reports, n=samples, seed=seed)
    extra = [c for c in interval.columns if c not in measured.columns]
    return measured.join(interval[extra])


def _claims_table() -> pd.DataFrame:
    from borderstrikes.claims import check_claims, load_claims

    table = load_claims()
    checked = check_claims(table)
    sources = [c for c in ("quote", "source_outlet", "source_url") if c in table.columns]
    return checked.join(table[sources])


def export(
    reports: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    formats: Iterable[str] = ("kmz", "gpkg", "xlsx"),
    title: str = "borderstrikes case file",
    distances: pd.DataFrame | None = None,
    incidents: tuple[pd.DataFrame, pd.Series] | None = None,
    cluster_labels: pd.Series | None = None,
    claims: pd.DataFrame | None = None,
    circles: bool = True,
    samples: int = 200,
    seed: int = 0,
    eps_km: float = 20.0,
    min_samples: int = 3,
    utc_offset_h: float = 4.0,
    inputs: Sequence[str | os.PathLike[str]] = (),
    command: str | Sequence[str] = "borderstrikes.export",
    force: bool = False,
) -> Path:
    """Write the case file: KMZ, GeoPackage and XLSX of the reports, with a run manifest.

    Parameters
    ----------
    reports : geopandas.GeoDataFrame
        Point reports in the strike schema (:func:`borderstrikes.load_strikes`,
        or events kept by :func:`borderstrikes.select_strike_reports`).
    path : path-like
        A folder (written all at once, as the report's folder is: an existing
        one is replaced only if borderstrikes wrote it or it is empty, or with
        ``force``), or a ``.zip`` file holding the same files.
    formats : iterable of {'kmz', 'gpkg', 'xlsx'}, default all three
        Which files to write; ``manifest.json`` and ``SOURCES.txt`` always.
    title : str, default 'borderstrikes case file'
        Name of the KML document.
    distances : pandas.DataFrame, optional
        Distance table indexed like ``reports`` (default: computed with
        :func:`borderstrikes.distance_to_border`, plus
        :func:`borderstrikes.distance_interval` when the workbook is written).
    incidents : tuple of (pandas.DataFrame, pandas.Series), optional
        The result of :func:`borderstrikes.group_incidents` (default: computed).
    cluster_labels : pandas.Series, optional
        Cluster label of each report (default:
        ``cluster_strikes(reports, eps_km=eps_km, min_samples=min_samples)``).
    claims : pandas.DataFrame, optional
        Claims sheet (default: the packaged claims, checked; only computed
        when the workbook is written).
    circles : bool, default True
        Add each report's location-precision circle (KMZ, hidden at first, and
        the GeoPackage layer ``precision_circles``).
    samples, seed : int, default 200 and 0
        Samples per report and seed of :func:`borderstrikes.distance_interval`.
    eps_km, min_samples : float and int, default 20 and 3
        Clustering parameters (used when ``cluster_labels`` is not given).
    utc_offset_h : float, default 4
        Offset of the reports' local time from UTC, written into KML times.
    inputs : sequence of path-like, default ()
        Files the reports were read from, recorded with their sha256.
    command : str or sequence of str
        What ran, recorded in the manifest.
    force : bool, default False
        Replace a folder ``path`` that borderstrikes did not write.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If a format is unknown or a parameter is out of range.
    FileExistsError
        If ``path`` is a folder borderstrikes did not write (without ``force``).

    Notes
    -----
    Every file is read back in the tests by another program: KMZ and
    GeoPackage by GDAL (LIBKML and GPKG drivers, through pyogrio), XLSX by
    openpyxl.

    Examples
    --------
    >>> import tempfile, pathlib, borderstrikes as bs
    >>> reports = bs.load_strikes().head(3)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "case"
    >>> _ = export(reports, out, formats=["kmz"], claims=pd.DataFrame(), samples=20)
    >>> sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    ['SOURCES.txt', 'case.kmz', 'manifest.json']
    """
    chosen = list(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        msg = f"formats must be among {sorted(FORMATS)!r} (got {unknown!r})."
        raise ValueError(msg)
    samples = check_integer(samples, "samples")
    eps_km = check_number(eps_km, "eps_km", unit="km")
    min_samples = check_integer(min_samples, "min_samples")
    offset_h = check_number(
        utc_offset_h, "utc_offset_h", unit="h", minimum=-14, strict=False, maximum=14
    )
    offset = _offset_text(offset_h)
    target = Path(path)
    lon, lat = point_lonlat(reports, "reports")
    wgs = reports.to_crs("EPSG:4326")
    intervals = report_intervals(reports)
    incident_table, incident_labels = (
        incidents if incidents is not None else group_incidents(reports)
    )
    if cluster_labels is None:
        from borderstrikes.clustering import cluster_strikes

        cluster_labels = cluster_strikes(reports, eps_km=eps_km, min_samples=min_samples)
    from borderstrikes.clustering import describe_clusters

    clusters = describe_clusters(reports, cluster_labels)
    if distances is None:  # the sampled intervals only for the workbook
        distances = _distances(reports, samples if "xlsx" in chosen else 0, seed)
    if claims is None and "xlsx" in chosen:
        claims = _claims_table()
    provenance = list(reports.attrs.get("provenance", []))
    table = _flat(wgs)
    table["incident"] = incident_labels.reindex(reports.index).to_numpy()
    table["cluster"] = pd.Series(cluster_labels).reindex(reports.index).to_numpy()
    if "distance_km" in distances:
        table["distance_km"] = distances["distance_km"].reindex(reports.index).to_numpy()
    table["lon"], table["lat"] = lon, lat
    table["interval_start"] = intervals["start"].to_numpy()
    table["interval_end"] = intervals["end"].to_numpy()
    spans = intervals.rename(columns={"start": "interval_start", "end": "interval_end"})
    distance_sheet = pd.concat(
        [pd.DataFrame(table[[c for c in ("report_id", "place") if c in table]]), distances, spans],
        axis=1,
    )
    credits = sources_text(provenance, title=title)
    parameters = {
        "formats": chosen,
        "circles": bool(circles),
        "samples": samples,
        "seed": seed,
        "eps_km": eps_km,
        "min_samples": min_samples,
        "utc_offset_h": offset_h,
        "n_reports": len(reports),
        "reports_sha256": _digest(wgs),
        "provenance": [
            {str(k): v for k, v in e.items() if isinstance(v, str | int | float | bool)}
            for e in provenance
        ],
    }
    circle_shapes = precision_circles(wgs) if circles else None

    def write_all(folder: Path) -> None:
        written = []
        if "kmz" in chosen:
            _write_kmz(
                table,
                lon,
                lat,
                intervals,
                circle_shapes,
                folder / FORMATS["kmz"],
                title=title,
                offset=offset,
            )
            written.append(folder / FORMATS["kmz"])
        if "gpkg" in chosen:
            gpkg_reports = gpd.GeoDataFrame(table, geometry=wgs.geometry.name, crs="EPSG:4326")
            _write_gpkg(
                gpkg_reports,
                circle_shapes,
                incident_table,
                clusters,
                folder / FORMATS["gpkg"],
                description=credit_line(provenance),
            )
            written.append(folder / FORMATS["gpkg"])
        if "xlsx" in chosen:
            sheets = {
                "reports": (table.drop(columns=wgs.geometry.name), True),
                "distances": (distance_sheet, True),
                "incidents": (incident_table, True),
                "clusters": (clusters, True),
                "claims": (pd.DataFrame() if claims is None else claims, True),
                "sources": (_sources(table), False),
                "method": (_method(parameters, len(reports), len(incident_table), offset), False),
            }
            _write_xlsx(sheets, folder / FORMATS["xlsx"])
            written.append(folder / FORMATS["xlsx"])
        (folder / "SOURCES.txt").write_text(credits, encoding="utf-8")
        written.append(folder / "SOURCES.txt")
        manifest = run_manifest(
            command=command, inputs=list(inputs), parameters=parameters, outputs=written
        )
        for entry in manifest["outputs"]:  # names inside the bundle, not temporary paths
            entry["path"] = Path(entry["path"]).name
        write_manifest(folder / "manifest.json", manifest)

    if target.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix=".borderstrikes-export.", dir=target.parent) as tmp:
            folder = Path(tmp)
            write_all(folder)
            with (
                atomic_file(target) as temporary,
                zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            ):
                for file in sorted(folder.iterdir()):
                    archive.write(file, arcname=f"{target.stem}/{file.name}")
    else:
        with atomic_folder(target, force=force) as folder:
            write_all(folder)
    return target
