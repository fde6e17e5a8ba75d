"""The paper's figure kinds (registered in :mod:`babelbench.publish.figures`): per task family a heatmap
of the primary score per variant and language and a map of transfer gaps; per language a forest plot of
each variant's score and of its win rate against the baseline; the pairwise win/tie/loss bars; the
checkpoint-selection training curves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .figure_data import FigureData
from .figures import COLUMN_IN, DIVERGING, OKABE_ITO, SEQUENTIAL, register_figure, width_for, wrap
from .paper_tables import language_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def new_figure(width: float, rows: int, per_row_in: float = 0.24, extra_in: float = 0.75) -> tuple[Figure, Axes]:
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, round(extra_in + rows * per_row_in, 2)))


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)


def _two_lines(code: str) -> str:
    """``Chinese`` over ``(zh)``: narrow enough for a heatmap column."""
    return language_label(code).replace(" (", "\n(", 1)


def _matrix(rows: list[dict[str, Any]], variants: list[str], columns: list[str], column_of) -> list[list[float]]:
    cells = {(r["variant"], column_of(r)): r["value"] for r in rows if r["value"] is not None}
    return [[cells.get((v, c), float("nan")) for c in columns] for v in variants]


def _heat(values: list[list[float]], variants: list[str], columns: list[str], title: str, *,
          diverging: bool) -> Figure:
    """Variants down, languages across, each value written in its cell (dark text on light cells)."""
    import matplotlib.colors as mcolors
    import numpy as np

    grid = np.array(values, dtype=float)
    fig, ax = new_figure(width_for(len(columns)), len(variants), per_row_in=0.26, extra_in=1.0)
    if diverging:   # centred at 0: as far below as above
        reach = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
        norm: mcolors.Normalize = mcolors.TwoSlopeNorm(0.0, -(reach or 1.0), reach or 1.0)
    else:
        unit = bool(np.nanmin(grid) >= 0 and np.nanmax(grid) <= 1) if np.isfinite(grid).any() else True
        norm = mcolors.Normalize(0, 1) if unit else mcolors.Normalize(np.nanmin(grid), np.nanmax(grid))
    cmap = DIVERGING if diverging else SEQUENTIAL
    image = ax.imshow(grid, cmap=cmap, norm=norm, aspect="auto")
    for (i, j), value in np.ndenumerate(grid):
        if np.isfinite(value):
            r, g, b, _ = image.cmap(norm(value))
            dark = 0.299 * r + 0.587 * g + 0.114 * b > 0.5
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="black" if dark else "white")
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(variants)), [wrap(v) for v in variants])
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
    return fig


@register_figure("heatmap")
def heatmaps(data: FigureData) -> list[tuple[str, Figure]]:
    """Per task family: the primary score of each variant in each language."""
    out = []
    for family in sorted({r["family"] for r in data.primary}):
        rows = [r for r in data.primary if r["family"] == family]
        variants = sorted({r["variant"] for r in rows})
        langs = sorted({r["language"] for r in rows}, key=lambda c: (c != "en", c))
        metric = rows[0]["metric"]
        values = _matrix(rows, variants, langs, lambda r: r["language"])
        out.append((f"heatmap-{_slug(family)}", _heat(values, variants, [_two_lines(c) for c in langs],
                                                       f"{family}: {metric}", diverging=False)))
    return out


@register_figure("transfer-gaps")
def transfer_gaps(data: FigureData) -> list[tuple[str, Figure]]:
    """Per task family: each language's score minus English's, on a scale centred at 0."""
    out = []
    for family in sorted({g["family"] for g in data.gaps}):
        rows = [g for g in data.gaps if g["family"] == family]
        variants = sorted({g["variant"] for g in rows})
        langs = sorted({g["language"] for g in rows})
        values = _matrix(rows, variants, langs, lambda r: r["language"])
        title = f"{family}: {rows[0]['metric']} minus English"
        out.append((f"transfer-gaps-{_slug(family)}", _heat(values, variants, [_two_lines(c) for c in langs],
                                                             title, diverging=True)))
    return out


def _forest(points: list[tuple[str, float, float | None, float | None]], title: str, xlabel: str,
            reference: float | None) -> Figure:
    """One row per label: the value as a dot, its 95 % interval as a line."""
    fig, ax = new_figure(COLUMN_IN, len(points), extra_in=0.9)
    for i, (_, value, low, high) in enumerate(points):
        if low is not None and high is not None:
            ax.plot([low, high], [i, i], color=OKABE_ITO[0], linewidth=1.2, solid_capstyle="butt")
        ax.plot([value], [i], "o", color=OKABE_ITO[0], markersize=4)
    if reference is not None:
        ax.axvline(reference, color="#777777", linestyle=":", linewidth=0.8)
    ax.set_yticks(range(len(points)), [wrap(p[0]) for p in points])
    ax.set_ylim(len(points) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return fig


@register_figure("forest")
def forests(data: FigureData) -> list[tuple[str, Figure]]:
    """Per language: each variant's primary score with its interval (``variant · family`` when several)."""
    out = []
    several = len({r["family"] for r in data.primary}) > 1
    for lang in data.languages():
        rows = sorted((r for r in data.primary if r["language"] == lang and r["value"] is not None),
                      key=lambda r: (r["family"], r["variant"]))
        points = [(f"{r['variant']} · {r['family']}" if several else r["variant"], r["value"], r["ci_low"],
                   r["ci_high"]) for r in rows]
        metric = "primary score" if several else f"{rows[0]['family']} {rows[0]['metric']}"
        out.append((f"forest-{_slug(lang)}", _forest(points, language_label(lang), f"{metric}\n(95 % interval)", None)))
    return out


@register_figure("win-rate")
def win_rates(data: FigureData) -> list[tuple[str, Figure]]:
    """Per language: each variant's win rate against its baseline (ties half) with its interval."""
    out = []
    for lang in sorted({r["language"] for r in data.win_rates}, key=lambda c: (c != "en", c)):
        rows = sorted((r for r in data.win_rates if r["language"] == lang), key=lambda r: (r["variant"], r["task"]))
        tasks = len({r["task"] for r in rows}) > 1
        points = [(f"{r['variant']} vs {r['baseline']}" + (f" · {r['task']}" if tasks else ""), r["value"],
                   r["ci_low"], r["ci_high"]) for r in rows]
        out.append((f"win-rate-{_slug(lang)}", _forest(points, language_label(lang),
                                                       "win rate against the baseline\n(ties half; 95 % interval)", 0.5)))
    return out
