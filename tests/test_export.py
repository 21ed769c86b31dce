"""The case file, read back by other programs: GDAL (LIBKML, GPKG), SQLite, openpyxl."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
from openpyxl import load_workbook
from pyproj import Geod

import borderstrikes as bs
from borderstrikes.cli import main
from borderstrikes.export import export
from borderstrikes.strikes import EVIDENCE_KINDS
from borderstrikes.viz.style import EVIDENCE_STYLES

WGS84 = Geod(ellps="WGS84")
#: The columns of the ``layer_styles`` table QGIS creates in a GeoPackage (QgsOgrProvider).
QGIS_LAYER_STYLES = [
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]
HOSTILE_PLACE = '=HYPERLINK("http://example.com/x","click")'
HOSTILE_CLAIMANT = '<script>alert("x")</script> & ]]> \x01\x1b ministry'
CLEAN_CLAIMANT = '<script>alert("x")</script> & ]]>  ministry'


@pytest.fixture(scope="module")
def reports():
    strikes = bs.load_strikes()
    first = strikes.groupby("evidence", sort=False).head(2)  # every evidence kind
    rows = strikes[strikes["report_id"].isin(["SR002", "SR071", "SR077"])]  # instant, no URL
    chosen = pd.concat([first, rows[~rows.index.isin(first.index)]])
    chosen = chosen.copy()
    first_id = chosen.index[0]
    chosen.loc[first_id, "place"] = HOSTILE_PLACE
    chosen.loc[chosen.index[1], "claimant"] = HOSTILE_CLAIMANT
    chosen.loc[chosen.index[2], "source_outlet"] = "@SUM(1+1)"
    chosen["offset_km"] = -3.5  # a negative number stays a number
    return chosen.set_axis(pd.Index([f"r{k}" for k in range(len(chosen))], name="row"))


@pytest.fixture(scope="module")
def bundle(reports, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "case"
    claims = pd.DataFrame({"claim": ["-2 km inside", "+5 villages"], "value_km": [-2.0, 5.0]})
    before = reports.copy()
    export(reports, out, samples=20, claims=claims, inputs=[bs.get_path("strikes")])
    pd.testing.assert_frame_equal(reports, before)  # the input is not changed
    return out


def test_bundle_files_and_manifest(bundle):
    names = sorted(p.name for p in bundle.iterdir())
    assert names == [
        ".borderstrikes-output",
        "SOURCES.txt",
        "case.gpkg",
        "case.kmz",
        "case.xlsx",
        "manifest.json",
    ]
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    outputs = {entry["path"]: entry for entry in manifest["outputs"]}
    assert set(outputs) == {"case.kmz", "case.gpkg", "case.xlsx", "SOURCES.txt"}
    for name, entry in outputs.items():
        data = (bundle / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert (
        manifest["inputs"][0]["sha256"]
        == hashlib.sha256(bs.get_path("strikes").read_bytes()).hexdigest()
    )
    assert manifest["parameters"]["samples"] == 20


def _kml_points(path: Path) -> pd.DataFrame:
    frames = []
    for name, _ in pyogrio.list_layers(path):
        if name != "Location precision":
            frames.append(pyogrio.read_dataframe(path, layer=name).assign(folder=name))
    return pd.concat(frames, ignore_index=True).set_index("report_id")


def test_kmz_read_back_by_gdal(bundle, reports):
    path = bundle / "case.kmz"
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()[0] == "doc.kml"  # Google Earth opens the first .kml
        assert archive.read("files/report.png").startswith(b"\x89PNG\r\n\x1a\n")
    assert pyogrio.read_info(path, layer="Location precision")["driver"] == "LIBKML"
    kinds = [k for k in EVIDENCE_KINDS if (reports["evidence"] == k).any()]
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert layers == [EVIDENCE_STYLES[k]["label"] for k in kinds] + ["Location precision"]
    points = _kml_points(path)
    assert sorted(points.index) == sorted(reports["report_id"])
    spans = bs.report_intervals(reports).set_axis(reports["report_id"])
    for report_id, row in reports.set_index("report_id").iterrows():
        got = points.loc[report_id]
        assert got["folder"] == EVIDENCE_STYLES[row["evidence"]]["label"]
        assert got["location_precision"] == row["location_precision"]
        assert float(got["location_radius_m"]) == row["location_radius_m"]
        assert got["place_variants"] == "; ".join(row["place_variants"])
        expected_url = row["source_url"] if isinstance(row["source_url"], str) else None
        assert (got["source_url"] if isinstance(got["source_url"], str) else None) == expected_url
        start, end = spans.loc[report_id]
        local = "+04:00"
        if start == end:  # a clock time: a TimeStamp
            assert pd.Timestamp(got["timestamp"]) == pd.Timestamp(start).tz_localize(local)
        else:
            assert pd.Timestamp(got["begin"]) == pd.Timestamp(start).tz_localize(local)
            assert pd.Timestamp(got["end"]) == pd.Timestamp(end).tz_localize(local)
        assert got.geometry.x == pytest.approx(row.geometry.x, abs=1e-6)
    # non-Latin names: Armenian, Russian and Azerbaijani spellings survive
    variants = "; ".join(points["place_variants"].dropna())
    assert any("\u0530" <= ch <= "\u058f" for ch in variants)  # Armenian
    assert any("\u0400" <= ch <= "\u04ff" for ch in variants)  # Cyrillic
    assert "ə" in variants  # Azerbaijani Latin
    # hostile text comes back as text: XML-escaped, control characters dropped
    first, second = reports["report_id"].iloc[0], reports["report_id"].iloc[1]
    assert points.loc[first, "Name"] == HOSTILE_PLACE
    assert points.loc[second, "claimant"] == CLEAN_CLAIMANT
    # the description is HTML for Google Earth: the markup is escaped, not live
    assert "<script>" not in points.loc[second, "description"]
    assert "&lt;script&gt;" in points.loc[second, "description"]


def test_kmz_precision_circles(bundle, reports):
    circles = pyogrio.read_dataframe(bundle / "case.kmz", layer="Location precision")
    assert len(circles) == len(reports)
    by_id = reports.set_index("report_id")
    for _, row in circles.iterrows():
        source = by_id.loc[row["report_id"]]
        ring = np.asarray(row.geometry.exterior.coords)
        distance = WGS84.inv(
            np.full(len(ring), source.geometry.x),
            np.full(len(ring), source.geometry.y),
            ring[:, 0],
            ring[:, 1],
        )[2]
        # the KML stores 6 decimals (0.1 m)
        assert np.abs(distance - source["location_radius_m"]).max() < 0.2


def test_gpkg_read_back_by_gdal_and_sqlite(bundle, reports):
    path = bundle / "case.gpkg"
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"reports", "precision_circles", "incidents", "clusters", "layer_styles"}
    back = pyogrio.read_dataframe(path, layer="reports")
    assert list(back["report_id"]) == list(reports["report_id"])
    assert list(back["place_variants"]) == ["; ".join(v) for v in reports["place_variants"]]
    assert back["place"].iloc[0] == HOSTILE_PLACE  # data, stored as it is
    assert (back["offset_km"] == -3.5).all()
    incidents, _ = bs.group_incidents(reports)
    assert len(pyogrio.read_dataframe(path, layer="incidents")) == len(incidents)
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(layer_styles)")]
        assert columns == QGIS_LAYER_STYLES
        geometry_columns = dict(
            db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")
        )
        styles = db.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault FROM layer_styles"
        ).fetchall()
    assert {s[0] for s in styles} == {"reports", "precision_circles", "incidents", "clusters"}
    for table, geometry_column, qml, default in styles:
        assert geometry_columns[table] == geometry_column
        assert default == 1
        root = ET.fromstring(qml)
        assert root.tag == "qgis"
        renderer = root.find("renderer-v2")
        if table in ("reports", "precision_circles"):
            assert renderer.get("type") == "categorizedSymbol"
            assert renderer.get("attr") == "evidence"
            values = [c.get("value") for c in renderer.iter("category")]
            assert values == [*EVIDENCE_KINDS, ""]
        else:
            assert renderer.get("type") == "singleSymbol"


def _sheet(book, name: str) -> tuple[list, list[list]]:
    rows = list(book[name].iter_rows(values_only=True))
    return list(rows[0]), [list(r) for r in rows[1:]]


def test_xlsx_read_back_by_openpyxl(bundle, reports):
    book = load_workbook(bundle / "case.xlsx")
    assert book.sheetnames == [
        "reports",
        "distances",
        "incidents",
        "clusters",
        "claims",
        "sources",
        "method",
    ]
    for sheet in book.worksheets:  # nothing is a formula
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    header, rows = _sheet(book, "reports")
    column = {name: k for k, name in enumerate(header)}
    assert [r[column["report_id"]] for r in rows] == list(reports["report_id"])
    assert rows[0][column["place"]] == "'" + HOSTILE_PLACE
    assert rows[1][column["claimant"]] == CLEAN_CLAIMANT
    assert rows[2][column["source_outlet"]] == "'@SUM(1+1)"
    assert all(r[column["offset_km"]] == -3.5 for r in rows)
    variants = [r[column["place_variants"]] for r in rows]
    assert variants == ["; ".join(v) for v in reports["place_variants"]]
    header, rows = _sheet(book, "distances")
    for name in ("distance_km", "distance_p5_km", "distance_p95_km", "interval_start"):
        assert name in header
    k = header.index("distance_km")
    expected = bs.distance_to_border(reports)["distance_km"].to_numpy()
    assert np.allclose([r[k] for r in rows], expected)
    header, rows = _sheet(book, "claims")
    assert [r[header.index("claim")] for r in rows] == ["'-2 km inside", "'+5 villages"]
    assert [r[header.index("value_km")] for r in rows] == [-2.0, 5.0]
    _, rows = _sheet(book, "method")
    assert any("geodesic" in str(r[1]).lower() for r in rows)


def test_zip_and_command_line(reports, tmp_path):
    out = tmp_path / "case.zip"
    assert main(["export", "-o", str(out), "--formats", "kmz", "--no-circles"]) == 0
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
    assert names == ["case/SOURCES.txt", "case/case.kmz", "case/manifest.json"]
    with pytest.raises(ValueError, match="formats"):
        export(reports, tmp_path / "x", formats=["shp"])
