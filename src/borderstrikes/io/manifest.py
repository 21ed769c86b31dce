"""A JSON run manifest: what went in, with which settings and versions, and what came out.

Investigators cite a figure together with the run that produced it (Berkeley Protocol
practice). :func:`run_manifest` records every input and output file with its sha256, the
parameters, the versions of borderstrikes, PROJ, GEOS and GDAL, and the UTC time;
:func:`write_manifest` writes it as JSON with sorted keys, so two runs on the same inputs
give the same file except for ``created_utc``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MANIFEST_VERSION", "run_manifest", "write_manifest"]

#: Version of the manifest layout; bump it when a key changes meaning.
MANIFEST_VERSION = 1

_CHUNK = 1 << 20


def _file_entry(path: str | os.PathLike[str]) -> dict[str, Any]:
    file = Path(path)
    if not file.is_file():
        msg = f"manifest file must be an existing file (got {str(path)!r})."
        raise FileNotFoundError(msg)
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return {"path": str(path), "bytes": file.stat().st_size, "sha256": digest.hexdigest()}


def _versions() -> dict[str, str | None]:
    from borderstrikes import __version__
    from borderstrikes._core.versions import versions

    libraries = versions()["libraries"]
    return {
        "borderstrikes": __version__,
        "PROJ": libraries["PROJ"],
        "GEOS": libraries["GEOS"],
        "GDAL": libraries["GDAL"],
    }


def _jsonable(value: Any) -> Any:
    """Parameters as JSON values: paths become text, tuples lists, mappings dicts."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    msg = (
        f"manifest parameters must be JSON values, paths, lists or mappings "
        f"(got {type(value).__name__}: {value!r}). Pass str(value) if a text form is meant."
    )
    raise TypeError(msg)


def run_manifest(
    *,
    command: str | Sequence[str],
    inputs: Sequence[str | os.PathLike[str]],
    parameters: Mapping[str, Any],
    outputs: Sequence[str | os.PathLike[str]],
) -> dict[str, Any]:
    """Describe one run: inputs and outputs with sha256, parameters, versions, UTC time.

    Parameters
    ----------
    command : str or sequence of str
        What was run, e.g. ``"borderstrikes report"`` or the argv list.
    inputs : sequence of path-like
        Files read (each must exist); recorded in the order given.
    parameters : mapping
        Settings of the run (JSON values, paths, lists or mappings).
    outputs : sequence of path-like
        Files written (each must exist); recorded in the order given.

    Returns
    -------
    dict
        Keys ``manifest_version``, ``command``, ``inputs`` and ``outputs`` (lists of
        ``{"path", "bytes", "sha256"}``), ``parameters``, ``versions``
        (``borderstrikes``, ``PROJ``, ``GEOS``, ``GDAL``) and ``created_utc``
        (ISO 8601, seconds, ``Z``).

    Raises
    ------
    FileNotFoundError
        If an input or output is not an existing file.
    TypeError
        If a parameter is not JSON-able.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "in.txt").write_text("abc")
    >>> m = run_manifest(command="demo", inputs=[folder / "in.txt"], parameters={"n": 1},
    ...                  outputs=[])
    >>> m["inputs"][0]["sha256"][:12], m["parameters"]
    ('ba7816bf8f01', {'n': 1})
    """
    return {
        "manifest_version": MANIFEST_VERSION,
        "command": command if isinstance(command, str) else [str(part) for part in command],
        "inputs": [_file_entry(path) for path in inputs],
        "parameters": _jsonable(dict(parameters)),
        "outputs": [_file_entry(path) for path in outputs],
        "versions": _versions(),
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def write_manifest(path: str | os.PathLike[str], manifest: Mapping[str, Any]) -> Path:
    r"""Write a manifest as UTF-8 JSON with sorted keys, two-space indent and a final newline.

    Parameters
    ----------
    path : path-like
        File to write (replaced if it exists).
    manifest : mapping
        Usually the result of :func:`run_manifest`.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "manifest.json"
    >>> _ = write_manifest(out, {"b": 1, "a": [2]})
    >>> out.read_text()
    '{\n  "a": [\n    2\n  ],\n  "b": 1\n}\n'
    """
    out = Path(path)
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    out.write_text(text, encoding="utf-8")
    return out
