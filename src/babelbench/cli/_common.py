"""Helpers shared by the commands: printing problems, default paths."""

from __future__ import annotations

import sys

from ..recipe.errors import ConfigError


def print_problems(error: ConfigError) -> None:
    for problem in error.problems:
        print(f"error: {problem}", file=sys.stderr)


def read_rows(store, query) -> list[dict]:
    """Run ``query(con)`` on the store read-only; a missing or old store exits 1 with its message."""
    import typer

    from ..store import Store, StoreError

    try:
        with Store(store).read() as con:
            return query(con)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
