"""`harness report --agreement`: judge-human agreement per judge x language x facet (the Judge
reliability page's tables) as tables, JSON or CSV."""

from __future__ import annotations

import sys
from pathlib import Path

RUBRIC = ["judge", "language", "facet", "n", "answers", "raters", "kappa", "kappa_low", "kappa_high", "rho",
          "rho_low", "rho_high", "alpha", "alpha_low", "alpha_high", "alpha_units"]
PAIRWISE = ["judge", "language", "n", "answers", "agreement", "agreement_low", "agreement_high", "kappa",
            "kappa_low", "kappa_high"]


def print_agreement(store: Path, fmt: str) -> None:
    from ..services.agreement import agreement
    from ._common import read_store

    tables = read_store(store, agreement)
    rows = [{"kind": "rubric", **{c: r.get(c) for c in RUBRIC}} for r in tables["rubric"]] + \
           [{"kind": "pairwise", **{c: r.get(c) for c in PAIRWISE}} for r in tables["pairwise"]]
    if fmt == "json":
        import json

        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=["kind", *dict.fromkeys(RUBRIC + PAIRWISE)])
        writer.writeheader()
        writer.writerows(rows)
    else:
        _tables(tables)


def _cell(row: dict, name: str) -> str:
    value = row.get(name)
    if value is None:
        return "—"
    low = row.get(f"{name}_low")
    return f"{value:.3f}" + (f" [{low:.2f}, {row[f'{name}_high']:.2f}]" if low is not None else "")


def _tables(tables: dict[str, list[dict]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    if not tables["rubric"] and not tables["pairwise"]:
        console.print("no human rating of a judged answer yet (the board's Rate page, or `harness ratings import`)")
        return
    if tables["rubric"]:
        table = Table(title="judge-human agreement: rubric facets")
        for col in ("judge", "language", "facet", "n", "answers", "raters", "κ (quadratic) [95% CI]",
                    "Spearman ρ [95% CI]", "humans' α [95% CI]"):
            table.add_column(col, justify="right" if col in ("n", "answers", "raters") else "left")
        for r in tables["rubric"]:
            table.add_row(r["judge"], r["language"], r["facet"], str(r["n"]), str(r["answers"]), str(r["raters"]),
                          _cell(r, "kappa"), _cell(r, "rho"), _cell(r, "alpha"))
        console.print(table)
    if tables["pairwise"]:
        table = Table(title="judge-human agreement: pairwise verdicts")
        for col in ("judge", "language", "n", "answers", "agreement [95% CI]", "κ [95% CI]"):
            table.add_column(col, justify="right" if col in ("n", "answers") else "left")
        for r in tables["pairwise"]:
            table.add_row(r["judge"], r["language"], str(r["n"]), str(r["answers"]), _cell(r, "agreement"),
                          _cell(r, "kappa"))
        console.print(table)
    console.print("[dim]n: (human, judge) pairs of the same answer, every rater's grade paired with the judge's; "
                  "κ quadratic-weighted over the judge's scale; intervals: 95 % bootstrap over answers; "
                  "α: Krippendorff's alpha (ordinal) between raters; —: undefined (no variation).")
