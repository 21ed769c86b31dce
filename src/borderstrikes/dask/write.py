"""Partitioned GeoParquet output of lazy frames, with the run manifest.

:func:`to_parquet` hands the frame to dask-geopandas' own GeoParquet writer
(one ``part.N.parquet`` per partition, each computed and written by the task
that makes it, so memory stays bounded by a partition), inside a folder that
replaces the target only when everything is written
(:func:`borderstrikes.io.atomic_folder`), and adds ``_manifest.json``
(:func:`borderstrikes.io.manifest.run_manifest`): inputs, parameters,
versions, and every file written with its sha256. The leading ``_`` keeps
readers of the dataset (pyarrow's dataset discovery, ``dask_geopandas.read_parquet``)
from taking it for a part.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from borderstrikes.dask._shipping import dask_modules
from borderstrikes.io import atomic_folder, write_csv
from borderstrikes.io.manifest import run_manifest, write_manifest

__all__ = ["MANIFEST_NAME", "REJECTS_NAME", "compute", "to_parquet"]

#: Name of the run manifest in the output folder.
MANIFEST_NAME = "_manifest.json"

#: Name of the rejected records' table in the output folder (``rejects=``).
REJECTS_NAME = "_rejects.csv"


def to_parquet(
    frame: Any,
    directory: str | os.PathLike[str],
    *,
    manifest: bool = True,
    inputs: Sequence[str | os.PathLike[str]] = (),
    parameters: Mapping[str, Any] | None = None,
    command: str | Sequence[str] | None = None,
    force: bool = False,
    compression: str = "snappy",
    progress: bool = False,
    rejects: Any = None,
) -> Path:
    """Write a lazy frame as partitioned GeoParquet, one file per partition, with its manifest.

    Parameters
    ----------
    frame : dask_geopandas.GeoDataFrame or dask.dataframe.DataFrame
        The frame to write, e.g. a lazy reader's ``events`` or the lazy
        :func:`borderstrikes.distance_to_border` joined to it. A
        GeoDataFrame must have a CRS (GeoParquet keeps it).
    directory : str or path-like
        Output folder. It is written next to itself and renamed into place
        when every part is written; an existing folder is replaced only if
        it is empty or borderstrikes wrote it (``force=True`` for another).
    manifest : bool, default True
        Write ``_manifest.json``: ``inputs`` and every file written, each
        with its sha256, ``parameters``, versions and the UTC time.
    inputs : sequence of path-like, default ()
        The files read (recorded with their sha256).
    parameters : mapping, optional
        Settings of the run (JSON values), recorded as given; ``npartitions``
        and ``compression`` are added.
    command : str or sequence of str, optional
        What was run; default ``"borderstrikes.dask.to_parquet"``.
    force : bool, default False
        Replace an existing folder that borderstrikes did not write.
    compression : str, default "snappy"
        Parquet compression of the parts.
    progress : bool, default False
        Show a progress bar on stderr while the parts are computed and
        written (see :func:`compute`).
    rejects : dask.dataframe.DataFrame, optional
        A lazy reader's ``rejects``: computed in the same pass as the parts
        (each piece is read once) and written, whole, to ``_rejects.csv``
        (:func:`borderstrikes.io.write_csv`: no cell a spreadsheet runs),
        listed in the manifest. Rejects are few; they are gathered in this
        process.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    borderstrikes.errors.CRSError
        If a GeoDataFrame has no CRS.
    TypeError
        If ``frame`` is not a dask DataFrame.

    See Also
    --------
    dask_geopandas.GeoDataFrame.to_parquet, dask_geopandas.read_parquet

    Notes
    -----
    A column of Python objects (object dtype) must hold text: it is written
    as Parquet strings and read back as pandas' ``str`` dtype (a missing
    value as NaN); any other object raises ``TypeError`` when written.
    Read it back with ``dask_geopandas.read_parquet(directory)`` (the index
    is kept as a column named after it and restored), one part with
    ``geopandas.read_parquet``, or GDAL where it is built with its Parquet
    driver (the pyogrio 0.13 wheel and Debian 12's GDAL 3.6 lack it, so the
    tests read a part with geopandas and pyarrow). Writing computes the
    frame: with a distributed client active, the workers write the parts.

    Examples
    --------
    >>> import pathlib, tempfile, json
    >>> import dask_geopandas, geopandas
    >>> points = geopandas.GeoDataFrame(
    ...     {"n": [1, 2, 3]}, geometry=geopandas.points_from_xy([45.6, 45.7, 45.8], [39.8] * 3),
    ...     crs="EPSG:4326")
    >>> lazy = dask_geopandas.from_geopandas(points, npartitions=2)
    >>> out = to_parquet(lazy, pathlib.Path(tempfile.mkdtemp()) / "points")
    >>> sorted(p.name for p in out.glob("*.parquet"))
    ['part.0.parquet', 'part.1.parquet']
    >>> back = dask_geopandas.read_parquet(out).compute()
    >>> back["n"].tolist(), back.crs.to_epsg()
    ([1, 2, 3], 4326)
    >>> [f["path"] for f in json.loads((out / "_manifest.json").read_text())["outputs"]]
    ['part.0.parquet', 'part.1.parquet']
    """
    _, dd, dask_geopandas = dask_modules()
    if not isinstance(frame, dd.DataFrame):
        msg = (
            f"frame must be a dask DataFrame or dask_geopandas GeoDataFrame (got "
            f"{type(frame).__name__}); write an in-memory frame with its own to_parquet."
        )
        raise TypeError(msg)
    if isinstance(frame, dask_geopandas.GeoDataFrame):
        from borderstrikes._core.validate import as_geoseries, require_crs

        require_crs(as_geoseries(frame._meta, "frame"), "frame")
    text = [c for c, dtype in frame._meta.dtypes.items() if dtype == np.dtype(object)]
    if text:  # Parquet has no Python objects: text columns become strings (checked per row)
        meta = frame._meta.astype(dict.fromkeys(text, "str"))
        frame = frame.map_partitions(_as_text, text, meta=meta)
    target = Path(directory)
    with atomic_folder(target, force=force) as folder:
        writing = frame.to_parquet(
            folder,
            write_index=True,
            compression=compression,
            write_metadata_file=False,
            compute=False,
        )
        if rejects is None:
            compute(writing, progress=progress)
        else:
            _, rejected = compute(writing, rejects, progress=progress)
            write_csv(rejected, folder / REJECTS_NAME)
        if manifest:
            parts = sorted(
                (p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")),
                key=lambda p: p.relative_to(folder).as_posix(),
            )
            record = run_manifest(
                command=command or "borderstrikes.dask.to_parquet",
                inputs=list(inputs),
                parameters={
                    **dict(parameters or {}),
                    "npartitions": frame.npartitions,
                    "compression": compression,
                },
                outputs=parts,
            )
            for entry in record["outputs"]:  # relative to the folder: valid after the rename
                entry["path"] = Path(entry["path"]).relative_to(folder).as_posix()
            write_manifest(folder / MANIFEST_NAME, record)
    return target


def _as_text(part: Any, columns: list[str]) -> Any:
    """Object columns of text as pandas' ``str`` dtype; any other object is an error."""
    import pandas as pd

    for name in columns:
        values = part[name].dropna()
        odd = [v for v in values.head(1000) if not isinstance(v, str)] or [
            v for v in values if not isinstance(v, str)
        ]
        if odd:
            msg = (
                f"column {name!r} holds {type(odd[0]).__name__} values ({odd[0]!r}); Parquet "
                "stores text, numbers and dates. Convert the column before writing it."
            )
            raise TypeError(msg)
    return part.astype(dict.fromkeys(columns, pd.StringDtype("pyarrow", na_value=float("nan"))))


def compute(*collections: Any, progress: bool = False, out: Any = None) -> tuple[Any, ...]:
    """``dask.compute(*collections)``, with a progress bar on stderr if asked.

    Without a distributed client, the bar is dask's local
    ``dask.diagnostics.ProgressBar``; with one active
    (``distributed.Client(...)`` in this process), it is
    ``distributed.progress`` over the futures the client computes, which
    reports the tasks running on the cluster's workers.

    Parameters
    ----------
    *collections : dask collections
        What to compute (shared tasks run once).
    progress : bool, default False
        Show the bar (quiet by default, for scripts).
    out : file-like, optional
        Where the bar is written; default ``sys.stderr``.

    Returns
    -------
    tuple
        The computed results, in order.

    Examples
    --------
    >>> import io, dask
    >>> out = io.StringIO()
    >>> compute(dask.delayed(sum)([1, 2]), progress=True, out=out)
    (3,)
    >>> "100% Completed" in out.getvalue()
    True
    """
    dask, _, _ = dask_modules()
    if not progress:
        return tuple(dask.compute(*collections))
    out = sys.stderr if out is None else out
    client = _active_client()
    if client is None:
        from dask.diagnostics import ProgressBar

        with ProgressBar(out=out, minimum=0):
            return tuple(dask.compute(*collections))
    from distributed import progress as show

    futures = client.compute(list(collections))
    with contextlib.redirect_stdout(out):
        show(futures, notebook=False)
    return tuple(client.gather(futures))


def _active_client() -> Any:
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - distributed comes with the dask extra
        return None
    try:
        return default_client()
    except ValueError:
        return None
