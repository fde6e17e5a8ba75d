"""Judge numbers, computed from stored judgments: facet means, win rates, reliability.

Each row has the shape of :func:`babelbench.store.queries.report_rows` rows, with the
metric named ``judge:<judge>/<facet>`` and a bootstrap 95 % interval. Rows are computed
per (task, language) and over all of a variant's judged answers (task ``all``), once per
variant at the end of its judge pass, and stored in ``judge_metrics`` (:func:`refresh`), so
readers (report, board, publishing) only select them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import duckdb

from ..analysis.bootstrap import mean_ci

#: Per-order verdict -> outcome for the judged variant. In order ``ab`` the variant is A.
_OUTCOME = {("ab", "A"): "win", ("ab", "B"): "loss", ("ab", "tie"): "tie",
            ("ba", "A"): "loss", ("ba", "B"): "win", ("ba", "tie"): "tie"}


def combine(first: str, second: str) -> str:
    """Two orders' outcomes -> the pair's: same twice = it; win + tie = win; win + loss = tie."""
    if first == second:
        return first
    pair = {first, second}
    if pair == {"win", "tie"}:
        return "win"
    if pair == {"loss", "tie"}:
        return "loss"
    return "tie"


def _links(con: duckdb.DuckDBPyConnection, variant_id: str | None) -> list[dict[str, Any]]:
    cur = con.execute(f"""
        SELECT v.name AS variant, v.variant_id, v.base_model, v.method, v.pivot_mode,
               vj.judge, vj.kind, b.name AS baseline,
               l.task, sm.language, l.doc_id, l.slot, l.status AS link_status,
               j.status, j.scores, j.verdict
        FROM variants v
        JOIN variant_judges vj ON vj.variant_id = v.variant_id
        JOIN variant_stages st ON st.variant_id = v.variant_id AND st.kind = 'eval'
        JOIN judgment_links l ON l.eval_key = st.key AND l.judge_hash = vj.judge_hash
             AND (vj.kind <> 'pairwise' OR l.slot LIKE vj.baseline_eval || ':%')
        LEFT JOIN judgments j ON j.judgment_key = l.judgment_key
        LEFT JOIN samples sm ON sm.eval_key = l.eval_key AND sm.task = l.task AND sm.doc_id = l.doc_id
        LEFT JOIN variants b ON b.variant_id = vj.baseline_variant
        {"WHERE v.variant_id = $variant" if variant_id else ""}
        ORDER BY v.name, vj.judge, l.task, l.doc_id, l.slot""", {"variant": variant_id} if variant_id else {})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def judge_rows(con: duckdb.DuckDBPyConnection, variant_id: str | None = None) -> list[dict[str, Any]]:
    """Judge metric rows computed from the stored judgments (of one variant, or all)."""
    links = _links(con, variant_id)
    # (variant, judge) -> scope -> metric -> values ; scope is (task, language) or ("all", None)
    values: dict[tuple, dict[tuple, dict[str, list[float]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    meta: dict[tuple, dict[str, Any]] = {}
    pairs: dict[tuple, dict[str, str | None]] = defaultdict(dict)
    # for the rubric/language-id agreement: (variant, task, doc) -> {judge kind: value}
    language_votes: dict[tuple, dict[str, Any]] = defaultdict(dict)

    for r in links:
        head = (r["variant"], r["judge"])
        meta.setdefault(head, {k: r[k] for k in ("variant", "base_model", "method", "pivot_mode", "judge", "kind",
                                                 "baseline")})
        scopes = [(r["task"], r["language"]), ("all", None)]

        def add(metric: str, value: float) -> None:
            for scope in scopes:
                values[head][scope][metric].append(value)

        if r["pivot_mode"] == "plug" and (r["slot"] == "" or r["slot"].endswith(":ab")):  # once per answer
            add("no_target", float(r["link_status"] == "no_target"))
        if r["link_status"] == "no_target":
            continue
        if r["kind"] == "pairwise":
            order = r["slot"].rsplit(":", 1)[1]
            verdict = r["verdict"] if r["status"] == "ok" else None
            pairs[(head, r["task"], r["language"], r["doc_id"])][order] = verdict
            continue
        if r["kind"] != "language-id":  # no LLM, nothing to parse
            add("parse_failure_rate", float(r["status"] == "parse_failure"))
        if r["status"] != "ok":
            continue
        scores = json.loads(r["scores"]) if isinstance(r["scores"], str) else (r["scores"] or {})
        for facet, grade in scores.items():
            if grade is not None:
                add(facet, float(grade))
        if r["kind"] == "language-id" and scores.get("match") is not None:
            language_votes[(r["variant"], r["task"], r["language"], r["doc_id"])]["id"] = scores["match"]
        if r["kind"] == "rubric" and "language" in scores:
            language_votes[(r["variant"], r["task"], r["language"], r["doc_id"])][r["judge"]] = scores["language"]

    for (head, task, language, _doc), orders in pairs.items():
        ab, ba = orders.get("ab"), orders.get("ba")
        for scope in ((task, language), ("all", None)):
            bucket = values[head][scope]
            if ab is None or ba is None:
                bucket["error_rate"].append(1.0)
                continue
            bucket["error_rate"].append(0.0)
            first, second = _OUTCOME[("ab", ab)], _OUTCOME[("ba", ba)]
            outcome = combine(first, second)
            for name in ("win", "tie", "loss"):
                bucket[name].append(float(outcome == name))
            bucket["order_flip"].append(float(first != second))

    # Reliability: does the rubric's language facet agree with the language identifier?
    lowest: dict[str, int] = {}
    for (variant, task, language, _doc), votes in language_votes.items():
        if "id" not in votes:
            continue
        for judge, grade in votes.items():
            if judge == "id":
                continue
            if judge not in lowest:
                lowest[judge] = _lowest_language_grade(con, judge)
            agree = float((grade > lowest[judge]) == bool(votes["id"]))
            for scope in ((task, language), ("all", None)):
                values[(variant, judge)][scope]["language_agreement"].append(agree)

    rows = []
    for head, scopes in values.items():
        m = meta[head]
        for (task, language), metrics in scopes.items():
            for metric, vals in sorted(metrics.items()):
                mean, low, high = mean_ci(vals)
                rows.append({"variant": m["variant"], "base_model": m["base_model"], "method": m["method"],
                             "pivot_mode": m["pivot_mode"], "task": task, "language": language,
                             "metric": f"judge:{m['judge']}/{metric}",
                             "filter": "plug" if m["pivot_mode"] == "plug" else "none",
                             "value": mean, "stderr": None, "n": len(vals), "ci_low": low, "ci_high": high,
                             "baseline": m["baseline"]})
    rows.sort(key=lambda r: (r["variant"], r["task"] == "all", r["task"], r["metric"]))
    return rows


def _lowest_language_grade(con: duckdb.DuckDBPyConnection, judge: str) -> int:
    row = con.execute("SELECT config FROM variant_judges WHERE judge = ? LIMIT 1", [judge]).fetchone()
    facets = json.loads(row[0])["config"]["facets"] if row else []
    return next((f["min"] for f in facets if f["name"] == "language"), 1)


def refresh(con: duckdb.DuckDBPyConnection, variant_id: str) -> int:
    """Recompute and store one variant's judge metrics; return how many rows it has."""
    import pyarrow as pa

    rows = judge_rows(con, variant_id)
    con.execute("DELETE FROM judge_metrics WHERE variant_id = ?", [variant_id])
    if rows:
        columns = ["task", "language", "metric", "filter", "value", "n", "ci_low", "ci_high", "baseline"]
        table = pa.Table.from_pylist([{c: r[c] for c in columns} for r in rows], schema=pa.schema(
            [(c, pa.float64() if c in ("value", "ci_low", "ci_high") else pa.int64() if c == "n" else pa.string())
             for c in columns]))
        con.register("_judge_metrics_in", table)
        con.execute(f"INSERT INTO judge_metrics SELECT ?, {', '.join(columns)} FROM _judge_metrics_in", [variant_id])
        con.unregister("_judge_metrics_in")
    return len(rows)


def stored_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute("""
        SELECT v.name AS variant, v.base_model, v.method, v.pivot_mode, j.task, j.language, j.metric, j.filter,
               j.value, NULL::DOUBLE AS stderr, j.n, j.ci_low, j.ci_high, j.baseline
        FROM judge_metrics j JOIN variants v USING (variant_id)
        ORDER BY v.name, j.task = 'all', j.task, j.metric""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]
