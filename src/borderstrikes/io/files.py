"""Open the files of other people: paths, text encodings, CSV dialects, damaged archives.

Readers open only local files, plain or compressed (a ``.zip`` holding one
file, gzip, bzip2 or xz), never a URL or a GDAL virtual path. A compressed
file is expanded under two limits, :data:`MAX_BYTES` and :data:`MAX_RATIO`,
checked before anything is expanded (from a zip's directory) and again while
the data streams out (a directory can lie), so that a small "zip bomb" stops
with a :class:`~borderstrikes.errors.DataFileError` naming the limit instead
of filling the memory. Every reader takes ``max_bytes=`` and ``max_ratio=``
to raise them for a file one trusts.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

from borderstrikes.errors import DataFileError

__all__ = [
    "ARCHIVE_ERRORS",
    "MAX_BYTES",
    "MAX_RATIO",
    "RATIO_CHECKED_FROM_BYTES",
    "check_errors",
    "check_limits",
    "check_path",
    "compression",
    "extract_zip",
    "open_data",
    "read_bytes",
    "read_csv",
]

#: Largest uncompressed size, in bytes, of a compressed file or of the files of a
#: ``.zip`` (1 GiB). Pass ``max_bytes=`` to a reader to raise it.
MAX_BYTES = 2**30

#: Largest compression ratio (uncompressed size / compressed size) of a compressed file.
#: Text compresses 5 to 20 times; a "zip bomb" of zeros about 1000 times. Pass
#: ``max_ratio=`` to a reader to raise it.
MAX_RATIO = 100

#: The ratio is only checked once more than this many bytes (1 MiB) come out, so that
#: a small, very repetitive file is not taken for a bomb.
RATIO_CHECKED_FROM_BYTES = 2**20

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

# A URL ("https://", "zip://", "s3://") or a GDAL virtual path ("/vsicurl/", "/vsizip/").
# (a Path made of a URL has lost one slash: "https:/host/x").
_VIRTUAL = re.compile(r"^(?:/vsi[a-z0-9_]*/|[A-Za-z][A-Za-z0-9+.-]+:/)", re.IGNORECASE)

# The leading bytes of each compressed format read.
_MAGIC = (
    ("zip", (b"PK\x03\x04", b"PK\x05\x06")),
    ("gzip", (b"\x1f\x8b",)),
    ("xz", (b"\xfd7zXZ\x00",)),
    ("zstd", (b"\x28\xb5\x2f\xfd",)),
)
_BZIP2 = re.compile(rb"^BZh[1-9]1AY&SY")
_OPEN = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}


def check_errors(errors: Any) -> None:
    """Raise ValueError unless ``errors`` is 'collect' or 'raise'."""
    if errors not in ("collect", "raise"):
        msg = (
            f"errors must be 'collect' or 'raise' (got {errors!r}). 'collect' returns the "
            "unreadable records in a rejects table; 'raise' stops at them."
        )
        raise ValueError(msg)


def check_limits(max_bytes: Any, max_ratio: Any) -> None:
    """Raise ValueError unless ``max_bytes`` and ``max_ratio`` are positive numbers."""
    for name, value in (("max_bytes", max_bytes), ("max_ratio", max_ratio)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            msg = (
                f"{name} must be a number > 0 (got {value!r}); the defaults are "
                f"borderstrikes.io.files.MAX_BYTES ({MAX_BYTES}) and MAX_RATIO ({MAX_RATIO})."
            )
            raise ValueError(msg)


def check_path(path: Any, what: str) -> Path:
    """``path`` as a Path, raising DataFileError if it is not a local file.

    A URL or a GDAL virtual path (``/vsicurl/``, ``/vsizip/`` ...) is refused
    before anything is opened: readers never fetch from the network.
    """
    text = path.as_posix() if isinstance(path, Path) else path
    if isinstance(text, str) and _VIRTUAL.match(text):
        msg = (
            f"{str(path)!r} is a URL or a GDAL virtual path; the readers open local files "
            f"only. Download the {what} file (or extract it from its archive) and give its path."
        )
        raise DataFileError(msg)
    path = Path(path)
    if not path.is_file():
        msg = f"no such file: {path}. Give the path of a {what} file."
        raise DataFileError(msg)
    return path


def compression(path: Path) -> str | None:
    """Return the compressed format of a file from its first bytes ('zip', 'gzip' ...), or None."""
    with path.open("rb") as file:
        head = file.read(16)
    for name, magics in _MAGIC:
        if head.startswith(magics):
            return name
    return "bz2" if _BZIP2.match(head) else None


def _limit(compressed: int, max_bytes: float, max_ratio: float) -> int:
    """Most bytes allowed out of ``compressed`` bytes."""
    return int(min(max_bytes, max(RATIO_CHECKED_FROM_BYTES, max_ratio * compressed)))


def _too_big(
    name: str, size: int, compressed: int, max_bytes: float, max_ratio: float, *, grew: bool
) -> DataFileError:
    if size > max_bytes:
        hit = f"the limit max_bytes={int(max_bytes)}"
        raise_it = f"max_bytes= (default borderstrikes.io.files.MAX_BYTES = {MAX_BYTES})"
    else:
        hit = f"the limit max_ratio={max_ratio:g} (checked past {RATIO_CHECKED_FROM_BYTES} bytes)"
        raise_it = f"max_ratio= (default borderstrikes.io.files.MAX_RATIO = {MAX_RATIO})"
    how = "grew past" if grew else "would expand to"
    msg = (
        f"{name} {how} {size} bytes out of {compressed} compressed bytes (ratio "
        f"{size / max(compressed, 1):.0f}), beyond {hit}. A file that expands this much may "
        f"be a 'zip bomb'; if you trust it, pass a larger {raise_it} to the reader, or "
        "decompress it yourself and read the plain file."
    )
    return DataFileError(msg)


class _Limited(io.RawIOBase):
    """A binary stream that raises DataFileError once more than its limit comes out."""

    def __init__(
        self, inner: IO[bytes], name: str, compressed: int, max_bytes: float, max_ratio: float
    ) -> None:
        self.inner = inner
        self.name = name
        self.compressed = compressed
        self.max_bytes = max_bytes
        self.max_ratio = max_ratio
        self.limit = _limit(compressed, max_bytes, max_ratio)
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.inner.read(len(view))
        self.count += len(data)
        if self.count > self.limit:
            raise _too_big(
                self.name, self.count, self.compressed, self.max_bytes, self.max_ratio, grew=True
            )
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [
        m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")
    ]


def _check_directory(
    path: Path, members: list[zipfile.ZipInfo], max_bytes: float, max_ratio: float
) -> None:
    """Check the sizes a zip's directory declares, before anything is expanded."""
    on_disk = path.stat().st_size
    total = sum(m.file_size for m in members)
    compressed = min(sum(m.compress_size for m in members), on_disk)
    if total > _limit(compressed, max_bytes, max_ratio):
        name = f"{path.name} ({len(members)} file(s) inside)"
        raise _too_big(name, total, compressed, max_bytes, max_ratio, grew=False)


@contextmanager
def open_data(
    path: Path, *, what: str, max_bytes: float = MAX_BYTES, max_ratio: float = MAX_RATIO
) -> Iterator[IO[bytes]]:
    """Open a local file for reading as bytes, expanding it if it is compressed.

    A ``.zip`` must hold one file. Compressed data is held to ``max_bytes``
    and ``max_ratio`` (see the module's notes); a tar archive or zstd data is
    refused with a hint.
    """
    check_limits(max_bytes, max_ratio)
    kind = compression(path)
    if kind is None:
        if path.name.lower().endswith((".tar", ".tgz", ".tbz2", ".txz")) or ".tar." in (
            path.name.lower()
        ):
            msg = f"{path.name} is a tar archive; extract the {what} file and read it."
            raise DataFileError(msg)
        with path.open("rb") as file:
            yield file
        return
    if kind == "zstd":
        msg = f"{path.name} is zstd-compressed; decompress it (zstd -d) and read the plain file."
        raise DataFileError(msg)
    if kind == "zip":
        with zipfile.ZipFile(path) as archive:
            members = _members(archive)
            if len(members) != 1:
                names = [m.filename for m in members]
                msg = (
                    f"{path.name} holds {len(members)} files ({names[:5]!r}); "
                    f"extract the one {what} file and read it."
                )
                raise DataFileError(msg)
            _check_directory(path, members, max_bytes, max_ratio)
            member = members[0]
            compressed = min(member.compress_size, path.stat().st_size)
            name = f"{path.name} ({member.filename})"
            with _Limited(archive.open(member), name, compressed, max_bytes, max_ratio) as data:
                yield data
        return
    inner = _OPEN[kind](path, "rb")
    with _Limited(inner, path.name, path.stat().st_size, max_bytes, max_ratio) as data:
        yield data


def read_bytes(
    path: Path, *, what: str, max_bytes: float = MAX_BYTES, max_ratio: float = MAX_RATIO
) -> bytes:
    """All the bytes of a file, expanded if compressed (see :func:`open_data`)."""
    with open_data(path, what=what, max_bytes=max_bytes, max_ratio=max_ratio) as data:
        return data.read()


def extract_zip(
    path: Path,
    directory: Path,
    *,
    what: str,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> list[Path]:
    """Extract the files of a ``.zip`` into ``directory``, flat, under the limits.

    Each file keeps its name without its folders (so no member lands outside
    ``directory``); two files of the same name are refused.
    """
    check_limits(max_bytes, max_ratio)
    with zipfile.ZipFile(path) as archive:
        members = _members(archive)
        _check_directory(path, members, max_bytes, max_ratio)
        names = [Path(m.filename.replace("\\", "/")).name for m in members]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated or "" in names:
            msg = (
                f"{path.name} holds several files named {repeated!r} (in different folders); "
                f"extract the {what} file you mean and read it."
            )
            raise DataFileError(msg)
        compressed = min(sum(m.compress_size for m in members), path.stat().st_size)
        budget = _Budget(path.name, compressed, max_bytes, max_ratio)
        out = []
        for member, name in zip(members, names, strict=True):
            target = directory / name
            with archive.open(member) as source, target.open("wb") as sink:
                shutil.copyfileobj(budget.wrap(source), sink)
            out.append(target)
    return out


class _Budget:
    """One limit shared by all the members of an archive."""

    def __init__(self, name: str, compressed: int, max_bytes: float, max_ratio: float) -> None:
        self.stream = _Limited(io.BytesIO(), name, compressed, max_bytes, max_ratio)

    def wrap(self, source: IO[bytes]) -> IO[bytes]:
        self.stream.inner = source
        return self.stream


def read_csv(
    path: Path,
    *,
    what: str,
    encoding: str,
    sep: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> pd.DataFrame:
    """Every cell as text exactly as written (no NA guessing); header names stripped.

    A compressed file is expanded under ``max_bytes`` and ``max_ratio``
    (:func:`open_data`).
    """
    try:
        with open_data(path, what=what, max_bytes=max_bytes, max_ratio=max_ratio) as data:
            table = pd.read_csv(
                data,
                sep=sep,
                quoting=quoting,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding=encoding,
                compression=None,
            )
    except DataFileError:
        raise
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
