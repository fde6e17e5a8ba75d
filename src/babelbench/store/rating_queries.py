"""Reads for human ratings: the stored ratings, the answers a person can rate (with what the judges
said of them), and the ratings beside the judges' grades of the same answers. Selects only; the
agreement statistics and the choice of the next answer live in ``analysis/``."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from ..core.ratings import HumanRating


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def ratings(con: duckdb.DuckDBPyConnection) -> list[HumanRating]:
    """Every stored rating, oldest first."""
    return [HumanRating(**r) for r in _dicts(con.execute("""
        SELECT rater, eval_key, task, doc_id, facet, score, scale_min, scale_max, baseline_eval, shown_order,
               verdict, note, rated_at FROM human_ratings
        ORDER BY rated_at, rater, eval_key, task, doc_id, facet, baseline_eval"""))]


def rubric_judges(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Rubric judge name -> its facets (name, description, min, max, levels) and floor rules, as stored
    with the variants it graded (the newest registration of a name)."""
    out: dict[str, dict[str, Any]] = {}
    for judge, config in con.execute("""
            SELECT vj.judge, vj.config FROM variant_judges vj JOIN variants v USING (variant_id)
            WHERE vj.kind = 'rubric' ORDER BY v.created_at, vj.judge_hash""").fetchall():
        stored = (_json(config) or {}).get("config", {})
        out[judge] = {"facets": stored.get("facets", []),
                      "floor_rules": stored.get("floor_rules", []) if stored.get("apply_floor_rules", True) else []}
    return out


def answer_keys(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, int]]:
    """The sample key (eval_key, task, doc_id) of every stored answer."""
    return {(e, t, int(d)) for e, t, d in con.execute("SELECT eval_key, task, doc_id FROM samples").fetchall()}


_ANSWER = """s.eval_key, s.task, s.doc_id, s.language,
             coalesce(s.doc->>'$.instruction', s.doc->>'$.question', s.doc->>'$.source', s.prompt) AS instruction,
             s.kept_response AS answer"""


def rubric_answers(con: duckdb.DuckDBPyConnection, judge: str, language: str | None) -> list[dict[str, Any]]:
    """The answers rubric judge ``judge`` graded (in ``language``, or all), each with every rubric judge's
    grades of it: ``grades`` = [{judge, status, scores}]."""
    rows = _dicts(con.execute(f"""
        SELECT DISTINCT {_ANSWER} FROM judgment_links l
        JOIN judgments j ON j.judgment_key = l.judgment_key AND j.judge = $judge AND j.kind = 'rubric'
        JOIN samples s ON s.eval_key = l.eval_key AND s.task = l.task AND s.doc_id = l.doc_id
        WHERE l.slot = '' AND ($lang IS NULL OR s.language = $lang)
        ORDER BY s.task, s.doc_id, s.eval_key""", {"judge": judge, "lang": language}))
    grades: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for g in _dicts(con.execute("""
            SELECT l.eval_key, l.task, l.doc_id, j.judge, j.status, j.scores FROM judgment_links l
            JOIN judgments j ON j.judgment_key = l.judgment_key AND j.kind = 'rubric'
            JOIN samples s ON s.eval_key = l.eval_key AND s.task = l.task AND s.doc_id = l.doc_id
            WHERE l.slot = '' AND ($lang IS NULL OR s.language = $lang)""", {"lang": language})):
        grades.setdefault((g["eval_key"], g["task"], g["doc_id"]), []).append(
            {"judge": g["judge"], "status": g["status"], "scores": _json(g["scores"]) or {}})
    for r in rows:
        r["grades"] = grades.get((r["eval_key"], r["task"], r["doc_id"]), [])
    return rows


def pairwise_answers(con: duckdb.DuckDBPyConnection, language: str | None) -> list[dict[str, Any]]:
    """Pairs a pairwise judge compared (in ``language``, or all): the rated answer and the other
    evaluation's answer to the same document, with the judges' verdicts (``verdicts``: [{judge, order, verdict}])."""
    rows = _dicts(con.execute(f"""
        SELECT {_ANSWER}, split_part(l.slot, ':', 1) AS baseline_eval, b.kept_response AS other,
               list({{'judge': j.judge, 'order': split_part(l.slot, ':', 2), 'verdict': j.verdict,
                      'status': j.status}} ORDER BY l.slot, j.judge) AS verdicts
        FROM judgment_links l
        JOIN judgments j ON j.judgment_key = l.judgment_key AND j.kind = 'pairwise'
        JOIN samples s ON s.eval_key = l.eval_key AND s.task = l.task AND s.doc_id = l.doc_id
        JOIN samples b ON b.eval_key = split_part(l.slot, ':', 1) AND b.task = l.task AND b.doc_id = l.doc_id
        WHERE l.slot <> '' AND ($lang IS NULL OR s.language = $lang)
        GROUP BY ALL ORDER BY s.task, s.doc_id, s.eval_key, baseline_eval""", {"lang": language}))
    return rows


def rated_languages(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Languages of the answers some judge graded (what the Rate page offers)."""
    return [r[0] for r in con.execute("""
        SELECT DISTINCT s.language FROM judgment_links l JOIN judgments j USING (judgment_key)
        JOIN samples s ON s.eval_key = l.eval_key AND s.task = l.task AND s.doc_id = l.doc_id
        WHERE j.kind IN ('rubric', 'pairwise') AND s.language IS NOT NULL ORDER BY 1""").fetchall()]


def rubric_pairs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Each rubric rating beside each rubric judge's grades of the same answer: rater, answer key,
    language, facet, the human grade and scale, the judge, its status and scores."""
    rows = _dicts(con.execute("""
        SELECT r.rater, r.eval_key, r.task, r.doc_id, s.language, r.facet, r.score, r.scale_min, r.scale_max,
               j.judge, j.status, j.scores
        FROM human_ratings r
        JOIN samples s ON s.eval_key = r.eval_key AND s.task = r.task AND s.doc_id = r.doc_id
        JOIN judgment_links l ON l.eval_key = r.eval_key AND l.task = r.task AND l.doc_id = r.doc_id AND l.slot = ''
        JOIN judgments j ON j.judgment_key = l.judgment_key AND j.kind = 'rubric'
        WHERE r.baseline_eval = '' AND r.score IS NOT NULL
        ORDER BY j.judge, s.language, r.facet, r.eval_key, r.task, r.doc_id, r.rater"""))
    for r in rows:
        r["scores"] = _json(r["scores"]) or {}
    return rows


def rubric_ratings(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every rubric rating with its answer's language (for agreement between raters)."""
    return _dicts(con.execute("""
        SELECT r.rater, r.eval_key, r.task, r.doc_id, s.language, r.facet, r.score, r.scale_min, r.scale_max
        FROM human_ratings r
        JOIN samples s ON s.eval_key = r.eval_key AND s.task = r.task AND s.doc_id = r.doc_id
        WHERE r.baseline_eval = '' AND r.score IS NOT NULL
        ORDER BY s.language, r.facet, r.eval_key, r.task, r.doc_id, r.rater"""))


def pairwise_pairs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Each pairwise rating beside each pairwise judge's verdicts on the same pair, both orders
    (``judge_verdicts``: order -> verdict, None where the reply did not parse)."""
    rows = _dicts(con.execute("""
        SELECT r.rater, r.eval_key, r.task, r.doc_id, s.language, r.baseline_eval, r.shown_order, r.verdict,
               j.judge, map_from_entries(list({'k': split_part(l.slot, ':', 2),
                                              'v': CASE WHEN j.status = 'ok' THEN j.verdict END})) AS judge_verdicts
        FROM human_ratings r
        JOIN samples s ON s.eval_key = r.eval_key AND s.task = r.task AND s.doc_id = r.doc_id
        JOIN judgment_links l ON l.eval_key = r.eval_key AND l.task = r.task AND l.doc_id = r.doc_id
             AND l.slot LIKE r.baseline_eval || ':%'
        JOIN judgments j ON j.judgment_key = l.judgment_key AND j.kind = 'pairwise'
        WHERE r.baseline_eval <> '' AND r.verdict IS NOT NULL
        GROUP BY ALL ORDER BY j.judge, s.language, r.eval_key, r.task, r.doc_id, r.rater"""))
    for r in rows:
        r["judge_verdicts"] = dict(r["judge_verdicts"])
    return rows
