"""`harness probe` end to end on a tiny trained variant: the rows it stores are the alignment of the variant's
own weights (base + its adapter, not the base alone), a second probe of the same key does no work, other
settings are another key, a local model folder probes too, bad input gets one line; and the board's
Alignment page shows the stored numbers and B - A."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from babelbench.analysis.parallel_sentences import load_parallel
from babelbench.pipeline.alignment_stage import AlignmentModel, alignment_stage
from babelbench.services.variant_weights import resolve_variant
from babelbench.recipe.schema import AlignmentConfig
from tests.conftest import ROOT, SAMPLES
from tests.integration._harness import harness, query

APP = str(ROOT / "leaderboard" / "app.py")
PAGE = "views/alignment.py"


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_model):
    folder = tmp_path_factory.mktemp("probe")
    recipe = folder / "probe.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        name: probe
        base_model: builtin:tiny
        data:
          sources: [{{path: {SAMPLES}/instructions.en.jsonl, language: en}}]
          mix: {{en: 1.0}}
          size: 16
          seed: 5
        train: {{method: lora, lr: 0.5, max_steps: 6, batch_size: 4, max_length: 128, lora: {{r: 4, alpha: 8}}}}
        eval:
          tasks: [babel_qa_en]
          limit: 1
          gen_kwargs: {{max_gen_toks: 4}}
        """), encoding="utf-8")
    store = folder / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    code, out = harness("probe", "probe", "--store", store, "--languages", "zh,es")
    assert code == 0, out
    return folder, store, out


def _stored(store, key=None):
    sql = "SELECT layer, target_language, pair_cosine, nonpair_cosine, retrieval_forward, retrieval_backward, n " \
          "FROM alignment" + (" WHERE align_key = ?" if key else "") + " ORDER BY align_key, target_language, layer"
    return query(store, sql, [key] if key else [])


def _key(store, variant="probe"):
    [(key,)] = query(store, """SELECT s.key FROM variant_stages s JOIN variants v USING (variant_id)
                               WHERE v.name = ? AND s.kind = 'alignment'""", [variant])
    return key


def test_probe_stores_the_alignment_of_the_variants_own_weights(trained):
    _folder, store, out = trained
    key = _key(store)
    rows = _stored(store, key)
    assert [(r[0], r[1]) for r in rows] == [(layer, t) for t in ("es", "zh") for layer in range(3)]
    assert query(store, "SELECT status FROM stage_runs WHERE kind = 'alignment'") == [("done",)]
    assert key in out and all(f"{r[2]:.3f}" in out for r in rows)   # the table shows the stored pair cosines
    weights = resolve_variant(store, "probe")
    assert weights.adapter is not None
    config = AlignmentConfig(languages=["zh", "es"])
    sentences = load_parallel("flores", "en", ["zh", "es"])
    tuned = alignment_stage(AlignmentModel(weights.base_path, weights.adapter), sentences, config).rows.records
    base = alignment_stage(AlignmentModel(weights.base_path), sentences, config).rows.records

    def by(records):
        return {(r.layer, r.target_language): r.pair_cosine for r in records}

    assert {(r[0], r[1]): r[2] for r in rows} == pytest.approx(by(tuned), abs=1e-9)
    assert by(base) != pytest.approx(by(tuned), abs=1e-6)          # the adapter was loaded
    assert by(base)[(0, "zh")] == pytest.approx(by(tuned)[(0, "zh")])  # LoRA leaves the embeddings alone
    # the key is the one `analysis: [alignment]` in `harness run` gets (align_variant, from the variant's plan)
    from babelbench.pipeline.alignment_stage import alignment_key, sentences_for, variant_model_identity
    from babelbench.pipeline.keys import plan_variant
    from babelbench.recipe import load_recipe

    [variant] = load_recipe(_folder / "probe.yaml")
    plan = plan_variant(variant.model_copy(update={"alignment": config}), [])
    assert alignment_key(variant_model_identity(plan), sentences_for(config, plan.recipe_dir), config) == key


def test_a_second_probe_of_the_same_key_does_no_work(trained):
    _folder, store, _out = trained
    before = _stored(store)
    code, out = harness("probe", "probe", "--store", store, "--languages", "zh", "--languages", "es")
    assert code == 0, out
    assert "stored already: no work done" in out
    assert all(f"{r[2]:.3f}" in out for r in before)   # and the stored table again
    assert _stored(store) == before
    assert query(store, "SELECT count(*) FROM stage_runs WHERE kind = 'alignment'") == [(1,)]


def test_other_settings_are_another_key_and_json_gives_every_number(trained):
    _folder, store, _out = trained
    code, out = harness("probe", "probe", "--store", store, "--languages", "ko", "--max-sentences", "4",
                        "--format", "json")
    assert code == 0, out
    printed = json.loads(out[out.index("\n[") + 1:])   # after the lines on stderr
    key = _key(store)                                   # the variant now points at its latest probe
    assert len(printed) == 3 and {r["target_language"] for r in printed} == {"ko"} and printed[0]["n"] == 4
    assert [(r["layer"], r["pair_cosine"]) for r in printed] == [(r[0], r[2]) for r in _stored(store, key)]
    assert query(store, "SELECT count(DISTINCT align_key) FROM alignment") == [(2,)]


def test_a_local_model_folder_probes_without_a_variant(trained, tiny_model):
    _folder, store, _out = trained
    code, out = harness("probe", "--model", tiny_model, "--store", store, "--languages", "zh,es", "--name", "base")
    assert code == 0, out
    [(key,)] = query(store, "SELECT key FROM stage_runs WHERE kind = 'alignment' AND variant_id LIKE 'model:%'")
    sentences = load_parallel("flores", "en", ["zh", "es"])
    config = AlignmentConfig(languages=["zh", "es"])
    expected = alignment_stage(AlignmentModel(str(tiny_model)), sentences, config).rows.records
    assert {(r[0], r[1]): r[2] for r in _stored(store, key)} == \
        pytest.approx({(r.layer, r.target_language): r.pair_cosine for r in expected}, abs=1e-9)
    code, out = harness("probe", "--model", tiny_model, "--store", store, "--languages", "zh,es")
    assert code == 0 and "stored already: no work done" in out


def test_recipe_settings_come_from_the_recipes_variant_of_that_name(trained):
    from babelbench.recipe import load_recipe

    folder, store, _out = trained
    recipe = folder / "probe-align.yaml"
    recipe.write_text((folder / "probe.yaml").read_text(encoding="utf-8")
                      + "analysis: [alignment]\nalignment: {languages: [it], max_sentences: 5}\n", encoding="utf-8")
    code, out = harness("probe", "other", "--store", store, "--recipe", recipe)
    assert code == 1 and "error: no variant 'other' in" in out
    renamed = folder / "renamed.yaml"
    renamed.write_text(recipe.read_text(encoding="utf-8").replace("name: probe", "name: renamed"), encoding="utf-8")
    code, out = harness("probe", "probe", "--store", store, "--recipe", renamed)
    assert code == 1 and "renamed.yaml has no variant 'probe'; it has renamed" in out, out
    [variant] = load_recipe(recipe)
    if variant.alignment == AlignmentConfig():
        pytest.skip("the recipe loader does not pass `analysis`/`alignment` on to the variant yet "
                    "(recipe/loader.py builds Variant field by field)")
    code, out = harness("probe", "probe", "--store", store, "--recipe", recipe, "--format", "json")
    assert code == 0, out
    printed = json.loads(out[out.index("\n[") + 1:])
    assert {(r["target_language"], r["n"]) for r in printed} == {("it", 5)}


@pytest.mark.parametrize("args, code, message", [
    (["nobody"], 1, "error: no variant 'nobody' in"),
    (["probe", "--languages", "en"], 2, "--languages: alignment.languages: the pivot 'en' is compared with"),
    (["probe", "--languages", "klingon"], 2, "--languages: alignment.languages.0: unknown language code 'klingon'"),
    (["probe", "--source", "missing.tsv"], 2, "missing.tsv: no such file or folder of parallel sentences"),
    (["probe", "--languages", "fr"], 2, "alignment.source: holds no sentences in fr"),
    (["--model", "no-such-folder"], 1, "error: --model: no such folder: no-such-folder"),
    ([], 2, "give a VARIANT or --model PATH"),
])
def test_bad_input_gets_one_line(trained, args, code, message, monkeypatch):
    folder, store, _out = trained
    monkeypatch.chdir(folder)
    if any(a == "fr" for a in args) and (ROOT / "tasks/flores_gen/data/flores_gen.fr.jsonl").exists():
        args = ["probe", "--languages", "xh"]
        message = "alignment.source: holds no sentences in xh"
    got, out = harness("probe", *args, "--store", store)
    assert got == code, out
    assert message in out, out
    assert "Traceback" not in out


def _page(store) -> AppTest:
    os.environ["BABELBENCH_STORE"] = str(store)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_board_shows_a_probe_as_layer_by_language_and_the_difference(trained):
    _folder, store, _out = trained
    at = _page(store)
    key_a = at.selectbox(key="align-a").value         # the newest probe first; its table, then B - A
    table = at.dataframe[0].value
    stored = _stored(store, key_a)
    assert table["layer"].tolist() == sorted({r[0] for r in stored})
    for layer, target, pair, *_ in stored:
        assert table.set_index("layer").loc[layer, target] == pytest.approx(pair)
    at.selectbox(key="align-metric").set_value("retrieval_forward").run()
    table = at.dataframe[0].value.set_index("layer")
    for layer, target, _pair, _non, forward, *_ in stored:
        assert table.loc[layer, target] == pytest.approx(forward)
    # B - A on the languages both hold
    at.selectbox(key="align-metric").set_value("pair_cosine").run()
    runs = {r[0]: r[1] for r in query(store, "SELECT key, variant_id FROM stage_runs WHERE kind = 'alignment'")}
    key_b = next(k for k, v in runs.items() if v.startswith("model:"))
    key_probe = next(k for k, v in runs.items() if k != key_b and
                     query(store, "SELECT count(*) FROM alignment WHERE align_key = ? AND target_language = 'zh'", [k])
                     [0][0] > 0)
    at.selectbox(key="align-a").set_value(key_probe).run()
    at.selectbox(key="align-b").set_value(key_b).run()
    diff = at.dataframe[1].value.set_index("layer")
    a = {(r[0], r[1]): r[2] for r in _stored(store, key_probe)}
    b = {(r[0], r[1]): r[2] for r in _stored(store, key_b)}
    for (layer, target), value in a.items():
        assert diff.loc[layer, target] == pytest.approx(b[(layer, target)] - value)


def test_the_page_says_what_to_do_without_alignments(tmp_path):
    from babelbench.store import Store

    empty = tmp_path / "empty.duckdb"
    with Store(empty).write():
        pass
    assert "No alignment stored yet" in _page(empty).info[0].value
