import importlib
import importlib.metadata
import subprocess
import sys

import borderstrikes


def test_import_does_not_pull_plotting_libraries():
    code = (
        "import sys, borderstrikes; "
        "bad = [m for m in ('matplotlib', 'contextily', 'folium', 'sklearn', 'dask') "
        "if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_version_matches_metadata():
    assert borderstrikes.__version__ == importlib.metadata.version("borderstrikes")


def test_all_names_exist():
    for name in borderstrikes.__all__:
        assert hasattr(borderstrikes, name), name


def test_every_module_declares_all():
    import pkgutil

    for info in pkgutil.iter_modules(borderstrikes.__path__):
        if info.name.startswith("_") or info.name in {"conftest"}:
            continue
        module = importlib.import_module(f"borderstrikes.{info.name}")
        assert hasattr(module, "__all__"), info.name


def test_show_versions(capsys):
    borderstrikes.show_versions()
    out = capsys.readouterr().out
    for key in ("GEOS", "PROJ", "GDAL", "geopandas", "borderstrikes"):
        assert key in out
