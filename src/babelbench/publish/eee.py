"""Every Eval Ever records (schema 0.2.1, evaleval/every_eval_ever): one per variant, every
scored metric and judge facet as an ``evaluation_results`` entry, with its interval and n.

Deterministic for a given store: the timestamps are those of the newest stored result.
Registers the ``eee`` export format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.metric_name import JudgeMetric
from ..store.publish_queries import variant_judge_config
from ..store.queries import report_rows
from .formats import WrittenFile, register_export_format, write_json_per_variant
from .tables import dataset_tables, provenance

SCHEMA_VERSION = "0.2.1"
_HUNDRED = ("chrf", "spbleu")
_NOT_SCORES = ("pivot:", "transfer_gap:")


def _metric_config(row: dict[str, Any], judges: dict[str, Any]) -> dict[str, Any]:
    """``row``: a report row, with ``judge_metric`` (its :class:`JudgeMetric`) when a judge measured it."""
    metric = row["metric"]
    config: dict[str, Any] = {"lower_is_better": metric.endswith(("parse_failure_rate", "error_rate", "no_target",
                                                                   "code_switch", "answer_chars", "order_flip",
                                                                   "loss")),
                              "score_type": "continuous", "min_score": 0.0,
                              "max_score": 100.0 if metric in _HUNDRED else 1.0}
    if metric == "answer_chars":
        config["max_score"] = float(max(row["value"] or 0, 1))
    judged: JudgeMetric | None = row.get("judge_metric")
    if judged is not None:
        name, facet = judged.judge, judged.facet
        judge = judges.get(name, {})
        levels = {f["name"]: f for f in judge.get("facets", [])}
        if facet in levels:
            config["min_score"], config["max_score"] = float(levels[facet]["min"]), float(levels[facet]["max"])
        if judge.get("model") not in (None, "lingua"):
            config["llm_scoring"] = {
                "judges": [{"model_info": {"name": judge["model"], "id": judge["model"]},
                            "temperature": judge.get("temperature", 0.0)}],
                "input_prompt": f"babelbench judge '{name}' (templates sha256 {judge['templates']})",
                "additional_details": {"judge_identity": judge["identity"],
                                       **({"baseline": row["baseline"]} if row.get("baseline") else {})}}
    return config


def _score_details(row: dict[str, Any]) -> dict[str, Any]:
    uncertainty: dict[str, Any] = {}
    if row.get("stderr") is not None:
        uncertainty["standard_error"] = {"value": row["stderr"], "method": "analytic"}
    if row.get("ci_low") is not None:
        uncertainty["confidence_interval"] = {"lower": row["ci_low"], "upper": row["ci_high"], "confidence_level": 0.95,
                                              "method": "bootstrap"}
    if row.get("n") is not None:
        uncertainty["num_samples"] = int(row["n"])
    details = {"score": row["value"], "details": {"filter": str(row["filter"]), "language": str(row["language"] or "")}}
    if uncertainty:
        details["uncertainty"] = uncertainty
    return details


def eee_records(con, variants: list[str] | None = None) -> dict[str, dict[str, Any]]:
    tables = dataset_tables(con, variants)
    recipes = {r["variant"]: r for r in tables["recipes"]}
    rows = report_rows(con, with_judge_metric=True)
    out = {}
    for name, recipe in sorted(recipes.items()):
        config = json.loads(recipe["config"])
        made = provenance(con, [name])
        judges = {}
        for judge_name, j in made["judges"].items():
            full = variant_judge_config(con, name, judge_name)
            cfg = json.loads(full)["config"] if full is not None else {}
            judges[judge_name] = {**j, "facets": cfg.get("facets", []),
                                  "temperature": (cfg.get("backend") or {}).get("temperature", 0.0)}
        stamp = made["date"] or "unknown"
        results = []
        for r in rows:
            if r["variant"] != name or r["value"] is None or r["metric"].startswith(_NOT_SCORES):
                continue
            results.append({
                "evaluation_name": f"{r['task']}/" + (r["judge_metric"].label if r["judge_metric"] else r["metric"]),
                "source_data": {"dataset_name": r["task"], "source_type": "other",
                                "additional_details": {"harness_tasks": "babelbench tasks/ (lm-eval include path)",
                                                       "data_source": str(config["eval"].get("data_source", "shipped")),
                                                       "task_version": str(made["tasks"].get(r["task"], ""))}},
                "evaluation_timestamp": stamp,
                "metric_config": _metric_config(r, judges),
                "score_details": _score_details(r),
                "generation_config": {"generation_args": {"temperature": 0.0},
                                      "additional_details": {k: str(v) for k, v in config["eval"]["gen_kwargs"].items()}},
            })
        out[name] = {
            "schema_version": SCHEMA_VERSION,
            "evaluation_id": f"babelbench/{name}/{made['epoch'] or 'unknown'}",
            "retrieved_timestamp": made["epoch"] or "0",
            "evaluation_timestamp": stamp,
            "source_metadata": {"source_name": "babelbench", "source_type": "evaluation_run",
                                "source_organization_name": "babelbench", "evaluator_relationship": "first_party"},
            "eval_library": {"name": "lm_eval", "version": made["versions"].get("lm-eval", "unknown"),
                             "additional_details": {"harness": "babelbench",
                                                    "babelbench_version": made["versions"].get("babelbench", "unknown")}},
            "model_info": {"name": name, "id": config["base_model"], "inference_platform": "local",
                           "inference_engine": {"name": "transformers",
                                                "version": made["versions"].get("transformers", "unknown")},
                           "additional_details": {"method": config["train"]["method"],
                                                  "pivot_mode": config["pivot"]["mode"],
                                                  "recipe_file": recipe["recipe_file"],
                                                  "choices": recipe["choices"]}},
            "evaluation_results": results,
        }
    return out


@register_export_format("eee")
def export_eee(con, variants: list[str] | None, with_samples: bool, folder: Path) -> list[WrittenFile]:
    """One Every Eval Ever ``eee_<variant>.json`` record per variant (answers are not included)."""
    return write_json_per_variant(eee_records(con, variants), folder, "eee")
