"""Real inputs through `harness run` on builtin:tiny: LIMA's own file, a Dolly-shaped, an Aya-shaped and a
CSV source with a column mapping each train a variant; a Yoruba PLUG variant whose section label comes
from the recipe validates, trains and is scored; with an identifier that has no Yoruba model, the
language-fidelity metric and the language-id judge say "unsupported" rather than "wrong"."""

from __future__ import annotations

import json
import random
import shutil
import textwrap
from pathlib import Path

import pytest

from babelbench import paths
from tests.integration._harness import harness, query
from tests.support import scripted_model

FORMATS = Path(__file__).resolve().parents[1] / "data" / "formats"
LIMA = Path(__file__).resolve().parents[3] / "shared" / "data" / "lima-en" / "lima.en.jsonl"
YO_LABEL = "Ìdáhùn ní èdè Yorùbá:"
YO_ANSWERS = ("Orúkọ mi ni Adé. Mo ń gbé ní ìlú Èkó pẹ̀lú àwọn ẹbí mi.",
              "Ojú ọjọ́ dára lónìí, oòrùn ń ràn gan-an ni ní gbogbo ìlú.")


def _train_rows(store: Path, variant: str) -> list[dict]:
    [(output,)] = query(store, """SELECT r.output FROM stage_runs r JOIN variant_stages s ON s.key = r.key AND s.kind = r.kind
                                  JOIN variants v ON v.variant_id = s.variant_id WHERE v.name = ? AND r.kind = 'data'""", [variant])
    return [json.loads(line) for line in (Path(output) / "train.jsonl").read_text(encoding="utf-8").splitlines()]


def _metrics(store: Path, variant: str, task: str) -> dict[str, tuple[float | None, int | None]]:
    rows = query(store, """SELECT m.metric, m.value, m.n FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
                           AND s.kind = 'eval' JOIN variants v USING (variant_id) WHERE v.name = ? AND m.task = ?""",
                 [variant, task])
    return {metric: (value, n) for metric, value, n in rows}


@pytest.fixture(scope="module")
def formats_run(tmp_path_factory, tiny_model):
    folder = tmp_path_factory.mktemp("real-inputs")
    shutil.copytree(FORMATS, folder / "data")
    (folder / "prompts.en.jsonl").write_text('{"instruction": "Say hi."}\n', encoding="utf-8")
    lima = f"{{path: {LIMA}, language: en}}" if LIMA.is_file() else "{path: data/lima.jsonl, language: en}"
    recipe = folder / "formats.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        name: fmt
        base_model: builtin:tiny
        data:
          sources: [{lima}]
          mix: {{en: 1.0}}
          size: 2
          seed: {random.randrange(10**6)}
        train: {{method: lora, max_steps: 1, batch_size: 2, max_length: 64, lora: {{r: 2, alpha: 4}}}}
        eval:
          prompt_files: [{{path: prompts.en.jsonl, language: en}}]
          gen_kwargs: {{max_gen_toks: 4}}
        variants:
          lima: {{}}
          dolly:
            data.sources: [{{path: data/dolly.jsonl, language: en, format: dolly}}]
          aya:
            data.sources: [{{path: data/aya.yo.jsonl, language: yor, format: aya}}]
            data.mix: {{yo: 1.0}}
          csv:
            data.sources: [{{path: data/qa.zh.csv, language: zh, fields: {{prompt: question, response: answer, id: 编号}}}}]
            data.mix: {{zh: 1.0}}
        """), encoding="utf-8")
    store = folder / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    return store


@pytest.mark.parametrize(("variant", "language", "first_user"), [
    ("fmt@lima", "en", None),
    ("fmt@dolly", "en", "Which is a species of fish? Tope or Rope"),
    ("fmt@aya", "yo", "Kí ni olú-ìlú Nàìjíríà?"),
    ("fmt@csv", "zh", "天空是什么颜色？"),
])
def test_each_native_format_trains_a_variant(formats_run, variant, language, first_user):
    store = formats_run
    rows = _train_rows(store, variant)
    assert len(rows) == 2 and {r["language"] for r in rows} == {language}   # `yor` is stored as `yo`
    if first_user is not None:
        assert first_user in {r["messages"][0]["content"] for r in rows}
    else:  # LIMA: two of its conversations, each ending with the assistant's answer
        assert all(r["messages"][-1]["role"] == "assistant" and r["messages"][0]["role"] == "user" for r in rows)
    [(status, steps)] = query(store, """SELECT r.status, json_extract(r.info, '$.global_step')::INT FROM stage_runs r
                                        JOIN variant_stages s ON s.key = r.key AND s.kind = r.kind
                                        JOIN variants v ON v.variant_id = s.variant_id WHERE v.name = ? AND r.kind = 'train'""",
                              [variant])
    assert (status, steps) == ("done", 1)
    assert _metrics(store, variant, "prompts_prompts_en")["answered"][1] == 1


_TRAIN_FASTTEXT = """
import random, sys
import fasttext
en = ["the cat sat on the mat", "hello how are you today", "this is a good day", "I like green tea"]
es = ["el gato se sentó en la alfombra", "hola cómo estás hoy", "este es un buen día", "me gusta el té verde"]
lines = [f"__label__en {s}" for s in en] * 30 + [f"__label__es {s}" for s in es] * 30
random.Random(0).shuffle(lines)
folder = sys.argv[1]
open(folder + "/train.txt", "w", encoding="utf-8").write("\\n".join(lines))
model = fasttext.train_supervised(folder + "/train.txt", epoch=10, dim=16, lr=0.1, bucket=5000, minn=2, maxn=3,
                                  verbose=0, thread=1, seed=0)
model.save_model(folder + "/lid.bin")
"""


@pytest.fixture(scope="module")
def fasttext_model(tmp_path_factory) -> Path:
    """A real fastText language-ID model that knows English and Spanish only (trained in a second).
    Trained in a fresh process: fastText's trainer sometimes stops with "Encountered NaN" in a process
    that has imported torch (seen with the numpy-2 wheel), never in one that has not."""
    import subprocess
    import sys

    pytest.importorskip("fasttext")
    folder = tmp_path_factory.mktemp("fasttext")
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", _TRAIN_FASTTEXT, str(folder)], capture_output=True, text=True)
        if done.returncode == 0:
            return folder / "lid.bin"
    raise AssertionError(done.stderr)


@pytest.fixture(scope="module")
def yoruba_run(tmp_path_factory, tiny_model, fasttext_model):
    folder = tmp_path_factory.mktemp("yoruba")
    shutil.copytree(FORMATS, folder / "data")
    shutil.copy(fasttext_model, folder / "lid.bin")
    (folder / "prompts.yo.jsonl").write_text(
        '{"instruction": "Kí ni orúkọ rẹ?"}\n{"instruction": "Ṣé àpèjúwe ojú ọjọ́ lónìí."}\n', encoding="utf-8")
    judges = folder / "judges"
    shutil.copytree(paths.shipped("judges") / "language-id", judges / "language-id-ft")
    yaml = judges / "language-id-ft" / "judge.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("name: language-id\n", "name: language-id-ft\n")
                    + "identifier: ../../lid.bin\n", encoding="utf-8")
    recipe = folder / "yoruba.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        name: yo
        base_model: builtin:tiny
        data:
          sources:
            - {{path: data/aya.yo.jsonl, language: yo}}
            - {{path: data/alpaca.jsonl, language: en}}
          mix: {{yo: 1.0}}
          size: 2
          seed: {random.randrange(10**6)}
        pivot:
          mode: plug
          pivot_language: en
          labels: {{yo: "{YO_LABEL}"}}
        train: {{method: lora, max_steps: 1, batch_size: 2, max_length: 96, lora: {{r: 2, alpha: 4}}}}
        eval:
          prompt_files: [{{path: prompts.yo.jsonl, language: yo}}]
          backend: scripted
        judges: [language-id, language-id-ft]
        variants:
          lingua: {{}}
          fasttext:
            eval.language_identifier: lid.bin
        """), encoding="utf-8")
    code, out = harness("validate", recipe, "--judges-dir", judges)
    assert (code, out.strip()) == (0, "ok: 2 variant(s)"), out
    # builtin:tiny trains; the answers come from a script, so they are PLUG answers worth identifying
    script = scripted_model.write_script(folder / "script.json", {
        ("prompts_prompts_yo", 0): f"English response:\nMy name is Ade.\n\n{YO_LABEL}\n{YO_ANSWERS[0]}",
        ("prompts_prompts_yo", 1): f"English response:\nIt is sunny today.\n\n{YO_LABEL}\n{YO_ANSWERS[1]}"})
    store = folder / "results.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(scripted_model.SCRIPT_ENV, str(script))
        code, out = harness("run", recipe, "--store", store, "--judges-dir", judges)
    assert code == 0, out
    return store


def test_a_yoruba_plug_variant_trains_with_the_recipes_label(yoruba_run):
    rows = _train_rows(yoruba_run, "yo@lingua")
    by_id = {r["id"]: r["messages"][-1]["content"] for r in rows}
    assert by_id == {
        "0": f"English response:\n1. Eat a balanced diet.\n2. Exercise regularly.\n3. Sleep enough.\n\n{YO_LABEL}\n"
             "Abuja ni olú-ìlú Nàìjíríà.",
        "1": f"English response:\nLe chat est noir.\n\n{YO_LABEL}\nOòrùn jẹ́ ìràwọ̀ tó wà ní àárín ètò oòrùn wa.",
    }


def test_a_yoruba_variant_is_scored_and_lingua_knows_yoruba(yoruba_run):
    from babelbench.langid import detect

    metrics = _metrics(yoruba_run, "yo@lingua", "prompts_prompts_yo")
    # the recipe's label split every answer at evaluation: no answer without it, none with only the pivot part
    assert (metrics["pivot:label_not_found"], metrics["pivot:only_pivot"]) == ((0.0, 2), (0.0, 2))
    assert metrics["answered"] == (1.0, 2)
    expected = sum(detect(a, "yo").matches for a in YO_ANSWERS) / 2      # lingua has a Yoruba model
    assert metrics["language_fidelity"] == (pytest.approx(expected), 2) and expected > 0
    assert "language_fidelity:unsupported" not in metrics
    kept = query(yoruba_run, """SELECT s.kept_response FROM samples s JOIN variant_stages v ON v.key = s.eval_key
                                AND v.kind = 'eval' JOIN variants x ON x.variant_id = v.variant_id
                                WHERE x.name = 'yo@lingua' ORDER BY s.doc_id""")
    assert [k for (k,) in kept] == list(YO_ANSWERS)
    judged = dict(query(yoruba_run, """SELECT 'judge:' || j.judge || '/' || j.facet, j.value FROM judge_metrics j JOIN variants v USING (variant_id)
                                        WHERE v.name = 'yo@lingua' AND j.task = 'prompts_prompts_yo'"""))
    assert judged["judge:language-id/match"] == pytest.approx(expected)


def test_an_identifier_without_yoruba_says_unsupported_not_wrong(yoruba_run):
    metrics = _metrics(yoruba_run, "yo@fasttext", "prompts_prompts_yo")
    assert metrics["language_fidelity:unsupported"] == (1.0, 2)
    value, _ = metrics["language_fidelity"]
    assert value is None or value != value      # no verdict at all (NaN / NULL), never 0 = "wrong language"
    judged = dict(query(yoruba_run, """SELECT 'judge:' || j.judge || '/' || j.facet, j.value FROM judge_metrics j JOIN variants v USING (variant_id)
                                        WHERE v.name = 'yo@fasttext' AND j.task = 'prompts_prompts_yo'"""))
    assert judged["judge:language-id-ft/unsupported"] == 1.0
    assert "judge:language-id-ft/match" not in judged
    assert "judge:language-id/match" in judged and "judge:language-id/unsupported" not in judged


def test_the_report_names_the_language(yoruba_run):
    code, out = harness("report", "--store", yoruba_run, "--long")
    assert code == 0
    rows = [line for line in out.splitlines() if "prompts_prompts_yo" in line and "language_fidelity:unsupported" in line]
    assert len(rows) == 1 and "yo (Yoruba)" in rows[0] and "yo@fasttext" in rows[0]
