"""Rendering a judge's templates into chat messages.

Answers and instructions enter the prompt inside fences whose tag is derived from the
fenced text's own hash (``<answer-1a2b3c4d>`` ... ``</answer-1a2b3c4d>``): a text cannot
contain its own closing tag, so an answer cannot end its block early and pose as the
judge's instructions. The tag is deterministic, so the same sample renders the same prompt
(and hashes to the same judgment key) on every run.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from .. import languages
from .judge import Judge


def fence(text: str, label: str = "text") -> str:
    tag = f"{label}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:10]}"
    return f"<{tag}>\n{text}\n</{tag}>"


@functools.lru_cache(maxsize=32)
def _compile(source: str):
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)
    env.filters["fence"] = fence
    return env.from_string(source)


def language_name(code: str | None) -> str:
    if code is None:
        return "the language of the instruction"
    known = languages.LANGUAGES.get(code)
    return known.name if known else code


def render(judge: Judge, variables: dict[str, Any]) -> list[dict[str, str]]:
    """System + user messages for one judgment."""
    context = {**variables, "facets": [f.model_dump() for f in judge.config.facets]}
    messages = []
    if judge.system_template is not None:
        messages.append({"role": "system", "content": _compile(judge.system_template).render(context).strip()})
    assert judge.user_template is not None
    messages.append({"role": "user", "content": _compile(judge.user_template).render(context).strip()})
    return messages
