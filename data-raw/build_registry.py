"""Write data/registry.json from the hand-written entries in data-raw/registry_entries_*.json.

Each entry names a shipped file and its provenance (source package, version, path inside the
package, licence, attribution). This script adds what can be measured from the file itself:
sha256, number of rows and columns, geometry type and CRS. Run it after any build script:

    python data-raw/build_registry.py

The output is deterministic (entries sorted by name, keys in a fixed order).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
KEY_ORDER = [
    "name",
    "filename",
    "description",
    "source_package",
    "source_version",
    "source_path",
    "source_sha256",
    "source_url",
    "license",
    "attribution",
    "depicts",
    "build",
    "crs",
    "geometry_type",
    "nrows",
    "ncols",
    "sha256",
]


def measure(path: Path) -> dict[str, object]:
    if path.suffix == ".csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        return {"crs": None, "geometry_type": None, "nrows": len(table), "ncols": table.shape[1]}
    frame = gpd.read_file(path, engine="pyogrio")
    kinds = sorted(set(frame.geom_type.dropna()))
    return {
        "crs": f"EPSG:{frame.crs.to_epsg()}",
        "geometry_type": "|".join(kinds),
        "nrows": len(frame),
        "ncols": frame.shape[1],
    }


def main() -> None:
    entries = []
    for source in sorted(Path(__file__).parent.glob("registry_entries_*.json")):
        entries.extend(json.loads(source.read_text(encoding="utf-8")))
    out = []
    for entry in sorted(entries, key=lambda e: e["name"]):
        path = DATA / entry["filename"]
        entry = {**entry, **measure(path)}
        entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        ordered = {key: entry[key] for key in KEY_ORDER if key in entry}
        ordered.update({k: v for k, v in entry.items() if k not in ordered})
        out.append(ordered)
    text = json.dumps({"datasets": out}, indent=2, ensure_ascii=False) + "\n"
    (DATA / "registry.json").write_text(text, encoding="utf-8")
    for entry in out:
        print(f"{entry['name']:<20} {entry['filename']:<32} {entry['nrows']:>6} rows")


if __name__ == "__main__":
    main()
