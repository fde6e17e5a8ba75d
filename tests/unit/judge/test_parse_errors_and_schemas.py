"""Judge replies: the exact errors stored beside a parse failure, rationale truncation and the
reply schemas sent as ``response_format`` (mutation check, ``make mutation``)."""

from __future__ import annotations

import json

from babelbench.judge.parse import pairwise_schema, parse_pairwise, parse_rubric, rubric_schema
from babelbench.judge.schema import Facet

FACETS = [Facet(name="language", description="l"), Facet(name="fluency", description="f", min=0, max=2)]
GOOD = {"rationale": "fine", "language": 3, "fluency": 0}


def test_exact_error_messages():
    for reply in ("[1, 2, 3]", "Sure: {}", '"text"', "```json\n[1]\n```"):
        parsed = parse_rubric(reply, FACETS)
        assert (parsed.ok, parsed.error) == (False, "reply is not a JSON object"), reply
    cases = {
        json.dumps({"rationale": "", "language": 3}): "missing ['fluency']",
        json.dumps({**GOOD, "bonus": 1, "extra": 2}): "unexpected ['bonus', 'extra']",
        json.dumps({"rationale": "", "language": 3, "bonus": 1}): "missing ['fluency']; unexpected ['bonus']",
        json.dumps({**GOOD, "fluency": 3}): "fluency=3 is outside 0..2",
        json.dumps({**GOOD, "rationale": None}): "rationale is not a string",
    }
    for reply, error in cases.items():
        parsed = parse_rubric(reply, FACETS)
        assert (parsed.ok, parsed.scores, parsed.error) == (False, {}, error)
    parsed = parse_pairwise('{"rationale": "x", "verdict": "C"}')
    assert (parsed.ok, parsed.verdict, parsed.error) == (False, None, "verdict 'C' is not one of A, B, tie")
    parsed = parse_pairwise('{"rationale": "x"}')
    assert (parsed.ok, parsed.error) == (False, "missing ['verdict']")
    assert parse_pairwise("[]").error == "reply is not a JSON object"


def test_a_good_reply_has_no_error():
    parsed = parse_rubric(json.dumps(GOOD), FACETS)
    assert (parsed.ok, parsed.scores, parsed.verdict, parsed.rationale, parsed.error) == (
        True, {"language": 3, "fluency": 0}, None, "fine", None)
    parsed = parse_pairwise('{"rationale": "B reads better", "verdict": "B"}')
    assert (parsed.ok, parsed.scores, parsed.verdict, parsed.rationale, parsed.error) == (
        True, {}, "B", "B reads better", None)


def test_rationales_are_cut_to_400_characters_unless_told_otherwise():
    long = "x" * 450
    assert parse_rubric(json.dumps({**GOOD, "rationale": long}), FACETS).rationale == "x" * 400
    assert parse_rubric(json.dumps({**GOOD, "rationale": long}), FACETS, rationale_chars=10).rationale == "x" * 10
    reply = json.dumps({"rationale": long, "verdict": "tie"})
    assert parse_pairwise(reply).rationale == "x" * 400
    assert parse_pairwise(reply, rationale_chars=7).rationale == "x" * 7


def test_reply_schemas():
    assert rubric_schema(FACETS, 300) == {
        "type": "object",
        "properties": {"rationale": {"type": "string", "maxLength": 300},
                       "language": {"type": "integer", "enum": [1, 2, 3]},
                       "fluency": {"type": "integer", "enum": [0, 1, 2]}},
        "required": ["rationale", "language", "fluency"],
        "additionalProperties": False,
    }
    assert pairwise_schema(50) == {
        "type": "object",
        "properties": {"rationale": {"type": "string", "maxLength": 50},
                       "verdict": {"type": "string", "enum": ["A", "B", "tie"]}},
        "required": ["rationale", "verdict"],
        "additionalProperties": False,
    }
