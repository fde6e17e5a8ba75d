"""Reading the rows of a data file: JSON Lines, JSON, CSV, TSV, Parquet.

Each reader yields ``(where, row)``: ``where`` is how an error points at the row -- the line for
JSON Lines (``file:12``), the row number for the others (``file: row 12``; CSV/TSV rows count from
the first row after the header). Problems with the file itself raise :class:`FileProblem`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.registry import Registry


@dataclass(frozen=True)
class Where:
    """A row's place in its file: a line (JSON Lines) or a row number."""

    line: int | None = None
    row: int | None = None

    def label(self) -> str:
        return f"line {self.line}" if self.line is not None else f"row {self.row}"


class FileProblem(ValueError):
    """The file cannot be read as rows; ``where`` is set when a row is at fault."""

    def __init__(self, message: str, where: Where | None = None):
        self.where = where
        super().__init__(message)


Reader = Callable[[Path], Iterator[tuple[Where, dict[str, Any]]]]
READERS: Registry[Reader] = Registry("data file format")
SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
            ".parquet": "parquet", ".pq": "parquet"}


def file_format(path: Path, given: str) -> str:
    if given != "auto":
        return given
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise FileProblem(f"cannot tell the file format from the suffix {path.suffix!r}: set `file_format` "
                          f"({', '.join(READERS.names())})")
    return found


def read_rows(path: Path, given: str = "auto") -> Iterator[tuple[Where, dict[str, Any]]]:
    return READERS.get(file_format(path, given))(path)


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileProblem(f"not UTF-8 text (byte {exc.start}, line {line}); re-save the file as UTF-8",
                          Where(line=line)) from None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}.get(type(value), type(value).__name__)


@READERS.register("jsonl")
def _jsonl(path: Path) -> Iterator[tuple[Where, dict[str, Any]]]:
    for lineno, line in enumerate(_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FileProblem(f"not valid JSON: {exc.msg} (column {exc.colno})", Where(line=lineno)) from None
        except RecursionError:
            raise FileProblem("JSON nested too deeply", Where(line=lineno)) from None
        if not isinstance(row, dict):
            raise FileProblem(f"expected a JSON object, got a JSON {_kind(row)}", Where(line=lineno))
        yield Where(line=lineno), row


@READERS.register("json")
def _json(path: Path) -> Iterator[tuple[Where, dict[str, Any]]]:
    """A list of rows, or an object holding one under ``"data"``."""
    try:
        data = json.loads(_text(path))
    except json.JSONDecodeError as exc:
        raise FileProblem(f"not valid JSON: {exc.msg} (column {exc.colno})", Where(line=exc.lineno)) from None
    except RecursionError:
        raise FileProblem("JSON nested too deeply") from None
    rows = data.get("data") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        got = f"an object with keys {sorted(data)}" if isinstance(data, dict) else f"a JSON {_kind(data)}"
        raise FileProblem(f"expected a list of rows, or an object with a list of rows under \"data\"; got {got}")
    for index, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise FileProblem(f"expected a JSON object, got a JSON {_kind(row)}", Where(row=index))
        yield Where(row=index), row


def _delimited(path: Path, delimiter: str) -> Iterator[tuple[Where, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(_text(path), newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        names = [h.strip() for h in header]
        if len(set(names)) != len(names) or not all(names):
            raise FileProblem(f"the header row needs distinct, non-empty column names; got {names}", Where(row=0))
        for index, values in enumerate(reader, 1):
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(names):
                raise FileProblem(f"{len(values)} values for {len(names)} columns ({', '.join(names)})",
                                  Where(row=index))
            yield Where(row=index), dict(zip(names, values))
    except csv.Error as exc:
        shown = str(exc).replace("\t", "\\t")  # csv names the tab delimiter as a raw tab
        raise FileProblem(f"not valid {'TSV' if delimiter == chr(9) else 'CSV'}: {shown}",
                          Where(line=reader.line_num)) from None


@READERS.register("csv")
def _csv(path: Path) -> Iterator[tuple[Where, dict[str, Any]]]:
    return _delimited(path, ",")


@READERS.register("tsv")
def _tsv(path: Path) -> Iterator[tuple[Where, dict[str, Any]]]:
    return _delimited(path, "\t")


@READERS.register("parquet")
def _parquet(path: Path) -> Iterator[tuple[Where, dict[str, Any]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow comes with datasets
        raise FileProblem("reading Parquet needs pyarrow: pip install pyarrow") from None
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError subclasses for broken files
        raise FileProblem(f"not a readable Parquet file: {str(exc).splitlines()[0]}") from None
    for index, row in enumerate(table.to_pylist(), 1):
        yield Where(row=index), row
