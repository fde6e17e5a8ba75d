"""A person's rating of one stored answer: what `harness ratings import`, the board's Rate page and the
store exchange. Blind to the variant: the answer is named by its sample key (eval_key, task, doc_id)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

#: The facet name of a pairwise rating (its value is the verdict, not a grade).
VERDICT = "verdict"
#: The seed study's human scale: 0-2 per facet, level i = the judge's lowest grade + i (1-3 -> 0-2).
STUDY_SCALE = (0, 2)
#: Pairwise: which answer was shown first -- 'ab': the rated evaluation's answer as A, 'ba': as B.
ORDERS = ("ab", "ba")
VERDICTS = ("A", "B", "tie")


@dataclass(frozen=True)
class HumanRating:
    """One rater's grade of one facet of an answer, or their verdict on a pair of answers."""

    rater: str
    eval_key: str
    task: str
    doc_id: int
    facet: str
    score: int | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    baseline_eval: str = ""
    shown_order: str | None = None
    verdict: str | None = None
    note: str | None = None
    rated_at: datetime | None = None

    @property
    def pairwise(self) -> bool:
        return self.facet == VERDICT

    def outcome(self) -> str | None:
        """Pairwise: the rated answer's result against the other -- win, tie or loss -- whatever the order shown."""
        if self.verdict is None or self.shown_order is None:
            return None
        if self.verdict == "tie":
            return "tie"
        first = self.verdict == "A"
        return "win" if first == (self.shown_order == "ab") else "loss"

    def on_scale(self, low: int, high: int) -> int | None:
        """The grade moved onto ``low..high`` by level (0-2 -> 1-3 is +1); None if the scales differ in levels."""
        if self.score is None or self.scale_min is None or self.scale_max is None:
            return None
        if self.scale_max - self.scale_min != high - low:
            return None
        return self.score - self.scale_min + low

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


#: The fields of a rating file's rows (CSV header, JSON Lines keys), in order.
FIELDS = list(HumanRating.__dataclass_fields__)
