"""Build the wheel, install it into a fresh virtual environment, use it from there."""

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _build_wheel(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = dist.glob("borderstrikes-*.whl")
    return wheel


@pytest.mark.wheel
def test_wheel_ships_and_loads_every_dataset(tmp_path):
    wheel = _build_wheel(tmp_path)
    env = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        check=True,
    )
    # The dependencies come from this environment's site-packages. A path in a .pth file
    # is added to sys.path without processing the .pth files inside it, so an editable
    # install of borderstrikes here stays invisible to the fresh environment.
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    parents = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_parent_env.pth").write_text("\n".join(sorted(parents)) + "\n")
    code = textwrap.dedent(
        """
        import borderstrikes as bs
        from borderstrikes import datasets
        assert "site-packages" in bs.__file__, bs.__file__
        assert str(datasets.data_dir()).startswith(sys.prefix), datasets.data_dir()
        for name in datasets.available():
            datasets.verify(name)
        frames = [bs.load_boundaries(0), bs.load_boundaries(1), bs.load_border(),
                  bs.load_lakes(), bs.load_places(), bs.load_strikes()]
        print(len(bs.load_strikes()), bs.load_border().crs, len(datasets.available()))
        """
    )
    result = subprocess.run(
        [str(python), "-c", "import sys\n" + code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "EPSG:4326" in result.stdout


def test_the_main_job_needs_no_extra():
    """matplotlib and contextily, which ``report`` and ``map`` import, are core dependencies."""
    import importlib.metadata
    import re

    required = importlib.metadata.requires("borderstrikes") or []
    core = {
        re.split(r"[<>=!~; \[]", line, maxsplit=1)[0].lower()
        for line in required
        if "extra ==" not in line
    }
    assert {"matplotlib", "contextily", "geopandas", "pyproj", "shapely"} <= core


@pytest.mark.network
@pytest.mark.wheel
@pytest.mark.slow
def test_plain_install_runs_report_and_map(tmp_path):
    """``pip install borderstrikes && borderstrikes report`` works: no extra is needed.

    The wheel is installed with its dependencies, resolved by pip from the package
    index, into a virtual environment that sees nothing of this one: a dependency
    missing from pyproject.toml fails here. It needs the package index (the
    network), so it runs only with ``BORDERSTRIKES_NETWORK_TESTS=1``; without
    it, :func:`test_the_main_job_needs_no_extra` checks the declared dependencies.
    """
    wheel = _build_wheel(tmp_path)
    env = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    run_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MPLBACKEND"}
    }
    run_env |= {
        "PATH": f"{env / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "MPLCONFIGDIR": str(tmp_path / "mplconfig"),
        "BORDERSTRIKES_CACHE_DIR": str(tmp_path / "cache"),
    }
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            list(args), cwd=work, env=run_env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{args}:\n{result.stdout}{result.stderr}"
        return result

    where = run(
        str(python),
        "-c",
        "import sys, borderstrikes, matplotlib, contextily; "
        "print(*(m.__file__.startswith(sys.prefix) for m in (borderstrikes, matplotlib, "
        "contextily)))",
    )
    assert where.stdout.split() == ["True"] * 3, where.stdout
    borderstrikes = str(env / "bin" / "borderstrikes")
    run(borderstrikes, "report", "--out", "X")
    for name in ("report.html", "map.png", "map.svg", "clusters.geojson", "SOURCES.txt"):
        assert (work / "X" / name).stat().st_size > 0, name
    run(borderstrikes, "map", "-o", "x.png")
    assert (work / "x.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
