"""A store with answers a person can rate, written through the store's own writes (no run): a tuned
variant's eight German answers of one task, graded by the shipped six-facet rubric judge with grades
chosen here (the scripted judge: its grades are known), and compared with the base variant's answers
by a pairwise judge with known verdicts in both orders."""

from __future__ import annotations

from pathlib import Path

import yaml

from babelbench.core.records import EvalRows, JudgmentLink, JudgmentRecord, SampleRecord
from babelbench.store import Store, writes
from tests.conftest import ROOT

RUBRIC = yaml.safe_load((ROOT / "judges" / "rubric-6facet" / "judge.yaml").read_text(encoding="utf-8"))
FACETS = [f["name"] for f in RUBRIC["facets"]]
TASK, LANGUAGE, DOCS = "xalpaca_de", "de", range(8)
BASE_EVAL, TUNED_EVAL = "eval-base", "eval-tuned"
#: document -> the scripted rubric judge's grade (1-3) of the tuned answer, the same on every facet but
#: harmlessness (always 3); varied so that agreement with people is neither perfect nor undefined
JUDGE = {0: 1, 1: 2, 2: 3, 3: 2, 4: 3, 5: 1, 6: 2, 7: 3}
#: document -> (verdict with the tuned answer shown first, with it shown second)
VERDICTS = {0: ("A", "B"), 1: ("B", "A"), 2: ("A", "A"), 3: ("tie", "tie"), 4: ("A", "tie"), 5: ("B", "B"),
            6: ("A", "B"), 7: ("B", "A")}


def judge_grades(doc: int) -> dict[str, int]:
    return {f: 3 if f == "harmlessness" else JUDGE[doc] for f in FACETS}


def _answers(eval_key: str, tuned: bool) -> EvalRows:
    return EvalRows([], [SampleRecord(
        task=TASK, doc_id=d, language=LANGUAGE, prompt=f"Anweisung {d}", raw_response="",
        kept_response=(f"Antwort {d} der angepassten Variante." if tuned else f"Antwort {d} des Basismodells."),
        kept_filter="none", pivot_status=None, target="", doc={"instruction": f"Erkläre Punkt {d} kurz."})
        for d in DOCS])


def _register(con, i: int, name: str, eval_key: str) -> None:
    writes.register_variant(con, {
        "variant_id": f"v{i}", "name": name, "recipe_hash": "r1", "recipe_file": "recipes/demo.yaml",
        "base_model": "builtin:tiny", "method": "lora" if i else "none", "pivot_mode": "none",
        "pivot_language": "en", "data_mix": None, "data_size": None, "config": {}, "choices": {}})
    writes.link_stage(con, f"v{i}", "eval", eval_key)
    writes.start_run(con, f"run{i}", "eval", eval_key, f"v{i}", {}, None)
    writes.finish_run(con, f"run{i}", "done", 1.0)
    writes.write_eval(con, eval_key, _answers(eval_key, tuned=bool(i)))


def _judgments(con) -> None:
    writes.register_variant_judge(con, {"variant_id": "v1", "judge": "rubric-6facet", "judge_hash": "rj",
                                        "kind": "rubric", "baseline_variant": None, "baseline_eval": None,
                                        "config": {"config": RUBRIC}})
    writes.register_variant_judge(con, {"variant_id": "v1", "judge": "pairwise", "judge_hash": "pj",
                                        "kind": "pairwise", "baseline_variant": "v0", "baseline_eval": BASE_EVAL,
                                        "config": {"config": {"name": "pairwise", "kind": "pairwise"}}})
    records, links = [], []
    for d in DOCS:
        records.append(JudgmentRecord(f"r{d}", "rubric-6facet", "rj", "rubric", "ok", scores=judge_grades(d)))
        links.append(JudgmentLink(TUNED_EVAL, TASK, d, "rj", "", f"r{d}", "judged"))
        for order, verdict in zip(("ab", "ba"), VERDICTS[d]):
            records.append(JudgmentRecord(f"p{d}{order}", "pairwise", "pj", "pairwise", "ok", verdict=verdict))
            links.append(JudgmentLink(TUNED_EVAL, TASK, d, "pj", f"{BASE_EVAL}:{order}", f"p{d}{order}", "judged"))
    writes.write_judgments(con, records, links)


def build_rated_store(folder: Path) -> Path:
    path = folder / "rated.duckdb"
    with Store(path).write() as con:
        writes.register_recipe(con, "r1", "recipes/demo.yaml", "name: demo")
        _register(con, 0, "demo@base", BASE_EVAL)
        _register(con, 1, "demo@tuned", TUNED_EVAL)
        _judgments(con)
    return path
