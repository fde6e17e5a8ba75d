"""`harness report`: the leaderboard in the terminal (default), every row (`--long`), JSON or CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .. import paths
from ..core.metric_name import JudgeMetric

if TYPE_CHECKING:
    from ..analysis.standings import Column, Group

Filter = Annotated[Optional[list[str]], typer.Option(help="Keep rows whose value contains this (repeatable).")]


def report(
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    fmt: Annotated[str, typer.Option("--format", help="table, json, csv, markdown or latex.")] = "table",
    long: Annotated[bool, typer.Option("--long", help="Every task, language and metric (one row each).")] = False,
    variant: Filter = None,
    task: Filter = None,
    language: Filter = None,
    metric: Filter = None,
    agreement: Annotated[bool, typer.Option("--agreement", help="Judge-human agreement per judge, language and "
                                            "facet (from the board's Rate page or `harness ratings import`).")] = False,
    biases: Annotated[bool, typer.Option("--biases", help="Judge biases per judge and language instead: position, "
                                         "length, self-preference, wrong-language verdicts.")] = False,
) -> None:
    """The leaderboard: per group of comparable variants, one row per variant with each task family's primary
    score and each judge's headline facet (value ± half the 95 % interval), the best of each named.
    `--long`, `--format json|csv`: one row per variant, task, language and metric; the filters apply.
    `--format markdown|latex`: the same tables for a paper (best in bold, n and the interval method below,
    LaTeX with booktabs rules).
    `--agreement`: judge-human agreement per judge, language and facet.
    `--biases`: each pairwise judge's biases per language (table, json or csv; `--language` filters)."""
    if biases:
        _biases(store, fmt, language)
        return
    if agreement:
        from .agreement_report import print_agreement

        print_agreement(store, fmt)
        return
    from ..publish.paper_tables import table_format, table_format_names
    from ..store.queries import REPORT_COLUMNS, report_rows
    from ._common import print_rows, read_rows
    paper = table_format_names()
    if fmt not in ("table", "json", "csv", *paper):
        raise typer.BadParameter(f"must be one of table, json, csv, {', '.join(paper)}", param_hint="--format")
    if fmt in ("table", *paper) and not long:
        from ..store.board import leaderboard

        board_rows = read_rows(store, leaderboard)
        groups = leaderboard_groups(board_rows, variant, [*(task or []), *(metric or [])], language)
        if fmt == "table":
            _standings(groups, bool(board_rows))
        else:
            sys.stdout.write(table_format(fmt).leaderboard(groups))
        return
    wanted = {"variant": variant, "task": task, "language": language, "metric": metric}
    rows = [r for r in read_rows(store, report_rows)
            if all(not values or any(v in str(r[k] or "") for v in values) for k, values in wanted.items())]
    if fmt in paper:
        sys.stdout.write(table_format(fmt).long(rows))
        return
    print_rows(rows, fmt, REPORT_COLUMNS, _table)


def _biases(store: Path, fmt: str, languages: list[str] | None) -> None:
    from ..services.judge_bias import BIAS_COLUMNS, judge_biases
    from ._common import print_rows, read_rows

    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter("with --biases: table, json or csv", param_hint="--format")
    rows = [r for r in read_rows(store, judge_biases)
            if not languages or (r["language"] and any(v in r["language"] for v in languages))]
    print_rows(rows, fmt, BIAS_COLUMNS, _bias_table)


def _bias_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    if not rows:
        console.print("no pairwise judgments stored: judge biases are measured on a pairwise judge's verdicts "
                      "(both orders)")
        return
    table = Table(title="judge biases (bias: p < 0.05 for position, length and self-preference; wrong-language: "
                        "picks the wrong-language answer at least half the time, or grades it no lower)")
    for col in ("judge", "language", "bias", "figure", "value", "n", "p", "flag", "note"):
        table.add_column(col, justify="right" if col in ("value", "n", "p") else "left")
    for r in rows:
        table.add_row(r["judge"], _language(r["language"]) if r["language"] else "all", r["bias"], r["figure"],
                      "not measured" if r["value"] is None else f"{r['value']:+.3f}" if r["figure"] == "lc_gap"
                      else f"{r['value']:.3f}", str(r["n"]), _fmt(r["p_value"]),
                      "[red]bias" if r["flagged"] else "", r["note"])
    console.print(table)


def leaderboard_groups(rows: list[dict], variants: list[str] | None, columns: list[str],
                       languages: list[str] | None) -> list[Group]:
    """The report's groups of the board's leaderboard rows; with ``languages``, the per-language summaries
    (``zh · primary_score``) instead of the family macros."""
    from ..analysis.standings import standings

    if languages:
        rows = [{**r, "scores": {c.replace("all tasks · ", "", 1): s for c, s in r["scores"].items()
                                 if isinstance(c, str) and c.startswith("all tasks · ")
                                 and any(f"· {lang} ·" in c for lang in languages)}}
                for r in rows]
    return standings(rows, variants=variants, columns_like=columns or None)


def _standings(groups: list[Group], any_rows: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..analysis.standings import format_cell

    console = Console()
    if not groups:
        console.print("no results yet" if not any_rows else "no variant matches")
        return
    if len(groups) > 1:
        console.print(f"[yellow]{len(groups)} groups of variants were evaluated differently; each is ranked on its own.")
    width = console.width
    for group in groups:
        if not group.columns:
            continue
        name_width = max(len("variant"), *(len(v) for v in group.variants))
        shown = {c: [format_cell(group.cells.get((v, c)), group.common_n[c] is None) for v in group.variants]
                 for c in group.columns}
        col_width = {c: max(len(_header(c)[0]), len(_header(c)[1]), *(len(t) for t in shown[c])) for c in group.columns}
        chunks: list[list[Column]] = [[]]
        used = name_width + 4
        for c in group.columns:   # columns that do not fit the terminal continue in another table
            if chunks[-1] and used + col_width[c] + 3 > width:
                chunks.append([])
                used = name_width + 4
            chunks[-1].append(c)
            used += col_width[c] + 3
        # the heading on its own line: a table's title would wrap to the table's width
        console.print(f"[bold]leaderboard[/] · {group.comparable}", soft_wrap=True)
        for chunk in chunks:
            table = Table(show_lines=False, pad_edge=False)
            table.add_column("variant", no_wrap=True)
            for c in chunk:
                family, sub = _header(c)
                table.add_column(f"{family}\n{sub}", justify="right", no_wrap=True)
            for j, v in enumerate(group.variants):
                cells = [Text(shown[c][j], style="bold green" if group.best[c] == v else "") for c in chunk]
                table.add_row(v, *cells)
            console.print(table)
        _notes(console, group)
    console.print("[dim]every task, language and metric: harness report --long · the board: harness board")


def _notes(console, group: Group) -> None:
    best = [f"{' '.join(_header(c))} → {group.best[c]}" for c in group.columns if group.best[c]]
    console.print("[dim]best (bold): " + ("; ".join(best) if best else "no column has a single best variant"))
    against = sorted({c.baseline for c in group.columns if isinstance(c, JudgeMetric) and c.baseline})
    if against:
        console.print(f"[dim]* against {', '.join(against)}")
    by_n: dict[int, list[str]] = {}
    for c, n in group.common_n.items():
        if n is not None:
            by_n.setdefault(n, []).append(_header(c)[0])
    if by_n:
        counts = "; ".join(f"{n} for {', '.join(dict.fromkeys(names))}" for n, names in sorted(by_n.items()))
        console.print(f"[dim]n (documents or answers per score): {counts}. ± is half the 95 % interval.")
    by_language: dict[str, list[str]] = {}
    for lang, n in group.language_n.items():
        by_language.setdefault("differs between variants" if n is None else str(n), []).append(lang)
    if by_language:
        counts = "; ".join(f"{n} for {', '.join(langs)}" for n, langs in by_language.items())
        console.print(f"[dim]n per language (documents, all tasks; scores: --language CODE): {counts}.")


def _header(column: Column) -> tuple[str, str]:
    """Two header lines: ``xquad_gen`` / ``f1``; ``rubric-6facet`` / ``helpfulness``; a ranking against a
    baseline gets a ``*`` (the baseline is named under the table)."""
    if isinstance(column, JudgeMetric):
        return column.judge, column.facet + ("*" if column.baseline else "")
    family, _, metric = column.partition(" · ")
    return family, metric


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
