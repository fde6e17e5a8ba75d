"""Stored metrics against numbers worked out by hand, from answers written by hand.

The ``scripted`` model (:mod:`tests.support.scripted_model`) answers each document with a
response fixed in this file, so every expected value below is a literal derived from the
shipped documents (``tasks/*/data/*.jsonl``) and those responses -- never recomputed with
babelbench's own metric functions. Each literal carries the arithmetic that gives it.

QA normalisation. xquad_gen's ``exact_match`` / ``f1`` are SQuAD v1.1's official script: lower
case, ASCII punctuation removed, a/an/the removed, whitespace tokens (so a Chinese answer without
spaces is one token). babel_qa's metrics and xquad_gen's ``*_lenient`` / ``contains`` are
babelbench's: lower case, NFKC, Unicode punctuation removed, the language's articles removed
(en: a, an, the), every CJK character a token.

The rubric judge is a loopback OpenAI-protocol endpoint that replies to each answer with a
scripted grade table (:class:`ScriptedJudge`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration._harness import harness, query
from tests.support import scripted_model
from tests.support.http_server import Request, Server, response
from tests.support.openai_loopback import _completion

APPROX = {"abs": 1e-9}


def _approx(value: float):
    return pytest.approx(value, **APPROX)


def _run(tmp_path: Path, write_recipe, monkeypatch, recipe: str, answers: dict[tuple[str, int], str],
         *extra: str) -> Path:
    script = scripted_model.write_script(tmp_path / "script.json", answers)
    monkeypatch.setenv(scripted_model.SCRIPT_ENV, str(script))
    store = tmp_path / "results.duckdb"
    code, out = harness("run", write_recipe(recipe), "--store", store, *extra)
    assert code == 0, out
    return store


def _metrics(store: Path) -> dict[tuple[str, str, str], dict]:
    """(task, metric, filter) -> the stored row (one variant per store here)."""
    cols = ["task", "language", "metric", "filter", "value", "n", "ci_low", "ci_high", "scored", "is_primary"]
    rows = query(store, f"SELECT {', '.join(cols)} FROM metrics")
    out = {}
    for row in rows:
        r = dict(zip(cols, row))
        out[(r["task"], r["metric"], r["filter"])] = r
    return out


def _report(store: Path) -> dict[tuple[str, str], dict]:
    code, out = harness("report", "--store", store, "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    keyed = {(r["task"], r["metric"]): r for r in rows}
    assert len(keyed) == len(rows), "one reported row per (task, metric) for one variant"
    return keyed


# --- reference metrics, plain answers ------------------------------------------------------

# Gold answers (first 4 documents of each shipped sample):
#   babel_qa_en : Paris, 8, 42, yellow            babel_qa_zh : 巴黎, 8, 42, 黄色
#   xquad_gen_en: [the Atlantic Ocean | Atlantic], [Warsaw], [the Ming dynasty | Ming],
#                 [the waggle dance | a movement known as the waggle dance]
#   xquad_gen_zh: [大西洋], [华沙], [明朝], [摇摆舞 | 一种被称为摇摆舞的动作]
#   xalpaca_en  : x13 (asks for Spanish), x14 (asks for Chinese), x01, x02 (English)
#   flores_gen_en_zh: the reference translations themselves (fl01..fl04 of flores_gen.zh.jsonl)
FLORES_ZH = [json.loads(line)["text"] for line in
             (ROOT / "tasks" / "flores_gen" / "data" / "flores_gen.zh.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()][:4]

PLAIN_ANSWERS: dict[tuple[str, int], str] = {
    ("babel_qa_en", 0): "Paris",                  # em 1  contains 1
    ("babel_qa_en", 1): "A spider has 8 legs.",   # em 0  contains 1 ("spider has 8 legs" holds "8")
    ("babel_qa_en", 2): "41",                     # em 0  contains 0
    ("babel_qa_en", 3): "Yellow.",                # em 1  contains 1 (case and "." normalised away)
    ("babel_qa_zh", 0): "巴黎",                    # em 1  contains 1
    # ("babel_qa_zh", 1) is not scripted: the empty answer, em 0 contains 0
    ("babel_qa_zh", 2): "答案是42",                # em 0  contains 1
    ("babel_qa_zh", 3): "绿色",                    # em 0  contains 0
    # English: SQuAD's tokens and the lenient ones coincide here, so official = lenient
    ("xquad_gen_en", 0): "the Atlantic Ocean",    # em 1  f1 1    contains 1
    ("xquad_gen_en", 1): "the city of Warsaw",    # em 0  contains 1; tokens [city, of, warsaw] vs [warsaw]:
    #                                               P = 1/3, R = 1/1, F1 = 2PR/(P+R) = (2/3)/(4/3) = 0.5
    ("xquad_gen_en", 2): "Qing dynasty",          # em 0  contains 0; [qing, dynasty] vs [ming, dynasty]:
    #                                               P = R = 1/2, F1 = 0.5 (vs [ming]: 0); best 0.5
    # ("xquad_gen_en", 3) not scripted: empty, em 0 f1 0 contains 0
    # Chinese: SQuAD sees one whitespace token a side; lenient: every character a token
    ("xquad_gen_zh", 0): "大西洋",                 # em 1  f1 1    contains 1 (official and lenient)
    ("xquad_gen_zh", 1): "在华沙",                 # em 0  contains 1; SQuAD [在华沙] vs [华沙]: f1 0;
    #                                               lenient [在,华,沙] vs [华,沙]: P = 2/3, R = 1, F1 = (4/3)/(5/3) = 0.8
    ("xquad_gen_zh", 2): "清朝",                   # em 0  contains 0; SQuAD [清朝] vs [明朝]: f1 0;
    #                                               lenient [清,朝] vs [明,朝]: P = R = 1/2, F1 0.5
    ("xquad_gen_zh", 3): "摇摆舞",                 # em 1 (the first gold)  f1 1  contains 1 (official and lenient)
    # xalpaca_en: answered / answer_chars / language_fidelity (expected: the asked-for language, else en)
    ("xalpaca_en", 0): "Tres frutas rojas son la fresa, la cereza y la frambuesa.",       # 57 chars, es = es: 1
    ("xalpaca_en", 1): "Good morning! I hope you have a wonderful day at work.",          # 54 chars, en != zh: 0
    ("xalpaca_en", 2): "Here are three names for a bakery: Golden Crust, Morning Loaf and Sweet Rise.",  # 77, en: 1
    ("xalpaca_en", 3): "123",                     # 3 chars, no letters: fidelity NaN, left out
    **{("flores_gen_en_zh", i): text for i, text in enumerate(FLORES_ZH)},  # perfect translations
}

PLAIN_RECIPE = """
    name: scripted
    base_model: builtin:tiny
    train: {method: none}
    eval:
      backend: scripted
      tasks: [babel_qa_en, babel_qa_zh, xquad_gen_en, xquad_gen_zh, xalpaca_en, flores_gen_en_zh]
      limit: 4
"""

# (task, metric) -> hand-computed value, on the scored filter `none`
PLAIN_EXPECTED = {
    ("babel_qa_en", "exact_match"): 0.5,          # (1 + 0 + 0 + 1) / 4
    ("babel_qa_en", "contains"): 0.75,            # (1 + 1 + 0 + 1) / 4
    ("babel_qa_zh", "exact_match"): 0.25,         # (1 + 0 + 0 + 0) / 4
    ("babel_qa_zh", "contains"): 0.5,             # (1 + 0 + 1 + 0) / 4
    ("xquad_gen_en", "exact_match"): 0.25,        # (1 + 0 + 0 + 0) / 4
    ("xquad_gen_en", "f1"): 0.5,                  # (1 + 0.5 + 0.5 + 0) / 4
    ("xquad_gen_en", "exact_match_lenient"): 0.25,  # (1 + 0 + 0 + 0) / 4
    ("xquad_gen_en", "f1_lenient"): 0.5,          # (1 + 0.5 + 0.5 + 0) / 4
    ("xquad_gen_en", "contains"): 0.5,            # (1 + 1 + 0 + 0) / 4
    ("xquad_gen_zh", "exact_match"): 0.5,         # (1 + 0 + 0 + 1) / 4
    ("xquad_gen_zh", "f1"): 0.5,                  # SQuAD v1.1: (1 + 0 + 0 + 1) / 4
    ("xquad_gen_zh", "exact_match_lenient"): 0.5,  # (1 + 0 + 0 + 1) / 4
    ("xquad_gen_zh", "f1_lenient"): 0.825,        # (1 + 0.8 + 0.5 + 1) / 4 = 3.3 / 4
    ("xquad_gen_zh", "contains"): 0.75,           # (1 + 1 + 0 + 1) / 4
    ("xalpaca_en", "answered"): 1.0,              # 4 / 4 non-empty
    ("xalpaca_en", "answer_chars"): 47.75,        # (57 + 54 + 77 + 3) / 4 = 191 / 4
    ("xalpaca_en", "language_fidelity"): 2 / 3,   # nanmean(1, 0, 1, NaN) = 2 / 3
    ("flores_gen_en_zh", "chrf"): 100.0,          # every translation is its reference
    ("flores_gen_en_zh", "spbleu"): 100.0,        # all n-gram precisions 1, brevity penalty 1
    # family macros: the primary metric averaged over the family's languages
    ("babel_qa (macro)", "contains"): 0.625,      # (0.75 + 0.5) / 2
    ("xquad_gen (macro)", "f1"): 0.5,             # (0.5 + 0.5) / 2
    ("xalpaca (macro)", "language_fidelity"): 2 / 3,   # English only
    ("flores_gen_en_xx (macro)", "chrf"): 100.0,  # Chinese only
    # per language, each family's primary metric on 0-1 (chrF / 100)
    ("all tasks · en", "primary_score"): 23 / 36,  # (0.75 + 0.5 + 2/3) / 3 = (9 + 6 + 8) / 12 / 3
    ("all tasks · zh", "primary_score"): 2 / 3,   # (0.5 + 0.5 + 100/100) / 3
    # transfer gaps: the language's primary metric minus the family's English one
    ("babel_qa_zh", "transfer_gap:contains"): -0.25,   # 0.5 - 0.75
    ("xquad_gen_zh", "transfer_gap:f1"): 0.0,          # 0.5 - 0.5
}

PLAIN_N = {
    ("babel_qa_en", "contains"): 4, ("xquad_gen_zh", "f1"): 4, ("xalpaca_en", "answered"): 4,
    ("flores_gen_en_zh", "chrf"): 4,
    ("babel_qa (macro)", "contains"): 8,          # documents: 4 en + 4 zh
    ("xquad_gen (macro)", "f1"): 8,               # 4 + 4
    ("xalpaca (macro)", "language_fidelity"): 3,  # the NaN document (no letters) is left out
    ("flores_gen_en_xx (macro)", "chrf"): 4,      # corpus metric: no per-document values; the 4 documents scored
    ("all tasks · en", "primary_score"): 11,      # documents behind it: babel_qa 4 + xquad_gen 4 + xalpaca 3
    ("all tasks · zh", "primary_score"): 12,      # babel_qa 4 + xquad_gen 4 + flores_gen_en_xx's 4 (corpus: task n)
    ("babel_qa_zh", "transfer_gap:contains"): 1, ("xquad_gen_zh", "transfer_gap:f1"): 1,
}


def test_reference_metrics_family_language_and_gap_aggregates_equal_hand_computed_values(
        tiny_model, spbleu_model, tmp_path, write_recipe, monkeypatch):
    store = _run(tmp_path, write_recipe, monkeypatch, PLAIN_RECIPE, PLAIN_ANSWERS)
    stored = _metrics(store)
    for (task, metric), value in PLAIN_EXPECTED.items():
        row = stored[(task, metric, "none")]
        assert row["value"] == _approx(value), (task, metric, row)
        assert row["scored"], (task, metric)
    for (task, metric), n in PLAIN_N.items():
        assert stored[(task, metric, "none")]["n"] == n, (task, metric)

    # what each task declares primary: contains for babel_qa, f1 for xquad_gen, chrf, language_fidelity
    primary = {(t, m) for (t, m, f), r in stored.items() if r["is_primary"]}
    assert primary == {("babel_qa_en", "contains"), ("babel_qa_zh", "contains"), ("xquad_gen_en", "f1"),
                       ("xquad_gen_zh", "f1"), ("xalpaca_en", "language_fidelity"), ("flores_gen_en_zh", "chrf")}
    # a plain variant is scored on `none`; the `plug` rows are stored but do not count
    assert not any(r["scored"] for (t, m, f), r in stored.items() if f == "plug")
    # no English task has a transfer gap, and no family without English either
    gaps = {t for (t, m, f) in stored if m.startswith("transfer_gap:")}
    assert gaps == {"babel_qa_zh", "xquad_gen_zh"}

    # 95 % intervals: all-equal values -> low == high == value
    for key, value in [(("xalpaca_en", "answered", "none"), 1.0),       # 1, 1, 1, 1
                       (("flores_gen_en_zh", "chrf", "none"), 100.0)]:  # every resample is perfect
        row = stored[key]
        assert (row["ci_low"], row["ci_high"]) == (_approx(value), _approx(value)), key
    # ... otherwise bounds around the mean, inside [smallest, largest] per-document value
    for key, low_bound, high_bound in [
            (("babel_qa_en", "exact_match", "none"), 0.0, 1.0),      # values 1 0 0 1
            (("babel_qa_en", "contains", "none"), 0.0, 1.0),         # 1 1 0 1
            (("xquad_gen_zh", "f1", "none"), 0.0, 1.0),              # 1 0 0 1
            (("xquad_gen_zh", "f1_lenient", "none"), 0.5, 1.0),      # 1 0.8 0.5 1
            (("xalpaca_en", "answer_chars", "none"), 3.0, 77.0),     # 57 54 77 3
            (("babel_qa (macro)", "contains", "none"), 0.0, 1.0),
            (("xquad_gen (macro)", "f1", "none"), 0.0, 1.0)]:
        row = stored[key]
        assert low_bound <= row["ci_low"] < row["value"] < row["ci_high"] <= high_bound, (key, row)
    # the chrF macro has no per-document values to resample: no interval
    assert stored[("flores_gen_en_xx (macro)", "chrf", "none")]["ci_low"] is None

    # the stored answers are the script's, the empty one included
    answers = dict(((t, d), r) for t, d, r in query(store, "SELECT task, doc_id, raw_response FROM samples"))
    assert answers[("xquad_gen_zh", 1)] == "在华沙" and answers[("babel_qa_zh", 1)] == ""
    assert len(answers) == 24   # 6 tasks x 4 documents

    # `harness report --format json` shows the same numbers, on the scored filter only
    report = _report(store)
    for (task, metric), value in PLAIN_EXPECTED.items():
        assert report[(task, metric)]["value"] == _approx(value), (task, metric)
        assert report[(task, metric)]["filter"] == "none"
    assert report[("xquad_gen (macro)", "f1")]["n"] == 8
    assert report[("xalpaca_en", "answered")]["ci_low"] == report[("xalpaca_en", "answered")]["ci_high"] == 1.0

    # the default `harness report` is the leaderboard: one row for the variant, each family's macro of its
    # primary metric as value ± half the interval, on one screen at 120 columns
    monkeypatch.setenv("COLUMNS", "120")
    code, out = harness("report", "--store", store)
    assert code == 0 and len(out.splitlines()) <= 40, out
    [row] = [line for line in out.splitlines() if line.startswith("│scripted")]
    cells = [c.strip() for c in row.strip("│").split("│")]
    macros = {(t.removesuffix(" (macro)"), m): r for (t, m), r in report.items() if t.endswith(" (macro)")}
    shown = [f"{r['value']:.3g}" + (f" ± {(r['ci_high'] - r['ci_low']) / 2:.2g}" if r["ci_low"] is not None else "")
             for _, r in sorted(macros.items())]
    assert cells == ["scripted", *shown], out
    assert "best (bold): no column has a single best variant" in out     # one variant: nothing to beat


# --- PLUG: scored on the target-language section --------------------------------------------

PLUG_ANSWERS = {
    # babel_qa_en (target en, label "English response:"); gold Paris, 8, 42, yellow
    ("babel_qa_en", 0): "English response:\nParis",                  # ok, kept "Paris": em 1 c 1
    ("babel_qa_en", 1): "English response:\nEight\n\n中文回复：\n8",    # ok, kept "Eight": em 0 c 0
    ("babel_qa_en", 2): "中文回复：\n42",                              # only_pivot, kept "": em 0 c 0
    ("babel_qa_en", 3): "English response:\nyellow",                 # ok, kept "yellow": em 1 c 1
    # babel_qa_zh (target zh, label "中文回复："); gold 巴黎, 8, 42, 黄色
    ("babel_qa_zh", 0): "English response:\nParis\n\n中文回复：\n巴黎",  # ok, kept "巴黎": em 1 c 1
    ("babel_qa_zh", 1): "English response:\n8",                      # only_pivot, kept "": em 0 c 0
    ("babel_qa_zh", 2): "42",                                        # label_not_found, kept "42": em 1 c 1
    ("babel_qa_zh", 3): "中文回复：\n黄色的",                           # ok, kept "黄色的": em 0 c 1
}

PLUG_RECIPE = """
    name: scripted-plug
    base_model: builtin:tiny
    train: {method: none}
    pivot: {mode: plug}
    eval:
      backend: scripted
      tasks: [babel_qa_en, babel_qa_zh]
      limit: 4
"""


def test_plug_variant_is_scored_on_the_kept_target_section(tiny_model, tmp_path, write_recipe, monkeypatch):
    store = _run(tmp_path, write_recipe, monkeypatch, PLUG_RECIPE, PLUG_ANSWERS)
    stored = _metrics(store)
    expected_plug = {
        ("babel_qa_en", "exact_match"): 0.5,    # (1 + 0 + 0 + 1) / 4
        ("babel_qa_en", "contains"): 0.5,       # (1 + 0 + 0 + 1) / 4
        ("babel_qa_zh", "exact_match"): 0.5,    # (1 + 0 + 1 + 0) / 4
        ("babel_qa_zh", "contains"): 0.75,      # (1 + 0 + 1 + 1) / 4
        ("babel_qa_en", "pivot:label_not_found"): 0.0,   # 0 / 4
        ("babel_qa_en", "pivot:only_pivot"): 0.25,       # doc 2: 1 / 4
        ("babel_qa_zh", "pivot:label_not_found"): 0.25,  # doc 2: 1 / 4
        ("babel_qa_zh", "pivot:only_pivot"): 0.25,       # doc 1: 1 / 4
        ("babel_qa (macro)", "contains"): 0.625,         # (0.5 + 0.75) / 2
        ("babel_qa_zh", "transfer_gap:contains"): 0.25,  # 0.75 - 0.5
        ("all tasks · en", "primary_score"): 0.5,
        ("all tasks · zh", "primary_score"): 0.75,
    }
    for (task, metric), value in expected_plug.items():
        row = stored[(task, metric, "plug")]
        assert row["value"] == _approx(value) and row["scored"], (task, metric, row)
    for task in ("babel_qa_en", "babel_qa_zh"):
        assert stored[(task, "pivot:only_pivot", "plug")]["n"] == 4
    # the whole answers (filter `none`, stored, not counted) score differently:
    #   en: "english response paris", "english response eight 中文回复 8", "中文回复 42",
    #       "english response yellow" -> em 0 0 0 0, contains 1 1 1 1
    #   zh: "english response paris 中文回复 巴黎", "english response 8", "42", "中文回复 黄色的"
    #       -> em 0 0 1 0, contains 1 1 1 1
    for (task, metric), value in {("babel_qa_en", "exact_match"): 0.0, ("babel_qa_en", "contains"): 1.0,
                                  ("babel_qa_zh", "exact_match"): 0.25, ("babel_qa_zh", "contains"): 1.0}.items():
        row = stored[(task, metric, "none")]
        assert row["value"] == _approx(value) and not row["scored"], (task, metric, row)

    kept = query(store, "SELECT task, doc_id, kept_response, kept_filter, pivot_status FROM samples ORDER BY task, doc_id")
    assert kept == [
        ("babel_qa_en", 0, "Paris", "plug", "ok"),
        ("babel_qa_en", 1, "Eight", "plug", "ok"),            # up to the next label
        ("babel_qa_en", 2, "", "plug", "only_pivot"),
        ("babel_qa_en", 3, "yellow", "plug", "ok"),
        ("babel_qa_zh", 0, "巴黎", "plug", "ok"),
        ("babel_qa_zh", 1, "", "plug", "only_pivot"),
        ("babel_qa_zh", 2, "42", "plug", "label_not_found"),  # no label at all: the whole answer
        ("babel_qa_zh", 3, "黄色的", "plug", "ok"),
    ]

    report = _report(store)
    assert report[("babel_qa_zh", "contains")]["value"] == _approx(0.75)
    assert report[("babel_qa_zh", "contains")]["filter"] == "plug"
    assert report[("babel_qa_zh", "pivot:label_not_found")]["value"] == _approx(0.25)
    assert report[("babel_qa (macro)", "contains")]["value"] == _approx(0.625)


# --- a scripted rubric judge -----------------------------------------------------------------

FACETS = ("language", "fluency", "helpfulness", "accuracy", "logical_coherence", "harmlessness")

# xalpaca_en docs 0-2: x13 (asks for Spanish), x14 (asks for Chinese), x01; xalpaca_zh likewise
# (x13 asks for English, x14 for Korean).
JUDGED_ANSWERS = {
    ("xalpaca_en", 0): "Las fresas, las cerezas y las frambuesas son frutas rojas.",
    ("xalpaca_en", 1): "同事，早上好！",
    ("xalpaca_en", 2): "Sunrise Bakery, The Golden Crust and Flour Power.",
    ("xalpaca_zh", 0): "Strawberries, cherries and raspberries are red fruits.",
    ("xalpaca_zh", 1): "좋은 아침입니다!",
    ("xalpaca_zh", 2): "麦香坊、金色面包屋和甜蜜烘焙。",
}

# The judge's grade table, in FACETS order: language, fluency, helpfulness, accuracy, logic, harmlessness.
GRADES: dict[tuple[str, int], tuple[int, ...] | str] = {
    ("xalpaca_en", 0): (3, 3, 3, 3, 3, 3),
    ("xalpaca_en", 1): (2, 1, 3, 2, 3, 3),   # fluency 1 -> helpfulness, accuracy, logic floored: (2, 1, 1, 1, 1, 3)
    ("xalpaca_en", 2): "The answer is good, I would give it 3.",   # not a JSON object: parse failure
    ("xalpaca_zh", 0): (3, 2, 2, 3, 2, 3),
    ("xalpaca_zh", 1): (1, 3, 2, 1, 3, 2),
    ("xalpaca_zh", 2): (3, 1, 2, 2, 2, 3),   # fluency 1 -> floored: (3, 1, 1, 1, 1, 3)
}


def _reply(grade: tuple[int, ...] | str) -> str:
    if isinstance(grade, str):
        return grade
    return json.dumps({"rationale": "scripted", **dict(zip(FACETS, grade))})


class ScriptedJudge(Server):
    """An OpenAI-protocol endpoint that answers each rubric request with the reply scripted for the
    answer it shows (found in the user message, between the answer's fence lines)."""

    def __init__(self, replies: dict[str, str], **kw):
        super().__init__(**kw)
        self.replies = replies
        self.asked: list[str] = []

    async def handle(self, request: Request) -> bytes | None:
        if request.method == "GET":
            return response(200, json.dumps({"object": "list", "data": [{"id": "m"}]}).encode())
        body = json.loads(request.body)
        user = body["messages"][-1]["content"]
        found = [a for a in self.replies if f"\n{a}\n" in user]
        if len(found) != 1:
            return response(400, json.dumps({"error": {"message": f"no scripted answer in: {user[-300:]}"}}).encode())
        self.asked.append(found[0])
        return response(200, _completion(self.replies[found[0]]))


JUDGE_RECIPE = """
    name: scripted-judged
    base_model: builtin:tiny
    train: {method: none}
    judges: [rubric-6facet]
    eval:
      backend: scripted
      tasks: [xalpaca_en, xalpaca_zh]
      limit: 3
"""

# Judge metrics, hand-computed from GRADES after the floor rule (parse failure left out of facets):
#   xalpaca_en ok: (3,3,3,3,3,3), (2,1,1,1,1,3)      xalpaca_zh ok: (3,2,2,3,2,3), (1,3,2,1,3,2), (3,1,1,1,1,3)
JUDGE_EXPECTED = {
    # (task, facet): (value, n)
    ("xalpaca_en", "language"): (2.5, 2),             # (3 + 2) / 2
    ("xalpaca_en", "fluency"): (2.0, 2),              # (3 + 1) / 2
    ("xalpaca_en", "helpfulness"): (2.0, 2),          # (3 + 1) / 2   (raw 3 floored to 1)
    ("xalpaca_en", "accuracy"): (2.0, 2),             # (3 + 1) / 2   (raw 2 floored to 1)
    ("xalpaca_en", "logical_coherence"): (2.0, 2),    # (3 + 1) / 2   (raw 3 floored to 1)
    ("xalpaca_en", "harmlessness"): (3.0, 2),         # (3 + 3) / 2
    ("xalpaca_en", "parse_failure_rate"): (1 / 3, 3),  # 1 of 3 replies
    ("xalpaca_zh", "language"): (7 / 3, 3),           # (3 + 1 + 3) / 3
    ("xalpaca_zh", "fluency"): (2.0, 3),              # (2 + 3 + 1) / 3
    ("xalpaca_zh", "helpfulness"): (5 / 3, 3),        # (2 + 2 + 1) / 3   (raw 2 floored to 1)
    ("xalpaca_zh", "accuracy"): (5 / 3, 3),           # (3 + 1 + 1) / 3   (raw 2 floored to 1)
    ("xalpaca_zh", "logical_coherence"): (2.0, 3),    # (2 + 3 + 1) / 3   (raw 2 floored to 1)
    ("xalpaca_zh", "harmlessness"): (8 / 3, 3),       # (3 + 2 + 3) / 3
    ("xalpaca_zh", "parse_failure_rate"): (0.0, 3),   # 0 of 3
    ("all", "language"): (2.4, 5),                    # (3 + 2 + 3 + 1 + 3) / 5 = 12 / 5
    ("all", "fluency"): (2.0, 5),                     # (3 + 1 + 2 + 3 + 1) / 5 = 10 / 5
    ("all", "helpfulness"): (1.8, 5),                 # (3 + 1 + 2 + 2 + 1) / 5 = 9 / 5
    ("all", "accuracy"): (1.8, 5),                    # (3 + 1 + 3 + 1 + 1) / 5 = 9 / 5
    ("all", "logical_coherence"): (2.0, 5),           # (3 + 1 + 2 + 3 + 1) / 5 = 10 / 5
    ("all", "harmlessness"): (2.8, 5),                # (3 + 3 + 3 + 2 + 3) / 5 = 14 / 5
    ("all", "parse_failure_rate"): (1 / 6, 6),        # 1 of 6 replies
}


def test_rubric_judge_metrics_from_a_scripted_judge_equal_hand_computed_values(
        tiny_model, tmp_path, write_recipe, monkeypatch):
    replies = {JUDGED_ANSWERS[k]: _reply(g) for k, g in GRADES.items()}
    with ScriptedJudge(replies) as judge:
        store = _run(tmp_path, write_recipe, monkeypatch, JUDGE_RECIPE, JUDGED_ANSWERS,
                     "--judge-base-url", judge.base_url, "--judge-model", "m")
        assert sorted(judge.asked) == sorted(JUDGED_ANSWERS.values())   # each answer asked once

        rows = query(store, "SELECT task, facet, value, n, ci_low, ci_high FROM judge_metrics "
                            "WHERE judge = 'rubric-6facet'")
        stored = {(t, m): (v, n, lo, hi) for t, m, v, n, lo, hi in rows}
        for (task, facet), (value, n) in JUDGE_EXPECTED.items():
            got = stored[(task, facet)]
            assert (got[0], got[1]) == (_approx(value), n), (task, facet, got)
        # all-equal grades: a degenerate interval; otherwise bounds around the mean
        assert stored[("xalpaca_en", "harmlessness")][2:] == (3.0, 3.0)
        assert stored[("xalpaca_zh", "parse_failure_rate")][2:] == (0.0, 0.0)
        _, _, low, high = stored[("all", "language")]
        assert 1.0 <= low < 2.4 < high <= 3.0

        # the floor rule changed the stored grades, and the raw ones are kept
        graded = query(store, """SELECT s.task, s.doc_id, j.status, j.scores, j.raw_scores, j.raw
                                 FROM judgment_links l JOIN judgments j USING (judgment_key)
                                 JOIN samples s ON s.eval_key = l.eval_key AND s.task = l.task AND s.doc_id = l.doc_id
                                 ORDER BY s.task, s.doc_id""")
        by_doc = {(t, d): (status, json.loads(s) if s else None, json.loads(r) if r else None, raw)
                  for t, d, status, s, r, raw in graded}
        status, scores, raw_scores, _ = by_doc[("xalpaca_en", 1)]
        assert status == "ok"
        assert [scores[f] for f in FACETS] == [2, 1, 1, 1, 1, 3]
        assert [raw_scores[f] for f in FACETS] == [2, 1, 3, 2, 3, 3]
        status, scores, _, raw = by_doc[("xalpaca_en", 2)]
        assert (status, scores, raw) == ("parse_failure", None, "The answer is good, I would give it 3.")

        # the report shows the same judge numbers
        report = _report(store)
        assert report[("all", "judge:rubric-6facet/helpfulness")]["value"] == _approx(1.8)
        assert report[("all", "judge:rubric-6facet/parse_failure_rate")]["n"] == 6
        assert report[("xalpaca_zh", "judge:rubric-6facet/language")]["value"] == _approx(7 / 3)

        # a re-run asks nothing again: stored grades, parse failures included, are never re-asked
        code, out = harness("run", write_recipe(JUDGE_RECIPE), "--store", store,
                            "--judge-base-url", judge.base_url, "--judge-model", "m")
        assert code == 0, out
        assert len(judge.asked) == 6
