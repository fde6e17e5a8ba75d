"""Judge-human agreement from the store: what `harness report --agreement` prints and the board's Judge
reliability page shows (the queries in ``store.rating_queries``, the statistics in ``analysis``)."""

from __future__ import annotations

from typing import Any

import duckdb

from ..analysis.human_agreement import human_alpha, pairwise_agreement, rubric_agreement
from ..core.ratings import HumanRating
from ..store import rating_queries


def facet_scales(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, tuple[int, int]]]:
    """Rubric judge -> facet -> (lowest, highest grade), as the judges were stored."""
    return {judge: {f["name"]: (int(f.get("min", 1)), int(f.get("max", 3))) for f in config["facets"]}
            for judge, config in rating_queries.rubric_judges(con).items()}


def agreement(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """``rubric``: per judge x language x facet, n, kappa and rho with intervals and the humans' alpha;
    ``humans``: alpha between raters per language x facet; ``pairwise``: per judge x language,
    agreement rate and kappa."""
    alphas = human_alpha(rating_queries.rubric_ratings(con))
    rubric = rubric_agreement(rating_queries.rubric_pairs(con), facet_scales(con), alphas)
    pairs = [{**r, "outcome": HumanRating(r["rater"], r["eval_key"], r["task"], r["doc_id"], "verdict",
                                          shown_order=r["shown_order"], verdict=r["verdict"]).outcome()}
             for r in rating_queries.pairwise_pairs(con)]
    humans = [{"language": language, "facet": facet, **values}
              for (language, facet), values in sorted(alphas.items(), key=lambda kv: (kv[0][0] == "all", kv[0]))]
    return {"rubric": rubric, "humans": humans, "pairwise": pairwise_agreement(pairs)}
