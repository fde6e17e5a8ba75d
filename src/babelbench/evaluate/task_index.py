"""A light index of ``tasks/`` for validation and stage keys, without importing lm-eval.

lm-eval's own TaskManager is the authority and runs the tasks; this index only reads
the YAML files' ``task`` / ``group`` / ``tag`` names (fast, no heavy imports), so
``harness validate`` and key computation stay quick. Names not found here are looked
up in lm-eval's built-in index, which is built only then.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import paths


class TaskYamlLoader(yaml.SafeLoader):
    """Reads lm-eval YAML, whose ``!function`` tags we do not need to resolve here."""


TaskYamlLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class TaskEntry:
    name: str
    kind: str   # task | group | tag
    file: Path


def scan(tasks_dir: Path | None = None) -> dict[str, TaskEntry]:
    root = tasks_dir or paths.tasks_dir()
    return _scan(str(root.resolve()))


@functools.lru_cache(maxsize=8)
def _scan(root: str) -> dict[str, TaskEntry]:
    index: dict[str, TaskEntry] = {}
    for file in sorted(Path(root).rglob("*.yaml")):
        try:
            doc = yaml.load(file.read_text(encoding="utf-8"), Loader=TaskYamlLoader)
        except yaml.YAMLError:
            continue  # reported by `harness validate tasks/`
        if not isinstance(doc, dict):
            continue
        if isinstance(doc.get("task"), str):
            index[doc["task"]] = TaskEntry(doc["task"], "task", file)
        if isinstance(doc.get("group"), str):
            index[doc["group"]] = TaskEntry(doc["group"], "group", file)
        tags = doc.get("tag")
        for tag in [tags] if isinstance(tags, str) else (tags or []):
            index.setdefault(tag, TaskEntry(tag, "tag", file))
    return index


@functools.lru_cache(maxsize=1)
def _builtin_names() -> frozenset[str]:
    from lm_eval.tasks import TaskManager

    return frozenset(TaskManager(include_defaults=True).all_tasks)


def needs_builtin(names: list[str], tasks_dir: Path | None = None) -> bool:
    local = scan(tasks_dir)
    return any(name not in local for name in names)


def unknown_tasks(names: list[str], tasks_dir: Path | None = None) -> list[str]:
    """Names neither ``tasks/`` nor lm-eval's built-in tasks define."""
    local = scan(tasks_dir)
    missing = [n for n in names if n not in local]
    if not missing:
        return []
    try:
        builtin = _builtin_names()
    except ImportError:
        return missing  # without lm-eval installed only tasks/ can be checked
    return [n for n in missing if n not in builtin]


def task_folders(names: list[str], tasks_dir: Path | None = None) -> list[Path]:
    """Folders whose files define ``names`` (what an eval stage key must hash)."""
    local = scan(tasks_dir)
    return sorted({local[n].file.parent for n in names if n in local})
