"""Paired comparisons of two stored variants: the store's per-document values handed to
:mod:`babelbench.analysis.paired` (which takes values, never a connection). Used by `harness compare`
and the board's Compare page."""

from __future__ import annotations

from dataclasses import asdict

from ..analysis.paired import DocumentValues, Measure, compare, document_values, pair_up
from ..store import judge_queries
from ..store.board import document_rows, variant_by_name


def stored_pairs(con, a: str, b: str) -> dict[tuple[str, str | None, Measure], tuple[list[float], list[float]]]:
    """The paired values of two evaluated variants of a store, by name; ValueError names an unknown one."""
    def values(name: str) -> DocumentValues:
        found = variant_by_name(con, name)
        if found is None:
            raise ValueError(f"no evaluated variant named {name!r}")
        return document_values(document_rows(con, found["eval_key"]), judge_queries.judged(con, found["variant_id"]))

    return pair_up(values(a), values(b))


def paired_comparison(con, a: str, b: str) -> list[dict]:
    """`harness compare A B`'s rows (as dicts), for the board's Compare page; none for an unknown variant."""
    try:
        pairs = stored_pairs(con, a, b)
    except ValueError:
        return []
    return [{**asdict(c), "significant": c.significant} for c in compare(pairs)]
