"""``--force`` never deletes an artifact another process is reading: readers (an evaluation of a train folder,
a training of its data folder, a publish of an adapter) hold a shared lock on it, and ``--force``'s delete
takes that lock exclusively -- refused, with the folder named, while anyone reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from babelbench.core.locks import ArtifactInUse, deleting, reading
from tests.conftest import ROOT, TINY_RECIPE
from tests.integration._harness import harness, query

HOLD = """import sys
from pathlib import Path
from babelbench.core.locks import reading
with reading(Path(sys.argv[1])):
    print("reading", flush=True)
    sys.stdin.read()   # until the test closes our stdin
"""


def _reader(folder) -> subprocess.Popen:
    """Another process reading ``folder`` (holding its readers lock, as an evaluation does) until stdin closes."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH"))
                                                       if p)}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdout is not None and proc.stdout.readline() == "reading\n"
    return proc


def test_deleting_is_refused_while_another_process_reads_and_allowed_after(tmp_path):
    folder = tmp_path / "artifact"
    folder.mkdir()
    reader = _reader(folder)
    try:
        with pytest.raises(ArtifactInUse, match="another process is reading") as refused:
            with deleting(folder):
                pass
        assert str(folder) in str(refused.value)
        with reading(folder):   # readers share
            pass
    finally:
        reader.communicate("")
    with deleting(folder):      # nobody reads any more
        pass


def test_force_leaves_a_data_folder_being_read_and_rebuilds_it_once_it_is_free(write_recipe, tiny_model, tmp_path,
                                                                              monkeypatch):
    """A real ``--force`` against another process reading the data folder (as a training does): refused with the
    folder named, nothing deleted or recorded; once the reader is done, rebuilt."""
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))
    recipe = write_recipe(TINY_RECIPE.replace("seed: 3", "seed: 12"))
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store, "--only", "data")
    assert code == 0, out
    [data_dir] = [r[0] for r in query(store, "SELECT output FROM stage_runs WHERE kind = 'data'")]
    built = sorted(p.name for p in Path(data_dir).iterdir())
    train_jsonl = (Path(data_dir) / "train.jsonl").read_bytes()

    reader = _reader(data_dir)   # e.g. a long training on this data in another process
    try:
        code, out = harness("run", recipe, "--store", store, "--only", "data", "--force")
    finally:
        reader.communicate("")
    assert code == 1, out
    assert f"--force would delete {data_dir}, which another process is reading" in " ".join(out.split())
    assert sorted(p.name for p in Path(data_dir).iterdir()) == built             # untouched
    assert (Path(data_dir) / "train.jsonl").read_bytes() == train_jsonl
    assert query(store, "SELECT status FROM stage_runs WHERE kind = 'data' ORDER BY started_at") == [("done",)]

    code, out = harness("run", recipe, "--store", store, "--only", "data", "--force")   # free now: rebuilt
    assert code == 0, out
    assert query(store, "SELECT status FROM stage_runs WHERE kind = 'data' ORDER BY started_at") == [
        ("done",), ("done",)]


def test_training_and_evaluation_hold_their_inputs_readers_locks(write_recipe, tiny_model, tmp_path, monkeypatch):
    """While the train stage works its data folder cannot be deleted, and while the eval stage works its train
    folder cannot (flock conflicts across descriptors, also in one process). The stages' work is replaced by
    probes that try, so no model is trained or run: the locks are what is checked."""
    from babelbench.core.records import StageResult
    from babelbench.pipeline import evaluation, runner
    from babelbench.pipeline.stages import DONE_MARK

    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))
    recipe = write_recipe(TINY_RECIPE.replace("seed: 3", "seed: 13"))
    store = tmp_path / "results.duckdb"
    seen: list[tuple[str, str]] = []

    def deletable(kind: str, folder: Path) -> None:
        try:
            with deleting(folder):
                seen.append((kind, "deletable"))
        except ArtifactInUse:
            seen.append((kind, "in use"))

    def train_probe(plan, base_path, data_dir, out):
        deletable("data", data_dir)
        (out / "adapter").mkdir(parents=True)
        (out / DONE_MARK).write_text("ok\n")
        return StageResult(info={}, output=str(out))

    def eval_probe(plan, model_path, adapter, out):
        deletable("train", Path(adapter).parent)
        return StageResult(info={})

    monkeypatch.setattr(runner, "train_stage", train_probe)
    monkeypatch.setattr(evaluation, "eval_stage", eval_probe)
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    assert seen == [("data", "in use"), ("train", "in use")]
    data_dir = tmp_path / "home" / "artifacts" / "data"
    [folder] = [p for p in data_dir.iterdir() if p.is_dir()]
    deletable("data", folder)                     # once the stages are done, nobody reads
    assert seen[-1] == ("data", "deletable")
