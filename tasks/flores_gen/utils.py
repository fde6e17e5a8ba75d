"""FLORES-style sentence translation between every two languages with a shipped sample, both ways
(the task YAMLs are written by _generate.py).

chrF and spBLEU are corpus-level (lm-eval aggregates the (reference, translation) pairs);
the harness adds sacrebleu's bootstrap interval when it stores them. spBLEU needs sacrebleu's
flores200 SentencePiece model (downloaded by sacrebleu on first use; offline it must be in
``$SACREBLEU/models/``, else the task fails with a message saying so).

`data_source` (task metadata; a recipe's `eval.data_source`, or
`lm_eval --metadata '{"data_source": "hub"}'`): `shipped` (default) reads the parallel sample
in data/ (the same 10 sentences in each language, written for babelbench, CC0); `hub` reads the devtest split
of FLORES+ (openlanguagedata/flores_plus, CC BY-SA 4.0; gated: accept its terms and log in)
with `datasets`, which needs the network; `local` reads the published devtest files from `data_dir`
(FLORES+'s `devtest/<code>.parquet`, or FLORES-200's `devtest/<code>.devtest` text files; see
babelbench.evaluate.local_data), offline. No silent fallback between them.
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
from babelbench.evaluate import local_data
from babelbench.evaluate.lm_filters import PlugTargetFilter  # noqa: F401  (used by the YAML)
from babelbench.evaluate.metrics import language_fidelity, spbleu

_DATA = Path(__file__).parent / "data"
HUB_DATASET = "openlanguagedata/flores_plus"
#: Language code -> FLORES+ config, for every language with a shipped sample (and so a flores_gen task).
_FLORES_CODES = local_data.FLORES_CODES


def _sentences(language: str, data_source: str, metadata: dict) -> list[dict]:
    if data_source == "hub":
        hub = datasets.load_dataset(HUB_DATASET, _FLORES_CODES[language], split="devtest")
        return [{"id": str(r["id"]), "text": r["text"]} for r in hub]
    if data_source == "local":
        path = local_data.flores_file(local_data.data_dir_of(metadata), language)
        return local_data.flores_sentences(local_data.require(path, "flores"))
    if data_source != "shipped":
        raise ValueError(f"data_source must be 'shipped', 'hub' or 'local', not {data_source!r}")
    lines = (_DATA / f"flores_gen.{language}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def load(source_language: str, target_language: str, data_source: str = "shipped", **metadata: object):
    targets = {r["id"]: r["text"] for r in _sentences(target_language, data_source, metadata)}
    rows = [{"id": r["id"], "language": target_language, "source_language": source_language,
             "source": r["text"], "target": targets[r["id"]]}
            for r in _sentences(source_language, data_source, metadata) if r["id"] in targets]
    return {"test": datasets.Dataset.from_list(rows)}


def process_results(doc: dict, results: list[str]) -> dict:
    translation = results[0].strip()
    return {"chrf": (doc["target"], translation), "spbleu": (doc["target"], translation),
            "language_fidelity": language_fidelity(translation, doc["language"])}


def spbleu_corpus(items) -> float:
    return spbleu(items)[0]
