"""`harness report`: the leaderboard rows in the terminal, as JSON or as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import paths


def report(
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
) -> None:
    """One row per variant, task, language and metric, with value, 95 % interval and n (judges' included)."""
    from ..store.queries import REPORT_COLUMNS, report_rows
    from ._common import print_rows, read_rows

    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter("must be table, json or csv", param_hint="--format")
    print_rows(read_rows(store, report_rows), fmt, REPORT_COLUMNS, _table)


def _table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="babelbench results", show_lines=False)
    for col in ("variant", "task", "language", "metric", "value", "95% CI", "n"):
        table.add_column(col, justify="right" if col in ("value", "95% CI", "n") else "left")
    for r in rows:
        metric = f"{r['metric']} [{r['filter']}]" + (f" vs {r['baseline']}" if r.get("baseline") else "")
        ci = f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]" if r.get("ci_low") is not None else "—"
        table.add_row(r["variant"], r["task"], _language(r["language"]), metric, _fmt(r["value"]), ci,
                      str(r["n"] if r["n"] is not None else "—"))
    Console(width=200).print(table if rows else "no results yet")


def _language(code: str | None) -> str:
    """``yo (Yoruba)``: the code as stored, and its English name."""
    from .. import languages

    if not code:
        return "—"
    name = languages.name(code)
    return code if name == code else f"{code} ({name})"


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.4g}"
