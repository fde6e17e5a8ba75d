"""The report's tables as text for a paper: Markdown and LaTeX (booktabs), registered by name.

A format renders the leaderboard (per comparability group: one row per variant, a column per task
family's primary score and judge headline facet) and the long table (one row per variant, task,
language and metric). Cells are ``value ± half the 95 % interval``, the best of each column in bold;
n and the interval method go in a footnote (Markdown) or the caption (LaTeX). Languages are shown by
name (``Chinese (zh)``), and every text from the store is escaped for the format.

Adding a format is one decorated :class:`TableFormat`::

    register_table_format("html")(TableFormat(leaderboard=..., long=..., escape=...))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .. import languages
from ..analysis.standings import Cell, Column, Group, format_cell, lower_is_better
from ..core.metric_name import JudgeMetric
from ..core.registry import Registry

#: How the intervals were computed (stored at evaluation and judging): said under every table.
INTERVAL_METHOD = ("± is half the 95 % bootstrap interval (resampling documents for task scores, "
                   "answers for judge facets)")
LONG_COLUMNS = ("variant", "task", "language", "metric", "value", "n")


@dataclass(frozen=True)
class TableFormat:
    leaderboard: Callable[[list[Group]], str]
    long: Callable[[list[dict[str, Any]]], str]
    #: any table already as text: (column names, rows of cell texts, caption) -> the table (the board's downloads)
    grid: Callable[[list[str], list[list[str]], str], str]


#: The built-in formats register when their modules are imported, on first lookup.
_TABLE_FORMATS: Registry[TableFormat] = Registry("table format", ("babelbench.publish.paper_markdown",
                                                                  "babelbench.publish.paper_latex"))


def register_table_format(name: str) -> Callable[[TableFormat], TableFormat]:
    return _TABLE_FORMATS.register(name)


def table_format(name: str) -> TableFormat:
    return _TABLE_FORMATS.get(name)


def table_format_names() -> list[str]:
    return _TABLE_FORMATS.names()


# --- what every format shows --------------------------------------------------------------------

def language_label(code: str | None) -> str:
    """``Chinese (zh)``: a language's English name and its code as stored; ``—`` for none."""
    if not code:
        return "—"
    name = languages.name(code)
    return code if name == code else f"{name} ({code})"


def header(column: Column) -> tuple[str, str]:
    """Two header lines: ``xquad_gen`` / ``f1``; ``language-id`` / ``match``; a ranking against a baseline
    gets a ``*``; a per-language summary (``zh · primary_score``) is named by its language."""
    if isinstance(column, JudgeMetric):
        return column.judge, column.facet + ("*" if column.baseline else "")
    family, _, metric = column.partition(" · ")
    if languages.is_known(family):
        return language_label(family), metric
    return family, metric


def footnotes(group: Group) -> list[str]:
    """What the numbers are: n per column family, the interval method, the bold, the baselines."""
    by_n: dict[int, list[str]] = {}
    for c in group.columns:
        n = group.common_n.get(c)
        if n is not None:
            by_n.setdefault(n, []).append(header(c)[0])
    notes = []
    if by_n:
        notes.append("n (documents or answers per score): "
                     + "; ".join(f"{n} for {', '.join(dict.fromkeys(names))}" for n, names in sorted(by_n.items()))
                     + ".")
    notes.append(f"{INTERVAL_METHOD}. Bold: the best variant of each column.")
    against = sorted({c.baseline for c in group.columns if isinstance(c, JudgeMetric) and c.baseline})
    if against:
        notes.append(f"* against {', '.join(against)}.")
    return notes


def cells(group: Group) -> list[tuple[str, list[tuple[str, bool]]]]:
    """Per variant: its name and, per column, (cell text, is the best of the column)."""
    return [(v, [(format_cell(group.cells.get((v, c)), group.common_n[c] is None), group.best[c] == v)
                 for c in group.columns])
            for v in group.variants]


def _same_score(r: dict[str, Any]) -> tuple:
    return r["task"], r["language"], r["metric"], r.get("filter"), r.get("baseline")


def long_cells(rows: Iterable[dict[str, Any]]) -> list[tuple[list[str], bool]]:
    """Per report row: its texts (variant, task, language, metric, value ± half, n) and whether its
    variant is the single best of the rows sharing its task, language and metric (more than one valued)."""
    rows = list(rows)
    valued: dict[tuple, list[tuple[float, str]]] = {}
    for r in rows:
        if r["value"] is not None:
            sign = -1 if _lower(r["metric"]) else 1
            valued.setdefault(_same_score(r), []).append((sign * r["value"], r["variant"]))
    winners: dict[tuple, str] = {}
    for key, values in valued.items():
        top = max(v for v, _ in values)
        leaders = [name for v, name in values if v == top]
        if len(values) > 1 and len(leaders) == 1:
            winners[key] = leaders[0]
    out = []
    for r in rows:
        low, high = r.get("ci_low"), r.get("ci_high")
        half = (high - low) / 2 if low is not None and high is not None else None
        metric = r["metric"] + (f" vs {r['baseline']}" if r.get("baseline") else "")
        out.append(([r["variant"], r["task"], language_label(r["language"]), metric,
                     format_cell(Cell(r["value"], half, None), False), "—" if r["n"] is None else str(r["n"])],
                    winners.get(_same_score(r)) == r["variant"]))
    return out


def _lower(metric: str) -> bool:
    judged = JudgeMetric.parse(metric)
    return judged is not None and lower_is_better(judged)
