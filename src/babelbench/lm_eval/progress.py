"""Generation progress from lm-eval's hf model for the run's display.

lm-eval's models count their requests with a tqdm bar and offer no other hook, so during an
evaluation the bar class its hf model module uses is a subclass that also reports each update
(:mod:`babelbench.core.progress`). The bar itself still draws -- into the run's log file.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..core import progress

_MODULES = ("lm_eval.models.huggingface",)


@contextmanager
def generation_progress() -> Iterator[None]:
    from tqdm import tqdm

    class Reporting(tqdm):
        def update(self, n: float | None = 1) -> bool | None:
            shown = super().update(n)
            progress.report(int(self.n), int(self.total) if self.total else None, "generation requests")
            return shown

    patched: list[tuple[Any, Any]] = []
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "tqdm", None) is tqdm:
            patched.append((module, tqdm))
            setattr(module, "tqdm", Reporting)  # noqa: B010  (module attribute, as lm-eval imported it)
    try:
        yield
    finally:
        for module, original in patched:
            module.tqdm = original
