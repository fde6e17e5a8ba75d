"""A real store with two variants judged pairwise by two scripted judges, written through the store's
writes: a gemma judge that always prefers the gemma variant's answer (self-preference) and a llama judge
that always picks the answer shown first (position bias). The variant's answer is longer on even
documents; the baseline's answer to Chinese document 0 is in the wrong language. Each answer has a
per-document ``f1`` and ``language_fidelity``, so the leaderboard's gated scores and the Compare page's
power figures have data too. A rubric judge grades the baseline's answers: fluency 2, 0 for the one in the
wrong language."""

from __future__ import annotations

from pathlib import Path

from babelbench.core.records import EvalRows, JudgmentLink, JudgmentRecord, MetricRecord, SampleRecord
from babelbench.store import Store, writes

LANGUAGES = ("en", "zh")
DOCS = 24
VARIANT, BASELINE = "demo@multi", "demo@en"


def variant_answers() -> dict[tuple[str, int], tuple[str, float, float]]:
    """(language, doc) -> (answer, f1, language_fidelity)."""
    return {(lang, d): ("x" * (50 + (30 if d % 2 == 0 else -30)), (d % 5) / 4, 1.0)
            for lang in LANGUAGES for d in range(DOCS)}


def baseline_answers() -> dict[tuple[str, int], tuple[str, float, float]]:
    return {(lang, d): ("y" * 50, ((d + 1) % 3) / 2, 0.0 if (d == 0 and lang == "zh") else 1.0)
            for lang in LANGUAGES for d in range(DOCS)}


def add_variant(con, variant_id: str, name: str, base_model: str, eval_key: str, answers: dict) -> None:
    writes.register_variant(con, {"variant_id": variant_id, "name": name, "recipe_hash": "h", "recipe_file": "r.yaml",
                                  "base_model": base_model, "method": "none", "pivot_mode": "none",
                                  "pivot_language": "en", "data_mix": None, "data_size": None, "config": {},
                                  "choices": {}})
    writes.link_stage(con, variant_id, "eval", eval_key)
    writes.start_run(con, f"run-{variant_id}", "eval", eval_key, variant_id, {}, None)
    writes.finish_run(con, f"run-{variant_id}", "done", 1.0)
    samples = [SampleRecord(task=f"xquad_gen_{lang}", doc_id=doc, language=lang, prompt="p", raw_response=text,
                            kept_response=text, kept_filter="none", pivot_status=None, target=None, doc={},
                            doc_hash=f"h{doc}", prompt_hash="p", target_hash=None,
                            sample_metrics={"f1": f1, "language_fidelity": fidelity})
               for (lang, doc), (text, f1, fidelity) in answers.items()]
    metrics = []
    for lang in LANGUAGES:
        values = [f1 for (language, _), (_, f1, _) in answers.items() if language == lang]
        metrics.append(MetricRecord(task=f"xquad_gen_{lang}", task_version="1", language=lang, metric="f1",
                                    filter="none", value=sum(values) / len(values), n=len(values), scored=True,
                                    is_primary=True, family="xquad_gen"))
    metrics.append(MetricRecord(task="xquad_gen (macro)", language=None, metric="f1", filter="none",
                                value=sum(m.value for m in metrics) / len(metrics), n=len(samples), is_group=True,
                                scored=True))
    writes.write_eval(con, eval_key, EvalRows(metrics, samples))


def add_judge(con, judge: str, model: str, choose) -> None:
    """Register ``judge`` on the variant against the baseline and store its verdicts: ``choose(doc, order)``."""
    judge_hash = f"hash-{judge}"
    writes.register_variant_judge(con, {"variant_id": "v", "judge": judge, "judge_hash": judge_hash,
                                        "kind": "pairwise", "baseline_variant": "b", "baseline_eval": "eb",
                                        "config": {"config": {}}})
    records, links = [], []
    for lang in LANGUAGES:
        for doc in range(DOCS):
            for order in ("ab", "ba"):
                key = f"{judge}-{lang}-{doc}-{order}"
                records.append(JudgmentRecord(key, judge, judge_hash, "pairwise", "ok", verdict=choose(doc, order),
                                              model=model))
                links.append(JudgmentLink("ev", f"xquad_gen_{lang}", doc, judge_hash, f"eb:{order}", key, "judged"))
    writes.write_judgments(con, records, links)


def build_bias_store(path: Path) -> Store:
    store = Store(path)
    with store.write() as con:
        add_variant(con, "v", VARIANT, "builtin:gemma-3-270m", "ev", variant_answers())
        add_variant(con, "b", BASELINE, "Qwen/Qwen2.5-0.5B", "eb", baseline_answers())
        add_judge(con, "gemma-judge", "google/gemma-3-27b-it", lambda doc, order: "A" if order == "ab" else "B")
        add_judge(con, "llama-judge", "meta-llama/Llama-3.1-8B", lambda doc, order: "A")
        add_rubric_judge(con, "rubric-judge", "b", "eb",
                         lambda lang, doc: {"fluency": 0 if (lang, doc) == ("zh", 0) else 2, "accuracy": 1})
    return store


def add_rubric_judge(con, judge: str, variant_id: str, eval_key: str, grade) -> None:
    """Register a rubric ``judge`` on ``variant_id`` and store ``grade(language, doc)`` (facet -> grade)."""
    judge_hash = f"hash-{judge}"
    writes.register_variant_judge(con, {"variant_id": variant_id, "judge": judge, "judge_hash": judge_hash,
                                        "kind": "rubric", "baseline_variant": None, "baseline_eval": None,
                                        "config": {"config": {}}})
    records, links = [], []
    for lang in LANGUAGES:
        for doc in range(DOCS):
            key = f"{judge}-{variant_id}-{lang}-{doc}"
            records.append(JudgmentRecord(key, judge, judge_hash, "rubric", "ok", scores=grade(lang, doc), model="m"))
            links.append(JudgmentLink(eval_key, f"xquad_gen_{lang}", doc, judge_hash, "", key, "judged"))
    writes.write_judgments(con, records, links)
