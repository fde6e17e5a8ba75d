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
with `datasets`, which needs the network. No silent fallback between the two.
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
from babelbench.evaluate.lm_filters import PlugTargetFilter  # noqa: F401  (used by the YAML)
from babelbench.evaluate.metrics import language_fidelity, spbleu

_DATA = Path(__file__).parent / "data"
HUB_DATASET = "openlanguagedata/flores_plus"
#: Language code -> FLORES+ config, for every language with a shipped sample (and so a flores_gen task).
_FLORES_CODES = {"en": "eng_Latn", "zh": "cmn_Hans", "es": "spa_Latn", "it": "ita_Latn", "ko": "kor_Hang",
                 "de": "deu_Latn", "fr": "fra_Latn", "ar": "arb_Arab", "el": "ell_Grek", "hi": "hin_Deva",
                 "tr": "tur_Latn", "vi": "vie_Latn", "ru": "rus_Cyrl", "ja": "jpn_Jpan"}


def _sentences(language: str, data_source: str) -> list[dict]:
    if data_source == "hub":
        hub = datasets.load_dataset(HUB_DATASET, _FLORES_CODES[language], split="devtest")
        return [{"id": str(r["id"]), "text": r["text"]} for r in hub]
    if data_source != "shipped":
        raise ValueError(f"data_source must be 'shipped' or 'hub', not {data_source!r}")
    lines = (_DATA / f"flores_gen.{language}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def load(source_language: str, target_language: str, data_source: str = "shipped", **_: object):
    targets = {r["id"]: r["text"] for r in _sentences(target_language, data_source)}
    rows = [{"id": r["id"], "language": target_language, "source_language": source_language,
             "source": r["text"], "target": targets[r["id"]]}
            for r in _sentences(source_language, data_source) if r["id"] in targets]
    return {"test": datasets.Dataset.from_list(rows)}


def process_results(doc: dict, results: list[str]) -> dict:
    translation = results[0].strip()
    return {"chrf": (doc["target"], translation), "spbleu": (doc["target"], translation),
            "language_fidelity": language_fidelity(translation, doc["language"])}


def spbleu_corpus(items) -> float:
    return spbleu(items)[0]
