"""Language codes: any ISO 639-1/-3 code or BCP-47 tag, parsed with langcodes.

A recipe may name any language (``yo``, ``kk``, ``zh-Hant``, ``sr-Latn``). Codes are written in
their standard form (:func:`standard_code`: ``yor`` -> ``yo``, ``zh_TW`` -> ``zh-TW``), so the same
language is the same code in the data mix, the sources, the tasks and the store. Reports show the
English name (:func:`name`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

#: Languages the harness's own tables know by heart: the shipped tasks' languages and those of the
#: studies it was built for. The language identifier considers these (plus the expected language)
#: as candidates; any other valid code is accepted everywhere else.
COMMON: tuple[str, ...] = (
    "en", "zh", "ko", "it", "es", "fr", "de", "pt", "ru", "ja", "ar", "el", "hi", "tr", "vi", "th", "id",
    "sw", "bn", "te", "ro", "nl", "pl", "uk", "fa", "he", "fi", "sv", "cs", "hu", "ca", "eu", "ur", "ta",
    "my", "qu", "ht",
)


#: (Checked against langcodes in the tests: each is its own standard form.)
_COMMON_SET = frozenset(COMMON)

#: The common codes' English names, as langcodes gives them (checked in the tests), so that a prompt's system
#: line ("Answer in Chinese.") needs no language data either.
_COMMON_NAMES: dict[str, str] = {
    "en": "English", "zh": "Chinese", "ko": "Korean", "it": "Italian", "es": "Spanish", "fr": "French",
    "de": "German", "pt": "Portuguese", "ru": "Russian", "ja": "Japanese", "ar": "Arabic", "el": "Greek",
    "hi": "Hindi", "tr": "Turkish", "vi": "Vietnamese", "th": "Thai", "id": "Indonesian", "sw": "Swahili",
    "bn": "Bangla", "te": "Telugu", "ro": "Romanian", "nl": "Dutch", "pl": "Polish", "uk": "Ukrainian",
    "fa": "Persian", "he": "Hebrew", "fi": "Finnish", "sv": "Swedish", "cs": "Czech", "hu": "Hungarian",
    "ca": "Catalan", "eu": "Basque", "ur": "Urdu", "ta": "Tamil", "my": "Burmese", "qu": "Quechua",
    "ht": "Haitian Creole",
}


@dataclass(frozen=True)
class Language:
    code: str
    name: str


@functools.lru_cache(maxsize=1024)
def standard_code(code: str) -> str:
    """The standard form of a language code or tag; ``ValueError`` if it names no language.

    ``yor`` -> ``yo``, ``eng`` -> ``en``, ``zh_TW`` -> ``zh-TW``, ``iw`` -> ``he``. Tags whose
    language subtag is unknown (``xx``), private-use or "undetermined" (``und``) are refused.
    """
    if code in _COMMON_SET:   # the common codes are standard ISO 639-1 already: no need to load langcodes' data
        return code
    return _langcodes_standard(code)


def _langcodes_standard(code: str) -> str:
    """:func:`standard_code` by langcodes (its language data loaded: about 0.15 s on first use)."""
    import langcodes

    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"unknown language code {code!r}: expected an ISO 639 code or BCP-47 tag such as 'en' or 'zh-Hant'")
    try:
        tag = langcodes.standardize_tag(code.strip())
        parsed = langcodes.Language.get(tag)
    except (ValueError, LookupError) as exc:
        raise ValueError(f"unknown language code {code!r}: {exc}") from None
    if not parsed.language or parsed.language in ("und", "mul", "zxx") or not parsed.is_valid() or \
            parsed.language_name().startswith("Unknown language"):
        raise ValueError(f"unknown language code {code!r}: expected an ISO 639 code or BCP-47 tag such as 'en' or 'zh-Hant'")
    return tag


def is_known(code: object) -> bool:
    """Whether ``code`` is a valid language code written in its standard form."""
    if not isinstance(code, str):
        return False
    try:
        return standard_code(code) == code
    except ValueError:
        return False


def base(code: str) -> str:
    """The language subtag: ``zh-Hant`` -> ``zh``."""
    return code.split("-")[0]


@functools.lru_cache(maxsize=1024)
def name(code: str) -> str:
    """English name of a language code (``yo`` -> ``Yoruba``, ``zh-Hant`` -> ``Chinese (Traditional)``);
    the code itself if it is not one."""
    if code in _COMMON_NAMES:
        return _COMMON_NAMES[code]
    return _langcodes_name(code)


def _langcodes_name(code: str) -> str:
    """:func:`name` by langcodes (its language data loaded)."""
    import langcodes

    try:
        found = langcodes.Language.get(code).display_name()
    except (ValueError, LookupError):
        return code
    return code if found.startswith("Unknown language") else found


def get(code: str) -> Language:
    """The language for ``code``; ``KeyError`` if it is not a valid code in standard form."""
    if not is_known(code):
        raise KeyError(f"unknown language code {code!r}")
    return Language(code, name(code))


@functools.lru_cache(maxsize=1024)
def dataset_code(code: str) -> str:
    """A dataset's language code or tag in the harness's form; ``ValueError`` if it names no language.

    Datasets write languages their own way (FLORES-200 ``zho_Hans``, ``arb_Arab``, ``npi_Deva``):
    the macrolanguage is preferred (``arb`` -> ``ar``, ``zsm`` -> ``ms``) and the script dropped where
    it is the language's usual one, so ``zho_Hans`` -> ``zh`` is the same code as ``xnli_zh``'s, while
    ``zho_Hant`` -> ``zh-Hant`` and ``ben_Latn`` -> ``bn-Latn`` stay apart.
    """
    import langcodes

    parsed = langcodes.Language.get(standard_code(code)).prefer_macrolanguage()
    if parsed.script and langcodes.Language.get(parsed.language or "").maximize().script == parsed.script:
        parsed = parsed.update_dict({"script": None})
    return standard_code(parsed.to_tag())


@functools.lru_cache(maxsize=256)
def code_named(text: str) -> str:
    """The code of a language given by its English name (``Albanian`` -> ``sq``); ``LookupError`` if none."""
    import langcodes

    return dataset_code(langcodes.find(text).to_tag())
