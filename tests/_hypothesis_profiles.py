"""Hypothesis profiles of the property and fuzz tests, chosen with HYPOTHESIS_PROFILE.

- ``ci``: small, the default when the environment variable ``CI`` is set;
  all property, fuzz, bad-input and round-trip tests together stay within
  about three minutes on a 2-core machine.
- ``dev``: medium, the default otherwise.
- ``fuzz``: at least 10,000 examples for every reader and parser
  (``HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py``).

Tests import :data:`EXAMPLES` and scale their own ``max_examples`` from it:
fuzz targets use ``EXAMPLES["fuzz"]`` and the (slower) geometric properties
``EXAMPLES["property"]``. Every profile turns deadlines off -- the machine is
shared, so timing is noisy -- and tests guard against hangs with
:func:`time_limit` instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}

settings.register_profile("ci", max_examples=25, derandomize=True, **_COMMON)
settings.register_profile("dev", max_examples=100, **_COMMON)
settings.register_profile("fuzz", max_examples=10_000, **_COMMON)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)

#: Examples per test, by kind of test and profile.
EXAMPLES = {
    "ci": {"fuzz": 150, "property": 40, "slow": 4},
    "dev": {"fuzz": 300, "property": 100, "slow": 8},
    "fuzz": {"fuzz": 10_000, "property": 500, "slow": 20},
}[PROFILE]

#: Seconds one example may take before it counts as a hang.
HANG_SECONDS = 60


class HangError(AssertionError):
    """An example ran longer than :data:`HANG_SECONDS`."""


@contextlib.contextmanager
def time_limit(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail with :class:`HangError` if the block runs longer than ``seconds``.

    Uses SIGALRM, so it only guards the main thread on POSIX; elsewhere it is
    a no-op.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _expired(signum, frame):
        msg = f"example ran longer than {seconds} s (a hang?)"
        raise HangError(msg)

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
