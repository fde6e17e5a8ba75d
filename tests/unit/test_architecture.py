"""The package's shape, checked on its source (docs/ARCHITECTURE.md): the layering rules on every
import (function-level and TYPE_CHECKING imports count), and no function longer than a screen."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT
from tests.support.import_graph import imports

SRC = ROOT / "src"
STAGES = ["data", "train", "evaluate", "judge"]
#: part -> (its packages, the packages it must never import)
RULES = {
    "stages": (STAGES, ["pipeline", "store", "cli", "console", "services"]),
    "store": (["store"], ["analysis", "pipeline", "cli", "console", "services", *STAGES]),
    "config": (["recipe", "models"], ["pipeline", "store", "cli", "console", "services", "validate", *STAGES]),
    "analysis": (["analysis"], ["store", "pipeline", "cli", "console", "services"]),
    "engine": (["pipeline"], ["cli", "services"]),
}
MAX_FUNCTION_LINES = 60


def _under(module: str, parts: list[str]) -> bool:
    return any(module == f"babelbench.{p}" or module.startswith(f"babelbench.{p}.") for p in parts)


def broken_rules(src=SRC, package="babelbench") -> list[str]:
    found = []
    for module, targets in sorted(imports(src, package).items()):
        for rule, (parts, forbidden) in RULES.items():
            if _under(module, parts):
                found += [f"{rule}: {module} imports {t}" for t in sorted(targets)
                          if _under(t, forbidden) and not _under(t, parts)]
    return found


def test_no_layering_rule_is_broken():
    assert broken_rules() == []


def test_the_rules_catch_a_stage_importing_the_store_inside_a_function(tmp_path):
    pkg = tmp_path / "babelbench"
    for part in ("", "judge", "store"):
        (pkg / part).mkdir(parents=True, exist_ok=True)
        (pkg / part / "__init__.py").write_text("")
    (pkg / "store" / "db.py").write_text("")
    (pkg / "judge" / "x.py").write_text("def f():\n    from ..store import db\n")
    assert broken_rules(tmp_path) == ["stages: babelbench.judge.x imports babelbench.store",
                                      "stages: babelbench.judge.x imports babelbench.store.db"]


@pytest.mark.parametrize("path", sorted((SRC / "babelbench").rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_function_is_longer_than_a_screen(path):
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []
