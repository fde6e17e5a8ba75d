"""`harness run` in a terminal (a real pseudo-terminal, 100 columns): the live grid and nothing from
another library on screen; those lines are in the run's log file, which the last line names. Piped, the
same run prints one plain line per stage event, and still no library line."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.conftest import ROOT

#: What lm-eval, transformers, datasets and tqdm print during a run (none may reach the screen).
LIBRARY_LINES = re.compile(r"it/s\]|bootstrapping for stddev|Loading weights|generation_kwargs|FutureWarning|"
                           r"Custom kwargs|\d+%\|")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


def _harness(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "harness"), *args]


def _in_terminal(cmd: list[str], env: dict[str, str], columns: int = 100) -> tuple[int, str]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:   # the child closed its end
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=600)
    os.close(master)
    return proc.returncode, _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))


def test_a_terminal_shows_the_grid_and_the_log_holds_the_libraries_output(tiny_model, tmp_path, babelbench_home):
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    code, screen = _in_terminal(_harness("run", "recipes/smoke.yaml", "--store", str(tmp_path / "r.duckdb")), env)
    assert code == 0, screen
    lines = [line for line in screen.splitlines() if line.strip()]
    assert not [line for line in lines if LIBRARY_LINES.search(line)], screen
    assert any(line.split() == ["variant", "data", "train", "eval"] for line in lines), screen
    assert any(line.startswith("smoke@plug") and line.split()[3:4] == ["done"] for line in lines), screen
    [summary] = [line for line in lines if line.startswith("2 variant(s);")]
    log = Path(re.search(r"log: (\S+\.log)", summary).group(1))
    assert log.parent == babelbench_home / "logs"
    logged = log.read_text(encoding="utf-8", errors="replace")
    assert "bootstrapping for stddev" in logged and "generation_kwargs" in logged


def test_a_pipe_gets_plain_lines_and_no_library_output(tiny_model, tmp_path):
    done = subprocess.run(_harness("run", "recipes/smoke.yaml", "--store", str(tmp_path / "r.duckdb")),
                          capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert not [line for line in lines if LIBRARY_LINES.search(line)], lines
    events = [line.split() for line in lines if line.startswith("  ")]
    assert [e[0] for e in events if e[-1] == "running…"] == ["data", "train", "eval"] * 2 or \
        all(e[0] == "eval" for e in events if e[-1] == "running…")      # data/train may be adopted
    assert sum(1 for e in events if e[0] == "eval" and e[2] == "done") == 2
