"""lm-eval looks up the git commit of the working directory for every evaluation; outside a
checkout that must not print git's "fatal: not a git repository" (lm-eval lets git's stderr through)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from babelbench.lm_eval.env import quiet_git_lookup

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def test_git_lookup_is_silent_outside_a_checkout(tmp_path, monkeypatch, capfd):
    import lm_eval.evaluator
    import lm_eval.loggers.utils

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert _git("rev-parse", cwd=tmp_path).returncode != 0, "tmp_path is inside a git checkout"
    quiet_git_lookup()
    quiet_git_lookup()  # idempotent
    capfd.readouterr()
    # simple_evaluate calls the name it imported into lm_eval.evaluator
    assert lm_eval.evaluator.get_git_commit_hash() is None
    assert lm_eval.loggers.utils.get_git_commit_hash() is None
    err = capfd.readouterr().err
    assert "not a git repository" not in err and "fatal" not in err


def test_git_lookup_still_reports_the_commit_inside_a_checkout(tmp_path, monkeypatch):
    import lm_eval.evaluator

    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (["init", "-q"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"]):
        assert _git(*args, cwd=repo).returncode == 0
    monkeypatch.chdir(repo)
    quiet_git_lookup()
    found = lm_eval.evaluator.get_git_commit_hash()
    assert found and _git("rev-parse", "HEAD", cwd=repo).stdout.strip().startswith(found)
