"""Judge protocols: how a kind of judge plans, grades and aggregates, registered by name.

A judge folder names its protocol with ``kind:``. Each protocol is one class that owns its
config checks, the requests (or local computations) it plans for an answer, how a reply
becomes a grade, how grades become metrics and which of those the board shows. Adding a
protocol is one module with one ``@register_protocol("name")`` class; nothing else changes::

    @register_protocol("answer-length")
    class AnswerLength(JudgeProtocol):
        uses_backend = False
        def plan_answer(self, judge, sample, ctx): ...
        def grade_local(self, judge, payload, key): ...
        def observations(self, judge, rows): ...

The built-in protocols live in :mod:`babelbench.judge.protocols` and register on import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ..core.hashing import digest
from ..core.records import JudgedRow, JudgmentRecord, Observation
from ..core.registry import Registry

if TYPE_CHECKING:
    from ..recipe.judging import RecipeJudging
    from .backends import Reply, Request
    from .judge import Judge
    from .schema import JudgeConfig


@dataclass(frozen=True)
class Ask:
    """One judgment an answer needs: an LLM request, or a payload graded locally."""

    key: str
    slot: str = ""
    request: Request | None = None
    payload: Any = None


@dataclass(frozen=True)
class PlanContext:
    """What a protocol may look at besides the answer itself."""

    plug: bool
    baseline_eval: str | None = None
    #: (task, doc_id) -> the baseline's sample, for protocols that compare two answers.
    baseline: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)


class ConfigFieldError(ValueError):
    """A judge setting the protocol cannot use; ``field`` says which (errors point at its line)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class JudgeProtocol:
    """Base class: override what your protocol does differently."""

    #: The registered name (set by :func:`register_protocol`).
    kind: ClassVar[str] = ""
    #: Whether the judge calls a model through ``backend`` (else :meth:`grade_local`).
    uses_backend: ClassVar[bool] = True
    #: Whether the judge needs prompt templates.
    uses_prompts: ClassVar[bool] = True
    #: Whether it compares against ``judge.baseline`` (the recipe must name one).
    needs_baseline: ClassVar[bool] = False
    #: Metrics that describe the judge's reliability rather than the variant (hidden from leaderboards).
    reliability_metrics: ClassVar[frozenset[str]] = frozenset({"parse_failure_rate", "no_target"})

    # -- configuration -------------------------------------------------------------------
    def check_config(self, config: JudgeConfig) -> None:
        """Raise :class:`ConfigFieldError` (or ValueError) for settings this protocol cannot use."""
        if self.uses_backend and config.backend is None:
            raise ConfigFieldError("kind", f"a {self.kind} judge needs `backend`")
        if not self.uses_backend and config.backend is not None:
            raise ConfigFieldError("backend", f"a {self.kind} judge takes no backend")
        if self.uses_prompts and config.prompts is None:
            raise ConfigFieldError("kind", f"a {self.kind} judge needs `prompts`")
        if not self.uses_prompts and config.prompts is not None:
            raise ConfigFieldError("prompts", f"a {self.kind} judge takes no prompts")
        if config.facets or config.floor_rules:
            raise ConfigFieldError("facets" if config.facets else "floor_rules",
                                   "only a rubric judge has facets and floor rules")

    def sample_variables(self) -> dict[str, Any]:
        """Variables like those :meth:`plan_answer` renders the templates with, with sample values:
        loading a judge renders its templates once with them, so a misspelt variable or filter is an
        error naming the template's line before any run."""
        return {"instruction": "Name a colour.", "answer": "蓝色。", "language": "Chinese", "language_code": "zh"}

    def reply_schema(self, judge: Judge) -> dict[str, Any] | None:
        """JSON schema of a reply, sent as ``response_format`` where the endpoint takes one."""
        return None

    # -- planning ------------------------------------------------------------------------
    def slots(self, ctx: PlanContext) -> list[str]:
        """The judgments each answer gets (pairwise: one per order)."""
        return [""]

    def applies(self, sample: dict[str, Any], ctx: PlanContext) -> bool:
        """Whether this answer is judged at all (pairwise: only where the baseline answered the same prompt)."""
        return True

    def plan_answer(self, judge: Judge, sample: dict[str, Any], ctx: PlanContext) -> list[Ask]:
        raise NotImplementedError

    def ask(self, judge: Judge, variables: dict[str, Any], slot: str = "") -> Ask:
        """An LLM request from the judge's templates; its key is the judge identity + exact messages."""
        from .backends import Request
        from .prompts import render

        messages = render(judge, variables)
        key = digest({"judge": judge.identity(), "messages": messages})
        return Ask(key, slot, request=Request(key, messages, self.reply_schema(judge)))

    # -- grading -------------------------------------------------------------------------
    def grade(self, judge: Judge, reply: Reply) -> JudgmentRecord:
        """A reply turned into a judgment: a grade, or a parse failure with the raw text."""
        raise NotImplementedError

    def grade_local(self, judge: Judge, payload: Any, key: str) -> JudgmentRecord:
        raise NotImplementedError

    def record(self, judge: Judge, key: str, **fields: Any) -> JudgmentRecord:
        backend = judge.config.backend
        fields.setdefault("backend", backend.type if backend else None)
        fields.setdefault("model", backend.model if backend else None)
        return JudgmentRecord(judgment_key=key, judge=judge.name, judge_hash=judge.identity(), kind=self.kind,
                              **fields)

    # -- aggregation ---------------------------------------------------------------------
    def observations(self, judge_config: dict[str, Any], rows: list[JudgedRow]) -> Iterable[Observation]:
        """Per judged answer, the values its metrics average (rows are one variant's, one judge's)."""
        raise NotImplementedError

    def metric_names(self, config: JudgeConfig) -> frozenset[str] | None:
        """The metrics :meth:`observations` can yield for a judge of this config (what a recipe's
        ``judge:<judge>/<metric>`` may name); None: not known before judging."""
        return None

    def outcomes(self, judge_config: dict[str, Any], rows: list[JudgedRow]) -> list[Observation]:
        """For protocols that compare a variant with a baseline: per prompt, the variant's score
        (1 win, 0.5 tie, 0 loss), from which rankings (Bradley–Terry, length-controlled win rates)
        are fitted. Others have none."""
        return []

    def language_vote(self, judge_config: dict[str, Any], row: JudgedRow) -> bool | None:
        """Whether this grade says the answer is in the right language (for agreement between judges)."""
        return None

    def recipe_problem(self, judging: RecipeJudging) -> str | None:
        """What a recipe's ``judge:`` settings lack for this protocol (checked before any work), else None."""
        if self.needs_baseline and judging.pairs == "baseline" and not judging.baseline:
            return (f"the {self.kind} judge needs a baseline variant: set judge.baseline (or --baseline), "
                    "or judge.pairs")
        return None

    #: A protocol whose language vote is the reference others are checked against (the identifier).
    language_reference: ClassVar[bool] = False
    #: Whether it identifies languages itself, so takes the judge's ``identifier`` setting.
    uses_identifier: ClassVar[bool] = False


#: Built-in protocols are imported on first lookup (so `harness --help` imports none of them).
_PROTOCOLS: Registry[type[JudgeProtocol]] = Registry("judge protocol", ("babelbench.judge.protocols",))


def _name_protocol(cls: type[JudgeProtocol], name: str) -> None:
    cls.kind = name


def register_protocol(name: str):
    """Class decorator: make ``name`` a judge ``kind``. A name registered twice is an error."""
    return _PROTOCOLS.register(name, _name_protocol)


def protocol_names() -> list[str]:
    return _PROTOCOLS.names()


def get_protocol(kind: str) -> JudgeProtocol:
    return _PROTOCOLS.get(kind)()
