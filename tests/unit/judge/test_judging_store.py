"""Judging stored answers in a real results.duckdb: expected language, PLUG leakage, caching,
and pairwise aggregation with scripted verdicts (a loopback OpenAI-protocol endpoint)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rich.console import Console

from babelbench.core.records import EvalRows, SampleRecord
from babelbench.judge import grading as judging
from babelbench.judge.loader import load_judge
from babelbench.judge.schema import BackendOverride
from babelbench.pipeline.judge_stage import judge_target, refresh_judge_metrics
from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
from babelbench.store import Store, writes
from babelbench.store.queries import report_rows
from tests.support.openai_loopback import Fault, FaultProxy, FixedLatencyJudge

ROOT = Path(__file__).resolve().parents[3]


def _sample(task, doc_id, language, kept, doc, status=None):
    return SampleRecord(task=task, doc_id=doc_id, language=language, prompt=f"<prompt {task} {doc_id}>",
                        raw_response=kept, kept_response=kept, kept_filter="plug" if status else "none",
                        pivot_status=status, target="", doc=doc)


def _variant(store: Store, name: str, samples: list[SampleRecord], pivot_mode: str = "none") -> judging.Target:
    vid, key = f"v-{name}", f"e-{name}"
    with store.write() as con:
        writes.register_recipe(con, "r", "recipe.yaml", "")
        writes.register_variant(con, {"variant_id": vid, "name": name, "recipe_hash": "r", "recipe_file": "recipe.yaml",
                                      "base_model": "builtin:tiny", "method": "none", "pivot_mode": pivot_mode,
                                      "pivot_language": "en", "data_mix": None, "data_size": None, "config": {},
                                      "choices": {}})
        writes.link_stage(con, vid, "eval", key)
        writes.start_run(con, f"run-{name}", "eval", key, vid, {}, None)
        writes.finish_run(con, f"run-{name}", "done", 0.0)
        writes.write_eval(con, key, EvalRows([], samples))
    return judging.Target(vid, name, key, pivot_mode == "plug")


def _judge(store: Store, judge, target: judging.Target) -> judging.Outcome:
    """As the runner does: plan, send what is missing through the lifecycle, then store the metrics."""
    outcome = judge_target(store, judge, target, ["*"], Lifecycle(store, RunSummary(), Console(quiet=True)))
    refresh_judge_metrics(store, target.variant_id)
    return outcome


def _metric(store: Store, variant: str, task: str, metric: str) -> dict:
    with store.read() as con:
        rows = [r for r in report_rows(con) if (r["variant"], r["task"], r["metric"]) == (variant, task, metric)]
    assert len(rows) == 1, rows
    return rows[0]


ASK_SPANISH = {"id": "x13", "language": "en", "expected_language": "es",
               "instruction": "Answer in Spanish: name three fruits that are red."}
PLAIN_EN = {"id": "x01", "language": "en", "expected_language": None, "instruction": "Name three bakeries."}
ASK_ENGLISH_ZH = {"id": "x13", "language": "zh", "expected_language": "en", "instruction": "请用英语回答：列出三种红色的水果。"}


def test_language_id_uses_the_language_the_prompt_asks_for(tmp_path):
    store = Store(tmp_path / "results.duckdb")
    target = _variant(store, "a", [
        _sample("xalpaca_en", 0, "en", "Las fresas, las cerezas y las frambuesas son frutas rojas.", ASK_SPANISH),
        _sample("xalpaca_en", 1, "en", "Sunrise Bakery, The Golden Crust and Flour Power.", PLAIN_EN),
        _sample("xalpaca_zh", 0, "zh", "草莓、樱桃和覆盆子是红色的水果。", ASK_ENGLISH_ZH),
    ])
    outcome = _judge(store, load_judge(ROOT / "judges" / "language-id"), target)
    assert (outcome.requested, outcome.sent, outcome.cached) == (3, 3, 0)
    with store.read() as con:
        got = con.execute("""SELECT l.task, l.doc_id, j.detected_language, j.scores FROM judgment_links l
                             JOIN judgments j USING (judgment_key) ORDER BY l.task, l.doc_id""").fetchall()
    assert [(t, d, lang, json.loads(s)["match"]) for t, d, lang, s in got] == [
        ("xalpaca_en", 0, "es", 1),   # Spanish was asked for, and given
        ("xalpaca_en", 1, "en", 1),
        ("xalpaca_zh", 0, "zh", 0),   # English was asked for; Chinese is a miss
    ]
    assert _metric(store, "a", "xalpaca_en", "judge:language-id/match")["value"] == 1.0
    row = _metric(store, "a", "all", "judge:language-id/match")
    assert (row["value"], row["n"]) == (pytest.approx(2 / 3), 3)


def test_plug_answers_without_a_target_part_are_counted_not_judged(tmp_path):
    store = Store(tmp_path / "results.duckdb")
    target = _variant(store, "p", [
        _sample("xalpaca_zh", 0, "zh", "草莓和樱桃。", {**ASK_ENGLISH_ZH, "expected_language": None}, status="ok"),
        _sample("xalpaca_zh", 1, "zh", "", {**ASK_ENGLISH_ZH, "id": "x14", "expected_language": None},
                status="only_pivot"),
    ], pivot_mode="plug")
    outcome = _judge(store, load_judge(ROOT / "judges" / "language-id"), target)
    assert (outcome.requested, outcome.no_target) == (1, 1)
    row = _metric(store, "p", "xalpaca_zh", "judge:language-id/no_target")
    assert (row["value"], row["n"]) == (0.5, 2)
    assert _metric(store, "p", "xalpaca_zh", "judge:language-id/match")["n"] == 1


def test_a_stored_judgment_is_never_sent_again_even_for_another_variant(tmp_path):
    store = Store(tmp_path / "results.duckdb")
    samples = [_sample("xalpaca_en", 1, "en", "Sunrise Bakery.", PLAIN_EN)]
    judge = load_judge(ROOT / "judges" / "language-id")
    first = _variant(store, "a", samples)
    assert _judge(store, judge, first).sent == 1
    second = _judge(store, judge, _variant(store, "b", samples))
    assert (second.requested, second.cached, second.sent) == (1, 1, 0)
    assert _judge(store, judge, first).sent == 0
    with store.read() as con:
        assert con.execute("SELECT count(*) FROM judgments").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM judgment_links").fetchone()[0] == 2


def _verdict(v: str) -> Fault:
    return Fault("replace", content=json.dumps({"rationale": "scripted", "verdict": v}))


def test_pairwise_both_orders_aggregate_into_win_tie_loss_and_flips(tmp_path):
    store = Store(tmp_path / "results.duckdb")
    docs = [{"id": f"x0{i}", "language": "en", "expected_language": None, "instruction": f"Task {i}"} for i in range(3)]
    base = _variant(store, "base", [_sample("xalpaca_en", i, "en", f"base answer {i}", d) for i, d in enumerate(docs)])
    var = _variant(store, "var", [_sample("xalpaca_en", i, "en", f"variant answer {i}", d) for i, d in enumerate(docs)])
    target = judging.Target(var.variant_id, "var", var.eval_key, False, base.variant_id, base.eval_key)
    with FixedLatencyJudge(latency=0.0) as server:
        # concurrency 1: requests arrive in plan order, doc by doc, order ab (variant = A) then ba
        script = [_verdict("A"), _verdict("B"),          # doc 0: win, win   -> win
                  _verdict("A"), _verdict("A"),          # doc 1: win, loss  -> tie (order flip)
                  _verdict("tie"), Fault("replace", content="A is better")]  # doc 2: unusable -> error
        with FaultProxy(server.base_url, script) as proxy:
            judge = load_judge(ROOT / "judges" / "pairwise").with_backend(
                BackendOverride(base_url=proxy.base_url, model="m", concurrency=1))
            outcome = _judge(store, judge, target)
    assert (outcome.sent, outcome.parse_failures, outcome.ungraded) == (6, 1, 0)
    got = {m: _metric(store, "var", "xalpaca_en", f"judge:pairwise/{m}") for m in
           ("win", "tie", "loss", "order_flip", "error_rate")}
    assert {m: (r["value"], r["n"]) for m, r in got.items()} == {
        "win": (0.5, 2), "tie": (0.5, 2), "loss": (0.0, 2), "order_flip": (0.5, 2), "error_rate": (pytest.approx(1 / 3), 3)}
    assert got["win"]["baseline"] == "base"
    with store.read() as con:
        raw = con.execute("SELECT raw, status FROM judgments WHERE status = 'parse_failure'").fetchall()
    assert raw == [("A is better", "parse_failure")]
