"""The reads publishing and exporting make beyond the report's and the board's: each variant's
recipe, grades and answers, how its numbers were made, and where its trained adapter lies.

Selects only, on a connection the caller opened (read-only is enough); shaping the rows into
dataset tables, cards and records happens in ``babelbench.publish``.
"""

from __future__ import annotations

from typing import Any

import duckdb


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def variant_recipes(con: duckdb.DuckDBPyConnection, variant_ids: list[str]) -> list[dict[str, Any]]:
    """Per variant (by name): ``variant``, ``recipe_file``, ``recipe`` (the recipe file's text),
    ``config`` (canonical config, JSON text) and ``choices`` (JSON text)."""
    return _dicts(con.execute("""
        SELECT v.name AS variant, v.recipe_file, r.text AS recipe, v.config::VARCHAR AS config,
               v.choices::VARCHAR AS choices
        FROM variants v JOIN recipes r USING (recipe_hash)
        WHERE v.variant_id IN (SELECT unnest($ids)) ORDER BY v.name""", {"ids": variant_ids}))


def variant_judgments(con: duckdb.DuckDBPyConnection, variant_ids: list[str]) -> list[dict[str, Any]]:
    """Every judgment link of the variants' evaluations under each of their judges, with its grade
    when stored (``scores`` as JSON text); ordered by every column."""
    return _dicts(con.execute("""
        SELECT v.name AS variant, vj.judge, vj.kind, l.task, l.doc_id, l.slot, l.status AS link_status,
               j.status, j.scores::VARCHAR AS scores, j.verdict, j.detected_language, j.code_switch, j.rationale,
               j.model, j.judgment_key
        FROM variants v JOIN variant_judges vj USING (variant_id)
        JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN judgment_links l ON l.eval_key = st.key AND l.judge_hash = vj.judge_hash
        LEFT JOIN judgments j USING (judgment_key)
        WHERE v.variant_id IN (SELECT unnest($ids)) ORDER BY ALL""", {"ids": variant_ids}))


def variant_samples(con: duckdb.DuckDBPyConnection, variant_ids: list[str]) -> list[dict[str, Any]]:
    """Every answer of the variants' evaluations (``doc`` as JSON text); ordered by every column."""
    return _dicts(con.execute("""
        SELECT v.name AS variant, s.task, s.doc_id, s.language, s.prompt, s.raw_response, s.kept_response,
               s.kept_filter, s.pivot_status, s.target, s.doc::VARCHAR AS doc
        FROM variants v JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN samples s ON s.eval_key = st.key
        WHERE v.variant_id IN (SELECT unnest($ids)) ORDER BY ALL""", {"ids": variant_ids}))


def finished_stage_runs(con: duckdb.DuckDBPyConnection, variants: list[str]) -> list[dict[str, Any]]:
    """The done or adopted stage runs of the named variants: ``kind``, ``versions`` (JSON text of
    library versions, or None) and ``finished_at``."""
    return _dicts(con.execute("""
        SELECT r.kind, r.versions, r.finished_at FROM stage_runs r
        JOIN variant_stages st ON st.kind = r.kind AND st.key = r.key JOIN variants v ON v.variant_id = st.variant_id
        WHERE v.name IN (SELECT unnest($names)) AND r.status IN ('done', 'adopted')""", {"names": variants}))


def task_versions(con: duckdb.DuckDBPyConnection, variants: list[str]) -> dict[str, str]:
    """Task -> the task version its stored metrics were computed with, over the named variants."""
    return dict(con.execute("""
        SELECT DISTINCT m.task, m.task_version FROM metrics m JOIN variant_stages st ON st.key = m.eval_key
        JOIN variants v ON v.variant_id = st.variant_id
        WHERE v.name IN (SELECT unnest($names)) AND m.task_version IS NOT NULL ORDER BY 1""",
                            {"names": variants}).fetchall())


def judge_configs(con: duckdb.DuckDBPyConnection, variants: list[str]) -> list[tuple[str, str]]:
    """(judge name, its registered record as JSON text) for each distinct judge of the named
    variants, ordered by name (a name judged with two configs appears twice)."""
    return [(name, config) for name, config in con.execute("""
            SELECT DISTINCT vj.judge, vj.config::VARCHAR FROM variant_judges vj JOIN variants v USING (variant_id)
            WHERE v.name IN (SELECT unnest($names)) ORDER BY 1""", {"names": variants}).fetchall()]


def variant_judge_config(con: duckdb.DuckDBPyConnection, variant: str, judge: str) -> str | None:
    """The registered record (JSON text) of ``judge`` on the variant named ``variant``, or None."""
    row = con.execute("SELECT vj.config FROM variant_judges vj JOIN variants v USING (variant_id) "
                      "WHERE v.name = ? AND vj.judge = ?", [variant, judge]).fetchone()
    return row[0] if row else None


def trained_adapter(con: duckdb.DuckDBPyConnection, variant: str) -> tuple[str, int | None] | None:
    """(output folder, selected step) of the newest finished LoRA training of the variant named ``variant``
    -- the step its checkpoint selection chose, None when it selects none -- or None when it has none."""
    row = con.execute("""
        SELECT r.output,
               (SELECT c.selected_step FROM variant_stages s JOIN checkpoint_selections c ON c.select_key = s.key
                 WHERE s.variant_id = v.variant_id AND s.kind = 'select') AS selected_step
        FROM variants v JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'train'
        JOIN stage_runs r ON r.kind = 'train' AND r.key = st.key AND r.status IN ('done', 'adopted')
        WHERE v.name = ? AND v.method = 'lora' AND r.output IS NOT NULL
        ORDER BY r.finished_at DESC LIMIT 1""", [variant]).fetchone()
    return (row[0], row[1]) if row else None
