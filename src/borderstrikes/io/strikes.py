"""Read strike reports, or any point events, from a vector file or a CSV."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from borderstrikes._core.constants import WGS84
from borderstrikes._core.validate import require_crs
from borderstrikes.errors import CRSError, DataFileError
from borderstrikes.io.files import check_path

__all__ = ["read_strikes"]

_SHOW = 10  # offending rows named in a message

_LONLAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("x", "y"))
_COORDINATE_NAMES = frozenset({name for pair in _LONLAT_COLUMNS for name in pair} | {"geometry"})


def read_strikes(path: Any, *, crs: Any = None, text: bool = False) -> gpd.GeoDataFrame:
    r"""Read strike reports (or any point events) from a vector file or a CSV.

    Vector formats GDAL reads (GeoJSON, GeoPackage, Shapefile, …) keep their
    CRS. A CSV needs either ``lon``/``lat`` (or ``longitude``/``latitude``,
    ``x``/``y``) columns or a WKT ``geometry`` column, and is read as
    EPSG:4326 unless ``crs`` says otherwise. The table is not checked
    against the strikes schema; call :func:`validate_strikes` for that.

    Parameters
    ----------
    path : str or path-like
    crs : optional
        CRS of a CSV's coordinates (default EPSG:4326). For vector files the
        file's own CRS is used; a file without one raises.
    text : bool, default False
        Keep text as written: no guessing of numbers or dates in text (a CSV
        is read as text throughout, an empty field being missing; GeoJSON
        keeps date-like strings). For reading back a file written from
        :func:`encode_columns`, before :func:`decode_columns`.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    borderstrikes.errors.DataFileError
        If the file is missing, cannot be parsed, or a CSV has no coordinate
        columns; unparseable coordinates are reported by row, never dropped.
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
    path = check_path(path, "GeoJSON, GeoPackage or CSV")
    if path.suffix.lower() in {".csv", ".txt"}:
        return _read_csv_points(path, crs, text)
    geojson = text and path.suffix.lower() in {".geojson", ".json"}
    try:
        frame = gpd.read_file(
            path, engine="pyogrio", **({"DATE_AS_STRING": "YES"} if geojson else {})
        )
    except Exception as exc:  # pyogrio raises several types for a bad file
        msg = f"cannot read {path} as a vector file: {exc}"
        raise DataFileError(msg) from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"{path.name} has no geometry column; give a layer of points."
        raise DataFileError(msg)
    require_crs(frame, f"the data in {path.name}")
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
