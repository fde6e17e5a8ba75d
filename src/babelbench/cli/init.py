"""`harness init DIR`: write a starter folder (a recipe, a task, a judge, data) that runs as it is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def init(folder: Annotated[Path, typer.Argument(help="Folder to create (or an empty one).")]) -> None:
    """Write a starter recipe with a task and a judge of your own; then `harness run DIR/recipe.yaml`."""
    from ..starter import StarterExists, write_starter

    try:
        written = write_starter(folder)
    except StarterExists as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"next: cd {folder} && harness run recipe.yaml && harness report")
