"""The queries the leaderboard (and publishing) read: selects over stored rows only.

Everything here reads what the stages stored -- lm-eval metrics with intervals, the
aggregates stored beside them, and per-variant judge metrics -- so the board, `harness report`
and a published card show the same numbers, and a page needs no computation beyond a pivot.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from ..core.metric_name import JudgeMetric
from .queries import VARIANT_FILTER, gated_rows


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def evaluated_variants(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Variants with a finished evaluation, with what makes their numbers comparable."""
    rows = _dicts(con.execute(f"""
        WITH versions AS (
            SELECT eval_key, count(DISTINCT task) AS n_tasks,
                   md5(string_agg(DISTINCT task || '@' || task_version, ',' ORDER BY task || '@' || task_version))[:10]
                   AS tasks
            FROM metrics WHERE NOT is_group AND task_version IS NOT NULL GROUP BY eval_key)
        SELECT DISTINCT v.variant_id, v.name AS variant, v.base_model, v.method, v.pivot_mode, v.data_mix,
               v.data_size, v.recipe_file, v.choices, v.config, v.created_at, st.key AS eval_key,
               coalesce(v.config->>'$.eval.limit', 'all') AS eval_limit,
               coalesce(v.config->>'$.eval.data_source', 'shipped') AS data_source,
               {VARIANT_FILTER} AS filter, ver.tasks AS task_versions, ver.n_tasks, cs.selected_step
        FROM variants v
        JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN stage_runs r ON r.kind = 'eval' AND r.key = st.key AND r.status IN ('done', 'adopted')
        LEFT JOIN versions ver ON ver.eval_key = st.key
        LEFT JOIN variant_stages sel ON sel.variant_id = v.variant_id AND sel.kind = 'select'
        LEFT JOIN checkpoint_selections cs ON cs.select_key = sel.key
        ORDER BY v.name"""))
    for r in rows:
        r["data_mix"] = json.loads(r["data_mix"]) if r["data_mix"] else None
        r["choices"] = json.loads(r["choices"]) if r["choices"] else {}
        config = json.loads(r["config"]) if r["config"] else {}
        r["config"] = flatten({k: v for k, v in config.items() if k not in ("choices", "name", "recipe_file")})
        r["comparable"] = (f"{_limit_text(r['eval_limit'])} · {r['data_source']} data · {r['n_tasks']} tasks, "
                           f"task set and versions #{r['task_versions']}")
    return rows


def _limit_text(limit: str) -> str:
    """``document limit 4``; a stratified sample (``{"per_language": 16, "seed": 0}``) in words."""
    try:
        value = json.loads(limit)
    except ValueError:
        return f"document limit {limit}"
    if isinstance(value, dict) and "per_language" in value:
        return f"{value['per_language']} documents per language (seed {value.get('seed', 0)})"
    return f"document limit {limit}"


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"train": {"lr": 1e-4}} -> {"train.lr": 1e-4}; lists and scalars are leaves."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def leaderboard(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """One row per evaluated variant: its description and a ``scores`` map
    column -> {value, ci_low, ci_high, n} for each task family (macro; the column a text such as
    ``xquad_gen · f1``) and judge facet (all answers; the column a :class:`JudgeMetric`)."""
    variants = evaluated_variants(con)
    by_eval: dict[str, list[dict[str, Any]]] = {}
    for v in variants:
        v["scores"] = {}
        by_eval.setdefault(v["eval_key"], []).append(v)
    by_id = {v["variant_id"]: v for v in variants}
    for r in _dicts(con.execute("""
            SELECT st.key AS eval_key, v.variant_id, replace(m.task, ' (macro)', '') AS family, m.metric,
                   m.value, m.ci_low, m.ci_high, m.n
            FROM metrics m JOIN variant_stages st ON st.key = m.eval_key AND st.kind = 'eval'
            JOIN variants v ON v.variant_id = st.variant_id
            WHERE m.is_group AND m.scored
              AND (m.task LIKE '% (macro)' OR m.metric = 'primary_score')""")):
        if r["variant_id"] in by_id:
            # e.g. "xquad_gen · f1", "all tasks · zh · primary_score"
            by_id[r["variant_id"]]["scores"][f"{r['family']} · {r['metric']}"] = _score(r)
    for r in gated_rows(con):   # "xquad_gen · f1:gated": wrong-language answers counted as 0
        if r["language"] is None and r["variant_id"] in by_id:
            by_id[r["variant_id"]]["scores"][f"{r['family']} · {r['metric']}"] = _score(r)
    for r in _dicts(con.execute("""
            SELECT variant_id, judge, facet, value, ci_low, ci_high, n, baseline FROM judge_metrics
            WHERE task = 'all' AND language IS NULL AND headline
              AND (baseline IS NULL OR facet IN ('bt_win_prob', 'lc_win_rate'))""")):
        if r["variant_id"] in by_id:
            # rankings against a baseline say which (shown "judge:pairwise/lc_win_rate vs demo@en-only")
            column = JudgeMetric(r["judge"], r["facet"], r["baseline"])
            by_id[r["variant_id"]]["scores"][column] = _score(r)
    return variants


def _score(r: dict[str, Any]) -> dict[str, Any]:
    return {"value": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"]}


def language_scores(con: duckdb.DuckDBPyConnection, variant_ids: list[str]) -> list[dict[str, Any]]:
    """Per variant, task and language: every scored metric and judge facet (long form); ``judge`` names
    a judge facet's judge (None for a task's own metric), its ``metric`` the name shown."""
    if not variant_ids:
        return []
    params = {"ids": variant_ids}
    rows = _dicts(con.execute("""
        SELECT v.variant_id, v.name AS variant, m.task, m.language, m.metric, m.value, m.n,
               coalesce(m.family, m.task) AS family, m.is_primary, true AS headline
        FROM variants v JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN metrics m ON m.eval_key = st.key AND m.scored
        WHERE v.variant_id IN (SELECT unnest($ids)) AND NOT m.is_group AND m.language IS NOT NULL
              AND m.metric NOT LIKE 'pivot:%'""", params))
    wanted = set(variant_ids)
    rows += [{**{k: g[k] for k in ("variant_id", "variant", "task", "language", "metric", "value", "n", "family")},
              "is_primary": False, "headline": True}
             for g in gated_rows(con) if g["variant_id"] in wanted and g["language"] is not None]
    for r in rows:   # a judge graded inside lm-eval reports its metric under the name users see
        r["judge"] = judged.judge if (judged := JudgeMetric.parse(r["metric"])) else None
    facets = _dicts(con.execute("""
        SELECT v.variant_id, v.name AS variant, j.task, j.language, j.facet AS metric, j.value, j.n,
               NULL AS family, false AS is_primary, j.headline, j.judge
        FROM judge_metrics j JOIN variants v USING (variant_id)
        WHERE v.variant_id IN (SELECT unnest($ids)) AND j.task <> 'all' AND j.language IS NOT NULL
              AND j.baseline IS NULL""", params))
    return rows + [{**r, "metric": JudgeMetric(r["judge"], r["metric"]).name} for r in facets]


def transfer_gaps(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per variant, family and language: the primary metric minus English's; ``family`` is NULL on rows
    stored before gaps named it (their task name less its language suffix is the family then)."""
    return _dicts(con.execute("""
        SELECT v.variant_id, v.name AS variant, m.task, m.family, m.language, m.metric, m.value
        FROM variants v JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN metrics m ON m.eval_key = st.key AND m.scored
        WHERE m.metric LIKE 'transfer_gap:%' ORDER BY v.name, m.task"""))


def pairwise(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Win / tie / loss / order-flip / error rates of each variant against its baseline, all answers
    (``outcome`` the facet of the judge called ``pairwise``, the whole name of another judge's)."""
    rows = _dicts(con.execute("""
        SELECT v.name AS variant, j.baseline, j.judge, j.facet, j.value, j.n, j.ci_low, j.ci_high
        FROM judge_metrics j JOIN variants v USING (variant_id)
        WHERE j.task = 'all' AND j.baseline IS NOT NULL ORDER BY v.name, j.baseline"""))
    return [{"variant": r["variant"], "baseline": r["baseline"],
             "outcome": r["facet"] if r["judge"] == "pairwise" else JudgeMetric(r["judge"], r["facet"]).name,
             **{k: r[k] for k in ("value", "n", "ci_low", "ci_high")}} for r in rows]

def samples(con: duckdb.DuckDBPyConnection, variant_id: str, *, task: str | None = None,
            language: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """A variant's answers with what the judges said of them."""
    rows = _dicts(con.execute("""
        SELECT s.task, s.doc_id, s.language,
               coalesce(s.doc->>'$.instruction', s.doc->>'$.question', s.doc->>'$.source') AS instruction,
               s.prompt, s.raw_response,
               s.kept_response, s.pivot_status, s.doc_hash
        FROM variants v JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN samples s ON s.eval_key = st.key
        WHERE v.variant_id = $id AND ($task IS NULL OR s.task = $task) AND ($lang IS NULL OR s.language = $lang)
        ORDER BY s.task, s.doc_id LIMIT $limit""", {"id": variant_id, "task": task, "lang": language, "limit": limit}))
    if not rows:
        return rows
    grades = _dicts(con.execute("""
        SELECT l.task, l.doc_id, vj.judge, vj.kind, j.status, j.scores, j.verdict, j.detected_language,
               j.rationale, l.slot
        FROM variant_judges vj JOIN variant_stages st ON st.variant_id = vj.variant_id AND st.kind = 'eval'
        JOIN judgment_links l ON l.eval_key = st.key AND l.judge_hash = vj.judge_hash
        LEFT JOIN judgments j USING (judgment_key)
        WHERE vj.variant_id = ?""", [variant_id]))
    by_doc: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for g in grades:
        by_doc.setdefault((g["task"], g["doc_id"]), []).append(g)
    for r in rows:
        r["judgments"] = by_doc.get((r["task"], r["doc_id"]), [])
        for g in r["judgments"]:
            if g["status"] != "ok":
                continue
            # Whatever the protocol, a grade shows as its fields: per-answer scores (one slot, not a
            # pairwise order), the detected language and the rationale where the judgment has them.
            if g["detected_language"]:
                r["detected_language"] = g["detected_language"]
            if g["scores"] and not g["slot"]:
                r.update({f"{g['judge']}/{k}": v for k, v in json.loads(g["scores"]).items()})
            if g["rationale"] and not g["slot"]:
                r["rationale"] = g["rationale"]
    return rows


def trend_points(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per variant and language: the primary score, with every recipe field of the variant (dotted)."""
    variants = {v["variant_id"]: v for v in evaluated_variants(con)}
    out = []
    for r in _dicts(con.execute("""
            SELECT v.variant_id, m.language, m.value
            FROM variants v JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
            JOIN metrics m ON m.eval_key = st.key AND m.scored
            WHERE m.metric = 'primary_score' AND m.is_group""")):
        v = variants.get(r["variant_id"])
        if v is not None:
            out.append({"variant": v["variant"], "language": r["language"], "value": r["value"], **v["config"]})
    return out


def variant_by_name(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, Any] | None:
    """The newest variant called ``name`` that has a finished evaluation (id and eval key)."""
    rows = _dicts(con.execute("""
        SELECT v.variant_id, v.name, st.key AS eval_key FROM variants v
        JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN stage_runs r ON r.kind = 'eval' AND r.key = st.key AND r.status IN ('done', 'adopted')
        WHERE v.name = ? ORDER BY v.created_at DESC LIMIT 1""", [name]))
    return rows[0] if rows else None


def document_rows(con: duckdb.DuckDBPyConnection, eval_key: str) -> list[dict[str, Any]]:
    """One evaluation's per-document values (the scored answer's per-sample metrics)."""
    rows = _dicts(con.execute("""SELECT task, doc_id, language, doc_hash, sample_metrics FROM samples
                                 WHERE eval_key = ? ORDER BY task, doc_id""", [eval_key]))
    for r in rows:
        r["sample_metrics"] = json.loads(r["sample_metrics"]) if isinstance(r["sample_metrics"], str) else {}
    return rows


def selection_curves(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per variant that selected a checkpoint: validation score per language and step, the chosen step."""
    return _dicts(con.execute("""
        SELECT v.name AS variant, c.step, c.language, c.value, c.n, s.selected_step, s.metric, s.aggregate
        FROM variants v JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'select'
        JOIN checkpoint_selections s ON s.select_key = st.key
        JOIN checkpoint_scores c ON c.select_key = st.key
        ORDER BY v.name, c.step, c.language"""))


def rankings(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Bradley–Terry win probabilities and length-controlled / raw win rates against each baseline."""
    return _dicts(con.execute("""
        SELECT v.name AS variant, j.baseline, j.judge, j.facet AS measure, j.language, j.value, j.ci_low,
               j.ci_high, j.n
        FROM judge_metrics j JOIN variants v USING (variant_id)
        WHERE j.baseline IS NOT NULL AND j.facet IN ('bt_win_prob', 'lc_win_rate', 'win_rate')
              AND (j.task = 'all' OR j.task = 'all tasks')
        ORDER BY v.name, measure, j.language NULLS FIRST"""))


def win_rates_by_language(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Pairwise win rates (ties half) of each variant against its baseline, per task and language, with
    their bootstrap 95 % intervals."""
    return _dicts(con.execute("""
        SELECT v.name AS variant, j.baseline, j.judge, j.task, j.language, j.value, j.ci_low, j.ci_high, j.n
        FROM judge_metrics j JOIN variants v USING (variant_id)
        WHERE j.baseline IS NOT NULL AND j.language IS NOT NULL AND j.facet = 'win_rate'
        ORDER BY v.name, j.baseline, j.task"""))


def primary_by_language(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per evaluated variant, task and language: the task's primary metric on its scored filter, with
    its stored 95 % interval and n (the numbers the paper's heatmap and forest plots draw)."""
    return _dicts(con.execute("""
        SELECT v.name AS variant, m.task, coalesce(m.family, m.task) AS family, m.language, m.metric, m.value,
               m.ci_low, m.ci_high, m.n
        FROM variants v JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN metrics m ON m.eval_key = st.key AND m.scored AND m.is_primary
        WHERE NOT m.is_group AND m.language IS NOT NULL
          AND EXISTS (SELECT 1 FROM stage_runs r WHERE r.kind = 'eval' AND r.key = st.key
                      AND r.status IN ('done', 'adopted'))
        ORDER BY v.name, family, m.language"""))
