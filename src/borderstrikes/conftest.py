"""Doctest setup: headless matplotlib and the package namespace."""

import matplotlib
import pytest

matplotlib.use("Agg")

# Deprecated module aliases warn on import; their names are tested in tests/test_api.py.
collect_ignore = ["distributed.py", "interactive.py", "plotting.py", "readers.py"]


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    import borderstrikes

    doctest_namespace["bs"] = borderstrikes
