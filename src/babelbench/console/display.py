"""What `harness run` shows while it works.

The runner and the lifecycle tell a display what happens -- a variant begins, a stage runs, is done,
skipped, adopted or failed, a stage reports progress (:mod:`babelbench.core.progress`), a message the
user should see -- and the display decides how it looks:

* :class:`PlainDisplay`: one line per event (CI logs, pipes, tests);
* :class:`LiveDisplay`: one live grid (rich) of variants x stages with their states, the running
  stage's progress, the time elapsed and an estimate of the time left, and the last messages.

Both keep the ``print``/``rule`` calls the pipeline makes for its own messages.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

#: Columns of the grid, in the order stages run.
KINDS = ("data", "train", "select", "eval", "alignment", "judge")
_STYLE = {"waiting": "dim", "running": "bold yellow", "done": "green", "skipped": "cyan", "adopted": "cyan",
          "failed": "bold red", "interrupted": "yellow", "—": "dim"}


class PlainDisplay:
    """One line per stage event, written as they happen."""

    def __init__(self, console: Console):
        self.console = console
        self._tenths = 0   # tenths of the running stage's total already printed

    # -- the pipeline's own messages ---------------------------------------------------------
    def print(self, *objects: Any, **kwargs: Any) -> None:
        self.console.print(*objects, **kwargs)

    def rule(self, title: str = "") -> None:
        self.console.rule(title)

    def print_exception(self) -> None:
        self.console.print_exception()

    # -- events --------------------------------------------------------------------------------
    def plan(self, rows: list[tuple[str, list[str]]]) -> None:
        """The variants of the run and the stages each will go through."""

    def variant(self, name: str, part: str = "") -> None:
        self.console.rule(f"[bold]{name}" + (f" · {part}" if part else ""))

    def stage(self, kind: str, state: str, label: str, detail: str = "") -> None:
        if state == "running":
            self._tenths = 0
            self.console.print(f"  {kind:<5} {label}  running…")
        elif state == "done":
            self.console.print(f"  {kind:<5} {label}  [green]done[/] {detail}")
        elif state in ("failed", "interrupted"):
            self.console.print(f"  {kind:<5} {label}  [red]{state}: {detail}" if state == "interrupted"
                               else f"  {kind:<5} {label}  [red]{detail}")
        else:  # skipped, adopted
            self.console.print(f"  {kind:<5} [dim]{label}  {detail}")

    def progress(self, done: int, total: int | None, detail: str) -> None:
        """No progress bar in plain output: a line at each tenth of a stage's known total (at most ten lines
        a stage, however long: 14,280 questions are ten lines, not thousands)."""
        if not total:
            return
        tenth = min(10, done * 10 // total)
        if tenth > self._tenths:
            self._tenths = tenth
            self.console.print(f"        {tenth * 10:3d}% ({done:,}/{total:,})" + (f" · {detail}" if detail else ""))

    def __enter__(self) -> PlainDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@dataclass
class _Running:
    variant: str
    kind: str
    started: float
    done: int = 0
    total: int | None = None
    detail: str = ""


@dataclass
class _State:
    rows: dict[str, dict[str, str]] = field(default_factory=dict)       # variant -> kind -> state
    times: dict[str, dict[str, float]] = field(default_factory=dict)    # variant -> kind -> seconds
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))   # kind -> durations
    notes: list[str] = field(default_factory=list)
    #: variant -> its running stage (several at once under an executor that runs variants side by side)
    running: dict[str, _Running] = field(default_factory=dict)


class LiveDisplay(PlainDisplay):
    """A live grid of variants x stages, redrawn in place; messages kept below it."""

    def __init__(self, console: Console, title: str = "harness run"):
        super().__init__(console)
        self.title = title
        self.state = _State()
        self._thread = threading.local()   # the variant each driver thread is working on
        self.started = time.monotonic()
        # the libraries' own output goes to the run's log, not above the grid (Live would redirect it here)
        self.live = Live(console=console, refresh_per_second=4, transient=False, get_renderable=self._render,
                         redirect_stdout=False, redirect_stderr=False)

    def __enter__(self) -> LiveDisplay:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.running.clear()
        self.live.__exit__(None, None, None)

    # -- the pipeline's own messages: kept as notes under the grid ----------------------------
    def print(self, *objects: Any, **kwargs: Any) -> None:
        for obj in objects:
            text = obj.plain if isinstance(obj, Text) else Text.from_markup(str(obj)).plain \
                if kwargs.get("markup", True) else str(obj)
            self.state.notes.append(" ".join(text.split()))

    def rule(self, title: str = "") -> None:
        return None

    def print_exception(self) -> None:
        return None

    # -- events --------------------------------------------------------------------------------
    def plan(self, rows: list[tuple[str, list[str]]]) -> None:
        for name, kinds in rows:
            self.state.rows[name] = {k: ("waiting" if k in kinds else "—") for k in KINDS}
            self.state.times[name] = {}

    @property
    def current(self) -> str:
        return getattr(self._thread, "variant", "")

    def variant(self, name: str, part: str = "") -> None:
        self._thread.variant = name
        self.state.rows.setdefault(name, {k: "—" for k in KINDS})
        self.state.times.setdefault(name, {})

    def stage(self, kind: str, state: str, label: str, detail: str = "") -> None:
        row = self.state.rows.setdefault(self.current, {k: "—" for k in KINDS})
        column = kind if kind in KINDS else "eval"
        now = time.monotonic()
        if state == "running":
            row[column] = "running"
            self.state.running[self.current] = _Running(self.current, column, now)
            return
        running = self.state.running.get(self.current)
        if running is not None and running.kind == column:
            seconds = now - running.started
            self.state.times[self.current][column] = self.state.times[self.current].get(column, 0.0) + seconds
            if state == "done":
                self.state.seconds[column].append(seconds)
            del self.state.running[self.current]
        row[column] = state
        if state == "failed":
            self.state.notes.append(f"✗ {self.current} {kind}: {detail}")

    def progress(self, done: int, total: int | None, detail: str) -> None:
        running = self.state.running.get(self.current)
        if running is not None:
            running.done, running.total, running.detail = done, total, detail

    # -- drawing -------------------------------------------------------------------------------
    def _left(self) -> tuple[float, bool] | None:
        """(seconds left, whether every stage could be estimated): the running stage at its own pace, the
        waiting ones at this run's mean for their kind; kinds not run yet are not counted."""
        left, complete = 0.0, True
        for running in list(self.state.running.values()):
            elapsed = time.monotonic() - running.started
            known = self.state.seconds.get(running.kind)
            if running.total and running.done:
                left += elapsed / running.done * (running.total - running.done)
            elif known:
                left += max(0.0, sum(known) / len(known) - elapsed)
            else:
                complete = False
        for row in self.state.rows.values():
            for kind, state in row.items():
                if state == "waiting":
                    known = self.state.seconds.get(kind)
                    if known:
                        left += sum(known) / len(known)
                    else:
                        complete = False
        if not complete and left == 0.0:
            return None
        return left, complete

    def _render(self) -> Group:
        elapsed = time.monotonic() - self.started
        left = self._left()
        eta = " · time left unknown yet" if left is None else \
            f" · ~{_clock(left[0])} left" + ("" if left[1] else " (+ stages not timed yet)")
        head = Text.assemble((self.title, "bold"), f" · {len(self.state.rows)} variant(s) · {_clock(elapsed)} elapsed",
                             (eta, "dim"))
        used = [k for k in KINDS if any(r[k] != "—" for r in self.state.rows.values())]
        grid = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        grid.add_column("variant", no_wrap=True, overflow="ellipsis", max_width=40)
        for kind in used:
            grid.add_column(kind, no_wrap=True)
        running_now = dict(self.state.running)
        for name, row in self.state.rows.items():
            cells = []
            for kind in used:
                state = row[kind]
                text = state
                if state == "done" and kind in self.state.times.get(name, {}):
                    text = f"done {self.state.times[name][kind]:.0f}s"
                running = running_now.get(name)
                if running is not None and running.kind == kind:
                    text = "running " + (f"{running.done}/{running.total}" if running.total else
                                         _clock(time.monotonic() - running.started))
                cells.append(Text(text, style=_STYLE.get(state, "")))
            grid.add_row(name, *cells)
        parts: list[Any] = [head, grid]
        for running in running_now.values():
            bar = _bar(running.done, running.total)
            parts.append(Text(f"{running.kind} {running.variant}: {bar}"
                              + (f" {running.detail}" if running.detail else ""), style="yellow"))
        for note in self.state.notes[-6:]:
            parts.append(Text(note, style="red" if note.startswith("✗") else "dim", overflow="ellipsis", no_wrap=True))
        return Group(*parts)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}" if whole >= 3600 else \
        f"{whole // 60}:{whole % 60:02d}"


def _bar(done: int, total: int | None, width: int = 24) -> str:
    if not total:
        return f"{done} done" if done else "working"
    filled = int(width * min(done, total) / total)
    return "━" * filled + "╺" + "─" * (width - filled - 1) + f" {done}/{total}" if filled < width else \
        "━" * width + f" {done}/{total}"
