"""Checks of a ratings file (`harness ratings import FILE`: CSV with a header, or JSON Lines), each row
against the stored answers and the stored rubric judges' facets, before anything is written.

A problem names the file, the line and the field: ``ratings.csv:4: doc_id: no stored answer ...``."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.errors import Problem
from ..core.ratings import FIELDS, ORDERS, VERDICT, VERDICTS, HumanRating

Row = tuple[int, dict[str, Any]]
Key = tuple[str, str, int]


def read_rating_rows(path: Path, shown: str) -> tuple[list[Row], list[Problem]]:
    """(line, row) of each rating in the file; CSV cells that are empty read as missing."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return [], [Problem(shown, None, "", f"cannot read: {exc.strerror or exc}")]
    except UnicodeDecodeError as exc:
        return [], [Problem(shown, None, "", f"not UTF-8 text (byte {exc.start}); re-save the file as UTF-8")]
    if path.suffix.lower() == ".csv":
        return _csv_rows(text, shown)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return _jsonl_rows(text, shown)
    return [], [Problem(shown, None, "", "a ratings file is CSV (.csv, with a header) or JSON Lines (.jsonl)")]


def _csv_rows(text: str, shown: str) -> tuple[list[Row], list[Problem]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    unknown = [f for f in reader.fieldnames or [] if f not in FIELDS]
    if unknown or not reader.fieldnames:
        return [], [Problem(shown, 1, unknown[0] if unknown else "", f"not a rating field (fields: {', '.join(FIELDS)})"
                            if unknown else "empty file: a header line naming the fields comes first")]
    rows = []
    for row in reader:
        rows.append((reader.line_num, {k: v for k, v in row.items() if k is not None and v not in ("", None)}))
    return rows, []


def _jsonl_rows(text: str, shown: str) -> tuple[list[Row], list[Problem]]:
    rows, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(shown, number, "", f"not valid JSON: {exc.msg} (column {exc.colno})"))
            continue
        if not isinstance(row, dict):
            problems.append(Problem(shown, number, "", f"expected a JSON object, got {type(row).__name__}"))
            continue
        unknown = [f for f in row if f not in FIELDS]
        if unknown:
            problems.append(Problem(shown, number, unknown[0], f"not a rating field (fields: {', '.join(FIELDS)})"))
            continue
        rows.append((number, {k: v for k, v in row.items() if v not in ("", None)}))
    return rows, problems


class _Row:
    """One row's fields, read with their problems collected (the first per field)."""

    def __init__(self, shown: str, line: int, row: dict[str, Any]):
        self.shown, self.line, self.row = shown, line, row
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.shown, self.line, field, message))

    def text(self, field: str, required: bool = True) -> str | None:
        value = self.row.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(field, "missing")
            return None
        if not isinstance(value, str):
            self.problem(field, f"must be text, got {json.dumps(value)}")
            return None
        return value.strip()

    def integer(self, field: str, required: bool = True) -> int | None:
        value = self.row.get(field)
        if value is None:
            if required:
                self.problem(field, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().lstrip("-").isdigit():
            self.problem(field, f"must be a whole number, got {json.dumps(value)}")
            return None
        return int(value)

    def absent(self, *fields: str, why: str) -> None:
        for field in fields:
            if self.row.get(field) is not None:
                self.problem(field, f"must be empty {why}")


def check_rating_rows(shown: str, rows: list[Row], answers: set[Key],
                      facets: dict[str, set[int]]) -> tuple[list[HumanRating], list[Problem]]:
    """Each row as a :class:`HumanRating`, or the problems that keep it out. ``answers``: the stored
    sample keys; ``facets``: each stored rubric facet -> its scales' numbers of levels minus one."""
    ratings: list[HumanRating] = []
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    evals = {e for e, _, _ in answers}
    for line, row in rows:
        r = _Row(shown, line, row)
        rating = _rating(r, answers, evals, facets)
        if rating is not None:
            key = (rating.rater, rating.eval_key, rating.task, rating.doc_id, rating.facet, rating.baseline_eval)
            if key in seen:
                r.problem("facet", f"{rating.rater} rated this facet of this answer already on line {seen[key]}")
            seen.setdefault(key, line)
        problems += r.problems
        if rating is not None and not r.problems:
            ratings.append(rating)
    return ratings, problems


def _answer(r: _Row, answers: set[Key], evals: set[str], field: str = "eval_key") -> Key | None:
    eval_key, task, doc_id = r.text(field), r.text("task"), r.integer("doc_id")
    if eval_key is None or task is None or doc_id is None:
        return None
    if eval_key not in evals:
        r.problem(field, f"no stored evaluation {eval_key!r} (see `harness ratings export` for the keys)")
    elif (eval_key, task, doc_id) not in answers:
        r.problem("doc_id", f"no stored answer to document {doc_id} of task {task!r} in evaluation {eval_key!r}")
    return eval_key, task, doc_id


def _rating(r: _Row, answers: set[Key], evals: set[str], facets: dict[str, set[int]]) -> HumanRating | None:
    rater, facet, note = r.text("rater"), r.text("facet"), r.text("note", required=False)
    key = _answer(r, answers, evals)
    rated_at = _time(r)
    if facet == VERDICT:
        extra = _verdict(r, answers, evals, key)
    elif facet is not None:
        extra = _grade(r, facet, facets)
    if rater is None or facet is None or key is None or r.problems:
        return None
    return HumanRating(rater, key[0], key[1], key[2], facet, note=note, rated_at=rated_at, **extra)


def _verdict(r: _Row, answers: set[Key], evals: set[str], key: Key | None) -> dict[str, Any]:
    r.absent("score", "scale_min", "scale_max", why="for a pairwise verdict")
    baseline = r.text("baseline_eval")
    if baseline is not None and key is not None:
        if baseline not in evals:
            r.problem("baseline_eval", f"no stored evaluation {baseline!r}")
        elif (baseline, key[1], key[2]) not in answers:
            r.problem("baseline_eval", f"evaluation {baseline!r} has no answer to document {key[2]} of task {key[1]!r}")
    order, verdict = r.text("shown_order"), r.text("verdict")
    if order is not None and order not in ORDERS:
        r.problem("shown_order", f"must be ab (the rated answer shown as A) or ba, got {order!r}")
    if verdict is not None and verdict not in VERDICTS:
        r.problem("verdict", f"must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    return {"baseline_eval": baseline or "", "shown_order": order, "verdict": verdict}


def _grade(r: _Row, facet: str, facets: dict[str, set[int]]) -> dict[str, Any]:
    r.absent("baseline_eval", "shown_order", "verdict", why=f"for a grade of a facet (facet {VERDICT!r} is a pairwise verdict)")
    if facet not in facets:
        r.problem("facet", f"{facet!r} is no facet of a stored rubric judge (facets: {', '.join(sorted(facets)) or 'none'}; "
                  f"{VERDICT!r} for a pairwise verdict)")
    score, low, high = r.integer("score"), r.integer("scale_min"), r.integer("scale_max")
    if low is not None and high is not None:
        if high <= low:
            r.problem("scale_max", f"must be greater than scale_min ({low})")
        elif facet in facets and high - low not in facets[facet]:
            levels = " or ".join(str(n + 1) for n in sorted(facets[facet]))
            r.problem("scale_max", f"a scale of {high - low + 1} levels ({low}-{high}); the judges grade {facet} on {levels}")
        elif score is not None and not low <= score <= high:
            r.problem("score", f"{score} lies outside the scale {low}-{high}")
    return {"score": score, "scale_min": low, "scale_max": high}


def _time(r: _Row) -> datetime | None:
    value = r.text("rated_at", required=False)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        r.problem("rated_at", f"not an ISO date and time (2026-01-31T12:00:00), got {value!r}")
        return None
    # stored as UTC without a zone, as the store's own times
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
