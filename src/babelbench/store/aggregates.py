"""Aggregates of one evaluation: per task family across languages (macro), per language
across families, the transfer gap (each language minus English), and PLUG pivot counts.
Computed when the eval stage stores its metrics and stored beside them, so `harness report`,
the board and publishing read the very same rows (and the board needs no computation).

A family's score is its primary metric (:data:`PRIMARY`); per-language averages across
families put every primary metric on a 0-1 scale first (chrF and spBLEU are 0-100).
Tasks whose family is not listed (e.g. lm-eval's own) are left out of the aggregates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from .. import languages

#: Task family -> the metric that stands for it in aggregates.
PRIMARY = {
    "xalpaca": "language_fidelity",     # open-ended: no reference metric; judges grade quality
    "prompts": "language_fidelity",
    "babel_qa": "contains",
    "xquad_gen": "f1",
    "mlqa_gen": "f1",
    "flores_gen_en_xx": "chrf",
    "flores_gen_xx_en": "chrf",
}
_SCALE = {"chrf": 100.0, "spbleu": 100.0}
_PAIR = re.compile(r"^(?P<base>.+)_(?P<src>[a-z]{2,3})_(?P<tgt>[a-z]{2,3})$")


def family_of(task: str) -> tuple[str, str | None]:
    """``xquad_gen_zh`` -> (xquad_gen, zh); ``flores_gen_en_zh`` -> (flores_gen_en_xx, zh);
    ``prompts_mine`` -> (prompts, None)."""
    if task.startswith("prompts_"):
        return "prompts", None
    pair = _PAIR.match(task)
    if pair and pair["src"] in languages.LANGUAGES and pair["tgt"] in languages.LANGUAGES:
        if pair["src"] == "en":
            return f"{pair['base']}_en_xx", pair["tgt"]
        if pair["tgt"] == "en":
            return f"{pair['base']}_xx_en", pair["src"]
    base, _, lang = task.rpartition("_")
    if base and lang in languages.LANGUAGES:
        return base, lang
    return task, None


def aggregate_rows(task_rows: list[dict[str, Any]], samples: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Family macros, per-language macros and transfer gaps of one evaluation's metric rows
    (those of the filter the variant is scored on). Returned as metric rows (``is_group``).

    A family macro's interval is a stratified bootstrap (documents resampled within each
    language, then the languages averaged) over the per-document values in ``samples``; its
    n is the number of documents. Corpus metrics (chrF) have no per-document value: no interval.
    """
    per_doc: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))  # task -> metric -> values
    for s in samples or []:
        for metric, value in (s.get("sample_metrics") or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                per_doc[s["task"]][metric].append(float(value))
    scores: dict[str, dict[str, float]] = defaultdict(dict)   # family -> language -> value
    task_of: dict[tuple[str, str], str] = {}
    filt = None
    for r in task_rows:
        if r["value"] is None or r.get("is_group"):
            continue
        family, lang = family_of(r["task"])
        lang = r["language"] if family == "prompts" else lang
        if family not in PRIMARY or r["metric"] != PRIMARY[family] or lang is None:
            continue
        scores[family][lang] = r["value"]
        task_of[(family, lang)] = r["task"]
        filt = r["filter"]

    out: list[dict[str, Any]] = []

    def row(task: str, language: str | None, metric: str, value: float, n: int,
            ci: tuple[float | None, float | None] = (None, None)) -> None:
        out.append({"task": task, "task_version": None, "language": language, "metric": metric, "filter": filt,
                    "value": value, "stderr": None, "n": n, "is_group": True, "ci_low": ci[0], "ci_high": ci[1]})

    by_language: dict[str, list[float]] = defaultdict(list)
    for family, per_lang in sorted(scores.items()):
        metric = PRIMARY[family]
        strata = [per_doc[task_of[(family, lang)]][metric] for lang in per_lang]
        docs = sum(len(v) for v in strata)
        ci = _stratified_ci(strata) if all(strata) else (None, None)
        row(f"{family} (macro)", None, metric, sum(per_lang.values()) / len(per_lang), docs or len(per_lang), ci)
        for lang, value in per_lang.items():
            by_language[lang].append(value / _SCALE.get(metric, 1.0))
        if "en" in per_lang:
            for lang, value in sorted(per_lang.items()):
                if lang != "en":
                    row(task_of[(family, lang)], lang, f"transfer_gap:{metric}", value - per_lang["en"], 1)
    for lang, values in sorted(by_language.items()):
        row(f"all tasks · {lang}", lang, "primary_score", sum(values) / len(values), len(values))
    return out


def _stratified_ci(strata: list[list[float]], iterations: int = 1000, seed: int = 20231123) -> tuple[float, float]:
    """95 % percentile interval of the mean of per-stratum means, resampling within strata."""
    import numpy as np

    rng = np.random.default_rng(seed)
    means = np.zeros(iterations)
    for values in strata:
        data = np.asarray(values, dtype=float)
        means += data[rng.integers(0, data.size, size=(iterations, data.size))].mean(axis=1)
    means /= len(strata)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def pivot_rows(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For a PLUG evaluation: per task, the share of answers whose target label was not found
    (the whole answer is kept) and of answers with only the pivot language (nothing kept)."""
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in samples:
        by_task[s["task"]].append(s)
    out = []
    for task, rows in sorted(by_task.items()):
        statuses = [r["pivot_status"] for r in rows]
        for status in ("label_not_found", "only_pivot"):
            out.append({"task": task, "task_version": None, "language": rows[0]["language"],
                        "metric": f"pivot:{status}", "filter": "plug", "value": statuses.count(status) / len(rows),
                        "stderr": None, "n": len(rows), "is_group": False, "ci_low": None, "ci_high": None})
    return out
