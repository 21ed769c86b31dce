"""Build data/strikes.geojson and data/incidents_2021_2025.geojson from the raw reports.

    python data-raw/build_strikes.py [--output PATH] [--incidents-output PATH]

Inputs
    data-raw/strike_reports.csv   88 strike reports (copy of the research compilation), each
                                  with its location_kind and the reason for it
    data-raw/incident_reports_2021_2025.csv
                                  11 dated incidents on the same border, May 2021 to 2025,
                                  same layout (research compilation of issue 14)
    data/places/supplement.csv    curated coordinates of places GeoNames lacks, each cited
    data/places/coord_candidates.csv
                                  every candidate coordinate of a place whose sources disagree
                                  (or that has only a distance and direction in a text), each
                                  cited, and which one is chosen

Output
    data/strikes.geojson          RFC 7946 FeatureCollection, EPSG:4326, one Point per report
                                  (report ids SR001...)
    data/incidents_2021_2025.geojson
                                  the same schema for the 2021-2025 incidents (IN001...);
                                  written next to --output unless --incidents-output is given

Both tables go through the same date rule, location-kind table, evidence rules and
validation; only the period their dates must fall in differs (TABLES). The output is
deterministic: features in CSV order, keys sorted, coordinates rounded to
6 decimals, one feature per line. The schema and every rule applied here are documented in
data/STRIKES_SCHEMA.md; keep the two in step.

Only the standard library is used, so the build runs without the package installed.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data-raw" / "strike_reports.csv"
INCIDENTS_RAW = ROOT / "data-raw" / "incident_reports_2021_2025.csv"
SUPPLEMENT = ROOT / "data" / "places" / "supplement.csv"
CANDIDATES = ROOT / "data" / "places" / "coord_candidates.csv"
GEONAMES = ROOT / "data" / "places" / "geonames.csv"
OUT = ROOT / "data" / "strikes.geojson"
INCIDENTS_OUT = ROOT / "data" / "incidents_2021_2025.geojson"

ADMIN1_ISO = {"Gegharkunik": "AM-GR", "Vayots Dzor": "AM-VD", "Syunik": "AM-SU"}
LON_RANGE = (43.0, 47.0)  # Armenia's bounding box, generously rounded
LAT_RANGE = (38.5, 41.5)
FIRST_DAY, LAST_DAY = date(2022, 9, 12), date(2022, 9, 15)


@dataclass(frozen=True)
class Table:
    """One shipped report table: its raw CSV, report-id prefix and the days it covers.

    ``fighting_start`` is the first day of the fighting the table records, which the
    "before D Sept" branch of the date rule needs; a table without one (None) fails on
    such a row.
    """

    raw: Path
    prefix: str
    first_day: date
    last_day: date
    fighting_start: date | None


STRIKES = Table(RAW, "SR", FIRST_DAY, LAST_DAY, FIRST_DAY)
INCIDENTS = Table(INCIDENTS_RAW, "IN", date(2021, 5, 1), date(2025, 12, 31), None)
TABLES = (STRIKES, INCIDENTS)

# -- date intervals ----------------------------------------------------------------------
# The one rule (documented in STRIKES_SCHEMA.md, "Dates"): a report covers the days
# date_start..date_end (local, inclusive). A time_local naming a span of days ("13-14 Sept",
# "night of 12-13 Sept", "13-15 Sept (exact date not stated)") covers those days, whatever
# day the row is filed under; "before D Sept" covers FIRST_DAY..D-1; any other time_local
# (a clock time, "night", "morning", empty) covers the row's own date. A span that does not
# contain the row's date, or lies outside FIRST_DAY..LAST_DAY, fails the build.
# The same rule places the 2021-2025 incidents (Table.first_day..last_day instead of
# 12-15 Sept 2022; no "before" branch, since that table has no first day of fighting).
# A time_local of the own_date branch that names a month ("12 May", "night of 3-4 Aug")
# names a day the rule does not read, so it fails the build instead of being filed
# under the row's date.
DAY_SPAN = re.compile(r"(?<![\d:])(\d{1,2})\s*[-\u2013]\s*(\d{1,2})\s+Sept\b")
BEFORE_DAY = re.compile(r"\bbefore\s+(\d{1,2})\s+Sept\b")
MONTH_NAME = re.compile(  # English month names and their usual abbreviations
    r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?)\b",
    flags=re.IGNORECASE,
)


def date_interval(
    row: dict[str, str], report_id: str, table: Table = STRIKES
) -> tuple[date, date, str]:
    """First and last day a report covers, and the name of the rule that placed it."""
    day = date.fromisoformat(row["date"])
    text = row["time_local"]
    if match := DAY_SPAN.search(text):
        start, end, rule = day.replace(day=int(match[1])), day.replace(day=int(match[2])), "span"
    elif (match := BEFORE_DAY.search(text)) and table.fighting_start is not None:
        start, end, rule = table.fighting_start, day.replace(day=int(match[1]) - 1), "before"
    elif match or MONTH_NAME.search(text):
        fail(f"{report_id}: time_local {text!r} names a day the rule cannot place")
    else:
        start, end, rule = day, day, "own_date"
    if not (table.first_day <= start <= end <= table.last_day) or (
        rule == "span" and not (day.month == 9 and start <= day <= end)  # "Sept" spans
    ):
        fail(f"{report_id}: time_local {text!r} gives {start}..{end}, which the rule cannot place")
    return start, end, rule


# -- location precision ------------------------------------------------------------------
# kind -> (location_precision, location_radius_m, meaning). Documented in STRIKES_SCHEMA.md.
LOCATION_KINDS: dict[str, tuple[str, int, str]] = {
    "town": ("settlement", 3_000, "centre of a town named by the report"),
    "village": (
        "settlement",
        2_000,
        "centre of a village named by the report, from a source giving seconds of arc "
        "(GeoNames, Wikipedia); Wikipedia-copy coordinates of small villages are good to ~1 km",
    ),
    "village_arcminute": (
        "settlement",
        3_000,
        "centre of a village from a source giving whole arc-minutes only (rounding up to ~1 km)",
    ),
    "feature": ("area", 5_000, "representative point of a reservoir, lake or road segment"),
    "ambiguous_unit": (
        "area",
        15_000,
        "village point of a name that may denote a larger former community around it",
    ),
    "stand_in_near": (
        "area",
        10_000,
        "no coordinate found: centre of the municipality the place belongs to, which the "
        "sources put within ~10 km of the place",
    ),
    "stand_in": (
        "region",
        25_000,
        "no coordinate found: centre of the municipality the place belongs to",
    ),
    "municipality_report": (
        "region",
        25_000,
        "the report names a whole municipality (community), not a settlement",
    ),
    "village_from_text": (
        "area",
        5_000,
        "no gazetteer coordinate found: a point derived from a distance and direction to a "
        "town that a cited text gives",
    ),
    "vicinity": (
        "area",
        5_000,
        "positions in the direction or vicinity of a named village: the village point, 5 km",
    ),
}

# -- disputed places -------------------------------------------------------------------------
# The one rule (STRIKES_SCHEMA.md, "Disputed places"): a place listed in
# data/places/coord_candidates.csv is placed at its chosen candidate, and its radius is the
# larger of its kind's radius and the distance from the chosen point to the farthest candidate
# plus VILLAGE_EXTENT_M, rounded up to RADIUS_STEP_M. Derived candidates are computed here on a
# sphere of EARTH_RADIUS_M (a spherical forward step: < 0.5 % from the WGS84 geodesic over
# these distances, far below the kilometres the texts give).
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), metres
VILLAGE_EXTENT_M = 1_000
RADIUS_STEP_M = 500


def forward(lon: float, lat: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    """Point distance_m from (lon, lat) along bearing_deg, on the sphere."""
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    delta = distance_m / EARTH_RADIUS_M
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(lam2), math.degrees(phi2)


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def read_candidates(anchors: dict[str, tuple[float, float]]) -> dict[str, list[dict]]:
    """{place: [candidate, ...]} with every candidate's point, the chosen one first."""
    out: dict[str, list[dict]] = {}
    for row in read_csv(CANDIDATES):
        if row["method"] == "published_coordinate":
            lon, lat = float(row["lon"]), float(row["lat"])
        elif row["method"] == "derived_from_text":
            anchor_lon, anchor_lat = anchors[row["anchor_place_id"]]
            lon, lat = forward(
                anchor_lon, anchor_lat, float(row["bearing_deg"]), float(row["distance_km"]) * 1e3
            )
        else:
            fail(f"{row['candidate_id']}: unknown method {row['method']!r}")
        candidate = {
            "candidate_id": row["candidate_id"],
            "method": row["method"],
            "lon": round(lon, 6),
            "lat": round(lat, 6),
            "source": row["source"],
            "source_url": row["source_url"],
            "note": row["note"],
        }
        if row["method"] == "derived_from_text":
            candidate |= {
                "anchor_place_id": row["anchor_place_id"],
                "distance_km": float(row["distance_km"]),
                "bearing_deg": float(row["bearing_deg"]),
            }
        candidate["chosen"] = row["chosen"] == "yes"
        out.setdefault(row["place"], []).append(candidate)
    for place, candidates in out.items():
        if sum(c["chosen"] for c in candidates) != 1:
            fail(f"{place}: exactly one candidate must be chosen in {CANDIDATES.name}")
        candidates.sort(key=lambda c: not c["chosen"])
    return out


def dispute_radius_m(candidates: list[dict], kind_radius_m: int) -> int:
    chosen = candidates[0]
    farthest = max(
        haversine_m(chosen["lon"], chosen["lat"], c["lon"], c["lat"]) for c in candidates
    )
    covering = math.ceil((farthest + VILLAGE_EXTENT_M) / RADIUS_STEP_M) * RADIUS_STEP_M
    return max(kind_radius_m, covering)


# Places without coordinates in the CSV whose coordinate was found and added to the
# gazetteer supplement (the supplement row cites the source and quotes the value).
FROM_SUPPLEMENT: dict[str, str] = {
    "Aghitu": "sup:aghitu",
    "Akhpradzor": "sup:akhpradzor",
    "Ishkhanasar": "sup:ishkhanasar",
    "Karashen": "sup:karashen",
    "Kutakan": "sup:kutakan",
    "Noravan": "sup:noravan-syunik",
    "Sisian-Noravan road": "sup:sisian-noravan-road",
    "Tretuk": "sup:tretuk",
    "Vaghatur": "sup:vaghatur",
}

# Places for which no coordinate could be found: an honest, coarser stand-in point.
STAND_INS: dict[str, tuple[str, str]] = {
    "Nerkin Hand": (
        "Kapan",
        "no coordinate found for Nerkin Hand; stand-in: centre of Kapan, the municipality it "
        "belongs to (https://en.aravot.am/2024/09/24/353513); the village lies on the border "
        "south-east of Kapan, distance not sourced",
    ),
}


# -- evidence ------------------------------------------------------------------------------
def _text(row: dict[str, str]) -> str:
    """Notes without URLs, so that words inside links cannot trigger a rule."""
    return re.sub(r"https?://\S+", "", row["notes"])


def _has(*phrases: str) -> Callable[[dict[str, str]], bool]:
    lowered = [p.lower() for p in phrases]
    return lambda row: any(p in _text(row).lower() for p in lowered)


@dataclass(frozen=True)
class Rule:
    evidence: str
    meaning: str
    applies: Callable[[dict[str, str]], bool]


# Ordered, mutually exclusive rules; every row must match exactly one (checked below).
EVIDENCE_RULES: tuple[Rule, ...] = (
    Rule(
        "displacement_only",
        "notes begin with 'DISPLACEMENT-ONLY': the place is only listed among communities "
        "people fled from",
        lambda row: row["notes"].startswith("DISPLACEMENT-ONLY"),
    ),
    Rule(
        "denial",
        "notes begin with 'NEGATIVE REPORT': a local official denies the place was hit",
        lambda row: row["notes"].startswith("NEGATIVE REPORT"),
    ),
    Rule(
        "claimed_firing_point",
        "claimant is the Azerbaijani MOD and target_type names claimed Armenian firing points",
        lambda row: (
            row["claimant"] == "Azerbaijani MOD"
            and "claimed Armenian firing points" in row["target_type"]
        ),
    ),
    Rule(
        "ground_fighting",
        "the report describes combat or a ground advance in the place's sector, not fire "
        "landing on the place",
        _has(
            "Ground advance, not a point strike",
            "Fighting, not a specific strike",
            "Ground fighting rather than a specific strike",
            "'intensive gunfire' from Azerbaijani positions",
        ),
    ),
    Rule(
        "direction",
        "the report names the place as an axis, a line end-point or the direction of fire, "
        "not as where fire landed",
        _has(
            "Direction-level claim",
            "line claim",
            "attack in the direction of",
            "fire 'in the direction of",
            "attack drones in the direction of",
            "pre-offensive operations",
            "Same statement as Jermuk 08:00 row",
            "shelling has been going in the direction of",
        ),
    ),
    Rule(
        "impact",
        "the report says fire reached the place: damage, destruction, a hit, shelling of it "
        "or shells landing at it",
        _has(
            "damaged",
            "destroyed",
            "destructions",
            "hit with shells",
            "hit by missiles",
            "shell struck",
            "shelling of",
            "shelling near",
            "shelling the village",
            "shells landed",
            "shelled 36 settlements",
            "were being shelled",
            "has been shelled",
            "was also shelled",
            "under intense shelling",
            "under fire",
            "opened fire on the villages",
            "strikes have been reported",
            "similar facts",
            "bombarded",
            "fire broke out",
        ),
    ),
)


def classify(row: dict[str, str], report_id: str) -> str:
    matched = [rule.evidence for rule in EVIDENCE_RULES if rule.applies(row)]
    if len(matched) != 1:
        fail(
            f"{report_id} ({row['place']}) matched {len(matched)} evidence rules {matched}; "
            "every row must match exactly one. Edit EVIDENCE_RULES (and STRIKES_SCHEMA.md)."
        )
    return matched[0]


# -- helpers ---------------------------------------------------------------------------------
def fail(message: str) -> None:
    raise SystemExit(message)


def split_list(text: str, *, drop_annotations: bool) -> list[str]:
    """Split on ';' outside parentheses; optionally drop a trailing '(annotation)'."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == ";" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    out: list[str] = []
    for part in parts:
        if drop_annotations:
            part = re.sub(r"\s*\([^()]*\)\s*$", "", part)
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def geonameid(coord_source: str) -> int | None:
    match = re.search(r"GeoNames id (\d+)", coord_source)
    return int(match.group(1)) if match else None


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def place_coordinates(rows, supplement, candidates):
    """Return {place: (lon, lat, coord_source, geonameid)} for every place in the CSV."""
    coords: dict[str, tuple[float, float, str, int | None]] = {}
    for row in rows:
        if row["place"] in candidates:
            chosen = candidates[row["place"]][0]
            source = f"{chosen['source']} ({chosen['source_url']})"
            if chosen["method"] == "derived_from_text":
                source = (
                    f"derived: {chosen['distance_km']:g} km at {chosen['bearing_deg']:g}° from "
                    f"{chosen['anchor_place_id']}, per {source}"
                )
            coords.setdefault(row["place"], (chosen["lon"], chosen["lat"], source, None))
        elif row["lat"] and row["lon"]:
            value = (float(row["lon"]), float(row["lat"]), row["coord_source"])
            first = coords.setdefault(row["place"], (*value, geonameid(row["coord_source"])))
            if first[:3] != value:
                fail(f"{row['place']}: rows give different coordinates or coord_source")
    for place, place_id in FROM_SUPPLEMENT.items():
        if place in candidates:
            continue  # placed at its chosen candidate (the supplement agrees, checked below)
        if place in coords:
            fail(f"{place} has CSV coordinates; remove it from FROM_SUPPLEMENT")
        entry = supplement[place_id]
        source = entry["source"] + (f" ({entry['source_url']})" if entry["source_url"] else "")
        coords[place] = (float(entry["lon"]), float(entry["lat"]), source, None)
    for place, (parent, reason) in STAND_INS.items():
        lon, lat, source, _ = coords[parent]
        coords[place] = (lon, lat, f"{reason}. Stand-in point: {source}", None)
    # The supplement repeats CSV coordinates of villages GeoNames lacks: they must agree.
    by_name = {entry["name"]: entry for entry in supplement.values()}
    for place, (lon, lat, _, _) in coords.items():
        entry = by_name.get(place)
        if entry and max(abs(float(entry["lon"]) - lon), abs(float(entry["lat"]) - lat)) > 1e-5:
            fail(f"{place}: CSV and data/places/supplement.csv coordinates differ")
    return coords


def build() -> dict[Table, list[dict]]:
    """Features of every table in TABLES, with one gazetteer for all of them."""
    rows = {table: read_csv(table.raw) for table in TABLES}
    supplement = {entry["place_id"]: entry for entry in read_csv(SUPPLEMENT)}
    anchors = {
        f"geonames:{entry['geonameid']}": (float(entry["lon"]), float(entry["lat"]))
        for entry in read_csv(GEONAMES)
    }
    candidates = read_candidates(anchors)
    all_rows = [row for table in TABLES for row in rows[table]]
    coords = place_coordinates(all_rows, supplement, candidates)
    return {table: build_table(table, rows[table], coords, candidates) for table in TABLES}


def build_table(table: Table, rows, coords, candidates) -> list[dict]:
    date_rules: Counter[str] = Counter()
    features = []
    print(f"{table.raw.name}:")
    print(f"{'report':<7} {'place':<20} {'location_kind':<20} {'radius_m':>8}  rule")
    for number, row in enumerate(rows, start=1):
        report_id = f"{table.prefix}{number:03d}"
        kind = row["location_kind"]
        if kind not in LOCATION_KINDS or not row["location_kind_reason"].strip():
            fail(
                f"{report_id}: location_kind {kind!r} must be one of {sorted(LOCATION_KINDS)} "
                "and location_kind_reason must say why (STRIKES_SCHEMA.md, 'Location')"
            )
        precision, radius_m, _ = LOCATION_KINDS[kind]
        lon, lat, coord_source, gid = coords[row["place"]]
        place_candidates = candidates.get(row["place"], [])
        rule = f"kind {kind}: {row['location_kind_reason']}"
        if place_candidates:
            radius_m = dispute_radius_m(place_candidates, radius_m)
            rule += f"; disputed: {len(place_candidates)} candidates, radius covers them"
        print(f"{report_id:<7} {row['place']:<20} {kind:<20} {radius_m:>8}  {rule[:90]}")
        for column in ("date", "source_date"):
            date.fromisoformat(row[column])  # raises on a malformed date
        start, end, date_rule = date_interval(row, report_id, table)
        date_rules[date_rule] += 1
        url = row["source_url"].strip()
        properties = {
            "report_id": report_id,
            "place": row["place"],
            "place_variants": split_list(row["variants"], drop_annotations=True),
            "admin1": row["marz"],
            "admin1_iso": ADMIN1_ISO[row["marz"]],
            "date": row["date"],
            "date_start": start.isoformat(),
            "date_end": end.isoformat(),
            "time_local": row["time_local"].strip() or None,
            "weapons": split_list(row["weapons"], drop_annotations=False),
            "target_type": row["target_type"],
            "claimant": row["claimant"],
            "source_outlet": row["source_outlet"],
            "source_url": url if url.startswith("http") else None,
            "source_date": row["source_date"],
            "evidence": classify(row, report_id),
            "location_precision": precision,
            "location_radius_m": radius_m,
            "location_kind": kind,
            "location_rule": rule,
            "coord_source": coord_source,
            "coord_candidates": [
                {k: v for k, v in c.items() if k != "chosen"} for c in place_candidates
            ],
            "coord_choice": place_candidates[0]["note"] if place_candidates else None,
            "notes": row["notes"],
            "geonameid": gid,
        }
        features.append(
            {
                "type": "Feature",
                "id": report_id,
                "properties": properties,
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            }
        )
    print("date rules:", dict(sorted(date_rules.items())))
    return features


def validate(features: list[dict], table: Table = STRIKES, *, taken: set[str] = frozenset()):
    """Check one table; ``taken`` holds the report ids of the tables checked before it."""
    problems = []
    for feature in features:
        p = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            problems.append(f"{p['report_id']} {p['place']}: ({lon}, {lat}) is outside Armenia")
        if not table.first_day <= date.fromisoformat(p["date"]) <= table.last_day:
            problems.append(
                f"{p['report_id']}: date {p['date']} outside {table.first_day}..{table.last_day}"
            )
    ids = [f["properties"]["report_id"] for f in features]
    if len(set(ids)) != len(ids) or set(ids) & set(taken):
        problems.append("duplicate report_id")
    if problems:
        fail("validation failed:\n  " + "\n  ".join(problems))

    print(f"{'place':<20} {'lon':>10} {'lat':>10}  {'precision':<10} {'radius_m':>8}  source")
    seen = set()
    for feature in features:
        p = feature["properties"]
        key = (p["place"], p["location_precision"])
        if key in seen:
            continue
        seen.add(key)
        lon, lat = feature["geometry"]["coordinates"]
        print(
            f"{p['place']:<20} {lon:>10.6f} {lat:>10.6f}  {p['location_precision']:<10} "
            f"{p['location_radius_m']:>8}  {p['coord_source'][:70]}"
        )
    for column in ("evidence", "location_precision"):
        counts = Counter(f["properties"][column] for f in features)
        print(f"{column}:", dict(sorted(counts.items())))


def write(features: list[dict], path: Path) -> None:
    lines = [
        json.dumps(feature, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        for feature in features
    ]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}: {len(features)} features")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUT, help=f"default: {OUT}")
    parser.add_argument(
        "--incidents-output",
        type=Path,
        default=None,
        help=f"default: {INCIDENTS_OUT.name} in the folder of --output",
    )
    args = parser.parse_args(argv)
    outputs = {
        STRIKES: args.output,
        INCIDENTS: args.incidents_output or args.output.parent / INCIDENTS_OUT.name,
    }
    features = build()
    taken: set[str] = set()
    for table in TABLES:
        validate(features[table], table, taken=taken)
        taken |= {f["properties"]["report_id"] for f in features[table]}
    for table in TABLES:
        write(features[table], outputs[table])
    return 0


if __name__ == "__main__":
    sys.exit(main())
