"""Helpers shared by the commands: printing problems, default paths."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from ..core.errors import ConfigError

T = TypeVar("T")

#: --tasks-dir / --judges-dir: the user's own folders, searched before the shipped ones.
TasksDirs = Annotated[Optional[list[Path]], typer.Option(
    "--tasks-dir", help="A folder of your own lm-eval task YAMLs, searched before the shipped tasks (repeatable).")]
JudgesDirs = Annotated[Optional[list[Path]], typer.Option(
    "--judges-dir", help="A folder of your own judge folders, searched before the shipped judges (repeatable).")]


def search_path(tasks_dirs: list[Path] | None, judges_dirs: list[Path] | None):
    """The run's search path; a folder given on the command line must exist."""
    from ..paths import SearchPath

    for option, folders in (("--tasks-dir", tasks_dirs), ("--judges-dir", judges_dirs)):
        for folder in folders or []:
            if not folder.is_dir():
                raise typer.BadParameter(f"folder not found: {folder}", param_hint=option)
    return SearchPath.build(tasks_dirs or [], judges_dirs or [])


def print_problems(error: ConfigError) -> None:
    for problem in error.problems:
        print(f"error: {problem}", file=sys.stderr)


def read_rows(store, query) -> list[dict]:
    """Run ``query(con)`` on the store read-only; a missing or old store exits 1 with its message."""
    from ..store import Store, StoreError

    try:
        with Store(store).read() as con:
            return query(con)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def print_rows(rows: list[dict], fmt: str, columns: list[str], table) -> None:
    """``rows`` as JSON or CSV on stdout, else through ``table(rows)`` (the command's rich table)."""
    import csv
    import json

    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    else:
        table(rows)


def quiet_libraries(verbose: bool = False) -> None:
    """Keep the libraries' progress bars and warnings off the terminal (not with --verbose)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if verbose:
        return
    import logging
    import warnings

    for name in ("lm_eval", "transformers", "datasets", "peft", "accelerate", "httpx", "openai"):
        logging.getLogger(name).setLevel(logging.ERROR)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)


def read_store(store: Path, query: Callable[[Any], T]) -> T:
    """:func:`read_rows` for a query returning anything (a table of tables, a pair of sets)."""
    return read_rows(store, query)  # type: ignore[return-value]
