"""The SQL of `harness fit` and the board's Scaling page: a sweep's (size, quality) points, and the
fits and allocations stored from them (tables ``scaling_fits`` and ``scaling_allocations``)."""

from __future__ import annotations

import json
from typing import Any

import duckdb


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def sweep_variants(con: duckdb.DuckDBPyConnection, *, recipe: str | None = None,
                   pattern: str | None = None) -> list[dict[str, Any]]:
    """Variants of recipe ``recipe`` (named ``recipe`` or ``recipe@...``) and/or whose name matches the
    glob ``pattern``: id, name, recipe file and the choices that made each."""
    where, params = [], []
    if recipe is not None:
        where.append("(v.name = ? OR starts_with(v.name, ? || '@'))")
        params += [recipe, recipe]
    if pattern is not None:
        where.append("v.name GLOB ?")
        params.append(pattern)
    rows = _dicts(con.execute(f"""
        SELECT v.variant_id, v.name, v.recipe_file, v.choices FROM variants v
        {"WHERE " + " AND ".join(where) if where else ""} ORDER BY v.name""", params))
    for r in rows:
        r["choices"] = json.loads(r["choices"]) if r["choices"] else {}
    return rows


def sweep_points(con: duckdb.DuckDBPyConnection, variant_ids: list[str], task_pattern: str, metric: str,
                 filter_: str) -> list[dict[str, Any]]:
    """Per variant and language of its data: the translation examples of that language (its data stage's
    ``data_stats``) and the value of ``metric`` (rows of filter ``filter_``) on the task named by
    ``task_pattern`` with ``{lang}`` replaced by the language (its eval stage's ``metrics``).

    Languages without that task's metric, and NULL values, are left out."""
    return _dicts(con.execute("""
        SELECT v.variant_id, v.name AS variant, ds.language, ds.translation_examples AS size, m.task, m.value
        FROM variants v
        JOIN variant_stages d ON d.variant_id = v.variant_id AND d.kind = 'data'
        JOIN data_stats ds ON ds.data_key = d.key
        JOIN variant_stages e ON e.variant_id = v.variant_id AND e.kind = 'eval'
        JOIN metrics m ON m.eval_key = e.key AND m.task = replace(?, '{lang}', ds.language)
                      AND m.metric = ? AND m.filter = ?
        WHERE v.variant_id IN (SELECT unnest(?)) AND m.value IS NOT NULL AND ds.translation_examples IS NOT NULL
        ORDER BY ds.language, ds.translation_examples, v.name""", [task_pattern, metric, filter_, variant_ids]))


_FIT_JSON = ("params", "params_low", "params_high", "loo_error", "points", "settings", "curve")
_FIT_COLUMNS = ("fit_id", "language", "task", "metric", "law", *_FIT_JSON)
_ALLOCATION_COLUMNS = ("allocation_id", "fit_id", "budget", "settings", "language", "size", "predicted",
                       "predicted_low", "predicted_high")


def insert_fit(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> int:
    """Store a fit's rows (one per language); rows already stored are kept. Returns how many were new."""
    new = 0
    for r in rows:
        values = [json.dumps(r[c], ensure_ascii=False) if c in _FIT_JSON else r[c] for c in _FIT_COLUMNS]
        new += len(con.execute(
            f"INSERT INTO scaling_fits ({', '.join(_FIT_COLUMNS)}, created_at) "
            f"VALUES ({', '.join('?' * len(_FIT_COLUMNS))}, now()) ON CONFLICT DO NOTHING RETURNING language",
            values).fetchall())
    return new


def insert_allocation(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> int:
    """Store an allocation's rows (one per language); rows already stored are kept. Returns how many were new."""
    new = 0
    for r in rows:
        values = [json.dumps(r[c], ensure_ascii=False) if c == "settings" else r[c] for c in _ALLOCATION_COLUMNS]
        new += len(con.execute(
            f"INSERT INTO scaling_allocations ({', '.join(_ALLOCATION_COLUMNS)}, created_at) "
            f"VALUES ({', '.join('?' * len(_ALLOCATION_COLUMNS))}, now()) ON CONFLICT DO NOTHING RETURNING language",
            values).fetchall())
    return new


def fits(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every stored fit, one row per fit and language, JSON columns decoded (each point with its variant's
    name, where the variant is stored), newest fit first."""
    rows = _dicts(con.execute(f"""
        SELECT {', '.join(_FIT_COLUMNS)}, created_at,
               max(created_at) OVER (PARTITION BY fit_id) AS fit_created
        FROM scaling_fits ORDER BY fit_created DESC, fit_id, language"""))
    for r in rows:
        for c in _FIT_JSON:
            r[c] = json.loads(r[c])
        del r["fit_created"]
    ids = sorted({p["variant_id"] for r in rows for p in r["points"]})
    names = dict(con.execute("SELECT variant_id, name FROM variants WHERE variant_id IN (SELECT unnest(?))",
                             [ids]).fetchall()) if ids else {}
    for r in rows:
        for p in r["points"]:
            p["variant"] = names.get(p["variant_id"], p["variant_id"])
    return rows


def allocations(con: duckdb.DuckDBPyConnection, fit_id: str) -> list[dict[str, Any]]:
    """The allocations stored for a fit, one row per allocation and language, newest first."""
    rows = _dicts(con.execute(f"""
        SELECT {', '.join(_ALLOCATION_COLUMNS)}, created_at FROM scaling_allocations WHERE fit_id = ?
        ORDER BY created_at DESC, allocation_id, language""", [fit_id]))
    for r in rows:
        r["settings"] = json.loads(r["settings"])
    return rows
