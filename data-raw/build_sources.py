"""Build data/sources.csv: one row per source URL cited by the strikes, incidents and claims.

    python data-raw/build_sources.py [--output PATH]

Inputs
    data-raw/strike_reports.csv   source_url, source_outlet, source_date, claimant of each report
    data-raw/incident_reports_2021_2025.csv
                                  the same for the 2021-2025 incidents (ids IN001...)
    data/claims.csv               source_url, source_outlet, date_said, claimant of each claim

Output
    data/sources.csv              schema in data/SOURCES_SCHEMA.md

Every URL gets its outlet, publication date, access date, archived copy (empty: none is
known; never guessed) and the party of the outlet and of the claimants it carries, from the
ordered keyword rules below. A URL no rule places fails the build. The output is
deterministic (rows sorted by URL, LF line ends). Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRIKES = ROOT / "data-raw" / "strike_reports.csv"
INCIDENTS = ROOT / "data-raw" / "incident_reports_2021_2025.csv"
CLAIMS = ROOT / "data" / "claims.csv"
OUT = ROOT / "data" / "sources.csv"

#: The day the research compilation consulted its sources (registry source_version of the
#: strikes and claims; CLAIMS_SCHEMA.md "Sources (as of 2026-11-26)").
ACCESS_DATE = "2026-11-26"
#: The day the 2021-2025 incident compilation consulted its sources (its registry
#: source_version).
INCIDENTS_ACCESS_DATE = "2026-12-08"
#: Report tables, their report-id prefixes (as in data-raw/build_strikes.py, TABLES) and the
#: day their sources were consulted.
REPORT_TABLES = ((STRIKES, "SR", ACCESS_DATE), (INCIDENTS, "IN", INCIDENTS_ACCESS_DATE))

# (substring of the outlet, outlet_party), first match wins.
OUTLET_PARTY: tuple[tuple[str, str], ...] = (
    ("Government of Armenia", "armenian_government"),
    ("Ministry of Defence of Armenia", "armenian_government"),
    ("Armenpress", "armenian_state_media"),
    ("Azernews", "azerbaijani_media"),
    ("Turan", "azerbaijani_media"),
    ("Sputnik", "russian_state_media"),
    ("TASS", "russian_state_media"),
    ("Public Radio of Armenia", "armenian_state_media"),
    ("Asbarez", "diaspora_media"),
    ("JAMnews", "international_media"),
    ("NBC News / Reuters", "international_media"),
    ("Novaya Gazeta Europe", "international_media"),
    ("Azatutyun", "international_media"),
    ("Omondo", "diaspora_media"),
    ("Massis Post", "diaspora_media"),
    ("Armenian Mirror-Spectator", "diaspora_media"),
    ("Soy Armenio", "diaspora_media"),
    ("Orbeli", "armenian_think_tank"),
    ("", "armenian_media"),
)

# (substring of the claimant, claimant_party), first match wins. A claimant field naming
# several claimants ("Armenian MOD; Russian MOD (as reported by Asbarez)") is split on ";"
# and each part placed on its own.
CLAIMANT_PARTY: tuple[tuple[str, str], ...] = (
    ("Azerbaijani MOD", "azerbaijani_government"),
    ("Russian MOD", "russian_government"),
    ("Health Minister", "armenian_government"),
    ("Ombudsman", "armenian_ombudsman"),
    ("Tatoyan Foundation", "armenian_ngo"),
    ("Orbeli", "armenian_think_tank"),
    ("MP ", "armenian_parliament"),
    ("Eduard Aghajanyan", "armenian_parliament"),
    ("local authority", "armenian_local_official"),
    ("mayor", "armenian_local_official"),
    ("village head", "armenian_local_official"),
    ("community head", "armenian_local_official"),
    ("Hakob Avetyan", "armenian_local_official"),
    ("Council of Elders", "armenian_local_official"),
    ("resident", "resident"),
    ("media", "media"),
    ("governor", "armenian_government"),
    ("Armenian", "armenian_government"),
    ("Pashinyan", "armenian_government"),
    ("Mirzoyan", "armenian_government"),
    ("Asryan", "armenian_government"),
)

COLUMNS = (
    "url",
    "outlet",
    "outlet_party",
    "claimant_party",
    "publication_date",
    "publication_date_basis",
    "access_date",
    "archive_url",
    "cited_by",
)


def fail(message: str) -> None:
    raise SystemExit(message)


def party(text: str, rules: tuple[tuple[str, str], ...], what: str) -> str:
    for key, value in rules:
        if key in text:
            return value
    fail(f"no {what} rule places {text!r}; add one to data-raw/build_sources.py")
    return ""


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def build() -> list[dict[str, str]]:
    cites: dict[str, list[tuple[str, str, str, str, str]]] = {}
    accessed: dict[str, set[str]] = {}  # url -> days a compilation consulted it
    for path, prefix, access_date in REPORT_TABLES:
        for number, row in enumerate(read_csv(path), start=1):
            url = row["source_url"].strip()
            if url.startswith("http"):
                accessed.setdefault(url, set()).add(access_date)
                report_id = f"{prefix}{number:03d}"
                entry = (report_id, row["source_outlet"], row["claimant"], row["source_date"])
                cites.setdefault(url, []).append((*entry, "source_date"))
    for row in read_csv(CLAIMS):
        accessed.setdefault(row["source_url"], set()).add(ACCESS_DATE)
        date = row["date_said"] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date_said"]) else ""
        cites.setdefault(row["source_url"], []).append(
            (row["claim_id"], row["source_outlet"], row["claimant"], date, "date_said")
        )
    rows = []
    for url in sorted(cites):
        entries = cites[url]
        outlets = sorted({e[1] for e in entries})
        claimant_parties = sorted(
            {
                party(claimant.strip(), CLAIMANT_PARTY, "claimant")
                for e in entries
                for claimant in e[2].split(";")
            }
        )
        report_dates = sorted({e[3] for e in entries if e[3] and e[4] == "source_date"})
        said_dates = sorted({e[3] for e in entries if e[3] and e[4] == "date_said"})
        if report_dates:
            date, basis = report_dates[0], "source_date of the strike reports"
        elif said_dates:
            date, basis = said_dates[0], "date_said of the claims (published that day or later)"
        else:
            date, basis = "", "not stated"
        if len(report_dates) > 1:
            fail(f"{url}: the strike reports give several source dates {report_dates}")
        rows.append(
            {
                "url": url,
                "outlet": "; ".join(outlets),
                "outlet_party": "; ".join(
                    sorted({party(o, OUTLET_PARTY, "outlet") for o in outlets})
                ),
                "claimant_party": "; ".join(claimant_parties),
                "publication_date": date,
                "publication_date_basis": basis,
                "access_date": min(accessed[url]),  # the first consultation
                "archive_url": "",
                "cited_by": "; ".join(sorted({e[0] for e in entries})),
            }
        )
    return rows


def write(rows: list[dict[str, str]], path: Path) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {path}: {len(rows)} sources")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUT, help=f"default: {OUT}")
    args = parser.parse_args(argv)
    write(build(), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
