"""The leaderboard as `harness report` prints it: per comparability group, one row per variant and a
column per task family's primary score and per judge headline facet, each ``value ± half-width`` of its
95 % interval, with the best variant of each column named.

Input: :func:`babelbench.store.board.leaderboard` rows (the board shows the same numbers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core.metric_name import JudgeMetric

#: A leaderboard column: a task family's macro (``xquad_gen · f1``) or a judge facet.
Column = str | JudgeMetric

#: Judge facets where less is better (everything else: more is better).
LOWER_IS_BETTER = frozenset({"code_switch", "loss", "no_target", "parse_failure_rate", "order_flip", "error_rate",
                             "unsupported"})


@dataclass(frozen=True)
class Cell:
    value: float | None
    half: float | None       #: half-width of the 95 % interval (None: no interval)
    n: int | None


@dataclass
class Group:
    comparable: str
    variants: list[str]
    columns: list[Column]
    cells: dict[tuple[str, Column], Cell] = field(default_factory=dict)
    #: column -> the variant with the best value (None when none has one, or several share it)
    best: dict[Column, str | None] = field(default_factory=dict)
    #: column -> n shared by every cell of the column (shown once, in a footnote), else None
    common_n: dict[Column, int | None] = field(default_factory=dict)
    #: language -> documents behind its per-language score, when every variant has the same n, else None
    language_n: dict[str, int | None] = field(default_factory=dict)


def is_score_column(column: Column) -> bool:
    """Family macros (``xquad_gen · f1``) and judge headline facets; not the per-language summaries."""
    return isinstance(column, JudgeMetric) or not column.startswith("all tasks · ")


def lower_is_better(column: Column) -> bool:
    return isinstance(column, JudgeMetric) and column.facet in LOWER_IS_BETTER


def column_order(column: Column) -> tuple[bool, str]:
    """Task families first, then judge facets, each by the text shown."""
    return isinstance(column, JudgeMetric), str(column)


def standings(rows: Iterable[dict[str, Any]], *, variants: list[str] | None = None,
              columns_like: list[str] | None = None) -> list[Group]:
    """Groups (largest first) of the board's leaderboard rows, optionally only ``variants`` (substring
    match on names) and columns containing one of ``columns_like``; variants sorted by their first column."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if variants and not any(v in r["variant"] for v in variants):
            continue
        by_group.setdefault(r["comparable"], []).append(r)
    groups = []
    for comparable, members in sorted(by_group.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        columns = sorted({c for r in members for c in r["scores"] if is_score_column(c)},
                         key=column_order)
        if columns_like:
            columns = [c for c in columns if any(p in str(c) for p in columns_like)]
        group = Group(comparable, [], columns)
        for r in members:
            for c in columns:
                s = r["scores"].get(c) or {}
                low, high = s.get("ci_low"), s.get("ci_high")
                half = (high - low) / 2 if low is not None and high is not None else None
                group.cells[(r["variant"], c)] = Cell(s.get("value"), half, s.get("n"))
        for c in columns:
            sign = -1 if lower_is_better(c) else 1
            valued: list[tuple[float, str]] = []
            for r in members:
                value = group.cells[(r["variant"], c)].value
                if value is not None:
                    valued.append((value, r["variant"]))
            top = max((sign * value for value, _ in valued), default=None)
            leaders = [name for value, name in valued if sign * value == top]
            # a tie names nobody, nor does a column with one value (nothing to beat)
            group.best[c] = leaders[0] if len(leaders) == 1 and len(valued) > 1 else None
            ns = {group.cells[(r["variant"], c)].n for r in members} - {None}
            group.common_n[c] = ns.pop() if len(ns) == 1 else None
        group.language_n = _language_n(members)
        first = columns[0] if columns else None

        def order(r: dict[str, Any], first: Column | None = first, group: Group = group) -> tuple:
            cell = group.cells.get((r["variant"], first)) if first else None
            value = cell.value if cell and cell.value is not None else None
            sign = -1 if first and lower_is_better(first) else 1
            return (value is None, -(sign * value) if value is not None else 0, r["variant"])

        group.variants = [r["variant"] for r in sorted(members, key=order)]
        groups.append(group)
    return groups


def _language_n(members: list[dict[str, Any]]) -> dict[str, int | None]:
    """Language -> the n of its per-language summary (``all tasks · <lang> · primary_score``) in every member."""
    out: dict[str, int | None] = {}
    for c in sorted({c for r in members for c in r["scores"] if not is_score_column(c)}, key=str):
        ns = {(r["scores"].get(c) or {}).get("n") for r in members} - {None}
        out[str(c).split(" · ")[1]] = ns.pop() if len(ns) == 1 else None
    return out


def format_cell(cell: Cell | None, show_n: bool) -> str:
    if cell is None or cell.value is None:
        return "—"
    text = f"{cell.value:.3g}" + (f" ± {cell.half:.2g}" if cell.half is not None else "")
    return text + (f" (n={cell.n})" if show_n and cell.n is not None else "")
