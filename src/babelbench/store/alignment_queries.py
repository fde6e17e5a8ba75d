"""Read queries of the layer-wise alignment analysis (``harness probe``, the board's Alignment page)."""

from __future__ import annotations

from typing import Any

import duckdb

#: The numbers an alignment row holds, as the board offers them.
METRICS = ("pair_cosine", "nonpair_cosine", "retrieval_forward", "retrieval_backward")

_ROW_COLUMNS = ["layer", "source_language", "target_language", "pair_cosine", "nonpair_cosine", "retrieval_forward",
                "retrieval_backward", "n"]


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def variant_alignment_subject(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, Any] | None:
    """What names a stored variant's model in an alignment key: its train key (None without training), the
    checkpoint its selection chose (None without selection), its base model and recipe file; None if unknown."""
    rows = _dicts(con.execute("""
        SELECT v.variant_id, v.name, v.method, v.base_model, v.recipe_file, v.config,
               (SELECT s.key FROM variant_stages s WHERE s.variant_id = v.variant_id AND s.kind = 'train') AS train_key,
               (SELECT c.selected_step FROM variant_stages s JOIN checkpoint_selections c ON c.select_key = s.key
                 WHERE s.variant_id = v.variant_id AND s.kind = 'select') AS selected_step
        FROM variants v WHERE v.name = ?""", [name]))
    return rows[0] if rows else None


def alignment_rows(con: duckdb.DuckDBPyConnection, align_key: str) -> list[dict[str, Any]]:
    """The stored rows of one alignment key, by target language, then layer."""
    return _dicts(con.execute(f"SELECT {', '.join(_ROW_COLUMNS)} FROM alignment WHERE align_key = ? "
                              "ORDER BY target_language, layer", [align_key]))


def alignment_runs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every stored alignment, newest first: its key, a label (the variant's name, or the probed model's
    label) unique among the runs (an older run of the same label gets its key appended), the variant."""
    rows = _dicts(con.execute("""
        WITH finished AS (
            SELECT key, variant_id, info, finished_at,
                   row_number() OVER (PARTITION BY key ORDER BY finished_at DESC) AS nth
            FROM stage_runs WHERE kind = 'alignment' AND status IN ('done', 'adopted'))
        SELECT f.key AS align_key, f.variant_id, v.name AS variant,
               COALESCE(v.name, json_extract_string(f.info, '$.label'), f.key) AS label,
               json_extract_string(f.info, '$.source') AS source, f.finished_at,
               (SELECT count(DISTINCT a.layer) FROM alignment a WHERE a.align_key = f.key) AS layers,
               (SELECT string_agg(DISTINCT a.target_language, ',' ORDER BY a.target_language)
                  FROM alignment a WHERE a.align_key = f.key) AS targets
        FROM finished f LEFT JOIN variants v ON v.variant_id = f.variant_id
        WHERE f.nth = 1 AND EXISTS (SELECT 1 FROM alignment a WHERE a.align_key = f.key)
        ORDER BY f.finished_at DESC, f.key"""))
    seen: set[str] = set()
    for row in rows:
        if row["label"] in seen:
            row["label"] = f"{row['label']} ({row['align_key'][:8]})"
        seen.add(row["label"])
    return rows


def alignment_difference(con: duckdb.DuckDBPyConnection, key_a: str, key_b: str, metric: str) -> list[dict[str, Any]]:
    """``metric`` of run B minus run A per layer and language pair they both hold (columns a, b, diff)."""
    if metric not in METRICS:
        raise ValueError(f"unknown alignment metric {metric!r}; known: {', '.join(METRICS)}")
    return _dicts(con.execute(f"""
        SELECT a.layer, a.source_language, a.target_language, a.{metric} AS a, b.{metric} AS b,
               b.{metric} - a.{metric} AS diff
        FROM alignment a JOIN alignment b ON b.layer = a.layer AND b.source_language = a.source_language
             AND b.target_language = a.target_language
        WHERE a.align_key = ? AND b.align_key = ?
        ORDER BY a.target_language, a.layer""", [key_a, key_b]))
