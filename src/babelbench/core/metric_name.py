"""A judge metric's name: which judge, which facet (or rate), and the baseline a pairwise judge
compared with. The store keeps the three as columns; code passes this value around.

Users see one text for it, :attr:`JudgeMetric.label` -- ``judge:<judge>/<facet>`` followed by
`` vs <baseline>`` for a comparison -- in the report, the board, exports and the metric key a judge
reports inside lm-eval. :meth:`JudgeMetric.parse` reads that text back where it comes from outside
the harness (a recipe's ``select.metric``, a per-answer metric key lm-eval stored); nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "judge:"


@dataclass(frozen=True)
class JudgeMetric:
    judge: str
    facet: str
    baseline: str | None = None

    @property
    def name(self) -> str:
        """``judge:<judge>/<facet>``: the metric's name without its baseline (the report's metric column)."""
        return f"{PREFIX}{self.judge}/{self.facet}"

    @property
    def label(self) -> str:
        """``judge:<judge>/<facet>``, with `` vs <baseline>`` for a comparison: what users see."""
        return self.name + (f" vs {self.baseline}" if self.baseline else "")

    def __str__(self) -> str:
        return self.label

    @classmethod
    def parse(cls, text: str) -> JudgeMetric | None:
        """``judge:<judge>/<facet>`` written outside the harness -> its metric; None for any other name."""
        if not text.startswith(PREFIX):
            return None
        judge, _, facet = text.removeprefix(PREFIX).partition("/")
        return cls(judge, facet)
