"""Import dependencies on first use, with an install hint (private)."""

from __future__ import annotations

import importlib
from typing import Any


def import_optional(module: str, *, purpose: str, extra: str | None = None, hint: str = "") -> Any:
    """Import ``module`` or raise ImportError saying how to install it.

    ``extra`` names the optional extra that installs ``module``; leave it out
    for a core dependency, imported late only to keep ``import borderstrikes``
    light, which a plain ``pip install borderstrikes`` already installs.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        package = module.split(".")[0]
        if extra is None:
            msg = (
                f"{purpose} need {package}, a dependency of borderstrikes that is not "
                f"installed (or does not import). Install it with: pip install {package}{hint}"
            )
        else:
            msg = (
                f"{purpose} need {package}, which is not installed. Install it with: "
                f'pip install "borderstrikes[{extra}]"{hint}'
            )
        raise ImportError(msg) from exc
