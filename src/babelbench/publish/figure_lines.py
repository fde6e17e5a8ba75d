"""The paper's pairwise bars and training curves (registered in :mod:`babelbench.publish.figures`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .figure_data import FigureData
from .figure_kinds import new_figure
from .figures import COLUMN_IN, OKABE_ITO, WIN_TIE_LOSS, register_figure, wrap
from .paper_tables import language_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@register_figure("pairwise")
def pairwise(data: FigureData) -> list[tuple[str, Figure]]:
    """Win, tie and loss shares of each variant against its baseline, as stacked bars."""
    pairs = sorted({(r["variant"], r["baseline"]) for r in data.pairwise})
    if not pairs:
        return []
    shares = {(r["variant"], r["baseline"], r["outcome"]): r["value"] or 0.0 for r in data.pairwise}
    fig, ax = new_figure(COLUMN_IN, len(pairs), extra_in=1.0)
    for i, (variant, baseline) in enumerate(pairs):
        left = 0.0
        for outcome, colour in WIN_TIE_LOSS.items():
            share = shares.get((variant, baseline, outcome), 0.0)
            ax.barh(i, share, left=left, color=colour, height=0.6, label=outcome if i == 0 else None)
            if share >= 0.08:
                ax.text(left + share / 2, i, f"{share:.2f}", ha="center", va="center",
                        color="white" if outcome != "tie" else "black")
            left += share
    ax.set_yticks(range(len(pairs)), [wrap(f"{v} vs {b}", 26) for v, b in pairs])
    ax.set_ylim(len(pairs) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of prompts")
    ax.legend(ncols=3, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return [("pairwise", fig)]


@register_figure("training-curves")
def training_curves(data: FigureData) -> list[tuple[str, Figure]]:
    """The checkpoint-selection metric per step and language, one figure per variant; the chosen step dotted."""
    out = []
    for variant in sorted({r["variant"] for r in data.curves}):
        rows = [r for r in data.curves if r["variant"] == variant]
        fig, ax = new_figure(COLUMN_IN, 0, extra_in=2.2)
        langs = sorted({r["language"] for r in rows}, key=lambda c: (c != "en", c))
        for i, lang in enumerate(langs):
            points = sorted((r["step"], r["value"]) for r in rows if r["language"] == lang)
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", markersize=3,
                    color=OKABE_ITO[i % len(OKABE_ITO)], label=language_label(lang))
        chosen = rows[0]["selected_step"]
        ax.axvline(chosen, color="#777777", linestyle=":", linewidth=0.8)
        ax.annotate(f"chosen: step {chosen}", (chosen, 1.0), xycoords=("data", "axes fraction"),
                    ha="left", va="top", xytext=(3, 0), textcoords="offset points")
        ax.set_xticks(sorted({r['step'] for r in rows}))   # the kept checkpoints' steps
        ax.set_xlabel("training step")
        ax.set_ylabel(f"{rows[0]['metric']} (validation)")
        ax.set_title(wrap(variant, 40))
        ax.legend(frameon=False)
        out.append((f"training-curves-{''.join(c if c.isalnum() or c in '-_' else '-' for c in variant)}", fig))
    return out
