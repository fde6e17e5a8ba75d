"""`harness import lm-eval PATH`: bring a run made with plain lm-eval onto the report and the board."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths

app = typer.Typer(help="Import results made elsewhere.", no_args_is_help=True)


@app.command("lm-eval")
def lm_eval(
    path: Annotated[Path, typer.Argument(help="An lm-eval --output_path folder (or one results_*.json); its "
                                              "samples_*.jsonl (from --log_samples) are imported too.")],
    name: Annotated[Optional[str], typer.Option("--name", help="Variant name (default: model:<pretrained>).")] = None,
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
) -> None:
    """Store an lm-eval run as a variant (method external, its model arguments as its configuration) with
    its metrics and answers; importing the same run again adds nothing."""
    from rich.console import Console

    from ..evaluate.lm_eval_import import ImportError_, read_run
    from ..pipeline.importing import store_import

    try:
        run = read_run(path, name)
    except ImportError_ as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    console = Console()
    if store_import(store, run, console):
        console.print(f"imported {run.name}: {len(run.metrics)} metric rows, {len(run.samples)} answers into {store}")
    else:
        console.print(f"{run.name} is in {store} already: nothing added")
