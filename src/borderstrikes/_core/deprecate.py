"""Renamed keyword arguments keep working, with a FutureWarning, for one release."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["renamed_arguments"]

F = TypeVar("F", bound=Callable[..., Any])


def renamed_arguments(removed_in: str = "0.3", **renames: str) -> Callable[[F], F]:
    """Accept old keyword names (``old="new"``) with a FutureWarning until ``removed_in``.

    Giving both the old and the new name is a TypeError. Positional calls are
    untouched (the renamed arguments are keyword-only or positional by place).

    Examples
    --------
    >>> @renamed_arguments(reference="country")
    ... def f(*, country="ARM"):
    ...     return country
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f(reference="AZE")
    'AZE'
    >>> str(caught[0].message)
    'f(reference=...) is deprecated and will be removed in borderstrikes 0.3; use f(country=...).'
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    msg = (
                        f"{func.__name__}() got both {old}= (deprecated) and {new}=; "
                        f"give {new}= only."
                    )
                    raise TypeError(msg)
                warnings.warn(
                    f"{func.__name__}({old}=...) is deprecated and will be removed in "
                    f"borderstrikes {removed_in}; use {func.__name__}({new}=...).",
                    FutureWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
