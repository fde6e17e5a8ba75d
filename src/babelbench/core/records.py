"""Typed records that cross stage boundaries: what a stage returns and the runner stores.

A stage is a function of its plan and its input artifacts; it returns a :class:`StageResult`
(info + rows) and never opens the store. The runner writes the rows through
``babelbench.store.writes.write_rows`` in the same transaction that marks the stage done.
These are plain dataclasses (no package imports), so a result can be pickled to and from a
worker process or a Ray task.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class LanguageStats:
    """One language's share of a built training set."""

    language: str
    examples: int
    unique: int
    prompt_tokens: int
    response_tokens: int
    translation: int = 0    # of ``examples``, how many are translation tasks built from parallel text


@dataclass
class DataRows:
    stats: list[LanguageStats] = field(default_factory=list)


@dataclass
class MetricRecord:
    """One number of one evaluation: lm-eval's ``"metric,filter"`` split into columns."""

    task: str
    metric: str
    filter: str
    value: float | None
    language: str | None = None
    task_version: str | None = None
    stderr: float | None = None
    n: int | None = None
    is_group: bool = False
    ci_low: float | None = None
    ci_high: float | None = None
    #: True for the rows of the filter the task declares as counting (``plug`` for PLUG variants).
    scored: bool = False
    #: True for the task's declared primary metric on its scored filter.
    is_primary: bool = False
    #: The task family (declared in the task's metadata, else derived from its name).
    family: str | None = None

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SampleRecord:
    """One answered document: the raw answer and the part the variant is scored on."""

    task: str
    doc_id: int
    language: str | None
    prompt: str
    raw_response: str
    kept_response: str
    kept_filter: str
    pivot_status: str | None
    target: str
    doc: dict[str, Any]
    doc_hash: str | None = None
    prompt_hash: str | None = None
    target_hash: str | None = None
    sample_metrics: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EvalRows:
    metrics: list[MetricRecord] = field(default_factory=list)
    samples: list[SampleRecord] = field(default_factory=list)


@dataclass
class JudgmentRecord:
    """One grade (or parse failure) under its judgment key; shared by every answer it judges."""

    judgment_key: str
    judge: str
    judge_hash: str
    kind: str
    status: str                       #: ok | parse_failure
    scores: dict[str, Any] | None = None
    raw_scores: dict[str, Any] | None = None
    verdict: str | None = None
    detected_language: str | None = None
    code_switch: float | None = None
    rationale: str | None = None
    raw: str | None = None
    error: str | None = None
    backend: str | None = None
    model: str | None = None
    attempts: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class JudgmentLink:
    """Which answer (eval, task, document, slot) a judgment grades, or why it has none."""

    eval_key: str
    task: str
    doc_id: int
    judge_hash: str
    slot: str
    judgment_key: str | None
    status: str                       #: judged | no_target


@dataclass(frozen=True)
class JudgedRow:
    """One stored link of a variant's answer to its judgment, as :meth:`observations` sees it."""

    task: str
    language: str | None
    doc_id: int
    slot: str
    link_status: str
    status: str | None
    scores: dict[str, Any]
    verdict: str | None


@dataclass(frozen=True)
class Observation:
    """One value of one metric for one judged answer; metrics are means over observations."""

    task: str
    language: str | None
    doc_id: int
    metric: str
    value: float


@dataclass
class JudgeRows:
    links: list[JudgmentLink] = field(default_factory=list)


@dataclass(frozen=True)
class CheckpointScore:
    """A kept checkpoint's validation score in one language."""

    step: int
    language: str
    value: float
    n: int
    eval_key: str


@dataclass
class SelectRows:
    metric: str
    aggregate: str
    selected_step: int
    scores: list[CheckpointScore] = field(default_factory=list)
    #: step -> the aggregate across languages
    totals: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class AlignmentRecord:
    """How aligned two languages' sentence representations are at one layer (parallel sentences,
    mean-pooled over their real tokens): layer 0 is the embeddings' output, then one per block."""

    layer: int
    source_language: str
    target_language: str
    #: mean cosine of the translation pairs (x_i, y_i)
    pair_cosine: float
    #: mean cosine of the non-pairs (x_i, y_j), i != j; None with a single pair
    nonpair_cosine: float | None
    #: top-1 retrieval accuracy, source -> target and target -> source (nearest by cosine)
    retrieval_forward: float
    retrieval_backward: float
    #: sentence pairs
    n: int


@dataclass
class AlignmentRows:
    records: list[AlignmentRecord] = field(default_factory=list)


Rows = DataRows | EvalRows | JudgeRows | SelectRows | AlignmentRows


@dataclass
class StageResult:
    """What a stage hands back to the runner."""

    info: dict[str, Any] = field(default_factory=dict)
    rows: Rows | None = None
    #: The artifact folder the stage built (data, train), if any.
    output: str | None = None
    #: Set when the stage finished without raising but left work undone (e.g. ungraded judgments).
    error: str | None = None
