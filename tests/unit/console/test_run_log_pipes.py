"""The thread that copies library output to the run's log never stops draining the pipe: when the
terminal's reader goes away (``harness run -v 2>&1 | head -1``) or the log's disk is full (``/dev/full``),
the run's later writes to stdout/stderr do not block and the process ends. Real subprocesses, real
pipes; the subprocess timeout only guards against the hang the test is about."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

#: 2 MB of "library output" on fd 1 inside the redirection: far past a pipe's buffer (64 KiB)
SCRIPT = """
import os, sys
from pathlib import Path
from babelbench.console.run_log import library_output_to

with library_output_to(Path(sys.argv[1]), stream_too=sys.argv[2] == "verbose") as terminal:
    assert terminal is not None, "the streams were not redirected"
    for i in range(2000):
        os.write(1, b"%04d " % i + b"x" * 995 + b"\\n")
    try:   # the run's own display: on a closed pipe it fails by itself, at once (not this test's point)
        terminal.write("display line\\n")
    except BrokenPipeError:
        pass
try:
    os.write(2, b"ended\\n")
except BrokenPipeError:
    pass
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")]))
    return env


def test_a_closed_terminal_pipe_does_not_hang_the_run(tmp_path):
    log = tmp_path / "run.log"
    shell = f'"{sys.executable}" -c "$SCRIPT" "{log}" verbose 2>&1 | head -1; echo "status=${{PIPESTATUS[0]}}"'
    done = subprocess.run(["bash", "-c", shell], env={**_env(), "SCRIPT": SCRIPT}, capture_output=True,
                          text=True, timeout=120)
    first, status = done.stdout.splitlines()
    assert first.startswith("0000 x") and status == "status=0", done.stdout + done.stderr
    lines = log.read_text().splitlines()
    assert len(lines) == 2000 and lines[-1].startswith("1999 x")   # the log kept everything


def test_a_full_disk_under_the_log_does_not_hang_the_run():
    done = subprocess.run([sys.executable, "-c", SCRIPT, "/dev/full", "quiet"], env=_env(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "display line",
        "note: the run's log /dev/full stopped (library output after this point is dropped): "
        "[Errno 28] No space left on device",
        "ended"]
