"""Run `harness` in-process (fast) and read the store back."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from babelbench.cli.app import app
from tests.conftest import ROOT


def harness(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def query(store: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def board_page(store, page: str | None = None):
    """The board (Streamlit AppTest) on ``store``, switched to ``page``; fails on any page exception."""
    from streamlit.testing.v1 import AppTest

    os.environ["BABELBENCH_STORE"] = str(store)
    at = AppTest.from_file(str(ROOT / "leaderboard" / "app.py"), default_timeout=60)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at
