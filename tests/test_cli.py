import subprocess
import sys

import pytest

import borderstrikes
from borderstrikes.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert borderstrikes.__version__ in capsys.readouterr().out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "summary" in capsys.readouterr().out


def test_summary_counts_reports(capsys):
    strikes = borderstrikes.load_strikes()
    assert main(["summary", "--all-evidence"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(strikes)} reports about {strikes['place'].nunique()} places")
    for province in ("Gegharkunik", "Syunik", "Vayots Dzor"):
        assert province in out


def test_show_versions_flag(capsys):
    assert main(["-v"]) == 0
    assert "PROJ" in capsys.readouterr().out


@pytest.mark.cli
@pytest.mark.parametrize("command", [["borderstrikes"], [sys.executable, "-m", "borderstrikes"]])
def test_console_script_and_module(command):
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"borderstrikes {borderstrikes.__version__}"


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("report", "--force"),
        ("distances", "--layer"),
        ("geocode", "--layer"),
        ("clusters", "--layer"),
    ],
)
def test_output_options_are_documented(command, option, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert option in capsys.readouterr().out


def test_summary_says_how_many_reports_are_left_out_and_why(capsys):
    from borderstrikes.strikes import is_strike_report

    strikes = borderstrikes.load_strikes()
    shown = int(is_strike_report(strikes).sum())
    assert 0 < shown < len(strikes)
    assert main(["summary"]) == 0
    first, second = capsys.readouterr().out.splitlines()[:2]
    assert first == (
        f"{len(strikes)} reports; {shown} shown: {len(strikes) - shown} displacement-only "
        "or denial left out (--all-evidence keeps them)"
    )
    assert second.startswith(f"{shown} reports about ")


def test_summary_all_evidence_leaves_nothing_out(capsys):
    assert main(["summary", "--all-evidence"]) == 0
    assert "left out" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("color_by", "footprints"), [("cluster", True), ("evidence", False), ("weapon", False)]
)
def test_map_color_by(tmp_path, color_by, footprints):
    svg = tmp_path / "map.svg"
    assert main(["map", "--color-by", color_by, "--dpi", "30", "-o", str(svg)]) == 0
    text = svg.read_text()
    assert ("borderstrikes-cluster-footprint" in text) is footprints


def test_map_color_by_cluster_png(tmp_path):
    png = tmp_path / "map.png"
    assert main(["map", "--color-by", "cluster", "--dpi", "30", "-o", str(png)]) == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_map_color_by_unknown_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["map", "--color-by", "colour", "-o", str(tmp_path / "map.png")])
    assert exit_info.value.code == 2
    assert "invalid choice: 'colour'" in capsys.readouterr().err
    assert not (tmp_path / "map.png").exists()
