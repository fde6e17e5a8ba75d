"""The report's tables as LaTeX: ``booktabs`` rules, the best cell of each column in bold, n and the
interval method in the caption. Needs ``\\usepackage{booktabs}`` in the paper's preamble; text in other
scripts (a variant's or a language's name) needs a Unicode engine (XeLaTeX, LuaLaTeX) or its packages."""

from __future__ import annotations

from typing import Any

from ..analysis.standings import Group
from .paper_tables import INTERVAL_METHOD, LONG_COLUMNS, TableFormat, cells, footnotes, header, long_cells, register_table_format

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
            "<": r"\textless{}", ">": r"\textgreater{}"}


def escape(text: str) -> str:
    """LaTeX's special characters taken literally; ``±`` and ``—`` as math and a dash."""
    out = "".join(_SPECIAL.get(ch, ch) for ch in str(text))
    return out.replace("±", r"$\pm$").replace("—", "---").replace("\n", " ")


def _bold(text: str, bold: bool) -> str:
    return rf"\textbf{{{text}}}" if bold and text != "---" else text


def _row(texts: list[str]) -> str:
    return " & ".join(texts) + r" \\"


def _table(spec: str, head: list[str], body: list[str], caption: str, label: str) -> list[str]:
    return [r"\begin{table}[t]", r"\centering", r"\small", rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
            *head, r"\midrule", *body, r"\bottomrule", r"\end{tabular}", rf"\caption{{{caption}}}",
            rf"\label{{{label}}}", r"\end{table}"]


def leaderboard(groups: list[Group]) -> str:
    parts = []
    for number, group in enumerate((g for g in groups if g.columns), 1):
        heads = [header(c) for c in group.columns]
        head = [_row(["Variant", *(escape(h[0]) for h in heads)]), _row(["", *(escape(h[1]) for h in heads)])]
        body = [_row([escape(variant), *(_bold(escape(t), best) for t, best in row)]) for variant, row in cells(group)]
        caption = " ".join([f"Leaderboard ({escape(group.comparable)}).", *(escape(n) for n in footnotes(group))])
        parts.append("\n".join(_table("l" + "r" * len(group.columns), head, body, caption,
                                      f"tab:leaderboard-{number}")))
    return "\n\n".join(parts) + "\n" if parts else "% no results yet\n"


def long(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "% no results yet\n"
    body = []
    for texts, best in long_cells(rows):
        shown = [escape(t) for t in texts]
        shown[4] = _bold(shown[4], best)
        body.append(_row(shown))
    head = [_row([escape(c.capitalize()) for c in LONG_COLUMNS])]
    caption = escape(f"Every task, language and metric. {INTERVAL_METHOD}. "
                     "Bold: the best variant for the task, language and metric.")
    return "\n".join(_table("llllrr", head, body, caption, "tab:results")) + "\n"


def grid(columns: list[str], rows: list[list[str]], caption: str) -> str:
    head = [_row([escape(c) for c in columns])]
    body = [_row([escape(t) for t in row]) for row in rows]
    return "\n".join(_table("l" * len(columns), head, body, escape(caption), "tab:board")) + "\n"


register_table_format("latex")(TableFormat(leaderboard=leaderboard, long=long, grid=grid))
