import os

import matplotlib
import pytest

matplotlib.use("Agg")


def pytest_report_header(config):
    import pyproj
    import shapely

    return f"GEOS {shapely.geos_version_string}, PROJ {pyproj.proj_version_str}"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    import borderstrikes

    doctest_namespace["bs"] = borderstrikes


IN_CI = bool(os.environ.get("CI"))


def pytest_collection_modifyitems(config, items):
    """Tests marked ``network`` need the internet: they run only on request, never in CI."""
    if os.environ.get("BORDERSTRIKES_NETWORK_TESTS") == "1" and not IN_CI:
        return
    skip = pytest.mark.skip(reason="needs the network: set BORDERSTRIKES_NETWORK_TESTS=1")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)
