"""The shape of the package: imports flow one way (no module-level import cycle) and modules stay small.

DESIGN.md: a lower room never imports a higher one at module level; where a lower room needs a higher one
(``net.fit``, ``net.trace``), it imports it inside the function. Modules stay under about 500 lines and
JavaScript files under about 400.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "glassnet"
MAX_PY_LINES = 500
MAX_JS_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The imports run when the module is imported: at the top level, or inside top-level if/try/with blocks
    (not inside functions or classes' methods, and not under ``if TYPE_CHECKING:``)."""
    found: list[ast.Import | ast.ImportFrom] = []

    def walk(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append(node)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    walk(node.body)
                walk(node.orelse)
            elif isinstance(node, ast.Try):
                walk(node.body)
                for handler in node.handlers:
                    walk(handler.body)
                walk(node.orelse)
                walk(node.finalbody)
            elif isinstance(node, (ast.With, ast.ClassDef)):
                walk(node.body)  # a class body runs at import time; its methods' bodies do not

    walk(tree.body)
    return found


def _targets(node: ast.Import | ast.ImportFrom, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """The glassnet modules an import statement in module ``name`` loads."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if node.level:
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    found = set()
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        if submodule in modules:
            found.add(submodule)  # `from . import idx` loads the submodule
        elif source in modules:
            found.add(source)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each glassnet module -> the glassnet modules it imports at module level."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        graph[name] = set()
        for node in _module_level_imports(tree):
            graph[name] |= _targets(node, name, is_package, set(modules)) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path ``[a, b, ..., a]``, or None when it is acyclic (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": {"b"}}) == ["b", "c", "b"]


def test_module_level_imports_skip_functions_and_type_checking():
    tree = ast.parse(
        "import os\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\n"
        "try:\n    from .b import B\nexcept ImportError:\n    B = None\n"
        "def f():\n    from .c import C\nclass K:\n    from .d import D\n    def m(self):\n        from .e import E\n"
    )
    modules = {"glassnet.a", "glassnet.b", "glassnet.c", "glassnet.d", "glassnet.e"}
    targets = set()
    for node in _module_level_imports(tree):
        targets |= _targets(node, "glassnet.x", False, modules)
    assert targets == {"glassnet.b", "glassnet.d"}


def test_relative_imports_resolve_to_the_modules_they_load():
    modules = {"glassnet.errors", "glassnet.datasets", "glassnet.datasets.idx", "glassnet.datasets.base"}
    (node,) = ast.parse("from ..errors import InputError").body
    assert _targets(node, "glassnet.datasets.base", False, modules) == {"glassnet.errors"}
    (node,) = ast.parse("from . import idx").body
    assert _targets(node, "glassnet.datasets", True, modules) == {"glassnet.datasets.idx"}
    (node,) = ast.parse("from .base import Dataset").body
    assert _targets(node, "glassnet.datasets", True, modules) == {"glassnet.datasets.base"}


def test_the_graph_sees_the_package():
    graph = import_graph()
    assert "glassnet.network" in graph["glassnet"]  # the public face re-exports the network
    assert {"glassnet.layers", "glassnet.validation"} <= graph["glassnet.network"]
    assert "glassnet.training" not in graph["glassnet.network"]  # net.fit imports it inside the method


def test_no_module_level_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "module-level import cycle: " + " -> ".join(cycle or [])


# The engine: the lowest rooms, which the network is built of. They import one another, never a room above
# (training, inspect, files, estimators, datasets, plots, the command line, the playground).
ENGINE = {
    "glassnet.errors",
    "glassnet.randomness",
    "glassnet.architecture",
    "glassnet.validation",
    "glassnet.sparse",  # the first layer on a sparse X: imports only errors (and scipy, lazily)
    "glassnet.activations",
    "glassnet.costs",
    "glassnet.initializers",
    "glassnet.layers",
    "glassnet.regularisation",
    "glassnet.finite",  # the words for outputs and costs that are not finite: imports only errors
    "glassnet.network",
}


def test_the_engine_imports_only_the_engine():
    graph = import_graph()
    assert graph["glassnet.errors"] == set(), f"glassnet.errors imports {sorted(graph['glassnet.errors'])}"
    for low in sorted(ENGINE):
        assert graph[low] <= ENGINE, f"{low} reaches up at module level to {sorted(graph[low] - ENGINE)}"


def test_datasets_import_only_errors_validation_and_fileio():
    graph = import_graph()
    allowed = {"glassnet.errors", "glassnet.validation", "glassnet.fileio"}
    for name in sorted(graph):
        if name == "glassnet.datasets" or name.startswith("glassnet.datasets."):
            outside = {m for m in graph[name] if not m.startswith("glassnet.datasets")}
            assert outside <= allowed, f"{name} imports {sorted(outside - allowed)}"


def _oversized() -> dict[str, int]:
    sizes = {}
    for pattern, limit in (("**/*.py", MAX_PY_LINES), ("playground/static/**/*.js", MAX_JS_LINES)):
        for path in PACKAGE.glob(pattern):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > limit:
                sizes[path.relative_to(PACKAGE.parent).as_posix()] = lines
    return sizes


def test_every_file_within_the_size_limits():
    oversized = _oversized()
    assert not oversized, f"over {MAX_PY_LINES} (Python) / {MAX_JS_LINES} (JS) lines: {oversized}"
