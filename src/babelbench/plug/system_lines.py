"""PLUG's system lines, applied identically to the training rows and at evaluation.

* PLUG: "Please interpret the instruction in {pivot}, and then respond both in {pivot} and in
  {target}." (the PLUG paper's line, with language names);
* the monolingual-response baseline: "Please respond to the following user message in {target}."

``pivot.system_prompt`` is ``none`` (no system line: the default, as before), ``auto`` (the line
above that fits the variant's mode) or a text of your own with ``{pivot}`` and ``{target}``
slots. Items whose language is the pivot itself (in PLUG mode they carry the pivot section only)
get the monolingual line. At evaluation the same line reaches lm-eval as the task description,
which lm-eval sends as the system message of the chat-templated prompt.
"""

from __future__ import annotations

from .. import languages

PLUG_LINE = "Please interpret the instruction in {pivot}, and then respond both in {pivot} and in {target}."
MONOLINGUAL_LINE = "Please respond to the following user message in {target}."


def system_line(setting: str, mode: str, pivot: str, target: str | None) -> str | None:
    """The system line for one item whose target language is ``target`` (None: no line)."""
    if setting == "none" or target is None:
        return None
    names = {"pivot": languages.get(pivot).name, "target": languages.get(target).name}
    if mode != "plug" or target == pivot:
        template = MONOLINGUAL_LINE if setting == "auto" or mode == "plug" else setting
    else:
        template = PLUG_LINE if setting == "auto" else setting
    return template.format(**names)


def description_template(setting: str, mode: str, pivot: str, targets: list[str]) -> str | None:
    """A Jinja template (lm-eval renders a task's ``description`` against each document) that
    picks the line by the document's ``language``; documents without one get no line."""
    if setting == "none" or not targets:
        return None
    parts = ["{%- if language is defined -%}"]
    for i, code in enumerate(sorted(set(targets))):
        keyword = "if" if i == 0 else "elif"
        line = system_line(setting, mode, pivot, code)
        parts.append(f'{{%- {keyword} language == "{code}" -%}}{{% raw %}}{line}{{% endraw %}}')
    parts.append("{%- endif -%}{%- endif -%}")
    return "".join(parts)
