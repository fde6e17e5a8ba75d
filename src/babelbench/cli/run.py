"""`harness run`: recipes -> variants -> data, train, eval stages -> results.duckdb."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths
from ._common import JudgesDirs, TasksDirs, print_problems, quiet_libraries, search_path


def run(
    recipes: Annotated[Optional[list[Path]], typer.Argument(help="Recipe files or folders (default: recipes/demo.yaml).")] = None,
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    only: Annotated[Optional[str], typer.Option("--only", help="Run one stage: data, train, eval or judge.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option(
        "--set", help="Override a field: dotted.key=value (repeatable).")] = None,
    judge_backend: Annotated[Optional[str], typer.Option(
        "--judge-backend", help="Judge backend for every judge: openai or local (= --set judge.backend.type=...).")] = None,
    judge_model: Annotated[Optional[str], typer.Option(
        "--judge-model", help="Judge model (= --set judge.backend.model=...).")] = None,
    judge_base_url: Annotated[Optional[str], typer.Option(
        "--judge-base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1 "
        "(= --set judge.backend.base_url=...).")] = None,
    baseline: Annotated[Optional[str], typer.Option(
        "--baseline", help="Pairwise baseline variant (= --set judge.baseline=...).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-run the selected stages even if done.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show library logs.")] = False,
    executor: Annotated[Optional[str], typer.Option(
        "--executor", help="Where stages run: local (this process, the default) or ray.")] = None,
    address: Annotated[Optional[str], typer.Option(
        "--address", help="Ray cluster to join: auto, ray://host:10001 or host:port (default: start Ray here).")] = None,
    config: Annotated[Optional[Path], typer.Option(
        "--config", help="Run config file (YAML): `executor:` settings; flags override it.")] = None,
    tasks_dir: TasksDirs = None,
    judges_dir: JudgesDirs = None,
) -> None:
    """Run every variant of the given recipes; finished stages are skipped."""
    from .. import validate
    from ..recipe import ConfigError

    if only is not None and only not in validate.STAGES:
        raise typer.BadParameter("must be one of data, train, eval, judge", param_hint="--only")
    overrides = list(set_ or []) + _judge_overrides(judge_backend, judge_model, judge_base_url, baseline)
    search = search_path(tasks_dir, judges_dir)
    try:
        settings = _executor_settings(config, executor, address)
        variants = validate.recipes(recipes or [Path("recipes/demo.yaml")], overrides, search,
                                    stages=[only] if only else validate.STAGES)
    except validate.HubUnreachable as exc:  # the network, not the recipe: exit 1, and nothing has been written
        print_problems(exc)
        raise typer.Exit(1) from None
    except ConfigError as exc:
        print_problems(exc)
        raise typer.Exit(2) from None
    from ..pipeline.executors import ExecutorUnavailable, make_executor

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    runner = make_executor(settings)
    try:
        summary, terminal, log_path = _run(variants, store, only, force, verbose, search, runner)
    except ExecutorUnavailable as exc:   # raised before any work: nothing is written
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        runner.close()
    _summarise(summary, len(variants), store, log_path if terminal is not None else None)


def _summarise(summary, variants: int, store: Path, log_path: Path | None) -> None:
    """The run's last line (what ran, the store, the log); exit 1 naming each failure."""
    ran = ", ".join(f"{kind} {outcome}: {n}" for (kind, outcome), n in sorted(summary.counts.items()))
    typer.echo(f"{variants} variant(s); {ran or 'nothing to do'}; store: {store}"
               + (f"; log: {log_path}" if log_path is not None else ""))
    if summary.failures:
        for failure in summary.failures:
            typer.echo(f"failed: {failure}", err=True)
        raise typer.Exit(1)


def _judge_overrides(backend: str | None, model: str | None, base_url: str | None, baseline: str | None) -> list[str]:
    """The judge flags as the ``--set`` overrides they stand for."""
    return [f"{field}={value}" for field, value in (("judge.backend.type", backend), ("judge.backend.model", model),
                                                    ("judge.backend.base_url", base_url), ("judge.baseline", baseline))
            if value is not None]


def _executor_settings(config: Path | None, name: str | None, address: str | None):
    """The executor's settings: the config file's, then the flags'."""
    from ..core.errors import ConfigError, Problem
    from ..pipeline.executors import ExecutorSettings, executor_names
    from ..pipeline.run_config import load_run_config

    settings = load_run_config(config).executor if config is not None else ExecutorSettings()
    if name is not None:
        if name not in executor_names():
            raise ConfigError([Problem("--executor", None, "executor",
                                       f"unknown executor {name!r}; known: {', '.join(executor_names())}")])
        settings = settings.model_copy(update={"name": name})
    if address is not None:
        from ..validate.executor import address_problem

        problem = address_problem(address)
        if problem:
            raise ConfigError([Problem("--address", None, "executor.address", problem)])
        settings = settings.model_copy(update={"address": address})
    return settings


def _run(variants, store: Path, only: str | None, force: bool, verbose: bool, search, runner):
    from rich.console import Console

    from ..console.display import LiveDisplay, PlainDisplay
    from ..console.run_log import library_output_to, new_log_path
    from ..pipeline import run_variants
    from ..store import Store

    log_path = new_log_path()
    with library_output_to(log_path, stream_too=verbose) as terminal:
        runner.start(paths.home())   # what Ray prints on start goes to the run's log
        if terminal is None:   # the streams are not ours to redirect (a test runner): quiet the libraries
            quiet_libraries(verbose)
            display = PlainDisplay(Console(stderr=True))
        else:   # a live grid on a terminal; plain lines in a pipe or CI, or with -v amid the libraries' output
            console = Console(file=terminal)
            display = LiveDisplay(console) if terminal.isatty() and not verbose else PlainDisplay(console)
        with display:
            summary = run_variants(variants, Store(store), only=only, force=force,  # type: ignore[arg-type]
                                   verbose=verbose, tasks_dirs=list(search.tasks), judges_dirs=list(search.judges),
                                   console=display, executor=runner)
    return summary, terminal, log_path
