"""Import optional dependencies on first use, with an install hint (private)."""

from __future__ import annotations

import importlib
from typing import Any


def import_optional(module: str, *, extra: str, purpose: str, hint: str = "") -> Any:
    """Import ``module`` or raise ImportError saying which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        package = module.split(".")[0]
        msg = (
            f"{purpose} need {package}, which is not installed. Install it with: "
            f'pip install "borderstrikes[{extra}]"{hint}'
        )
        raise ImportError(msg) from exc
