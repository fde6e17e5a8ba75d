"""The official QA scorers (SQuAD v1.1 for XQuAD, MLQA v1) on hand-written answers in every XQuAD
and MLQA language, each expected exact match and F1 worked out by hand from the scripts' rules;
the lenient metrics where they must differ; the tasks' generated YAMLs and parallel samples."""

from __future__ import annotations

import importlib.util
import json
import math
from itertools import permutations
from pathlib import Path

import pytest
import yaml

from babelbench.evaluate import official_qa
from babelbench.evaluate.extractive_qa import PROMPTS, prompt_template
from babelbench.evaluate.generated_tasks import stale
from babelbench.evaluate.task_index import TaskYamlLoader

TASKS = Path(__file__).resolve().parents[3] / "tasks"
XQUAD = ("ar", "de", "el", "en", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh")
MLQA = ("ar", "de", "en", "es", "hi", "vi", "zh")

# F1 arithmetic used below: common tokens c, prediction p tokens, gold g tokens:
# P = c/p, R = c/g, F1 = 2PR/(P+R).  2 of 3 vs 2: P 2/3 R 1 -> 0.8;  1 of 2 vs 1: P 1/2 R 1 -> 2/3;
# 1 of 3 vs 1: P 1/3 R 1 -> 0.5;  1 of 2 vs 2: P = R = 1/2 -> 0.5;  2 of 3 vs 3: P = R = 2/3 -> 2/3.

# (language, prediction, golds, exact match, F1) under SQuAD v1.1: lower, ASCII punctuation out,
# a|an|the out, whitespace tokens -- whatever the language.
SQUAD = [
    ("en", "The Atlantic Ocean", ["Atlantic Ocean"], 1, 1.0),             # "atlantic ocean" both
    ("en", "an apple a day", ["apple day"], 1, 1.0),                      # articles out
    ("en", "the city of Warsaw", ["Warsaw"], 0, 0.5),                     # [city of warsaw] vs [warsaw]
    ("en", "Theater", ["theater"], 1, 1.0),                               # "the" only between word boundaries
    ("en", "ＡＢＣ", ["abc"], 0, 0.0),                                      # no NFKC: "ａｂｃ" != "abc"
    ("en", "\u201cAtlantic\u201d", ["Atlantic"], 0, 0.0),                 # curly quotes are not ASCII punctuation
    ("en", "The", ["a"], 1, 0.0),                                         # both normalise to "": equal, no token
    ("en", "", [""], 1, 0.0),
    ("en", "!!!", ["Paris"], 0, 0.0),
    ("en", "Paris", ["London", "paris."], 1, 1.0),                        # best over golds
    ("es", "el océano Atlántico", ["océano Atlántico"], 0, 0.8),          # Spanish articles stay
    ("es", "¿Atlántico?", ["Atlántico"], 0, 0.0),                         # "?" goes, "¿" stays
    ("de", "den Atlantischen Ozean", ["Atlantischen Ozean"], 0, 0.8),     # German articles stay
    ("de", "Ming-Dynastie", ["Ming Dynastie"], 0, 0.0),                   # "-" removed, no space: "mingdynastie"
    ("de", "STRASSE", ["straße"], 0, 0.0),                                # lower(), not casefold()
    ("zh", "在华沙", ["华沙"], 0, 0.0),                                     # one whitespace token each: no overlap
    ("zh", "华沙。", ["华沙"], 0, 0.0),                                     # "。" is not ASCII punctuation
    ("zh", "巴 西", ["巴西"], 0, 0.0),                                      # [巴, 西] vs [巴西]
    ("zh", "1896年", ["1896年", "1896"], 1, 1.0),
    ("ar", "المحيط الأطلسي", ["الأطلسي"], 0, 2 / 3),                      # no Arabic article rule
    ("ar", "الأطلسي،", ["الأطلسي"], 0, 0.0),                               # Arabic comma stays
    ("el", "στον Ατλαντικό Ωκεανό", ["Ατλαντικό Ωκεανό"], 0, 0.8),
    ("el", "ΩΚΕΑΝΟΣ", ["ωκεανος"], 1, 1.0),                                # lower() gives the final sigma ς
    ("el", "Βαρσοβία\u037e", ["Βαρσοβία"], 0, 0.0),                        # Greek question mark U+037E stays
    ("el", "Βαρσοβία;", ["Βαρσοβία"], 1, 1.0),                              # ASCII ";" goes
    ("hi", "अटलांटिक महासागर।", ["अटलांटिक महासागर"], 0, 0.5),             # danda stays: 1 of 2 vs 2
    ("hi", "वारसॉ", ["वारसॉ"], 1, 1.0),
    ("ro", "la Varșovia", ["Varșovia"], 0, 2 / 3),
    ("ro", "printr-o mișcare", ["printro mișcare"], 1, 1.0),                # hyphen removed without a space
    ("ru", "в Атлантический океан", ["Атлантический океан"], 0, 0.8),
    ("ru", "«Мин»", ["Мин"], 0, 0.0),                                      # guillemets stay
    ("th", "มหาสมุทรแอตแลนติก", ["แอตแลนติก"], 0, 0.0),                    # no spaces in Thai: one token each
    ("th", "ปี 1896", ["1896"], 0, 2 / 3),
    ("tr", "Atlas Okyanusu'na", ["Atlas Okyanusu"], 0, 0.5),               # [atlas okyanusuna] vs [atlas okyanusu]
    ("tr", "İLK", ["ilk"], 0, 0.0),                                        # "İ".lower() is "i" + U+0307
    ("vi", "Đại Tây Dương", ["đại tây dương"], 1, 1.0),
    ("vi", "ở Warszawa", ["Warszawa"], 0, 2 / 3),
]

# (language, prediction, golds, exact match, F1) under MLQA v1: lower, Unicode P + ASCII punctuation
# out, the language's articles out, whitespace tokens (zh: mixed segmentation).
MLQA_CASES = [
    ("en", "The Atlantic Ocean.", ["atlantic ocean"], 1, 1.0),
    ("en", "\u201cAtlantic\u201d", ["Atlantic"], 1, 1.0),                 # curly quotes (Pi/Pf) go
    ("en", "ＡＢＣ", ["abc"], 0, 0.0),                                      # no NFKC
    ("en", "5 $", ["5"], 1, 1.0),                                          # "$" is in string.punctuation
    ("en", "5 €", ["5"], 0, 2 / 3),                                        # "€" (Sc) is not punctuation
    ("en", "the", ["a"], 1, 0.0),                                          # both "": equal, F1 0
    ("en", "", [""], 1, 0.0),
    ("es", "El océano Atlántico", ["océano Atlántico"], 1, 1.0),           # "el" is an article
    ("es", "¿Dónde? ¡Aquí!", ["aquí"], 0, 2 / 3),                          # ¿ ¡ go: [dónde aquí] vs [aquí]
    ("es", "unos", ["unas"], 1, 0.0),
    ("de", "den Atlantischen Ozean", ["Atlantischen Ozean"], 1, 1.0),
    ("de", "Ming-Dynastie", ["Ming Dynastie"], 0, 0.0),                    # "-" removed without a space
    ("de", "\u201eKaiserpinguin\u201c", ["Kaiserpinguin"], 1, 1.0),        # „ “ go
    ("ar", "الأطلسي", ["الأطلسي"], 1, 1.0),
    ("ar", "المحيط الأطلسي", ["الأطلسي"], 0, 2 / 3),                       # [محيط أطلسي] vs [أطلسي]
    ("ar", "المال", ["مال"], 1, 1.0),                                       # every "ال" goes, mid-word too: [م] both
    ("ar", "الكتاب", ["كتاب"], 1, 1.0),
    ("ar", "الأطلسي،", ["الأطلسي"], 1, 1.0),                                # Arabic comma (Po) goes
    ("ar", "وارسو۔", ["وارسو"], 1, 1.0),                                    # U+06D4 full stop (Po) goes
    ("vi", "của Đại Tây Dương", ["Đại Tây Dương"], 1, 1.0),                # "của" is on MLQA's list
    ("vi", "những bông hoa", ["bông hoa"], 1, 1.0),
    ("vi", "Đại Tây Dương", ["Đại Tây"], 0, 0.8),
    ("vi", "cái", ["là"], 1, 0.0),
    ("hi", "अटलांटिक महासागर।", ["अटलांटिक महासागर"], 1, 1.0),             # danda (Po) goes
    ("hi", "एक महासागर", ["महासागर"], 0, 2 / 3),                            # no Hindi articles
    ("zh", "在华沙", ["华沙"], 0, 0.8),                                      # [在 华 沙] vs [华 沙]
    ("zh", "巴 西", ["巴西"], 1, 1.0),                                       # both "巴 西"
    ("zh", "「巴西」", ["巴西"], 1, 1.0),                                    # 「」 go
    ("zh", "Brazil巴西", ["巴西"], 0, 0.8),                                  # [brazil 巴 西] vs [巴 西]
    ("zh", "1896年", ["1896"], 0, 2 / 3),                                   # [1896 年] vs [1896]
    ("zh", "ＡＢＣ公司", ["abc公司"], 0, 2 / 3),                              # [ａｂｃ 公 司] vs [abc 公 司]
    ("zh", "The Great Wall", ["great wall"], 0, 0.8),                       # no English articles in zh
]


@pytest.mark.parametrize(("language", "prediction", "golds", "em", "f1"), SQUAD)
def test_squad_v11_by_hand(language, prediction, golds, em, f1):
    assert official_qa.squad_exact_match(prediction, golds, language) == em
    assert official_qa.squad_f1(prediction, golds, language) == pytest.approx(f1, abs=1e-12)
    assert official_qa.official_scores("squad_v1.1", prediction, golds, language) == {
        "exact_match": em, "f1": pytest.approx(f1, abs=1e-12)}


@pytest.mark.parametrize(("language", "prediction", "golds", "em", "f1"), MLQA_CASES)
def test_mlqa_v1_by_hand(language, prediction, golds, em, f1):
    assert official_qa.mlqa_exact_match(prediction, golds, language) == em
    assert official_qa.mlqa_f1(prediction, golds, language) == pytest.approx(f1, abs=1e-12)
    assert official_qa.official_scores("mlqa_v1", prediction, golds, language) == {
        "exact_match": em, "f1": pytest.approx(f1, abs=1e-12)}


def test_every_language_has_hand_written_cases():
    assert {c[0] for c in SQUAD} == set(XQUAD)
    assert {c[0] for c in MLQA_CASES} == set(MLQA) == set(official_qa.MLQA_LANGUAGES)


def test_normalisations_by_hand():
    assert official_qa.squad_normalize("The  Cat, an  owl!") == "cat owl"
    assert official_qa.mlqa_normalize("Hello, 世界！ The cat", "zh") == "hello 世 界 the cat"
    assert official_qa.mlqa_normalize("المال والكتاب", "ar") == "م و كتاب"     # و + ال + كتاب
    assert official_qa.mlqa_normalize("Los Ángeles", "es") == "ángeles"
    # mixed segmentation splits U+4E00-U+9FA5 only: U+9FA6 and U+9FA7 stay one run
    assert official_qa.mixed_segmentation("中文\u9fa6\u9fa7 ab") == ["中", "文", "\u9fa6\u9fa7", "ab"]
    assert official_qa.mixed_segmentation("a,b") == ["a", ",", "b"]             # punctuation is a token too
    # eight Unicode P characters, two ASCII symbols of string.punctuation, a currency sign (Sc), a letter
    assert [official_qa.mlqa_punctuation(c) for c in "¿«»「」،۔।$+€a"] == [True] * 10 + [False, False]


def test_mlqa_refuses_languages_outside_its_seven_and_the_registry_its_unknown_names():
    with pytest.raises(ValueError, match="MLQA's scorer knows the languages ar, de, en, es, hi, vi, zh, not 'el'"):
        official_qa.mlqa_f1("x", ["x"], "el")
    with pytest.raises(ValueError, match="needs the answer's language"):
        official_qa.mlqa_exact_match("x", ["x"], None)
    with pytest.raises(ValueError, match=r"unknown QA scorer 'squad2'; known: mlqa_v1, squad_v1\.1"):
        official_qa.official_scores("squad2", "x", ["x"], "en")
    assert official_qa.squad_f1("x", []) == 0.0 and official_qa.mlqa_exact_match("x", [], "en") == 0.0


# --- the tasks' scoring: official under the plain names, lenient under *_lenient -------------------

def _utils(folder):
    spec = importlib.util.spec_from_file_location(f"{folder}_utils_official", TASKS / folder / "utils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lenient_metrics_differ_from_the_official_ones_where_they_should():
    xquad, mlqa = _utils("xquad_gen"), _utils("mlqa_gen")
    # Chinese in XQuAD: SQuAD's whitespace tokens give no overlap; lenient: [在 华 沙] vs [华 沙] = 0.8
    zh = xquad.process_results({"answers": ["华沙"], "language": "zh"}, ["在华沙"])
    assert (zh["exact_match"], zh["f1"], zh["exact_match_lenient"], zh["f1_lenient"], zh["contains"]) == (
        0.0, 0.0, 0.0, pytest.approx(0.8), 1.0)
    # ... while MLQA's mixed segmentation agrees with the lenient F1 there
    assert mlqa.process_results({"answers": ["华沙"], "language": "zh"}, ["在华沙"])["f1"] == pytest.approx(0.8)
    # NFKC: full-width letters equal ASCII ones only for the lenient metrics
    for utils in (xquad, mlqa):
        wide = utils.process_results({"answers": ["abc"], "language": "en"}, ["ＡＢＣ"])
        assert (wide["exact_match"], wide["f1"], wide["exact_match_lenient"], wide["f1_lenient"]) == (0, 0, 1, 1)
    # symbols: "€" stays for MLQA (1 of 2 tokens vs 1: F1 2/3), goes for the lenient normalisation
    euro = mlqa.process_results({"answers": ["5"], "language": "en"}, ["5 €"])
    assert (euro["exact_match"], euro["f1"], euro["exact_match_lenient"]) == (0.0, pytest.approx(2 / 3), 1.0)
    # answers that normalise to nothing: official F1 0, lenient F1 1 (both empty is a match there)
    empty = mlqa.process_results({"answers": ["?"], "language": "en"}, ["!!!"])
    assert (empty["exact_match"], empty["f1"], empty["f1_lenient"]) == (1.0, 0.0, 1.0)
    # Spanish articles: only MLQA (and the lenient metrics) drop them; SQuAD keeps "el": 2 of 3 vs 2 = 0.8
    doc = {"answers": ["océano Atlántico"], "language": "es"}
    assert xquad.process_results(doc, ["El océano Atlántico"])["f1"] == pytest.approx(0.8)
    assert mlqa.process_results(doc, ["El océano Atlántico"])["f1"] == 1.0
    assert xquad.process_results(doc, ["El océano Atlántico"])["f1_lenient"] == 1.0
    assert set(zh) == {"exact_match", "f1", "exact_match_lenient", "f1_lenient", "contains", "xllm_match", "language_fidelity"}
    assert math.isnan(euro["language_fidelity"])                       # no letters: no language to tell


# --- generated YAMLs and shipped samples --------------------------------------------------------

def _generator(folder):
    spec = importlib.util.spec_from_file_location(f"{folder}_generate", TASKS / folder / "_generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("folder", ["xquad_gen", "mlqa_gen"])
def test_committed_yamls_are_the_generators_output(folder):
    generator = _generator(folder)
    files = generator.render()
    assert stale(TASKS / folder, files, generator.GENERATED) == []
    for name, text in files.items():
        assert (TASKS / folder / name).read_text(encoding="utf-8") == text, name


def _yaml(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=TaskYamlLoader)


def test_every_language_and_pair_has_its_task_with_the_instruction_in_its_language():
    for lang in XQUAD:
        doc = _yaml(TASKS / "xquad_gen" / f"xquad_gen_{lang}.yaml")
        assert (doc["task"], doc["dataset_kwargs"], doc["doc_to_text"]) == (
            f"xquad_gen_{lang}", {"language": lang}, prompt_template(lang))
    for lang in MLQA:
        doc = _yaml(TASKS / "mlqa_gen" / f"mlqa_gen_{lang}.yaml")
        assert (doc["task"], doc["doc_to_text"]) == (f"mlqa_gen_{lang}", prompt_template(lang))
    pairs = list(permutations(MLQA, 2))
    assert len(pairs) == 42
    for c, q in pairs:
        doc = _yaml(TASKS / "mlqa_gen" / f"mlqa_gen_{c}_{q}.yaml")
        assert doc["dataset_kwargs"] == {"context_language": c, "question_language": q}
        assert doc["doc_to_text"] == prompt_template(q)                       # the question's language
        assert doc["metadata"]["family"] == f"mlqa_gen_question_{q}" and doc["metadata"]["primary_metric"] == "f1"
    assert _yaml(TASKS / "xquad_gen" / "_xquad_gen.yaml")["task"] == [f"xquad_gen_{lang}" for lang in XQUAD]
    assert _yaml(TASKS / "mlqa_gen" / "_mlqa_gen.yaml")["task"] == [f"mlqa_gen_{lang}" for lang in MLQA]
    assert _yaml(TASKS / "mlqa_gen" / "_mlqa_gen_xlt.yaml")["task"] == [f"mlqa_gen_{c}_{q}" for c, q in pairs]
    # the prompts keep the four languages' instructions the tasks had before
    assert prompt_template("de") == ("Beantworte die Frage anhand des Kontexts. Antworte kurz mit einer Angabe aus "
                                     "dem Kontext.\n\nKontext: {{context}}\n\nFrage: {{question}}")
    assert prompt_template("zh") == ("根据上下文回答问题。请用上下文中的简短答案回答。"
                                     "\n\n上下文：{{context}}\n\n问题：{{question}}")
    assert set(PROMPTS) == set(XQUAD) | set(MLQA)


def _sample(folder, lang):
    path = TASKS / folder / "data" / f"{folder}.{lang}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize(("folder", "languages"), [("xquad_gen", XQUAD), ("mlqa_gen", MLQA)])
def test_shipped_samples_are_parallel_and_their_golds_are_spans_of_the_context(folder, languages):
    ids = None
    for lang in languages:
        rows = _sample(folder, lang)
        assert len(rows) == 5 and {r["language"] for r in rows} == {lang}
        ids = ids or [r["id"] for r in rows]
        assert [r["id"] for r in rows] == ids, lang                           # same items, same order
        for r in rows:
            assert 1 <= len(r["answers"]) <= 2 and all(a and a in r["context"] for a in r["answers"]), r
            assert r["question"].strip() and r["context"].strip()


def test_a_cross_language_split_joins_the_two_samples_on_id(tmp_path):
    mlqa = _utils("mlqa_gen")
    rows = list(mlqa.load_pair("ar", "de")["test"])
    ar, de = _sample("mlqa_gen", "ar"), _sample("mlqa_gen", "de")
    assert [r["id"] for r in rows] == [r["id"] for r in ar]
    assert [(r["context"], r["answers"], r["language"]) for r in rows] == [(a["context"], a["answers"], "ar") for a in ar]
    assert [(r["question"], r["question_language"]) for r in rows] == [(d["question"], "de") for d in de]

    from babelbench.evaluate import extractive_qa

    (tmp_path / "c.jsonl").write_text('{"id": "a", "context": "x", "answers": ["x"]}\n', encoding="utf-8")
    (tmp_path / "q.jsonl").write_text('{"id": "b", "question": "y"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"c.jsonl: row 1: id 'a' has no question in .*q.jsonl"):
        extractive_qa.load_pair(tmp_path / "c.jsonl", tmp_path / "q.jsonl", lambda: [], "ar", "de", "shipped")
    (tmp_path / "q.jsonl").write_text('\n{"id": "b",\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.jsonl: row 2: not JSON"):
        extractive_qa.load_pair(tmp_path / "c.jsonl", tmp_path / "q.jsonl", lambda: [], "ar", "de", "shipped")
    with pytest.raises(ValueError, match="data_source must be 'shipped', 'hub' or 'local', not 'web'"):
        mlqa.load_pair("ar", "de", data_source="web")


def test_hub_rows_keep_the_contexts_language_and_name_the_questions():
    from babelbench.evaluate import extractive_qa

    hub = [{"id": "h1", "context": "Berlin ist groß.", "question": "Wo?", "answers": {"text": ["Berlin"], "answer_start": [0]}}]
    [row] = list(extractive_qa.load_pair(Path("-"), Path("-"), lambda: hub, "de", "en", "hub")["test"])
    assert row == {"id": "h1", "language": "de", "question_language": "en", "context": "Berlin ist groß.",
                   "question": "Wo?", "answers": ["Berlin"]}
