"""Catalogue of bad inputs: what each public function does with them.

One table, :data:`CASES`; ``docs/bad_input.md`` shows the same table and
:func:`test_the_documented_table_is_this_table` keeps the two in step
(``python tests/test_bad_input.py`` prints the Markdown table).

The ``huge-*`` cases (marked ``slow``) give functions with quadratic parts
hundreds of thousands of points. The table states the full size; an ordinary
run uses :data:`HUGE_SCALE` of it (``tests/_hypothesis_profiles.py``: 10 % by
default, 5 % with ``CI`` set) with the memory budgets they exercise
(``_PAIR_BUDGET``, ``_MAX_SAMPLES``) shrunk alike, so the chunked code paths
still run in seconds. ``HYPOTHESIS_PROFILE=fuzz`` runs the full sizes with
their time limits; ``benchmarks/README.md`` says how to run that as a benchmark.
"""

import contextlib
import functools
import io
import re
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from borderstrikes import cli, datasets, uncertainty
from borderstrikes.areas import (
    advance_area,
    border_stretch,
    buffer_scenarios,
    buffer_zone,
    geodesic_area,
    geodesic_buffer,
)
from borderstrikes.border import border_between, distance_to_border
from borderstrikes.claims import check_claims, validate_claims
from borderstrikes.clustering import cluster_strikes, dbscan, describe_clusters, k_distance
from borderstrikes.errors import (
    BorderstrikesWarning,
    CRSError,
    DataFileError,
    GeometryError,
    PlaceNotFoundError,
    StrikesValidationError,
)
from borderstrikes.gazetteer import geocode
from borderstrikes.io import read_gdelt_events, read_strikes
from borderstrikes.io.write import write_csv
from borderstrikes.report import write_report
from borderstrikes.strikes import validate_strikes
from borderstrikes.viz import plot_strikes

sys.path.insert(0, str(Path(__file__).parent))
from _hypothesis_profiles import HUGE_SCALE

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "bad_input.md"
WGS84 = "EPSG:4326"


# --------------------------------------------------------------------------- inputs


@functools.cache
def _strikes():
    return datasets.load_strikes()


def strikes(**changes):
    """A copy of the packaged reports with the first row changed."""
    frame = _strikes().copy()
    for column, value in changes.items():
        if column == "geometry":
            frame = frame.set_geometry([value, *frame.geometry.iloc[1:]], crs=frame.crs)
        else:
            frame[column] = frame[column].astype(object)
            frame.at[frame.index[0], column] = value
    return frame


def points(*xy, crs=WGS84, index=None):
    geoms = [shapely.Point(p) if isinstance(p, tuple) else p for p in xy]
    return gpd.GeoSeries(geoms, crs=crs, index=index)


def swapped():
    frame = _strikes()
    return frame.set_geometry(gpd.points_from_xy(frame.geometry.y, frame.geometry.x), crs=WGS84)


def in_utm(frame):
    """The same coordinates in metres (UTM 38N), declared as EPSG:4326."""
    utm = frame.geometry.to_crs("EPSG:32638")
    return gpd.GeoSeries(utm.values, index=utm.index).set_crs(WGS84, allow_override=True)


def quietly(function, *args, **kwargs):
    """Call with warnings silenced: under the suite's filterwarnings=error a warning that
    GDAL or pandas emits on the way to the error would replace the error itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def csv_file(tmp, text, name="events.csv"):
    path = Path(tmp) / name
    path.write_text(text, encoding="utf-8")
    return path


def claims(row=1, **changes):
    table = pd.read_csv(datasets.get_path("claims"), dtype=str, keep_default_na=False)
    for column, value in changes.items():
        table.loc[row, column] = value
    return table


UNCLOSED = (
    '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
    '"geometry": {"type": "Polygon", "coordinates": [[[45, 40], [46, 40], [46, 41]]]}}]}'
)
BOWTIE = shapely.Polygon([(45, 40), (46, 41), (46, 40), (45, 41), (45, 40)])
LINE = gpd.GeoSeries([shapely.LineString([(45.0, 40.0), (46.0, 40.5)])], crs=WGS84)


def random_points(n, seed=0):
    rng = np.random.default_rng(seed)
    return gpd.GeoSeries.from_xy(rng.uniform(44.5, 46.5, n), rng.uniform(39, 41, n), crs=WGS84)


def run_cli(argv):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, err.getvalue()


# --------------------------------------------------------------------------- checks


def same_distances_as_wgs84(result, tmp):
    expected = distance_to_border(_strikes().iloc[:10])
    np.testing.assert_allclose(result["distance_km"], expected["distance_km"], atol=1e-6, rtol=0)
    assert result["side"].tolist() == expected["side"].tolist()


def row_of_nan(result, tmp):
    assert result[["distance_km", "signed_distance_km", "foot_lon"]].isna().all(axis=None)
    assert result["side"].tolist() == [None] * len(result)


def no_sign_no_guess(result, tmp):
    assert result["side"].isna().all()
    assert result["signed_distance_km"].isna().all()


def labels_kept(result, tmp):
    assert result.index.tolist() == ["a", "a", "b"]
    assert result["distance_km"].iloc[0] == result["distance_km"].iloc[1]


def empty_result(result, tmp):
    assert len(result) == 0
    assert "distance_km" in result


def not_found(result, tmp):
    assert result["match"].tolist() == ["not_found"]
    assert result.geometry.isna().all()


def ambiguous(result, tmp):
    assert result["match"].tolist() == ["ambiguous"]
    assert len(result["candidates"].iloc[0]) == 2
    assert result.geometry.isna().all()


def not_checkable(result, tmp):
    assert result.loc["C01", "verdict"] == "not_checkable"
    assert "beyond the 1000 km" in result.loc["C01", "reason"]
    # C03 measures an area against the depth of C01, so it cannot be checked either
    assert result.loc["C03", "verdict"] == "not_checkable"
    others = result.index.difference(["C01", "C03"])
    assert result.loc[others, "verdict"].equals(check_claims().loc[others, "verdict"])


def typed_and_empty(result, tmp):
    assert len(result) == 0
    assert result["claimed_value"].dtype == "float64"
    assert result["verdict"].dtype != object


def noise_label(result, tmp):
    assert result.iloc[0] == -1


def exit_with(expected, fragment, *absent):
    """Check a CLI run: its exit code, its stderr, and that ``absent`` paths do not exist."""

    def check(result, tmp):
        code, err = result
        assert code == expected, err
        assert fragment in err
        for name in absent:
            assert not (Path(tmp) / name).exists()

    return check


def huge(n):
    """``n`` scaled by :data:`HUGE_SCALE` (the documented size in the full run)."""
    return max(1, round(n * HUGE_SCALE))


@contextlib.contextmanager
def huge_budgets():
    """Shrink the memory budgets along with the inputs, so that a scaled-down huge case still
    goes through the chunked code paths (no-op at full size): the samples budget by
    :data:`HUGE_SCALE`, the pair budget by its square (the pairs within ``eps`` of uniform
    points in a fixed box grow with the square of their number)."""
    pairs = max(1, round(dbscan._PAIR_BUDGET * HUGE_SCALE**2))
    with (
        mock.patch.object(dbscan, "_PAIR_BUDGET", pairs),
        mock.patch.object(uncertainty, "_MAX_SAMPLES", huge(uncertainty._MAX_SAMPLES)),
    ):
        yield


def finite(result, tmp):
    assert np.isfinite(result.to_numpy(dtype=float)).all()


def one_row_per_cluster(n_clusters, n_points):
    def check(result, tmp):
        assert len(result) == n_clusters
        assert result["n_reports"].sum() == n_points

    return check


def bounded_samples(result, tmp):
    calls, frame = result
    assert len(calls) > 1  # in blocks
    assert max(calls) <= huge(uncertainty._MAX_SAMPLES)
    assert frame["p_inside"].between(0, 1).all()


def spy_distance_interval(rows, n):
    calls = []
    real = uncertainty._samples

    def spy(lon, lat, radius, n_samples, rng):
        calls.append(len(lon) * n_samples)
        return real(lon, lat, radius, n_samples, rng)

    table = gpd.GeoDataFrame(
        {"location_precision": ["settlement"] * rows},
        geometry=random_points(rows, seed=3).values,
        crs=WGS84,
    )
    with mock.patch.object(uncertainty, "_samples", spy):
        frame = uncertainty.distance_interval(table, n=n)
    return calls, frame


def timed(limit_s, call):
    """Run ``call`` with :func:`huge_budgets`; at full size, fail if it takes longer than
    ``limit_s`` (a quadratic part would)."""
    start = time.perf_counter()
    with huge_budgets():
        result = call()
    elapsed = time.perf_counter() - start
    assert HUGE_SCALE < 1 or elapsed < limit_s, f"took {elapsed:.1f} s"
    return result


# --------------------------------------------------------------------------- hostile files (#13)

FORMULA = '=HYPERLINK("http://example.invalid/","click")'


def bomb_zip(tmp, name="20220913.export.CSV", megabytes=5):
    """A small zip whose one member expands to ``megabytes`` MB of zeros (ratio ~1000)."""
    import zipfile

    path = Path(tmp) / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"0" * (megabytes * 1_000_000))
    return path


def vrt_file(tmp):
    """A VRT that would make GDAL open another local file the user never named."""
    other = Path(tmp) / "private.geojson"
    other.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    path = Path(tmp) / "innocent.vrt"
    path.write_text(
        f"<OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>{other}</SrcDataSource>"
        "</OGRVRTLayer></OGRVRTDataSource>",
        encoding="utf-8",
    )
    return path


def formula_neutralised(result, tmp):
    text = Path(result).read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in text
    for unsafe in ("\n=", ",=", '"='):
        assert unsafe not in text


def gpkg_with_a_layer(tmp):
    path = Path(tmp) / "work.gpkg"
    quietly(points((45.0, 40.0)).to_frame("geometry").to_file, path, layer="mine")
    return path


def other_layer_kept(result, tmp):
    import pyogrio

    code, err = result
    assert code == 0, err
    layers = {name for name, _ in pyogrio.list_layers(Path(tmp) / "work.gpkg")}
    assert {"mine", "work"} <= layers


def repeated_labels():
    frame = _strikes().copy()
    frame.index = [i // 2 for i in range(len(frame))]  # every label twice
    return frame


def every_row_right(result, tmp):
    table = pd.read_csv(Path(tmp) / "out" / "distances.csv")
    expected = distance_to_border(_strikes())
    assert len(table) == len(expected)
    np.testing.assert_allclose(table["distance_km"], expected["distance_km"], atol=1e-9)


def mixed_offsets(tmp):
    import json

    path = Path(tmp) / "mixed.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"when": when},
            "geometry": {"type": "Point", "coordinates": [45.6, 39.8]},
        }
        for when in ("2022-09-14T00:30:00+04:00", "2022-09-13", "2022-09-13T12:00:00+00:00")
    ]
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return path


def local_dates_kept(result, tmp):
    assert [str(v)[:10] for v in result["when"]] == ["2022-09-14", "2022-09-13", "2022-09-13"]


def nullable_radius():
    frame = _strikes().copy()
    radius = frame["location_radius_m"].astype("Float64")
    radius.iloc[0] = pd.NA
    return frame.assign(location_radius_m=radius)


def map_drawn(result, tmp):
    assert result.figure is not None


def refused_with_candidate(result, tmp):
    assert result["match"].tolist() == ["not_found"]
    assert result.geometry.isna().all()


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    id: str
    input: str
    function: str
    expected: str
    fragment: str
    run: Callable[[Any], Any]  # called with a temporary folder
    error: type | None = None
    warning: type | None = None
    check: Callable[[Any, str], None] | None = None


CASES = [
    # -- latitude / longitude swapped
    Case("swapped-validate", "points built as (lat, lon)", "validate_strikes",
         "StrikesValidationError", "look like latitude and longitude swapped",
         lambda tmp: validate_strikes(swapped()), StrikesValidationError),
    Case("swapped-csv", "CSV whose `lon` column holds latitudes", "read_strikes + validate_strikes",
         "StrikesValidationError", "look like latitude and longitude swapped",
         lambda tmp: validate_strikes(read_strikes(csv_file(tmp, swapped().assign(
             lon=swapped().geometry.x, lat=swapped().geometry.y).drop(columns="geometry")
             .to_csv(index=False)))), StrikesValidationError),
    Case("swapped-distance", "points built as (lat, lon)", "distance_to_border",
         "no error (a swap is not detectable for an arbitrary border): `side` None and "
         "`signed_distance_km` NaN for points in no shipped country; run validate_strikes first",
         "", lambda tmp: distance_to_border(swapped().iloc[:5]), check=no_sign_no_guess),
    # -- CRS
    Case("degrees-in-utm", "lon/lat degrees declared as EPSG:32638", "distance_to_border",
         "CRSError", "they look like degrees",
         lambda tmp: distance_to_border(points((45.6, 39.8), (46.0, 40.1), crs="EPSG:32638")),
         CRSError),
    Case("degrees-in-mercator", "a lon/lat polygon declared as EPSG:3857", "geodesic_area",
         "CRSError", "they look like degrees",
         lambda tmp: geodesic_area(points(shapely.box(45, 40, 46, 41), crs="EPSG:3857")),
         CRSError),
    Case("metres-in-wgs84", "UTM metres declared as EPSG:4326", "distance_to_border",
         "CRSError", "latitudes beyond ±90°",
         lambda tmp: distance_to_border(in_utm(_strikes().iloc[:3])), CRSError),
    Case("metres-in-wgs84-border", "border in UTM metres declared as EPSG:4326",
         "distance_to_border", "CRSError", "latitudes beyond ±90°",
         lambda tmp: distance_to_border(_strikes().iloc[:3], in_utm(datasets.load_border())),
         CRSError),
    Case("huge-longitude", "longitude 1e308 in EPSG:4326", "distance_to_border",
         "CRSError", "longitudes beyond ±360°",
         lambda tmp: distance_to_border(points((1e308, 40.0))), CRSError),
    Case("no-crs-points", "points without a CRS", "distance_to_border", "CRSError",
         "points has no CRS", lambda tmp: distance_to_border(points((45.6, 39.8), crs=None)),
         CRSError),
    Case("no-crs-border", "border without a CRS", "distance_to_border", "CRSError",
         "border has no CRS",
         lambda tmp: distance_to_border(points((45.6, 39.8)), points(*LINE, crs=None)),
         CRSError),
    Case("no-crs-strikes", "strike reports without a CRS", "validate_strikes", "CRSError",
         "strikes has no CRS",
         lambda tmp: validate_strikes(_strikes().set_crs(None, allow_override=True)), CRSError),
    Case("no-crs-cluster", "strike reports without a CRS", "cluster_strikes", "CRSError",
         "strikes has no CRS",
         lambda tmp: cluster_strikes(_strikes().set_crs(None, allow_override=True), eps_km=20),
         CRSError),
    Case("no-crs-area", "polygons without a CRS", "geodesic_area", "CRSError",
         "geoms has no CRS",
         lambda tmp: geodesic_area(points(shapely.box(45, 40, 46, 41), crs=None)), CRSError),
    Case("no-crs-file", "GeoPackage without a CRS", "read_strikes", "CRSError", "has no CRS",
         lambda tmp: read_strikes(_gpkg_without_crs(tmp)), CRSError),
    Case("bad-crs-argument", "`crs='nonsense'` for a CSV", "read_strikes", "CRSError",
         "crs must be a CRS pyproj understands",
         lambda tmp: read_strikes(csv_file(tmp, "lon,lat\n45.6,39.8\n"), crs="nonsense"),
         CRSError),
    Case("unconvertible-crs", "points in EPSG:2296, which PROJ cannot convert to EPSG:4326",
         "distance_to_border", "CRSError", "which PROJ cannot convert to EPSG:4326",
         lambda tmp: distance_to_border(points((500_000.0, 7_000_000.0), crs="EPSG:2296")),
         CRSError),
    Case("mixed-crs", "points in EPSG:32638, border in EPSG:3857", "distance_to_border",
         "no error: both are converted to EPSG:4326; the same distances (within 1 mm) as "
         "with both in EPSG:4326", "",
         lambda tmp: distance_to_border(_strikes().iloc[:10].to_crs("EPSG:32638"),
                                        datasets.load_border().to_crs("EPSG:3857")),
         check=same_distances_as_wgs84),
    # -- NaN, infinite and empty geometries
    Case("nan-point", "POINT (NaN NaN), as points_from_xy makes of a missing value",
         "distance_to_border", "no error: a row of NaN, `side` None", "",
         lambda tmp: distance_to_border(points((np.nan, np.nan))), check=row_of_nan),
    Case("none-geometry", "a missing (None) geometry", "distance_to_border",
         "no error: a row of NaN, `side` None", "",
         lambda tmp: distance_to_border(points(None)), check=row_of_nan),
    Case("empty-point", "POINT EMPTY", "distance_to_border",
         "no error: a row of NaN, `side` None", "",
         lambda tmp: distance_to_border(points(shapely.Point())), check=row_of_nan),
    Case("infinite-point", "POINT (inf 40)", "distance_to_border", "GeometryError",
         "infinite coordinates", lambda tmp: distance_to_border(points((np.inf, 40.0))),
         GeometryError),
    Case("empty-table", "a GeoSeries with no rows", "distance_to_border",
         "no error: an empty table with the usual columns", "",
         lambda tmp: distance_to_border(points()), check=empty_result),
    Case("empty-border", "a border whose geometries are all empty", "distance_to_border",
         "GeometryError", "border has no line geometry",
         lambda tmp: distance_to_border(points((45.6, 39.8)), points(shapely.LineString())),
         GeometryError),
    Case("none-cluster", "a report without geometry", "cluster_strikes",
         "BorderstrikesWarning naming the row; the row gets label -1", "no (or an empty) geometry",
         lambda tmp: cluster_strikes(strikes(geometry=None), eps_km=20),
         warning=BorderstrikesWarning, check=noise_label),
    Case("none-describe", "a clustered row without geometry", "describe_clusters",
         "ValueError", "have a cluster label but no geometry",
         lambda tmp: describe_clusters(points(None, (45.6, 39.8)), [0, 0]), ValueError),
    Case("none-validate", "a report without geometry", "validate_strikes",
         "StrikesValidationError", "missing or empty geometry",
         lambda tmp: validate_strikes(strikes(geometry=None)), StrikesValidationError),
    Case("csv-missing-coordinate", "CSV row with an empty `lat`", "read_strikes",
         "DataFileError naming the line", "unparseable or missing coordinates on lines [3]",
         lambda tmp: read_strikes(csv_file(tmp, "lon,lat\n45.6,39.8\n45.7,\n")), DataFileError),
    Case("csv-infinite-coordinate", "CSV row with `lon` = inf or 1e400", "read_strikes",
         "DataFileError naming the line", "unparseable or missing coordinates on lines [2]",
         lambda tmp: read_strikes(csv_file(tmp, "lon,lat\n1e400,39.8\n")), DataFileError),
    Case("csv-missing-wkt", "CSV row with an empty WKT `geometry`", "read_strikes",
         "DataFileError naming the line", "missing WKT geometry on lines [3]",
         lambda tmp: read_strikes(csv_file(tmp, 'geometry\nPOINT (45 40)\n""\n')), DataFileError),
    Case("csv-ambiguous-columns", "CSV with both `LON` and `Lon` columns", "read_strikes",
         "DataFileError", "differ only in case",
         lambda tmp: read_strikes(csv_file(tmp, "LON,lat,Lon\n45,40,1\n")), DataFileError),
    # -- invalid polygons
    Case("self-intersecting-area", "a self-intersecting (bow-tie) polygon", "geodesic_area",
         "GeometryError (its area would otherwise come out as 0)", "invalid geometries",
         lambda tmp: geodesic_area(points(BOWTIE)), GeometryError),
    Case("self-intersecting-zone", "a bow-tie polygon as the country", "buffer_zone",
         "GeometryError", "invalid geometries",
         lambda tmp: buffer_zone(points(BOWTIE), border=LINE, depth_km=5), GeometryError),
    Case("unclosed-ring-geojson", "GeoJSON polygon whose ring is not closed", "read_strikes",
         "DataFileError", "as a vector file",
         lambda tmp: quietly(read_strikes, csv_file(tmp, UNCLOSED, "ring.geojson")),
         DataFileError),
    Case("unclosed-ring-wkt", "CSV WKT polygon whose ring is not closed", "read_strikes",
         "DataFileError", "not valid WKT",
         lambda tmp: read_strikes(csv_file(tmp, 'geometry\n"POLYGON ((45 40, 46 40, 46 41))"\n')),
         DataFileError),
    # -- mixed geometry types
    Case("mixed-points", "points and a polygon", "distance_to_border", "GeometryError",
         "must contain only Point geometries",
         lambda tmp: distance_to_border(points((45.6, 39.8), shapely.box(45, 40, 46, 41))),
         GeometryError),
    Case("polygon-border", "a polygon as the border", "distance_to_border", "GeometryError",
         "border must contain only LineString or MultiLineString",
         lambda tmp: distance_to_border(points((45.6, 39.8)), points(shapely.box(45, 40, 46, 41))),
         GeometryError),
    Case("line-report", "a LineString among strike reports", "validate_strikes",
         "StrikesValidationError", "geometries must be Points",
         lambda tmp: validate_strikes(strikes(geometry=shapely.LineString([(45, 40), (46, 41)]))),
         StrikesValidationError),
    Case("mixed-positions", "points and lines as positions", "advance_area", "GeometryError",
         "positions must be all Points",
         lambda tmp: advance_area(points((45.6, 39.8), shapely.LineString([(45, 40), (46, 41)]))),
         GeometryError),
    Case("list-in-a-cell", "a list where one value is expected (`location_precision`)",
         "validate_strikes", "StrikesValidationError", "must hold one value per report",
         lambda tmp: validate_strikes(strikes(location_precision=["settlement"])),
         StrikesValidationError),
    # -- duplicate ids
    Case("duplicate-report-id", "two reports with the same `report_id`", "validate_strikes",
         "StrikesValidationError", "report_id must be unique",
         lambda tmp: validate_strikes(strikes(report_id="SR002")), StrikesValidationError),
    Case("duplicate-claim-id", "two claims with the same `claim_id`", "validate_claims",
         "DataFileError", "claim_id is not unique",
         lambda tmp: validate_claims(claims(claim_id="C01")), DataFileError),
    Case("duplicate-index", "points whose index repeats a label", "distance_to_border",
         "no error: the index is kept as given, duplicates included", "",
         lambda tmp: distance_to_border(points((45.6, 39.8), (45.6, 39.8), (46.0, 40.1),
                                               index=["a", "a", "b"])), check=labels_kept),
    # -- place names
    Case("unknown-place", "`geocode('Atlantis', errors='raise')`", "geocode",
         "PlaceNotFoundError", "not found ['Atlantis']",
         lambda tmp: geocode("Atlantis", errors="raise"), PlaceNotFoundError),
    Case("unknown-place-ignore", "`geocode('Atlantis')`", "geocode",
         "no error: `match` 'not_found' and no geometry", "",
         lambda tmp: geocode("Atlantis"), check=not_found),
    Case("ambiguous-place", "`geocode('Akner', errors='raise')` (two villages)", "geocode",
         "PlaceNotFoundError listing the candidates", "ambiguous {'Akner'",
         lambda tmp: geocode("Akner", errors="raise"), PlaceNotFoundError),
    Case("ambiguous-place-ignore", "`geocode('Akner')`", "geocode",
         "no error: `match` 'ambiguous', `candidates` lists both, no geometry", "",
         lambda tmp: geocode("Akner"), check=ambiguous),
    Case("unknown-admin1", "`geocode('Jermuk', admin1='Narnia')`", "geocode", "ValueError",
         "admin1 must be an ISO 3166-2 code",
         lambda tmp: geocode("Jermuk", admin1="Narnia"), ValueError),
    # -- dates
    Case("future-date", "a report dated 2099-01-01", "validate_strikes",
         "StrikesValidationError", "date must not lie in the future",
         lambda tmp: validate_strikes(strikes(date="2099-01-01")), StrikesValidationError),
    Case("unparseable-date", "a report dated 2022-13-45", "validate_strikes",
         "StrikesValidationError", "date must be a date written YYYY-MM-DD",
         lambda tmp: validate_strikes(strikes(date="2022-13-45")), StrikesValidationError),
    Case("future-claim-date", "a claim said on 2099-05", "validate_claims", "DataFileError",
         "a real date not in the future (got '2099-05')",
         lambda tmp: validate_claims(claims(date_said="2099-05")), DataFileError),
    Case("unparseable-claim-date", "a claim said on 2022-13", "validate_claims",
         "DataFileError", "a real date not in the future (got '2022-13')",
         lambda tmp: validate_claims(claims(date_said="2022-13")), DataFileError),
    Case("unparseable-cluster-date", "`date` = 'yesterday' in space-time mode",
         "cluster_strikes", "ValueError", "cannot be read as dates",
         lambda tmp: quietly(cluster_strikes, strikes(date="yesterday"), eps_km=20,
                             time_eps_hours=24),
         ValueError),
    Case("huge-claim-depth", "a claimed depth of 30,000 km", "check_claims",
         "no error: verdict `not_checkable` (also for claims measured against it), the "
         "reason says why; other claims unchanged",
         "", lambda tmp: check_claims(claims(row=0, value="30000")), check=not_checkable),
    Case("empty-claims", "a claims table with the columns but no rows", "check_claims",
         "no error: an empty table with the documented columns and dtypes", "",
         lambda tmp: check_claims(claims().iloc[:0]), check=typed_and_empty),
    # -- negative distances and depths
    Case("negative-depth", "`depth_km=-5`", "buffer_zone", "ValueError",
         "depth_km must be a number of kilometres in (0, 200]",
         lambda tmp: buffer_zone(depth_km=-5), ValueError),
    Case("zero-depth", "`depths_km=(0, 5)`", "buffer_scenarios", "ValueError",
         "depths_km must be a number of kilometres in (0, 200]",
         lambda tmp: buffer_scenarios((0, 5)), ValueError),
    Case("nan-distance", "`distance_km=nan`", "geodesic_buffer", "ValueError",
         "distance_km must be a number of kilometres in (0, 1000]",
         lambda tmp: geodesic_buffer(LINE, distance_km=float("nan")), ValueError),
    Case("negative-length", "`length_km=-1`", "border_stretch", "ValueError",
         "length_km must be a number of kilometres",
         lambda tmp: border_stretch(geocode("Jermuk"), length_km=-1), ValueError),
    Case("negative-tolerance", "`tolerance_m=-1`", "border_between", "ValueError",
         "tolerance_m must be a finite number of metres > 0",
         lambda tmp: border_between("ARM", "TUR", tolerance_m=-1), ValueError),
    Case("negative-eps", "`eps_km=-1`", "cluster_strikes", "ValueError",
         "eps_km must be a finite number > 0",
         lambda tmp: cluster_strikes(_strikes(), eps_km=-1), ValueError),
    Case("negative-time-eps", "`time_eps_hours=-1`", "cluster_strikes", "ValueError",
         "time_eps_hours must be None or a finite number >= 0",
         lambda tmp: cluster_strikes(_strikes(), eps_km=20, time_eps_hours=-1), ValueError),
    Case("negative-radius", "`location_radius_m=-100`", "validate_strikes",
         "StrikesValidationError", "location_radius_m must be a number of metres",
         lambda tmp: validate_strikes(strikes(location_radius_m=-100)), StrikesValidationError),
    Case("negative-claim", "a claimed value of -3", "validate_claims", "DataFileError",
         "value must be a positive number (got '-3')",
         lambda tmp: validate_claims(claims(value="-3")), DataFileError),
    Case("bad-unit", "`unit='miles'`", "distance_to_border", "ValueError",
         "unit must be one of", lambda tmp: distance_to_border(_strikes(), unit="miles"),
         ValueError),
    # -- the command line
    Case("cli-negative-depth", "`borderstrikes areas --depth-km -5`", "cli.main",
         "exit code 1, message on stderr", "depths_km must be a number of kilometres",
         lambda tmp: run_cli(["areas", "--depth-km", "-5"]), check=exit_with(1, "depths_km")),
    Case("cli-missing-file", "`borderstrikes distances nope.csv`", "cli.main",
         "exit code 1, message on stderr", "no such file",
         lambda tmp: run_cli(["distances", f"{tmp}/nope.csv"]), check=exit_with(1, "no such file")),
    Case("cli-table-without-geometry", "`borderstrikes areas -o out.geojson`", "cli.main",
         "exit code 1, no file written", "has no geometry",
         lambda tmp: run_cli(["areas", "--depth-km", "5", "-o", f"{tmp}/out.geojson"]),
         check=exit_with(1, "has no geometry", "out.geojson")),
    Case("cli-report-bad-strikes", "`borderstrikes report --strikes bare_points.csv --out DIR`",
         "cli.main", "exit code 1, DIR not created", "need a 'date' column",
         lambda tmp: run_cli(["report", "--strikes",
                              str(csv_file(tmp, "lon,lat\n45.6,39.8\n")), "--out", f"{tmp}/rep"]),
         check=exit_with(1, "need a 'date' column", "rep")),
    Case("cli-huge-map", "`borderstrikes map --dpi 6000`", "cli.main",
         "usage error, exit code 2 (a 54000 x 57000 pixel image would exhaust memory)",
         "must be an integer from 1 to 600", lambda tmp: run_cli(["map", "--dpi", "6000"]),
         check=exit_with(2, "must be an integer from 1 to 600")),
    # -- huge inputs to functions with quadratic parts
    Case("huge-cluster", "200,000 points", "cluster_strikes",
         "no error; memory in proportion to the points (grid of cubes, pairs in chunks of "
         "2**22)", "",
         lambda tmp: timed(60, lambda: cluster_strikes(random_points(huge(200_000)), eps_km=2,
                                                       min_samples=5)),
         check=lambda labels, tmp: None),
    Case("huge-describe", "200,000 points in 2,000 clusters", "describe_clusters",
         "no error; one pass per cluster over its own rows (no cluster x row scan)", "",
         lambda tmp: timed(120, lambda: describe_clusters(random_points(huge(200_000)),
                                                          np.arange(huge(200_000)) % huge(2000))),
         check=one_row_per_cluster(huge(2000), huge(200_000))),
    Case("huge-k-distance", "200,000 points, and k = 400 on 5,000", "k_distance",
         "no error; neighbour queries in chunks of at most 2**20 pairs, whatever k", "",
         lambda tmp: (timed(60, lambda: k_distance(random_points(huge(200_000)), 3)),
                      timed(60, lambda: k_distance(random_points(max(huge(5_000), 1_000)),
                                                   400)))[1],
         check=finite),
    Case("huge-distance-interval", "3,000 reports x 400 samples", "distance_interval",
         "no error; samples measured in blocks of at most 500,000 points", "",
         lambda tmp: timed(120, lambda: spy_distance_interval(huge(3_000), 400)),
         check=bounded_samples),
    # -- hostile files and outputs (#13; see also SECURITY.md)
    Case("csv-formula", "a place `=HYPERLINK(...)` written to CSV", "io.write_csv",
         "no error: the cell is written with a leading `'` (OWASP), numbers unchanged", "",
         lambda tmp: write_csv(pd.DataFrame({"place": [FORMULA], "distance_km": [-1.5]}),
                               Path(tmp) / "out.csv"), check=formula_neutralised),
    Case("gpkg-other-layers", "`distances -o work.gpkg` onto a GeoPackage with a layer `mine`",
         "borderstrikes distances", "no error: layer `work` added, layer `mine` kept", "",
         lambda tmp: (gpkg_with_a_layer(tmp),
                      run_cli(["distances", "-o", f"{tmp}/work.gpkg"]))[1],
         check=other_layer_kept),
    Case("report-repeated-labels", "88 reports whose index labels each occur twice",
         "write_report", "no error: 88 rows, each with its own distance", "",
         lambda tmp: quietly(write_report, Path(tmp) / "out", strikes=repeated_labels()),
         check=every_row_right),
    Case("report-out-is-a-file", "`report --out` naming an existing file", "borderstrikes report",
         "exit code 1 before any computation; the file is unchanged",
         "is an existing file, not a folder",
         lambda tmp: (csv_file(tmp, "keep me", "taken"),
                      run_cli(["report", "--out", f"{tmp}/taken"]))[1],
         check=exit_with(1, "is an existing file, not a folder")),
    Case("report-foreign-folder", "`report --out` onto a non-empty folder it did not write",
         "borderstrikes report", "exit code 1; the folder is left alone (`--force` replaces it)",
         "borderstrikes did not write",
         lambda tmp: (csv_file(tmp, "mine", "notes.txt"),
                      run_cli(["report", "--out", tmp]))[1],
         check=exit_with(1, "borderstrikes did not write")),
    Case("zip-bomb", "a 5 KB zip holding 5 MB of zeros", "read_gdelt_events", "DataFileError",
         "may be a 'zip bomb'", lambda tmp: read_gdelt_events(bomb_zip(tmp)), DataFileError),
    Case("vrt-input", "a `.vrt` naming another local file", "read_strikes", "DataFileError",
         "GDAL virtual format (VRT)", lambda tmp: read_strikes(vrt_file(tmp)), DataFileError),
    Case("url-input", "`http://127.0.0.1:9/x.geojson` as a path", "read_strikes",
         "DataFileError before any request", "is a URL or a GDAL virtual path",
         lambda tmp: read_strikes("http://127.0.0.1:9/x.geojson"), DataFileError),
    Case("mixed-offsets", "a GeoJSON mixing `+04:00`, `+00:00` and date-only times",
         "read_strikes", "no error: each time kept in its local wall-clock time (00:30 at "
         "+04:00 on the 14th stays the 14th)", "",
         lambda tmp: read_strikes(mixed_offsets(tmp)), check=local_dates_kept),
    Case("nullable-radius", "`location_radius_m` as pandas `Float64` with `<NA>`",
         "validate_strikes", "StrikesValidationError naming the row", "location_radius_m must",
         lambda tmp: validate_strikes(nullable_radius()), StrikesValidationError),
    Case("mathtext-place", "a place named `$\frac{$`", "plot_strikes",
         "no error: the name is drawn literally, never parsed as mathtext", "",
         lambda tmp: plot_strikes(strikes(place="$\\frac{$"), basemap="offline", inset=False),
         check=map_drawn),
    Case("interval-n-cap", "`n=10**7`", "distance_interval", "ValueError naming the cap",
         "n must be an integer from 1 to", lambda tmp: uncertainty.distance_interval(
             _strikes().iloc[:2], n=10**7), ValueError),
    Case("far-fuzzy-place", "`geocode('Artsvashen')` (not in the gazetteer)", "geocode",
         "no error: `not_found`; the near miss (Bardzrashen, 99.6 km away) is listed in "
         "`candidates`, never returned as a match", "",
         lambda tmp: geocode("Artsvashen"), check=refused_with_candidate),
]  # fmt: skip


def _gpkg_without_crs(tmp):
    path = Path(tmp) / "nocrs.gpkg"
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=gpd.points_from_xy([45.6], [39.8]))
    with pytest.warns(UserWarning, match="crs"):  # pyogrio warns that it writes no CRS
        frame.to_file(path, engine="pyogrio")
    return path


SLOW_CASES = {"huge-cluster", "huge-describe", "huge-k-distance", "huge-distance-interval"}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.id in SLOW_CASES else [])
        for c in CASES
    ],
)
def test_bad_input(case, tmp_path):
    def run():
        return case.run(str(tmp_path))

    if case.error is not None:
        with pytest.raises(case.error, match=re.escape(case.fragment)):
            run()
        return
    if case.warning is not None:
        with pytest.warns(case.warning, match=re.escape(case.fragment)):
            result = run()
    else:
        result = run()
    if case.check is not None:
        case.check(result, str(tmp_path))


def test_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_k_distance_in_chunks_matches_one_query():
    pts = random_points(3_000, seed=1)
    whole = k_distance(pts, 50)
    with mock.patch.object(dbscan, "_PAIR_BUDGET", 4 * 1_000):
        chunked = k_distance(pts, 50)
    pd.testing.assert_series_equal(chunked, whole)


def test_distance_interval_in_blocks_is_seeded_and_sane():
    table = gpd.GeoDataFrame(
        {"location_precision": ["area"] * 50}, geometry=random_points(50, seed=2).values, crs=WGS84
    )
    with mock.patch.object(uncertainty, "_MAX_SAMPLES", 1_000):
        a = uncertainty.distance_interval(table, n=100, seed=5)
        b = uncertainty.distance_interval(table, n=100, seed=5)
    pd.testing.assert_frame_equal(a, b)
    whole = uncertainty.distance_interval(table, n=100, seed=5)
    pd.testing.assert_series_equal(a["distance_km"], whole["distance_km"])
    assert (a["distance_p5_km"] <= a["distance_p95_km"]).all()


# --------------------------------------------------------------------------- the document


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def render_table():
    lines = [
        "| id | input | function | expected behaviour | message fragment |",
        "|---|---|---|---|---|",
    ]
    for c in CASES:
        fragment = f"`{_cell(c.fragment)}`" if c.fragment else "—"
        lines.append(
            f"| {c.id} | {_cell(c.input)} | `{c.function}` | {_cell(c.expected)} | {fragment} |"
        )
    return "\n".join(lines) + "\n"


def test_the_documented_table_is_this_table():
    text = DOC.read_text(encoding="utf-8")
    begin, end = "<!-- table: begin -->\n", "<!-- table: end -->"
    assert begin in text
    assert end in text
    documented = text.split(begin, 1)[1].split(end, 1)[0]
    assert documented == render_table(), "run python tests/test_bad_input.py to regenerate"


if __name__ == "__main__":
    sys.stdout.write(render_table())
