"""`harness export`: a Hub-dataset folder (Parquet per table + card) and lm-eval-shaped results,
offline, built with the queries the report uses."""

from __future__ import annotations

import hashlib
import json
import textwrap

import pytest
import yaml

from tests.integration._harness import harness, query

RECIPE = """
    name: ex
    base_model: builtin:tiny
    train: {method: none}
    eval:
      tasks: [xquad_gen_en, xquad_gen_zh, xalpaca_zh]
      limit: 2
      gen_kwargs: {max_gen_toks: 6}
    judges: [language-id]
    variants:
      short: {}
      long: {eval.gen_kwargs.max_gen_toks: 12}
"""


@pytest.fixture(scope="module")
def store(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    (folder / "recipe.yaml").write_text(textwrap.dedent(RECIPE).lstrip())
    path = folder / "r.duckdb"
    code, out = harness("run", folder / "recipe.yaml", "--store", path)
    assert code == 0, out
    return path


def _digests(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_hf_dataset_folder_loads_per_config_and_matches_the_report(store, tmp_path):
    import datasets

    out = tmp_path / "ds"
    code, text = harness("export", out, "--store", store)
    assert code == 0, text
    assert sorted(_digests(out)) == ["README.md", "data/judgments.parquet", "data/leaderboard.parquet",
                                     "data/metrics.parquet", "data/recipes.parquet"]   # no samples unless asked
    card = (out / "README.md").read_text()
    header = yaml.safe_load(card.split("---")[1])
    assert [c["config_name"] for c in header["configs"]] == ["leaderboard", "metrics", "recipes", "judgments"]
    assert header["language"] == ["en", "zh"]
    metrics = datasets.load_dataset(str(out), "metrics", split="train")
    report = json.loads(harness("report", "--store", store, "--format", "json")[1])
    assert metrics.num_rows == len(report)
    got = {(r["variant"], r["task"], r["metric"]): r["value"] for r in metrics}
    assert got == pytest.approx({(r["variant"], r["task"], r["metric"]): r["value"] for r in report}, nan_ok=True)
    board = datasets.load_dataset(str(out), "leaderboard", split="train")
    [(macro,)] = query(store, """SELECT m.value FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
        AND s.kind = 'eval' JOIN variants v USING (variant_id) WHERE v.name = 'ex@short'
        AND m.task = 'xquad_gen (macro)'""")
    [row] = [r for r in board if r["variant"] == "ex@short" and r["score"] == "xquad_gen · f1"]
    assert row["value"] == pytest.approx(macro) and row["n"] == 4
    judged = datasets.load_dataset(str(out), "judgments", split="train")
    assert {r["judge"] for r in judged} == {"language-id"}
    assert "lm-eval" in card and "language-id" in card and "## Recipes" in card
    # the same store exports the same bytes (so an unchanged store never needs a new commit)
    again = tmp_path / "again"
    harness("export", again, "--store", store)
    assert _digests(again) == _digests(out)


def test_samples_only_when_asked_and_only_chosen_variants(store, tmp_path):
    import datasets

    out = tmp_path / "ds"
    code, text = harness("export", out, "--store", store, "--with-samples", "--variant", "ex@long")
    assert code == 0, text
    samples = datasets.load_dataset(str(out), "samples", split="train")
    assert set(samples["variant"]) == {"ex@long"} and samples.num_rows == 6
    code, text = harness("export", tmp_path / "bad", "--store", store, "--variant", "ex@nope")
    assert code == 1 and "not evaluated in this store: ex@nope" in text


def test_lm_eval_shaped_results_per_variant(store, tmp_path):
    out = tmp_path / "lm"
    code, text = harness("export", out, "--store", store, "--format", "lm-eval")
    assert code == 0, text
    files = sorted(p.name for p in out.iterdir())
    assert files == ["results_ex_long.json", "results_ex_short.json"]
    payload = json.loads((out / "results_ex_short.json").read_text())
    [(f1,)] = query(store, """SELECT m.value FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
        AND s.kind = 'eval' JOIN variants v USING (variant_id)
        WHERE v.name = 'ex@short' AND m.task = 'xquad_gen_zh' AND m.metric = 'f1' AND m.filter = 'none'""")
    assert payload["results"]["xquad_gen_zh"]["f1,none"] == pytest.approx(f1)
    assert payload["versions"]["xquad_gen_zh"] == "2.0" and payload["n-samples"]["xquad_gen_zh"] == {"effective": 2}
    assert payload["config"]["limit"] == 2 and payload["lm_eval_version"]


def _all_strings(tree) -> bool:
    return all(isinstance(v, str) for v in tree.values())


def test_every_eval_ever_records_carry_scores_intervals_and_provenance(store, tmp_path):
    out = tmp_path / "eee"
    code, text = harness("export", out, "--store", store, "--format", "eee")
    assert code == 0, text
    record = json.loads((out / "eee_ex_short.json").read_text())
    assert {"schema_version", "evaluation_id", "retrieved_timestamp", "source_metadata", "model_info",
            "eval_library", "evaluation_results"} <= set(record)
    assert record["schema_version"] == "0.2.1" and record["retrieved_timestamp"].isdigit()
    assert record["source_metadata"]["source_type"] == "evaluation_run"
    assert record["model_info"]["id"] == "builtin:tiny"
    assert record["eval_library"]["name"] == "lm_eval" and record["eval_library"]["version"] != "unknown"
    by_name = {r["evaluation_name"]: r for r in record["evaluation_results"]}
    for result in by_name.values():
        assert {"evaluation_name", "source_data", "metric_config", "score_details"} <= set(result)
        assert "lower_is_better" in result["metric_config"] and isinstance(result["score_details"]["score"], float)
        assert _all_strings(result["source_data"]["additional_details"]) and _all_strings(result["score_details"]["details"])
    [(f1, low, high, n)] = query(store, """SELECT m.value, m.ci_low, m.ci_high, m.n FROM metrics m
        JOIN variant_stages s ON s.key = m.eval_key AND s.kind = 'eval' JOIN variants v USING (variant_id)
        WHERE v.name = 'ex@short' AND m.task = 'xquad_gen_zh' AND m.metric = 'f1' AND m.filter = 'none'""")
    f1_result = by_name["xquad_gen_zh/f1"]
    assert f1_result["score_details"]["score"] == pytest.approx(f1)
    ci = f1_result["score_details"]["uncertainty"]["confidence_interval"]
    assert (ci["lower"], ci["upper"], f1_result["score_details"]["uncertainty"]["num_samples"]) == (
        pytest.approx(low), pytest.approx(high), n)
    assert by_name["all/judge:language-id/match"]["metric_config"]["max_score"] == 1.0
    assert not [n for n in by_name if n.split("/", 1)[1].startswith(("pivot:", "transfer_gap:"))]
