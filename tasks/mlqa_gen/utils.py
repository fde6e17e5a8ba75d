"""Generative extractive QA with the instruction in the target language (mlqa_gen).

Scored with babelbench's multilingual SQuAD-style metrics (exact match, token F1 with CJK
characters as tokens, gold answer contained in the response) against every gold answer,
plus language fidelity (see babelbench.evaluate.extractive_qa).

`data_source` (task metadata; a recipe's `eval.data_source`, or
`lm_eval --metadata '{"data_source": "hub"}'`): `shipped` (default) reads the sample in data/
(5 items a language, written for babelbench, CC0); `hub` reads MLQA (facebook/mlqa, CC BY-SA 3.0), question and context in the same language,
with `datasets`, which needs the network. No silent fallback between the two.
"""

from __future__ import annotations

from pathlib import Path

import datasets
from babelbench.evaluate import extractive_qa
from babelbench.evaluate.extractive_qa import process_results  # noqa: F401  (used by the YAML)
from babelbench.evaluate.lm_filters import PlugTargetFilter  # noqa: F401  (used by the YAML)

_DATA = Path(__file__).parent / "data"


def load(language: str, data_source: str = "shipped", **_: object):
    return extractive_qa.load(_DATA / f"mlqa_gen.{language}.jsonl",
                              lambda: datasets.load_dataset("facebook/mlqa", f"mlqa.{language}.{language}", split="test"), language, data_source)
