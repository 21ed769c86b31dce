"""What the package writes: CSV no spreadsheet runs, GeoPackage layers kept, folders all at once.

One test per finding of the output review (issue 13); each failed on the code before the fix.
"""

import contextlib
import csv
import errno
import io
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

import borderstrikes as bs
from borderstrikes.cli import main
from borderstrikes.report import write_report

FORMULA = '=HYPERLINK("http://example.com/x","click")'
EVENTS = Path(__file__).parent / "data" / "events"


def run(argv):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, err.getvalue()


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): (p.is_symlink(), p.read_bytes() if p.is_file() else b"")
        for p in sorted(Path(folder).rglob("*"))
    }


def formula_cells(path):
    """Cells of a CSV file a spreadsheet would run as a formula (text starting = + - @ tab CR)."""
    found = []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            for cell in row:
                if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}:
                    try:
                        float(cell)
                    except ValueError:
                        found.append(cell)
    return found


@pytest.fixture(scope="module")
def hostile_strikes(tmp_path_factory):
    """Twelve packaged reports whose place, claimant and note are spreadsheet formulas."""
    strikes = bs.load_strikes().iloc[:12].copy()
    strikes["place"] = FORMULA
    strikes["claimant"] = "@SUM(1+1)"
    path = tmp_path_factory.mktemp("hostile") / "hostile.geojson"
    strikes.assign(
        place_variants=strikes["place_variants"].map("; ".join),
        weapons=strikes["weapons"].map("; ".join),
    ).to_file(path)
    return path


# ---------------------------------------------------------------------- formula injection


def test_write_csv_neutralises_formula_cells_and_keeps_numbers(tmp_path):
    from borderstrikes.io import write_csv

    frame = pd.DataFrame(
        {"note": [FORMULA, "+1", "-x", "@a", "\tb", "ok"], "km": [-1.5, 2, 3, 4, 5, 6]},
        index=pd.Index(["=i", "b", "c", "d", "e", "f"], name="id"),
    )
    path = write_csv(frame, tmp_path / "t.csv")
    assert formula_cells(path) == []
    back = pd.read_csv(path, index_col=0)
    assert back["note"].tolist()[:2] == ["'" + FORMULA, "'+1"]
    np.testing.assert_array_equal(back["km"], frame["km"])  # numbers untouched


def test_cli_csv_outputs_neutralise_formulas(hostile_strikes, tmp_path):
    out = tmp_path / "d.csv"
    assert run(["distances", hostile_strikes, "-o", out])[0] == 0
    assert formula_cells(out) == []
    assert pd.read_csv(out)["place"].eq("'" + FORMULA).all()


def test_report_csv_outputs_neutralise_formulas(hostile_strikes, tmp_path):
    out = tmp_path / "report"
    assert run(["report", "--strikes", hostile_strikes, "--out", out])[0] == 0
    for name in ("distances.csv", "buffer_zones.csv", "claims.csv"):
        assert formula_cells(out / name) == [], name
    distances = pd.read_csv(out / "distances.csv")
    assert distances["place"].eq("'" + FORMULA).all()
    assert distances["claimant"].eq("'@SUM(1+1)").all()


# ---------------------------------------------------------------------- GeoPackage layers


def test_gpkg_output_keeps_the_other_layers(tmp_path):
    path = tmp_path / "work.gpkg"
    mine = bs.load_strikes().iloc[:3][["place", "geometry"]]
    mine.to_file(path, layer="my_notes", engine="pyogrio")
    assert run(["geocode", "Jermuk", "-o", path])[0] == 0
    layers = set(pyogrio.list_layers(path)[:, 0])
    assert layers == {"my_notes", "work"}
    assert gpd.read_file(path, layer="my_notes")["place"].tolist() == mine["place"].tolist()
    assert gpd.read_file(path, layer="work")["name"].tolist() == ["Jermuk"]


def test_gpkg_layer_option_adds_or_replaces_one_layer(tmp_path):
    path = tmp_path / "work.gpkg"
    assert run(["geocode", "Jermuk", "-o", path, "--layer", "places"])[0] == 0
    assert run(["distances", "-o", path, "--layer", "distances"])[0] == 0
    assert run(["geocode", "Kapan", "-o", path, "--layer", "places"])[0] == 0
    assert set(pyogrio.list_layers(path)[:, 0]) == {"places", "distances"}
    assert gpd.read_file(path, layer="places")["name"].tolist() == ["Kapan"]
    assert len(gpd.read_file(path, layer="distances")) == len(bs.load_strikes())


# ---------------------------------------------------------------------- repeated index labels


def test_report_with_repeated_index_labels_keeps_every_row_right(tmp_path):
    strikes = bs.load_strikes()
    repeated = strikes.set_axis(np.arange(len(strikes)) % 44)  # every label twice
    out = tmp_path / "report"
    write_report(out, strikes=repeated)
    distances = pd.read_csv(out / "distances.csv", index_col=0)
    assert len(distances) == len(strikes)
    expected = bs.distance_to_border(strikes)["signed_distance_km"].to_numpy()
    np.testing.assert_allclose(distances["signed_distance_km"].to_numpy(), expected)
    assert distances["report_id"].tolist() == strikes["report_id"].tolist()
    assert distances.index.tolist() == repeated.index.tolist()


# ---------------------------------------------------------------------- symbolic links


def _other_file_system(monkeypatch, tmp_path):
    """Make a rename between two directories fail as it does across file systems (EXDEV).

    The system's temporary folder is moved to its own directory, so code that
    writes there and then moves the files into the output folder has to copy.
    """
    elsewhere = tmp_path / "other-file-system"
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    real_rename = os.rename

    def rename(src, dst, *args, **kwargs):
        if Path(src).resolve().parent != Path(dst).resolve().parent:
            raise OSError(errno.EXDEV, "Invalid cross-device link (simulated)", str(src))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    return elsewhere


def test_report_never_writes_through_a_symlink(tmp_path, monkeypatch):
    victim = tmp_path / "outside" / "precious.html"
    victim.parent.mkdir()
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".borderstrikes-output").write_text("{}\n", encoding="utf-8")  # a report folder
    (out / "report.html").symlink_to(victim)
    elsewhere = _other_file_system(monkeypatch, tmp_path)
    code, err = run(["report", "--out", out])
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (out / "report.html").is_symlink()
    assert "<html" in (out / "report.html").read_text(encoding="utf-8")
    assert list(elsewhere.iterdir()) == []


def test_report_refuses_a_symlinked_out_folder(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "out"
    link.symlink_to(target, target_is_directory=True)
    code, err = run(["report", "--out", link])
    assert code == 1
    assert "symbolic link" in err
    assert list(target.iterdir()) == []
    assert "distances to the border" not in err  # refused before computing


# ---------------------------------------------------------------------- all or nothing


def test_report_replaces_its_own_folder_as_a_whole(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".borderstrikes-output").write_text("{}\n", encoding="utf-8")
    (out / "events_left_out.csv").write_text("from an older run\n", encoding="utf-8")
    assert run(["report", "--out", out])[0] == 0
    assert not (out / "events_left_out.csv").exists()  # no old file mixed with new ones
    assert (out / "report.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


def test_report_failure_while_moving_leaves_out_as_it_was(tmp_path, monkeypatch):
    import shutil

    out = tmp_path / "out"
    out.mkdir()
    (out / ".borderstrikes-output").write_text("{}\n", encoding="utf-8")
    for name in ("report.html", "distances.csv", "claims.csv", "map.png"):
        (out / name).write_text(f"old {name}\n", encoding="utf-8")
    before = snapshot(out)
    real_move, real_rename = shutil.move, os.rename
    calls = []

    def failing_move(src, dst, *args, **kwargs):  # the third file moved into --out fails
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device (simulated)", str(dst))
        return real_move(src, dst, *args, **kwargs)

    renames = []

    def failing_rename(src, dst, *args, **kwargs):  # so does the first rename of a folder to --out
        if Path(dst) == out:
            renames.append(src)
        if len(renames) == 1 and Path(dst) == out:
            raise OSError(errno.ENOSPC, "No space left on device (simulated)", str(dst))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "move", failing_move)
    monkeypatch.setattr(os, "rename", failing_rename)
    code, err = run(["report", "--out", out])
    assert code == 1
    assert "No space left" in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_report_refuses_an_existing_file_before_computing(tmp_path):
    out = tmp_path / "report.txt"
    out.write_text("mine\n", encoding="utf-8")
    start = time.perf_counter()
    code, err = run(["report", "--out", out])
    assert code == 1
    assert "existing file" in err
    assert "distances to the border" not in err  # nothing was computed
    assert time.perf_counter() - start < 5
    assert out.read_text(encoding="utf-8") == "mine\n"
    with pytest.raises(FileExistsError, match="existing file"):
        write_report(out, progress=pytest.fail)  # the library fails before its first step


def test_report_leaves_a_foreign_folder_alone_unless_forced(tmp_path):
    home = tmp_path / "home"  # like `--out ~`: a folder with the user's own files
    home.mkdir()
    (home / "notes.txt").write_text("mine\n", encoding="utf-8")
    (home / "report.html").write_text("my own report\n", encoding="utf-8")
    before = snapshot(home)
    code, err = run(["report", "--out", home])
    assert code == 1
    assert "did not write" in err
    assert "--force" in err
    assert snapshot(home) == before
    assert run(["report", "--out", home, "--force"])[0] == 0
    assert not (home / "notes.txt").exists()
    assert (home / ".borderstrikes-output").is_file()
    assert "<html" in (home / "report.html").read_text(encoding="utf-8")


_SLOW_REPORT = """
import sys, time
from pathlib import Path
import borderstrikes.areas
from borderstrikes.cli import main

real = borderstrikes.areas.buffer_scenarios

def slow(*args, **kwargs):
    value = real(*args, **kwargs)  # distances.csv and clusters.geojson are written by now
    Path(sys.argv[2]).write_text("ready")
    time.sleep(120)
    return value

borderstrikes.areas.buffer_scenarios = slow
sys.exit(main(["report", "--out", sys.argv[1]]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_report_sigterm_leaves_no_partial_files(tmp_path):
    work, scratch, cache = tmp_path / "work", tmp_path / "tmp", tmp_path / "mpl"
    for folder in (work, scratch, cache):
        folder.mkdir()
    ready = tmp_path / "ready"
    script = tmp_path / "slow_report.py"
    script.write_text(textwrap.dedent(_SLOW_REPORT), encoding="utf-8")
    env = {**os.environ, "TMPDIR": str(scratch), "MPLCONFIGDIR": str(cache)}
    process = subprocess.Popen(
        [sys.executable, str(script), str(work / "report"), str(ready)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    assert process.returncode != 0
    assert list(work.iterdir()) == []  # no report folder, no temporary folder
    assert list(scratch.iterdir()) == []  # nothing left in the system's temporary folder


# ---------------------------------------------------------------------- attribution


def test_report_credits_the_event_dataset(tmp_path):
    out = tmp_path / "report"
    argv = ["report", "--events", EVENTS / "ucdp_ged_am_az.csv", "--format", "ucdp"]
    assert run([*argv, "--out", out])[0] == 0
    sources = (out / "SOURCES.txt").read_text(encoding="utf-8")
    assert "UCDP Georeferenced Event Dataset" in sources
    assert "CC BY 4.0" in sources
    assert "OpenStreetMap contributors" in sources
    page = (out / "report.html").read_text(encoding="utf-8")
    sources_section = page[page.index("<h2>Sources</h2>") :]
    assert "UCDP GED" in sources_section
    assert "Uppsala Conflict Data Program" in sources_section
    assert "CC BY 4.0" in sources_section


def test_cli_table_outputs_carry_the_credits(tmp_path):
    table, layer = tmp_path / "d.csv", tmp_path / "d.geojson"
    assert run(["distances", "-o", table])[0] == 0
    assert run(["distances", "-o", layer])[0] == 0
    for path in (table, layer):
        credits = Path(f"{path}.SOURCES.txt").read_text(encoding="utf-8")
        assert "OpenStreetMap contributors" in credits
        assert "CC BY 4.0" in credits
    geojson = layer.read_text(encoding="utf-8")
    assert '"description": "Data: ' in geojson
    assert "OpenStreetMap" in geojson
