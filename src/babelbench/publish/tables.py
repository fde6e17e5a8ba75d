"""The tables a results dataset holds, built with the queries `harness report` and the board use.

Each table is one dataset config: ``leaderboard`` (long form: one row per variant and score),
``metrics`` (the report rows), ``recipes`` (each variant's recipe and canonical config),
``judgments`` (every grade with its judge) and, only when asked for, ``samples``.
"""

from __future__ import annotations

import json
from datetime import timezone
from typing import Any

import duckdb

from ..store import board
from ..store.queries import report_rows

TABLES = ("leaderboard", "metrics", "recipes", "judgments", "samples")


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


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
                    "comparable": r["comparable"], "score": score, **values}
                   for r in chosen for score, values in sorted(r["scores"].items())]
    metrics = [m for m in report_rows(con) if m["variant"] in names]
    recipes = _rows(con.execute("""
        SELECT v.name AS variant, v.recipe_file, r.text AS recipe, v.config::VARCHAR AS config,
               v.choices::VARCHAR AS choices
        FROM variants v JOIN recipes r USING (recipe_hash)
        WHERE v.variant_id IN (SELECT unnest($ids)) ORDER BY v.name""", {"ids": ids}))
    judgments = _rows(con.execute("""
        SELECT v.name AS variant, vj.judge, vj.kind, l.task, l.doc_id, l.slot, l.status AS link_status,
               j.status, j.scores::VARCHAR AS scores, j.verdict, j.detected_language, j.code_switch, j.rationale,
               j.model, j.judgment_key
        FROM variants v JOIN variant_judges vj USING (variant_id)
        JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN judgment_links l ON l.eval_key = st.key AND l.judge_hash = vj.judge_hash
        LEFT JOIN judgments j USING (judgment_key)
        WHERE v.variant_id IN (SELECT unnest($ids)) ORDER BY ALL""", {"ids": ids}))
    tables = {"leaderboard": leaderboard, "metrics": metrics, "recipes": recipes, "judgments": judgments}
    if with_samples:
        tables["samples"] = _rows(con.execute("""
            SELECT v.name AS variant, s.task, s.doc_id, s.language, s.prompt, s.raw_response, s.kept_response,
                   s.kept_filter, s.pivot_status, s.target, s.doc::VARCHAR AS doc
            FROM variants v JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
            JOIN samples s ON s.eval_key = st.key
            WHERE v.variant_id IN (SELECT unnest($ids)) ORDER BY ALL""", {"ids": ids}))
    return tables


def provenance(con: duckdb.DuckDBPyConnection, variants: list[str]) -> dict[str, Any]:
    """How the numbers were made: library versions, task versions, judges (model, prompt hashes), date."""
    runs = _rows(con.execute("""
        SELECT r.kind, r.versions, r.finished_at FROM stage_runs r
        JOIN variant_stages st ON st.kind = r.kind AND st.key = r.key JOIN variants v ON v.variant_id = st.variant_id
        WHERE v.name IN (SELECT unnest($names)) AND r.status IN ('done', 'adopted')""", {"names": variants}))
    versions: dict[str, str] = {}
    for r in runs:
        versions.update(json.loads(r["versions"]) if r["versions"] else {})
    tasks = dict(con.execute("""
        SELECT DISTINCT m.task, m.task_version FROM metrics m JOIN variant_stages st ON st.key = m.eval_key
        JOIN variants v ON v.variant_id = st.variant_id
        WHERE v.name IN (SELECT unnest($names)) AND m.task_version IS NOT NULL ORDER BY 1""", {"names": variants}).fetchall())
    judges = {}
    for name, config in con.execute("""
            SELECT DISTINCT vj.judge, vj.config::VARCHAR FROM variant_judges vj JOIN variants v USING (variant_id)
            WHERE v.name IN (SELECT unnest($names)) ORDER BY 1""", {"names": variants}).fetchall():
        record = json.loads(config)
        backend = record["config"].get("backend") or {}
        judges[name] = {"kind": record["config"]["kind"], "model": backend.get("model", "lingua"),
                        "backend": backend.get("type", "none"), "identity": record["identity"],
                        "templates": record["templates"]}
    finished = [r["finished_at"] for r in runs if r["finished_at"] is not None]
    return {"versions": dict(sorted(versions.items())), "tasks": tasks, "judges": judges,
            "date": max(finished).date().isoformat() if finished else None,
            "epoch": str(int(max(finished).replace(tzinfo=timezone.utc).timestamp())) if finished else None}
