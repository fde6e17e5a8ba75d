"""Reference metrics the shipped tasks use -- one implementation each, imported by the
tasks' ``utils.py`` (so plain ``lm_eval --include_path tasks`` computes the same numbers).

* QA: exact match, token F1 and "gold contained in the response", with SQuAD-style
  normalisation made multilingual: NFKC, Unicode punctuation and symbols, each language's
  articles, and every CJK character a token in any language (so Chinese F1 is not
  all-or-nothing). These are babelbench's *lenient* scores: babel_qa's metrics, and the
  extractive-QA tasks' ``exact_match_lenient`` / ``f1_lenient`` / ``contains``. Those tasks'
  ``exact_match`` / ``f1`` are the official scripts' (:mod:`babelbench.evaluate.official_qa`),
  which differ (no NFKC, ASCII-only punctuation for SQuAD, F1 0 for empty normalisations).
* Translation: chrF (sacrebleu defaults) and spBLEU (BLEU over sacrebleu's ``flores200``
  SentencePiece tokenisation), corpus-level, with sacrebleu's bootstrap interval.
* Language fidelity: is the response in the expected language (:mod:`babelbench.langid`).
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

_ARTICLES = {
    "en": r"a|an|the",
    "es": r"el|la|los|las|un|una|unos|unas",
    "de": r"der|die|das|den|dem|des|ein|eine|einen|einem|einer|eines",
    "it": r"il|lo|la|i|gli|le|un|uno|una",
    "fr": r"le|la|les|l|un|une|des",
    "pt": r"o|a|os|as|um|uma|uns|umas",
}
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def normalize_answer(text: str, language: str | None = None) -> str:
    """Lower case, NFKC, no punctuation, no articles of ``language``, single spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "S")))
    articles = _ARTICLES.get(language or "", _ARTICLES["en"] if language is None else "")
    if articles:
        text = re.sub(rf"\b({articles})\b", " ", text)
    return " ".join(text.split())


def answer_tokens(text: str, language: str | None = None) -> list[str]:
    """Whitespace tokens of the normalised text, with each CJK character a token of its own."""
    return _CJK.sub(r" \1 ", normalize_answer(text, language)).split()


def exact_match(response: str, golds: Iterable[str], language: str | None = None) -> float:
    pred = normalize_answer(response, language)
    return float(any(pred == normalize_answer(g, language) for g in golds))


def token_f1(response: str, golds: Iterable[str], language: str | None = None) -> float:
    """SQuAD token F1, best over the gold answers."""
    pred = answer_tokens(response, language)
    best = 0.0
    for gold in golds:
        ref = answer_tokens(gold, language)
        if not pred or not ref:
            best = max(best, float(pred == ref))
            continue
        common = sum((Counter(pred) & Counter(ref)).values())
        if common:
            precision, recall = common / len(pred), common / len(ref)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains(response: str, golds: Iterable[str], language: str | None = None) -> float:
    """Is a normalised gold answer a substring of the normalised response? (Lenient, for chatty answers.)"""
    pred = normalize_answer(response, language)
    return float(any((g := normalize_answer(gold, language)) and g in pred for gold in golds))


def xllm_match(response: str, golds: Sequence[str]) -> float:
    """x-LLM's QA match (NJUNLP/x-LLM ``eval/xquad.match.py``, which ``eval/mlqa.match.py`` links to): 1 when
    the first gold answer (stripped, as its data builder writes ``output``), lower-cased, is a substring of
    the lower-cased response. No other normalisation (``contains`` normalises more)."""
    gold = golds[0].strip() if golds else ""
    return float(gold.lower() in response.lower())


def qa_scores(response: str, golds: Sequence[str], language: str | None) -> dict[str, float]:
    return {"exact_match": exact_match(response, golds, language), "f1": token_f1(response, golds, language),
            "contains": contains(response, golds, language)}


def language_fidelity(response: str, expected: str | None) -> float:
    """1 if the response is in ``expected``, 0 if not, NaN if it has no letters to tell by
    (aggregate with ``nanmean``)."""
    from ..langid import detect

    found = detect(response, expected)
    if found.language is None:
        return math.nan
    return float(found.language == expected)


# --- translation ---------------------------------------------------------------------

SPM_MODEL_NAME = "flores200sacrebleuspm"


def _pairs(items: Sequence[Sequence[str]]) -> tuple[list[str], list[str]]:
    refs = [str(i[0]) for i in items]
    preds = [str(i[1]) for i in items]
    return refs, preds


def chrf(items: Sequence[Sequence[str]], n_bootstrap: int = 1) -> tuple[float, float | None]:
    """Corpus chrF (char order 6, beta 2) of (reference, prediction) pairs, and its 95 % half-width."""
    from sacrebleu.metrics import CHRF

    refs, preds = _pairs(items)
    score = CHRF().corpus_score(preds, [refs], n_bootstrap=n_bootstrap)
    return score.score, (score._ci if n_bootstrap > 1 else None)


def spbleu(items: Sequence[Sequence[str]], n_bootstrap: int = 1) -> tuple[float, float | None]:
    """Corpus BLEU over sacrebleu's flores200 SentencePiece tokens (spBLEU), and its 95 % half-width.

    sacrebleu downloads the SentencePiece model on first use; offline, it must already be in
    ``$SACREBLEU/models/`` (default ``~/.sacrebleu``), or this raises a clear error.
    """
    from sacrebleu.metrics import BLEU
    from sacrebleu.utils import SACREBLEU_DIR

    model = os.path.join(SACREBLEU_DIR, "models", SPM_MODEL_NAME)
    refs, preds = _pairs(items)
    try:
        score = BLEU(tokenize="flores200").corpus_score(preds, [refs], n_bootstrap=n_bootstrap)
    except Exception as exc:  # sacrebleu's download failing offline, typically
        if os.path.exists(model):
            raise
        raise RuntimeError(
            f"spBLEU needs sacrebleu's flores200 SentencePiece model at {model}; sacrebleu downloads it on "
            f"first use with network access ({type(exc).__name__}: {exc}). Copy it there to run offline.") from None
    return score.score, (score._ci if n_bootstrap > 1 else None)


#: Corpus-level metrics: per-document values are (reference, prediction) pairs.
CORPUS_METRICS = {"chrf": chrf, "spbleu": spbleu}


def spbleu_model_problem() -> str | None:
    """Why spBLEU cannot score in this run, or None: it tokenises with sacrebleu's flores200 SentencePiece
    model, which sacrebleu downloads on first use; offline, it must already be in $SACREBLEU/models (else
    every evaluation would fail after its training)."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() not in _TRUE:
        return None
    from pathlib import Path

    try:
        from sacrebleu.utils import SACREBLEU_DIR
    except ImportError:
        return None
    model = Path(SACREBLEU_DIR) / "models" / SPM_MODEL_NAME
    if model.is_file():
        return None
    return (f"flores_gen's spBLEU needs sacrebleu's flores200 SentencePiece model at {model}, which sacrebleu "
            "downloads on first use, and HF_HUB_OFFLINE=1 says this run is offline: copy the file there "
            "(or set SACREBLEU to a folder whose models/ holds it)")


_TRUE = {"1", "on", "yes", "true"}

#: Task-name prefix -> what its metrics need before a run (None: all there): the flores_gen tasks score spBLEU.
OFFLINE_NEEDS: dict[str, Callable[[], str | None]] = {"flores_gen": spbleu_model_problem}


def offline_problem(tasks: Iterable[str]) -> str | None:
    """Why the metrics of ``tasks`` cannot score in this run (a file they download on first use, offline), or None."""
    tasks = list(tasks)
    for prefix, problem in OFFLINE_NEEDS.items():
        found = problem() if any(task.startswith(prefix) for task in tasks) else None
        if found:
            return found
    return None
