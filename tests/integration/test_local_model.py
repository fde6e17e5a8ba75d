"""A user who retrains a local model in place gets it evaluated again (it was once skipped:
the model was identified by its files' sizes only)."""

from __future__ import annotations

import shutil

from tests.integration._harness import harness, query
from tests.unit.pipeline.test_key_contract import _retrain_one_tensor_in_place


def test_weights_changed_in_place_at_the_same_size_are_evaluated_again(tiny_model, tmp_path, write_recipe):
    shutil.copytree(tiny_model, tmp_path / "model")
    recipe = write_recipe("""
        name: local
        base_model: model
        train: {method: none}
        eval:
          tasks: [babel_qa_en]
          limit: 1
          gen_kwargs: {max_gen_toks: 4}
    """)
    store = tmp_path / "results.duckdb"
    assert harness("run", recipe, "--store", store)[0] == 0
    code, out = harness("run", recipe, "--store", store)
    assert code == 0 and "eval ran" not in out          # unchanged: nothing to do
    _retrain_one_tensor_in_place(tmp_path)
    code, out = harness("run", recipe, "--store", store)
    assert code == 0 and "eval ran: 1" in out, out
    assert query(store, "SELECT count(DISTINCT key) FROM stage_runs WHERE kind = 'eval' AND status = 'done'") == [(2,)]
