"""A stratified slice of real XQuAD read from its published files (``eval.data_source: local``, a copy of
tests/data/xquad) through the whole run on builtin:tiny with real lm-eval: every language's stored rows
have its language and the n asked for, both variants were asked the same questions, and the questions are
the same ids in every language; ``harness report`` shows that n."""

from __future__ import annotations

import json
import shutil

from babelbench.evaluate.sampling import stratified_indices
from tests.conftest import ROOT
from tests.integration._harness import harness, query

XQUAD = ("ar", "de", "el", "en", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh")
RECIPE = """\
name: local
base_model: builtin:tiny
train: {method: none}
eval:
  tasks: [xquad_gen]
  data_source: local
  data_dir: published/xquad
  limit: {per_language: 3, seed: 7}
  gen_kwargs: {max_gen_toks: 3}
variants:
  short: {}
  longer: {eval.gen_kwargs: {max_gen_toks: 4}}
"""


def test_a_stratified_slice_of_the_published_files_runs_end_to_end(tiny_model, tmp_path):
    shutil.copytree(ROOT / "tests" / "data" / "xquad", tmp_path / "published" / "xquad")
    (tmp_path / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    store = tmp_path / "r.duckdb"
    code, out = harness("run", tmp_path / "recipe.yaml", "--store", store)
    assert code == 0, out
    published = json.loads((ROOT / "tests" / "data" / "xquad" / "xquad.de.json").read_text(encoding="utf-8"))
    ids = [qa["id"] for article in published["data"] for p in article["paragraphs"] for qa in p["qas"]]
    expected = sorted(ids[i] for i in stratified_indices([{"id": i, "language": "de"} for i in ids], 3, seed=7))
    rows = query(store, """SELECT v.name, s.task, s.language, s.doc FROM samples s
                           JOIN variant_stages vs ON vs.key = s.eval_key AND vs.kind = 'eval'
                           JOIN variants v USING (variant_id)""")
    asked: dict[tuple[str, str], list[str]] = {}
    for variant, task, language, doc in rows:
        assert task == f"xquad_gen_{language}"
        asked.setdefault((variant, language), []).append(json.loads(doc)["id"])
    assert sorted(asked) == sorted((v, lang) for v in ("local@short", "local@longer") for lang in XQUAD)
    assert all(sorted(doc_ids) == expected for doc_ids in asked.values())   # same 3 questions: languages, variants
    n = query(store, """SELECT v.name, m.task, m.language, m.n FROM metrics m
                        JOIN variant_stages vs ON vs.key = m.eval_key AND vs.kind = 'eval'
                        JOIN variants v USING (variant_id)
                        WHERE m.metric = 'f1' AND m.filter = 'none' AND NOT m.is_group AND m.task LIKE 'xquad_gen_%'""")
    assert sorted((task, language, count) for name, task, language, count in n if name == "local@short") == \
        [(f"xquad_gen_{lang}", lang, 3) for lang in XQUAD]
    metrics = {m for (m,) in query(store, "SELECT DISTINCT metric FROM metrics WHERE task = 'xquad_gen_th'")}
    assert {"exact_match", "f1", "contains", "xllm_match", "language_fidelity"} <= metrics
    code, report = harness("report", "--store", store)
    assert code == 0, report
    assert "xquad_gen" in report and "36" in report, report        # 12 languages x 3 questions
