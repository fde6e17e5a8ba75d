"""Run `harness` in-process (fast) and read the store back."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from babelbench.cli.app import app


def harness(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def query(store: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
