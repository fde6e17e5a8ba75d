"""Running a variant through lm-eval and turning its results into store rows.

The model runs as the recipe's eval backend (:mod:`.backends`; ``hf``: ``pretrained=<base>``
and, for LoRA variants, ``peft=<adapter>``) -- the same arguments a user would give
``lm_eval``. Tasks come from the task folders through ``TaskManager(include_path=...)``;
lm-eval's thousands of built-in tasks are indexed only when a recipe names one. Which rows
count is declared by each task (:mod:`.scoring`).
"""

from __future__ import annotations

import importlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import languages as language_table
from ..analysis.aggregates import aggregate_rows, pivot_rows, unsupported_language_rows
from ..core.records import MetricRecord, SampleRecord
from ..langid import identifier_in_use
from ..lm_eval.env import quiet_git_lookup
from ..lm_eval.progress import generation_progress
from ..plug.sections import extract_target, labels_in_use
from ..plug.system_lines import description_template
from ..recipe.schema import PerLanguageLimit, Variant
from .backends import get_eval_backend
from .scoring import Scoring, task_scoring
from .task_index import needs_builtin


@dataclass
class EvalOutput:
    metrics: list[MetricRecord] = field(default_factory=list)
    samples: list[SampleRecord] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


def run_lm_eval(variant: Variant, base_path: str, adapter_path: str | None, tasks_dirs: list[Path]) -> EvalOutput:
    import lm_eval

    from .prompt_tasks import generate

    cfg = variant.eval
    plug = variant.pivot.mode == "plug"
    backend = get_eval_backend(cfg.backend)
    if backend.lm_eval_module:   # the harness's own lm-eval model: registered by importing its module
        importlib.import_module(backend.lm_eval_module)
    generated, prompt_tasks = generate(cfg.prompt_files, Path(variant.recipe_file).resolve().parent)
    include = [str(d) for d in tasks_dirs] + ([str(generated)] if generated else [])
    # `data_source` reaches every task's loader as lm-eval task metadata (as `--metadata` would).
    pivot = variant.pivot
    line = description_template(pivot.system_prompt, pivot.mode, pivot.pivot_language, _variant_languages(variant))
    manager = _task_manager(line)(include_path=include, include_defaults=needs_builtin(cfg.tasks, tasks_dirs),
                                  metadata=task_metadata(variant))
    quiet_git_lookup()
    identifier = cfg.language_identifier
    if identifier != "lingua":
        identifier = str(Path(variant.recipe_file).resolve().parent / identifier)
    # the PLUG filter splits answers by the recipe's labels too; fidelity metrics use its identifier
    # lm-eval's stderr bootstrap (1000 draws: one chunk) in this process: the same numbers as its process pool,
    # which forks, and a fork from a threaded process (a Ray worker) can hang on a lock held by another thread
    os.environ["DISABLE_MULTIPROC"] = "1"
    tasks = list(cfg.tasks) + prompt_tasks
    with labels_in_use(pivot.labels), identifier_in_use(identifier), generation_progress():
        results = lm_eval.simple_evaluate(
            model=backend.lm_eval_model,
            model_args=backend.model_args(base_path, adapter_path, variant),
            tasks=tasks,
            **_documents(cfg.limit, tasks, manager),
            gen_kwargs=dict(cfg.gen_kwargs) or None,
            batch_size=cfg.batch_size,
            apply_chat_template=cfg.apply_chat_template,
            log_samples=True,
            task_manager=manager,
            bootstrap_iters=1000,
        )
        metrics, samples, scoring = records_from_results(results, results.get("samples", {}), plug)
    info = {"lm_eval_version": results.get("lm_eval_version"), "task_hashes": results.get("task_hashes"),
            "versions": results.get("versions"), "n_samples": results.get("n-samples"),
            "chat_template_sha": results.get("chat_template_sha"),
            "scoring": {t: {"filter": s.filter, "primary_metric": s.primary_metric, "family": s.family,
                            "language": s.language}
                        for t, s in scoring.items()},
            "seconds": float(results.get("total_evaluation_time_seconds") or 0)}
    return EvalOutput(metrics=metrics, samples=samples, info=info)


def task_metadata(variant: Variant) -> dict[str, Any]:
    """What every task's loader is given (lm-eval task metadata, as ``--metadata`` would): the data source
    and, for ``local``, the folder of the published files (absolute: relative paths are the recipe's)."""
    cfg = variant.eval
    if cfg.data_source != "local" or cfg.data_dir is None:
        return {"data_source": cfg.data_source}
    return {"data_source": "local", "data_dir": str((Path(variant.recipe_file).resolve().parent / cfg.data_dir).resolve())}


def _documents(limit: int | float | PerLanguageLimit | None, tasks: list[str], manager: Any) -> dict[str, Any]:
    """lm-eval's ``limit`` for a count or a share; its ``samples`` (indices per task) for a stratified sample."""
    if not isinstance(limit, PerLanguageLimit):
        return {"limit": limit}
    from .sampling import stratified_samples

    return {"samples": stratified_samples(tasks, manager, limit.per_language, limit.seed)}


def records_from_results(results: dict[str, Any], samples_by_task: dict[str, list[dict[str, Any]]],
                         plug: bool) -> tuple[list[MetricRecord], list[SampleRecord], dict[str, Scoring]]:
    """lm-eval's results (``simple_evaluate``'s return, or a saved results JSON) and its logged samples
    -> the rows the store keeps: metrics split into columns with what each task says counts, intervals,
    PLUG and unsupported-language rates, family and language aggregates; and one sample row per document.
    Call it with the labels and the language identifier of the evaluation in use."""
    configs = results.get("configs", {})
    scoring = {task: task_scoring(task, config, plug) for task, config in configs.items()}
    samples = list(_sample_rows(samples_by_task, scoring, plug))
    # a task's language: its documents' (the harness's tasks write it), else what the task says (lm-eval's suites)
    languages = {task: rule.language for task, rule in scoring.items()}
    languages.update({s.task: s.language for s in samples if s.language})
    metrics = list(_metric_rows(results, languages, scoring))
    add_intervals(metrics, samples)
    scored = [m for m in metrics if m.scored]
    if plug:
        metrics += pivot_rows(samples)
    metrics += unsupported_language_rows(samples, scoring)
    metrics += aggregate_rows(scored, samples, {t: s.scale for t, s in scoring.items()})
    return metrics, samples, scoring


def _variant_languages(variant: Variant) -> list[str]:
    """Languages a document of this variant's evaluation may be in: the common ones, and the recipe's own."""
    own = set(variant.data.mix) if variant.data else set()
    for pf in variant.eval.prompt_files:
        own |= {pf.language} | ({pf.expected_language} if pf.expected_language else set())
    return sorted(set(language_table.COMMON) | own | set(variant.pivot.labels) | {variant.pivot.pivot_language})


def _task_manager(system_line: str | None):
    """lm-eval's TaskManager; with a system line, one that gives every task it loads that line as
    its description (a Jinja template on the document's language), which lm-eval sends as the
    system message of the chat-templated prompt -- the same line the training rows carry."""
    from lm_eval.tasks import TaskManager

    if system_line is None:
        return TaskManager
    line: str = system_line

    class SystemLineTaskManager(TaskManager):
        def load(self, *args: Any, **kwargs: Any):
            loaded = super().load(*args, **kwargs)
            for task in loaded["tasks"].values():
                own = task.get_config("description") or ""
                task.set_config("description", line + ("\n\n" + own if own else ""))
            return loaded

    return SystemLineTaskManager


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _metric_rows(results: dict[str, Any], languages: dict[str, str | None], scoring: dict[str, Scoring]):
    """Split lm-eval's ``"metric,filter"`` keys into columns; mark what each task says counts."""
    groups = set(results.get("groups", {})) | set(results.get("group_subtasks", {}))
    sections = {**results.get("results", {}), **results.get("groups", {})}
    for task, values in sections.items():
        n = (results.get("n-samples", {}).get(task) or {}).get("effective")
        rule = scoring.get(task)
        is_group = task in groups and bool(results.get("group_subtasks", {}).get(task))
        group_filter = _group_filter(results, task, scoring) if is_group else None
        for key, value in values.items():
            if "," not in key or "_stderr," in key:
                continue
            metric, filt = key.split(",", 1)
            scored = (rule.filter == filt) if rule else (filt == group_filter)
            yield MetricRecord(
                task=task, task_version=str(results.get("versions", {}).get(task, "")),
                language=languages.get(task), metric=metric, filter=filt,
                value=_number(value), stderr=_number(values.get(f"{metric}_stderr,{filt}")),
                n=int(n) if n is not None else None, is_group=is_group, scored=scored,
                is_primary=bool(rule and scored and metric == rule.primary_metric),
                family=rule.family if rule else task,
            )


def _group_filter(results: dict[str, Any], group: str, scoring: dict[str, Scoring]) -> str | None:
    """A group counts the filter its subtasks count (their first, if they disagree)."""
    for sub in results.get("group_subtasks", {}).get(group, []):
        if sub in scoring:
            return scoring[sub].filter
    return None


def _sample_rows(samples_by_task: dict[str, list[dict[str, Any]]], scoring: dict[str, Scoring], plug: bool):
    """One row per (task, document): the raw answer, and the answer the variant is scored on."""
    for task, entries in samples_by_task.items():
        kept_filter = scoring[task].filter if task in scoring else "none"
        by_doc: dict[int, dict[str, dict[str, Any]]] = {}
        for entry in entries:
            by_doc.setdefault(entry["doc_id"], {})[entry["filter"]] = entry
        for doc_id, per_filter in sorted(by_doc.items()):
            entry = per_filter.get(kept_filter) or next(iter(per_filter.values()))
            raw, kept, generated = _answers(entry)
            doc = entry["doc"]
            language = (doc.get("language") if isinstance(doc, dict) else None) or \
                (scoring[task].language if task in scoring else None)
            status = extract_target(raw, language)[1].value if plug and language and generated else None
            yield SampleRecord(
                task=task, doc_id=int(doc_id), language=language,
                prompt=_prompt_text(entry), raw_response=raw, kept_response=str(kept),
                kept_filter=entry["filter"], pivot_status=status, target=str(entry.get("target", "")),
                doc=doc if isinstance(doc, dict) else {"doc": doc}, doc_hash=entry.get("doc_hash"),
                prompt_hash=entry.get("prompt_hash"), target_hash=entry.get("target_hash"),
                sample_metrics={m: entry.get(m) for m in entry.get("metrics", [])},
            )


def _answers(entry: dict[str, Any]) -> tuple[str, Any, bool]:
    """The raw and the kept answer of a logged sample, and whether the model generated it. A generated
    answer is text; a log-likelihood task (multiple choice: XNLI, Belebele) logs one (log-likelihood,
    is-greedy) pair per choice, and its answer is the choice the model scores highest (no PLUG sections)."""
    resps = entry["resps"]
    first = resps[0][0] if resps and resps[0] else ""
    if isinstance(first, str):
        kept = entry["filtered_resps"][0] if isinstance(entry["filtered_resps"], list) else entry["filtered_resps"]
        return first, kept, True
    scores = [(_number(r[0][0]) if r and isinstance(r[0], (list, tuple)) else None) for r in resps]
    ranked = [-math.inf if score is None else score for score in scores]
    best = max(range(len(ranked)), key=ranked.__getitem__)
    choices = _continuations(entry)
    chosen = choices[best] if best < len(choices) else str(best)
    return chosen, chosen, False


def _continuations(entry: dict[str, Any]) -> list[str]:
    """The continuation each log-likelihood request of a sample scored (its choices), in request order."""
    args = entry.get("arguments")
    if isinstance(args, dict):
        return [str(a.get("arg_1", "")) for a in args.values() if isinstance(a, dict)]
    if isinstance(args, list):
        return [str(a[1]) if isinstance(a, (list, tuple)) and len(a) > 1 else "" for a in args]
    return []


def _prompt_text(entry: dict[str, Any]) -> str:
    args = entry.get("arguments")
    if isinstance(args, dict):
        first: dict[str, Any] = next(iter(args.values()), {})
        return str(first.get("arg_0", ""))
    if isinstance(args, list) and args:
        return str(args[0][0])
    return ""


def add_intervals(metrics: list[MetricRecord], samples: list[SampleRecord]) -> None:
    """95 % intervals for the scored filter's metrics, from the per-document values stored with
    the samples: sacrebleu's bootstrap for corpus metrics, a percentile bootstrap of the mean otherwise."""
    from ..analysis.bootstrap import mean_ci
    from .metrics import CORPUS_METRICS

    by_task: dict[str, list[dict[str, Any]]] = {}
    for s in samples:
        by_task.setdefault(s.task, []).append(s.sample_metrics)
    for row in metrics:
        values = [m.get(row.metric) for m in by_task.get(row.task, [])]
        if not row.scored or row.is_group or not values:
            continue
        if row.metric in CORPUS_METRICS:
            pairs = [v for v in values if isinstance(v, (list, tuple)) and len(v) == 2]
            if pairs:
                _, half = CORPUS_METRICS[row.metric](pairs, n_bootstrap=1000)
                if half is not None and row.value is not None:
                    row.ci_low, row.ci_high = row.value - half, row.value + half
            continue
        numbers = [n for n in (_number(v) for v in values) if n is not None]
        _, low, high = mean_ci(numbers)
        row.ci_low, row.ci_high = low, high
