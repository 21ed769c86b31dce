"""Deprecated alias of the module named below, removed in borderstrikes 0.3."""

import warnings

from borderstrikes import io as _io
from borderstrikes.io import *  # noqa: F403
from borderstrikes.io import events as _events
from borderstrikes.io.events import *  # noqa: F403

__all__ = sorted(set(_io.__all__) | set(_events.__all__))

warnings.warn(
    "borderstrikes.readers is deprecated and will be removed in borderstrikes 0.3; "
    "import borderstrikes.io instead.",
    FutureWarning,
    stacklevel=2,
)
