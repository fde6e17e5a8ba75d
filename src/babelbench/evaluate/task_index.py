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

#: Bump when what the on-disk index keeps changes.
INDEX_FORMAT = "task-index-v1"


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


def _stamp(folder: Path) -> str:
    """Changes when a YAML file in the folder is added, removed, renamed or edited (so edits are seen):
    a digest of every YAML file's path, size and modification time."""
    import hashlib
    import os

    listing = []
    try:
        for top, _, files in os.walk(folder):
            for name in files:
                if name.endswith(".yaml"):
                    st = os.stat(os.path.join(top, name))
                    listing.append(f"{top}/{name}\t{st.st_size}\t{st.st_mtime_ns}")
    except OSError:
        return ""
    return hashlib.sha256("\n".join(sorted(listing)).encode()).hexdigest()


@functools.lru_cache(maxsize=32)
def _definitions(root: str, _stamp: str) -> tuple[TaskEntry, ...]:
    """The folder's definitions: from the on-disk index while its stamp is unchanged, else read and kept."""
    kept = _index_file_read().get(root)
    if _stamp and isinstance(kept, dict) and kept.get("stamp") == _stamp:
        return tuple(TaskEntry(name, kind, Path(file)) for name, kind, file in kept["entries"])
    out = _read_definitions(root)
    if _stamp:
        _index_file_write(root, {"stamp": _stamp, "entries": [[e.name, e.kind, str(e.file)] for e in out]})
    return out


def _index_file() -> Path:
    """Where the task folders' definitions are kept between processes (a re-run reads no task YAML)."""
    return paths.home() / "cache" / "task-index.json"


def _index_file_read() -> dict:
    import json

    try:
        data = json.loads(_index_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == INDEX_FORMAT else {}


def _index_file_write(root: str, entry: dict) -> None:
    """Keep ``root``'s entry (written atomically; a lost race between processes costs a re-read)."""
    import os

    from ..core.cachefile import write_atomically

    kept = _index_file_read()
    data = {"format": INDEX_FORMAT, **{k: v for k, v in kept.items()
                                       if k != "format" and os.path.isdir(k.removeprefix("lm-eval:"))}}
    data[root] = entry   # (folders that are gone are dropped: a test session's temporary ones)
    write_atomically(_index_file(), data)


def _read_definitions(root: str) -> tuple[TaskEntry, ...]:
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
def _scan(root: str, stamp: str) -> dict[str, TaskEntry]:
    index: dict[str, TaskEntry] = {}
    for entry in _definitions(root, stamp):
        if entry.kind == "tag":
            index.setdefault(entry.name, entry)
        else:
            index[entry.name] = entry
    return index


@functools.lru_cache(maxsize=1)
def _builtin_names() -> frozenset[str]:
    """lm-eval's own task, group and tag names. Its index reads every YAML file it ships (14,000: ≈ 10 s), so
    the names are kept in the on-disk index under the stamp of lm-eval's tasks folder (0.2 s to take) and its
    version: a recipe naming lm-eval's tasks is checked again without importing lm-eval."""
    import importlib.util

    spec = importlib.util.find_spec("lm_eval")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("lm-eval is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "tasks"
    files = _stamp(folder)   # its files, and the installed version (the dist-info folder's name, beside the package)
    installed = sorted(p.name for p in folder.parent.parent.glob("lm_eval-*.dist-info"))
    stamp = "|".join([files, *installed]) if files else ""
    root = f"lm-eval:{folder}"
    kept = _index_file_read().get(root)
    if stamp and isinstance(kept, dict) and kept.get("stamp") == stamp and isinstance(kept.get("names"), list):
        return frozenset(kept["names"])
    from lm_eval.tasks import TaskManager

    names = frozenset(TaskManager(include_defaults=True).all_tasks)
    if stamp:
        _index_file_write(root, {"stamp": stamp, "names": sorted(names)})
    return names


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
