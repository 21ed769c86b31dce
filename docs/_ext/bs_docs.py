"""Sphinx helpers for the borderstrikes site: the API reference written from ``__all__``.

At ``builder-inited`` this writes ``docs/api/`` (generated, not committed): one page per
layer, a section per public module with the module docstring and a table of its
``__all__``, and one page per function or class. A name is documented once, under the
shortest public path (``borderstrikes.NAME`` when the package re-exports it); every other
module that exports it links to that page. A new public module, or a new name in an
``__all__``, appears without an edit here: a module missing from :data:`LAYERS` lands in
"Other modules". It also copies ``notebooks/*.ipynb`` into ``docs/notebooks/`` so that
myst-nb can execute them.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import pkgutil
import shutil
import sys
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
API = DOCS / "api"

#: Layer pages, bottom to top of the package's layers, and the public modules on each.
LAYERS: list[tuple[str, str, str, list[str]]] = [
    (
        "data",
        "Data",
        "The shipped data and its loaders, the strike-report schema, and the one place "
        "defaults are resolved.",
        ["borderstrikes.datasets", "borderstrikes.strikes", "borderstrikes.defaults"],
    ),
    (
        "geodesy",
        "Geodesy",
        "Arrays in, arrays out: the WGS84 segment solver and the border index.",
        ["borderstrikes.geodesy"],
    ),
    (
        "distances",
        "Distances and borders",
        "Distance and side of each report, borders, place names and directions of fire.",
        ["borderstrikes.border", "borderstrikes.gazetteer", "borderstrikes.origin"],
    ),
    (
        "clustering",
        "Clustering and incidents",
        "Space-time DBSCAN on exact geodesic distances; reports of one strike grouped into "
        "incidents; records of two event tables matched.",
        ["borderstrikes.clustering", "borderstrikes.incidents", "borderstrikes.matching"],
    ),
    (
        "areas",
        "Areas and claims",
        "Geodesic areas, buffer zones, fronts, weapon ranges, exposure and the claims check.",
        [
            "borderstrikes.areas",
            "borderstrikes.claims",
            "borderstrikes.ranges",
            "borderstrikes.exposure",
        ],
    ),
    (
        "uncertainty",
        "Uncertainty",
        "How a report's location radius carries into distances and clusters.",
        ["borderstrikes.uncertainty"],
    ),
    (
        "timeline",
        "Timeline",
        "Counts of reports over time, each spread over its date interval.",
        ["borderstrikes.timeline"],
    ),
    (
        "readers",
        "Readers",
        "Event files from ACLED, UCDP GED and GDELT, strike tables, and safe writers.",
        ["borderstrikes.io"],
    ),
    (
        "maps",
        "Maps",
        "The publication map, the timeline chart and the interactive map.",
        ["borderstrikes.viz"],
    ),
    (
        "report",
        "Report, case file and command line",
        "The full report, the case file for other tools, and the ``borderstrikes`` command "
        "(see also :doc:`/user-guide/cli`).",
        ["borderstrikes.report", "borderstrikes.export", "borderstrikes.cli"],
    ),
    (
        "dask",
        "Dask",
        "The same analyses on partitioned ``dask_geopandas`` frames "
        '(``pip install "borderstrikes[dask]"``).',
        ["borderstrikes.dask"],
    ),
    (
        "errors",
        "Errors and versions",
        "Exceptions and warnings, and the version report to attach to a bug.",
        ["borderstrikes.errors", "borderstrikes"],
    ),
]

#: Old module names kept as deprecated aliases; documented as such, never imported here.
DEPRECATED_ALIASES = {
    "distributed": "borderstrikes.dask",
    "interactive": "borderstrikes.viz.interactive",
    "plotting": "borderstrikes.viz.static",
    "readers": "borderstrikes.io",
}

#: Modules that are not part of the reference (test configuration, the ``-m`` entry point).
SKIP_MODULES = {"borderstrikes.conftest", "borderstrikes.__main__"}


def _import(name: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module(name)


def public_modules() -> list[str]:
    """Top-level public modules and subpackages of borderstrikes (no deprecated alias)."""
    import borderstrikes

    names = []
    for info in pkgutil.iter_modules(borderstrikes.__path__):
        if info.name.startswith("_") or info.name in DEPRECATED_ALIASES:
            continue
        full = f"borderstrikes.{info.name}"
        if full not in SKIP_MODULES:
            names.append(full)
    return sorted(names)


def layers() -> list[tuple[str, str, str, list[str]]]:
    """:data:`LAYERS` plus an "Other modules" page for public modules not placed yet."""
    placed = {m for *_, modules in LAYERS for m in modules}
    other = [m for m in public_modules() if m not in placed]
    out = [(s, t, x, [m for m in mods if _exists(m)]) for s, t, x, mods in LAYERS]
    if other:
        text = "Public modules not placed on a layer page yet."
        out.append(("other", "Other modules", text, other))
    return out


def _exists(name: str) -> bool:
    try:
        _import(name)
    except ImportError:
        return False
    return True


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if inspect.ismodule(obj):
        return "module"
    if callable(obj):
        return "function"
    return "data"


def _attr_doc(name: str, obj) -> str:
    """Return the ``#:`` comment documenting a module constant, from the module defining it."""
    from sphinx.pycode import ModuleAnalyzer

    for modname, module in sorted(sys.modules.items()):
        if not modname.startswith("borderstrikes") or module is None:
            continue
        if getattr(module, name, _MISSING) is not obj:
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # a module without source: no comment
            continue
        if ("", name) in docs:
            return "\n".join(docs["", name]).strip()
    return ""


_MISSING = object()


def _underline(title: str, char: str) -> str:
    return f"{title}\n{char * len(title)}\n"


def plan() -> dict:
    """Where every public name is documented: ``{"objects": {...}, "modules": {...}}``.

    ``objects`` maps the documented path of each function or class to ``(kind, obj)``;
    ``modules`` maps each public module to rows ``(name, documented path, kind)``.
    """
    import borderstrikes

    names = [n for n in borderstrikes.__all__ if n not in DEPRECATED_ALIASES]
    top = {n: getattr(borderstrikes, n) for n in names}
    documented: dict[int, str] = {}
    objects: dict[str, tuple[str, object]] = {}
    owner: dict[str, str] = {}  # documented path -> the module section that owns its page
    modules: dict[str, list[tuple[str, str, str]]] = {}
    for _slug, _title, _text, mods in layers():
        for modname in mods:
            module = _import(modname)
            rows = []
            for name in getattr(module, "__all__", []):
                if modname == "borderstrikes" and name in DEPRECATED_ALIASES:
                    continue
                obj = getattr(module, name)
                kind = _kind(obj)
                if kind == "module":
                    rows.append((name, obj.__name__, kind))
                    continue
                if modname == "borderstrikes" and id(obj) in documented:
                    continue  # the package section lists only names no module section has
                if kind == "data":
                    rows.append((name, f"{modname}.{name}", kind))
                    continue
                if id(obj) not in documented:
                    path = f"borderstrikes.{name}" if top.get(name) is obj else f"{modname}.{name}"
                    documented[id(obj)] = path
                    objects[path] = (kind, obj)
                    owner[path] = modname
                rows.append((name, documented[id(obj)], kind))
            modules[modname] = rows
    return {"objects": objects, "modules": modules, "owner": owner}


def _object_page(path: str, kind: str) -> str:
    directive = {"function": "autofunction", "class": "autoclass", "exception": "autoexception"}
    title = path.removeprefix("borderstrikes.")  # the signature below gives the full path
    lines = [_underline(title, "="), f".. {directive[kind]}:: {path}"]
    if kind != "function":
        lines += ["   :members:", "   :show-inheritance:"]
    return "\n".join(lines) + "\n"


def _data_entry(modname: str, name: str, obj) -> str:
    value = repr(obj)
    lines = [f".. py:data:: {name}", f"   :module: {modname}"]
    if len(value) <= 70 and "\n" not in value:
        lines.append(f"   :value: {value}")
    doc = _attr_doc(name, obj)
    if doc:
        lines.append("")
        lines += [f"   {line}" if line else "" for line in doc.splitlines()]
    return "\n".join(lines) + "\n"


def _module_section(modname: str, rows) -> str:
    module = _import(modname)
    title = "The package: ``borderstrikes``" if modname == "borderstrikes" else f"``{modname}``"
    out = [_underline(title, "-")]
    out.append(f".. automodule:: {modname}\n   :no-members:\n")
    if modname == "borderstrikes":
        out.append(
            "Every name below ``borderstrikes.__all__`` that no module section lists. "
            "The package also re-exports the main function of each layer "
            "(``import borderstrikes as bs; bs.distance_to_border(...)``); their pages are "
            "under the module sections.\n"
        )
    callables = [r for r in rows if r[2] in ("function", "class", "exception")]
    if callables:
        out.append(".. py:currentmodule:: None\n")  # the rows are full paths
        out.append(".. autosummary::\n")
        out += [f"   {path}" for _name, path, _kind in callables]
        out.append("")
    submodules = [path for _name, path, kind in rows if kind == "module"]
    if submodules:
        out.append("Modules: " + ", ".join(f":mod:`{path}`" for path in submodules) + ".\n")
    data = [r for r in rows if r[2] == "data"]
    if data:
        out.append(_underline(f"Constants of ``{modname}``", "~"))
        for name, _path, _kind in data:
            out.append(_data_entry(modname, name, getattr(module, name)))
    return "\n".join(out) + "\n"


def write_reference(app=None) -> None:
    """Write ``docs/api`` from the package's ``__all__`` lists (only files that changed)."""
    done = plan()
    pages: dict[Path, str] = {}
    for path, (kind, _obj) in done["objects"].items():
        pages[API / "generated" / f"{path}.rst"] = _object_page(path, kind)
    index = [
        ".. _api:\n",
        _underline("API reference", "="),
        "Every public name of borderstrikes, generated from the docstrings and the "
        "``__all__`` of each module, grouped by layer from the bottom (data) to the top "
        "(report, command line). ``import borderstrikes as bs`` gives the names listed under "
        "the package; everything else is imported from its module.\n",
        ".. toctree::\n   :maxdepth: 2\n",
    ]
    for slug, title, text, mods in layers():
        index.append(f"   {slug}")
        body = [f".. _api-{slug}:\n", _underline(title, "="), text + "\n"]
        body += [_module_section(m, done["modules"][m]) for m in mods]
        owned = sorted(path for path, module in done["owner"].items() if module in mods)
        if owned:
            body.append(".. toctree::\n   :hidden:\n")
            body += [f"   generated/{path}" for path in owned]
        pages[API / f"{slug}.rst"] = "\n".join(body) + "\n"
    index.append("   deprecated")
    pages[API / "index.rst"] = "\n".join(index) + "\n"
    aliases = [
        _underline("Deprecated module names", "="),
        "These old names still import, with a ``FutureWarning``; they are removed in 0.3.\n",
        ".. list-table::\n   :header-rows: 1\n",
        "   * - old name\n     - use instead",
    ]
    for old, new in DEPRECATED_ALIASES.items():
        aliases.append(f"   * - ``borderstrikes.{old}``\n     - :mod:`{new}`")
    pages[API / "deprecated.rst"] = "\n".join(aliases) + "\n"
    stale = set(API.rglob("*.rst")) - set(pages) if API.exists() else set()
    for path in stale:
        path.unlink()
    for path, text in pages.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def _cell(value) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def write_registry(app=None) -> None:
    """Write ``docs/api/registry.md.inc``: one row per entry of ``data/registry.json``."""
    from borderstrikes.datasets import registry

    columns = ["name", "filename", "source", "license", "attribution", "crs", "shape"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for name, entry in registry().items():
        source = f"{entry.get('source_package', '')} {entry.get('source_version', '')}".strip()
        shape = f"{entry.get('nrows', '')} x {entry.get('ncols', '')}"
        row = [
            name,
            f"`{entry.get('filename', '')}`",
            source,
            entry.get("license"),
            entry.get("attribution"),
            entry.get("crs"),
            shape,
        ]
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    path = API / "registry.md.inc"
    text = "\n".join(lines) + "\n"
    API.mkdir(exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def copy_notebooks(app=None) -> None:
    """Copy ``notebooks/*.ipynb`` to ``docs/notebooks`` (generated; myst-nb executes them)."""
    target = DOCS / "notebooks"
    target.mkdir(exist_ok=True)
    sources = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for stale in set(target.glob("*.ipynb")) - {target / s.name for s in sources}:
        stale.unlink()
    for source in sources:
        copy = target / source.name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)


def write_interactive_map(app, exception) -> None:
    """Run ``docs/gallery_interactive.py`` into ``_static/interactive-map.html`` of the site."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    script = DOCS / "gallery_interactive.py"
    code = compile(script.read_text(encoding="utf-8"), str(script), "exec")
    with contextlib.chdir(static):  # the script writes interactive-map.html where it runs
        exec(code, {"__name__": "gallery_interactive"})


def cli_parser():
    """Return the ``borderstrikes`` argument parser, for sphinx-argparse."""
    from borderstrikes.cli import build_parser

    return build_parser()


def setup(app):
    """Register the generators with Sphinx (before autosummary and autodoc read anything)."""
    app.connect("builder-inited", write_reference, priority=100)
    app.connect("builder-inited", copy_notebooks, priority=100)
    app.connect("builder-inited", write_registry, priority=100)
    app.connect("build-finished", write_interactive_map)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
