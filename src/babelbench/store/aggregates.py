"""Aggregates over a variant's task rows: per task family across languages (macro), per
language across families, the transfer gap (each language minus English), and PLUG pivot
counts. Computed from the same rows `harness report` shows, so they can never disagree.

A family's score is its primary metric (:data:`PRIMARY`); per-language averages across
families put every primary metric on a 0-1 scale first (chrF and spBLEU are 0-100).
Tasks whose family is not listed (e.g. lm-eval's own) are left out of the aggregates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import duckdb

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


def aggregate_rows(task_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Family macros, per-language macros and transfer gaps for every variant in ``task_rows``."""
    # variant -> family -> language -> value of the primary metric
    scores: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    meta: dict[str, dict[str, Any]] = {}
    for r in task_rows:
        if r["value"] is None or r["metric"].startswith(("judge:", "pivot:")):
            continue
        family, lang = family_of(r["task"])
        lang = r["language"] if family in ("prompts",) else lang
        if family not in PRIMARY or r["metric"] != PRIMARY[family] or lang is None:
            continue
        scores[r["variant"]][family][lang] = r["value"]
        meta[r["variant"]] = {k: r[k] for k in ("variant", "base_model", "method", "pivot_mode", "filter")}

    out: list[dict[str, Any]] = []

    def row(variant: str, task: str, language: str | None, metric: str, value: float, n: int) -> None:
        out.append({**meta[variant], "task": task, "language": language, "metric": metric, "value": value,
                    "stderr": None, "n": n, "ci_low": None, "ci_high": None, "baseline": None})

    for variant, families in scores.items():
        by_language: dict[str, list[float]] = defaultdict(list)
        for family, per_lang in sorted(families.items()):
            metric = PRIMARY[family]
            row(variant, f"{family} (macro)", None, metric, sum(per_lang.values()) / len(per_lang), len(per_lang))
            for lang, value in per_lang.items():
                by_language[lang].append(value / _SCALE.get(metric, 1.0))
            if "en" in per_lang:
                for lang, value in sorted(per_lang.items()):
                    if lang != "en":
                        row(variant, family, lang, f"transfer_gap:{metric}", value - per_lang["en"], 1)
        for lang, values in sorted(by_language.items()):
            row(variant, "all tasks (macro)", lang, "primary_score", sum(values) / len(values), len(values))
    return out


def pivot_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """For PLUG variants: per task, the share of answers whose target label was not found
    (the whole answer is kept) and of answers with only the pivot language (nothing kept)."""
    cur = con.execute("""
        SELECT v.name AS variant, v.base_model, v.method, v.pivot_mode, s.task, s.language,
               count(*) AS n,
               count(*) FILTER (WHERE s.pivot_status = 'label_not_found') AS label_not_found,
               count(*) FILTER (WHERE s.pivot_status = 'only_pivot') AS only_pivot
        FROM variants v
        JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN samples s ON s.eval_key = st.key
        WHERE v.pivot_mode = 'plug'
        GROUP BY ALL ORDER BY v.name, s.task""")
    names = [d[0] for d in cur.description]
    out = []
    for r in (dict(zip(names, row)) for row in cur.fetchall()):
        for status in ("label_not_found", "only_pivot"):
            out.append({k: r[k] for k in ("variant", "base_model", "method", "pivot_mode", "task", "language")} | {
                "metric": f"pivot:{status}", "filter": "plug", "value": r[status] / r["n"], "stderr": None,
                "n": r["n"], "ci_low": None, "ci_high": None, "baseline": None})
    return out
