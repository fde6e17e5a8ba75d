"""`harness board` as a process: stopping it stops the leaderboard (no Streamlit left behind)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil  # a dependency of peft/accelerate


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _streamlits_on(port: int) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "streamlit" in cmdline and str(port) in cmdline:   # python -m streamlit run ... --server.port PORT
            found.append(proc)
    return found


def test_sigterm_to_harness_board_leaves_no_streamlit_running(tmp_path):
    port = _free_port()
    log = tmp_path / "board.log"
    with log.open("w") as out:
        board = subprocess.Popen([sys.executable, "-c", "from babelbench.cli.app import main; main()", "board",
                                  "--store", str(tmp_path / "none.duckdb"), "--port", str(port)],
                                 stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            assert board.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        assert _streamlits_on(port)
        board.send_signal(signal.SIGTERM)
        board.wait(timeout=15)
        deadline = time.monotonic() + 5
        while _streamlits_on(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _streamlits_on(port), "a Streamlit server outlived `harness board`"
        assert not psutil.pid_exists(board.pid)
    finally:  # whatever this test started goes, pass or fail
        for proc in _streamlits_on(port):
            proc.kill()
        if board.poll() is None:
            board.kill()
            board.wait()
