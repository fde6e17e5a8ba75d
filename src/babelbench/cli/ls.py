"""`harness ls recipes|tasks|variants`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths
from ._common import JudgesDirs, TasksDirs, search_path


def ls(
    what: Annotated[str, typer.Argument(help="recipes, tasks, judges or variants")],
    store: Annotated[Path, typer.Option("--store", help="Results store (for variants).")] = paths.DEFAULT_STORE,
    recipes_dir: Annotated[Optional[Path], typer.Option("--recipes", help="Recipe folder (default: ./recipes, "
                                                        "else the shipped recipes).")] = None,
    tasks_dir: TasksDirs = None,
    judges_dir: JudgesDirs = None,
) -> None:
    """List recipes (with their variants), tasks and judges (yours first, then the shipped ones), or variants."""
    search = search_path(tasks_dir, judges_dir)
    if recipes_dir is None:
        recipes_dir = Path("recipes") if Path("recipes").is_dir() else paths.shipped("recipes")
    if what == "recipes":
        from .. import validate
        from ..recipe import ConfigError, recipe_files

        for file in recipe_files([recipes_dir]):
            try:
                names = ", ".join(v.name for v in validate.recipe(file, search=search))
            except ConfigError as exc:
                names = f"INVALID ({len(exc.problems)} problem(s); see `harness validate {file}`)"
            typer.echo(f"{file}: {names}")
    elif what == "tasks":
        from ..evaluate.task_index import scan

        for name, entry in sorted(scan(list(search.tasks)).items()):
            typer.echo(f"{name:<20} {entry.kind:<6} {entry.file}")
    elif what == "judges":
        from ..judge.loader import judge_folders, load_judge
        from ..recipe import ConfigError

        for folder in judge_folders(list(search.judges)):
            try:
                j = load_judge(folder)
            except ConfigError as exc:
                typer.echo(f"{folder.name:<16} INVALID ({len(exc.problems)} problem(s); see `harness validate {folder}`)")
                continue
            backend = f"{j.config.backend.type}:{j.config.backend.model}" if j.config.backend else "lingua (no LLM)"
            facets = ", ".join(f"{f.name} {f.min}-{f.max}" for f in j.config.facets) or "—"
            typer.echo(f"{j.name:<16} {j.kind:<12} {backend:<28} {facets}")
    elif what == "variants":
        from ..store.queries import variant_rows
        from ._common import read_rows

        for r in read_rows(store, variant_rows):
            typer.echo(f"{r['variant']:<40} {r['variant_id']}  {r['base_model']:<22} {r['method']:<5} "
                       f"{r['pivot_mode']:<5} stages done: {r['stages_done']}")
    else:
        raise typer.BadParameter("must be recipes, tasks, judges or variants", param_hint="WHAT")
