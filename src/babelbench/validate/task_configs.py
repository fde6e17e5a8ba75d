"""Task YAML files as lm-eval will build them, checked before any run: each key is one lm-eval's task
config takes, and the ``primary_metric`` a task declares is one of its ``metric_list``.

A task's config is its file merged over its ``include`` chain (the including file wins), as lm-eval's
loader does. lm-eval builds ``TaskConfig(**config)`` only at evaluation, where an unknown key is a
``TypeError`` after training; here the keys are checked against ``TaskConfig``'s fields, read from
lm-eval's source without importing it (importing its task modules costs a second).
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import Problem
from ..evaluate.task_index import FastTaskYamlLoader, definitions

#: Keys lm-eval's loader reads and removes before it builds a task's config.
LOADER_KEYS = frozenset({"include", "group", "task_list", "class"})
#: Metrics every prompt-file task computes (:mod:`babelbench.evaluate.prompt_tasks`).
PROMPT_FILE_METRICS = frozenset({"answered", "answer_chars", "language_fidelity"})


@dataclass(frozen=True)
class TaskConfig:
    """A task file's merged config and, per top-level key, the file that set it."""

    file: Path
    data: dict[str, Any]
    origin: dict[str, Path]

    def line(self, key: str) -> int | None:
        return _line_of(self.origin.get(key, self.file), key)

    def metrics(self) -> frozenset[str] | None:
        """Names in its ``metric_list`` (None: not known without running it -- none listed, or a function)."""
        listed = self.data.get("metric_list")
        if not isinstance(listed, list) or not listed:
            return None
        names = [m.get("metric") if isinstance(m, dict) else None for m in listed]
        return frozenset(names) if all(isinstance(n, str) for n in names) else None  # type: ignore[arg-type]


def read_task(file: Path) -> TaskConfig | None:
    """``file`` merged over its includes; None where a file cannot be read (reported elsewhere)."""
    return _read(str(file.resolve()), _mtime(file))


def _mtime(file: Path) -> int:
    try:
        return file.stat().st_mtime_ns
    except OSError:
        return 0


@functools.lru_cache(maxsize=2048)
def _read(file: str, _stamp: int, depth: int = 0) -> TaskConfig | None:
    path = Path(file)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=FastTaskYamlLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    data: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    includes = doc.get("include")
    for name in [includes] if isinstance(includes, str) else includes if isinstance(includes, list) else []:
        parent = path.parent / str(name)
        base = _read(str(parent.resolve()), _mtime(parent), depth + 1) if depth < 16 and parent.is_file() else None
        if base is not None:
            data.update(base.data)
            origin.update(base.origin)
    data.update(doc)
    origin.update({str(k): path for k in doc})
    return TaskConfig(path, data, origin)


@functools.lru_cache(maxsize=1)
def task_config_fields() -> frozenset[str] | None:
    """The fields of lm-eval's ``TaskConfig`` dataclass, read from its source (None: lm-eval absent, or a
    version whose source is laid out otherwise -- then keys are not checked)."""
    from importlib.util import find_spec

    spec = find_spec("lm_eval")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    for candidate in (root / "config" / "task.py", root / "api" / "task.py"):
        try:
            tree = ast.parse(candidate.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == "TaskConfig":
                return frozenset(s.target.id for s in node.body
                                 if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name))
    return None


def config_problems(config: TaskConfig) -> list[Problem]:
    """Keys lm-eval's task config does not take, and a ``primary_metric`` the task does not compute."""
    problems: list[Problem] = []
    if not isinstance(config.data.get("task"), str) or "class" in config.data:
        return problems  # a group, or a Python task class that takes its own settings
    fields = task_config_fields()
    for key in config.data:
        if fields is not None and str(key) not in fields and key not in LOADER_KEYS:
            problems.append(Problem(str(config.origin[str(key)]), config.line(str(key)), str(key),
                                    f"lm-eval's task config takes no key {key!r} (it would fail at evaluation)"))
    meta = config.data.get("metadata")
    primary = meta.get("primary_metric") if isinstance(meta, dict) else None
    metrics = config.metrics()
    if isinstance(primary, str) and metrics is not None and primary not in metrics:
        problems.append(Problem(str(config.origin["metadata"]), _line_of(config.origin["metadata"], "primary_metric"),
                                "metadata.primary_metric", f"{primary!r} is not computed by task "
                                f"{config.data['task']!r}; its metric_list: {', '.join(sorted(metrics))}"))
    return problems + _language_problems(config, meta)


def _language_problems(config: TaskConfig, meta: Any) -> list[Problem]:
    """A ``language`` a task declares in its metadata (its rows' language, :mod:`..evaluate.suites`) names one."""
    from .. import languages

    if not isinstance(meta, dict) or "language" not in meta:
        return []
    declared = meta["language"]
    try:
        languages.dataset_code(declared if isinstance(declared, str) else repr(declared))
        return []
    except ValueError as exc:
        return [Problem(str(config.origin["metadata"]), _line_of(config.origin["metadata"], "language"),
                        "metadata.language", f"{exc} (the language of task {config.data['task']!r}'s rows)")]


def task_files(names: list[str], dirs: list[Path]) -> list[Path]:
    """The files defining the tasks ``names`` select in ``dirs`` (a group's or a tag's tasks too); names
    the folders do not define (lm-eval's built-in tasks) have none."""
    entries = definitions(dirs)
    by_name: dict[str, list[Path]] = {}
    for entry in entries:
        if entry.kind == "tag":
            by_name.setdefault(entry.name, []).append(entry.file)
        else:
            by_name.setdefault(entry.name, [entry.file])
    out: list[Path] = []
    todo, seen = list(names), set()
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        for file in by_name.get(name, []):
            out.append(file)
            config = read_task(file)
            members = config.data.get("task") if config is not None and "group" in config.data else None
            todo += [m for m in (members if isinstance(members, list) else []) if isinstance(m, str)]
    return list(dict.fromkeys(out))


def _line_of(file: Path, key: str) -> int | None:
    """The line of a top-level key, or of a key nested one level (``metadata``'s ``primary_metric``)."""
    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith(f"{key}:") and (line.startswith(key) or line.startswith(" ")):
            return number
    return None
