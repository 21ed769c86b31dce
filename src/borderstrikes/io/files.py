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
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

import numpy as np
import pandas as pd

try:  # pyarrow parses CSV on all cores into compact string columns; pandas does without
    import pyarrow as pa
    from pyarrow import compute
    from pyarrow import csv as pv

    _ARROW_ERRORS: tuple[type[Exception], ...] = (pa.ArrowException,)
except ImportError:  # pragma: no cover - pyarrow is installed with the package
    pa = pv = compute = None
    _ARROW_ERRORS = ()

from borderstrikes.errors import BorderstrikesWarning, DataFileError

# pandas' "str" dtype, backed by pyarrow
_STR = pd.StringDtype("pyarrow", na_value=float("nan")) if pa is not None else None

__all__ = [
    "ARCHIVE_ERRORS",
    "MAX_BYTES",
    "MAX_RATIO",
    "RATIO_CHECKED_FROM_BYTES",
    "SEPARATORS",
    "SNIFF_BYTES",
    "STREAM_BLOCK_BYTES",
    "Dialect",
    "arrow_chunks",
    "check_errors",
    "check_limits",
    "check_path",
    "compression",
    "extract_zip",
    "open_data",
    "read_bytes",
    "read_csv",
    "read_csv_chunks",
    "separator_counts",
    "sniff_dialect",
    "str_array",
    "take_arrays",
    "take_arrow",
    "take_rows",
    "take_str",
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
    path: Path,
    *,
    what: str,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
    arrow: bool = False,
) -> Iterator[Any]:
    """Open a local file for reading as bytes, expanding it if it is compressed.

    A ``.zip`` must hold one file. Compressed data is held to ``max_bytes``
    and ``max_ratio`` (see the module's notes); a tar archive or zstd data is
    refused with a hint. With ``arrow``, a plain file is opened as a pyarrow
    file, which pyarrow's readers read without going through Python (no
    block of bytes made a Python object, no lock taken).
    """
    check_limits(max_bytes, max_ratio)
    kind = compression(path)
    if kind is None:
        if path.name.lower().endswith((".tar", ".tgz", ".tbz2", ".txz")) or ".tar." in (
            path.name.lower()
        ):
            msg = f"{path.name} is a tar archive; extract the {what} file and read it."
            raise DataFileError(msg)
        with pa.OSFile(str(path)) if arrow and pa is not None else path.open("rb") as file:
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


def extract_member(
    path: Path,
    member: str,
    target: Path,
    *,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> Path:
    """Copy one member of a ``.zip`` to the file ``target``, under the limits.

    The size its zip directory declares is checked before anything is
    expanded, and the bytes that come out while they do (as in
    :func:`open_data`).
    """
    check_limits(max_bytes, max_ratio)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
        _check_directory(path, [info], max_bytes, max_ratio)
        compressed = min(info.compress_size, path.stat().st_size)
        name = f"{path.name} ({member})"
        with (
            _Limited(archive.open(info), name, compressed, max_bytes, max_ratio) as source,
            target.open("wb") as sink,
        ):
            shutil.copyfileobj(source, sink, 2**20)
    return target


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


#: Block size of pyarrow's streaming CSV reader in a chunked read (1 MiB): it reads
#: about 20 blocks ahead, so this bounds what it holds beyond the chunk.
STREAM_BLOCK_BYTES = 2**20

#: Bytes read from the start of a file to recognise its encoding and separator.
SNIFF_BYTES = 2**16

#: Separators recognised from a file's header line, in order of preference on a tie.
SEPARATORS = (",", ";", "\t", "|")

# Most runs of kept rows that take_rows slices (zero-copy) rather than filters (a copy).
_MAX_RUNS = 512

_SEP_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class Dialect(NamedTuple):
    """How a text table is written: its encoding, separator and quote character."""

    #: A Python codec name ("utf-8", "utf-8-sig", "utf-16", "cp1252" ...).
    encoding: str
    #: The field separator.
    sep: str
    #: The quote character, or None for no quoting.
    quotechar: str | None
    #: How each was found: "given" or what in the file told it.
    found: str


def _sniff_encoding(head: bytes) -> tuple[str, str]:
    """Return the encoding of a file from its first bytes, and what told it."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "a UTF-8 byte-order mark"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "a UTF-16 byte-order mark"
    sample = head[:4096]
    if sample and sample.count(0) > len(sample) // 4:  # UTF-16 text without a mark
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        return ("utf-16-be" if even > odd else "utf-16-le"), "NUL bytes between characters"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not merely a character cut at the end of the sample
            return "cp1252", f"bytes that are not UTF-8 (byte {exc.start})"
    return "utf-8", "valid UTF-8"


def _header_line(text: str, quotechar: str | None) -> str:
    """Return the first record of ``text`` (a quoted line break does not end it)."""
    if quotechar is None:
        return text.split("\n", 1)[0]
    inside = False
    for i, char in enumerate(text):
        if char == quotechar:
            inside = not inside
        elif char == "\n" and not inside:
            return text[:i]
    return text


def separator_counts(line: str, quotechar: str | None = '"') -> dict[str, int]:
    """How often each of :data:`SEPARATORS` occurs in ``line``, outside quotes."""
    if quotechar is not None:
        line = re.sub(f"{re.escape(quotechar)}[^{re.escape(quotechar)}]*{re.escape(quotechar)}",
                      "", line)  # fmt: skip
    return {sep: line.count(sep) for sep in SEPARATORS}


def sniff_dialect(
    path: Path,
    *,
    what: str,
    encoding: str | None = None,
    sep: str | None = None,
    quoting: int = csv.QUOTE_MINIMAL,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> Dialect:
    """Recognise a text table's encoding and separator from its first bytes.

    The encoding: a byte-order mark (UTF-8 or UTF-16), NUL bytes between
    characters (UTF-16 without a mark), valid UTF-8, else cp1252 (the
    Windows "ANSI" code page spreadsheets save in), with a
    :class:`~borderstrikes.errors.BorderstrikesWarning` since that is a
    guess. The separator: the one of :data:`SEPARATORS` found most often in
    the header line outside quotes (a comma on a tie). ``encoding=`` and
    ``sep=`` given are used as they are.
    """
    found = []
    with open_data(path, what=what, max_bytes=max_bytes, max_ratio=max_ratio) as data:
        head = data.read(SNIFF_BYTES)
    if encoding is None:
        encoding, why = _sniff_encoding(head)
        found.append(f"encoding {encoding} ({why})")
        if encoding == "cp1252":
            message = (
                f"{path.name} is not UTF-8 ({why}); reading it as cp1252, the Windows code page "
                "spreadsheets save in. Pass encoding= to read it otherwise."
            )
            warnings.warn(message, BorderstrikesWarning, stacklevel=3)
    quotechar = None if quoting == csv.QUOTE_NONE else '"'
    if sep is None:
        text = head.decode(encoding, errors="replace").lstrip("\ufeff").replace("\r\n", "\n")
        counts = separator_counts(_header_line(text, quotechar), quotechar)
        sep = max(SEPARATORS, key=lambda s: (counts[s], -SEPARATORS.index(s)))
        if counts[sep]:
            found.append(f"separator {_SEP_NAMES[sep]} ({counts[sep]} in the header line)")
        else:
            sep = ","
    return Dialect(encoding, sep, quotechar, "; ".join(found) or "given")


def read_csv(
    path: Path,
    *,
    what: str,
    encoding: str | None = None,
    sep: str | None = None,
    quoting: int = csv.QUOTE_MINIMAL,
    columns: Any = None,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> pd.DataFrame:
    """Every cell as text exactly as written (no NA guessing); header names stripped.

    The encoding and the separator are recognised from the file
    (:func:`sniff_dialect`) unless given. The file is parsed by pyarrow's
    multi-threaded CSV reader, into pyarrow-backed ``str`` columns (no
    Python string per cell); a file it cannot parse is parsed again by
    pandas, whose message is quoted. ``columns``, a callable taking a
    stripped header name, keeps only the columns it returns True for. A
    compressed file is expanded under ``max_bytes`` and ``max_ratio``
    (:func:`open_data`). ``table.attrs["dialect"]`` is the :class:`Dialect`.
    """
    try:
        dialect = sniff_dialect(
            path,
            what=what,
            encoding=encoding,
            sep=sep,
            quoting=quoting,
            max_bytes=max_bytes,
            max_ratio=max_ratio,
        )
        try:
            if pv is None:  # pragma: no cover - pyarrow is installed with the package
                raise ValueError
            table = _read_arrow(path, what, dialect, columns, max_bytes, max_ratio)
        except DataFileError:
            raise
        except (
            *_ARROW_ERRORS,
            csv.Error,
            UnicodeDecodeError,
            ValueError,
            pd.errors.EmptyDataError,
        ):
            table = _read_pandas(path, what, dialect, max_bytes, max_ratio)
            if columns is not None:
                table = table[[c for c in table.columns if columns(c)]]
    except DataFileError:
        raise
    except ARCHIVE_ERRORS as exc:
        msg = f"cannot read {path.name}: a damaged or unsupported compressed file ({exc!r})."
        raise DataFileError(msg) from exc
    except LookupError as exc:  # an encoding= Python does not know
        msg = f"encoding={encoding!r} is not a text encoding Python knows ({exc})."
        raise DataFileError(msg) from exc
    table.attrs["dialect"] = dialect
    return table


def _unique_names(names: list[str]) -> list[str]:
    """Header names stripped, a repeated name numbered as pandas does ("x", "x.1")."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for name in names:
        name = str(name).strip()
        base = name
        while name in seen:
            seen[base] += 1
            name = f"{base}.{seen[base]}"
        seen[name] = 0
        out.append(name)
    return out


class _ArrowPlan(NamedTuple):
    """How pyarrow parses one text table: the names kept and its options."""

    names: list[str]
    keep: list[int]
    read: Any
    parse: Any
    convert: Any


def _arrow_plan(
    path: Path, what: str, dialect: Dialect, columns: Any, max_bytes: float, max_ratio: float
) -> _ArrowPlan:
    """Read the header line and set pyarrow's options (the header is skipped, not parsed)."""
    with open_data(path, what=what, max_bytes=max_bytes, max_ratio=max_ratio) as data:
        head = data.read(SNIFF_BYTES)
    text = head.decode(dialect.encoding, errors="replace").lstrip("\ufeff")
    quoting = csv.QUOTE_NONE if dialect.quotechar is None else csv.QUOTE_MINIMAL
    reader = csv.reader(
        io.StringIO(text, newline=""),  # csv reads "\r", "\n" and "\r\n" line ends itself
        delimiter=dialect.sep,
        quotechar=dialect.quotechar or '"',
        quoting=quoting,
    )
    header = next(reader, None)
    if not header:
        raise pd.errors.EmptyDataError
    names = _unique_names(header)
    placeholders = [f"f{i}" for i in range(len(header))]
    keep = [i for i, name in enumerate(names) if columns is None or columns(name)]
    wide = dialect.encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32"))
    with open_data(path, what=what, max_bytes=max_bytes, max_ratio=max_ratio) as data:
        # a quoted line break makes pyarrow's parse serial: allow it only if there is one
        line_breaks = wide or _quoted_line_breaks(data, dialect.quotechar)
    encoding = "utf8" if dialect.encoding in ("utf-8", "utf-8-sig") else dialect.encoding
    return _ArrowPlan(
        names,
        keep,
        pv.ReadOptions(
            column_names=placeholders, skip_rows=1, block_size=1 << 22, encoding=encoding
        ),
        pv.ParseOptions(
            delimiter=dialect.sep,
            quote_char=dialect.quotechar or False,
            double_quote=True,
            newlines_in_values=line_breaks,
        ),
        pv.ConvertOptions(
            column_types=dict.fromkeys(placeholders, pa.large_string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            include_columns=[placeholders[i] for i in keep],
        ),
    )


def _arrow_frame(arrow: Any, plan: _ArrowPlan) -> pd.DataFrame:
    """Return a pyarrow table's (or batch's) kept columns as a frame of ``str`` columns."""
    return pd.DataFrame(
        {plan.names[i]: str_array(arrow.column(j)) for j, i in enumerate(plan.keep)},
        index=pd.RangeIndex(arrow.num_rows),
    )


def _read_arrow(
    path: Path, what: str, dialect: Dialect, columns: Any, max_bytes: float, max_ratio: float
) -> pd.DataFrame:
    """Parse with pyarrow, streaming the file in blocks (never all of its bytes at once)."""
    plan = _arrow_plan(path, what, dialect, columns, max_bytes, max_ratio)
    with open_data(path, what=what, max_bytes=max_bytes, max_ratio=max_ratio, arrow=True) as data:
        arrow = pv.read_csv(
            data, read_options=plan.read, parse_options=plan.parse, convert_options=plan.convert
        )
    return _arrow_frame(arrow, plan)


def arrow_chunks(source: Any, chunksize: int) -> Iterator[Any]:
    """Cut a stream of pyarrow record batches into tables of ``chunksize`` rows (the last fewer).

    Batches are gathered until a chunk is full, so no more than one chunk
    and one batch are held at a time.
    """
    held: list[Any] = []
    count = 0
    for batch in source:
        while len(batch):
            take = min(chunksize - count, len(batch))
            held.append(batch.slice(0, take))
            batch = batch.slice(take)
            count += take
            if count == chunksize:
                yield pa.Table.from_batches(held)
                held, count = [], 0
    if count:
        yield pa.Table.from_batches(held)


def read_csv_chunks(
    path: Path,
    *,
    what: str,
    chunksize: int,
    encoding: str | None = None,
    sep: str | None = None,
    quoting: int = csv.QUOTE_MINIMAL,
    columns: Any = None,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> Iterator[pd.DataFrame]:
    """:func:`read_csv` in frames of ``chunksize`` rows, each with a RangeIndex from 0.

    The dialect is recognised once, from the start of the file, and used
    for every chunk (``frame.attrs["dialect"]``). pyarrow's streaming reader
    parses the file; if it cannot, pandas does, in chunks too, picking up at
    the first row not yet given out. The first chunk is read before this
    returns, so that a file without a header or in an unknown encoding
    fails here, not at the first ``next()``.
    """
    try:
        dialect = sniff_dialect(
            path,
            what=what,
            encoding=encoding,
            sep=sep,
            quoting=quoting,
            max_bytes=max_bytes,
            max_ratio=max_ratio,
        )
        chunks = _csv_chunks(path, what, dialect, columns, chunksize, max_bytes, max_ratio)
        first = next(chunks, None)
    except DataFileError:
        raise
    except ARCHIVE_ERRORS as exc:
        msg = f"cannot read {path.name}: a damaged or unsupported compressed file ({exc!r})."
        raise DataFileError(msg) from exc
    except LookupError as exc:  # an encoding= Python does not know
        msg = f"encoding={encoding!r} is not a text encoding Python knows ({exc})."
        raise DataFileError(msg) from exc
    return _chain_first(first, chunks)


def _chain_first(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest


def _csv_chunks(
    path: Path,
    what: str,
    dialect: Dialect,
    columns: Any,
    chunksize: int,
    max_bytes: float,
    max_ratio: float,
) -> Iterator[pd.DataFrame]:
    """Frames of ``chunksize`` rows: pyarrow's stream, else pandas' from the row reached."""
    done = 0
    try:
        if pv is None:  # pragma: no cover - pyarrow is installed with the package
            raise ValueError
        plan = _arrow_plan(path, what, dialect, columns, max_bytes, max_ratio)
        # pyarrow's stream reads some 20 blocks ahead: small blocks keep that small
        plan.read.block_size = STREAM_BLOCK_BYTES
        with open_data(
            path, what=what, max_bytes=max_bytes, max_ratio=max_ratio, arrow=True
        ) as data:
            stream = pv.open_csv(
                data,
                read_options=plan.read,
                parse_options=plan.parse,
                convert_options=plan.convert,
            )
            for arrow in arrow_chunks(stream, chunksize):
                frame = _arrow_frame(arrow, plan)
                frame.attrs["dialect"] = dialect
                done += len(frame)
                yield frame
        return
    except DataFileError:
        raise
    except (
        *_ARROW_ERRORS,
        csv.Error,
        UnicodeDecodeError,
        ValueError,
        pd.errors.EmptyDataError,
    ):
        pass
    for frame in _pandas_chunks(path, what, dialect, chunksize, max_bytes, max_ratio, skip=done):
        if columns is not None:
            frame = frame[[c for c in frame.columns if columns(c)]]
        frame.attrs["dialect"] = dialect
        yield frame


def _quoted_line_breaks(data: IO[bytes], quotechar: str | None, block: int = 1 << 20) -> bool:
    """Whether a quoted field holds a line break: a line ends after an odd number of quotes.

    A doubled quote inside a quoted field counts twice, so only a line that
    ends inside quotes leaves the count odd. Read in blocks of ``block``
    bytes; stops at the first such line.
    """
    if quotechar is None:
        return False
    quote = ord(quotechar)
    odd = False  # inside quotes at the end of what was read so far
    while chunk := data.read(block):
        codes = np.frombuffer(chunk, dtype=np.uint8)
        quotes = np.flatnonzero(codes == quote)
        if not len(quotes) and not odd:
            continue
        ends = np.flatnonzero(codes == 10)
        before = np.searchsorted(quotes, ends) + odd  # quotes before each line end
        if (before % 2).any():
            return True
        odd = bool((len(quotes) + odd) % 2)
    return False


def str_array(values: Any) -> pd.api.extensions.ExtensionArray:
    """Text as pandas' ``str`` dtype, built by pyarrow (None -> missing).

    ``values`` is a pyarrow (chunked) array of ``large_string`` (pandas'
    own storage, so it is used as it is), or an array of Python strings and
    None, converted in one pass (pandas' own conversion checks each cell for
    missing-value markers, ten times slower).
    """
    if pa is not None:
        if not isinstance(values, pa.Array | pa.ChunkedArray):
            values = pa.array(np.asarray(values, dtype=object), pa.large_string(), from_pandas=True)
        return pd.arrays.ArrowStringArray(values, dtype=_STR)
    return pd.array(np.asarray(values, dtype=object), dtype="str")  # pragma: no cover


def take_str(values: pd.Series, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Rows ``rows`` (ascending positions) of a ``str`` column, kept by pyarrow.

    pyarrow filters each chunk of the column in place of pandas' take,
    which joins the chunks into one copy of the whole column first.
    """
    array = values.array
    if pa is not None and isinstance(array, pd.arrays.ArrowStringArray):
        keep = np.zeros(len(values), dtype=bool)
        keep[rows] = True
        return str_array(array.__arrow_array__().filter(pa.array(keep)))
    return str_array(values.to_numpy(dtype=object)[rows])  # pragma: no cover


@contextmanager
def _pandas_errors(path: Path, what: str, dialect: Dialect) -> Iterator[None]:
    """Turn what pandas raises on a file it cannot parse into a DataFileError naming the cause."""
    try:
        yield
    except DataFileError:
        raise
    except pd.errors.EmptyDataError as exc:
        msg = f"{path.name} is empty; expected a {what} file with a header row."
        raise DataFileError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = (
            f"cannot read {path.name} as {dialect.encoding} text ({exc.reason} at byte "
            f"{exc.start} of a block). The file is in another encoding: pass encoding= (e.g. "
            "'cp1252' for a file saved by a Windows spreadsheet, 'utf-16' for 'Unicode text')."
        )
        raise DataFileError(msg) from exc
    except (pd.errors.ParserError, ValueError) as exc:
        msg = f"cannot parse {path.name} as a {what} file: {exc}. {_likely_cause(path, dialect)}"
        raise DataFileError(msg) from exc
    except ARCHIVE_ERRORS as exc:
        msg = f"cannot read {path.name}: a damaged or unsupported compressed file ({exc!r})."
        raise DataFileError(msg) from exc


def _pandas_options(dialect: Dialect) -> dict[str, Any]:
    return {
        "sep": dialect.sep,
        "quoting": csv.QUOTE_NONE if dialect.quotechar is None else csv.QUOTE_MINIMAL,
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "encoding": dialect.encoding,
        "compression": None,
    }


def _read_pandas(
    path: Path, what: str, dialect: Dialect, max_bytes: float, max_ratio: float
) -> pd.DataFrame:
    """Parse with pandas: slower, but its messages name the line at fault."""
    with (
        _pandas_errors(path, what, dialect),
        open_data(path, what=what, max_bytes=max_bytes, max_ratio=max_ratio) as data,
    ):
        table = pd.read_csv(data, **_pandas_options(dialect))
    table.columns = _unique_names(list(table.columns))
    return table


def _pandas_chunks(
    path: Path,
    what: str,
    dialect: Dialect,
    chunksize: int,
    max_bytes: float,
    max_ratio: float,
    *,
    skip: int = 0,
) -> Iterator[pd.DataFrame]:
    """Parse with pandas in frames of ``chunksize`` rows, leaving out the first ``skip`` rows."""
    with (
        _pandas_errors(path, what, dialect),
        open_data(path, what=what, max_bytes=max_bytes, max_ratio=max_ratio) as data,
        pd.read_csv(data, chunksize=chunksize, **_pandas_options(dialect)) as reader,
    ):
        held: list[pd.DataFrame] = []
        count = 0
        for frame in reader:
            if skip:
                cut = min(skip, len(frame))
                frame, skip = frame.iloc[cut:], skip - cut
            if not len(frame):
                continue
            frame.columns = _unique_names(list(frame.columns))
            held.append(frame)
            count += len(frame)
            if count >= chunksize:
                joined = pd.concat(held)
                for start in range(0, count - count % chunksize, chunksize):
                    yield joined.iloc[start : start + chunksize].reset_index(drop=True)
                rest = joined.iloc[count - count % chunksize :]
                held, count = ([rest], len(rest)) if len(rest) else ([], 0)
        if count:
            yield pd.concat(held).reset_index(drop=True)


def _likely_cause(path: Path, dialect: Dialect) -> str:
    """Say what most likely makes a file unparseable with ``dialect``."""
    try:
        with path.open("rb") as file:
            text = file.read(SNIFF_BYTES).decode(dialect.encoding, errors="replace")
    except (OSError, LookupError):  # pragma: no cover - the file was just read
        text = ""
    counts = separator_counts(_header_line(text.replace("\r\n", "\n"), dialect.quotechar))
    best = max(SEPARATORS, key=lambda s: counts[s])
    if best != dialect.sep and counts[best] > counts.get(dialect.sep, 0):
        return (
            f"Its header line has {counts[best]} {_SEP_NAMES[best]}(s) and "
            f"{counts.get(dialect.sep, 0)} {_SEP_NAMES.get(dialect.sep, repr(dialect.sep))}(s): "
            f"it is {_SEP_NAMES[best]}-separated; pass sep={best!r}."
        )
    return (
        f"It was read as {_SEP_NAMES.get(dialect.sep, repr(dialect.sep))}-separated "
        f"{dialect.encoding} text ({dialect.found}); a field holding the separator or a line "
        "break must be double-quoted. If the separator is wrong, pass sep=."
    )


def _runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """``rows`` (ascending positions) as runs of consecutive positions: (start, length)."""
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = np.concatenate([[0], breaks]).astype(np.int64)
    stops = np.concatenate([breaks, [len(rows)]]).astype(np.int64)
    return [(int(rows[a]), int(b - a)) for a, b in zip(starts, stops, strict=True)]


def take_arrow(values: Any, rows: np.ndarray) -> Any:
    """Rows ``rows`` (ascending positions) of a pyarrow (chunked) array: see take_arrays."""
    return take_arrays({"values": values}, rows)["values"]


def take_arrays(arrays: dict[str, Any], rows: np.ndarray) -> dict[str, Any]:
    """Rows ``rows`` (ascending positions) of pyarrow (chunked) arrays of one length, by name.

    When the rows form few runs (most records kept, a few rejected), the
    arrays are cut, together as one table, into zero-copy slices of the
    runs: the text is not copied at all. Otherwise they are filtered as one
    table, in one pass (a copy).
    """
    if not arrays:
        return {}
    names = list(arrays)
    columns = [
        pa.chunked_array([a], type=a.type) if isinstance(a, pa.Array) else a
        for a in arrays.values()
    ]
    table = pa.table(columns, names=[f"c{i}" for i in range(len(names))])
    if len(rows) == table.num_rows:
        pass
    elif not len(rows):
        table = table.slice(0, 0)
    elif len(runs := _runs(rows)) <= _MAX_RUNS:
        table = pa.concat_tables([table.slice(start, n) for start, n in runs])
    else:
        keep = np.zeros(table.num_rows, dtype=bool)
        keep[rows] = True
        table = table.filter(pa.array(keep))
    return {name: table.column(i) for i, name in enumerate(names)}


def take_rows(frame: pd.DataFrame, rows: np.ndarray) -> dict[str, Any]:
    """Rows ``rows`` (ascending positions) of every ``str`` column of ``frame``, by name.

    The pyarrow columns are taken together by :func:`take_arrays` (zero-copy
    slices when the rows form few runs); any other column by
    :func:`take_str`.
    """
    arrow = {
        name: values.array.__arrow_array__()
        for name, values in frame.items()
        if pa is not None and isinstance(values.array, pd.arrays.ArrowStringArray)
    }
    out = {name: str_array(v) for name, v in take_arrays(arrow, rows).items()}
    return {
        name: out[name] if name in out else take_str(values, rows) for name, values in frame.items()
    }
