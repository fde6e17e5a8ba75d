"""The task index is kept on disk between processes (a re-run reads no task YAML) and is read again when a task
file is added, edited or removed anywhere in the folder."""

from __future__ import annotations

import os

import pytest

from babelbench.evaluate import task_index


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))
    tasks = tmp_path / "tasks"
    (tasks / "sub").mkdir(parents=True)
    (tasks / "a.yaml").write_text("task: a\n")
    (tasks / "sub" / "b.yaml").write_text("task: b\ntag: t\n")
    return tasks


def _names(folder) -> list[tuple[str, str]]:
    task_index._definitions.cache_clear()   # as a new process would
    return sorted((e.name, e.kind) for e in task_index.definitions([folder]))


def test_a_second_process_reads_the_index_from_disk(folder, monkeypatch):
    assert _names(folder) == [("a", "task"), ("b", "task"), ("t", "tag")]

    def refuse(root):
        raise AssertionError(f"task YAML read again under {root}")

    monkeypatch.setattr(task_index, "_read_definitions", refuse)
    assert _names(folder) == [("a", "task"), ("b", "task"), ("t", "tag")]


def test_added_edited_and_removed_files_are_seen(folder):
    assert _names(folder) == [("a", "task"), ("b", "task"), ("t", "tag")]
    (folder / "sub" / "c.yaml").write_text("task: c\n")
    assert _names(folder) == [("a", "task"), ("b", "task"), ("c", "task"), ("t", "tag")]
    edited = folder / "sub" / "b.yaml"
    edited.write_text("task: b2\n")
    os.utime(edited, ns=(1, 1))   # an edit that even leaves an old modification time: the size differs
    assert _names(folder) == [("a", "task"), ("b2", "task"), ("c", "task")]
    (folder / "sub" / "c.yaml").unlink()   # only the subfolder's time changes
    assert _names(folder) == [("a", "task"), ("b2", "task")]


def test_folders_that_are_gone_leave_the_index(folder, tmp_path):
    import json
    import shutil

    other = tmp_path / "other"
    other.mkdir()
    (other / "x.yaml").write_text("task: x\n")
    _names(other)
    shutil.rmtree(other)
    _names(folder)
    kept = json.loads((tmp_path / "home" / "cache" / "task-index.json").read_text())
    assert sorted(k for k in kept if k != "format") == [str(folder.resolve())]


def test_lm_evals_own_task_names_are_kept_under_the_stamp_of_its_tasks_folder(tmp_path, monkeypatch):
    """lm-eval's index reads its 14,000 YAML files (≈ 10 s): a second process takes the names from disk, and
    indexes again once lm-eval's files change."""
    import lm_eval.tasks

    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))

    class Indexed:
        def __init__(self, include_defaults):
            self.all_tasks = ["xnli_en", "belebele"]

    class Refuse:
        def __init__(self, include_defaults):
            raise AssertionError("lm-eval's index built again")

    try:
        monkeypatch.setattr(lm_eval.tasks, "TaskManager", Indexed)
        task_index._builtin_names.cache_clear()
        assert task_index._builtin_names() == {"xnli_en", "belebele"}
        monkeypatch.setattr(lm_eval.tasks, "TaskManager", Refuse)
        task_index._builtin_names.cache_clear()   # as a new process would
        assert task_index._builtin_names() == {"xnli_en", "belebele"}
        monkeypatch.setattr(task_index, "_stamp", lambda folder: "another lm-eval's files")
        task_index._builtin_names.cache_clear()
        with pytest.raises(AssertionError, match="built again"):
            task_index._builtin_names()
    finally:
        task_index._builtin_names.cache_clear()   # later tests get lm-eval's real names
