"""Lazy readers: many event files (or one big one) into partitioned ``dask_geopandas`` frames.

Each partition is one *piece* of the input -- a file, a member of a ``.zip``,
a GeoParquet part, or a block of a big CSV -- and the task that makes it is
the public in-memory reader (:func:`borderstrikes.io.read_acled`,
:func:`~borderstrikes.io.read_ucdp_ged`, :func:`~borderstrikes.io.read_gdelt_events`,
:func:`~borderstrikes.io.read_strikes`) on that piece. The reject rules are
therefore the in-memory ones, and a worker holds one piece at a time: memory
is bounded by the piece, not by the whole input.

How a piece is read
-------------------
- a plain or compressed file: the reader is called on it as it is;
- a member of a ``.zip`` that holds several: the member is copied out to a
  temporary file on the worker (under the reader's ``max_bytes`` and
  ``max_ratio``, checked before and while it is copied) and read there;
- a block of a big uncompressed CSV (``blocksize=``): the lines whose first
  byte lies in the block, with the file's header line put back in front,
  are written to a temporary file named ``"<file> (bytes A-B)"`` (the name
  the reader's messages and provenance give) and read there.

Index
-----
The index (named ``row``, int64, as in memory) of piece ``k`` is
``k * 2**32 + r``, where ``r`` is the in-memory reader's ``row`` within
that piece (``r`` counts from 0 in each file, member or block). A single file
read whole thus has exactly the in-memory index; for several pieces the
index is unique, sorted, and the divisions are known (piece ``k`` holds
``[k * 2**32, (k + 1) * 2**32)``). :attr:`LazyEventsRead.pieces` says which
file, member and bytes piece ``k`` is. A piece of 2**32 records or more is
refused.
"""

from __future__ import annotations

import glob
import itertools
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from borderstrikes import io as bsio
from borderstrikes.dask._shipping import dask_modules
from borderstrikes.errors import DataFileError
from borderstrikes.io.files import (
    MAX_BYTES,
    MAX_RATIO,
    check_path,
    compression,
    extract_member,
    open_data,
    sniff_dialect,
)

__all__ = [
    "PIECE_STRIDE",
    "LazyEventsRead",
    "read_acled",
    "read_gdelt_events",
    "read_strikes",
    "read_ucdp_ged",
]

#: Index stride between pieces: the rows of piece ``k`` are ``k * PIECE_STRIDE + row``.
PIECE_STRIDE = 2**32

_PARQUET = (".parquet", ".geoparquet", ".pq")
_TEXT = (".csv", ".tsv", ".txt")
_GLOB = frozenset("*?[")
_SAMPLE = 2**16  # bytes read from the first piece to find a complete first record


@dataclass(frozen=True)
class _Piece:
    """One partition's input: a file, a zip member, or bytes ``start``..``end`` of a file."""

    path: str
    member: str | None = None
    start: int | None = None
    end: int | None = None
    header: bytes = b""  # put back in front of a block after the first
    quoted: bool = True  # the format quotes fields with '"' (a block's quotes are counted)

    @property
    def label(self) -> str:
        name = Path(self.path).name
        if self.member is not None:
            return f"{name} ({self.member})"
        if self.start is not None:
            return f"{name} (bytes {self.start}-{self.end})"
        return name


@dataclass(frozen=True)
class LazyEventsRead:
    """What a lazy event reader returns: the events and the rejects, both lazy.

    Unpack it like the in-memory :class:`~borderstrikes.io.EventsRead`
    (``events, rejects = read_acled("acled/*.csv")``). Computing both
    together (``dask.compute(read.events, read.rejects)``) reads each piece
    once.
    """

    #: The events (``dask_geopandas.GeoDataFrame``, EPSG:4326), one partition per piece.
    events: Any
    #: The records that were not read (``dask.dataframe.DataFrame``), same index scheme.
    rejects: Any
    #: One row per piece: ``piece``, ``path``, ``member``, ``start_byte``, ``end_byte``.
    pieces: pd.DataFrame
    #: A lazy DataFrame, one row per piece (index ``piece``): the reader's provenance of the
    #: piece (``events.attrs["provenance"]`` in memory) and its ``notes``; list values
    #: (``notes``, ``unmapped_country_codes``) are lists of text (``pd.ArrowDtype``).
    provenance: Any

    def __iter__(self) -> Any:
        """Yield ``events`` then ``rejects``."""
        return iter((self.events, self.rejects))


# ---------------------------------------------------------------------------- the inputs


def _expand(paths: Any, what: str) -> list[Path]:
    """Paths, globs and folders as a list of existing files (sorted within each glob/folder)."""
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not items:
        msg = f"paths must name at least one {what} file (got an empty list)."
        raise DataFileError(msg)
    out: list[Path] = []
    for item in items:
        if not isinstance(item, str | os.PathLike):
            msg = f"paths must be str or path-like, or a list of them (got {type(item).__name__})."
            raise TypeError(msg)
        text = os.fspath(item)
        if isinstance(item, str) and _GLOB & set(text):
            found = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not found:
                msg = f"no file matches {text!r}. Give a glob, folder or path of {what} files."
                raise DataFileError(msg)
            out.extend(found)
        elif Path(text).is_dir():
            found = sorted(
                p for p in Path(text).iterdir() if p.is_file() and not p.name.startswith((".", "_"))
            )
            if not found:
                msg = f"the folder {text} holds no file. Give a glob, folder or files of {what}."
                raise DataFileError(msg)
            out.extend(found)
        else:
            out.append(check_path(item, what))
    return out


def _members(path: Path, member: str | None) -> list[str]:
    """Names of the table files in a ``.zip`` (``member``: a name or a glob)."""
    import fnmatch

    with zipfile.ZipFile(path) as archive:
        names = [
            m.filename
            for m in archive.infolist()
            if not m.is_dir() and not m.filename.startswith("__MACOSX/")
        ]
    if member is not None:
        chosen = [n for n in names if n == member or fnmatch.fnmatchcase(n, member)]
    else:
        chosen = [n for n in names if n.lower().endswith(_TEXT)]
    if not chosen:
        msg = (
            f"{path.name} holds no {'member matching ' + repr(member) if member else 'CSV file'} "
            f"(it holds {names[:10]!r}). Pass member= to name one."
        )
        raise DataFileError(msg)
    return chosen


def _quoted_format(path: Path, source: str) -> tuple[bool, bool]:
    """Whether a text file has a header row, and whether its format quotes fields."""
    if source != "gdelt":
        return True, True
    with path.open("rb") as file:
        first = file.readline(_SAMPLE).decode("utf-8", errors="replace").lstrip("\ufeff")
    delimiter = "\t" if "\t" in first else ","
    header = first.split(delimiter)[0].strip().strip('"').upper() == "GLOBALEVENTID"
    return header, header and delimiter != "\t"  # GDELT's own files: no header, no quoting


def _blocks(path: Path, source: str, blocksize: int, encoding: str | None) -> list[_Piece]:
    """Cut an uncompressed text file into blocks of about ``blocksize`` bytes."""
    if compression(path) is not None:
        msg = (
            f"blocksize= splits uncompressed files only, and {path.name} is compressed; read it "
            "whole (blocksize=None) or decompress it first."
        )
        raise DataFileError(msg)
    found = encoding or sniff_dialect(path, what="event").encoding
    if found.replace("_", "-").lower().startswith("utf-16"):
        msg = (
            f"blocksize= cannot split {path.name}: it is UTF-16 text, whose line ends are not "
            "single bytes. Read it whole (blocksize=None) or convert it to UTF-8."
        )
        raise DataFileError(msg)
    has_header, quoted = _quoted_format(path, source)
    header = b""
    if has_header:
        with path.open("rb") as file:
            header = file.readline()
        if quoted and header.count(b'"') % 2:
            msg = f"{path.name}: the header line holds a quoted line break; read it whole."
            raise DataFileError(msg)
    size = path.stat().st_size
    edges = [*range(0, size, blocksize), size] if size else [0, 0]
    return [
        _Piece(str(path), start=a, end=b, header=header, quoted=quoted)
        for a, b in itertools.pairwise(edges)
    ]


def _pieces(
    paths: Any, source: str, *, member: str | None, blocksize: Any, encoding: str | None
) -> tuple[list[_Piece], bool]:
    """Return the pieces of the input, and whether it is GeoParquet."""
    if blocksize is not None and (
        isinstance(blocksize, bool) or not isinstance(blocksize, int) or blocksize < 1
    ):
        msg = f"blocksize must be a positive number of bytes or None (got {blocksize!r})."
        raise ValueError(msg)
    files = _expand(paths, source)
    parquet = [f.suffix.lower() in _PARQUET for f in files]
    if any(parquet):
        if not all(parquet):
            msg = "paths mix GeoParquet and other files; read each kind on its own."
            raise DataFileError(msg)
        return [_Piece(str(f)) for f in files], True
    pieces: list[_Piece] = []
    for file in files:
        if compression(file) == "zip" and source != "strikes":
            names = _members(file, member)
            if len(names) == 1 and len(_members(file, "*")) == 1:
                pieces.append(_Piece(str(file)))  # the reader reads a one-file zip itself
            else:
                pieces.extend(_Piece(str(file), member=name) for name in names)
        elif blocksize is not None and source != "strikes":
            pieces.extend(_blocks(file, source, blocksize, encoding))
        else:
            pieces.append(_Piece(str(file)))
    return pieces, False


# ---------------------------------------------------------------------------- one piece


def _block_bytes(piece: _Piece) -> bytes:
    """Return the lines whose first byte is in ``[start, end)``, the header line in front."""
    start, end = piece.start or 0, piece.end or 0
    with open(piece.path, "rb") as file:
        if start:
            file.seek(start - 1)
            file.readline()  # to the first line starting at or after ``start``
        begin = file.tell()
        file.seek(max(end - 1, 0))
        if end:
            file.readline()
        stop = file.tell() if end else 0
        file.seek(begin)
        data = file.read(max(stop - begin, 0))
    if start == 0 or not piece.header:
        return data
    return piece.header + data if data else piece.header


def _quote_count(piece: _Piece) -> int:
    """How many ``"`` a block holds (an odd count: a quoted field crosses an edge)."""
    data = _block_bytes(piece)
    if piece.start:
        data = data[len(piece.header) :]
    return data.count(b'"')


def _check_quotes(piece: _Piece, index: int, counts: Sequence[int]) -> None:
    """Refuse a block whose start or end may fall inside a quoted field."""
    odd = [i for i, count in enumerate(counts) if count % 2]
    if odd:
        first = odd[0]
        msg = (
            f"{Path(piece.path).name}: block {first} of blocksize= (read as piece {index}) holds "
            "an odd number of '\"', so a quoted field holding a line break crosses one of its "
            "edges (or a '\"' stands inside an unquoted field); a block cut there would be read "
            "wrongly. Read this file with blocksize=None (one partition), or a larger "
            "blocksize."
        )
        raise DataFileError(msg)


def _offset(frame: Any, k: int, label: str) -> Any:
    if len(frame) and int(frame.index.max()) >= PIECE_STRIDE:
        msg = f"{label} holds {PIECE_STRIDE:,} records or more; split it (blocksize=)."
        raise DataFileError(msg)
    frame = frame.copy(deep=False)
    frame.index = pd.Index(frame.index.to_numpy(dtype=np.int64) + k * PIECE_STRIDE, name="row")
    frame.attrs = {}
    return frame


def _same_columns(frame: Any, meta: Any, label: str, what: str) -> None:
    if list(frame.columns) != list(meta.columns) or not frame.dtypes.equals(meta.dtypes):
        theirs = [c for c in frame.columns if c not in meta.columns]
        missing = [c for c in meta.columns if c not in frame.columns]
        msg = (
            f"{label}: its {what} differ from the first piece's (columns only here: "
            f"{theirs[:10]!r}; missing here: {missing[:10]!r}; or other dtypes). Read files of "
            "different layouts separately, or pass keep_raw=False."
        )
        raise DataFileError(msg)


def _read_piece(
    piece: _Piece,
    k: int,
    reader: Callable[..., Any],
    options: dict[str, Any],
    meta: tuple[Any, Any, Any],
    counts: Sequence[int],
) -> tuple[Any, Any, pd.DataFrame]:
    """Run the in-memory reader on one piece: (events, rejects, provenance)."""
    if piece.start is not None and piece.quoted:
        _check_quotes(piece, k, counts)
    data = _block_bytes(piece) if piece.start is not None else b""
    if piece.member is None and piece.start is None:
        events, rejects = reader(piece.path, **options)
    elif piece.start is not None and not data[len(piece.header) :].strip():
        # a block holding no line (smaller than a line): no records, nothing to read
        return meta[0].copy(), meta[1].copy(), meta[2].copy()
    else:
        with tempfile.TemporaryDirectory(prefix="borderstrikes-piece-") as tmp:
            target = Path(tmp) / piece.label.replace("/", "_")
            if piece.member is not None:
                extract_member(
                    Path(piece.path),
                    piece.member,
                    target,
                    max_bytes=options.get("max_bytes", MAX_BYTES),
                    max_ratio=options.get("max_ratio", MAX_RATIO),
                )
            else:
                target.write_bytes(data)
            del data  # the reader's table replaces it
            events, rejects = reader(target, **options)
    provenance = _provenance_row(events, k)
    _same_columns(events, meta[0], piece.label, "columns")
    _same_columns(rejects, meta[1], piece.label, "reject columns")
    return _offset(events, k, piece.label), _offset(rejects, k, piece.label), provenance


def _provenance_row(events: Any, k: int) -> pd.DataFrame:
    """Return one row: the reader's provenance of a piece, with its notes (a list)."""
    import pyarrow as pa

    record = {**events.attrs["provenance"][0], "notes": list(events.attrs["notes"])}
    frame = pd.DataFrame([record], index=pd.Index([k], dtype=np.int64, name="piece"))
    lists = pd.ArrowDtype(pa.list_(pa.string()))  # lists stay lists (dask makes objects text)
    for name, value in record.items():
        if isinstance(value, list | tuple):
            frame[name] = pd.Series([[str(v) for v in value]], index=frame.index, dtype=lists)
    return frame


def _sample(piece: _Piece, quoted: bool, max_bytes: float, max_ratio: float) -> bytes:
    """Return the first complete lines of a piece (at least its header and first record)."""
    path = Path(piece.path)
    if piece.member is not None:
        with zipfile.ZipFile(path) as archive, archive.open(piece.member) as source:
            head = source.read(_SAMPLE)
    else:
        with open_data(path, what="event", max_bytes=max_bytes, max_ratio=max_ratio) as data:
            head = data.read(_SAMPLE)
    codes = np.frombuffer(head, dtype=np.uint8)
    ends = np.flatnonzero(codes == 10)
    if quoted:
        quotes = np.flatnonzero(codes == ord('"'))
        ends = ends[np.searchsorted(quotes, ends) % 2 == 0]
    return head if len(ends) < 2 else head[: int(ends[1]) + 1]


def _meta(
    piece: _Piece, reader: Callable[..., Any], source: str, options: dict[str, Any]
) -> tuple[Any, Any, Any]:
    """Empty events, rejects and provenance of the right columns and dtypes, from the first piece.

    A file with a header: the reader on the header line alone (zero records).
    GDELT's header-less files: the reader on the first record.
    """
    path = Path(piece.path)
    max_bytes = options.get("max_bytes", MAX_BYTES)
    max_ratio = options.get("max_ratio", MAX_RATIO)
    has_header, quoted = (
        (True, True) if source != "gdelt" or compression(path) else _quoted_format(path, source)
    )
    head = _sample(piece, quoted, max_bytes, max_ratio)
    if has_header and source != "gdelt":
        codes = np.frombuffer(head, dtype=np.uint8)
        ends = np.flatnonzero(codes == 10)
        if quoted:
            quotes = np.flatnonzero(codes == ord('"'))
            ends = ends[np.searchsorted(quotes, ends) % 2 == 0]
        head = head if not len(ends) else head[: int(ends[0]) + 1]
    with tempfile.TemporaryDirectory(prefix="borderstrikes-meta-") as tmp:
        target = Path(tmp) / f"{path.stem}.csv"
        target.write_bytes(head)
        events, rejects = reader(target, **options)
    return events.iloc[:0], rejects.iloc[:0], _provenance_row(events, 0).iloc[:0]


# ---------------------------------------------------------------------------- the readers


def _divisions(n: int) -> tuple[int, ...]:
    return (*(k * PIECE_STRIDE for k in range(n)), n * PIECE_STRIDE - 1)


def _pieces_table(pieces: Sequence[_Piece]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "piece": np.arange(len(pieces), dtype=np.int64),
            "path": [p.path for p in pieces],
            "member": [p.member for p in pieces],
            "start_byte": pd.array([p.start for p in pieces], dtype="Int64"),
            "end_byte": pd.array([p.end for p in pieces], dtype="Int64"),
        }
    )


def _read_events(
    paths: Any,
    source: str,
    reader: Callable[..., Any],
    *,
    member: str | None,
    blocksize: int | None,
    options: dict[str, Any],
) -> LazyEventsRead:
    dask, dd, dask_geopandas = dask_modules()
    pieces, parquet = _pieces(
        paths, source, member=member, blocksize=blocksize, encoding=options.get("encoding")
    )
    if parquet:
        return _events_parquet(pieces, dask, dd, dask_geopandas)
    meta = _meta(pieces[0], reader, source, options)
    token = dask.base.tokenize(
        [(p, os.stat(p.path).st_mtime_ns, os.stat(p.path).st_size) for p in pieces],
        source,
        options,
    )
    counts: dict[str, list[Any]] = {}
    nodes = []
    for k, piece in enumerate(pieces):
        before: list[Any] = []
        if piece.start is not None and piece.quoted:
            chain = counts.setdefault(piece.path, [])
            chain.append(
                dask.delayed(_quote_count, pure=True)(piece, dask_key_name=f"quotes-{token}-{k}")
            )
            before = list(chain)  # every block of the file up to and including this one
        nodes.append(
            dask.delayed(_read_piece, pure=True, nout=3)(
                piece, k, reader, options, meta, before, dask_key_name=f"read-{source}-{token}-{k}"
            )
        )
    divisions = _divisions(len(pieces))
    events = dd.from_delayed(
        [node[0] for node in nodes], meta=meta[0], divisions=divisions, verify_meta=False
    )
    rejects = dd.from_delayed(
        [node[1] for node in nodes], meta=meta[1], divisions=divisions, verify_meta=False
    )
    provenance = dd.from_delayed(
        [node[2] for node in nodes],
        meta=meta[2],
        divisions=(*range(len(pieces)), len(pieces) - 1),
        verify_meta=False,
    )
    return LazyEventsRead(events, rejects, _pieces_table(pieces), provenance)


def _events_parquet(pieces: Sequence[_Piece], dask: Any, dd: Any, dask_geopandas: Any) -> Any:
    """Read GeoParquet already in the event schema (as :func:`to_parquet` wrote it)."""
    from borderstrikes.io.events import EVENT_COLUMNS

    events = dask_geopandas.read_parquet([p.path for p in pieces])
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing or events.crs is None:
        msg = (
            f"the GeoParquet files are not event tables: missing columns {missing!r}"
            + ("" if events.crs is not None else " and no CRS")
            + ". Read the datasets' CSV files, or GeoParquet that to_parquet wrote from them."
        )
        raise DataFileError(msg)
    empty = pd.DataFrame(
        {"source_event_id": pd.Series(dtype="str"), "reason": pd.Series(dtype="str")},
        index=pd.Index([], dtype=np.int64, name="row"),
    )
    rejects = dd.from_pandas(empty, npartitions=1)
    provenance = dd.from_pandas(pd.DataFrame(index=pd.Index([], dtype=np.int64, name="piece")))
    return LazyEventsRead(events, rejects, _pieces_table(pieces), provenance)


def _options(**options: Any) -> dict[str, Any]:
    return {key: value for key, value in options.items() if value is not None}


_DOC = """Lazy :func:`borderstrikes.io.{name}`: many files (or one big one) as partitioned frames.

    Parameters
    ----------
    paths : str, path-like, or a list of them
        Files, folders (every file in it, sorted; names starting with ``.``
        or ``_`` skipped), globs (``"gdelt/*.CSV"``, sorted) and ``.zip``
        archives (every ``.csv``/``.tsv``/``.txt`` member, or ``member=``);
        GeoParquet (``.parquet``) written by
        :func:`borderstrikes.dask.to_parquet` from events is read as it is.
        A missing file or a glob matching nothing raises at call time.
    member : str, optional
        The ``.zip`` member(s) to read: a name or a glob (``"*.export.CSV"``).
    blocksize : int, optional
        Split each uncompressed text file into blocks of about this many
        bytes, cut at line ends, the header line put back in front of each
        (GDELT's own files have none). A quoted field holding a line break
        across a block edge cannot be told from a record boundary without
        reading the file from its start, so every block counts its ``"``:
        the first block cut inside a quoted field holds an odd number of
        them, and the partition of each block is read only if it and every
        block before it hold an even number; otherwise computing it raises
        :class:`~borderstrikes.errors.DataFileError` (never a silent
        mis-parse). A ``"`` inside an unquoted field trips the same check.
        Each block's records are numbered from 0 and the repeated-id rule
        applies within a block. None (default): one partition per file or
        member.
    errors, encoding, sep, dayfirst, date_format, keep_raw, max_bytes, max_ratio
        As for :func:`borderstrikes.io.{name}`, applied to every piece.

    Returns
    -------
    LazyEventsRead
        ``events``: a ``dask_geopandas.GeoDataFrame`` with the in-memory
        reader's columns, dtypes and CRS (its ``_meta`` comes from reading
        the first piece's header), one partition per piece, index ``row``
        ``= piece * 2**32 + row in the piece`` (see
        :mod:`borderstrikes.dask.readers`), divisions known. ``rejects``:
        the rejected records of every piece, lazily, same index scheme;
        ``pieces``: which file, member and bytes each piece is;
        ``provenance``: a lazy DataFrame of each piece's provenance and notes.

    Raises
    ------
    borderstrikes.errors.DataFileError
        At call time: a missing file, an empty glob or folder, a ``.zip``
        without the member, GeoParquet mixed with text, ``blocksize=`` on a
        compressed or UTF-16 file. At compute time: whatever the in-memory
        reader raises for a piece, a piece whose columns differ from the
        first piece's, a block cut inside a quoted field.

    Notes
    -----
    Each partition's task is the in-memory reader on its piece, so the
    schema, dtypes and reject rules are the in-memory ones; a worker holds
    one piece (file, member or block) at a time. An event id repeated in
    two pieces is not a reject here (the in-memory rule looks within one
    file); ``events["report_id"].duplicated()`` finds such ids.

    Examples
    --------
{examples}    """


def read_acled(
    paths: Any,
    *,
    member: str | None = None,
    blocksize: int | None = None,
    errors: str = "collect",
    encoding: str | None = None,
    sep: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    keep_raw: bool = True,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> LazyEventsRead:
    """Lazy :func:`borderstrikes.io.read_acled` (the full docstring is set below)."""
    options = _options(
        errors=errors,
        encoding=encoding,
        sep=sep,
        dayfirst=dayfirst,
        date_format=date_format,
        keep_raw=keep_raw,
        max_bytes=max_bytes,
        max_ratio=max_ratio,
    )
    return _read_events(
        paths, "acled", bsio.read_acled, member=member, blocksize=blocksize, options=options
    )


def read_ucdp_ged(
    paths: Any,
    *,
    member: str | None = None,
    blocksize: int | None = None,
    errors: str = "collect",
    encoding: str | None = None,
    sep: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    keep_raw: bool = True,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> LazyEventsRead:
    """Lazy :func:`borderstrikes.io.read_ucdp_ged` (the full docstring is set below)."""
    options = _options(
        errors=errors,
        encoding=encoding,
        sep=sep,
        dayfirst=dayfirst,
        date_format=date_format,
        keep_raw=keep_raw,
        max_bytes=max_bytes,
        max_ratio=max_ratio,
    )
    return _read_events(
        paths, "ucdp", bsio.read_ucdp_ged, member=member, blocksize=blocksize, options=options
    )


def read_gdelt_events(
    paths: Any,
    *,
    member: str | None = None,
    blocksize: int | None = None,
    errors: str = "collect",
    encoding: str | None = None,
    sep: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    keep_raw: bool = True,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> LazyEventsRead:
    """Lazy :func:`borderstrikes.io.read_gdelt_events` (the full docstring is set below)."""
    options = _options(
        errors=errors,
        encoding=encoding,
        sep=sep,
        dayfirst=dayfirst,
        date_format=date_format,
        keep_raw=keep_raw,
        max_bytes=max_bytes,
        max_ratio=max_ratio,
    )
    return _read_events(
        paths, "gdelt", bsio.read_gdelt_events, member=member, blocksize=blocksize, options=options
    )


_ACLED_EXAMPLE = """\
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> header = ("event_id_cnty,event_date,time_precision,event_type,sub_event_type,"
    ...           "location,iso,latitude,longitude,geo_precision,fatalities\\n")
    >>> row = "{i},2022-09-13,1,Battles,Armed clash,Sotk,51,40.2001,{lon},1,0\\n"
    >>> for name in ("a", "b"):
    ...     rows = [row.format(i=f"{name}{i}", lon=45.8695) for i in range(3)]
    ...     rows.append(row.format(i=f"{name}9", lon="north"))
    ...     _ = (folder / f"{name}.csv").write_text(header + "".join(rows))
    >>> events, rejects = read_acled(str(folder / "*.csv"))
    >>> events.npartitions, events.crs.to_epsg()
    (2, 4326)
    >>> events.compute().index.tolist()
    [0, 1, 2, 4294967296, 4294967297, 4294967298]
    >>> rejects.compute()["reason"].tolist()
    ["longitude 'north' is not a number", "longitude 'north' is not a number"]
"""

_MISSING_EXAMPLE = """\
    >>> {name}("no/such/folder/*.csv")
    Traceback (most recent call last):
    ...
    borderstrikes.errors.DataFileError: no file matches 'no/such/folder/*.csv'. ...
"""

read_acled.__doc__ = _DOC.format(name="read_acled", examples=_ACLED_EXAMPLE)
read_ucdp_ged.__doc__ = _DOC.format(
    name="read_ucdp_ged", examples=_MISSING_EXAMPLE.format(name="read_ucdp_ged")
)
read_gdelt_events.__doc__ = _DOC.format(
    name="read_gdelt_events", examples=_MISSING_EXAMPLE.format(name="read_gdelt_events")
)

# ---------------------------------------------------------------------------- strikes


def _strikes_piece(path: str, k: int, options: dict[str, Any], meta: Any) -> Any:
    frame = bsio.read_strikes(path, **options)
    _same_columns(frame, meta, Path(path).name, "columns")
    if not pd.api.types.is_integer_dtype(frame.index):
        frame = frame.reset_index(drop=True)
    return _offset(frame, k, Path(path).name)


def read_strikes(
    paths: Any,
    *,
    crs: Any = None,
    text: bool = False,
    max_bytes: float = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> Any:
    r"""Lazy :func:`borderstrikes.io.read_strikes`: one partition per file.

    Parameters
    ----------
    paths : str, path-like, or a list of them
        Files, folders, globs (as for :func:`read_acled`) of strike tables:
        GeoJSON, GeoPackage, Shapefile, FlatGeobuf, CSV (each possibly in a
        ``.zip`` holding that one dataset, or compressed), or GeoParquet
        (read with ``dask_geopandas.read_parquet``).
    crs, text, max_bytes, max_ratio
        As for :func:`borderstrikes.io.read_strikes`, applied to every file.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        One partition per file, columns, dtypes and CRS of the first file
        (read whole at call time for its ``_meta``; a later file whose
        columns or dtypes differ raises when computed). Index: ``file *
        2**32 + the in-memory index`` (a non-integer index is replaced by
        the position). The in-memory reader raises on rows it cannot read,
        so there is no rejects table.

    Raises
    ------
    borderstrikes.errors.DataFileError
        A missing file, an empty glob or folder (at call time); what the
        in-memory reader raises (for the first file at call time, for the
        others when computed).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from borderstrikes.dask import read_strikes
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a", "b"):
    ...     _ = (folder / f"{name}.csv").write_text("place,lon,lat\nJermuk,45.67,39.84\n")
    >>> strikes = read_strikes(folder)
    >>> strikes.npartitions, strikes.compute().index.tolist()
    (2, [0, 4294967296])
    """
    dask, dd, dask_geopandas = dask_modules()
    pieces, parquet = _pieces(paths, "strikes", member=None, blocksize=None, encoding=None)
    if parquet:
        frame = dask_geopandas.read_parquet([p.path for p in pieces])
        if frame.crs is None:
            msg = "the GeoParquet files have no CRS; write them with one (GeoParquet keeps it)."
            raise DataFileError(msg)
        return frame
    options = {"crs": crs, "text": text, "max_bytes": max_bytes, "max_ratio": max_ratio}
    first = bsio.read_strikes(pieces[0].path, **options)
    meta = first.iloc[:0]
    meta.attrs = {}
    if not pd.api.types.is_integer_dtype(meta.index):
        meta = meta.reset_index(drop=True)
    meta.index = pd.Index([], dtype=np.int64, name=first.index.name)
    token = dask.base.tokenize([(p, os.stat(p.path).st_mtime_ns) for p in pieces], options)
    parts = [
        dask.delayed(_strikes_piece, pure=True)(
            p.path, k, options, meta, dask_key_name=f"read-strikes-{token}-{k}"
        )
        for k, p in enumerate(pieces)
    ]
    return dd.from_delayed(parts, meta=meta, divisions=_divisions(len(pieces)), verify_meta=False)
