"""Doctest setup: headless matplotlib and the package namespace."""

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    import borderstrikes

    doctest_namespace["bs"] = borderstrikes
