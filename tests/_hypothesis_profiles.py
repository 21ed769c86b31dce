"""Sizes of the heavy tests: hypothesis profiles, chosen with HYPOTHESIS_PROFILE.

The test tiers of the suite: ``python -m pytest`` (the README's command, which
``.ci/run`` runs with ``CI=1``) runs every test, the ``slow`` ones included,
at a size that keeps the whole run within 5 minutes on 2 idle cores; the
profiles only change how many examples and how large the inputs are.

- ``ci``: small, the default when the environment variable ``CI`` is set;
  all property, fuzz, bad-input and round-trip tests together take about a
  minute on a 2-core machine.
- ``dev``: the default otherwise; the same sizes as ``ci`` but random
  examples (``ci`` is derandomised), so that a plain run explores new inputs
  and still stays within 5 minutes.
- ``fuzz``: opt-in, the long run: at least 10,000 examples for every reader
  and parser, and the ``huge-*`` bad-input cases at their documented full size
  with their time limits
  (``HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py tests/test_bad_input.py``).

Tests import :data:`EXAMPLES` and scale their own ``max_examples`` from it:
fuzz targets use ``EXAMPLES["fuzz"]``, the (slower) geometric properties
``EXAMPLES["property"]`` and tests marked ``slow`` ``EXAMPLES["slow"]``;
:data:`HUGE_SCALE` sizes the ``huge-*`` cases of ``tests/test_bad_input.py``.
Every profile turns deadlines off -- the machine is shared, so timing is
noisy -- and tests guard against hangs with :func:`time_limit` instead.
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
settings.register_profile("dev", max_examples=25, **_COMMON)
settings.register_profile("fuzz", max_examples=10_000, **_COMMON)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)

#: Examples per test, by kind of test and profile.
EXAMPLES = {
    "ci": {"fuzz": 150, "property": 40, "slow": 4},
    "dev": {"fuzz": 150, "property": 40, "slow": 4},
    "fuzz": {"fuzz": 10_000, "property": 500, "slow": 20},
}[PROFILE]

#: Fraction of the documented input size that the ``huge-*`` bad-input cases use
#: (their memory budgets shrink alike; time limits apply at full size only).
HUGE_SCALE = {"ci": 0.05, "dev": 0.1, "fuzz": 1.0}[PROFILE]

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
