"""X-AlpacaEval-style open-ended instructions: loading, the PLUG filter, descriptive metrics.

No reference metric grades these answers (that is the judges' job); the metrics here only
describe them: whether an answer was given, its length, and whether it is in the expected
language (the item's `expected_language` when it asks for another language, else its own).
With `lm_eval --metadata '{"judges": ["rubric-6facet"], "judge_base_url": ...}'` the judges' facets
are reported too (babelbench.judge.lm_eval_metric), graded through the harness's judgment cache.

Documents come from one setting, `data_source` (task metadata; a recipe's `eval.data_source`,
or `lm_eval --metadata '{"data_source": "hub"}'`): `shipped` (default) reads the parallel
sample in data/ (20 items a language, written for babelbench, CC0); `hub` reads X-AlpacaEval
(zhihz0535/X-AlpacaEval, CC BY-NC 4.0, 805 items a language) with `datasets`, which needs the
network; `local` reads X-AlpacaEval's published files (`english.json`, `chinese.json`, ... as in
zhihz0535/X-AlpacaEval) from `data_dir`, offline. Nothing falls back silently from one to another.
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
from babelbench.evaluate import local_data
from babelbench.evaluate.lm_filters import PlugTargetFilter  # noqa: F401  (used by the YAML)
from babelbench.evaluate.metrics import language_fidelity
from babelbench.judge.lm_eval_metric import configure as configure_judges
from babelbench.judge.lm_eval_metric import judge_metrics

_DATA = Path(__file__).parent / "data"
HUB_DATASET = "zhihz0535/X-AlpacaEval"
_HUB_SPLITS = {"en": "english", "zh": "chinese", "ko": "korean", "it": "italian", "es": "spanish"}


def load_shipped(language: str, data_source: str = "shipped", **metadata: object) -> dict[str, datasets.Dataset]:
    configure_judges(metadata)  # `--metadata '{"judges": [...]}'`: judge facets as metrics (see process_results)
    if data_source == "hub":
        return _load_hub(language)
    if data_source == "local":
        return _load_local(language, metadata)
    if data_source != "shipped":
        raise ValueError(f"data_source must be 'shipped', 'hub' or 'local', not {data_source!r}")
    lines = (_DATA / f"xalpaca.{language}.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [{"expected_language": None, **json.loads(line)} for line in lines if line.strip()]
    return {"test": datasets.Dataset.from_list(rows)}


def _load_hub(language: str) -> dict[str, datasets.Dataset]:
    """The Hub release: one split per language, rows parallel by position."""
    hub = datasets.load_dataset(HUB_DATASET, split=_HUB_SPLITS[language])
    rows = [{"id": f"xa{i:04d}", "language": language, "expected_language": None, "instruction": r["instruction"]}
            for i, r in enumerate(hub)]
    return {"test": datasets.Dataset.from_list(rows)}


def _load_local(language: str, metadata: dict) -> dict[str, datasets.Dataset]:
    """The published files: one per language, rows parallel by position (ids as the Hub rows')."""
    (path,) = local_data.task_files("xalpaca", local_data.data_dir_of(metadata), {"language": language})
    records = local_data.json_records(local_data.require(path, "xalpaca"))
    rows = [{"id": f"xa{i:04d}", "language": language, "expected_language": None, "instruction": r["instruction"]}
            for i, r in enumerate(records)]
    return {"test": datasets.Dataset.from_list(rows)}


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    answer = results[0].strip()
    return {"answered": float(bool(answer)), "answer_chars": float(len(answer)),
            "language_fidelity": language_fidelity(answer, doc.get("expected_language") or doc["language"]),
            # only with judges in the task metadata: judge:<judge>/<facet> of this answer
            **judge_metrics(doc, results[0], task=f"xalpaca_{doc['language']}")}
