"""A results store with known values, written through the store's own writes (no run): three variants
of one recipe evaluated on one task family in four languages (en, zh, ar, hi), the language-id judge's
match rate, a pairwise judge against the base, transfer gaps, and one variant's checkpoint-selection curve.

Every value below is what the tables and figures must show."""

from __future__ import annotations

from pathlib import Path

from babelbench.core.metric_name import JudgeMetric
from babelbench.core.records import CheckpointScore, EvalRows, MetricRecord, SelectRows
from babelbench.store import Store, writes

LANGUAGES = ["en", "zh", "ar", "hi"]
BASE, EN_ONLY, MIXED = "demo@base", "demo@en_only", "demo@mix 50%"
VARIANTS = [BASE, EN_ONLY, MIXED]
#: variant -> language -> (f1, ci_low, ci_high); n = 30 documents each
F1 = {
    BASE:    {"en": (0.60, 0.50, 0.70), "zh": (0.40, 0.30, 0.50), "ar": (0.30, 0.20, 0.40), "hi": (0.20, 0.10, 0.30)},
    EN_ONLY: {"en": (0.80, 0.70, 0.90), "zh": (0.35, 0.25, 0.45), "ar": (0.25, 0.15, 0.35), "hi": (0.20, 0.12, 0.28)},
    MIXED:   {"en": (0.70, 0.60, 0.80), "zh": (0.50, 0.40, 0.60), "ar": (0.45, 0.35, 0.55), "hi": (0.30, 0.20, 0.40)},
}
#: variant -> (macro f1, ci_low, ci_high), n = 120
MACRO = {BASE: (0.375, 0.325, 0.425), EN_ONLY: (0.40, 0.36, 0.44), MIXED: (0.4875, 0.4375, 0.5375)}
#: variant -> language-id match rate (value, low, high), n = 120 answers
MATCH = {BASE: (0.90, 0.85, 0.95), EN_ONLY: (0.70, 0.62, 0.78), MIXED: (0.90, 0.86, 0.94)}
#: variant against the base -> (win, tie, loss, win_rate, low, high), n = 120 pairs
PAIRWISE = {EN_ONLY: (0.30, 0.20, 0.50, 0.40, 0.32, 0.48), MIXED: (0.55, 0.25, 0.20, 0.675, 0.60, 0.75)}
#: the en-only variant's checkpoint selection: step -> language -> value; step 20 chosen
CURVE = {10: {"en": 0.50, "zh": 0.20}, 20: {"en": 0.70, "zh": 0.30}, 30: {"en": 0.75, "zh": 0.22}}


def _metrics(variant: str) -> list[MetricRecord]:
    rows = []
    for lang, (f1, low, high) in F1[variant].items():
        rows.append(MetricRecord(task=f"xquad_gen_{lang}", metric="f1", filter="none", value=f1, language=lang,
                                 task_version="1", n=30, ci_low=low, ci_high=high, scored=True, is_primary=True,
                                 family="xquad_gen"))
        rows.append(MetricRecord(task=f"all tasks · {lang}", metric="primary_score", filter="none", value=f1,
                                 language=lang, n=1, is_group=True, scored=True))
        if lang != "en":
            rows.append(MetricRecord(task=f"xquad_gen_{lang}", metric="transfer_gap:f1", filter="none",
                                     value=round(f1 - F1[variant]["en"][0], 4), language=lang, scored=True))
    value, low, high = MACRO[variant]
    rows.append(MetricRecord(task="xquad_gen (macro)", metric="f1", filter="none", value=value, n=120,
                             is_group=True, ci_low=low, ci_high=high, scored=True, family="xquad_gen"))
    return rows


def _judged(variant: str) -> list[dict]:
    value, low, high = MATCH[variant]
    rows = [{"task": "all", "language": None, "metric": JudgeMetric("language-id", "match"), "filter": "none",
             "value": value, "n": 120, "ci_low": low, "ci_high": high, "baseline": None, "headline": True}]
    if variant in PAIRWISE:
        win, tie, loss, rate, low, high = PAIRWISE[variant]
        for facet, v in (("win", win), ("tie", tie), ("loss", loss), ("win_rate", rate)):
            rows.append({"task": "all", "language": None, "metric": JudgeMetric("pairwise", facet), "filter": "none",
                         "value": v, "n": 120, "ci_low": low if facet == "win_rate" else None,
                         "ci_high": high if facet == "win_rate" else None, "baseline": BASE, "headline": False})
        for lang in LANGUAGES:   # per language: the overall rate shifted by the variant's f1 gain there
            gain = F1[variant][lang][0] - F1[BASE][lang][0]
            rows.append({"task": f"xquad_gen_{lang}", "language": lang, "metric": JudgeMetric("pairwise", "win_rate"),
                         "filter": "none", "value": round(0.5 + gain, 4), "n": 30,
                         "ci_low": round(0.4 + gain, 4), "ci_high": round(0.6 + gain, 4), "baseline": BASE,
                         "headline": False})
    return rows


def build_known_store(folder: Path) -> Path:
    path = folder / "known.duckdb"
    store = Store(path)
    with store.write() as con:
        writes.register_recipe(con, "r1", "recipes/demo.yaml", "name: demo")
        for i, variant in enumerate(VARIANTS):
            vid, key = f"v{i}", f"eval{i}"
            writes.register_variant(con, {
                "variant_id": vid, "name": variant, "recipe_hash": "r1", "recipe_file": "recipes/demo.yaml",
                "base_model": "builtin:tiny", "method": "none" if variant == BASE else "lora", "pivot_mode": "none",
                "pivot_language": "en", "data_mix": None, "data_size": None, "config": {"train": {"lr": 1e-4 * (i + 1)}},
                "choices": {"variant": variant.split("@")[1]}})
            writes.link_stage(con, vid, "eval", key)
            writes.start_run(con, f"run{i}", "eval", key, vid, {}, None)
            writes.finish_run(con, f"run{i}", "done", 1.0)
            writes.write_eval(con, key, EvalRows(_metrics(variant), []))
            writes.write_judge_metrics(con, vid, _judged(variant))
        writes.link_stage(con, "v1", "select", "sel1")
        writes.write_selection(con, "sel1", SelectRows(
            metric="f1", aggregate="mean", selected_step=20,
            scores=[CheckpointScore(step, lang, v, 30, f"ck{step}") for step, by in CURVE.items() for lang, v in by.items()],
            totals={step: sum(by.values()) / len(by) for step, by in CURVE.items()}))
    return path
