"""Aggregates of one evaluation: per task family across languages (macro), per language
across families, the transfer gap (each language minus English), and PLUG pivot counts.
Computed when the eval stage stores its metrics and stored beside them, so `harness report`,
the board and publishing read the very same rows.

What a family is and which metric stands for it is declared by the tasks themselves
(:mod:`babelbench.evaluate.scoring`): the rows passed in carry ``family``, ``is_primary`` and
``scored``. Per-language averages across families put every primary metric on a 0-1 scale
first (a task declares ``score_scale: 100`` for chrF-like metrics).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..core.records import MetricRecord, SampleRecord
from .bootstrap import stratified_ci


def aggregate_rows(task_rows: list[MetricRecord], samples: list[SampleRecord] | None = None,
                   scales: Mapping[str, float] | None = None) -> list[MetricRecord]:
    """Family macros, per-language macros and transfer gaps of one evaluation's primary rows.

    A family macro's interval is a stratified bootstrap (documents resampled within each
    language, then the languages averaged) over the per-document values in ``samples``; its
    n is the number of documents. Corpus metrics (chrF) have no per-document value: no interval.
    ``scales`` maps a task to the divisor that puts its primary metric on 0-1. A family with several
    tasks in one language (Global-MMLU's subjects) counts their documents together in that language
    (the mean weighted by each task's n, as lm-eval's ``weight_by_size`` groups do).
    """
    scales = scales or {}
    per_doc = _per_document(samples or [])
    cells: dict[tuple[str, str], dict[str, _Cell]] = defaultdict(dict)   # (family, metric) -> language -> cell
    filt = None
    for r in task_rows:
        if r.value is None or r.is_group or not r.is_primary or r.language is None or r.family is None:
            continue
        cell = cells[(r.family, r.metric)].setdefault(r.language, _Cell(r.family, r.language))
        cell.add(r.task, r.value, r.n, per_doc[r.task][r.metric], scales.get(r.task, 1.0))
        filt = r.filter
    out: list[MetricRecord] = []

    def row(task: str, language: str | None, metric: str, value: float, n: int,
            ci: tuple[float | None, float | None] = (None, None), family: str | None = None) -> None:
        out.append(MetricRecord(task=task, language=language, metric=metric, filter=filt or "none", value=value,
                                n=n, is_group=True, ci_low=ci[0], ci_high=ci[1], scored=True, family=family))

    by_language: dict[str, list[tuple[float, list[float], int]]] = defaultdict(list)  # (score, its docs' values, n)
    for (family, metric), per_lang in sorted(cells.items()):
        strata = [c.documents for c in per_lang.values()]
        # documents behind the macro: those with a per-document value, else (corpus metrics such as
        # chrF) the documents each task scored
        docs = sum(len(v) for v in strata) or sum(c.n for c in per_lang.values())
        ci = stratified_ci(strata) if all(strata) else (None, None)
        values = {lang: c.value for lang, c in per_lang.items()}
        row(f"{family} (macro)", None, metric, sum(values.values()) / len(values), docs or len(values), ci)
        for lang, c in per_lang.items():
            by_language[lang].append((c.value / c.scale, [v / c.scale for v in c.documents], c.n))
        if "en" in values:
            for lang, value in sorted(values.items()):
                if lang != "en":
                    row(per_lang[lang].task, lang, f"transfer_gap:{metric}", value - values["en"], 1, family=family)
    for lang, families in sorted(by_language.items()):
        row(f"all tasks · {lang}", lang, "primary_score", *_language_score(families))
    return out


def _language_score(families: list[tuple[float, list[float], int]]) -> tuple[float, int, tuple[float | None, float | None]]:
    """A language's primary score across families (each on 0-1), as a family macro is across languages: n the
    documents behind it (per family: those with per-document values, else the task's n; without either, the
    number of families), and a stratified bootstrap interval (documents resampled within each family) when
    every family has per-document values."""
    strata = [docs for _, docs, _ in families]
    n = sum(len(docs) or task_n for _, docs, task_n in families) or len(families)
    ci = stratified_ci(strata) if all(strata) else (None, None)
    return sum(value for value, _, _ in families) / len(families), n, ci


def _per_document(samples: list[SampleRecord]) -> dict[str, dict[str, list[float]]]:
    """task -> metric -> the per-document numbers (NaN, booleans and text left out)."""
    per_doc: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for s in samples:
        for metric, value in (s.sample_metrics or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                per_doc[s.task][metric].append(float(value))
    return per_doc


class _Cell:
    """One family's primary metric in one language: its task, or the tasks it spans pooled."""

    def __init__(self, family: str, language: str):
        self.family, self.language = family, language
        self.tasks: list[tuple[str, float, int | None]] = []
        self.documents: list[float] = []
        self.scale = 1.0

    def add(self, task: str, value: float, n: int | None, documents: list[float], scale: float) -> None:
        self.tasks.append((task, value, n))
        self.documents = self.documents + documents
        self.scale = scale

    @property
    def task(self) -> str:
        """The task the language's row names: its one task, else ``<family>_<language>``."""
        return self.tasks[0][0] if len(self.tasks) == 1 else f"{self.family}_{self.language}"

    @property
    def n(self) -> int:
        return sum(n or 0 for _, _, n in self.tasks)

    @property
    def value(self) -> float:
        if len(self.tasks) == 1:
            return self.tasks[0][1]
        sizes = [n for _, _, n in self.tasks]
        if all(sizes):
            return sum(v * (n or 0) for _, v, n in self.tasks) / sum(n or 0 for n in sizes)
        return sum(v for _, v, _ in self.tasks) / len(self.tasks)


def pivot_rows(samples: list[SampleRecord]) -> list[MetricRecord]:
    """For a PLUG evaluation: per task, the share of answers whose target label was not found
    (the whole answer is kept) and of answers with only the pivot language (nothing kept). Tasks whose
    answers have no status (multiple choice: nothing generated) have no such rows."""
    by_task: dict[str, list[SampleRecord]] = defaultdict(list)
    for s in samples:
        by_task[s.task].append(s)
    by_task = {task: rows for task, rows in by_task.items() if any(r.pivot_status for r in rows)}
    out = []
    for task, rows in sorted(by_task.items()):
        statuses = [r.pivot_status for r in rows]
        for status in ("label_not_found", "only_pivot"):
            out.append(MetricRecord(task=task, language=rows[0].language, metric=f"pivot:{status}", filter="plug",
                                    value=statuses.count(status) / len(rows), n=len(rows), scored=True))
    return out


def unsupported_language_rows(samples: list[SampleRecord], scoring: Mapping[str, Any]) -> list[MetricRecord]:
    """Per task with a language-fidelity metric: the share of answers expected in a language the
    language identifier has no model of (``language_fidelity:unsupported``), when there are any.
    Those answers are left out of ``language_fidelity`` (neither right nor wrong)."""
    from ..langid import get_identifier

    identifier = get_identifier()
    by_task: dict[str, list[SampleRecord]] = defaultdict(list)
    for s in samples:
        if "language_fidelity" in s.sample_metrics:
            by_task[s.task].append(s)
    out = []
    for task, rows in sorted(by_task.items()):
        expected = [str(r.doc.get("expected_language") or r.language or "") for r in rows]
        unsupported = sum(1 for code in expected if code and not identifier.supports(code))
        if unsupported:
            filt = getattr(scoring.get(task), "filter", "none")
            out.append(MetricRecord(task=task, language=rows[0].language, metric="language_fidelity:unsupported",
                                    filter=filt, value=unsupported / len(rows), n=len(rows), scored=True))
    return out
