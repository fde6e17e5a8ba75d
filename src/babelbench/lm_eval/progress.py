"""Evaluation progress from lm-eval for the run's display, per task.

lm-eval sends the requests of all tasks to the model in one call and offers no per-request hook, but every
model it ships records each finished request through its ``cache_hook.add_partial`` (the hf model, and the
API models of a served sweep, with or without concurrency). During an evaluation, :func:`generation_progress`
wraps that method and the tasks' ``build_all_requests`` (which says which request belongs to which task),
so the display can show the running task and how many tasks are done, e.g. ``xquad_gen_th 312/1190 · 7/12
tasks done`` for 14,280 XQuAD questions. Models that record nothing still count through their tqdm bar
(:mod:`babelbench.core.progress`), which still draws -- into the run's log file.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..core import progress

_MODULES = ("lm_eval.models.huggingface",)


class TaskCounts:
    """Requests per task, and how many of them have finished."""

    def __init__(self) -> None:
        self.owner: dict[tuple[str, str], str] = {}
        self.total: Counter[str] = Counter()
        self.done: Counter[str] = Counter()

    def added(self, task: str, instances: list[Any]) -> None:
        for instance in instances:
            self.owner[(str(instance.request_type), str(instance.args[0]))] = task
            self.total[task] += 1

    def finished(self, request_type: str, request: Any) -> None:
        context = request[0] if isinstance(request, tuple | list) and request else request
        task = self.owner.get((request_type, str(context)))
        if task is None or not self.total:
            return
        self.done[task] = min(self.done[task] + 1, self.total[task])
        progress.report(sum(self.done.values()), sum(self.total.values()), self.detail(task))

    def detail(self, task: str) -> str:
        complete = sum(1 for t, n in self.total.items() if self.done[t] >= n)
        return f"{task} {self.done[task]}/{self.total[task]} · {complete}/{len(self.total)} tasks done"


@contextmanager
def generation_progress() -> Iterator[TaskCounts]:
    from lm_eval.api.model import CacheHook
    from lm_eval.api.task import Task
    from tqdm import tqdm

    counts = TaskCounts()

    class Reporting(tqdm):
        def update(self, n: float | None = 1) -> bool | None:
            shown = super().update(n)
            if not counts.total:   # the per-task counts report when the model records its requests
                progress.report(int(self.n), int(self.total) if self.total else None, "generation requests")
            return shown

    build, add_partial = Task.build_all_requests, CacheHook.add_partial

    def build_all_requests(self: Any, *args: Any, **kwargs: Any) -> Any:
        built = build(self, *args, **kwargs)
        counts.added(str(self.config.task), list(self.instances))
        return built

    def recorded(self: Any, attr: str, req: Any, res: Any) -> None:
        counts.finished(attr, req)
        add_partial(self, attr, req, res)

    patched: list[tuple[Any, str, Any]] = [(Task, "build_all_requests", build), (CacheHook, "add_partial", add_partial)]
    Task.build_all_requests, CacheHook.add_partial = build_all_requests, recorded
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "tqdm", None) is tqdm:
            patched.append((module, "tqdm", tqdm))
            setattr(module, "tqdm", Reporting)  # noqa: B010  (module attribute, as lm-eval imported it)
    try:
        yield counts
    finally:
        for owner, attribute, original in patched:
            setattr(owner, attribute, original)
