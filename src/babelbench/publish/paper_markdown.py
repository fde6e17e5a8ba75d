"""The report's tables as Markdown (GitHub pipes): bold best cells, n and the interval method below."""

from __future__ import annotations

import re
from typing import Any

from ..analysis.standings import Group
from .paper_tables import INTERVAL_METHOD, LONG_COLUMNS, TableFormat, cells, footnotes, header, long_cells, register_table_format

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def escape(text: str) -> str:
    """Markdown's markup characters taken literally; a line break inside a cell becomes a space."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def _row(texts: list[str]) -> str:
    return "| " + " | ".join(texts) + " |"


def _bold(text: str, bold: bool) -> str:
    return f"**{text}**" if bold and text != "—" else text


def leaderboard(groups: list[Group]) -> str:
    parts = []
    for group in groups:
        if not group.columns:
            continue
        heads = ["variant", *(escape(" ".join(h for h in header(c) if h)) for c in group.columns)]
        lines = [f"**Leaderboard** · {escape(group.comparable)}", "", _row(heads),
                 "|" + "|".join([":---", *("---:" for _ in group.columns)]) + "|"]
        for variant, row in cells(group):
            lines.append(_row([escape(variant), *(_bold(escape(t), best) for t, best in row)]))
        lines += ["", *(escape(note) for note in footnotes(group))]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n" if parts else "no results yet\n"


def long(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no results yet\n"
    lines = [_row(list(LONG_COLUMNS)), "|" + "|".join([":---"] * 4 + ["---:"] * 2) + "|"]
    for texts, best in long_cells(rows):
        shown = [escape(t) for t in texts]
        shown[4] = _bold(shown[4], best)
        lines.append(_row(shown))
    lines += ["", escape(f"{INTERVAL_METHOD}. Bold: the best variant for the task, language and metric.")]
    return "\n".join(lines) + "\n"

def grid(columns: list[str], rows: list[list[str]], caption: str) -> str:
    lines = [_row([escape(c) for c in columns]), "|" + "|".join(":---" for _ in columns) + "|",
             *(_row([escape(t) for t in row]) for row in rows)]
    return "\n".join([*lines, "", escape(caption)]) + "\n"


register_table_format("markdown")(TableFormat(leaderboard=leaderboard, long=long, grid=grid))
