"""The official extractive-QA scorers, reproduced exactly, so our numbers compare with published ones.

Two scripts, each re-implemented function for function (behaviour as the script runs under Python 3):

* **SQuAD v1.1** -- ``evaluate-v1.1.py``, the script XQuAD's authors use for all its languages
  (google-deepmind/xquad README, "Training and evaluation", which links the copy at
  https://raw.githubusercontent.com/allenai/bi-att-flow/master/squad/evaluate-v1.1.py; read at
  allenai/bi-att-flow commit a315bc8888fe11180703ff471e398c4841177ba8, whose scoring functions are
  those of the CodaLab original). Normalisation: lower case; drop the characters of Python's
  ``string.punctuation`` (ASCII only); replace the English articles ``a|an|the`` (between ``\\b``
  word boundaries) by a space; split on whitespace. No language is consulted.
* **MLQA v1** -- ``mlqa_evaluation_v1.py`` (https://github.com/facebookresearch/MLQA, read at commit
  5ef5c731a96acb7008b51aac4acb5fa9dff4f297). Normalisation with the answer's language: lower case;
  drop every character of Unicode category P and of ``string.punctuation``; replace the language's
  articles by a space (en ``a|an|the``; es ``un|una|unos|unas|el|la|los|las``; de
  ``ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des``; vi ``của|là|cái|chiếc|những``; ar
  the regex ``\\sال^|ال`` as written -- its first branch can never match, so every ``ال`` anywhere
  in the text becomes a space, inside words too; none for hi and zh); then whitespace tokens, or
  for zh *mixed segmentation*: each character in ``[\\u4e00-\\u9fa5]`` (and each punctuation
  character, none left by then) is a token of its own, other runs split on whitespace. Any other
  language is refused, as the script refuses it.

In both: exact match is the equality of the normalised strings; F1 is token-bag F1, and 0 whenever
prediction and gold share no token (so an answer or a gold that normalises to nothing scores 0, even
against another empty one -- unlike :mod:`babelbench.evaluate.metrics`' lenient F1); both are the
maximum over the gold answers. Neither script applies Unicode normalisation (NFKC): full-width
``ＡＢＣ`` is not ``abc``. Departures, all outside what the scripts define: scores are floats in
0-1 per answer (the scripts sum booleans and report percentages over a data set), and an empty
list of golds scores 0 where the scripts' ``max([])`` would raise.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# --- SQuAD v1.1 (evaluate-v1.1.py) ----------------------------------------------------------

_ASCII_PUNCT = frozenset(string.punctuation)
_SQUAD_ARTICLES = re.compile(r"\b(a|an|the)\b")


def squad_normalize(text: str) -> str:
    """SQuAD v1.1's ``normalize_answer``: lower, no ASCII punctuation, no a/an/the, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCT)
    return " ".join(_SQUAD_ARTICLES.sub(" ", text).split())


# --- MLQA v1 (mlqa_evaluation_v1.py) ---------------------------------------------------------

_MLQA_ARTICLES: dict[str, re.Pattern[str] | None] = {
    "en": re.compile(r"\b(a|an|the)\b"),
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "hi": None,   # "Hindi does not have formal articles"
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
    "ar": re.compile(r"\sال^|ال"),   # as written: the first branch never matches; every "ال" goes
    "zh": None,   # "Chinese does not have formal articles"
}
MLQA_LANGUAGES = tuple(sorted(_MLQA_ARTICLES))
_MIXED_SEGMENTATION = frozenset({"zh"})   # the rest are the script's WHITESPACE_LANGS
_MLQA_CJK = re.compile(r"[\u4e00-\u9fa5]")


def mlqa_punctuation(ch: str) -> bool:
    """Whether ``ch`` is in the script's ``PUNCT``: Unicode category P, or ``string.punctuation``.

    (The script builds the set over ``range(sys.maxunicode)``; the one code point that leaves out,
    U+10FFFF, is unassigned, so testing the category of the character itself is the same set.)"""
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def mixed_segmentation(text: str) -> list[str]:
    """MLQA's ``mixed_segmentation``: CJK ideographs U+4E00-U+9FA5 and punctuation one token each,
    the runs between them split on whitespace."""
    tokens: list[str] = []
    run = ""
    for ch in text:
        if _MLQA_CJK.match(ch) or mlqa_punctuation(ch):
            tokens += run.split()
            run = ""
            tokens.append(ch)
        else:
            run += ch
    return tokens + run.split()


def mlqa_normalize(text: str, language: str) -> str:
    """MLQA's ``normalize_answer(s, lang)``; a language outside MLQA's seven is refused."""
    if language not in _MLQA_ARTICLES:
        raise ValueError(f"MLQA's scorer knows the languages {', '.join(MLQA_LANGUAGES)}, not {language!r}")
    text = "".join(ch for ch in text.lower() if not mlqa_punctuation(ch))
    articles = _MLQA_ARTICLES[language]
    if articles is not None:
        text = articles.sub(" ", text)
    tokens = mixed_segmentation(text) if language in _MIXED_SEGMENTATION else text.split()
    return " ".join(t for t in tokens if t.strip() != "")


# --- shared scoring ---------------------------------------------------------------------------

def _f1(prediction: list[str], gold: list[str]) -> float:
    common = sum((Counter(prediction) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(prediction), common / len(gold)
    return 2 * precision * recall / (precision + recall)


Normalizer = Callable[[str, str | None], str]


def _exact_match(normalize: Normalizer, prediction: str, golds: Sequence[str], language: str | None) -> float:
    pred = normalize(prediction, language)
    return max((float(pred == normalize(g, language)) for g in golds), default=0.0)


def _token_f1(normalize: Normalizer, prediction: str, golds: Sequence[str], language: str | None) -> float:
    pred = normalize(prediction, language).split()
    return max((_f1(pred, normalize(g, language).split()) for g in golds), default=0.0)


def _squad(text: str, language: str | None) -> str:
    return squad_normalize(text)


def _mlqa(text: str, language: str | None) -> str:
    if language is None:
        raise ValueError(f"MLQA's scorer needs the answer's language (one of {', '.join(MLQA_LANGUAGES)})")
    return mlqa_normalize(text, language)


def squad_exact_match(prediction: str, golds: Sequence[str], language: str | None = None) -> float:
    """SQuAD v1.1 exact match, best over ``golds`` (``language`` is ignored, as the script has none)."""
    return _exact_match(_squad, prediction, golds, language)


def squad_f1(prediction: str, golds: Sequence[str], language: str | None = None) -> float:
    """SQuAD v1.1 token F1, best over ``golds`` (``language`` is ignored)."""
    return _token_f1(_squad, prediction, golds, language)


def mlqa_exact_match(prediction: str, golds: Sequence[str], language: str | None) -> float:
    """MLQA exact match in the answer's (= the context's) language, best over ``golds``."""
    return _exact_match(_mlqa, prediction, golds, language)


def mlqa_f1(prediction: str, golds: Sequence[str], language: str | None) -> float:
    """MLQA token F1 in the answer's (= the context's) language, best over ``golds``."""
    return _token_f1(_mlqa, prediction, golds, language)


# --- registry ---------------------------------------------------------------------------------

Metric = Callable[[str, Sequence[str], str | None], float]


@dataclass(frozen=True)
class Scorer:
    """One official script: its exact match and F1 (prediction, golds, language) -> 0-1."""

    name: str
    script: str   # what it mirrors, and where to read it
    exact_match: Metric
    f1: Metric


SCORERS: dict[str, Scorer] = {
    s.name: s for s in (
        Scorer("squad_v1.1", "SQuAD v1.1 evaluate-v1.1.py (used by XQuAD)", squad_exact_match, squad_f1),
        Scorer("mlqa_v1", "facebookresearch/MLQA mlqa_evaluation_v1.py", mlqa_exact_match, mlqa_f1),
    )
}


def get_scorer(name: str) -> Scorer:
    try:
        return SCORERS[name]
    except KeyError:
        raise ValueError(f"unknown QA scorer {name!r}; known: {', '.join(sorted(SCORERS))}") from None


def official_scores(scorer: str, prediction: str, golds: Sequence[str], language: str | None) -> dict[str, float]:
    """``{"exact_match", "f1"}`` of ``prediction`` by the named official script."""
    s = get_scorer(scorer)
    return {"exact_match": s.exact_match(prediction, golds, language), "f1": s.f1(prediction, golds, language)}
