"""`harness compare A B`: paired differences on the same documents, with intervals and p-values."""

from __future__ import annotations

import fnmatch
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .. import paths

if TYPE_CHECKING:
    from ..analysis.paired import Measure

COLUMNS = ["task", "language", "metric", "n", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "p_value", "p_holm",
           "significant", "sd_diff", "mde"]


def compare(
    a: Annotated[str, typer.Argument(help="Variant A (its full name, e.g. demo@en-only).")],
    b: Annotated[str, typer.Argument(help="Variant B: differences are B - A.")],
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    tasks: Annotated[Optional[list[str]], typer.Option("--tasks", help="Task-name patterns (fnmatch, repeatable).")] = None,
    judges: Annotated[Optional[list[str]], typer.Option("--judge", help="Only this judge's facets (repeatable); "
                                                                         "`none` for task metrics only.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    detect: Annotated[Optional[float], typer.Option("--detect", help="A difference D (in the metric's units): "
                                                    "also print the documents needed to detect it "
                                                    "(alpha 0.05, power 0.8).")] = None,
) -> None:
    """For every task, language and metric (or judge facet) both variants have: B - A on the same
    documents, a paired bootstrap 95 % interval, a paired permutation p-value, Holm-corrected, and the
    minimum detectable difference (MDE, two-sided alpha 0.05, power 0.8, normal approximation:
    2.80 * sd of the differences / sqrt(n)); `--detect D`: the documents needed to detect D."""
    from ..analysis.paired import compare as run_compare
    from ..services.comparison import stored_pairs
    from ._common import print_rows, read_rows

    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter("must be table, json or csv", param_hint="--format")
    if detect is not None and not detect > 0:
        raise typer.BadParameter("must be a positive difference", param_hint="--detect")

    def pairs_of(con):
        try:
            return [stored_pairs(con, a, b)]
        except ValueError as exc:
            raise typer.BadParameter(f"{exc} in {store}", param_hint="A/B") from None

    [pairs] = read_rows(store, pairs_of)
    chosen = {key: v for key, v in pairs.items() if _wanted(key, tasks, judges)}
    if not chosen:
        typer.echo(f"error: {a} and {b} share no task, language and metric on the same documents", err=True)
        raise typer.Exit(1)
    rows = [{**asdict(c), "significant": c.significant} for c in run_compare(chosen)]
    columns = COLUMNS
    if detect is not None:
        from ..analysis.power import documents_needed

        rows = [{**r, "detect": detect, "n_needed": documents_needed(r["sd_diff"], detect)} for r in rows]
        columns = [*COLUMNS, "detect", "n_needed"]
    print_rows(rows, fmt, columns, lambda shown: _table(a, b, shown, detect))


def _wanted(key: tuple[str, str | None, Measure], tasks: list[str] | None, judges: list[str] | None) -> bool:
    from ..core.metric_name import JudgeMetric

    task, _language, metric = key
    if tasks and not any(fnmatch.fnmatchcase(task, p) for p in tasks):
        return False
    if judges:
        judge = metric.judge if isinstance(metric, JudgeMetric) else "none"
        return judge in judges
    return True


def _table(a: str, b: str, rows: list[dict], detect: float | None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{b} − {a} on the same documents (95 % paired bootstrap; permutation p, Holm-corrected)")
    needed = [f"n for {detect:g}"] if detect is not None else []
    for col in ("task", "language", "metric", "n", "A", "B", "B − A", "95% CI", "p (Holm)", "", "MDE", *needed):
        table.add_column(col, justify="left" if col in ("task", "language", "metric") else "right")
    for r in rows:
        extra = [_count(r["n_needed"])] if detect is not None else []
        table.add_row(r["task"], r["language"] or "—", r["metric"], str(r["n"]), f"{r['mean_a']:.4g}",
                      f"{r['mean_b']:.4g}", f"{r['diff']:+.4g}", f"[{r['ci_low']:+.3g}, {r['ci_high']:+.3g}]",
                      f"{r['p_holm']:.3g}", "[green]*" if r["significant"] else "",
                      "—" if r["mde"] is None else f"{r['mde']:.3g}", *extra)
    Console(width=200).print(table)
    shown = sum(r["significant"] for r in rows)
    Console(width=200).print(f"{shown} of {len(rows)} differences significant at 0.05 after Holm's correction. "
                             "MDE: the smallest difference detectable with power 0.8 at alpha 0.05 (two-sided, "
                             "normal approximation, from the sd of the per-document differences).")


def _count(n: int | None) -> str:
    return "—" if n is None else str(n)
