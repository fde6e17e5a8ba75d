"""Reading a run made elsewhere with plain lm-eval into the rows the store keeps.

lm-eval's ``--output_path`` folder holds, per model, ``results_<time>.json`` (the results, the task
configs, versions, ``n-samples`` and the run's config with ``model`` and ``model_args``) and, with
``--log_samples``, ``samples_<task>_<time>.jsonl``. :func:`read_run` turns one such run into a variant
(``method: external``, its model arguments as configuration) with its metrics and samples, computed by
the same code the harness's own evaluations go through (:func:`babelbench.evaluate.bridge.records_from_results`).

``harness export --format lm-eval`` writes results JSONs that also carry the harness's own metric rows
(under ``babelbench.rows``): those are read back as they are, so an export imported elsewhere shows the
same report rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.hashing import digest
from ..core.records import MetricRecord, SampleRecord


class LmEvalImportError(ValueError):
    """An lm-eval output that cannot be imported; one line naming the file."""


@dataclass
class ImportedRun:
    name: str
    variant: dict[str, Any]
    eval_key: str
    metrics: list[MetricRecord]
    samples: list[SampleRecord] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    results_file: Path = Path()


def find_results(path: Path) -> Path:
    """``path`` itself if it is a results JSON; else the one ``results_*.json`` below it."""
    if path.is_file():
        return path
    if not path.is_dir():
        raise LmEvalImportError(f"{path}: no such file or folder")
    found = sorted(path.rglob("results*.json"))
    if not found:
        raise LmEvalImportError(f"{path}: no lm-eval results file (results_*.json) in this folder")
    if len(found) > 1:
        listed = ", ".join(str(p.relative_to(path)) for p in found[:6])
        raise LmEvalImportError(f"{path}: {len(found)} results files ({listed}); name the one to import")
    return found[0]


def _samples(results_file: Path, tasks: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The run's logged samples: ``samples_<task>_<time>.jsonl`` beside ``results_<time>.json``."""
    stamp = results_file.stem.removeprefix("results").lstrip("_")
    out: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        candidates = sorted(results_file.parent.glob(f"samples_{task}_{stamp}.jsonl")) if stamp else []
        candidates = candidates or sorted(results_file.parent.glob(f"samples_{task}_*.jsonl"))
        if not candidates:
            continue
        rows = []
        for lineno, line in enumerate(candidates[-1].read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise LmEvalImportError(f"{candidates[-1]}:{lineno}: not valid JSON: {exc.msg}") from None
        out[task] = rows
    return out


def _model_name(config: dict[str, Any]) -> tuple[str, Any]:
    model = str(config.get("model") or "model")
    args = config.get("model_args") or {}
    if isinstance(args, str):
        from lm_eval.utils import simple_parse_args_string

        args = simple_parse_args_string(args)
    return model, args


def read_run(path: Path, name: str | None = None) -> ImportedRun:
    from ..core.yamlpos import display_path

    results_file = find_results(path)
    raw = results_file.read_bytes()
    try:
        results = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LmEvalImportError(f"{results_file}: not an lm-eval results JSON ({exc})") from None
    if not isinstance(results, dict) or not isinstance(results.get("results"), dict):
        raise LmEvalImportError(f"{results_file}: not an lm-eval results JSON (no \"results\" object)")
    own = results.get("babelbench") if isinstance(results.get("babelbench"), dict) else None
    model, model_args = _model_name(results.get("config") or {})
    pretrained = model_args.get("pretrained") if isinstance(model_args, dict) else None
    if own is not None:  # the harness's own export: its rows, as stored
        metrics = [MetricRecord(**row) for row in own.get("rows", [])]
        samples: list[SampleRecord] = []
        default_name = str(own.get("variant") or model)
        base_model = str(own.get("base_model") or pretrained or model)
        pivot_mode = str(own.get("pivot_mode") or "none")
        sample_digests: list[str] = []
    else:
        from ..evaluate.bridge import records_from_results

        by_task = _samples(results_file, list(results["results"]))
        metrics, samples, _ = records_from_results(results, by_task, plug=False)
        default_name = f"{model}:{Path(str(pretrained)).name}" if pretrained else model
        base_model, pivot_mode = str(pretrained or model), "none"
        sample_digests = [digest(rows) for _, rows in sorted(by_task.items())]
    name = name or default_name
    config = {"method": "external", "source": "lm-eval", "model": model, "model_args": model_args,
              "lm_eval_version": results.get("lm_eval_version"), "results_file": str(results_file)}
    variant_id = digest({"external": "lm-eval", "name": name, "model": model, "model_args": model_args})
    eval_key = digest({"import": "lm-eval", "results": digest(raw.decode("utf-8", "replace")), "samples": sample_digests,
                       "name": name})
    variant = {"variant_id": variant_id, "name": name, "recipe_hash": digest(raw.decode("utf-8", "replace")),
               "recipe_file": display_path(results_file), "base_model": base_model, "method": "external",
               "pivot_mode": pivot_mode, "pivot_language": "en", "data_mix": None, "data_size": None,
               "config": config, "choices": {}}
    info = {"imported_from": str(results_file), "lm_eval_version": results.get("lm_eval_version"),
            "versions": results.get("versions"), "n_samples": results.get("n-samples")}
    return ImportedRun(name, variant, eval_key, metrics, samples, info, results_file)
