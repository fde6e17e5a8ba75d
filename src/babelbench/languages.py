"""Language codes the harness accepts, with the section labels PLUG responses use.

A recipe's language codes are checked against this table (ISO 639-1, plus a few
ISO 639-3 codes for languages without a two-letter code). A language may only be a
PLUG target or pivot if it has a section label here: the label is how the model's
answer is split into its pivot and target parts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    #: Label opening this language's section in a PLUG response; None if not defined.
    section_label: str | None = None


# Labels follow the PLUG paper's (Zhang et al., 2023) form: "<language> response:" in the
# language itself. Languages without a label cannot be PLUG targets or pivots.
_TABLE: tuple[Language, ...] = (
    Language("en", "English", "English response:"),
    Language("zh", "Chinese", "中文回复："),
    Language("ko", "Korean", "한국어 응답:"),
    Language("it", "Italian", "Risposta in italiano:"),
    Language("es", "Spanish", "Respuesta en español:"),
    Language("fr", "French", "Réponse en français :"),
    Language("de", "German", "Antwort auf Deutsch:"),
    Language("pt", "Portuguese", "Resposta em português:"),
    Language("ru", "Russian", "Ответ на русском:"),
    Language("ja", "Japanese", "日本語の回答："),
    Language("ar", "Arabic", "الرد بالعربية:"),
    Language("el", "Greek", "Απάντηση στα ελληνικά:"),
    Language("hi", "Hindi", "हिंदी में उत्तर:"),
    Language("tr", "Turkish", "Türkçe yanıt:"),
    Language("vi", "Vietnamese", "Câu trả lời bằng tiếng Việt:"),
    Language("th", "Thai", None),
    Language("id", "Indonesian", None),
    Language("sw", "Swahili", None),
    Language("bn", "Bengali", None),
    Language("te", "Telugu", None),
    Language("ro", "Romanian", None),
    Language("nl", "Dutch", None),
    Language("pl", "Polish", None),
    Language("uk", "Ukrainian", None),
    Language("fa", "Persian", None),
    Language("he", "Hebrew", None),
    Language("fi", "Finnish", None),
    Language("sv", "Swedish", None),
    Language("cs", "Czech", None),
    Language("hu", "Hungarian", None),
    Language("ca", "Catalan", None),
    Language("eu", "Basque", None),
    Language("ur", "Urdu", None),
    Language("ta", "Tamil", None),
    Language("my", "Burmese", None),
    Language("qu", "Quechua", None),
    Language("ht", "Haitian Creole", None),
)

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in _TABLE}


def get(code: str) -> Language:
    """Return the language for ``code``; raise ``KeyError`` naming the known codes."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise KeyError(
            f"unknown language code {code!r}; known: {', '.join(sorted(LANGUAGES))}"
        ) from None


def section_label(code: str) -> str:
    label = get(code).section_label
    if label is None:
        raise KeyError(f"language {code!r} has no PLUG section label")
    return label
