"""``kind: pairwise``: the variant's answer against the baseline's, judged in both orders.

Per pair: same winner twice = win, win + tie = win, opposite winners = tie, tie + tie = tie;
an unusable verdict in either order = error (counted, not scored).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ...core.records import JudgedRow, Observation
from .. import parse
from ..answers import expected_language, instruction_of
from ..prompts import language_name
from ..protocol import Ask, JudgeProtocol, PlanContext, register_protocol

if TYPE_CHECKING:
    from ...core.records import JudgmentRecord
    from ..backends import Reply
    from ..judge import Judge
    from ..schema import JudgeConfig

#: Per-order verdict -> outcome for the judged variant. In order ``ab`` the variant is A.
_OUTCOME = {("ab", "A"): "win", ("ab", "B"): "loss", ("ab", "tie"): "tie",
            ("ba", "A"): "loss", ("ba", "B"): "win", ("ba", "tie"): "tie"}


#: A pair's outcome as the variant's score against the baseline.
SCORE = {"win": 1.0, "tie": 0.5, "loss": 0.0}


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


@register_protocol("pairwise")
class Pairwise(JudgeProtocol):
    needs_baseline = True
    reliability_metrics = frozenset({"no_target", "error_rate", "order_flip"})

    def reply_schema(self, judge: Judge) -> dict[str, Any]:
        return parse.pairwise_schema(judge.config.rationale_chars)

    def slots(self, ctx: PlanContext) -> list[str]:
        return [f"{ctx.baseline_eval}:ab", f"{ctx.baseline_eval}:ba"]

    def sample_variables(self) -> dict[str, Any]:
        return {"instruction": "Name a colour.", "answer_a": "蓝色。", "answer_b": "红色。", "language": "Chinese",
                "language_code": "zh"}

    def applies(self, sample: dict[str, Any], ctx: PlanContext) -> bool:
        other = ctx.baseline.get((sample["task"], sample["doc_id"]))
        return other is not None and instruction_of(other) == instruction_of(sample)

    def plan_answer(self, judge: Judge, sample: dict[str, Any], ctx: PlanContext) -> list[Ask]:
        other = ctx.baseline[(sample["task"], sample["doc_id"])]
        expected = expected_language(sample)
        answer, theirs = sample["kept_response"], other["kept_response"]
        ab, ba = self.slots(ctx)
        return [self.ask(judge, {"instruction": instruction_of(sample), "answer_a": a, "answer_b": b,
                                 "language": language_name(expected), "language_code": expected}, slot)
                for slot, a, b in ((ab, answer, theirs), (ba, theirs, answer))]

    def grade(self, judge: Judge, reply: Reply) -> JudgmentRecord:
        assert reply.text is not None
        parsed = parse.parse_pairwise(reply.text, judge.config.rationale_chars)
        return self.record(judge, reply.key, status="ok" if parsed.ok else "parse_failure", verdict=parsed.verdict,
                           rationale=parsed.rationale, error=parsed.error, raw=reply.text,
                           attempts=reply.attempts, seconds=reply.seconds)

    def metric_names(self, config: JudgeConfig) -> frozenset[str] | None:
        return frozenset({"error_rate", "win", "tie", "loss", "win_rate", "order_flip"})

    def observations(self, judge_config: dict[str, Any], rows: list[JudgedRow]) -> Iterable[Observation]:
        pairs: dict[tuple[str, str | None, int], dict[str, str | None]] = defaultdict(dict)
        for r in rows:
            order = r.slot.rsplit(":", 1)[1]
            pairs[(r.task, r.language, r.doc_id)][order] = r.verdict if r.status == "ok" else None
        for (task, language, doc), orders in pairs.items():
            ab, ba = orders.get("ab"), orders.get("ba")
            if ab is None or ba is None:
                yield Observation(task, language, doc, "error_rate", 1.0)
                continue
            yield Observation(task, language, doc, "error_rate", 0.0)
            first, second = _OUTCOME[("ab", ab)], _OUTCOME[("ba", ba)]
            outcome = combine(first, second)
            for name in ("win", "tie", "loss"):
                yield Observation(task, language, doc, name, float(outcome == name))
            # AlpacaEval's win rate: a tie counts half
            yield Observation(task, language, doc, "win_rate", SCORE[outcome])
            yield Observation(task, language, doc, "order_flip", float(first != second))

    def outcomes(self, judge_config: dict[str, Any], rows: list[JudgedRow]) -> list[Observation]:
        return [o for o in self.observations(judge_config, rows) if o.metric == "win_rate"]
