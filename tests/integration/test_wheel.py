"""The package as a user installs it: a wheel built from the checkout, installed into a fresh
virtualenv, used from an empty folder outside the checkout.

The fresh virtualenv borrows the test environment's third-party packages through a ``.pth``
line (installing torch and lm-eval again would take minutes and the network); babelbench
itself comes only from the wheel, which is what is under test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh virtualenv holding the wheel."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--wheel-dir", str(dist), str(ROOT)], check=True, cwd=work)
    [wheel] = dist.glob("babelbench-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    [site] = (venv / "lib").glob("python*/site-packages")
    (site / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True)
    return venv / "bin"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BABELBENCH_TASKS", "BABELBENCH_JUDGES", "PYTHONPATH")}
    return env


def test_the_wheel_carries_the_shipped_data_folders(installed):
    [wheel] = (installed.parent.parent / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("babelbench/_shipped/tasks/xalpaca/xalpaca_en.yaml", "babelbench/_shipped/judges/language-id/judge.yaml",
                 "babelbench/_shipped/judges/rubric-6facet/user.j2", "babelbench/_shipped/recipes/smoke.yaml",
                 "babelbench/_shipped/leaderboard/app.py", "babelbench/_shipped/data/samples/instructions.en.jsonl",
                 "babelbench/starter/files/recipe.yaml", "babelbench/models/assets/tiny_corpus.txt"):
        assert path in names, path
    assert not any("loopback" in n for n in names)  # test servers stay in tests/


@pytest.mark.slow
def test_a_recipe_with_shipped_and_own_tasks_and_judges_runs_from_an_empty_folder(installed, tiny_model, tmp_path):
    where = subprocess.run([installed / "python", "-c", "import babelbench; print(babelbench.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path, env=_env()).stdout
    assert str(installed.parent) in where and str(ROOT) not in where

    folder = tmp_path / "study"
    subprocess.run([installed / "harness", "init", str(folder)], check=True, cwd=tmp_path, env=_env())
    run = subprocess.run([installed / "harness", "run", "recipe.yaml"], capture_output=True, text=True, cwd=folder,
                         env=_env(), timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    report = subprocess.run([installed / "harness", "report", "--format", "csv"], capture_output=True, text=True,
                            cwd=folder, env=_env(), check=True).stdout
    rows = [line.split(",") for line in report.splitlines()[1:]]
    tasks = {r[4] for r in rows}
    assert {"xalpaca_en", "capitals_en"} <= tasks                         # a shipped task and the user's own
    metrics = {r[6] for r in rows}
    assert {"judge:language-id/match", "judge:answer-language/match"} <= metrics  # a shipped judge and the user's
    assert "contains" in {r[6] for r in rows if r[4] == "capitals_en"}

    # the board finds its app inside the installed package
    port = _free_port()
    board = subprocess.Popen([installed / "harness", "board", "--port", str(port)], cwd=folder, env=_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok"
                break
            except OSError:
                assert board.poll() is None and time.monotonic() < deadline, board.stdout.read().decode()
                time.sleep(0.5)
        cmdline = Path(f"/proc/{board.pid}/cmdline").read_bytes().split(b"\0")
        app = next(arg.decode() for arg in cmdline if arg.endswith(b"app.py"))
        assert app.startswith(str(installed.parent)) and "_shipped/leaderboard" in app
    finally:
        board.send_signal(signal.SIGTERM)
        board.wait(20)
