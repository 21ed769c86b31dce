"""The package keeps its layers: imports go one way, no cycles, no private names across modules.

The layers, bottom to top (a module may import only from its own layer or the
ones below it, never upward, not even inside a function):

0. ``errors`` and ``_core`` -- constants, units, validators, optional imports, the lazy seam;
1. ``geodesy`` -- arrays in, arrays out;
2. ``datasets`` and ``strikes`` -- the shipped data and the strike schema;
3. ``io`` -- readers of other people's files;
4. the analyses -- ``border``, ``gazetteer``, ``areas``, ``clustering``,
   ``uncertainty``, ``claims``, ``origin``, ``ranges``, ``exposure``, ``timeline``,
   ``incidents``, ``matching``;
5. ``dask`` and ``viz`` -- the lazy layer and the maps;
6. ``report``, ``export``, ``cli``, the package itself and the deprecated module aliases.

Inside a layer, imports may go either way as long as they form no cycle. A
dask input reaches layer 5 through :mod:`borderstrikes._core.lazy`, by name,
at run time. This test parses the sources with :mod:`ast`; it has no allow-list.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "borderstrikes"
NAME = "borderstrikes"

LAYERS: list[tuple[str, ...]] = [
    ("errors", "_core"),
    ("geodesy",),
    ("datasets", "defaults", "strikes"),
    ("io",),
    (
        "border",
        "gazetteer",
        "areas",
        "clustering",
        "uncertainty",
        "claims",
        "origin",
        "ranges",
        "exposure",
        "timeline",
        "incidents",
        "matching",
    ),
    ("dask", "viz"),
    (
        "report",
        "export",
        "cli",
        "__main__",
        "__init__",
        "distributed",
        "interactive",
        "plotting",
        "readers",
    ),
]
#: Third-party packages only some layers may import.
ONLY_IN = {
    "dask": ("dask",),
    "dask_geopandas": ("dask",),
    "distributed": ("dask",),
    "matplotlib": ("viz", "report", "cli"),
    "contextily": ("viz",),
    "folium": ("viz",),
    "branca": ("viz",),
    "sklearn": (),
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.name == "conftest":
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join([NAME, *parts])] = path
    return found


MODULES = _modules()


def _top(module: str) -> str:
    """The first name below the package (``borderstrikes`` itself is ``__init__``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(module: str) -> int:
    top = _top(module)
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    msg = f"{module} is in no layer; add {top!r} to LAYERS in tests/test_layers.py"
    raise AssertionError(msg)


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if MODULES[importer].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> list[tuple[int, str, str | None]]:
    """(line, imported module, imported name or None) for every import in ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in MODULES:  # `from pkg import module`
                    out.append((node.lineno, sub, None))
                else:
                    out.append((node.lineno, source, alias.name))
    return out


def _internal(target: str) -> str | None:
    """The package module an import loads (the longest known prefix), or None."""
    parts = target.split(".")
    while parts:
        name = ".".join(parts)
        if name in MODULES:
            return name
        parts.pop()
    return None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for _, target, _ in _imports(module):
            if target.split(".")[0] == NAME and (dep := _internal(target)) and dep != module:
                graph[module].add(dep)
    return graph


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


def test_no_upward_import():
    upward = [
        f"{module}:{line} imports {target} (layer {_layer(target)} above {_layer(module)})"
        for module in MODULES
        for line, target, _ in _imports(module)
        if target.split(".")[0] == NAME
        and _internal(target)
        and _layer(_internal(target)) > _layer(module)
    ]
    assert upward == []


def test_no_import_cycle():
    graph = _graph()
    seen: dict[str, int] = {}  # 1: on the stack, 2: done
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for dep in sorted(graph[node]):
            if seen.get(dep) == 1:
                cycles.append(" -> ".join([*stack[stack.index(dep) :], dep]))
            elif dep not in seen:
                visit(dep, [*stack, dep])
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node, [node])
    # A package importing its own submodules is how a package is made, not a cycle.
    real = [c for c in cycles if not _only_package_init(c)]
    assert real == []


def _only_package_init(cycle: str) -> bool:
    names = cycle.split(" -> ")
    return (
        any(
            a != b and (b.startswith(a + ".") or a.startswith(b + "."))
            for a, b in itertools.pairwise(names)
        )
        and len(set(names)) == 2
    )


def test_no_private_name_across_modules():
    private = [
        f"{module}:{line} imports {name} from {target}"
        for module in MODULES
        for line, target, name in _imports(module)
        if target.split(".")[0] == NAME
        and name is not None
        and name.startswith("_")
        and not name.startswith("__")
        and _internal(target) != module
    ]
    assert private == []


def test_no_private_attribute_of_another_module():
    """``module._name`` on an imported package module is a private import in disguise."""
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = _resolve(module, node)
                for alias in node.names:
                    if f"{source}.{alias.name}" in MODULES:
                        bound[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == NAME and alias.asname:
                        bound[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{module}:{node.lineno} uses {bound[node.value.id]}.{node.attr}")
    assert found == []


@pytest.mark.parametrize("package", sorted(ONLY_IN))
def test_heavy_dependencies_stay_in_their_layer(package):
    where = [
        f"{module}:{line}"
        for module in MODULES
        for line, target, _ in _imports(module)
        if target.split(".")[0] == package and _top(module) not in ONLY_IN[package]
    ]
    assert where == []


def test_the_test_sees_a_violation(tmp_path, monkeypatch):
    """The checks are not vacuous: an upward import inside a function is caught."""
    fake = tmp_path / "geodesy_fake.py"
    fake.write_text("def f():\n    from borderstrikes.report import write_report\n")
    monkeypatch.setitem(MODULES, "borderstrikes.geodesy.fake", fake)
    with pytest.raises(AssertionError, match=r"geodesy\.fake"):
        test_no_upward_import()


def test_shipped_data_is_read_in_one_place():
    """Analyses, maps and the dask layer take their inputs; defaults come from ``defaults``."""
    where = [
        f"{module}:{line}"
        for module in MODULES
        for line, target, _ in _imports(module)
        if _internal(target) == f"{NAME}.datasets" and _layer(module) in (4, 5)
    ]
    assert where == []
