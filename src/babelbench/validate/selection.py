"""Checks of a variant's ``select`` section (checkpoint selection): its validation tasks exist, their
task files are ones lm-eval takes, its judges exist, and ``select.metric`` names a number the validation
computes -- a metric of the validation tasks, or ``judge:<judge>/<metric>`` of one of ``select.judges``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core.errors import Problem
from ..core.metric_name import JudgeMetric
from ..paths import SearchPath
from ..recipe.schema import SelectConfig, Variant
from .evaluation import task_dirs, task_file_problems

Report = Callable[[str, str], None]


def select_problems(variant: Variant, recipe_dir: Path, search: SearchPath, report: Report) -> list[Problem]:
    """Every problem of ``variant.select`` (none without one)."""
    from ..evaluate.task_index import unknown_tasks

    sel = variant.select
    if sel is None:
        return []
    dirs = task_dirs(variant, recipe_dir, search)
    unknown = set(unknown_tasks(sel.tasks, dirs))
    for i, name in enumerate(sel.tasks):
        if name in unknown:
            report(f"select.tasks.{i}", f"lm-eval does not know task {name!r}")
    _check_metric(sel, dirs, search, report, unknown)
    return task_file_problems([t for t in sel.tasks if t not in unknown], dirs)


def _check_metric(sel: SelectConfig, dirs: list[Path], search: SearchPath, report: Report,
                  unknown: set[str]) -> None:
    judged = JudgeMetric.parse(sel.metric)
    if judged is not None:
        _check_judge_metric(sel, judged, search, report)
        return
    if unknown:
        return  # the unknown task is the problem to fix first
    metrics = validation_metrics(sel, dirs)
    if metrics is not None and sel.metric not in metrics:
        report("select.metric", f"the validation never computes {sel.metric!r}; its metrics: "
                                f"{', '.join(sorted(metrics)) or 'none'} (or judge:<judge>/<metric>)")


def validation_metrics(sel: SelectConfig, dirs: list[Path]) -> frozenset[str] | None:
    """The metrics the validation tasks and prompt files compute; None where a task's are not known before
    running it (lm-eval's built-in tasks, a metric given as a function, no metric_list)."""
    from ..evaluate.task_index import scan
    from .task_configs import PROMPT_FILE_METRICS, read_task, task_files

    metrics: set[str] = set(PROMPT_FILE_METRICS) if sel.prompt_files else set()
    local = scan(dirs)
    if any(name not in local for name in sel.tasks):
        return None
    for file in task_files(sel.tasks, dirs):
        config = read_task(file)
        if config is None:
            return None
        if not isinstance(config.data.get("task"), str) or "group" in config.data:
            continue  # a group: its tasks are among the files
        known = config.metrics()
        if known is None:
            return None
        metrics |= known
    return frozenset(metrics)


def _check_judge_metric(sel: SelectConfig, judged: JudgeMetric, search: SearchPath, report: Report) -> None:
    from ..core.errors import ConfigError
    from ..judge.loader import available_judges, load_judge
    from ..judge.protocol import get_protocol

    if judged.judge not in sel.judges:
        report("select.metric", f"judge {judged.judge!r} is not one of select.judges "
                                f"({', '.join(sel.judges) or 'none'}): add it there")
        return
    roots = list(search.judges)
    if judged.judge not in available_judges(roots):
        return  # reported at select.judges
    try:
        judge = load_judge(judged.judge, roots)
    except ConfigError:
        return  # its own file's problems are reported with the recipe's judges
    names = get_protocol(judge.kind).metric_names(judge.config)
    if names is not None and judged.facet not in names:
        report("select.metric", f"judge {judged.judge!r} reports no metric {judged.facet!r}; it reports: "
                                f"{', '.join(sorted(names))}")


def select_judge_problems(variant: Variant, search: SearchPath, report: Report) -> None:
    """Each of ``select.judges`` exists."""
    if variant.select is None or not variant.select.judges:
        return
    from ..judge.loader import available_judges

    known = available_judges(list(search.judges))
    for i, name in enumerate(variant.select.judges):
        if name not in known:
            report(f"select.judges.{i}", f"no judge {name!r} (known: {', '.join(known) or 'none'})")
