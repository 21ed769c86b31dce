"""Writing output files: CSV a spreadsheet cannot run, one vector layer, all-or-nothing folders.

Every file the package writes goes through this module:

- :func:`write_csv` -- every CSV (the report's tables and every ``-o x.csv``
  of the command line). Text cells that start with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return are prefixed with ``'`` so that a
  spreadsheet shows them instead of evaluating them as formulas (OWASP, "CSV
  Injection"; the rule is :func:`borderstrikes._core.escape.csv_cell`).
  Numbers are left alone.
- :func:`write_vector` -- one layer of a GeoPackage or GeoJSON file. A
  GeoPackage keeps its other layers: only the named layer is added or replaced.
- :func:`atomic_folder` -- a folder written all at once: the files go to a
  temporary folder next to the target (same parent directory, hence the same
  file system), which is renamed into place only when everything succeeded.
- :func:`sources_text` -- the credits of the data an output is built from.

Files are written to a temporary name and renamed over the target, so a
failure leaves an existing file as it was and a symbolic link at the target is
replaced, never written through.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from borderstrikes import datasets
from borderstrikes._core.escape import csv_cell

__all__ = [
    "EVENT_DATASET_CREDITS",
    "OUTPUT_MARKER",
    "atomic_file",
    "atomic_folder",
    "check_output_folder",
    "credit_line",
    "csv_safe",
    "sources_text",
    "write_csv",
    "write_sources",
    "write_vector",
]

#: Name of the file that marks a folder as written by borderstrikes (and so replaceable).
OUTPUT_MARKER = ".borderstrikes-output"

#: How to credit each event dataset a reader knows: credit line, licence or terms, where.
EVENT_DATASET_CREDITS = MappingProxyType(
    {
        "ACLED": {
            "credit": "Armed Conflict Location & Event Data (ACLED); www.acleddata.com",
            "license": "ACLED Terms of Use: attribution required; the terms restrict "
            "redistributing the data itself, so check them before publishing row-level tables",
            "terms": "https://acleddata.com/terms-of-use/",
        },
        "UCDP GED": {
            "credit": "UCDP Georeferenced Event Dataset (GED), Uppsala Conflict Data Program, "
            "ucdp.uu.se; Sundberg, Ralph and Erik Melander (2013), 'Introducing the UCDP "
            "Georeferenced Event Dataset', Journal of Peace Research 50(4)",
            "license": "CC BY 4.0",
            "terms": "https://ucdp.uu.se/downloads/",
        },
        "GDELT": {
            "credit": "The GDELT Project; www.gdeltproject.org",
            "license": "free for any use; every use or redistribution must cite the GDELT "
            "Project and link to www.gdeltproject.org",
            "terms": "https://www.gdeltproject.org/about.html#termsofuse",
        },
    }
)

_VECTOR_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}


# ---------------------------------------------------------------------------- CSV


def _safe_labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        safe = index.map(lambda key: tuple(csv_cell(part) for part in key))
    else:
        safe = index.map(csv_cell)
    return safe.set_names([csv_cell(name) for name in index.names])


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with every text cell, label and name passed through csv_cell.

    Examples
    --------
    >>> csv_safe(pd.DataFrame({"note": ["=1+1", "ok"], "km": [-2.5, 3.0]}))
        note   km
    0  '=1+1 -2.5
    1     ok  3.0
    """
    safe = pd.DataFrame(frame).copy()
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        kept = (
            pd.api.types.is_numeric_dtype(column.dtype)
            or pd.api.types.is_datetime64_any_dtype(column.dtype)
            or pd.api.types.is_timedelta64_dtype(column.dtype)
            or column.dtype.name == "geometry"  # written as WKT, which starts with a letter
        )
        if not kept:  # text, objects, categories
            safe.isetitem(position, column.astype(object).map(csv_cell))
    safe.columns = _safe_labels(safe.columns)
    safe.index = _safe_labels(safe.index)
    return safe


@contextlib.contextmanager
def atomic_file(path: str | Path, *, keep_existing: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; it replaces ``path`` only on success.

    A writer that fails half-way leaves no partial file and an existing
    ``path`` unchanged. The rename replaces a symbolic link at ``path``
    itself, never the file it points to. With ``keep_existing``, the
    temporary file starts as a copy of the existing file (to add a layer to it).
    """
    target = Path(path)
    if target.is_dir() and not target.is_symlink():
        msg = f"{target} is a folder; give a file name."
        raise IsADirectoryError(msg)
    handle, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(handle)
    temporary = Path(name)
    temporary.unlink()  # the writers create it (GDAL will not write into an empty file)
    try:
        if keep_existing and target.is_file():
            shutil.copy2(target, temporary)
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = True) -> Path:
    """Write ``frame`` to a CSV file that no spreadsheet runs as formulas.

    This is the one CSV writer of the package: the report's tables and every
    ``-o FILE.csv`` of the command line go through it. Text cells (and
    labels) starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return get a leading ``'`` (OWASP's advice on CSV injection), so
    ``=HYPERLINK(...)`` in a place name or a note is shown, not evaluated.
    Numbers, negative ones included, are written unchanged. The file is
    written under a temporary name and renamed into place.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (a GeoDataFrame's geometry is written as WKT).
    path : str or path-like
        The file to write; replaced if it exists.
    index : bool, default True
        Write the row labels as the first column.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = Path(path)
    safe = csv_safe(frame)
    with atomic_file(target) as temporary:
        safe.to_csv(temporary, index=index)
    return target


# ---------------------------------------------------------------------------- vector


def write_vector(
    frame: Any,
    path: str | Path,
    *,
    layer: str | None = None,
    description: str | None = None,
    driver: str | None = None,
) -> Path:
    """Write a GeoDataFrame as one layer of a GeoPackage (``.gpkg``) or a GeoJSON file.

    A GeoPackage that exists keeps its other layers: the layer ``layer``
    (default: the file name without suffix) is added, or replaced if it is
    there. The file is changed through a copy renamed into place, so a
    failure leaves it as it was.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The features.
    path : str or path-like
        A ``.gpkg``, ``.geojson`` or ``.json`` file.
    layer : str, optional
        Layer name; default ``Path(path).stem``.
    description : str, optional
        Stored as the layer's description (``gpkg_contents.description`` in a
        GeoPackage, the ``description`` member of a GeoJSON file), e.g. the
        data credits.
    driver : {"GPKG", "GeoJSON"}, optional
        Default: from the suffix of ``path``.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = Path(path)
    driver = driver or _VECTOR_DRIVERS.get(target.suffix.lower())
    if driver not in {"GPKG", "GeoJSON"}:
        msg = f"write {target.name!r} as .gpkg or .geojson (got {target.suffix!r})."
        raise ValueError(msg)
    keep = driver == "GPKG" and target.exists()
    if keep:
        import pyogrio

        try:
            pyogrio.list_layers(target)
        except Exception as exc:  # pyogrio's DataSourceError is no OSError
            msg = f"{target} exists and is not a GeoPackage; not replacing it ({exc})."
            raise ValueError(msg) from exc
    options = {"DESCRIPTION": description} if description else None
    with atomic_file(target, keep_existing=keep) as temporary:
        frame.to_file(
            temporary,
            driver=driver,
            layer=layer or target.stem,
            engine="pyogrio",
            layer_options=options,
        )
    return target


# ---------------------------------------------------------------------------- credits


def _event_lines(entry: Mapping[str, Any]) -> list[str]:
    dataset = str(entry.get("dataset", ""))
    credit = EVENT_DATASET_CREDITS.get(dataset)
    lines = [f"- {dataset} events from {entry.get('file', 'a file')}"]
    if credit is None:
        lines.append("  Credit the dataset as its publisher asks.")
        return lines
    lines += [
        f"  Credit: {credit['credit']}",
        f"  Licence / terms: {credit['license']} ({credit['terms']})",
    ]
    if entry.get("codebook"):
        lines.append(f"  Codebook: {entry['codebook']}")
    return lines


def credit_line(provenance: Iterable[Mapping[str, Any]] = ()) -> str:
    """One line to print under a chart or table: the event datasets, then the shipped data."""
    parts = []
    for entry in provenance:
        credit = EVENT_DATASET_CREDITS.get(str(entry.get("dataset", "")))
        if credit is not None:
            parts.append(credit["credit"].split(";")[0])
    parts += [
        "boundaries © OpenStreetMap contributors (ODbL 1.0)",
        "places: GeoNames (CC BY 4.0), Wikipedia (CC BY-SA 4.0)",
        "strike reports and claims: borderstrikes (CC BY 4.0), sources cited per row",
    ]
    return "Data: " + "; ".join(dict.fromkeys(parts)) + ". Analysis: borderstrikes."


def sources_text(
    provenance: Iterable[Mapping[str, Any]] = (), *, title: str = "borderstrikes output"
) -> str:
    """Write out the credits of an output: the event datasets read, then the shipped data.

    Parameters
    ----------
    provenance : iterable of dict
        ``frame.attrs["provenance"]`` entries: those of an event reader
        (with a ``dataset`` key) are credited with their licence or terms.
    title : str
        What the credits are for, as the first line.

    Returns
    -------
    str
        Plain text: a one-line credit to print with a chart or table, then
        one entry per dataset with its licence and attribution.
    """
    provenance = list(provenance)
    lines = [
        f"Sources and credits: {title}",
        "",
        "Credit line: " + credit_line(provenance),
        "",
    ]
    events = [entry for entry in provenance if "dataset" in entry]
    if events:
        lines.append("Event data")
        for entry in events:
            lines += _event_lines(entry)
        lines.append("")
    lines.append("Data shipped with borderstrikes (each output uses some of these)")
    for entry in datasets.registry().values():
        lines.append(
            f"- {entry['name']} ({entry['filename']}): licence {entry.get('license', '?')}. "
            f"{entry.get('attribution', '')}"
        )
    lines += [
        "",
        "Each strike report and claim names its claimant and cites its source (the "
        "source_url columns); a report is a claim, not a verified fact.",
        "CSV cells starting with = + - @, a tab or a carriage return are prefixed with ' so "
        "that spreadsheets show them as text.",
        "",
    ]
    return "\n".join(lines)


def write_sources(text: str, path: str | Path) -> Path:
    """Write credits (from :func:`sources_text`) to ``path``, through a renamed temporary file."""
    target = Path(path)
    with atomic_file(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return target


# ---------------------------------------------------------------------------- folders


def _protected(folder: Path) -> bool:
    """Tell whether ``folder`` is home, the working folder or a parent of it, or a root."""
    resolved = folder.resolve()
    cwd = Path.cwd().resolve()
    return (
        resolved == Path.home().resolve()
        or resolved == cwd
        or resolved in cwd.parents
        or resolved.parent == resolved
    )


def _ours(folder: Path) -> bool:
    marker = folder / OUTPUT_MARKER
    return marker.is_file() and not marker.is_symlink()


def check_output_folder(out: str | Path, *, force: bool = False) -> Path:
    """Check that ``out`` may be (re)placed by a folder of results; raise if not.

    Call it before any long computation so a bad ``out`` fails at once.
    ``out`` may be missing, an empty folder, or a folder borderstrikes wrote
    (it holds :data:`OUTPUT_MARKER`). A folder with other files, or a
    symbolic link, is replaced only with ``force``. An existing file, the
    home folder, the working folder (or a parent of it) and a file-system
    root are always refused.

    Raises
    ------
    FileExistsError
        ``out`` is a file, a symbolic link, or a folder borderstrikes did not write.
    """
    folder = Path(out).expanduser()
    if folder.is_symlink():
        if not force:
            msg = (
                f"{folder} is a symbolic link; give another --out, or --force to replace "
                "the link (its target is left alone)."
            )
            raise FileExistsError(msg)
        return folder
    if folder.exists() and not folder.is_dir():
        msg = f"{folder} is an existing file, not a folder; give a folder for --out."
        raise FileExistsError(msg)
    if folder.is_dir():
        if _protected(folder):
            msg = (
                f"{folder} is the home folder, the working folder or one of its parents; "
                "write the report to a folder of its own."
            )
            raise FileExistsError(msg)
        if not force and not _ours(folder) and any(folder.iterdir()):
            msg = (
                f"{folder} is a folder borderstrikes did not write and it is not empty; "
                "give a new folder for --out, or --force to replace it (its files are deleted)."
            )
            raise FileExistsError(msg)
    return folder


def _missing_parents(folder: Path) -> list[Path]:
    missing = []
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    return missing


@contextlib.contextmanager
def atomic_folder(out: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a new empty folder; on success it replaces ``out`` all at once.

    The folder is created next to ``out`` (same parent directory, so the final
    rename never crosses a file system) and holds :data:`OUTPUT_MARKER`. On
    success an existing ``out`` is renamed aside, the new folder renamed to
    ``out`` and the old one deleted; if anything fails (an exception, or
    ``SystemExit`` raised from a signal handler) the new folder is deleted and
    ``out`` is left as it was. Nothing is ever written through a symbolic link:
    the files are new files in a new folder, and a link at ``out`` is replaced
    by the folder (with ``force``), not followed. ``out`` is checked with
    :func:`check_output_folder` first.
    """
    folder = check_output_folder(out, force=force)
    created = _missing_parents(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            (temporary / OUTPUT_MARKER).write_text(
                json.dumps({"written_by": "borderstrikes"}) + "\n", encoding="utf-8"
            )
            yield temporary
            temporary.chmod(0o777 & ~_umask())
            check_output_folder(folder, force=force)  # nothing changed meanwhile
            _replace_folder(temporary, folder)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
    except BaseException:
        for parent in created:  # innermost first
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace_folder(new: Path, folder: Path) -> None:
    if folder.is_symlink():
        folder.unlink()  # the link goes; what it pointed to stays
    if not folder.exists():
        os.rename(new, folder)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
    aside.rmdir()
    os.rename(folder, aside)
    try:
        os.rename(new, folder)
    except BaseException:
        os.rename(aside, folder)
        raise
    shutil.rmtree(aside, ignore_errors=True)
