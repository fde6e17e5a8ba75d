"""PLUG section labels: the label that opens each language's part of a PLUG response.

PLUG splits an answer into its pivot and target parts by *section labels*. The labels for common
languages ship here (:data:`SHIPPED_LABELS`, in the PLUG paper's form "<language> response:" written
in the language itself); a recipe gives any other language's label with ``pivot.labels``.
"""

from __future__ import annotations

from collections.abc import Mapping

SHIPPED_LABELS: dict[str, str] = {
    "en": "English response:",
    "zh": "中文回复：",
    "ko": "한국어 응답:",
    "it": "Risposta in italiano:",
    "es": "Respuesta en español:",
    "fr": "Réponse en français :",
    "de": "Antwort auf Deutsch:",
    "pt": "Resposta em português:",
    "ru": "Ответ на русском:",
    "ja": "日本語の回答：",
    "ar": "الرد بالعربية:",
    "el": "Απάντηση στα ελληνικά:",
    "hi": "हिंदी में उत्तर:",
    "tr": "Türkçe yanıt:",
    "vi": "Câu trả lời bằng tiếng Việt:",
}


def label_table(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Section labels: the shipped ones, with a recipe's ``pivot.labels`` added (they win)."""
    return {**SHIPPED_LABELS, **(extra or {})}
