"""`harness compare A B` over a real store: pairs on the same documents, task metrics and judge facets."""

from __future__ import annotations

import json

import pytest

from tests.integration._harness import harness, query


@pytest.fixture(scope="module")
def store(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    recipe = folder / "recipe.yaml"
    recipe.write_text("""
name: cmp
base_model: builtin:tiny
train: {method: none}
eval:
  tasks: [babel_qa_en, babel_qa_zh]
  limit: 3
  gen_kwargs: {max_gen_toks: 6}
judges: [language-id]
variants:
  short: {}
  long: {eval.gen_kwargs: {max_gen_toks: 12}}
""")
    path = folder / "results.duckdb"
    code, out = harness("run", recipe, "--store", path)
    assert code == 0, out
    return path


def test_a_variant_against_itself_differs_by_nothing(store):
    code, out = harness("compare", "cmp@short", "cmp@short", "--store", store, "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    assert rows and all(r["diff"] == 0 and r["p_value"] == 1.0 and not r["significant"] for r in rows)
    metrics = {(r["task"], r["metric"]) for r in rows}
    assert ("babel_qa_en", "exact_match") in metrics and ("babel_qa_zh", "judge:language-id/match") in metrics
    assert {r["n"] for r in rows if r["metric"] == "exact_match"} == {3}


def test_two_variants_pair_on_their_shared_documents(store):
    code, out = harness("compare", "cmp@short", "cmp@long", "--store", store, "--format", "json",
                        "--tasks", "babel_qa_en", "--judge", "none")
    assert code == 0, out
    rows = {r["metric"]: r for r in json.loads(out)}
    assert {"exact_match", "contains"} <= set(rows) and not any(m.startswith("judge:") for m in rows)
    # the means are the stored task metrics of each variant
    for name, side in (("cmp@short", "mean_a"), ("cmp@long", "mean_b")):
        [(stored,)] = query(store, """SELECT m.value FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
                                      JOIN variants v USING (variant_id) WHERE v.name = ? AND m.task = 'babel_qa_en'
                                      AND m.metric = 'contains' AND m.scored""", [name])
        assert rows["contains"][side] == pytest.approx(stored)
    assert rows["contains"]["diff"] == pytest.approx(rows["contains"]["mean_b"] - rows["contains"]["mean_a"])


def test_unknown_variant_is_one_line_and_exit_2(store):
    code, out = harness("compare", "cmp@short", "nope", "--store", store)
    assert code == 2 and "no evaluated variant named 'nope'" in out


def test_power_columns_and_documents_needed_from_the_paired_differences(store):
    """The MDE and `--detect D`'s documents needed follow from the stored per-document values."""
    import math
    import statistics

    from babelbench.analysis.power import z_sum

    code, out = harness("compare", "cmp@short", "cmp@long", "--store", store, "--format", "json",
                        "--judge", "none", "--detect", "0.25")
    assert code == 0, out
    rows = json.loads(out)
    assert rows and all(r["detect"] == 0.25 for r in rows)
    for r in [r for r in rows if r["metric"] in ("exact_match", "contains")]:
        per_doc = query(store, """SELECT v.name, s.doc_id, s.sample_metrics->>? FROM samples s
                                  JOIN variant_stages st ON st.key = s.eval_key AND st.kind = 'eval'
                                  JOIN variants v USING (variant_id) WHERE s.task = ? ORDER BY s.doc_id""",
                        [f"$.{r['metric']}", r["task"]])
        a = [float(x) for name, _, x in per_doc if name == "cmp@short"]
        b = [float(x) for name, _, x in per_doc if name == "cmp@long"]
        sd = statistics.stdev([y - x for x, y in zip(a, b)])
        assert r["sd_diff"] == pytest.approx(sd)
        assert r["mde"] == pytest.approx(z_sum() * sd / math.sqrt(r["n"]))
        assert r["n_needed"] == max(2, math.ceil((z_sum() * sd / 0.25) ** 2))
    code, out = harness("compare", "cmp@short", "cmp@long", "--store", store, "--detect", "0.25")
    assert code == 0 and "MDE" in out and "n for 0.25" in out, out
    code, out = harness("compare", "cmp@short", "cmp@long", "--store", store, "--detect", "0")
    assert code == 2 and "positive difference" in out
