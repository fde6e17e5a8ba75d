"""Progress inside a running stage (training steps, generation requests, judgments), reported to
whoever displays the run. Stages call :func:`report`; the run's display installs a sink with
:func:`reporting`. Without a sink, reports go nowhere (a library call, a test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Sink = Callable[[int, "int | None", str], None]
_sink: Sink | None = None


def report(done: int, total: int | None = None, detail: str = "") -> None:
    """``done`` of ``total`` units of the running stage (``detail``: e.g. "loss 1.23")."""
    if _sink is not None:
        _sink(done, total, detail)


@contextmanager
def reporting(sink: Sink) -> Iterator[None]:
    global _sink
    before, _sink = _sink, sink
    try:
        yield
    finally:
        _sink = before
