"""``kind: language-id``: no LLM; the bundled identifier decides whether each answer is in the
expected language and measures its code-switching share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ...core.hashing import digest
from ...core.records import JudgedRow, Observation
from ..answers import expected_language
from ..protocol import Ask, JudgeProtocol, PlanContext, register_protocol

if TYPE_CHECKING:
    from ...core.records import JudgmentRecord
    from ..judge import Judge
    from ..schema import JudgeConfig


@register_protocol("language-id")
class LanguageId(JudgeProtocol):
    uses_backend = False
    uses_prompts = False
    language_reference = True
    uses_identifier = True
    #: ``unsupported``: the share of answers expected in a language the identifier has no model of.
    reliability_metrics = frozenset({"no_target", "unsupported"})

    def plan_answer(self, judge: Judge, sample: dict[str, Any], ctx: PlanContext) -> list[Ask]:
        answer, expected = sample["kept_response"], expected_language(sample)
        key = digest({"judge": judge.identity(), "text": answer, "expected": expected})
        return [Ask(key, payload=(answer, expected))]

    def grade_local(self, judge: Judge, payload: Any, key: str) -> JudgmentRecord:
        from ...langid import detect, get_identifier

        text, expected = payload
        identifier = get_identifier(judge.identifier_path() or "lingua")
        found = detect(text, expected, identifier)
        if not found.supported:  # the identifier has no model of the expected language: no verdict
            return self.record(judge, key, status="ok", scores={"unsupported": 1}, detected_language=None,
                               code_switch=None, backend=identifier.name)
        match = int(bool(found.matches)) if expected else None
        return self.record(judge, key, status="ok", scores={"match": match, "code_switch": found.code_switch},
                           detected_language=found.language, code_switch=found.code_switch, backend=identifier.name)

    def metric_names(self, config: JudgeConfig) -> frozenset[str] | None:
        return frozenset({"match", "code_switch", "unsupported"})

    def observations(self, judge_config: dict[str, Any], rows: list[JudgedRow]) -> Iterable[Observation]:
        for r in rows:
            if r.status != "ok":
                continue
            for name, value in r.scores.items():
                if value is not None:
                    yield Observation(r.task, r.language, r.doc_id, name, float(value))

    def language_vote(self, judge_config: dict[str, Any], row: JudgedRow) -> bool | None:
        match = row.scores.get("match") if row.status == "ok" else None
        return None if match is None else bool(match)
