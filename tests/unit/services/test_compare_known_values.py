"""`harness compare A B` on two variants whose per-document values are known (a store built with the
store's own writes): the difference, its paired bootstrap interval and its permutation p-value are
checked against scipy, documents pair by identity (a document only one variant answered is left out),
and p-values are Holm-corrected across the rows."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from babelbench.core.records import EvalRows, SampleRecord
from babelbench.store import Store, writes
from tests.integration._harness import harness

#: per-document exact_match of A and B on en (12 documents, B better on 7) and zh (10 documents, equal means)
EN_A = [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
EN_B = [1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]
ZH_A = [0.2, 0.9, 0.4, 0.6, 0.1, 0.8, 0.3, 0.7, 0.5, 0.5]
ZH_B = [0.9, 0.2, 0.6, 0.4, 0.8, 0.1, 0.7, 0.3, 0.5, 0.5]


def _samples(task: str, language: str, values: list[float], extra_doc: bool) -> list[SampleRecord]:
    out = [SampleRecord(task=task, doc_id=i, language=language, prompt="p", raw_response="r", kept_response="r",
                        kept_filter="none", pivot_status=None, target="t", doc={"id": i}, doc_hash=f"{task}-{i}",
                        sample_metrics={"exact_match": v}) for i, v in enumerate(values)]
    if extra_doc:   # answered by this variant only: not paired
        out.append(SampleRecord(task=task, doc_id=99, language=language, prompt="p", raw_response="r",
                                kept_response="r", kept_filter="none", pivot_status=None, target="t", doc={},
                                doc_hash=f"{task}-99", sample_metrics={"exact_match": 1.0}))
    return out


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "r.duckdb"
    with Store(path).write() as con:
        writes.register_recipe(con, "r", "recipe.yaml", "name: cmp\n")
        for name, en, zh in (("cmp@a", EN_A, ZH_A), ("cmp@b", EN_B, ZH_B)):
            vid, key = f"v-{name}", f"e-{name}"
            writes.register_variant(con, {"variant_id": vid, "name": name, "recipe_hash": "r",
                                          "recipe_file": "recipe.yaml", "base_model": "builtin:tiny",
                                          "method": "none", "pivot_mode": "none", "pivot_language": "en",
                                          "data_mix": None, "data_size": None, "config": {}, "choices": {}})
            writes.link_stage(con, vid, "eval", key)
            writes.start_run(con, f"run-{name}", "eval", key, vid, {}, None)
            writes.finish_run(con, f"run-{name}", "done", 0.0)
            samples = _samples("qa_en", "en", en, name == "cmp@b") + _samples("qa_zh", "zh", zh, False)
            writes.write_eval(con, key, EvalRows([], samples))
    return path


def _scipy(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """(p, interval low, high) by scipy: the exact paired permutation test, a percentile bootstrap."""
    x, y = np.asarray(a, float), np.asarray(b, float)
    p = stats.permutation_test((x, y), lambda u, v: np.mean(v - u), permutation_type="samples",
                               alternative="two-sided", n_resamples=np.inf).pvalue
    ci = stats.bootstrap((y - x,), np.mean, method="percentile", n_resamples=20000, rng=5).confidence_interval
    return float(p), float(ci.low), float(ci.high)


def test_compare_on_known_values_matches_scipy(store):
    code, out = harness("compare", "cmp@a", "cmp@b", "--store", store, "--format", "json")
    assert code == 0, out
    rows = {r["task"]: r for r in json.loads(out)}
    assert set(rows) == {"qa_en", "qa_zh"}
    en, zh = rows["qa_en"], rows["qa_zh"]
    assert (en["n"], zh["n"]) == (12, 10)                          # doc 99 of B is not paired
    assert en["diff"] == pytest.approx(7 / 12) and en["mean_a"] == pytest.approx(4 / 12)
    assert zh["diff"] == pytest.approx(0.0, abs=1e-12)
    p_en, low_en, high_en = _scipy(EN_A, EN_B)
    p_zh, low_zh, high_zh = _scipy(ZH_A, ZH_B)
    assert en["p_value"] == pytest.approx(p_en, abs=1e-12) and en["p_value"] == pytest.approx(2 / 2 ** 7)
    assert zh["p_value"] == pytest.approx(p_zh, abs=1e-12) and zh["p_value"] == pytest.approx(1.0)
    # the two bootstraps draw differently: the same interval within a resampling error
    assert en["ci_low"] == pytest.approx(low_en, abs=0.06) and en["ci_high"] == pytest.approx(high_en, abs=0.06)
    assert zh["ci_low"] == pytest.approx(low_zh, abs=0.06) and zh["ci_high"] == pytest.approx(high_zh, abs=0.06)
    assert 0 < en["ci_low"] < en["diff"] < en["ci_high"] and zh["ci_low"] < 0 < zh["ci_high"]
    # Holm over the two rows: the smaller p doubled, the larger kept at least that
    assert en["p_holm"] == pytest.approx(min(1.0, 2 * p_en)) and zh["p_holm"] == pytest.approx(1.0)
    assert en["significant"] is True and zh["significant"] is False
