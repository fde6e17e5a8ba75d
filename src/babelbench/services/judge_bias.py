"""Judge biases of a store: its pairwise verdicts (:mod:`babelbench.store.bias_queries`) handed to
:mod:`babelbench.analysis.judge_bias`. Used by `harness report --biases` and the board's Judge biases page."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from ..analysis.judge_bias import AnswerGrades, PairVerdicts, bias_figures, grade_gap_figures
from ..store.bias_queries import answer_grades, pairwise_verdicts

#: The columns of a bias row, in the order shown.
BIAS_COLUMNS = ["judge", "language", "bias", "figure", "value", "n", "p_value", "flagged", "note"]


def _wrong(fidelity: float | None) -> bool | None:
    """The identifier's verdict: fidelity 0 = wrong language; None or NaN (no letters) = not known."""
    return None if fidelity is None or math.isnan(fidelity) else fidelity == 0


def judge_biases(con) -> list[dict[str, Any]]:
    """Every bias figure per judge, over all languages (language None) and per language: the pairwise
    judges' figures, then the wrong-language grade gaps of judges that grade one answer at a time."""
    verdicts = [PairVerdicts(r["judge"], r["judge_model"], r["variant"], r["variant_model"], r["baseline"],
                             r["baseline_model"], r["task"], r["language"], r["doc_id"], r["ab"], r["ba"],
                             int(r["length"] or 0), int(r["baseline_length"] or 0), _wrong(r["fidelity"]),
                             _wrong(r["baseline_fidelity"]))
                for r in pairwise_verdicts(con)]
    grades = [AnswerGrades(r["judge"], r["language"], r["task"], r["doc_id"], r["variant"], _numbers(r["scores"]),
                           _wrong(r["fidelity"])) for r in answer_grades(con)]
    return [asdict(f) for f in [*bias_figures(verdicts), *grade_gap_figures(grades)]]


def _numbers(scores: str | dict | None) -> dict[str, float]:
    """A judgment's numeric grades (facet -> grade), from the stored JSON."""
    found = json.loads(scores) if isinstance(scores, str) else (scores or {})
    return {k: float(v) for k, v in found.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)}
