"""Language identification: one implementation for the `language-id` judge and the tasks'
language-fidelity metric.

Uses lingua (its language models ship inside its wheel, so it works offline), restricted
to the languages in :mod:`babelbench.languages` that lingua knows. Restricting the candidate
set is what a careful study does too: it removes confusions with languages no variant was
trained or tested on, and makes detection faster.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass

from . import languages

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Detection:
    language: str | None      #: ISO 639-1 code of the answer's main language; None if undecidable
    code_switch: float        #: share of the answer's words in segments of other languages
    matches: bool | None      #: main language == expected (None when no expected language)


@functools.lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    candidates = []
    for code in languages.LANGUAGES:
        iso = getattr(IsoCode639_1, code.upper(), None)
        if iso is not None:
            with contextlib.suppress(ValueError):  # an ISO code lingua has no model for
                candidates.append(Language.from_iso_code_639_1(iso))
    return LanguageDetectorBuilder.from_languages(*candidates).build()


def _code(language) -> str:
    return language.iso_code_639_1.name.lower()


_CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"(?<=[.!?;。！？；])\s+|\n+")


def segments(text: str) -> list[str]:
    """Split text where the script changes (CJK/Hangul vs. the rest) and at sentence ends.

    Script changes are where code-switching between e.g. Chinese and English shows; sentence
    ends separate languages that share a script. Characters that are not letters stay with
    the run they are in.
    """
    runs: list[str] = []
    current: list[str] = []
    current_cjk: bool | None = None
    for ch in text:
        if ch.isalpha():
            cjk = bool(_CJK.match(ch))
            if current_cjk is not None and cjk != current_cjk:
                runs.append("".join(current))
                current = []
            current_cjk = cjk
        current.append(ch)
    runs.append("".join(current))
    return [piece for run in runs for piece in _SENTENCE_END.split(run) if _LETTERS.search(piece)]


def _weight(piece: str) -> int:
    cjk = len(_CJK.findall(piece))
    return cjk + len(_WORDS.findall(_CJK.sub(" ", piece)))


def detect(text: str, expected: str | None = None) -> Detection:
    """Main language of ``text``, and the share of it written in other languages than ``expected``.

    Each segment (see :func:`segments`) is identified on its own and weighed in words (a CJK
    character counts as one word); the main language is the one with the most words, and the
    code-switching share is the share of words in segments of another language than
    ``expected`` (or than the main language when nothing is expected).
    Text with no letters (empty, digits, punctuation) has no language and does not match.
    """
    pieces = segments(text or "")
    if not pieces:
        return Detection(None, 0.0, False if expected else None)
    detector = _detector()
    letters: dict[str | None, int] = {}
    for piece in pieces:
        found = detector.detect_language_of(piece)
        code = _code(found) if found is not None else None
        letters[code] = letters.get(code, 0) + _weight(piece)
    total = sum(letters.values()) or 1
    main = max(letters, key=lambda c: (c is not None, letters[c]))
    reference = expected or main
    switched = sum(n for code, n in letters.items() if code != reference) / total
    return Detection(main, round(switched, 4), (main == expected) if expected else None)
