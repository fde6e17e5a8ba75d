"""lm-eval's own multilingual suites: which task is which language, and which family.

The harness's tasks write each document's ``language``; lm-eval's suites (Belebele, XNLI, XCOPA,
MGSM, Global-MMLU, ...) do not, so their language is read from the task: its config's
``metadata.language`` when it declares one, else the suite's dataset config name (``dataset_name``:
``zho_Hans``, ``zh``, ``Albanian``) or, without a config, its task-name convention. Every code goes
through :func:`babelbench.languages.dataset_code` (``zho_Hans`` -> ``zh``), so Belebele's Chinese and
XNLI's are the same language on the board. The suites are data: one :class:`Suite` each in
:data:`SUITES` (the README's table lists them); a new one is one more entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import languages
from ..core.registry import Registry


@dataclass(frozen=True)
class Suite:
    """One of lm-eval's multilingual suites."""

    #: The suite, and the family its tasks are stored under (plus a prompt variant, see ``variants``).
    name: str
    #: lm-eval task names of the suite; group ``lang`` is the language as the task name writes it.
    pattern: str
    #: Where the language is read: ``dataset_name`` (the config's, else the name's ``lang``) or ``task name``.
    language_from: str
    #: How ``lang`` names a language: ``code`` (ISO 639 / FLORES-200 code) or ``name`` (English name).
    reader: str = "code"
    #: A task name whose language is ``example_language``: the README's example, and a unit test's.
    example: str = ""
    example_language: str = ""
    #: Prompt variants scored apart: the first found as ``_<variant>_`` in the task name joins the family.
    variants: tuple[str, ...] = ()
    #: The suite's own spellings that are no language code (xwinograd's ``jp``).
    aliases: Mapping[str, str] = field(default_factory=dict)

    def matches(self, task: str) -> re.Match[str] | None:
        return re.fullmatch(self.pattern, task)

    def family(self, task: str) -> str:
        found = next((v for v in self.variants if f"_{v}_" in f"_{task}_"), None)
        return f"{self.name}_{found}" if found else self.name

    def language(self, text: str) -> str:
        """The harness's code for the suite's spelling of a language; ``ValueError``/``LookupError`` if none."""
        if self.reader == "code":
            return languages.dataset_code(self.aliases.get(text.lower(), text))
        words = text.lower().replace("_", " ").split()
        for end in range(len(words), 0, -1):   # a task name's language name is followed by its subject
            name = " ".join(words[:end])
            try:
                return languages.dataset_code(self.aliases[name]) if name in self.aliases else languages.code_named(name)
            except LookupError:
                continue
        raise LookupError(f"no language named in {text!r}")


SUITES: Registry[Suite] = Registry("lm-eval suite")

_CODE = r"(?P<lang>[a-z]{2,3})"
_BUILTIN = (
    Suite("belebele", r"belebele_(?P<lang>[a-z]{3}_[A-Z][a-z]{3})", "dataset_name",
          example="belebele_zho_Hans", example_language="zh"),
    Suite("xnli", rf"xnli_{_CODE}", "dataset_name", example="xnli_zh", example_language="zh"),
    Suite("xcopa", rf"xcopa_{_CODE}", "dataset_name", example="xcopa_qu", example_language="qu"),
    Suite("xstorycloze", rf"xstorycloze_{_CODE}", "dataset_name", example="xstorycloze_eu", example_language="eu"),
    Suite("xwinograd", rf"xwinograd_{_CODE}", "dataset_name", example="xwinograd_jp", example_language="ja",
          aliases={"jp": "ja"}),
    Suite("paws_x", rf"paws_{_CODE}", "dataset_name", example="paws_ko", example_language="ko"),
    Suite("mgsm", rf"mgsm_(?:direct|native_cot|en_cot)_{_CODE}", "dataset_name", example="mgsm_direct_zh",
          example_language="zh", variants=("direct", "native_cot", "en_cot")),
    Suite("global_mmlu", rf"global_mmlu(?:_full)?_{_CODE}(?:_[a-z_]+)?", "dataset_name",
          example="global_mmlu_full_zh_anatomy", example_language="zh", variants=("full",)),
    Suite("include", r"include_base_44_(?P<lang>[a-z_]+)", "dataset_name", reader="name",
          example="include_base_44_north_macedonian_stem", example_language="mk",
          variants=("few_shot_en", "few_shot_og"), aliases={"north macedonian": "mk"}),
    Suite("m_mmlu", rf"m_mmlu_{_CODE}", "dataset_name", example="m_mmlu_nb", example_language="nb"),
    Suite("mmlu_prox", rf"mmlu_prox(?:_lite)?_{_CODE}(?:_[a-z_]+)?", "task name", example="mmlu_prox_lite_sw_law",
          example_language="sw", variants=("lite",)),
    Suite("arc_multilingual", rf"arc_{_CODE}", "dataset_name", example="arc_hy", example_language="hy"),
    Suite("hellaswag_multilingual", rf"hellaswag_{_CODE}", "dataset_name", example="hellaswag_ta",
          example_language="ta"),
    Suite("truthfulqa_multilingual", rf"truthfulqa_{_CODE}_mc[12]", "task name", example="truthfulqa_vi_mc2",
          example_language="vi", variants=("mc1", "mc2")),
)
for _suite in _BUILTIN:
    SUITES.register(_suite.name)(_suite)


@dataclass(frozen=True)
class TaskLanguage:
    """A task's language (``None``: spans languages or unknown) and the suite it belongs to, if any."""

    language: str | None
    suite: Suite | None = None


def suite_of(task: str) -> Suite | None:
    """The recognised suite whose naming ``task`` follows, if any."""
    return next((s for s in SUITES.values() if s.matches(task)), None)


def task_language(task: str, config: Mapping[str, Any] | None = None) -> TaskLanguage:
    """``task``'s language, read from its config's ``metadata.language``, else its suite's
    ``dataset_name`` or task-name convention; a code that names no language is no language (``None``)."""
    config = config or {}
    meta = config.get("metadata") or {}
    declared = meta.get("language") if isinstance(meta, Mapping) else None
    suite = suite_of(task)
    if isinstance(declared, str):
        return TaskLanguage(_or_none(languages.dataset_code, declared), suite)
    match = suite.matches(task) if suite else None
    if suite is None or match is None:
        return TaskLanguage(None)
    dataset_name = config.get("dataset_name")
    text = dataset_name if suite.language_from == "dataset_name" and isinstance(dataset_name, str) else match["lang"]
    return TaskLanguage(_or_none(suite.language, text), suite)


def _or_none(read: Any, text: str) -> str | None:
    try:
        return str(read(text))
    except (ValueError, LookupError):
        return None
