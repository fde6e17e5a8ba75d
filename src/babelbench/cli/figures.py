"""`harness figures DIR`: the paper's figures from the store, one file per figure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional, cast

import typer

from .. import paths


def figures(
    folder: Annotated[Path, typer.Argument(help="Folder to write the figures into (created if missing).")],
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    fmt: Annotated[str, typer.Option("--format", help="pdf, svg or png.")] = "pdf",
    variant: Annotated[Optional[list[str]], typer.Option(help="Only these variants (repeatable).")] = None,
) -> None:
    """Figures for a two-column paper: per task family a heatmap of the primary score per variant and language
    and a map of transfer gaps (centred at 0); per language a forest plot of each variant's score and of its
    win rate against the baseline, with 95 % intervals; the pairwise win/tie/loss bars; the checkpoint-selection
    training curves. Colour-blind-safe palettes; one column (3.25 in) or the page (6.75 in) wide."""
    from ..publish.figure_data import FigureData, read_figure_data
    from ..publish.figures import FORMATS, write_figures
    from ._common import read_rows

    if fmt not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    if folder.exists() and not folder.is_dir():
        raise typer.BadParameter(f"not a folder: {folder}", param_hint="DIR")
    everyone = cast(FigureData, read_rows(store, read_figure_data))
    unknown = sorted(set(variant or []) - set(everyone.variants()))
    if unknown:
        raise typer.BadParameter(f"not evaluated in this store: {', '.join(unknown)}", param_hint="--variant")
    data = cast(FigureData, read_rows(store, lambda con: read_figure_data(con, variant))) if variant else everyone
    if not data.primary:
        typer.echo("no results yet: nothing to draw")
        raise typer.Exit(1)
    for figure in write_figures(data, folder, fmt):
        typer.echo(f"{figure.path}  ({figure.width_in:.2f} × {figure.height_in:.2f} in)")
