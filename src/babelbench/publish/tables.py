"""The tables a results dataset holds, built with the queries `harness report` and the board use
(and the publishing reads in ``store.publish_queries``).

Each table is one dataset config: ``leaderboard`` (long form: one row per variant and score),
``metrics`` (the report rows), ``recipes`` (each variant's recipe and canonical config),
``judgments`` (every grade with its judge) and, only when asked for, ``samples``.
"""

from __future__ import annotations

import json
from datetime import timezone
from typing import Any

import duckdb

from ..store import board, publish_queries
from ..store.queries import report_rows

TABLES = ("leaderboard", "metrics", "recipes", "judgments", "samples")


def dataset_tables(con: duckdb.DuckDBPyConnection, variants: list[str] | None = None,
                   with_samples: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Rows per table for the named variants (all evaluated variants when None)."""
    board_rows = board.leaderboard(con)
    names = {r["variant"] for r in board_rows} if variants is None else set(variants)
    unknown = names - {r["variant"] for r in board_rows}
    if unknown:
        raise ValueError(f"not evaluated in this store: {', '.join(sorted(unknown))}")
    chosen = [r for r in board_rows if r["variant"] in names]
    ids = [r["variant_id"] for r in chosen]
    leaderboard = [{"variant": r["variant"], "base_model": r["base_model"], "method": r["method"],
                    "pivot_mode": r["pivot_mode"], "data_mix": json.dumps(r["data_mix"]), "data_size": r["data_size"],
                    "comparable": r["comparable"], "score": str(score), **values}   # a judge facet: its label
                   for r in chosen for score, values in sorted(r["scores"].items(), key=lambda kv: str(kv[0]))]
    metrics = [m for m in report_rows(con) if m["variant"] in names]
    recipes = publish_queries.variant_recipes(con, ids)
    judgments = publish_queries.variant_judgments(con, ids)
    tables = {"leaderboard": leaderboard, "metrics": metrics, "recipes": recipes, "judgments": judgments}
    if with_samples:
        tables["samples"] = publish_queries.variant_samples(con, ids)
    return tables


def provenance(con: duckdb.DuckDBPyConnection, variants: list[str]) -> dict[str, Any]:
    """How the numbers were made: library versions, task versions, judges (model, prompt hashes), date."""
    runs = publish_queries.finished_stage_runs(con, variants)
    versions: dict[str, str] = {}
    for r in runs:
        versions.update(json.loads(r["versions"]) if r["versions"] else {})
    tasks = publish_queries.task_versions(con, variants)
    judges = {}
    for name, config in publish_queries.judge_configs(con, variants):
        record = json.loads(config)
        backend = record["config"].get("backend") or {}
        judges[name] = {"kind": record["config"]["kind"], "model": backend.get("model", "lingua"),
                        "backend": backend.get("type", "none"), "identity": record["identity"],
                        "templates": record["templates"]}
    finished = [r["finished_at"] for r in runs if r["finished_at"] is not None]
    return {"versions": dict(sorted(versions.items())), "tasks": tasks, "judges": judges,
            "date": max(finished).date().isoformat() if finished else None,
            "epoch": str(int(max(finished).replace(tzinfo=timezone.utc).timestamp())) if finished else None}
