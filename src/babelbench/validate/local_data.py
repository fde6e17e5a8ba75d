"""``eval.data_source: local``: the published files every selected task reads are there, before any work.

A task declares what it reads with ``metadata.data_layout`` (a :data:`babelbench.evaluate.local_data.LAYOUTS`
entry) and its ``dataset_kwargs`` (its language or languages). A task of the task folders without a layout
cannot read local files, and is refused rather than run on other data (no silent fallback); lm-eval's own
tasks read their own datasets and are left alone. :func:`local_files` is also what the eval key hashes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..evaluate.local_data import LAYOUTS, task_files
from ..recipe.schema import Variant
from .task_configs import read_task
from .task_configs import task_files as task_config_files

Report = Callable[[str, str], None]


@dataclass(frozen=True)
class TaskData:
    task: str
    layout: str | None        # None: the task declares none (it cannot read local files)
    files: tuple[Path, ...]


def local_files(names: list[str], dirs: list[Path], data_dir: Path) -> list[TaskData]:
    """The published files each task ``names`` select (through groups and tags) reads under ``data_dir``."""
    out: list[TaskData] = []
    for file in task_config_files(names, dirs):
        config = read_task(file)
        if config is None or not isinstance(config.data.get("task"), str):
            continue
        meta = config.data.get("metadata")
        layout = meta.get("data_layout") if isinstance(meta, dict) else None
        kwargs = config.data.get("dataset_kwargs")
        if not isinstance(layout, str) or layout not in LAYOUTS.names():
            out.append(TaskData(config.data["task"], None, ()))
            continue
        files = task_files(layout, data_dir, kwargs if isinstance(kwargs, dict) else {})
        out.append(TaskData(config.data["task"], layout, tuple(files)))
    return out


def data_dir_path(variant: Variant, recipe_dir: Path) -> Path | None:
    """``eval.data_dir`` resolved against the recipe's folder (None unless the source is local)."""
    if variant.eval.data_source != "local" or variant.eval.data_dir is None:
        return None
    return (recipe_dir / variant.eval.data_dir).resolve()


def check_local_data(variant: Variant, recipe_dir: Path, dirs: list[Path], report: Report) -> None:
    """The data folder exists and holds every file the selected tasks read; each task can read local files."""
    data_dir = data_dir_path(variant, recipe_dir)
    if data_dir is None:
        return
    if not data_dir.is_dir():
        report("eval.data_dir", f"folder not found: {variant.eval.data_dir} (relative to {recipe_dir})")
        return
    missing: dict[Path, tuple[str, list[str]]] = {}
    for entry in local_files(variant.eval.tasks, dirs, data_dir):
        if entry.layout is None:
            report("eval.data_source", f"task {entry.task!r} declares no data_layout, so it cannot read local files "
                   f"(local data layouts: {', '.join(LAYOUTS.names())})")
            continue
        for path in entry.files:
            if not path.is_file():
                missing.setdefault(path, (entry.layout, []))[1].append(entry.task)
    for path, (layout, tasks) in missing.items():
        shown = ", ".join(tasks[:3]) + (f" and {len(tasks) - 3} more" if len(tasks) > 3 else "")
        report("eval.data_dir", f"{path}: file not found; task {shown} reads it "
               f"(expected: {LAYOUTS.get(layout).expects})")
