"""Build the wheel, install it into a fresh virtual environment, load every dataset from there."""

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.wheel
def test_wheel_ships_and_loads_every_dataset(tmp_path):
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
