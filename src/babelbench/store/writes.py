"""Everything the pipeline writes. Each function runs inside one ``Store.write()`` transaction."""

from __future__ import annotations

import json
from typing import Any

import duckdb


def register_recipe(con: duckdb.DuckDBPyConnection, recipe_hash: str, file: str, text: str) -> None:
    con.execute("INSERT INTO recipes VALUES (?, ?, ?, now()) ON CONFLICT DO NOTHING", [recipe_hash, file, text])


def register_variant(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    con.execute(
        """INSERT INTO variants VALUES ($variant_id, $name, $recipe_hash, $recipe_file, $base_model, $method,
               $pivot_mode, $pivot_language, $data_mix, $data_size, $config, $choices, now())
           ON CONFLICT DO NOTHING""",
        {**row, "data_mix": json.dumps(row["data_mix"]), "config": json.dumps(row["config"]),
         "choices": json.dumps(row["choices"])},
    )


def link_stage(con: duckdb.DuckDBPyConnection, variant_id: str, kind: str, key: str) -> None:
    con.execute("INSERT OR REPLACE INTO variant_stages VALUES (?, ?, ?)", [variant_id, kind, key])


def is_done(con: duckdb.DuckDBPyConnection, kind: str, key: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM stage_runs WHERE kind = ? AND key = ? AND status IN ('done', 'adopted')",
        [kind, key]).fetchone()[0] > 0


def interrupt_stale(con: duckdb.DuckDBPyConnection, kind: str, key: str) -> int:
    """Mark earlier attempts of this stage that never finished (a killed process) as interrupted."""
    return len(con.execute(
        "UPDATE stage_runs SET status = 'interrupted' WHERE kind = ? AND key = ? AND status = 'running' RETURNING run_id",
        [kind, key]).fetchall())


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, kind: str, key: str, variant_id: str,
              versions: dict[str, str], git_commit: str | None) -> None:
    con.execute(
        "INSERT INTO stage_runs (run_id, kind, key, variant_id, status, started_at, versions, git_commit) "
        "VALUES (?, ?, ?, ?, 'running', now(), ?, ?)",
        [run_id, kind, key, variant_id, json.dumps(versions), git_commit])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, seconds: float,
               output: str | None = None, info: dict[str, Any] | None = None, error: str | None = None) -> None:
    con.execute(
        "UPDATE stage_runs SET status = ?, finished_at = now(), seconds = ?, output = ?, info = ?, error = ? "
        "WHERE run_id = ?",
        [status, seconds, output, json.dumps(info) if info is not None else None, error, run_id])


def write_data_stats(con: duckdb.DuckDBPyConnection, data_key: str, languages: dict[str, Any]) -> None:
    con.execute("DELETE FROM data_stats WHERE data_key = ?", [data_key])
    for lang, s in languages.items():
        con.execute("INSERT INTO data_stats VALUES (?, ?, ?, ?, ?, ?)",
                    [data_key, lang, s.examples, s.unique, s.prompt_tokens, s.response_tokens])


def write_eval(con: duckdb.DuckDBPyConnection, eval_key: str, metrics: list[dict[str, Any]],
               samples: list[dict[str, Any]]) -> None:
    """Replace the eval stage's rows (so a forced re-run cannot duplicate them)."""
    import pyarrow as pa

    con.execute("DELETE FROM metrics WHERE eval_key = ?", [eval_key])
    con.execute("DELETE FROM samples WHERE eval_key = ?", [eval_key])
    if metrics:
        metrics_table = pa.Table.from_pylist([{"ci_low": None, "ci_high": None, **m, "eval_key": eval_key}
                                              for m in metrics])
        con.register("_metrics_in", metrics_table)
        con.execute("""INSERT INTO metrics (eval_key, task, task_version, language, metric, filter, value, stderr,
                       n, is_group, ci_low, ci_high)
                       SELECT eval_key, task, task_version, language, metric, filter, value, stderr, n, is_group,
                       ci_low::DOUBLE, ci_high::DOUBLE FROM _metrics_in""")
        con.unregister("_metrics_in")
    if samples:
        rows = [{**s, "eval_key": eval_key, "doc": json.dumps(s["doc"], ensure_ascii=False, default=str),
                 "sample_metrics": json.dumps(s["sample_metrics"])} for s in samples]
        samples_table = pa.Table.from_pylist(rows)
        con.register("_samples_in", samples_table)
        con.execute("""INSERT INTO samples SELECT eval_key, task, doc_id, language, prompt, raw_response,
                       kept_response, kept_filter, pivot_status, target, doc, doc_hash, prompt_hash,
                       target_hash, sample_metrics FROM _samples_in""")
        con.unregister("_samples_in")


def register_variant_judge(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    con.execute("INSERT OR REPLACE INTO variant_judges VALUES ($variant_id, $judge, $judge_hash, $kind, "
                "$baseline_variant, $baseline_eval, $config)", {**row, "config": json.dumps(row["config"])})


def existing_judgments(con: duckdb.DuckDBPyConnection, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    import pyarrow as pa

    con.register("_keys_in", pa.table({"k": keys}))
    try:
        return {r[0] for r in con.execute(
            "SELECT judgment_key FROM judgments JOIN _keys_in ON judgment_key = k").fetchall()}
    finally:
        con.unregister("_keys_in")


def write_judgments(con: duckdb.DuckDBPyConnection, judgments: list[dict[str, Any]],
                    links: list[dict[str, Any]]) -> None:
    """Insert judgments and their links; a key already stored is kept as it is."""
    import pyarrow as pa

    if judgments:
        rows = [{**j, "scores": _json(j.get("scores")), "raw_scores": _json(j.get("raw_scores"))} for j in judgments]
        columns = ["judgment_key", "judge", "judge_hash", "kind", "status", "scores", "raw_scores", "verdict",
                   "detected_language", "code_switch", "rationale", "raw", "error", "backend", "model",
                   "attempts", "seconds"]
        table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows],
                                     schema=pa.schema([(c, pa.float64() if c in ("code_switch", "seconds") else
                                                        pa.int64() if c == "attempts" else pa.string())
                                                       for c in columns]))
        con.register("_judgments_in", table)
        con.execute(f"INSERT INTO judgments SELECT {', '.join(columns)}, now() FROM _judgments_in "
                    "ON CONFLICT DO NOTHING")
        con.unregister("_judgments_in")
    if links:
        columns = ["eval_key", "task", "doc_id", "judge_hash", "slot", "judgment_key", "status"]
        table = pa.Table.from_pylist([{c: link.get(c) for c in columns} for link in links],
                                     schema=pa.schema([(c, pa.int64() if c == "doc_id" else pa.string())
                                                       for c in columns]))
        con.register("_links_in", table)
        con.execute(f"INSERT OR REPLACE INTO judgment_links SELECT {', '.join(columns)} FROM _links_in")
        con.unregister("_links_in")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)
