import importlib
import importlib.metadata
import subprocess
import sys

import pytest

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


#: Module names that moved; the old name still works for one release, with a FutureWarning.
MOVED = {
    "distributed": "borderstrikes.dask",
    "interactive": "borderstrikes.viz.interactive",
    "plotting": "borderstrikes.viz.static",
    "readers": "borderstrikes.io",
}

#: ``borderstrikes.__all__`` of release 0.1 (before the layered layout): every name must still work.
ALL_0_1 = """
__version__ advance_area areas border border_between border_stretch buffer_scenarios buffer_zone
check_claims claims cluster_stability cluster_strikes clustering datasets describe_clusters
distance_interval distance_to_border distributed errors explore_strikes gazetteer geocode
geodesic_area geodesic_buffer geodesic_distance_m geodesy get_path k_distance load_border
load_boundaries load_claims load_lakes load_place_aliases load_places load_strikes plot_strikes
point_to_segment_m read_acled read_gdelt_events read_strikes read_ucdp_ged readers
select_strike_reports show_versions strikes uncertainty validate_claims validate_strikes
zone_places zone_strikes zone_units
""".split()


def test_all_names_exist():
    for name in borderstrikes.__all__:
        if name in MOVED:
            continue
        assert hasattr(borderstrikes, name), name


def test_names_of_the_last_release_still_work():
    missing = [name for name in ALL_0_1 if name not in MOVED and not hasattr(borderstrikes, name)]
    assert missing == []
    assert set(ALL_0_1) <= set(borderstrikes.__all__)


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_moved_modules_warn_and_alias_the_new_one(old, new):
    code = (
        "import warnings, importlib, borderstrikes as bs\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    old = getattr(bs, {old!r})\n"
        f"new = importlib.import_module({new!r})\n"
        "names = [n for n in getattr(new, '__all__', [])\n"
        "         if getattr(old, n) is not getattr(new, n)]\n"
        "assert not names, names\n"
        "assert [w.category.__name__ for w in caught] == ['FutureWarning'], caught\n"
        f"assert {new!r} in str(caught[0].message)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_module_declares_all():
    import pkgutil

    for info in pkgutil.iter_modules(borderstrikes.__path__):
        if info.name.startswith("_") or info.name in {"conftest", *MOVED}:
            continue
        module = importlib.import_module(f"borderstrikes.{info.name}")
        assert hasattr(module, "__all__"), info.name


def test_show_versions(capsys):
    borderstrikes.show_versions()
    out = capsys.readouterr().out
    for key in ("GEOS", "PROJ", "GDAL", "geopandas", "borderstrikes"):
        assert key in out
