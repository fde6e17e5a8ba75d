"""Language identification: one implementation for the `language-id` judge and the tasks'
language-fidelity metric.

The identifier is pluggable (:func:`get_identifier`): lingua by default (its models ship inside
its wheel, so it works offline), or a fastText-format model file (lid.176, GlotLID) the user
names. A language the identifier has no model of is *unsupported*: answers expected in it are
counted as such, never as being in the wrong language.
"""

from __future__ import annotations

import functools
import os
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass

from . import languages
from .core.environment import environment_set

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Detection:
    language: str | None      #: code of the answer's main language; None if undecidable
    code_switch: float        #: share of the answer's words in segments of other languages
    matches: bool | None      #: main language == expected (None: nothing expected, or not identifiable)
    #: False when the identifier has no model of the expected language: the answer is then neither
    #: right nor wrong, it is "unsupported by the identifier".
    supported: bool = True


class Identifier:
    """A language identifier: which languages it knows, and the language of one text segment."""

    name = "identifier"

    def supports(self, code: str) -> bool:
        raise NotImplementedError

    def identify(self, text: str, expected: str | None) -> str | None:
        raise NotImplementedError


class LinguaIdentifier(Identifier):
    """lingua (its models ship inside its wheel: offline), choosing among the common languages
    (:data:`babelbench.languages.COMMON`) plus the expected one. Restricting the candidates is what
    a careful study does too: it removes confusions with languages nobody trained or tested on."""

    name = "lingua"

    def supports(self, code: str) -> bool:
        return _lingua_language(languages.base(code)) is not None

    def identify(self, text: str, expected: str | None) -> str | None:
        found = _lingua_detector(languages.base(expected) if expected else None).detect_language_of(text)
        return None if found is None else _lingua_code(found)


def _lingua_language(code: str):
    from lingua import IsoCode639_1, IsoCode639_3, Language

    table, attr = (IsoCode639_1, Language.from_iso_code_639_1) if len(code) == 2 else \
        (IsoCode639_3, Language.from_iso_code_639_3)
    iso = getattr(table, code.upper(), None)
    if iso is None:
        return None
    try:
        return attr(iso)
    except ValueError:  # an ISO code lingua has no model for
        return None


def _lingua_code(language) -> str:
    return language.iso_code_639_1.name.lower()


@functools.lru_cache(maxsize=16)
def _lingua_detector(expected: str | None):
    from lingua import LanguageDetectorBuilder

    codes = sorted(set(languages.COMMON) | ({expected} if expected else set()))
    candidates = {found for found in map(_lingua_language, codes) if found is not None}
    return LanguageDetectorBuilder.from_languages(*candidates).build()


class FastTextIdentifier(Identifier):
    """A fastText language-ID model file (lid.176.bin, GlotLID's model.bin, ...): labels such as
    ``__label__en`` or ``__label__yor_Latn``, read as language codes."""

    name = "fasttext"

    def __init__(self, path: str):
        try:
            import fasttext
        except ImportError:
            raise RuntimeError("a fastText language-ID model needs the fasttext package: "
                               "pip install 'babelbench[langid-fasttext]'") from None
        self.path = path
        self.model = fasttext.load_model(path)
        self.codes: dict[str, str] = {}
        for label in self.model.get_labels():
            tag = label.removeprefix("__label__").replace("_", "-")
            try:
                self.codes[label] = languages.standard_code(tag)
            except ValueError:
                continue  # labels that name no language (e.g. "und", "zxx")
        self.bases = {languages.base(code) for code in self.codes.values()}

    def supports(self, code: str) -> bool:
        return languages.base(code) in self.bases

    def identify(self, text: str, expected: str | None) -> str | None:
        labels, _ = self.model.predict(" ".join(text.split()), k=1)
        return self.codes.get(labels[0]) if labels else None


#: Environment variable naming the identifier a process uses: ``lingua`` (default) or the path of
#: a fastText model file. The evaluation sets it from the recipe's ``eval.language_identifier``.
IDENTIFIER_ENV = "BABELBENCH_LANGID"


def identifier_in_use(spec: str) -> AbstractContextManager[None]:
    """Make ``spec`` (``lingua`` or a model file's path) the identifier of this process (and of the
    worker processes it starts) while the block runs."""
    return environment_set(IDENTIFIER_ENV, spec)


def get_identifier(spec: str | None = None) -> Identifier:
    """``lingua``, or a fastText model file's path (default: ``$BABELBENCH_LANGID``, else lingua)."""
    return _identifier(spec or os.environ.get(IDENTIFIER_ENV) or "lingua")


@functools.lru_cache(maxsize=4)
def _identifier(spec: str) -> Identifier:
    return LinguaIdentifier() if spec == "lingua" else FastTextIdentifier(spec)


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


def detect(text: str, expected: str | None = None, identifier: Identifier | None = None) -> Detection:
    """Main language of ``text``, and the share of it written in other languages than ``expected``.

    Each segment (see :func:`segments`) is identified on its own and weighed in words (a CJK
    character counts as one word); the main language is the one with the most words, and the
    code-switching share is the share of words in segments of another language than
    ``expected`` (or than the main language when nothing is expected). Languages are compared by
    their language subtag (``zh-Hant`` matches ``zh``).
    Text with no letters (empty, digits, punctuation) has no language and does not match. An
    expected language the identifier has no model of gives ``supported=False`` and no verdict.
    """
    identifier = identifier or get_identifier()
    if expected is not None and not identifier.supports(expected):
        return Detection(None, 0.0, None, supported=False)
    pieces = segments(text or "")
    if not pieces:
        return Detection(None, 0.0, False if expected else None)
    letters: dict[str | None, int] = {}
    for piece in pieces:
        code = identifier.identify(piece, expected)
        code = languages.base(code) if code else None
        letters[code] = letters.get(code, 0) + _weight(piece)
    total = sum(letters.values()) or 1
    main = max(letters, key=lambda c: (c is not None, letters[c]))
    reference = languages.base(expected) if expected else main
    switched = sum(n for code, n in letters.items() if code != reference) / total
    return Detection(main, round(switched, 4), (main == reference) if expected else None)
