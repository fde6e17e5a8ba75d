"""Row formats of public instruction data, as column mappings.

A row format says where a row keeps its prompt, optional input/context, response, system line and
id -- or its chat turns and how their roles are called. Every registered format is such a mapping
(:class:`Mapping`); a recipe may name one (``format: dolly``), map its columns itself
(``fields: {prompt: question, response: answer}``) or both (the fields it gives replace the
format's). Paths are dotted: ``meta.question``, ``turns.0.text``.

Registered here: ``alpaca`` (and ``bactrian-x``, the same columns), ``dolly``, ``aya``, ``messages``
(chat role/content lists), ``sharegpt`` (``conversations`` of from/value; ``conversations`` is its
older name), ``conversations_list`` (LIMA: a list of strings, user first) and ``oasst`` (an
OpenAssistant message tree, following the best-ranked reply at each turn).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.registry import Registry

#: How chat roles are called across public formats -> the chat-template roles.
DEFAULT_ROLES: dict[str, str] = {
    "user": "user", "human": "user", "prompter": "user", "question": "user",
    "assistant": "assistant", "gpt": "assistant", "model": "assistant", "bot": "assistant", "chatgpt": "assistant",
    "system": "system",
}
CHAT_ROLES = ("user", "assistant", "system")


class RowError(ValueError):
    """A row that does not fit its mapping: ``field`` is the mapping's name for what is wrong."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Mapping:
    """Where a row keeps its parts. Either ``messages`` (a chat list) or ``prompt`` + ``response``."""

    prompt: str | None = None
    input: str | None = None
    response: str | None = None
    system: str | None = None
    id: str | None = "id"
    messages: str | None = None
    role: str = "role"
    content: str = "content"
    roles: dict[str, str] = field(default_factory=dict)
    #: A whole-row reader for shapes no column mapping describes (message trees).
    reader: Callable[[dict[str, Any], Mapping], list[dict[str, str]]] | None = None
    #: Does a row look like this format (for ``format: auto``)?
    detect: Callable[[dict[str, Any]], bool] | None = None

    def with_fields(self, fields: MappingABC[str, Any], roles: MappingABC[str, str] | None) -> Mapping:
        """This mapping with a recipe's ``fields`` and ``roles`` applied (the recipe's win).
        Naming ``messages`` switches to a chat list; naming ``prompt``/``response`` to columns."""
        given = {k: v for k, v in fields.items() if v is not None}
        if "messages" in given:
            base = replace(self, prompt=None, input=None, response=None, reader=None)
        elif "prompt" in given or "response" in given:
            base = replace(self, messages=None, reader=None)
        else:
            base = self
        return replace(base, **given, roles={**base.roles, **(roles or {})}, detect=None)

    def problem(self) -> str | None:
        """What makes this mapping unusable (checked before any row is read)."""
        if self.reader is not None:
            return None
        if self.messages is not None:
            return None
        missing = [name for name in ("prompt", "response") if getattr(self, name) is None]
        if missing:
            return (f"the column mapping needs {' and '.join(missing)} (or `messages` for chat lists); "
                    "name a format or give fields")
        return None


FORMATS: Registry[Mapping] = Registry("data format")


def register_format(name: str, mapping: Mapping) -> None:
    FORMATS.register(name)(mapping)


def _has(*keys: str) -> Callable[[dict[str, Any]], bool]:
    return lambda row: all(k in row for k in keys)


def _chat_of(kind: type) -> Callable[[dict[str, Any]], bool]:
    def detect(row: dict[str, Any]) -> bool:
        turns = row.get("conversations")
        return isinstance(turns, list) and bool(turns) and all(isinstance(t, kind) for t in turns)
    return detect


def _oasst_reader(row: dict[str, Any], mapping: Mapping) -> list[dict[str, str]]:
    """An OpenAssistant tree (``{"prompt": {"text", "role", "replies": [...]}}``) -> the conversation
    along the best-ranked reply at each turn (lowest ``rank``; the first reply when unranked)."""
    node = row.get("prompt")
    if not isinstance(node, dict):
        raise RowError("prompt", "expected the tree's root message under 'prompt'")
    turns: list[dict[str, str]] = []
    while isinstance(node, dict):
        role, text = node.get("role"), node.get("text")
        if role not in ("prompter", "assistant") or not isinstance(text, str):
            raise RowError("messages", f"turn {len(turns) + 1}: expected role prompter/assistant and text, "
                                       f"got role {role!r}")
        turns.append({"role": "user" if role == "prompter" else "assistant", "content": text})
        replies = [r for r in node.get("replies") or [] if isinstance(r, dict) and not r.get("deleted")]
        node = min(replies, key=lambda r: (r.get("rank") is None, r.get("rank") or 0), default=None)
    return turns


for _name, _mapping in {
    "alpaca": Mapping(prompt="instruction", input="input", response="output", id="id",
                      detect=_has("instruction", "output")),
    "bactrian-x": Mapping(prompt="instruction", input="input", response="output", id="id"),
    "dolly": Mapping(prompt="instruction", input="context", response="response", id="id",
                     detect=_has("instruction", "context", "response")),
    "aya": Mapping(prompt="inputs", response="targets", id="id", detect=_has("inputs", "targets")),
    "messages": Mapping(messages="messages", id="id", detect=_has("messages")),
    "sharegpt": Mapping(messages="conversations", role="from", content="value", id="id", detect=_chat_of(dict)),
    "conversations": Mapping(messages="conversations", role="from", content="value", id="id"),
    "conversations_list": Mapping(messages="conversations", id="id", detect=_chat_of(str)),
    "oasst": Mapping(id="message_tree_id", reader=_oasst_reader,
                     detect=lambda row: isinstance(row.get("prompt"), dict) and "replies" in row["prompt"]),
}.items():
    register_format(_name, _mapping)


def detect_format(row: dict[str, Any]) -> str:
    """The first registered format whose shape ``row`` has (registration order: Dolly before Alpaca)."""
    order = ["dolly", "alpaca", "aya", "messages", "sharegpt", "conversations_list", "oasst"]
    for name in order + [n for n in FORMATS.names() if n not in order]:
        detect = FORMATS.get(name).detect
        if detect is not None and detect(row):
            return name
    raise RowError("format", f"no known format fits a row with {_keys(row)}: name one with `format` "
                             f"({', '.join(FORMATS.names())}) or map the columns with `fields`")


_MISSING = object()


def lookup(row: Any, path: str) -> Any:
    """The value at a dotted ``path`` (dict keys, list indexes); ``_MISSING`` if it is not there."""
    node = row
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _text(row: dict[str, Any], mapping: Mapping, name: str, required: bool) -> str | None:
    path = getattr(mapping, name)
    if path is None:
        return None
    value = lookup(row, path)
    if value is _MISSING or value is None:
        if required:
            raise RowError(name, f"no value at {path!r} (the row has {_keys(row)})")
        return None
    if not isinstance(value, str):
        raise RowError(name, f"expected text at {path!r}, got {_kind(value)}")
    if required and not value.strip():
        raise RowError(name, f"empty text at {path!r}")
    return value.strip()


def _keys(row: dict[str, Any]) -> str:
    keys = sorted(map(str, row))
    return "keys " + ", ".join(keys[:12]) + (", ..." if len(keys) > 12 else "") if keys else "no keys"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names: dict[type, str] = {list: "a list", dict: "an object", str: "text"}
    return names.get(type(value), f"a {type(value).__name__}")


def _chat_turns(row: dict[str, Any], mapping: Mapping) -> list[dict[str, str]]:
    assert mapping.messages is not None
    turns = lookup(row, mapping.messages)
    if turns is _MISSING or turns is None:
        raise RowError("messages", f"no value at {mapping.messages!r} (the row has {_keys(row)})")
    if not isinstance(turns, list) or not turns:
        got = "an empty list" if turns == [] else _kind(turns)
        raise RowError("messages", f"expected a non-empty list of turns at {mapping.messages!r}, got {got}")
    roles = {**DEFAULT_ROLES, **mapping.roles}
    out = []
    for i, turn in enumerate(turns):
        if isinstance(turn, str):  # a list of strings alternates user / assistant, user first
            out.append({"role": "user" if i % 2 == 0 else "assistant", "content": turn})
            continue
        if not isinstance(turn, dict):
            raise RowError("messages", f"turn {i + 1}: expected an object or text, got {_kind(turn)}")
        role, content = lookup(turn, mapping.role), lookup(turn, mapping.content)
        if not isinstance(role, str) or roles.get(role) not in CHAT_ROLES:
            shown = "no role" if role is _MISSING else f"role {role!r}"
            raise RowError("roles", f"turn {i + 1}: {shown} at {mapping.role!r}; map it with `roles` "
                                    f"(known: {', '.join(sorted(roles))})")
        if not isinstance(content, str):
            shown = "nothing" if content is _MISSING else _kind(content)
            raise RowError("messages", f"turn {i + 1}: expected text at {mapping.content!r}, got {shown}")
        out.append({"role": roles[role], "content": content})
    return out


def to_messages(row: dict[str, Any], mapping: Mapping) -> list[dict[str, str]]:
    """Chat messages for one row, ending with the assistant's response (the trained part).

    A trailing user turn nobody answered (as in a few LIMA conversations) is dropped."""
    if mapping.reader is not None:
        messages = mapping.reader(row, mapping)
    elif mapping.messages is not None:
        messages = _chat_turns(row, mapping)
    else:
        prompt = _text(row, mapping, "prompt", required=True)
        extra = _text(row, mapping, "input", required=False)
        response = _text(row, mapping, "response", required=True)
        user = f"{prompt}\n\n{extra}" if extra else str(prompt)
        messages = [{"role": "user", "content": user}, {"role": "assistant", "content": str(response)}]
    system = _text(row, mapping, "system", required=False)
    if system and not (messages and messages[0]["role"] == "system"):
        messages = [{"role": "system", "content": system}, *messages]
    while messages and messages[-1]["role"] == "user" and any(m["role"] == "assistant" for m in messages):
        messages = messages[:-1]
    if not messages or messages[-1]["role"] != "assistant":
        raise RowError("messages", "no assistant turn to train on (the last turn must be the assistant's response)")
    if not messages[-1]["content"].strip():
        raise RowError("response", "the assistant's response is empty")
    return messages


def row_id(row: dict[str, Any], mapping: Mapping, default: str) -> str:
    value = lookup(row, mapping.id) if mapping.id else _MISSING
    return default if value is _MISSING or value is None else str(value)
