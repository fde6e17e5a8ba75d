"""What the paper's figures draw, read with the board's queries (the same numbers the board and
`harness report` show): primary scores per language with intervals, transfer gaps, pairwise outcomes,
win rates per language, and checkpoint-selection curves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from ..store import board


@dataclass
class FigureData:
    primary: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    pairwise: list[dict[str, Any]] = field(default_factory=list)
    win_rates: list[dict[str, Any]] = field(default_factory=list)
    curves: list[dict[str, Any]] = field(default_factory=list)

    def variants(self) -> list[str]:
        """Every evaluated variant with a primary score, in name order."""
        return sorted({r["variant"] for r in self.primary})

    def languages(self) -> list[str]:
        """English first, then the other languages by code."""
        return sorted({r["language"] for r in self.primary}, key=lambda c: (c != "en", c))


def read_figure_data(con: duckdb.DuckDBPyConnection, variants: list[str] | None = None) -> FigureData:
    """The rows of every figure, only the named variants' when ``variants`` is given."""
    keep = (lambda r: True) if variants is None else (lambda r: r["variant"] in variants)
    families = {r["task"]: r["family"] for r in board.primary_by_language(con)}
    gaps = [{**g, "family": g["family"] or families.get(g["task"], g["task"].rsplit("_", 1)[0]),
             "metric": g["metric"].removeprefix("transfer_gap:")} for g in board.transfer_gaps(con)]
    return FigureData(
        primary=[r for r in board.primary_by_language(con) if keep(r)],
        gaps=[g for g in gaps if keep(g)],
        pairwise=[r for r in board.pairwise(con) if keep(r) and r["outcome"] in ("win", "tie", "loss")],
        win_rates=[r for r in board.win_rates_by_language(con) if keep(r)],
        curves=[r for r in board.selection_curves(con) if keep(r)],
    )
