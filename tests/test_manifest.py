"""The run manifest: sha256 of inputs and outputs against hashlib, sorted keys, determinism."""

import hashlib
import json
from pathlib import Path

import pyogrio
import pyproj
import pytest
import shapely

import borderstrikes
from borderstrikes.cli import main
from borderstrikes.io.manifest import MANIFEST_VERSION, run_manifest, write_manifest


@pytest.fixture
def files(tmp_path):
    a = tmp_path / "strikes.csv"
    a.write_bytes(b"report_id,lat,lon\nX1,40.0,45.0\n")
    b = tmp_path / "report.html"
    b.write_text("<p>Kut</p>\n", encoding="utf-8")
    return a, b


def test_manifest_records_files_parameters_and_versions(files):
    a, b = files
    manifest = run_manifest(
        command=["borderstrikes", "report", str(a)],
        inputs=[a],
        parameters={"eps_km": 2.5, "out": b.parent, "countries": ("ARM", "AZE")},
        outputs=[b],
    )
    assert manifest["manifest_version"] == MANIFEST_VERSION
    a_sha = hashlib.sha256(a.read_bytes()).hexdigest()
    assert manifest["inputs"] == [{"path": str(a), "bytes": a.stat().st_size, "sha256": a_sha}]
    assert manifest["outputs"][0]["sha256"] == hashlib.sha256(b.read_bytes()).hexdigest()
    assert manifest["parameters"] == {
        "eps_km": 2.5,
        "out": str(b.parent),
        "countries": ["ARM", "AZE"],
    }
    assert manifest["versions"] == {
        "borderstrikes": borderstrikes.__version__,
        "PROJ": pyproj.proj_version_str,
        "GEOS": shapely.geos_version_string,
        "GDAL": pyogrio.__gdal_version_string__,
    }
    assert manifest["created_utc"].endswith("Z")
    assert len(manifest["created_utc"]) == 20
    assert manifest["command"] == ["borderstrikes", "report", str(a)]


def test_written_manifest_is_sorted_json_and_deterministic_but_for_the_time(files, tmp_path):
    a, b = files
    texts = []
    for name in ("one.json", "two.json"):
        manifest = run_manifest(
            command="x", inputs=[a], parameters={"z": 1, "a": None}, outputs=[b]
        )
        manifest["created_utc"] = "2026-01-01T00:00:00Z"
        path = write_manifest(tmp_path / name, manifest)
        texts.append(path.read_text(encoding="utf-8"))
    assert texts[0] == texts[1]
    loaded = json.loads(texts[0])
    assert list(loaded) == sorted(loaded)
    assert texts[0] == json.dumps(loaded, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_missing_file_and_bad_parameter_raise(files, tmp_path):
    a, _ = files
    with pytest.raises(FileNotFoundError, match="must be an existing file"):
        run_manifest(command="x", inputs=[tmp_path / "nope.csv"], parameters={}, outputs=[])
    with pytest.raises(TypeError, match="must be JSON values"):
        run_manifest(command="x", inputs=[a], parameters={"s": {1, 2}}, outputs=[])


EVENTS = Path(__file__).parent / "data" / "isr_lbn" / "events.csv"


def _entry(path):
    data = Path(path).read_bytes()
    return {"path": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@pytest.mark.parametrize(
    ("command", "output"),
    [
        (["distances", str(EVENTS), "--unit", "m"], "distances.csv"),
        (["clusters", str(EVENTS), "--eps-km", "5", "--min-samples", "2"], "clusters.geojson"),
    ],
)
def test_every_command_with_an_output_writes_a_manifest(tmp_path, command, output):
    out = tmp_path / output
    argv = [*command, "-o", str(out)]
    assert main(argv) == 0
    manifest = json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == ["borderstrikes", *argv]
    assert manifest["inputs"] == [_entry(EVENTS)]
    assert manifest["outputs"] == [_entry(out), _entry(f"{out}.SOURCES.txt")]
    assert manifest["parameters"]["command"] == command[0]
    assert manifest["parameters"]["output"] == str(out)
    assert manifest["versions"]["borderstrikes"] == borderstrikes.__version__
