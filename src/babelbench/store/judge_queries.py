"""The judge pass's reads (answers to judge, stored keys, a baseline) and the judged rows the
analysis layer turns into judge metrics. Selects only; statistics live in ``analysis/``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.metric_name import JudgeMetric
from ..core.records import JudgedRow

if TYPE_CHECKING:   # the store's users import duckdb only when they connect
    import duckdb


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def eval_samples(con: duckdb.DuckDBPyConnection, eval_key: str) -> list[dict[str, Any]]:
    """One evaluation's answers, as the judges read them (documents decoded)."""
    rows = _dicts(con.execute("SELECT task, doc_id, language, prompt, kept_response, pivot_status, doc FROM samples "
                              "WHERE eval_key = ? ORDER BY task, doc_id", [eval_key]))
    for r in rows:
        r["doc"] = json.loads(r["doc"]) if isinstance(r["doc"], str) else (r["doc"] or {})
    return rows


def stored_judgment_keys(con: duckdb.DuckDBPyConnection, judge_hash: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT judgment_key FROM judgments WHERE judge_hash = ?",
                                      [judge_hash]).fetchall()}


def newest_evaluated(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, str] | None:
    """(variant id, eval key) of the newest variant called ``name`` whose evaluation finished."""
    row = con.execute("""
        SELECT v.variant_id, s.key FROM variants v
        JOIN variant_stages s ON s.variant_id = v.variant_id AND s.kind = 'eval'
        JOIN stage_runs r ON r.kind = 'eval' AND r.key = s.key AND r.status IN ('done', 'adopted')
        WHERE v.name = ? ORDER BY v.created_at DESC LIMIT 1""", [name]).fetchone()
    return (row[0], row[1]) if row else None


@dataclass
class JudgedVariant:
    """One variant's links under one of its judges, with what the metrics need to know."""

    variant_id: str
    judge: str
    kind: str
    baseline: str | None
    plug: bool
    config: dict[str, Any]
    rows: list[JudgedRow] = field(default_factory=list)


def judged(con: duckdb.DuckDBPyConnection, variant_id: str) -> list[JudgedVariant]:
    """Every judge of ``variant_id`` (once per baseline it is compared with) with its stored links and grades."""
    out: dict[tuple[str, str], JudgedVariant] = {}
    for r in _dicts(con.execute("""
            SELECT vj.judge, vj.kind, vj.config, vj.against, b.name AS baseline, v.pivot_mode,
                   l.task, sm.language, l.doc_id, l.slot, l.status AS link_status, j.status, j.scores, j.verdict
            FROM variants v
            JOIN variant_judges vj ON vj.variant_id = v.variant_id
            JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
            LEFT JOIN judgment_links l ON l.eval_key = st.key AND l.judge_hash = vj.judge_hash
                 AND (vj.baseline_eval IS NULL OR l.slot LIKE vj.baseline_eval || ':%')
            LEFT JOIN judgments j ON j.judgment_key = l.judgment_key
            LEFT JOIN samples sm ON sm.eval_key = l.eval_key AND sm.task = l.task AND sm.doc_id = l.doc_id
            LEFT JOIN variants b ON b.variant_id = vj.baseline_variant
            WHERE v.variant_id = ?
            ORDER BY vj.judge, vj.against, l.task, l.doc_id, l.slot""", [variant_id])):
        head = out.get((r["judge"], r["against"]))
        if head is None:
            config = json.loads(r["config"]) if isinstance(r["config"], str) else (r["config"] or {})
            head = out[(r["judge"], r["against"])] = JudgedVariant(variant_id, r["judge"], r["kind"], r["baseline"],
                                                   r["pivot_mode"] == "plug", config.get("config", {}))
        if r["task"] is None:
            continue  # registered, nothing linked yet
        scores = json.loads(r["scores"]) if isinstance(r["scores"], str) else (r["scores"] or {})
        head.rows.append(JudgedRow(r["task"], r["language"], r["doc_id"], r["slot"], r["link_status"],
                                   r["status"], scores, r["verdict"]))
    return list(out.values())


def stored_rows(con: duckdb.DuckDBPyConnection, with_judge_metric: bool = False) -> list[dict[str, Any]]:
    """Judge metrics as report rows, from ``judge_metrics``: ``metric`` is the name users see
    (``judge:<name>/<facet>``, see :class:`JudgeMetric`), the baseline in its own column; with
    ``with_judge_metric``, ``judge_metric`` is the row's :class:`JudgeMetric`."""
    rows = _dicts(con.execute("""
        SELECT v.name AS variant, v.base_model, v.method, v.pivot_mode, j.task, j.language, j.judge, j.facet,
               j.filter, j.value, NULL::DOUBLE AS stderr, j.n, j.ci_low, j.ci_high, j.baseline
        FROM judge_metrics j JOIN variants v USING (variant_id)
        ORDER BY v.name, j.task = 'all', j.task, j.judge, j.facet"""))
    out = [{**{k: r[k] for k in ("variant", "base_model", "method", "pivot_mode", "task", "language")},
            "metric": JudgeMetric(r["judge"], r["facet"]).name,
            **{k: r[k] for k in ("filter", "value", "stderr", "n", "ci_low", "ci_high", "baseline")},
            **({"judge_metric": JudgeMetric(r["judge"], r["facet"], r["baseline"])} if with_judge_metric else {})}
           for r in rows]
    # in the order of the names shown (a judge whose name begins another's sorts as its name does)
    out.sort(key=lambda r: (r["variant"], r["task"] == "all", r["task"], r["metric"]))
    return out


def compared_variants(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Variant-judge pairs judged against a baseline, with both evaluations' keys."""
    return _dicts(con.execute("""
        SELECT vj.variant_id, v.name, vj.judge, vj.kind, vj.baseline_variant, b.name AS baseline,
               vj.baseline_eval, st.key AS eval_key
        FROM variant_judges vj JOIN variants v USING (variant_id)
        JOIN variants b ON b.variant_id = vj.baseline_variant
        JOIN variant_stages st ON st.variant_id = vj.variant_id AND st.kind = 'eval'
        WHERE vj.baseline_variant IS NOT NULL ORDER BY vj.judge, b.name, v.name"""))


def answer_lengths(con: duckdb.DuckDBPyConnection, eval_key: str) -> dict[tuple[str, int], int]:
    """Characters of each kept answer of one evaluation."""
    return {(t, d): n for t, d, n in con.execute(
        "SELECT task, doc_id, length(kept_response) FROM samples WHERE eval_key = ?", [eval_key]).fetchall()}


def judged_eval(con: duckdb.DuckDBPyConnection, eval_key: str, judge_hash: str) -> list[JudgedRow]:
    """One evaluation's links and grades under one judge (by its identity) -- for evaluations that
    belong to no variant's report (a checkpoint's validation run)."""
    rows = []
    for r in _dicts(con.execute("""
            SELECT l.task, sm.language, l.doc_id, l.slot, l.status AS link_status, j.status, j.scores, j.verdict
            FROM judgment_links l
            LEFT JOIN judgments j ON j.judgment_key = l.judgment_key
            LEFT JOIN samples sm ON sm.eval_key = l.eval_key AND sm.task = l.task AND sm.doc_id = l.doc_id
            WHERE l.eval_key = ? AND l.judge_hash = ? ORDER BY l.task, l.doc_id, l.slot""", [eval_key, judge_hash])):
        scores = json.loads(r["scores"]) if isinstance(r["scores"], str) else (r["scores"] or {})
        rows.append(JudgedRow(r["task"], r["language"], r["doc_id"], r["slot"], r["link_status"], r["status"],
                              scores, r["verdict"]))
    return rows


def language_means(con: duckdb.DuckDBPyConnection, eval_key: str, metric: str) -> list[tuple[str, float, int]]:
    """Per language: one lm-eval metric's value over the evaluation's tasks in that language
    (the scored rows, weighted by each task's document count)."""
    return [(lang, float(value), int(n)) for lang, value, n in con.execute("""
        SELECT language, sum(value * n) / sum(n), sum(n) FROM metrics
        WHERE eval_key = ? AND metric = ? AND scored AND NOT is_group AND language IS NOT NULL
              AND value IS NOT NULL AND n > 0
        GROUP BY language ORDER BY language""", [eval_key, metric]).fetchall()]


def selected_step(con: duckdb.DuckDBPyConnection, select_key: str) -> int | None:
    row = con.execute("SELECT selected_step FROM checkpoint_selections WHERE select_key = ?", [select_key]).fetchone()
    return int(row[0]) if row else None


def judgments_by_key(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, tuple[str | None, dict[str, Any], str | None]]:
    """judgment key -> (status, scores, verdict) for the stored ones among ``keys``."""
    if not keys:
        return {}
    out = {}
    for key, status, scores, verdict in con.execute(
            "SELECT judgment_key, status, scores, verdict FROM judgments WHERE judgment_key IN (SELECT unnest(?))",
            [list(keys)]).fetchall():
        out[key] = (status, json.loads(scores) if isinstance(scores, str) else (scores or {}), verdict)
    return out
