"""What judges read of a stored sample: the instruction as written, the expected language,
and whether a PLUG answer has a target-language part at all."""

from __future__ import annotations

from typing import Any


def instruction_of(sample: dict[str, Any]) -> str:
    """The instruction as the user wrote it (not the chat-templated prompt), where the document has it."""
    doc = sample["doc"]
    for key in ("instruction", "question", "prompt"):
        if isinstance(doc.get(key), str) and doc[key].strip():
            text = doc[key]
            if key == "instruction" and isinstance(doc.get("input"), str) and doc["input"].strip():
                text += "\n\n" + doc["input"]
            return text
    messages = doc.get("messages")
    if isinstance(messages, list):
        users = [m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        if users:
            return str(users[-1])
    return str(sample["prompt"])


def expected_language(sample: dict[str, Any]) -> str | None:
    """The language the answer should be in: ``expected_language`` if the prompt asks for one, else its own."""
    return sample["doc"].get("expected_language") or sample["language"]


def has_target(sample: dict[str, Any], plug: bool) -> bool:
    """A PLUG answer whose target-language part is missing (only the pivot part) is pivot leakage."""
    if not plug:
        return True
    return sample["pivot_status"] != "only_pivot" and bool(sample["kept_response"].strip())
