"""The eval folder gives back exactly the rows and info the stage returned (what the store gets from either)."""

from __future__ import annotations

import math

import duckdb

from babelbench.core.records import EvalRows, MetricRecord, SampleRecord
from babelbench.evaluate.artifact import read_eval_artifact, write_eval_artifact
from babelbench.store import Store, writes


def _rows() -> EvalRows:
    metrics = [MetricRecord("babel_qa_en", "contains", "none", 0.5, "en", "1.0", 0.25, 2, False, 0.1, 0.9, True,
                            True, "babel_qa"),
               MetricRecord("group", "acc", "plug", None, None, None, None, None, True)]
    samples = [SampleRecord("xalpaca_zh", 3, "zh", "提示", "答案 raw", "答案", "plug", "ok", "目标",
                            {"id": "x1", "nested": {"list": [1, 2.5, None]}, "language": "zh"}, "dh", "ph", "th",
                            {"exact": 1.0, "nan": float("nan")}),
               SampleRecord("babel_qa_en", 0, None, "p", "r", "r", "none", None, "", {})]
    return EvalRows(metrics, samples)


def _stored(rows: EvalRows, tmp_path, name: str) -> tuple[list, list]:
    store = Store(tmp_path / f"{name}.duckdb")
    with store.write() as con:
        writes.write_eval(con, "k", rows)
    con = duckdb.connect(str(tmp_path / f"{name}.duckdb"), read_only=True)
    try:
        return (con.execute("SELECT * FROM metrics ORDER BY ALL").fetchall(),
                con.execute("SELECT * FROM samples ORDER BY ALL").fetchall())
    finally:
        con.close()


def test_the_folder_gives_back_the_rows_and_info(tmp_path):
    rows, info = _rows(), {"lm_eval_version": "0.4", "task_hashes": {"a": "b"}, "metrics": 2, "samples": 2}
    write_eval_artifact(tmp_path / "eval", rows, info)
    back, back_info = read_eval_artifact(tmp_path / "eval")
    assert back_info == info
    assert back.metrics == rows.metrics
    assert [s.doc for s in back.samples] == [s.doc for s in rows.samples]
    assert back.samples[1] == rows.samples[1]
    nan = back.samples[0].sample_metrics["nan"]
    assert math.isnan(nan) and back.samples[0].sample_metrics["exact"] == 1.0
    # what the store keeps of the adopted rows is what it keeps of the stage's own
    assert _stored(back, tmp_path, "adopted") == _stored(rows, tmp_path, "direct")


def test_an_evaluation_without_rows_round_trips(tmp_path):
    write_eval_artifact(tmp_path / "eval", EvalRows(), {})
    back, info = read_eval_artifact(tmp_path / "eval")
    assert (back.metrics, back.samples, info) == ([], [], {})
