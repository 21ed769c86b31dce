"""Read strike reports, or any point events, from a vector file or a CSV.

Only local files of a few formats are opened: GeoJSON, GeoPackage, Shapefile
and FlatGeobuf through GDAL (pyogrio), CSV through pandas, and any of them in
a ``.zip`` (or gzip, bzip2, xz file), expanded under the limits of
:mod:`borderstrikes.io.files`. The format is recognised from the file's first
bytes, never left to GDAL's guess, so that a file cannot make GDAL fetch a URL
or read a file the user did not name: a GDAL virtual format (VRT) and a
GeoJSON ``crs`` that links to a URL are refused, and GDAL reads with
:data:`GDAL_READ_OPTIONS` set (no ``/vsicurl/`` file, no SQL functions from
views or triggers).
"""

from __future__ import annotations

import datetime as dt
import json
import mmap
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from borderstrikes._core.constants import WGS84
from borderstrikes._core.validate import require_crs
from borderstrikes.errors import CRSError, DataFileError
from borderstrikes.io.files import (
    ARCHIVE_ERRORS,
    MAX_BYTES,
    MAX_RATIO,
    check_limits,
    check_path,
    compression,
    extract_zip,
    open_data,
)

__all__ = ["GDAL_READ_OPTIONS", "VECTOR_DRIVERS", "read_strikes"]

_SHOW = 10  # offending rows named in a message

_LONLAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("x", "y"))
_COORDINATE_NAMES = frozenset({name for pair in _LONLAT_COLUMNS for name in pair} | {"geometry"})

#: The GDAL drivers :func:`read_strikes` lets open a file (recognised by its first bytes).
VECTOR_DRIVERS = ("GeoJSON", "GPKG", "ESRI Shapefile", "FlatGeobuf")

#: GDAL configuration options set while :func:`read_strikes` reads (and restored after):
#: ``/vsicurl/`` (and the cloud file systems built on it) may open no file, and SQL
#: functions and VirtualOGR tables are not run from a GeoPackage's views or triggers.
GDAL_READ_OPTIONS = MappingProxyType(
    {
        "CPL_VSIL_CURL_ALLOWED_FILENAME": "/borderstrikes/reads/no/network/file",
        "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".borderstrikes-reads-no-network-file",
        "GDAL_HTTP_MAX_RETRY": "0",
        "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
        "ALLOW_VIRTUAL_OGR_FROM_TRIGGER_AND_VIEW": "NO",
    }
)

_FORMATS = "GeoJSON, GeoPackage, Shapefile (.shp), FlatGeobuf or CSV"
_CSV_SUFFIXES = (".csv", ".txt")
_DATA_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", *_CSV_SUFFIXES)
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
_SAFE_CRS_TYPES = ("name", "epsg")  # a GeoJSON crs GDAL reads without opening anything

_gdal_lock = threading.Lock()
_gdal_readers = 0
_gdal_saved: dict[str, Any] = {}


def read_strikes(
    path: Any,
    *,
    crs: Any = None,
    text: bool = False,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> gpd.GeoDataFrame:
    r"""Read strike reports (or any point events) from a vector file or a CSV.

    GeoJSON, GeoPackage, Shapefile and FlatGeobuf files keep their CRS. A
    CSV needs either ``lon``/``lat`` (or ``longitude``/``latitude``,
    ``x``/``y``) columns or a WKT ``geometry`` column, and is read as
    EPSG:4326 unless ``crs`` says otherwise. Any of them may come in a
    ``.zip`` holding that one dataset (a Shapefile with its side files), or
    gzip-, bzip2- or xz-compressed. The table is not checked against the
    strikes schema; call :func:`validate_strikes` for that.

    Parameters
    ----------
    path : str or path-like
        A local file. URLs and GDAL virtual paths (``/vsicurl/``,
        ``/vsizip/`` ...) are refused.
    crs : optional
        CRS of a CSV's coordinates (default EPSG:4326). For vector files the
        file's own CRS is used; a file without one raises.
    text : bool, default False
        Keep text as written: no guessing of numbers or dates in text (a CSV
        is read as text throughout, an empty field being missing; GeoJSON
        keeps date-like strings). For reading back a file written from
        :func:`encode_columns`, before :func:`decode_columns`.
    max_bytes : int, default borderstrikes.io.files.MAX_BYTES (1 GiB)
        Largest uncompressed size of a compressed file.
    max_ratio : float, default borderstrikes.io.files.MAX_RATIO (100)
        Largest compression ratio of a compressed file (checked once more
        than 1 MiB has come out). Raise either for a file you trust.

    Returns
    -------
    geopandas.GeoDataFrame
        Date-times keep the local time they were written in: a column whose
        values share one UTC offset keeps it; a column mixing offsets (or
        dates with and without one) holds each value's local time, without
        an offset, so that the date of a report is its local date.

    Raises
    ------
    borderstrikes.errors.DataFileError
        If the file is missing, is a URL or a virtual path, is not in one of
        the formats above (a GDAL VRT, say), has a GeoJSON ``crs`` that
        links to a file or URL, exceeds ``max_bytes`` or ``max_ratio``,
        cannot be parsed, or a CSV has no coordinate columns; unparseable
        coordinates are reported by row, never dropped.
    borderstrikes.errors.CRSError
        If a vector file has no CRS.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "events.csv"
    ...     _ = path.write_text("place,lon,lat\nJermuk,45.67,39.84\n")
    ...     events = read_strikes(path)
    >>> events.crs.to_epsg(), events.geometry.iloc[0].x
    (4326, 45.67)
    """
    check_limits(max_bytes, max_ratio)
    path = check_path(path, _FORMATS)
    kind = compression(path)
    if kind is None:
        return _read_plain(path, crs, text, inside=None)
    with tempfile.TemporaryDirectory(prefix="borderstrikes-") as tmp:
        try:
            if kind == "zip":
                files = extract_zip(
                    path, Path(tmp), what=_FORMATS, max_bytes=max_bytes, max_ratio=max_ratio
                )
            else:
                name = path.name
                stem = name.rsplit(".", 1)[0] if "." in name else name
                files = [Path(tmp) / stem]
                with (
                    open_data(path, what=_FORMATS, max_bytes=max_bytes, max_ratio=max_ratio) as src,
                    files[0].open("wb") as sink,
                ):
                    while chunk := src.read(2**20):
                        sink.write(chunk)
        except DataFileError:
            raise
        except ARCHIVE_ERRORS as exc:
            msg = f"cannot read {path.name}: a damaged or unsupported compressed file ({exc!r})."
            raise DataFileError(msg) from exc
        return _read_plain(_dataset_in(path, files), crs, text, inside=path.name)


def _dataset_in(archive: Path, files: list[Path]) -> Path:
    """Return the one dataset among the files of an archive (a Shapefile's side files aside)."""
    virtual = [f.name for f in files if f.suffix.lower() == ".vrt"]
    if virtual:
        msg = (
            f"{archive.name} holds a GDAL virtual format file {virtual!r}; read_strikes opens "
            f"only {_FORMATS} files."
        )
        raise DataFileError(msg)
    data = [f for f in files if f.suffix.lower() in _DATA_SUFFIXES]
    if len(files) == 1 and not data:  # a compressed file without a telling suffix
        data = files
    if len(data) != 1:
        msg = (
            f"{archive.name} holds {len(data)} data files ({[f.name for f in data][:5]!r}); "
            f"give an archive of one {_FORMATS} dataset, or extract the one you mean."
        )
        raise DataFileError(msg)
    return data[0]


def _read_plain(path: Path, crs: Any, text: bool, *, inside: str | None) -> gpd.GeoDataFrame:
    where = path.name if inside is None else f"{path.name} (in {inside})"
    if path.suffix.lower() == ".vrt":
        msg = (
            f"{where} is a GDAL virtual format (VRT) file, which can make GDAL read other files "
            f"or fetch URLs; read_strikes opens only {_FORMATS} files. Open the data the VRT "
            "names and read that."
        )
        raise DataFileError(msg)
    if path.suffix.lower() in _CSV_SUFFIXES:
        return _read_csv_points(path, crs, text)
    driver = _vector_driver(path, where)
    if driver == "GeoJSON":
        _check_geojson_crs(path, where)
    geojson = text and driver == "GeoJSON"
    try:
        with _gdal_read_options():
            frame = gpd.read_file(
                path.resolve(),
                engine="pyogrio",
                mixed_offsets_as_utc=False,
                **({"DATE_AS_STRING": "YES"} if geojson else {}),
            )
    except Exception as exc:  # pyogrio raises several types for a bad file
        msg = f"cannot read {where} as a vector file ({driver}): {exc}"
        raise DataFileError(msg) from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"{where} has no geometry column; give a layer of points."
        raise DataFileError(msg)
    require_crs(frame, f"the data in {where}")
    return _local_times(frame)


def _vector_driver(path: Path, where: str) -> str:
    """Return the GDAL driver of a file, from its first bytes; refuse any other file."""
    with path.open("rb") as file:
        head = file.read(4096)
    if head.startswith(b"SQLite format 3\x00"):
        if head[68:72] in _GPKG_IDS:
            return "GPKG"
        msg = f"{where} is an SQLite database but not a GeoPackage; read_strikes opens {_FORMATS}."
        raise DataFileError(msg)
    if head.startswith(b"fgb\x03"):
        return "FlatGeobuf"
    if head.startswith(b"\x00\x00\x27\x0a") and path.suffix.lower() == ".shp":
        return "ESRI Shapefile"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{"):
        return "GeoJSON"
    if start.startswith(b"<"):
        kind = "a GDAL virtual format (VRT)" if b"<OGRVRTDataSource" in head else "an XML"
        msg = (
            f"{where} is {kind} file; read_strikes opens only {_FORMATS} files (an XML format "
            "can make GDAL read other files or fetch URLs)."
        )
        raise DataFileError(msg)
    msg = (
        f"{where} is not a {_FORMATS} file (it starts with {head[:16]!r}); convert it to one of "
        "them, e.g. GeoPackage or GeoJSON."
    )
    raise DataFileError(msg)


def _check_geojson_crs(path: Path, where: str) -> None:
    """Refuse a GeoJSON ``crs`` (or JSON-FG ``coordRefSys``) that GDAL would fetch."""
    if path.stat().st_size == 0:
        return
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b'"crs"') < 0 and data.find(b'"coordRefSys"') < 0:
            return
        try:
            document = json.loads(data[:])
        except ValueError as exc:
            msg = f"cannot read {where} as GeoJSON: {exc}"
            raise DataFileError(msg) from exc
    todo = [document]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            if key == "crs" and not _safe_crs(value):
                msg = (
                    f"{where} has a crs member GDAL would look up elsewhere ({value!r:.120}); "
                    "read_strikes accepts only a named CRS such as "
                    '{"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}} '
                    "(or none: GeoJSON is WGS84 longitude/latitude)."
                )
                raise DataFileError(msg)
            if key == "coordRefSys" and not isinstance(value, str | type(None)):
                msg = (
                    f"{where} has a coordRefSys GDAL would look up elsewhere ({value!r:.120}); "
                    "give it as a CRS URI string."
                )
                raise DataFileError(msg)
            todo.append(value)


def _safe_crs(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict) or not isinstance(value.get("properties"), dict):
        return False
    kind = value.get("type")
    return isinstance(kind, str) and kind.lower() in _SAFE_CRS_TYPES


@contextmanager
def _gdal_read_options() -> Iterator[None]:
    """Set :data:`GDAL_READ_OPTIONS` while GDAL reads; put the previous values back after."""
    global _gdal_readers
    with _gdal_lock:
        if _gdal_readers == 0:
            _gdal_saved.clear()
            _gdal_saved.update({k: pyogrio.get_gdal_config_option(k) for k in GDAL_READ_OPTIONS})
            pyogrio.set_gdal_config_options(dict(GDAL_READ_OPTIONS))
        _gdal_readers += 1
    try:
        yield
    finally:
        with _gdal_lock:
            _gdal_readers -= 1
            if _gdal_readers == 0:
                pyogrio.set_gdal_config_options(
                    {k: (None if v is None else str(v)) for k, v in _gdal_saved.items()}
                )


def _local_times(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Date-time columns mixing UTC offsets as local times (GDAL leaves them as objects)."""
    for column in frame.columns:
        values = frame[column]
        if column == frame.geometry.name or values.dtype != object:
            continue
        present = values.dropna()
        if present.empty or not all(isinstance(v, dt.datetime) for v in present):
            continue
        local = values.map(lambda v: v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v)
        frame[column] = pd.to_datetime(local)
    return frame


def _read_csv_points(path: Any, crs: Any, text: bool = False) -> gpd.GeoDataFrame:
    as_text = {"dtype": str, "keep_default_na": False, "na_values": [""]} if text else {}
    try:
        table = pd.read_csv(path, **as_text)
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"cannot parse {path} as CSV: {exc}"
        raise DataFileError(msg) from exc
    lower = {str(c).lower(): c for c in table.columns}
    clashes = sorted(
        str(c)
        for c in table.columns
        if str(c).lower() in _COORDINATE_NAMES and lower[str(c).lower()] != c
    )
    if clashes:
        msg = (
            f"{path.name} has several columns that differ only in case ({clashes!r} and "
            "others); the coordinate columns are ambiguous. Rename or drop the extra ones."
        )
        raise DataFileError(msg)
    crs = WGS84 if crs is None else crs
    try:
        crs = CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises its CRSError (a RuntimeError) or TypeError
        msg = f"crs must be a CRS pyproj understands, such as 'EPSG:4326' (got {crs!r}): {exc}"
        raise CRSError(msg) from exc
    for x_name, y_name in _LONLAT_COLUMNS:
        if x_name in lower and y_name in lower:
            x = pd.to_numeric(table[lower[x_name]], errors="coerce")
            y = pd.to_numeric(table[lower[y_name]], errors="coerce")
            bad = ~(np.isfinite(x.to_numpy(dtype=float)) & np.isfinite(y.to_numpy(dtype=float)))
            if bad.any():
                rows = [int(i) + 2 for i in np.flatnonzero(bad)[:_SHOW]]
                msg = (
                    f"{path.name}: unparseable or missing coordinates on lines {rows} "
                    f"({int(bad.sum())} rows); fix or remove them."
                )
                raise DataFileError(msg)
            return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(x, y), crs=crs)
    if "geometry" in lower:
        text = table[lower["geometry"]]
        blank = text.isna() | (text.astype(str).str.strip() == "")
        if blank.any():
            rows = [int(i) + 2 for i in np.flatnonzero(blank)[:_SHOW]]
            msg = (
                f"{path.name}: missing WKT geometry on lines {rows} ({int(blank.sum())} rows); "
                "fix or remove them (write POINT EMPTY for a report without a point)."
            )
            raise DataFileError(msg)
        try:
            geometry = gpd.GeoSeries.from_wkt(text, crs=crs)
        except Exception as exc:  # shapely raises GEOSException for bad WKT
            msg = f"{path.name}: the geometry column is not valid WKT: {exc}"
            raise DataFileError(msg) from exc
        return gpd.GeoDataFrame(table.drop(columns=lower["geometry"]), geometry=geometry)
    msg = (
        f"{path.name} has no coordinate columns; expected lon/lat, longitude/latitude, x/y or a "
        f"WKT geometry column (got {list(table.columns)!r})."
    )
    raise DataFileError(msg)
