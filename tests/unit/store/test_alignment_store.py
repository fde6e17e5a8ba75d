"""Alignment rows in the store: the writer (through write_rows, replacing a key's rows) and the board's
queries (runs labelled by variant or model, B - A per layer and language)."""

from __future__ import annotations

import json

import pytest

from babelbench.core.records import AlignmentRecord, AlignmentRows
from babelbench.store import Store, writes
from babelbench.store.alignment_queries import (alignment_difference, alignment_rows, alignment_runs,
                                                variant_alignment_subject)


def _rows(scale: float) -> AlignmentRows:
    return AlignmentRows([AlignmentRecord(layer, "en", t, scale * (layer + 1) / 10, 0.1, 0.5, 1.0 if t == "zh" else 0.0, 10)
                          for layer in range(3) for t in ("zh", "es")])


def _finish(con, key: str, variant_id: str, rows: AlignmentRows, label: str) -> None:
    writes.start_run(con, key + "-run", "alignment", key, variant_id, {}, None)
    writes.write_rows(con, key, rows)
    writes.finish_run(con, key + "-run", "done", 1.0, info={"label": label, "source": "flores"})


@pytest.fixture
def store(tmp_path):
    st = Store(tmp_path / "r.duckdb")
    with st.write() as con:
        writes.register_variant(con, {"variant_id": "v1", "name": "demo@a", "recipe_hash": "h", "recipe_file": "r.yaml",
                                      "base_model": "builtin:tiny", "method": "lora", "pivot_mode": "none",
                                      "pivot_language": "en", "data_mix": {}, "data_size": 8, "config": {},
                                      "choices": {}})
        writes.link_stage(con, "v1", "train", "tk")
        _finish(con, "ka", "v1", _rows(1.0), "demo@a en->zh,es")
        _finish(con, "kb", "model:xyz", _rows(2.0), "my-model")
    return st


def test_rows_are_stored_and_replaced_under_their_key(store):
    with store.read() as con:
        rows = alignment_rows(con, "ka")
    assert len(rows) == 6
    assert rows[0] == {"layer": 0, "source_language": "en", "target_language": "es", "pair_cosine": 0.1,
                       "nonpair_cosine": 0.1, "retrieval_forward": 0.5, "retrieval_backward": 0.0, "n": 10}
    with store.write() as con:
        writes.write_rows(con, "ka", AlignmentRows(_rows(1.0).records[:2]))
    with store.read() as con:
        assert len(alignment_rows(con, "ka")) == 2


def test_runs_are_labelled_by_variant_or_model_and_differences_are_b_minus_a(store):
    with store.read() as con:
        runs = alignment_runs(con)
        diff = alignment_difference(con, "ka", "kb", "pair_cosine")
        subject = variant_alignment_subject(con, "demo@a")
    assert {r["label"]: (r["align_key"], r["variant"], r["layers"], r["targets"]) for r in runs} == {
        "demo@a": ("ka", "demo@a", 3, "es,zh"), "my-model": ("kb", None, 3, "es,zh")}
    assert [(d["layer"], d["target_language"]) for d in diff] == [(0, "es"), (1, "es"), (2, "es"),
                                                                  (0, "zh"), (1, "zh"), (2, "zh")]
    assert [d["diff"] for d in diff] == pytest.approx([0.1, 0.2, 0.3, 0.1, 0.2, 0.3])
    assert (subject["variant_id"], subject["train_key"], subject["selected_step"]) == ("v1", "tk", None)
    with pytest.raises(ValueError, match="unknown alignment metric"):
        alignment_difference(con, "ka", "kb", "n; DROP TABLE alignment")


def test_an_older_run_of_the_same_label_is_told_apart_by_its_key(store):
    with store.write() as con:
        _finish(con, "kc", "model:other", _rows(3.0), "my-model")
        con.execute("UPDATE stage_runs SET finished_at = finished_at + INTERVAL 1 HOUR WHERE key = 'kc'")
    with store.read() as con:
        labels = [r["label"] for r in alignment_runs(con)]
    assert labels[0] == "my-model" and "my-model (kb)" in labels
    assert json.dumps(labels)  # plain strings
