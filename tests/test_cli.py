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
