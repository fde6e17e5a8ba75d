"""A real OpenAI-compatible judge server: llama.cpp (llama-cpp-python) serving the embedded
Gemma GGUF on loopback, started once per test session and stopped at its end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server(babelbench_home, tmp_path_factory):
    """Base URL (``http://127.0.0.1:PORT/v1``) of a llama.cpp server with model alias ``gemma``."""
    from babelbench.models.gemma import ensure_gemma_gguf

    gguf = ensure_gemma_gguf()
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", "gemma",
             "--host", "127.0.0.1", "--port", str(port), "--chat_format", "gemma", "--n_ctx", "2048",
             "--n_threads", str(min(4, os.cpu_count() or 2))],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url + "/models", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"llama.cpp server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(autouse=True)
def _evaluations_of_this_test_only(babelbench_home):
    """Evaluations are artifacts adopted by their key, and the scripted eval backends of these tests answer
    from a script outside the key: so no test adopts an evaluation another test left in the session's home
    (within a test, adoption works as in any run; built models, data and adapters stay shared)."""
    import shutil

    shutil.rmtree(babelbench_home / "artifacts" / "eval", ignore_errors=True)
    yield
