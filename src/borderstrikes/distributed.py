"""Deprecated alias of :mod:`borderstrikes.dask`, removed in borderstrikes 0.3."""

import warnings

from borderstrikes.dask import *  # noqa: F403
from borderstrikes.dask import __all__  # noqa: F401

warnings.warn(
    "borderstrikes.distributed is deprecated and will be removed in borderstrikes 0.3; "
    "import borderstrikes.dask instead.",
    FutureWarning,
    stacklevel=2,
)
