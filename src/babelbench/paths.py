"""Where things live on disk.

Caches (converted models, built datasets, adapters) go under ``BABELBENCH_HOME``
(default ``~/.cache/babelbench``), never beside recipe files.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_STORE = Path("results.duckdb")


def home() -> Path:
    """Root of babelbench's cache (models, artifacts). Created on first use."""
    root = Path(os.environ.get("BABELBENCH_HOME", Path.home() / ".cache" / "babelbench"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def models_dir() -> Path:
    return _sub("models")


def artifacts_dir(kind: str) -> Path:
    """Directory for one stage kind's outputs (``data``, ``train``), keyed by stage key below it."""
    return _sub("artifacts", kind)


def _sub(*parts: str) -> Path:
    path = home().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def project_root() -> Path:
    """The checkout this package runs from when installed editable; else the working directory.

    Used to find the default ``recipes/`` and ``tasks/`` folders.
    """
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "tasks").is_dir():
            return parent
    return Path.cwd()


def tasks_dir() -> Path:
    return _data_folder("tasks", "BABELBENCH_TASKS")


def judges_dir() -> Path:
    return _data_folder("judges", "BABELBENCH_JUDGES")


def _data_folder(name: str, env_var: str) -> Path:
    """``$ENV_VAR`` if set, else ``./name`` if it exists, else the checkout's ``name/``."""
    env = os.environ.get(env_var)
    if env:
        return Path(env)
    here = Path.cwd() / name
    return here if here.is_dir() else project_root() / name
