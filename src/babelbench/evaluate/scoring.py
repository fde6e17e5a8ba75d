"""Which of a task's numbers count: declared by the task, not by the harness.

A task declares in its lm-eval ``metadata`` its ``primary_metric``, optionally the
``scored_filter`` whose rows count (default: the first filter), its ``family`` (default: the
task name without its language suffix, or the lm-eval suite's, :mod:`.suites`), optionally its
``language`` (else read as :mod:`.suites` says) and ``score_scale`` (e.g. 100 for chrF, so
cross-family averages put it on 0-1). A task that declares nothing -- any of lm-eval's own,
such as gsm8k with its ``strict-match`` and ``flexible-extract`` filters -- counts its first
filter and its first metric, so it is reported like ours. A PLUG variant counts the task's
``plug`` filter (the target-language part of the answer) where the task has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import languages
from .suites import task_language


@dataclass(frozen=True)
class Scoring:
    filter: str
    primary_metric: str | None
    family: str
    scale: float = 1.0
    #: The task's language when the task says it (metadata, a recognised suite, its name): documents
    #: without their own ``language`` are stored in it.
    language: str | None = None


_PAIR = re.compile(r"^(?P<base>.+)_(?P<src>[a-z]{2,3})_(?P<tgt>[a-z]{2,3})$")


def _language_suffix(text: str) -> bool:
    """Whether a task-name suffix is a language: a common one, or any two-letter code (``_all`` is not)."""
    return text in languages.COMMON or (len(text) == 2 and languages.is_known(text))


def family_of(task: str) -> tuple[str, str | None]:
    """A task name's family and language when it follows the ``<family>_<lang>`` convention:
    ``xquad_gen_zh`` -> (xquad_gen, zh); ``flores_gen_en_zh`` -> (flores_gen_en_xx, zh);
    ``prompts_mine`` -> (prompts, None); anything else -> (task, None)."""
    if task.startswith("prompts_"):
        return "prompts", None
    pair = _PAIR.match(task)
    if pair and _language_suffix(pair["src"]) and _language_suffix(pair["tgt"]):
        if pair["src"] == "en":
            return f"{pair['base']}_en_xx", pair["tgt"]
        if pair["tgt"] == "en":
            return f"{pair['base']}_xx_en", pair["src"]
    base, _, lang = task.rpartition("_")
    if base and _language_suffix(lang):
        return base, lang
    return task, None


def task_scoring(task: str, config: dict[str, Any], plug: bool) -> Scoring:
    """The scoring ``task`` declares (lm-eval's per-task config from the results' ``configs``)."""
    meta = config.get("metadata") or {}
    filters = [f.get("name") for f in config.get("filter_list") or [] if isinstance(f, dict) and f.get("name")]
    metrics = [m.get("metric") for m in config.get("metric_list") or [] if isinstance(m, dict)]
    metrics = [m for m in metrics if isinstance(m, str)]
    declared = meta.get("scored_filter")
    scored: str = declared if isinstance(declared, str) else (str(filters[0]) if filters else "none")
    if plug and "plug" in filters:
        scored = "plug"
    primary = meta.get("primary_metric")
    if not isinstance(primary, str):
        primary = metrics[0] if metrics else None
    named_family, named_language = family_of(task)
    found = task_language(task, config)
    declared_family = meta.get("family")
    family: str = declared_family if isinstance(declared_family, str) else \
        found.suite.family(task) if found.suite else named_family
    language = found.language or (named_language if named_language in languages.COMMON else None)
    scale = meta.get("score_scale", 1.0)
    return Scoring(scored, primary, family, float(scale) if isinstance(scale, (int, float)) else 1.0, language)
