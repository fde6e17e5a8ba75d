"""Reading instruction data in Alpaca, chat ``messages`` or ShareGPT ``conversations`` form.

Every row becomes an :class:`Example` holding chat messages whose last turn is the
assistant's response (the part trained on).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..recipe.schema import Source

_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "model": "assistant", "system": "system"}


@dataclass
class Example:
    id: str
    language: str
    messages: list[dict[str, str]] = field(default_factory=list)

    @property
    def response(self) -> str:
        return self.messages[-1]["content"]


class SourceError(ValueError):
    """A row that cannot be read; the message names the file and row."""


def read_source(source: Source, recipe_dir: Path) -> list[Example]:
    if source.path is not None:
        where = str(recipe_dir / source.path)
        rows = _read_local(recipe_dir / source.path)
    else:
        import datasets  # only when a recipe names a Hub dataset

        where = f"hub:{source.hub}"
        rows = list(datasets.load_dataset(source.hub, source.hub_config, split=source.split))
    return [_to_example(row, i, source, where) for i, row in enumerate(rows)]


def _read_local(path: Path) -> list[dict[str, Any]]:
    """The rows of a ``.json`` file (a list of rows, or an object holding one under ``"data"``) or
    of a JSON Lines file (one row a line); raise :class:`SourceError` naming the file (and line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from None
        rows = data.get("data") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            got = f"an object with keys {sorted(data)}" if isinstance(data, dict) else f"a JSON {_json_kind(data)}"
            raise SourceError(f"{path}: expected a list of rows, or an object with a list of rows under \"data\"; "
                              f"got {got}")
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise SourceError(f"{path}: row {index + 1}: expected a JSON object, got a JSON {_json_kind(row)}")
        return rows
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(f"{path}:{lineno}: not valid JSON: {exc.msg}") from None
            if not isinstance(row, dict):
                raise SourceError(f"{path}:{lineno}: expected a JSON object, got a JSON {_json_kind(row)}")
            rows.append(row)
    return rows


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}.get(type(value), type(value).__name__)


def _detect(row: dict[str, Any]) -> str:
    if "messages" in row:
        return "messages"
    if "conversations" in row:
        return "conversations"
    if "instruction" in row and "output" in row:
        return "alpaca"
    raise SourceError(f"row has none of instruction/output, messages, conversations: keys {sorted(row)}")


def _to_example(row: dict[str, Any], index: int, source: Source, where: str) -> Example:
    try:
        form = source.format if source.format != "auto" else _detect(row)
        if form == "alpaca":
            prompt = row["instruction"].strip()
            if row.get("input"):
                prompt = f"{prompt}\n\n{row['input'].strip()}"
            messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": row["output"].strip()}]
        elif form == "messages":
            messages = [{"role": m["role"], "content": m["content"]} for m in row["messages"]]
        else:
            messages = [{"role": _SHAREGPT_ROLES[m["from"]], "content": m["value"]} for m in row["conversations"]]
    except (KeyError, TypeError, AttributeError) as exc:
        raise SourceError(f"{where}: row {index + 1}: cannot read as {source.format}: missing {exc}") from None
    if not messages or messages[-1]["role"] != "assistant":
        raise SourceError(f"{where}: row {index + 1}: the last turn must be the assistant's response")
    return Example(id=str(row.get("id", index)), language=source.language, messages=messages)
