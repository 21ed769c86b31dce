"""Deprecated alias of the module named below, removed in borderstrikes 0.3."""

import warnings

from borderstrikes.viz.interactive import *  # noqa: F403
from borderstrikes.viz.interactive import __all__  # noqa: F401

warnings.warn(
    "borderstrikes.interactive is deprecated and will be removed in borderstrikes 0.3; "
    "import borderstrikes.viz.interactive instead.",
    FutureWarning,
    stacklevel=2,
)
