"""Strict, anchored parsing of judge replies.

A reply is accepted only if it is, in full, one JSON object (optionally inside a single
```json fence) with exactly the expected keys and values in range. Anything else -- prose
around the object, two objects, a missing or extra key, a grade off the scale -- is a
parse failure: stored with the raw text, counted, never turned into a score. Because the
whole reply must be the object, text that an answer smuggled in (its own delimiters, a
fake verdict) cannot be picked out of the reply as a grade.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .schema import Facet

_FENCE = re.compile(r"\A```(?:json)?[ \t]*\n(?P<body>.*?)\n```\Z", re.DOTALL)
VERDICTS = ("A", "B", "tie")


@dataclass(frozen=True)
class Parsed:
    ok: bool
    scores: dict[str, int] = field(default_factory=dict)
    verdict: str | None = None
    rationale: str | None = None
    error: str | None = None


def _object(reply: str) -> dict[str, Any]:
    text = reply.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group("body").strip()
    if not text.startswith("{"):
        raise ValueError("reply is not a JSON object")
    obj = json.loads(text)  # raises on anything after the object ("Extra data")
    if not isinstance(obj, dict):
        raise ValueError("reply is not a JSON object")
    return obj


def _keys(obj: dict[str, Any], expected: set[str]) -> None:
    missing, extra = expected - obj.keys(), obj.keys() - expected
    if missing or extra:
        parts = ([f"missing {sorted(missing)}"] if missing else []) + ([f"unexpected {sorted(extra)}"] if extra else [])
        raise ValueError("; ".join(parts))


def _rationale(obj: dict[str, Any], limit: int) -> str:
    value = obj["rationale"]
    if not isinstance(value, str):
        raise ValueError("rationale is not a string")
    return value[:limit]


def parse_rubric(reply: str, facets: list[Facet], rationale_chars: int = 400) -> Parsed:
    try:
        obj = _object(reply)
        _keys(obj, {f.name for f in facets} | {"rationale"})
        scores = {}
        for facet in facets:
            value = obj[facet.name]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{facet.name} is not an integer")
            if not facet.min <= value <= facet.max:
                raise ValueError(f"{facet.name}={value} is outside {facet.min}..{facet.max}")
            scores[facet.name] = value
        return Parsed(True, scores=scores, rationale=_rationale(obj, rationale_chars))
    except (ValueError, json.JSONDecodeError) as exc:
        return Parsed(False, error=str(exc))


def parse_pairwise(reply: str, rationale_chars: int = 400) -> Parsed:
    try:
        obj = _object(reply)
        _keys(obj, {"verdict", "rationale"})
        verdict = obj["verdict"]
        if verdict not in VERDICTS:
            raise ValueError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
        return Parsed(True, verdict=verdict, rationale=_rationale(obj, rationale_chars))
    except (ValueError, json.JSONDecodeError) as exc:
        return Parsed(False, error=str(exc))


def rubric_schema(facets: list[Facet], rationale_chars: int) -> dict[str, Any]:
    """The JSON schema of a rubric reply (sent as ``response_format`` where supported)."""
    props: dict[str, Any] = {"rationale": {"type": "string", "maxLength": rationale_chars}}
    for f in facets:
        props[f.name] = {"type": "integer", "enum": list(range(f.min, f.max + 1))}
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def pairwise_schema(rationale_chars: int) -> dict[str, Any]:
    return {"type": "object",
            "properties": {"rationale": {"type": "string", "maxLength": rationale_chars},
                           "verdict": {"type": "string", "enum": list(VERDICTS)}},
            "required": ["rationale", "verdict"], "additionalProperties": False}


def apply_floor_rules(scores: dict[str, int], facets: list[Facet], rules) -> dict[str, int]:
    """E.g. fluency at its lowest grade forces helpfulness, accuracy and logic to theirs."""
    lowest = {f.name: f.min for f in facets}
    out = dict(scores)
    for rule in rules:
        if scores.get(rule.when) == lowest[rule.when]:
            for name in rule.forces:
                out[name] = lowest[name]
    return out
