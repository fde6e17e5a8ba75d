"""A served sweep's server never outlives the harness: a stand-in server (``http.server`` answering
``/v1/models``, with a child of its own, as vLLM has its engine processes) run by ``running_server`` in a
"harness" process that is then killed by SIGTERM, SIGHUP, SIGINT or SIGKILL; its whole group must go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from babelbench.pipeline.serving import LiveServer, ServerFailed, choose_host, running_server

SRC = str(Path(__file__).resolve().parents[3] / "src")


def _fake_server(root: Path) -> list[str]:
    """A server command whose group has two processes: a sleeping child and the HTTP server."""
    (root / "v1").mkdir(parents=True, exist_ok=True)
    (root / "v1" / "models").write_text('{"data": []}')
    return ["sh", "-c", f'sleep 600 & exec {sys.executable} -m http.server "$0" --bind 127.0.0.1 '
                        f'--directory {root}', "PORT"]


def _wait(condition, timeout=60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _group(pgid: int) -> list[psutil.Process]:
    out = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except (ProcessLookupError, psutil.Error):
            pass
    return out


HARNESS = """
import sys, time
from pathlib import Path
from babelbench.pipeline.serving import running_server
command = [a.replace("PORT", sys.argv[1]) for a in sys.argv[3:]]
with running_server(command, int(sys.argv[1]), 60, Path(sys.argv[2])) as live:
    print("PGID", live.proc.pid, flush=True)
    time.sleep(600)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL])
def test_a_killed_harness_leaves_no_server(tmp_path, sig):
    from babelbench.pipeline.serving import free_port

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p))
    port = free_port()
    harness = subprocess.Popen([sys.executable, "-c", HARNESS, str(port), str(tmp_path / "log"),
                                *_fake_server(tmp_path / "www")], stdout=subprocess.PIPE, text=True, env=env)
    line = harness.stdout.readline()
    assert line.startswith("PGID"), line
    pgid = int(line.split()[1])
    assert len(_group(pgid)) == 3                 # the guard, the server and its child
    harness.send_signal(sig)
    harness.wait(60)
    assert _wait(lambda: not _group(pgid)), [p.cmdline() for p in _group(pgid)]


def test_stopping_a_server_whose_leader_died_stops_its_group(tmp_path):
    from babelbench.pipeline.serving import free_port

    port = free_port()
    command = [a.replace("PORT", str(port)) for a in _fake_server(tmp_path / "www")]
    with running_server(command, port, 60, tmp_path / "log") as live:
        pgid = live.proc.pid
        os.kill(pgid, signal.SIGKILL)             # the guard dies; the server and its child are left
        live.proc.wait()
        assert len(_group(pgid)) == 2
    assert _group(pgid) == []


def test_a_server_that_died_fails_the_rest_with_its_logs_last_line(tmp_path):
    from babelbench.pipeline.serving import free_port

    port = free_port()
    command = [a.replace("PORT", str(port)) for a in _fake_server(tmp_path / "www")]
    with running_server(command, port, 60, tmp_path / "log") as live:
        live.check()                                # alive: nothing raised
        server = next(p for p in _group(live.proc.pid) if "http.server" in " ".join(p.cmdline()))
        with (tmp_path / "log").open("a") as log:
            log.write("RuntimeError: engine core died\n")
        server.kill()
        assert _wait(lambda: live.proc.poll() is not None)   # the guard follows its server
        with pytest.raises(ServerFailed, match=r"exited with .* during the sweep .*RuntimeError: engine core died"):
            live.check()
    assert isinstance(live, LiveServer)


def test_after_a_failed_variant_a_dying_server_fails_the_rest_at_once(tmp_path):
    """The variant in flight when the server died fails on its connection; before the next one the harness
    sees the server no longer answers, waits for its guard to finish stopping it, and fails the rest."""
    from babelbench.pipeline.serving import free_port

    port = free_port()
    command = [a.replace("PORT", str(port)) for a in _fake_server(tmp_path / "www")]
    with running_server(command, port, 60, tmp_path / "log") as live:
        live.check_after_failure()                  # answering: the failure was the variant's own
        server = next(p for p in _group(live.proc.pid) if p.cmdline()[1:3] == ["-m", "http.server"])  # not the guard
        with (tmp_path / "log").open("a") as log:
            log.write("RuntimeError: engine core died\n")
        server.kill()
        server.wait(10)
        with pytest.raises(ServerFailed, match=r"exited with .* during the sweep .*RuntimeError: engine core died"):
            live.check_after_failure()


def test_served_evaluations_reach_the_driver_on_a_cluster_and_loopback_alone():
    assert choose_host(1, "10.0.0.5") == "127.0.0.1"
    assert choose_host(3, "10.0.0.5") == "10.0.0.5"
    assert choose_host(0, "10.0.0.5") == "127.0.0.1"


def test_the_local_executor_serves_on_loopback():
    from babelbench.pipeline.serving import server_host

    assert server_host(False) == "127.0.0.1"


def test_the_guard_refuses_a_bad_command_line():
    done = subprocess.run([sys.executable, "-m", "babelbench.core.procguard", "1"], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=SRC))
    assert done.returncode == 2 and "usage" in done.stderr
