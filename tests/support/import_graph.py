"""Import cycles among a package's modules, from the source (function-level and TYPE_CHECKING
imports count too: they only hide a cycle). Strongly connected components of the import graph."""

from __future__ import annotations

import ast
from pathlib import Path


def imports(src: Path, package: str) -> dict[str, set[str]]:
    """Each module of the package -> the package's modules (and packages) it imports, wherever the
    import stands; a package imported through its ``__init__`` counts as the package."""
    return _graph(src, package, through_init=True)


def _graph(src: Path, package: str, through_init: bool = False) -> dict[str, set[str]]:
    modules: dict[str, Path] = {}
    for path in (src / package).rglob("*.py"):
        parts = path.relative_to(src).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = module.split(".") if is_package else module.split(".")[:-1]
                if node.level:
                    base = base[:len(base) - (node.level - 1)]
                    name = ".".join(base + ([node.module] if node.module else []))
                else:
                    name = node.module or ""
                targets = [name] + [f"{name}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                # a package's __init__ re-exports; importing through it is not an edge to every module
                if target and target != module and (through_init or modules[target].name != "__init__.py"):
                    edges[module].add(target)
    return edges


def cycles(src: Path, package: str) -> list[list[str]]:
    """Each cycle as the sorted names of its modules (Tarjan's strongly connected components)."""
    edges = _graph(src, package)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)
