"""Translation-task data (CoIT): the template bank and its cycling, directions, pivots, sizes per language,
parallel files in their shapes, determinism, the counts the data stage records, and the flores_gen tasks'
prompt (their YAMLs are the generator's output, and their prompt is the bank's first template)."""

from __future__ import annotations

import importlib.util
import json

import pytest
import yaml

from babelbench.data.build import build_training_set, select_examples
from babelbench.data.sources import SourceError
from babelbench.data.translation import (
    DEFAULT_TEMPLATES,
    TranslationExample,
    instruction,
    kind_of,
    load_templates,
    template_problem,
    template_problems,
    translation_examples,
)
from babelbench.evaluate.generated_tasks import stale
from babelbench.recipe import load_recipe
from babelbench.recipe.schema import TranslationConfig
from tests.conftest import ROOT

PARALLEL = ROOT / "data" / "samples" / "parallel" / "everyday.jsonl"
ROWS = {r["id"]: r for r in map(json.loads, PARALLEL.read_text(encoding="utf-8").splitlines())}
FLORES = ROOT / "tasks" / "flores_gen"


def _config(**settings) -> TranslationConfig:
    return TranslationConfig.model_validate({"sources": [{"path": str(PARALLEL)}], **settings})


def _pair_id(example: TranslationExample) -> str:
    return example.id.rsplit(":", 1)[1]


# -- the bank ---------------------------------------------------------------------------------------

def test_the_bank_has_twenty_distinct_usable_templates_and_starts_with_the_flores_prompt():
    assert len(DEFAULT_TEMPLATES) >= 20 and len(set(DEFAULT_TEMPLATES)) == len(DEFAULT_TEMPLATES)
    assert DEFAULT_TEMPLATES[0] == "Translate the following sentences from {source_lang} to {target_lang}."
    assert [t for t in DEFAULT_TEMPLATES if template_problem(t) is not None] == []


def test_the_first_template_is_the_flores_gen_prompt_word_for_word():
    from jinja2 import Template

    for task, (src, tgt) in {"flores_gen_en_zh": ("en", "zh"), "flores_gen_ko_en": ("ko", "en"),
                             "flores_gen_zh_ar": ("zh", "ar"), "flores_gen_el_tr": ("el", "tr")}.items():
        doc_to_text = yaml.safe_load((FLORES / f"{task}.yaml").read_text(encoding="utf-8"))["doc_to_text"]
        sentence = "Heavy rain is expected."
        assert Template(doc_to_text).render(source=sentence) == instruction(DEFAULT_TEMPLATES[0], src, tgt, sentence)
    # written out, for one pair
    assert instruction(DEFAULT_TEMPLATES[0], "en", "el", "Hi.") == \
        "Translate the following sentences from English to Greek.\n\nHi."


@pytest.mark.parametrize(("template", "problem"), [
    ("Translate from {source_lang}.", "lacks {target_lang}"),
    ("Translate, please.", "lacks {source_lang} and {target_lang}"),
    ("From {source_lang} to {target_lang} in {style}.", "only {source_lang} and {target_lang} may be filled in"),
    ("From {source_lang} to {target_lang} {", "only {source_lang} and {target_lang} may be filled in"),
    ("{source_lang} -> {target_lang}, {{literal}}", None),
])
def test_a_template_needs_both_slots_and_nothing_else(template, problem):
    found = template_problem(template)
    assert (found is None) if problem is None else (problem in str(found))


def test_a_templates_file_is_checked_line_by_line(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Put {source_lang} into {target_lang}.\n\nSay it in {target_lang}.\n{source_lang}>{target_lang}\n",
                    encoding="utf-8")
    problems = template_problems(path)
    assert [(p.line, "lacks {source_lang}" in p.message) for p in problems] == [(3, True)]
    path.write_text("Put {source_lang} into {target_lang}.\n\n{source_lang}>{target_lang}\n", encoding="utf-8")
    assert load_templates(str(path), tmp_path) == ("Put {source_lang} into {target_lang}.", "{source_lang}>{target_lang}")
    assert load_templates("default", tmp_path) == DEFAULT_TEMPLATES


# -- examples ---------------------------------------------------------------------------------------

def test_item_i_gets_template_i_mod_the_bank_and_names_fill_the_slots():
    examples = translation_examples(_config(size=30, languages=["zh"]), ROOT)
    assert len(examples) == 30 and len(DEFAULT_TEMPLATES) == 24
    for i, ex in enumerate(examples):
        assert ex.template == i % 24
        row = ROWS[_pair_id(ex)]
        assert ex.messages == [
            {"role": "user", "content": DEFAULT_TEMPLATES[i % 24].format(source_lang="English", target_lang="Chinese")
             + "\n\n" + row["en"]},
            {"role": "assistant", "content": row["zh"]}]
    assert examples[0].messages[0]["content"].startswith("Translate the following sentences from English to Chinese.\n\n")
    assert examples[25].messages[0]["content"].startswith("Please translate this text from English into Chinese.\n\n")


def test_directions_to_target_to_english_and_both():
    to_target = translation_examples(_config(size=4, languages=["hi"]), ROOT)
    to_pivot = translation_examples(_config(size=4, languages=["hi"], direction="to_english"), ROOT)
    both = translation_examples(_config(size=5, languages=["hi"], direction="both"), ROOT)
    for ex in to_target:
        row = ROWS[_pair_id(ex)]
        assert (ex.source_language, ex.target_language, ex.language) == ("en", "hi", "hi")
        assert ex.messages[0]["content"].endswith("\n\n" + row["en"]) and ex.messages[1]["content"] == row["hi"]
        assert "from English to Hindi" in ex.messages[0]["content"] or ex.template != 0
    for ex in to_pivot:
        row = ROWS[_pair_id(ex)]
        assert (ex.source_language, ex.target_language, ex.language) == ("hi", "en", "hi")
        assert ex.messages[0]["content"].endswith("\n\n" + row["hi"]) and ex.messages[1]["content"] == row["en"]
    assert to_pivot[0].messages[0]["content"].startswith("Translate the following sentences from Hindi to English.")
    # the same seed draws the same pairs, whatever the direction
    assert [_pair_id(e) for e in to_target] == [_pair_id(e) for e in to_pivot]
    # both: the 1st, 3rd, 5th pivot -> target, the 2nd and 4th back; each direction cycles from template 0
    assert [(e.source_language, e.template) for e in both] == [("en", 0), ("hi", 0), ("en", 1), ("hi", 1), ("en", 2)]


def test_sizes_per_language_as_one_number_or_a_dict():
    one = translation_examples(_config(size=3, languages=["zh", "ar", "el"]), ROOT)
    assert {lang: sum(e.language == lang for e in one) for lang in ("zh", "ar", "el")} == {"zh": 3, "ar": 3, "el": 3}
    per = translation_examples(_config(size={"zh": 5, "ar": 2, "vi": 0}), ROOT)
    assert [e.language for e in per] == ["ar"] * 2 + ["zh"] * 5
    assert TranslationConfig.model_validate(
        {"sources": [{"path": "x"}], "size": {"zh": 200, "ar": 100}}).targets() == {"zh": 200, "ar": 100}


def test_a_pivot_other_than_english():
    examples = translation_examples(_config(size=3, languages=["tr"], pivot="de", direction="both"), ROOT)
    first, second = examples[0], examples[1]
    assert first.messages[0]["content"] == ("Translate the following sentences from German to Turkish.\n\n"
                                            + ROWS[_pair_id(first)]["de"])
    assert first.messages[1]["content"] == ROWS[_pair_id(first)]["tr"]
    assert second.messages[0]["content"].startswith("Translate the following sentences from Turkish to German.\n\n")
    assert second.messages[1]["content"] == ROWS[_pair_id(second)]["de"]
    assert {e.language for e in examples} == {"tr"}


def test_draws_are_seeded_per_language_and_nested_across_sizes():
    a = translation_examples(_config(size=16, languages=["zh", "ko"], seed=3), ROOT)
    b = translation_examples(_config(size=16, languages=["zh", "ko"], seed=3), ROOT)
    assert [e.id for e in a] == [e.id for e in b]
    other_seed = translation_examples(_config(size=16, languages=["zh"], seed=4), ROOT)
    assert [e.id for e in other_seed] != [e.id for e in a if e.language == "zh"]
    # a language's pairs do not depend on the other languages' sizes; a smaller size is a prefix
    alone = translation_examples(_config(size={"zh": 8}, seed=3), ROOT)
    assert [_pair_id(e) for e in alone] == [_pair_id(e) for e in a if e.language == "zh"][:8]
    assert len({_pair_id(e) for e in a if e.language == "zh"}) == 16  # no repeats within the pool


def test_more_pairs_than_the_sources_hold_is_refused_unless_upsampling():
    with pytest.raises(SourceError, match="asks for 41 'zh' translation pairs and the parallel sources hold 40"):
        translation_examples(_config(size=41, languages=["zh"]), ROOT)
    repeated = translation_examples(_config(size=41, languages=["zh"]), ROOT, allow_upsampling=True)
    assert len(repeated) == 41 and len({_pair_id(e) for e in repeated}) == 40
    with pytest.raises(SourceError, match=r"no parallel source has both 'en' \(English\) and 'fr' \(French\) sentences"):
        translation_examples(_config(size=1, languages=["fr"]), ROOT, allow_upsampling=True)


def test_a_pair_file_with_named_columns_and_nested_opus_rows(tmp_path):
    (tmp_path / "pairs.csv").write_text("english,chinese\nOne cat.,一只猫。\nTwo dogs.,两只狗。\n", encoding="utf-8")
    (tmp_path / "opus.jsonl").write_text(json.dumps({"translation": {"en": "Red.", "zh": "红色。"}}, ensure_ascii=False)
                                         + "\n", encoding="utf-8")
    config = TranslationConfig.model_validate({
        "sources": [{"path": "pairs.csv", "fields": {"en": "english", "zh": "chinese"}},
                    {"path": "opus.jsonl", "fields": {"en": "translation.en", "zh": "translation.zh"}}],
        "size": 3, "languages": ["zh"]})
    examples = translation_examples(config, tmp_path)
    assert sorted((e.messages[0]["content"].split("\n\n")[1], e.messages[1]["content"]) for e in examples) == [
        ("One cat.", "一只猫。"), ("Red.", "红色。"), ("Two dogs.", "两只狗。")]
    assert sorted(e.id for e in examples) == ["translation:en>zh:0:row 1", "translation:en>zh:0:row 2",
                                               "translation:en>zh:1:line 1"]


def test_a_row_without_its_sentence_names_file_line_and_column(tmp_path):
    (tmp_path / "p.jsonl").write_text('{"en": "Hi.", "zh": "你好。"}\n{"en": "Bye."}\n', encoding="utf-8")
    config = TranslationConfig.model_validate({"sources": [{"path": "p.jsonl"}], "size": 1, "languages": ["zh"]})
    with pytest.raises(SourceError) as err:
        translation_examples(config, tmp_path)
    assert str(err.value.problem).endswith("p.jsonl:2: zh: no sentence in column 'zh' (the row has keys en)")


# -- in the data stage ------------------------------------------------------------------------------

RECIPE = """
    name: coit
    base_model: builtin:tiny
    data:
      sources:
        - {path: {samples}/instructions.en.jsonl, language: en}
        - {path: {samples}/instructions.zh.jsonl, language: zh}
      mix: {en: 0.5, zh: 0.5}
      size: 6
      seed: 2
      translation:
        sources: [{path: {samples}/parallel/everyday.jsonl}]
        size: {zh: 4, ar: 3, vi: 0}
        direction: both
    train: {method: lora, max_steps: 1, batch_size: 2, max_length: 128}
    eval:
      tasks: [flores_gen_en_zh]
"""


def test_translation_examples_come_on_top_of_the_instruction_examples_and_are_counted(write_recipe, tiny_model, tmp_path):
    from transformers import AutoTokenizer

    [variant] = load_recipe(write_recipe(RECIPE))
    examples, _ = select_examples(variant, tmp_path)
    kinds = [(e.language, kind_of(e)) for e in examples]
    assert sorted(kinds) == sorted([("en", "instruction")] * 3 + [("zh", "instruction")] * 3
                                   + [("zh", "translation")] * 4 + [("ar", "translation")] * 3)
    assert [i for i, (_, kind) in enumerate(kinds) if kind == "translation"] != list(range(6, 13))  # shuffled in
    again, _ = select_examples(variant, tmp_path)
    assert [e.id for e in again] == [e.id for e in examples]
    out = tmp_path / "built"
    out.mkdir()
    manifest = build_training_set(variant, tmp_path, AutoTokenizer.from_pretrained(tiny_model), out)
    assert {k: (s.examples, s.translation) for k, s in manifest.languages.items()} == {
        "ar": (3, 3), "en": (3, 0), "vi": (0, 0), "zh": (7, 4)}  # a target given 0 pairs keeps its row
    rows = [json.loads(line) for line in (out / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(r["kind"] == "translation" for r in rows) == 7 and len(rows) == manifest.size == 13


def test_the_instruction_draw_is_unchanged_by_adding_translation_data(write_recipe, tmp_path):
    without = RECIPE.split("      translation:")[0] + RECIPE.split("direction: both\n")[1]
    [plain] = load_recipe(write_recipe(without, "plain.yaml"))
    [coit] = load_recipe(write_recipe(RECIPE))
    plain_ids = sorted(e.id for e in select_examples(plain, tmp_path)[0])
    coit_ids = sorted(e.id for e in select_examples(coit, tmp_path)[0] if kind_of(e) == "instruction")
    assert plain_ids == coit_ids


def test_translation_only_data_needs_no_instruction_sources(write_recipe, tmp_path):
    text = RECIPE.replace("""      sources:
        - {path: {samples}/instructions.en.jsonl, language: en}
        - {path: {samples}/instructions.zh.jsonl, language: zh}
      mix: {en: 0.5, zh: 0.5}
      size: 6
""", "")
    [variant] = load_recipe(write_recipe(text))
    assert variant.data is not None and variant.data.sources == [] and variant.data.size is None
    examples, _ = select_examples(variant, tmp_path)
    assert sorted(e.language for e in examples) == ["ar"] * 3 + ["zh"] * 4
    assert all(isinstance(e, TranslationExample) for e in examples)


def test_a_system_line_names_the_language_a_translation_answers_in(write_recipe, tmp_path):
    [variant] = load_recipe(write_recipe(RECIPE + "    pivot: {system_prompt: auto}\n"))
    examples, _ = select_examples(variant, tmp_path)
    back = next(e for e in examples if isinstance(e, TranslationExample) and e.target_language == "en")
    assert back.messages[0] == {"role": "system", "content": "Please respond to the following user message in English."}


# -- the flores_gen tasks ---------------------------------------------------------------------------

def _generator():
    spec = importlib.util.spec_from_file_location("flores_generate", FLORES / "_generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_flores_gen_yamls_are_the_generators_output():
    generator = _generator()
    files = generator.render()
    assert {n: (FLORES / n).read_text(encoding="utf-8") for n in files} == files
    assert stale(FLORES, files, "flores_gen_*_*.yaml") == []


def test_every_ordered_pair_of_the_shipped_languages_has_a_task():
    languages = sorted(p.name.split(".")[1] for p in (FLORES / "data").glob("flores_gen.*.jsonl"))
    assert {"ar", "el", "hi", "tr", "vi", "zh", "en", "es", "it", "ko", "de", "fr", "ru", "ja"} <= set(languages)
    expected = {f"flores_gen_{s}_{t}" for s in languages for t in languages if s != t}
    assert {p.stem for p in FLORES.glob("flores_gen_*_*.yaml")} == expected
    group = yaml.safe_load((FLORES / "_flores_gen.yaml").read_text(encoding="utf-8"))
    assert set(group["task"]) == expected and len(group["task"]) == len(languages) * (len(languages) - 1)
    # the test sentences are parallel by id, and are not the training pairs
    ids = {lang: [json.loads(line)["id"] for line in (FLORES / "data" / f"flores_gen.{lang}.jsonl").read_text(
        encoding="utf-8").splitlines()] for lang in languages}
    assert all(v == [f"fl{i:02d}" for i in range(1, 11)] for v in ids.values())
    test_en = {json.loads(line)["text"] for line in (FLORES / "data" / "flores_gen.en.jsonl").read_text().splitlines()}
    assert not test_en & {r["en"] for r in ROWS.values()}


def test_the_hub_loader_knows_every_shipped_language():
    spec = importlib.util.spec_from_file_location("flores_utils", FLORES / "utils.py")
    assert spec is not None and spec.loader is not None
    utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(utils)
    shipped = {p.name.split(".")[1] for p in (FLORES / "data").glob("flores_gen.*.jsonl")}
    assert shipped <= set(utils._FLORES_CODES)
    assert {k: utils._FLORES_CODES[k] for k in ("ar", "el", "hi", "tr", "vi", "zh", "ja", "ru")} == {
        "ar": "arb_Arab", "el": "ell_Grek", "hi": "hin_Deva", "tr": "tur_Latn", "vi": "vie_Latn", "zh": "cmn_Hans",
        "ja": "jpn_Jpan", "ru": "rus_Cyrl"}
    pair = utils.load("el", "ja")["test"]
    assert len(pair) == 10 and pair[0]["language"] == "ja" and pair[0]["source_language"] == "el"


# -- the shipped recipes ----------------------------------------------------------------------------

def test_the_xllm_recipes_load_one_coit_variant_per_language_and_a_size_sweep():
    from babelbench.pipeline.keys import plan_variant

    coit = {v.name: v for lang in ("ar", "el", "hi", "tr", "vi", "zh")
            for v in load_recipe(ROOT / "recipes" / "xllm" / f"coit-{lang}.yaml")}
    assert sorted(coit) == [f"coit-{lang}" for lang in ("ar", "el", "hi", "tr", "vi", "zh")]
    for name, variant in coit.items():
        lang = name.split("-")[1]
        assert variant.data is not None and variant.data.translation is not None
        assert variant.data.translation.targets() == {lang: 32}
        assert variant.eval.tasks[:2] == [f"flores_gen_en_{lang}", f"flores_gen_{lang}_en"]
        assert {s.language for s in variant.data.sources} == ({"en", "zh"} if lang == "zh" else {"en"})
    sweep = load_recipe(ROOT / "recipes" / "xllm" / "translation-sweep.yaml")
    sizes = sorted(v.data.translation.size for v in sweep if v.data and v.data.translation)  # type: ignore[type-var]
    assert sizes == [0, 5, 10, 20, 40]
    assert len({plan_variant(v, [ROOT / "tasks"]).data_key for v in sweep}) == 5
