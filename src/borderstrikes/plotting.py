"""Deprecated alias of the module named below, removed in borderstrikes 0.3."""

import warnings

from borderstrikes.viz.static import *  # noqa: F403
from borderstrikes.viz.static import __all__  # noqa: F401

warnings.warn(
    "borderstrikes.plotting is deprecated and will be removed in borderstrikes 0.3; "
    "import borderstrikes.viz.static instead.",
    FutureWarning,
    stacklevel=2,
)
