"""Figures for a paper, drawn with matplotlib from :class:`~babelbench.publish.figure_data.FigureData`:
one file per figure (``pdf``, ``svg`` or ``png``), sized for a two-column paper.

- Sizes: one column is :data:`COLUMN_IN` inches wide, both columns :data:`PAGE_IN`; a figure takes the
  page width only when its columns would not fit one column. Text is 8 pt (ticks 7 pt), DejaVu Sans
  with Noto Sans CJK (and any Noto Arabic/Devanagari font installed) as fallbacks, so CJK, Arabic and
  Devanagari names are drawn with real glyphs; PDFs embed TrueType fonts, SVGs keep text as text.
- Palettes: colour-blind-safe (cividis for scores, ColorBrewer RdBu for gaps around 0, Okabe–Ito for lines
  and win/tie/loss).
- Labels: every variant and language is drawn; a long one is wrapped, never dropped; languages are named
  (``Chinese (zh)``).

The figure kinds register in :mod:`babelbench.publish.figure_kinds`; each returns (file stem, figure)
pairs, none when the store holds nothing for it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.registry import Registry

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .figure_data import FigureData

COLUMN_IN, PAGE_IN = 3.25, 6.75
FONT_PT, TICK_PT = 8, 7
FORMATS = ("pdf", "svg", "png")
PNG_DPI = 300
#: Okabe & Ito's colour-blind-safe qualitative palette (black left out).
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
WIN_TIE_LOSS = {"win": "#0072B2", "tie": "#BBBBBB", "loss": "#D55E00"}
SEQUENTIAL, DIVERGING = "cividis", "RdBu"
#: Fonts tried in order for each character: Latin, Greek, Cyrillic, Arabic (DejaVu), then CJK, Devanagari.
FONTS = ["DejaVu Sans", "Noto Sans CJK JP", "Noto Sans Devanagari", "Noto Sans Arabic", "Lohit Devanagari"]

Kind = Callable[["FigureData"], list[tuple[str, "Figure"]]]
_KINDS: Registry[Kind] = Registry("figure", ("babelbench.publish.figure_kinds", "babelbench.publish.figure_lines"))


def register_figure(name: str) -> Callable[[Kind], Kind]:
    return _KINDS.register(name)


def figure_names() -> list[str]:
    return _KINDS.names()


@dataclass(frozen=True)
class WrittenFigure:
    path: Path
    width_in: float
    height_in: float


def installed_fonts() -> list[str]:
    """The fonts of :data:`FONTS` this machine has (the fallback chain matplotlib uses)."""
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in FONTS if f in have]


def style() -> Any:
    """matplotlib settings for a paper (used as an ``rc_context``)."""
    return {"font.family": installed_fonts() or ["DejaVu Sans"],   # a list: matplotlib falls back glyph by glyph
            "font.size": FONT_PT, "axes.titlesize": FONT_PT, "axes.labelsize": FONT_PT,
            "xtick.labelsize": TICK_PT, "ytick.labelsize": TICK_PT, "legend.fontsize": TICK_PT,
            "svg.fonttype": "none", "pdf.fonttype": 42, "axes.spines.top": False, "axes.spines.right": False,
            "figure.constrained_layout.use": True, "savefig.dpi": PNG_DPI}


def wrap(label: str, width: int = 22) -> str:
    """A long label on several lines (never cut)."""
    return "\n".join(textwrap.wrap(label, width, break_long_words=True, break_on_hyphens=False)) or label


def width_for(columns: int, per_column_in: float = 0.45, margin_in: float = 1.3) -> float:
    """One column, or the page when ``columns`` cells (plus the row labels) would not fit one."""
    return COLUMN_IN if margin_in + columns * per_column_in <= COLUMN_IN else PAGE_IN


def write_figures(data: FigureData, folder: Path, fmt: str = "pdf",
                  only: list[str] | None = None) -> list[WrittenFigure]:
    """Draw every figure kind (or ``only`` those) and write one file per figure under ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; known: {', '.join(FORMATS)}")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context(style()):
        for name in only or figure_names():
            for stem, figure in _KINDS.get(name)(data):
                path = folder / f"{stem}.{fmt}"
                figure.savefig(path, format=fmt, metadata=_metadata(fmt))
                width, height = figure.get_size_inches()
                written.append(WrittenFigure(path, float(width), float(height)))
                plt.close(figure)
    return written


def render(data: FigureData, name: str, fmt: str) -> list[tuple[str, bytes]]:
    """One figure kind's files as bytes (the board's download buttons): (file name, content) pairs."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    with matplotlib.rc_context(style()):
        for stem, figure in _KINDS.get(name)(data):
            buffer = io.BytesIO()
            figure.savefig(buffer, format=fmt, metadata=_metadata(fmt))
            plt.close(figure)
            out.append((f"{stem}.{fmt}", buffer.getvalue()))
    return out


def _metadata(fmt: str) -> dict[str, Any]:
    """No creation date in the files: the same store draws the same bytes."""
    return {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {}}[fmt]
