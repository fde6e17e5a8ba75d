"""What the judge-bias figures read: every stored pairwise verdict, both orders of a pair side by side,
with both answers' lengths, base models and language-fidelity verdicts. Selects only; the figures
are computed in :mod:`babelbench.analysis.judge_bias`."""

from __future__ import annotations

from typing import Any

import duckdb


def pairwise_verdicts(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """One row per (judge, variant, baseline, task, document) judged against a baseline: ``ab`` and
    ``ba`` the verdicts (None when that order is missing or did not parse), ``judge_model`` the model
    that gave them, the answers' lengths in characters and their ``language_fidelity`` per document
    (1 right language, 0 wrong, None when not known)."""
    cur = con.execute("""
        WITH orders AS (
            SELECT vj.judge, vj.variant_id, vj.baseline_variant, vj.baseline_eval, st.key AS eval_key,
                   l.task, l.doc_id, split_part(l.slot, ':', -1) AS side_order,
                   CASE WHEN j.status = 'ok' THEN j.verdict END AS verdict, j.model
            FROM variant_judges vj
            JOIN variant_stages st ON st.variant_id = vj.variant_id AND st.kind = 'eval'
            JOIN judgment_links l ON l.eval_key = st.key AND l.judge_hash = vj.judge_hash
                 AND l.status = 'judged' AND l.slot LIKE vj.baseline_eval || ':%'
            LEFT JOIN judgments j ON j.judgment_key = l.judgment_key
            WHERE vj.baseline_variant IS NOT NULL)
        SELECT o.judge, any_value(o.model) AS judge_model, v.name AS variant, v.base_model AS variant_model,
               b.name AS baseline, b.base_model AS baseline_model, o.task, sm.language, o.doc_id,
               any_value(o.verdict) FILTER (WHERE o.side_order = 'ab') AS ab,
               any_value(o.verdict) FILTER (WHERE o.side_order = 'ba') AS ba,
               length(any_value(sm.kept_response)) AS length, length(any_value(bs.kept_response)) AS baseline_length,
               try_cast(any_value(sm.sample_metrics)->>'$.language_fidelity' AS DOUBLE) AS fidelity,
               try_cast(any_value(bs.sample_metrics)->>'$.language_fidelity' AS DOUBLE) AS baseline_fidelity
        FROM orders o
        JOIN variants v ON v.variant_id = o.variant_id
        JOIN variants b ON b.variant_id = o.baseline_variant
        JOIN samples sm ON sm.eval_key = o.eval_key AND sm.task = o.task AND sm.doc_id = o.doc_id
        JOIN samples bs ON bs.eval_key = o.baseline_eval AND bs.task = o.task AND bs.doc_id = o.doc_id
        GROUP BY o.judge, v.name, v.base_model, b.name, b.base_model, o.task, sm.language, o.doc_id
        ORDER BY o.judge, v.name, b.name, o.task, o.doc_id""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def answer_grades(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """One row per answer graded on its own (a rubric judge: no baseline, kind not ``language-id``):
    the judge, the variant, the answer's task, language and document, its grades (``scores``, a JSON
    text) and its ``language_fidelity`` (1 right language, 0 wrong, None when not known)."""
    cur = con.execute("""
        SELECT DISTINCT vj.judge, v.name AS variant, l.task, sm.language, l.doc_id, j.scores,
               try_cast(sm.sample_metrics->>'$.language_fidelity' AS DOUBLE) AS fidelity
        FROM variant_judges vj
        JOIN variants v ON v.variant_id = vj.variant_id
        JOIN variant_stages st ON st.variant_id = vj.variant_id AND st.kind = 'eval'
        JOIN judgment_links l ON l.eval_key = st.key AND l.judge_hash = vj.judge_hash AND l.status = 'judged'
        JOIN judgments j ON j.judgment_key = l.judgment_key AND j.status = 'ok' AND j.scores IS NOT NULL
        JOIN samples sm ON sm.eval_key = l.eval_key AND sm.task = l.task AND sm.doc_id = l.doc_id
        WHERE vj.baseline_variant IS NULL AND vj.kind <> 'language-id'
        ORDER BY vj.judge, v.name, l.task, l.doc_id""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
