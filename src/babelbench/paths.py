"""Where things live on disk.

Caches (converted models, built datasets, adapters) go under ``BABELBENCH_HOME``
(default ``~/.cache/babelbench``), never beside recipe files.

The shipped data folders (``tasks/``, ``judges/``, ``recipes/``, ``leaderboard/``) sit at the
top of the repository and inside the wheel (``babelbench/_shipped/<name>``). A user's own
folders are searched first and add to them: ``--tasks-dir`` / ``--judges-dir`` (and a
recipe's ``eval.include_path``), then ``$BABELBENCH_TASKS`` / ``$BABELBENCH_JUDGES``
(``os.pathsep``-separated), then ``./tasks`` / ``./judges`` in the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_STORE = Path("results.duckdb")
_PACKAGE = Path(__file__).resolve().parent


def home() -> Path:
    """Root of babelbench's cache (models, artifacts). Created on first use."""
    root = Path(os.environ.get("BABELBENCH_HOME", Path.home() / ".cache" / "babelbench"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def models_dir() -> Path:
    return _sub("models")


def artifacts_dir(kind: str) -> Path:
    """Directory for one stage kind's outputs (``data``, ``train``, ``eval``), keyed by stage key below it."""
    return _sub("artifacts", kind)


def _sub(*parts: str) -> Path:
    path = home().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def project_root() -> Path | None:
    """The checkout this package runs from when installed editable (None when installed from a wheel)."""
    for parent in _PACKAGE.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "tasks").is_dir():
            return parent
    return None


def shipped(name: str) -> Path:
    """A shipped data folder: inside the installed wheel, else the checkout's top-level folder."""
    inside = _PACKAGE / "_shipped" / name
    if inside.is_dir():
        return inside
    root = project_root()
    return root / name if root is not None else inside


def tasks_dirs(extra: Iterable[Path] = ()) -> list[Path]:
    """Task folders in search order: ``extra``, ``$BABELBENCH_TASKS``, ``./tasks``, the shipped suite."""
    return _search("tasks", "BABELBENCH_TASKS", extra)


def judges_dirs(extra: Iterable[Path] = ()) -> list[Path]:
    """Judge folders in search order: ``extra``, ``$BABELBENCH_JUDGES``, ``./judges``, the shipped judges."""
    return _search("judges", "BABELBENCH_JUDGES", extra)


def _search(name: str, env_var: str, extra: Iterable[Path]) -> list[Path]:
    env = [Path(p) for p in os.environ.get(env_var, "").split(os.pathsep) if p]
    candidates = [*extra, *env, Path.cwd() / name, shipped(name)]
    out: list[Path] = []
    seen: set[Path] = set()
    for folder in candidates:
        resolved = folder.expanduser().resolve()
        if resolved.is_dir() and resolved not in seen:
            seen.add(resolved)
            out.append(resolved)
    return out


@dataclass(frozen=True)
class SearchPath:
    """Where a run looks for tasks and judges (user folders first, the shipped ones last)."""

    tasks: tuple[Path, ...]
    judges: tuple[Path, ...]

    @classmethod
    def build(cls, extra_tasks: Iterable[Path] = (), extra_judges: Iterable[Path] = ()) -> SearchPath:
        return cls(tuple(tasks_dirs(extra_tasks)), tuple(judges_dirs(extra_judges)))
