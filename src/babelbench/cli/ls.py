"""`harness ls recipes|tasks|variants`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import paths


def ls(
    what: Annotated[str, typer.Argument(help="recipes, tasks or variants")],
    store: Annotated[Path, typer.Option("--store", help="Results store (for variants).")] = paths.DEFAULT_STORE,
    recipes_dir: Annotated[Path, typer.Option("--recipes", help="Recipe folder.")] = Path("recipes"),
) -> None:
    """List recipes (with their variants), tasks in tasks/, or variants in the store."""
    if what == "recipes":
        from ..recipe import ConfigError, load_recipe, recipe_files

        for file in recipe_files([recipes_dir]):
            try:
                names = ", ".join(v.name for v in load_recipe(file))
            except ConfigError as exc:
                names = f"INVALID ({len(exc.problems)} problem(s); see `harness validate {file}`)"
            typer.echo(f"{file}: {names}")
    elif what == "tasks":
        from ..evaluate.task_index import scan

        for name, entry in sorted(scan().items()):
            typer.echo(f"{name:<20} {entry.kind:<6} {entry.file.relative_to(paths.tasks_dir().resolve())}")
    elif what == "variants":
        from ..store.queries import variant_rows
        from ._common import read_rows

        for r in read_rows(store, variant_rows):
            typer.echo(f"{r['variant']:<40} {r['variant_id']}  {r['base_model']:<22} {r['method']:<5} "
                       f"{r['pivot_mode']:<5} stages done: {r['stages_done']}")
    else:
        raise typer.BadParameter("must be recipes, tasks or variants", param_hint="WHAT")
