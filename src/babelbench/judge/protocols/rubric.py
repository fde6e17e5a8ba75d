"""``kind: rubric``: one call per answer, each facet graded on its own scale, one JSON reply."""

from __future__ import annotations

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


@register_protocol("rubric")
class Rubric(JudgeProtocol):
    def check_config(self, config: JudgeConfig) -> None:
        if not config.facets:
            raise ValueError("a rubric judge needs at least one facet")
        names = [f.name for f in config.facets]
        if len(set(names)) != len(names):
            raise ValueError("facet names repeat")
        if "rationale" in names:
            raise ValueError("`rationale` is reserved for the judge's explanation")
        for rule in config.floor_rules:
            unknown = [n for n in [rule.when, *rule.forces] if n not in names]
            if unknown:
                raise ValueError(f"floor rule names unknown facets: {', '.join(unknown)}")
        if config.backend is None:
            raise ValueError("a rubric judge needs `backend`")
        if config.prompts is None:
            raise ValueError("a rubric judge needs `prompts`")

    def reply_schema(self, judge: Judge) -> dict[str, Any]:
        return parse.rubric_schema(judge.config.facets, judge.config.rationale_chars)

    def plan_answer(self, judge: Judge, sample: dict[str, Any], ctx: PlanContext) -> list[Ask]:
        expected = expected_language(sample)
        return [self.ask(judge, {"instruction": instruction_of(sample), "answer": sample["kept_response"],
                                 "language": language_name(expected), "language_code": expected})]

    def grade(self, judge: Judge, reply: Reply) -> JudgmentRecord:
        cfg = judge.config
        assert reply.text is not None
        parsed = parse.parse_rubric(reply.text, cfg.facets, cfg.rationale_chars)
        scores = raw = None
        if parsed.ok:
            raw = parsed.scores
            scores = parse.apply_floor_rules(raw, cfg.facets, cfg.floor_rules) if cfg.apply_floor_rules else raw
        return self.record(judge, reply.key, status="ok" if parsed.ok else "parse_failure", scores=scores,
                           raw_scores=raw, rationale=parsed.rationale, error=parsed.error, raw=reply.text,
                           attempts=reply.attempts, seconds=reply.seconds)

    def metric_names(self, config: JudgeConfig) -> frozenset[str] | None:
        return frozenset({"parse_failure_rate", *(f.name for f in config.facets)})

    def observations(self, judge_config: dict[str, Any], rows: list[JudgedRow]) -> Iterable[Observation]:
        for r in rows:
            yield Observation(r.task, r.language, r.doc_id, "parse_failure_rate", float(r.status == "parse_failure"))
            if r.status == "ok":
                for facet, grade in r.scores.items():
                    if grade is not None:
                        yield Observation(r.task, r.language, r.doc_id, facet, float(grade))

    def language_vote(self, judge_config: dict[str, Any], row: JudgedRow) -> bool | None:
        grade = row.scores.get("language") if row.status == "ok" else None
        if grade is None:
            return None
        lowest = next((f["min"] for f in judge_config.get("facets", []) if f["name"] == "language"), 1)
        return bool(grade > lowest)
