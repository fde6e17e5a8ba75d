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


class FastTaskYamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same reading through libyaml where PyYAML has it (about 10x faster), for scanning every task
    file; broken files are skipped here and reported by :class:`TaskYamlLoader` in `harness validate`."""


FastTaskYamlLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class TaskEntry:
    name: str
    kind: str   # task | group | tag
    file: Path


def scan(tasks_dirs: list[Path] | None = None) -> dict[str, TaskEntry]:
    """Every task, group and tag name in ``tasks_dirs`` (first folder wins; see :func:`conflicts`)."""
    index: dict[str, TaskEntry] = {}
    for folder in tasks_dirs if tasks_dirs is not None else paths.tasks_dirs():
        for name, entry in _scan(str(folder.resolve()), _stamp(folder)).items():
            index.setdefault(name, entry)
    return index


def conflicts(tasks_dirs: list[Path] | None = None) -> list[tuple[str, Path, Path]]:
    """Task or group names defined in two files: (name, first file, second file)."""
    seen: dict[str, TaskEntry] = {}
    out = []
    for folder in tasks_dirs if tasks_dirs is not None else paths.tasks_dirs():
        for entries in _definitions(str(folder.resolve()), _stamp(folder)):
            if entries.kind == "tag":
                continue
            first = seen.setdefault(entries.name, entries)
            if first.file != entries.file:
                out.append((entries.name, first.file, entries.file))
    return out


def definitions(tasks_dirs: list[Path] | None = None) -> list[TaskEntry]:
    """Every task, group and tag definition in ``tasks_dirs``, in search order (a tag once per task)."""
    return [entry for folder in (tasks_dirs if tasks_dirs is not None else paths.tasks_dirs())
            for entry in _definitions(str(folder.resolve()), _stamp(folder))]


def _stamp(folder: Path) -> float:
    """Changes when a YAML file in the folder is added, removed or edited (so edits are seen)."""
    try:
        return max((p.stat().st_mtime_ns for p in folder.rglob("*.yaml")), default=0) + folder.stat().st_mtime_ns
    except OSError:
        return 0


@functools.lru_cache(maxsize=32)
def _definitions(root: str, _stamp: float) -> tuple[TaskEntry, ...]:
    out: list[TaskEntry] = []
    for file in sorted(Path(root).rglob("*.yaml")):
        try:
            doc = yaml.load(file.read_text(encoding="utf-8"), Loader=FastTaskYamlLoader)
        except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
            continue  # reported by `harness validate tasks/`
        if not isinstance(doc, dict):
            continue
        if isinstance(doc.get("task"), str):
            out.append(TaskEntry(doc["task"], "task", file))
        if isinstance(doc.get("group"), str):
            out.append(TaskEntry(doc["group"], "group", file))
        tags = doc.get("tag")
        for tag in [tags] if isinstance(tags, str) else (tags if isinstance(tags, list) else []):
            if isinstance(tag, str):
                out.append(TaskEntry(tag, "tag", file))
    return tuple(out)


@functools.lru_cache(maxsize=32)
def _scan(root: str, stamp: float) -> dict[str, TaskEntry]:
    index: dict[str, TaskEntry] = {}
    for entry in _definitions(root, stamp):
        if entry.kind == "tag":
            index.setdefault(entry.name, entry)
        else:
            index[entry.name] = entry
    return index


@functools.lru_cache(maxsize=1)
def _builtin_names() -> frozenset[str]:
    from lm_eval.tasks import TaskManager

    return frozenset(TaskManager(include_defaults=True).all_tasks)


def needs_builtin(names: list[str], tasks_dirs: list[Path] | None = None) -> bool:
    local = scan(tasks_dirs)
    return any(name not in local for name in names)


def unknown_tasks(names: list[str], tasks_dirs: list[Path] | None = None) -> list[str]:
    """Names neither the task folders nor lm-eval's built-in tasks define."""
    local = scan(tasks_dirs)
    missing = [n for n in names if n not in local]
    if not missing:
        return []
    try:
        builtin = _builtin_names()
    except ImportError:
        return missing  # without lm-eval installed only the task folders can be checked
    return [n for n in missing if n not in builtin]


def task_folders(names: list[str], tasks_dirs: list[Path] | None = None) -> list[Path]:
    """Folders whose files define ``names`` (what an eval stage key must hash)."""
    local = scan(tasks_dirs)
    return sorted({local[n].file.parent for n in names if n in local})
