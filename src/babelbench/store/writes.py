"""Everything the pipeline writes. Each function runs inside one ``Store.write()`` transaction."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from ..core.metric_name import JudgeMetric
from ..core.ratings import HumanRating
from ..core.records import AlignmentRows, DataRows, EvalRows, JudgeRows, JudgmentLink, JudgmentRecord, Rows, SelectRows

if TYPE_CHECKING:   # the store's users import duckdb only when they connect
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


def register_runs(con: duckdb.DuckDBPyConnection, recipes: list[tuple[str, str, str]], variants: list[dict[str, Any]],
                  links: list[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """Record a run's recipes (hash, file, text), variants (rows as :func:`register_variant` takes) and stage
    links (variant_id, kind, key) in one go; return which linked (kind, key) stages are done.

    What the store holds already is read first and only what is new or changed is written, so an unchanged
    re-run reads four times and writes nothing, whatever its number of variants."""
    hashes = sorted({h for h, _, _ in recipes})
    ids = sorted({row["variant_id"] for row in variants} | {vid for vid, _, _ in links})
    known_recipes = {r[0] for r in con.execute(
        "SELECT recipe_hash FROM recipes WHERE list_contains(?, recipe_hash)", [hashes]).fetchall()}
    known_variants = {r[0] for r in con.execute(
        "SELECT variant_id FROM variants WHERE list_contains(?, variant_id)", [ids]).fetchall()}
    known_links = {(vid, kind): key for vid, kind, key in con.execute(
        "SELECT variant_id, kind, key FROM variant_stages WHERE list_contains(?, variant_id)", [ids]).fetchall()}
    for recipe_hash, file, text in recipes:
        if recipe_hash not in known_recipes:
            register_recipe(con, recipe_hash, file, text)
            known_recipes.add(recipe_hash)
    for row in variants:
        if row["variant_id"] not in known_variants:
            register_variant(con, row)
            known_variants.add(row["variant_id"])
    for variant_id, kind, key in links:
        if known_links.get((variant_id, kind)) != key:
            link_stage(con, variant_id, kind, key)
            known_links[(variant_id, kind)] = key
    keys = sorted({key for _, _, key in links})
    done = set(con.execute(
        "SELECT DISTINCT kind, key FROM stage_runs WHERE list_contains(?, key) AND status IN ('done', 'adopted')",
        [keys]).fetchall())
    return {(kind, key) for _, kind, key in links if (kind, key) in done}


def is_done(con: duckdb.DuckDBPyConnection, kind: str, key: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM stage_runs WHERE kind = ? AND key = ? AND status IN ('done', 'adopted')",
        [kind, key]).fetchone()
    return row is not None and row[0] > 0


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


def write_rows(con: duckdb.DuckDBPyConnection, key: str, rows: Rows | None) -> None:
    """Store a stage's typed rows under its key (dispatch by the rows' type)."""
    if rows is None:
        return
    _ROW_WRITERS[type(rows)](con, key, rows)


def write_data_stats(con: duckdb.DuckDBPyConnection, data_key: str, rows: DataRows) -> None:
    con.execute("DELETE FROM data_stats WHERE data_key = ?", [data_key])
    for s in rows.stats:
        con.execute("INSERT INTO data_stats (data_key, language, examples, unique_examples, prompt_tokens, "
                    "response_tokens, translation_examples) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [data_key, s.language, s.examples, s.unique, s.prompt_tokens, s.response_tokens, s.translation])


_METRIC_COLUMNS = ["eval_key", "task", "task_version", "language", "metric", "filter", "value", "stderr", "n",
                   "is_group", "ci_low", "ci_high", "scored", "is_primary", "family"]


def write_eval(con: duckdb.DuckDBPyConnection, eval_key: str, rows: EvalRows) -> None:
    """Replace the eval stage's rows (so a forced re-run cannot duplicate them)."""
    import pyarrow as pa

    con.execute("DELETE FROM metrics WHERE eval_key = ?", [eval_key])
    con.execute("DELETE FROM samples WHERE eval_key = ?", [eval_key])
    if rows.metrics:
        table = pa.Table.from_pylist([{**m.as_row(), "eval_key": eval_key} for m in rows.metrics])
        con.register("_metrics_in", table)
        select = ", ".join(f"{c}::DOUBLE" if c in ("ci_low", "ci_high", "stderr", "value") else c
                           for c in _METRIC_COLUMNS)
        con.execute(f"INSERT INTO metrics ({', '.join(_METRIC_COLUMNS)}) SELECT {select} FROM _metrics_in")
        con.unregister("_metrics_in")
    if rows.samples:
        table = pa.Table.from_pylist([{**s.as_row(), "eval_key": eval_key,
                                       "doc": json.dumps(s.doc, ensure_ascii=False, default=str),
                                       "sample_metrics": json.dumps(s.sample_metrics)} for s in rows.samples])
        con.register("_samples_in", table)
        con.execute("""INSERT INTO samples SELECT eval_key, task, doc_id, language, prompt, raw_response,
                       kept_response, kept_filter, pivot_status, target, doc, doc_hash, prompt_hash,
                       target_hash, sample_metrics FROM _samples_in""")
        con.unregister("_samples_in")


def register_variant_judge(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    con.execute("INSERT OR REPLACE INTO variant_judges VALUES ($variant_id, $judge, $judge_hash, $kind, "
                "$baseline_variant, $baseline_eval, $config, $against)",
                {**row, "config": json.dumps(row["config"]), "against": row["baseline_variant"] or ""})


_JUDGMENT_COLUMNS = ["judgment_key", "judge", "judge_hash", "kind", "status", "scores", "raw_scores", "verdict",
                     "detected_language", "code_switch", "rationale", "raw", "error", "backend", "model",
                     "attempts", "seconds"]
_LINK_COLUMNS = ["eval_key", "task", "doc_id", "judge_hash", "slot", "judgment_key", "status"]


def write_judgments(con: duckdb.DuckDBPyConnection, judgments: list[JudgmentRecord],
                    links: list[JudgmentLink]) -> None:
    """Insert judgments and their links; a key already stored is kept as it is."""
    import pyarrow as pa

    if judgments:
        rows = [{**asdict(j), "scores": _json(j.scores), "raw_scores": _json(j.raw_scores)} for j in judgments]
        table = pa.Table.from_pylist([{c: r.get(c) for c in _JUDGMENT_COLUMNS} for r in rows],
                                     schema=pa.schema([(c, pa.float64() if c in ("code_switch", "seconds") else
                                                        pa.int64() if c == "attempts" else pa.string())
                                                       for c in _JUDGMENT_COLUMNS]))
        con.register("_judgments_in", table)
        con.execute(f"INSERT INTO judgments SELECT {', '.join(_JUDGMENT_COLUMNS)}, now() FROM _judgments_in "
                    "ON CONFLICT DO NOTHING")
        con.unregister("_judgments_in")
    if links:
        table = pa.Table.from_pylist([asdict(link) for link in links],
                                     schema=pa.schema([(c, pa.int64() if c == "doc_id" else pa.string())
                                                       for c in _LINK_COLUMNS]))
        con.register("_links_in", table)
        con.execute(f"INSERT OR REPLACE INTO judgment_links SELECT {', '.join(_LINK_COLUMNS)} FROM _links_in")
        con.unregister("_links_in")


def write_judge_links(con: duckdb.DuckDBPyConnection, _key: str, rows: JudgeRows) -> None:
    write_judgments(con, [], rows.links)


def write_judge_metrics(con: duckdb.DuckDBPyConnection, variant_id: str, rows: list[dict[str, Any]],
                        only: list[JudgeMetric] | None = None) -> None:
    """Replace one variant's judge metrics (computed by ``analysis``; each row's ``metric`` a
    :class:`JudgeMetric`); with ``only``, just those metrics (whatever their baselines)."""
    import pyarrow as pa

    if only is None:
        con.execute("DELETE FROM judge_metrics WHERE variant_id = ?", [variant_id])
    for m in only or []:
        con.execute("DELETE FROM judge_metrics WHERE variant_id = ? AND judge = ? AND facet = ?",
                    [variant_id, m.judge, m.facet])
    if not rows:
        return
    columns = ["task", "language", "judge", "facet", "filter", "value", "n", "ci_low", "ci_high", "baseline",
               "headline"]
    types = {"value": pa.float64(), "ci_low": pa.float64(), "ci_high": pa.float64(), "n": pa.int64(),
             "headline": pa.bool_()}
    records = [{**r, "judge": r["metric"].judge, "facet": r["metric"].facet} for r in rows]
    table = pa.Table.from_pylist([{c: r[c] for c in columns} for r in records],
                                 schema=pa.schema([(c, types.get(c, pa.string())) for c in columns]))
    con.register("_judge_metrics_in", table)
    con.execute(f"INSERT INTO judge_metrics (variant_id, {', '.join(columns)}) "
                f"SELECT ?, {', '.join(columns)} FROM _judge_metrics_in", [variant_id])
    con.unregister("_judge_metrics_in")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def write_selection(con: duckdb.DuckDBPyConnection, select_key: str, rows: SelectRows) -> None:
    con.execute("DELETE FROM checkpoint_scores WHERE select_key = ?", [select_key])
    con.execute("DELETE FROM checkpoint_selections WHERE select_key = ?", [select_key])
    for s in rows.scores:
        con.execute("INSERT INTO checkpoint_scores VALUES (?, ?, ?, ?, ?, ?)",
                    [select_key, s.step, s.language, s.value, s.n, s.eval_key])
    con.execute("INSERT INTO checkpoint_selections VALUES (?, ?, ?, ?, ?)",
                [select_key, rows.metric, rows.aggregate, rows.selected_step,
                 json.dumps({str(k): v for k, v in rows.totals.items()})])


_ALIGNMENT_COLUMNS = ["layer", "source_language", "target_language", "pair_cosine", "nonpair_cosine",
                      "retrieval_forward", "retrieval_backward", "n"]


def write_alignment(con: duckdb.DuckDBPyConnection, align_key: str, rows: AlignmentRows) -> None:
    """Replace the alignment stage's rows (one per layer and language pair) under its key."""
    import pyarrow as pa

    con.execute("DELETE FROM alignment WHERE align_key = ?", [align_key])
    if not rows.records:
        return
    types = {"layer": pa.int32(), "n": pa.int32(), "source_language": pa.string(), "target_language": pa.string()}
    table = pa.Table.from_pylist([asdict(r) for r in rows.records],
                                 schema=pa.schema([(c, types.get(c, pa.float64())) for c in _ALIGNMENT_COLUMNS]))
    con.register("_alignment_in", table)
    con.execute(f"INSERT INTO alignment (align_key, {', '.join(_ALIGNMENT_COLUMNS)}) "
                f"SELECT ?, {', '.join(_ALIGNMENT_COLUMNS)} FROM _alignment_in", [align_key])
    con.unregister("_alignment_in")


_ROW_WRITERS: dict[type, Any] = {DataRows: write_data_stats, EvalRows: write_eval, JudgeRows: write_judge_links,
                                 SelectRows: write_selection, AlignmentRows: write_alignment}


_RATING_COLUMNS = ["rater", "eval_key", "task", "doc_id", "facet", "baseline_eval", "score", "scale_min",
                   "scale_max", "shown_order", "verdict", "note", "rated_at"]


def write_ratings(con: duckdb.DuckDBPyConnection, ratings: list[HumanRating]) -> None:
    """Store people's ratings; a rater's new rating of the same answer, facet and comparison replaces theirs."""
    for r in ratings:
        row = r.as_row()
        con.execute(f"INSERT OR REPLACE INTO human_ratings ({', '.join(_RATING_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(_RATING_COLUMNS[:-1]))}, coalesce(?, now()))",
                    [row[c] for c in _RATING_COLUMNS])
