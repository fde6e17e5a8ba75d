"""`harness import lm-eval PATH`: bring a run made with plain lm-eval onto the report and the board."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths
from ._common import JudgesDirs, print_problems, search_path

app = typer.Typer(help="Import results made elsewhere.", no_args_is_help=True)


@app.command("lm-eval")
def lm_eval(
    path: Annotated[Path, typer.Argument(help="An lm-eval --output_path folder (or one results_*.json); its "
                                              "samples_*.jsonl (from --log_samples) are imported too.")],
    name: Annotated[Optional[str], typer.Option("--name", help="Variant name (default: model:<pretrained>).")] = None,
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    judge: Annotated[Optional[list[str]], typer.Option("--judge", help="Grade the imported answers with this judge "
                                                      "(repeatable; judges that need no baseline).")] = None,
    judge_model: Annotated[Optional[str], typer.Option("--judge-model", help="Judge model.")] = None,
    judge_base_url: Annotated[Optional[str], typer.Option("--judge-base-url", help="OpenAI-compatible endpoint.")] = None,
    judges_dir: JudgesDirs = None,
) -> None:
    """Store an lm-eval run as a variant (method external, its model arguments as its configuration) with
    its metrics and answers; importing the same run again adds nothing."""
    from rich.console import Console

    from ..lm_eval.run_files import LmEvalImportError, read_run
    from ..services.import_run import store_import

    try:
        run = read_run(path, name)
    except LmEvalImportError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    search = search_path(None, judges_dir)
    if judge:  # every judge loads before anything is written
        from ..core.errors import ConfigError, Problem
        from ..judge.loader import load_judge
        from ..judge.protocol import get_protocol

        try:
            for name in judge:
                if get_protocol(load_judge(name, list(search.judges)).kind).needs_baseline:
                    raise ConfigError([Problem("--judge", None, name, "a pairwise judge needs a baseline: list the "
                                                                      "imported variant in a recipe's judge.baseline")])
        except (ConfigError, ValueError) as exc:
            if isinstance(exc, ConfigError):
                print_problems(exc)
            else:
                typer.echo(f"error: --judge: {exc}", err=True)
            raise typer.Exit(2) from None
    console = Console()
    if store_import(store, run, console):
        console.print(f"imported {run.name}: {len(run.metrics)} metric rows, {len(run.samples)} answers into {store}")
    else:
        console.print(f"{run.name} is in {store} already: nothing added")
    if judge:
        from ..core.errors import ConfigError
        from ..services.import_run import judge_import

        override = {k: v for k, v in (("model", judge_model), ("base_url", judge_base_url)) if v}
        try:
            judge_import(store, run, list(judge), override, list(search.judges), console)
        except ConfigError as exc:
            print_problems(exc)
            raise typer.Exit(2) from None
