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


def template_problem(source: str, context: dict[str, Any]) -> tuple[int | None, str] | None:
    """(line, message) if ``source`` does not compile, or fails to render ``context`` (an undefined
    variable, an unknown filter, an expression that raises), as :func:`render` would; else None."""
    import jinja2

    try:
        _compile(source).render(context)
    except jinja2.TemplateSyntaxError as exc:  # also an unknown filter or test (TemplateAssertionError)
        return exc.lineno, exc.message or "syntax error"
    except jinja2.UndefinedError as exc:
        return _template_line(exc), f"{exc.message} (variables: {', '.join(sorted(context))})"
    except Exception as exc:  # the template's own code failed on a sample input
        return _template_line(exc), f"{type(exc).__name__}: {exc}"
    return None


def _template_line(exc: BaseException) -> int | None:
    """The template line an error was raised at (jinja2 puts template frames into the traceback)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def language_name(code: str | None) -> str:
    if code is None:
        return "the language of the instruction"
    return languages.name(code)


def render(judge: Judge, variables: dict[str, Any]) -> list[dict[str, str]]:
    """System + user messages for one judgment."""
    context = {**variables, "facets": [f.model_dump() for f in judge.config.facets]}
    messages = []
    if judge.system_template is not None:
        messages.append({"role": "system", "content": _compile(judge.system_template).render(context).strip()})
    assert judge.user_template is not None
    messages.append({"role": "user", "content": _compile(judge.user_template).render(context).strip()})
    return messages
