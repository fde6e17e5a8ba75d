"""Every third-party module the tests import comes from a distribution the project declares (its
dependencies or an extra, `dev` for test-only ones): a fresh `pip install -e .[all,dev]` runs the suite."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: top-level names that are the project's own (or test helpers imported by path)
OWN = {"babelbench", "tests", "conftest", "utils", "_hub", "_store"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    tomllib = pytest.importorskip("tomllib")   # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return {_canonical(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0]) for r in requirements}


def _imported() -> dict[str, str]:
    """Top-level module -> first test file importing it."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_module_the_tests_import_is_declared():
    declared, owners = _declared(), packages_distributions()
    undeclared = []
    for module, where in sorted(_imported().items()):
        if module in sys.stdlib_module_names or module in OWN or module not in owners:
            continue   # not installed here: an import the test guards (importorskip) or a local helper
        if not any(_canonical(d) in declared for d in owners[module]):
            undeclared.append(f"{module} ({', '.join(owners[module])}) in {where}")
    assert undeclared == []
