"""`harness board`: the Streamlit leaderboard over a results store (read-only)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .. import paths


def board_app() -> Path:
    """The Streamlit app shipped in the wheel (or the checkout's ``leaderboard/`` when installed editable)."""
    return paths.shipped("leaderboard") / "app.py"


def board(
    store: Annotated[Path, typer.Option("--store", help="Results store to show.")] = paths.DEFAULT_STORE,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8501,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Start the leaderboard at http://HOST:PORT; it reads the store read-only, also while a run writes."""
    app = board_app()
    if not app.is_file():
        typer.echo(f"error: the leaderboard app is not at {app} (a broken installation: reinstall babelbench)", err=True)
        raise typer.Exit(2)
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", host, "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
           # a reader of results has no use for Streamlit's "Deploy" button and developer menu
           "--client.toolbarMode", "viewer",
           "--", "--store", str(store.resolve())]
    typer.echo(f"babelbench board on http://{host}:{port} (store: {store})")
    sys.stdout.flush()
    sys.stderr.flush()
    # Become Streamlit rather than wait on it as a child: the PID a caller holds (a service
    # manager, a shell's job, a test) is Streamlit's own, so SIGTERM/SIGINT reach it and stop it,
    # and no Streamlit can outlive a `harness board` that was killed.
    os.execve(sys.executable, cmd, {**os.environ, "BABELBENCH_STORE": str(store.resolve())})
