"""Alignment takes its stage key's lock: a run that finds the key unstored waits for another process
aligning it, then finds its rows stored and does no work (no model loaded)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from rich.console import Console

from babelbench.analysis.parallel_sentences import load_parallel
from babelbench.pipeline.alignment_stage import AlignmentModel, run_alignment
from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
from babelbench.pipeline.locks import stage_lock
from babelbench.recipe.schema import AlignmentConfig
from babelbench.store import Store, writes

KEY = "align-key"


class WatchedStore(Store):
    """A store that says when its first transaction is over (the run's look-up of the key)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.looked_up = threading.Event()

    @contextmanager
    def write(self):
        with super().write() as con:
            yield con
        self.looked_up.set()


def _done_by_another_process(store: Store) -> None:
    with store.write() as con:
        writes.start_run(con, "other", "alignment", KEY, "v", {}, None)
        writes.finish_run(con, "other", "done", 1.0)


def _register(store: Store) -> None:
    with store.write() as con:
        writes.register_recipe(con, "r", "recipe.yaml", "")
        writes.register_variant(con, {"variant_id": "v", "name": "v", "recipe_hash": "r", "recipe_file": "recipe.yaml",
                                      "base_model": "builtin:tiny", "method": "none", "pivot_mode": "none",
                                      "pivot_language": "en", "data_mix": None, "data_size": None, "config": {},
                                      "choices": {}})


def test_a_second_run_waits_for_the_key_then_finds_it_stored(tmp_path):
    store = WatchedStore(tmp_path / "r.duckdb")
    _register(store)
    store.looked_up.clear()
    config = AlignmentConfig(languages=["zh"], max_sentences=2)
    sentences = load_parallel("flores", "en", ["zh"], tmp_path, 2)
    summary = RunSummary()
    lifecycle = Lifecycle(store, summary, Console(quiet=True))
    loaded: list[str] = []
    outcome: list[object] = []

    def weights() -> AlignmentModel:   # resolving the weights is the start of the work
        loaded.append("model")
        raise RuntimeError("the model was loaded")

    def second_run() -> None:
        try:
            outcome.append(run_alignment(lifecycle, KEY, "v", weights, sentences, config, label="v"))
        except RuntimeError as exc:
            outcome.append(exc)

    with stage_lock("alignment", KEY):   # another process is aligning the key
        thread = threading.Thread(target=second_run)
        thread.start()
        assert store.looked_up.wait(60)   # the second run found the key not stored yet ...
        _done_by_another_process(store)   # ... and the other process stores it before letting go
    thread.join(60)
    assert loaded == [] and outcome == [False]
    assert summary.counts[("alignment", "skipped")] == 1 and summary.ran("alignment") == 0
    with store.read() as con:
        runs = con.execute("SELECT run_id, status FROM stage_runs WHERE kind = 'alignment'").fetchall()
    assert runs == [("other", "done")]
