"""The read queries `harness report` (and later the board and publishing) share."""

from __future__ import annotations

from typing import Any

import duckdb

from ..core.metric_name import JudgeMetric

#: The variant's filter in the board's description of it (rows themselves carry ``scored``,
#: declared per task: see babelbench.evaluate.scoring).
VARIANT_FILTER = "CASE WHEN v.pivot_mode = 'plug' THEN 'plug' ELSE 'none' END"

REPORT_COLUMNS = ["variant", "base_model", "method", "pivot_mode", "task", "language", "metric",
                  "filter", "value", "stderr", "n", "ci_low", "ci_high", "baseline"]

_Z95 = 1.959964


def report_rows(con: duckdb.DuckDBPyConnection, *, include_groups: bool = True,
                include_judges: bool = True, with_judge_metric: bool = False) -> list[dict[str, Any]]:
    """One row per variant, task, language and metric (each task's scored filter only), judges' included.

    lm-eval metrics carry lm-eval's stderr and the 95 % interval computed at evaluation
    (bootstrap over documents); judge metrics (``judge:<name>/<facet>``) a bootstrap 95 % interval.
    ``with_judge_metric``: each row also has ``judge_metric``, the :class:`JudgeMetric` it is (None if none).
    """
    rows = _lm_eval_rows(con, include_groups)
    rows += [{k: r[k] for k in REPORT_COLUMNS} for r in gated_rows(con)
             if include_groups or r["language"] is not None]
    if with_judge_metric:
        for r in rows:   # a judge graded inside lm-eval reports its metric under the name users see
            r["judge_metric"] = JudgeMetric.parse(r["metric"])
    if include_judges:
        from .judge_queries import stored_rows

        rows += stored_rows(con, with_judge_metric)
    rows.sort(key=lambda r: r["variant"])
    return rows


def _lm_eval_rows(con: duckdb.DuckDBPyConnection, include_groups: bool) -> list[dict[str, Any]]:
    sql = f"""
        SELECT v.name AS variant, v.base_model, v.method, v.pivot_mode, m.task, m.language, m.metric,
               m.filter, m.value, m.stderr, m.n, m.ci_low, m.ci_high
        FROM variants v
        JOIN variant_stages s ON s.variant_id = v.variant_id AND s.kind = 'eval'
        JOIN metrics m ON m.eval_key = s.key AND m.scored
        {"" if include_groups else "WHERE NOT m.is_group"}
        ORDER BY v.name, m.task, m.metric
    """
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row)) for row in cur.fetchall()]
    for r in rows:
        # Rows stored before intervals were computed at evaluation: a normal interval from stderr.
        if r["ci_low"] is None and r["value"] is not None and r["stderr"] is not None:
            r["ci_low"], r["ci_high"] = r["value"] - _Z95 * r["stderr"], r["value"] + _Z95 * r["stderr"]
        r["baseline"] = None
    return rows


#: Suffix of a language-gated metric: answers in the wrong language count as 0.
GATED = ":gated"

# Per evaluation, task and language: the primary metric's per-document values with the answers the
# language-fidelity identifier found in another language (sample metric ``language_fidelity`` = 0) set
# to 0. An answer without letters (fidelity NaN) or without a fidelity keeps its value; tasks with no
# fidelity per document, corpus metrics (no numeric value per document) and ``language_fidelity``
# itself have no gated row.
_GATED_SQL = """
    WITH primary_rows AS (
        SELECT DISTINCT eval_key, task, language, metric, filter, coalesce(family, task) AS family
        FROM metrics WHERE scored AND is_primary AND NOT is_group AND language IS NOT NULL
                           AND metric <> 'language_fidelity'),
    docs AS (
        SELECT p.*, try_cast(s.sample_metrics->>('$."' || p.metric || '"') AS DOUBLE) AS doc_value,
               try_cast(s.sample_metrics->>'$.language_fidelity' AS DOUBLE) AS fidelity
        FROM primary_rows p JOIN samples s ON s.eval_key = p.eval_key AND s.task = p.task),
    per_task AS (
        SELECT eval_key, task, language, metric, filter, family,
               avg(CASE WHEN fidelity = 0 THEN 0.0 ELSE doc_value END) AS value, count(*) AS n,
               count(*) FILTER (WHERE fidelity = 0) AS wrong_language
        FROM docs WHERE doc_value IS NOT NULL AND NOT isnan(doc_value)
        GROUP BY ALL HAVING count(fidelity) > 0),
    families AS (   -- the family's macro: the mean over its languages, when every language has a gated value
        SELECT t.eval_key, t.family || ' (macro)' AS task, NULL::VARCHAR AS language, t.metric, t.filter, t.family,
               avg(t.value) AS value, sum(t.n)::BIGINT AS n, sum(t.wrong_language)::BIGINT AS wrong_language
        FROM per_task t GROUP BY t.eval_key, t.family, t.metric, t.filter
        HAVING count(*) = (SELECT count(*) FROM primary_rows p WHERE p.eval_key = t.eval_key
                           AND p.family = t.family AND p.metric = t.metric))
    SELECT v.name AS variant, v.variant_id, v.base_model, v.method, v.pivot_mode, g.task, g.language,
           g.metric || ':gated' AS metric, g.family, g.filter, g.value, NULL::DOUBLE AS stderr, g.n,
           NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high, NULL::VARCHAR AS baseline, g.wrong_language
    FROM (SELECT * FROM per_task UNION ALL SELECT * FROM families) g
    JOIN variant_stages st ON st.key = g.eval_key AND st.kind = 'eval'
    JOIN variants v ON v.variant_id = st.variant_id
    ORDER BY v.name, g.task, g.metric"""


def gated_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Language-gated scores (``<metric>:gated``) of every variant: per task and language, and per task
    family (``<family> (macro)``, language None), with ``n`` documents and ``wrong_language`` of them set to 0."""
    cur = con.execute(_GATED_SQL)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def variant_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute("""
        SELECT v.name AS variant, v.variant_id, v.base_model, v.method, v.pivot_mode, v.data_size,
               v.recipe_file,
               (SELECT count(DISTINCT s.kind) FROM variant_stages s JOIN stage_runs r ON r.kind = s.kind AND r.key = s.key
                 AND r.status IN ('done', 'adopted') WHERE s.variant_id = v.variant_id) AS stages_done
        FROM variants v ORDER BY v.name""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def variant_weights(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, Any] | None:
    """What a variant's weights are made of: its base model and recipe file, its train stage's output
    (None when it has not trained) and the checkpoint its selection chose (None without selection)."""
    cur = con.execute("""
        SELECT v.name, v.base_model, v.method, v.recipe_file, v.config,
               (SELECT r.output FROM variant_stages s JOIN stage_runs r ON r.kind = s.kind AND r.key = s.key
                 AND r.status IN ('done', 'adopted') AND r.output IS NOT NULL
                 WHERE s.variant_id = v.variant_id AND s.kind = 'train' ORDER BY r.started_at DESC LIMIT 1) AS trained,
               (SELECT c.selected_step FROM variant_stages s JOIN checkpoint_selections c ON c.select_key = s.key
                 WHERE s.variant_id = v.variant_id AND s.kind = 'select') AS selected_step
        FROM variants v WHERE v.name = ?""", [name])
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    return dict(zip(names, row)) if row else None


def variant_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in con.execute("SELECT name FROM variants ORDER BY name").fetchall()]


#: A stored metric row's fields, as :class:`babelbench.core.records.MetricRecord` names them.
METRIC_RECORD_COLUMNS = ["task", "metric", "filter", "value", "language", "task_version", "stderr", "n", "is_group",
                         "ci_low", "ci_high", "scored", "is_primary", "family"]


def eval_metric_records(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    """Every metric row of a variant's evaluation, with all its columns (for a lossless export)."""
    cur = con.execute(f"""
        SELECT {", ".join("m." + c for c in METRIC_RECORD_COLUMNS)}
        FROM variants v JOIN variant_stages s ON s.variant_id = v.variant_id AND s.kind = 'eval'
        JOIN metrics m ON m.eval_key = s.key WHERE v.name = ? ORDER BY m.task, m.metric, m.filter""", [name])
    return [dict(zip(METRIC_RECORD_COLUMNS, row)) for row in cur.fetchall()]
