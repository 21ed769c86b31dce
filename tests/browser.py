"""Headless Chromium for the page tests: one way to start it, shared by every test file.

The flags are those this machine needs (no sandbox as root, no background
networking: the network is closed and Chromium must not try it). Without
Chromium a test is skipped locally and fails in CI, where ``.ci/run``
installs it.
"""

import os
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = bool(os.environ.get("CI"))


def run_chromium(tmp_path, *args, budget_ms=5000):
    """Run headless Chromium with ``args`` (e.g. ``--dump-dom URL``); return its stdout."""
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail(
                "chromium is not installed; .ci/run must install it (apt-get install chromium)"
            )
        pytest.skip("chromium is not installed")
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--virtual-time-budget={budget_ms}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
