"""Open the files of other people: paths, text encodings, CSV dialects, damaged archives."""

from __future__ import annotations

import csv
import lzma
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pandas as pd

from borderstrikes.errors import DataFileError

__all__ = ["ARCHIVE_ERRORS", "check_errors", "check_path", "read_csv"]

# What a damaged .zip (or the compressed member in it) raises while it is read.
ARCHIVE_ERRORS = (
    OSError,
    EOFError,
    NotImplementedError,  # an unsupported compression method
    RuntimeError,  # an encrypted member
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
)


def check_errors(errors: Any) -> None:
    """Raise ValueError unless ``errors`` is 'collect' or 'raise'."""
    if errors not in ("collect", "raise"):
        msg = (
            f"errors must be 'collect' or 'raise' (got {errors!r}). 'collect' returns the "
            "unreadable records in a rejects table; 'raise' stops at them."
        )
        raise ValueError(msg)


def check_path(path: Any, what: str) -> Path:
    """``path`` as a Path, raising DataFileError if it is not a file."""
    path = Path(path)
    if not path.is_file():
        msg = f"no such file: {path}. Give the path of a {what} file."
        raise DataFileError(msg)
    return path


def read_csv(
    path: Path, *, what: str, encoding: str, sep: str = ",", quoting: int = csv.QUOTE_MINIMAL
) -> pd.DataFrame:
    """Every cell as text exactly as written (no NA guessing); header names stripped."""
    try:
        table = pd.read_csv(
            path,
            sep=sep,
            quoting=quoting,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding=encoding,
        )
    except pd.errors.EmptyDataError as exc:
        msg = f"{path.name} is empty; expected a {what} file with a header row."
        raise DataFileError(msg) from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        msg = (
            f"cannot parse {path.name} as a {what} file: {exc}. A field holding the "
            "delimiter or a line break must be double-quoted."
        )
        raise DataFileError(msg) from exc
    except ARCHIVE_ERRORS as exc:
        msg = f"cannot read {path.name}: a damaged or unsupported compressed file ({exc!r})."
        raise DataFileError(msg) from exc
    table.columns = [str(c).strip() for c in table.columns]
    return table
