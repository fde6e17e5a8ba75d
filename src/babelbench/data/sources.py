"""Reading a recipe's instruction-data sources into chat examples.

A source is a local file (JSON Lines, JSON, CSV, TSV, Parquet; :mod:`.files`) or a Hub dataset
(through ``datasets``); its rows are read with a registered format and/or a column mapping
(:mod:`.formats`). Every row becomes an :class:`Example` whose last message is the assistant's
response (the part trained on). A row that does not fit raises :class:`SourceError` naming the
file, the row (or line) and the field.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import Problem
from ..core.yamlpos import display_path
from ..recipe.schema import ParallelSource, Source
from .files import FileProblem, Where, read_rows
from .formats import FORMATS, Mapping, RowError, detect_format, row_id, to_messages


@dataclass
class Example:
    id: str
    language: str
    messages: list[dict[str, str]] = field(default_factory=list)

    @property
    def response(self) -> str:
        return self.messages[-1]["content"]


class SourceError(ValueError):
    """A source that cannot be read; :attr:`problem` names the file, the row (or line) and the field."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def data_problem(file: str, where: Where | None, field: str, message: str) -> Problem:
    """``file:12: field: message`` for a JSON Lines line, ``file: row 12: field: message`` otherwise."""
    if where is None or where.line is not None:
        return Problem(file, where.line if where else None, field, message)
    return Problem(f"{file}: row {where.row}", None, field, message)


def source_mapping(source: Source) -> Mapping | None:
    """The mapping a source's ``format`` and ``fields`` give; None with ``format: auto`` and no fields
    (each row's shape is detected). ``ValueError`` for an unknown format name."""
    fields = source.fields.model_dump(exclude_none=True) if source.fields is not None else {}
    if source.format == "auto" and not fields:
        return None if not source.roles else Mapping().with_fields({}, source.roles)
    base = FORMATS.get(source.format) if source.format != "auto" else Mapping()
    return base.with_fields(fields, source.roles) if fields or source.roles else base


def read_source(source: Source, recipe_dir: Path) -> list[Example]:
    """Every row of ``source`` as an :class:`Example` (``SourceError`` on the first that does not fit)."""
    if source.path is not None:
        path = (recipe_dir / source.path).resolve()
        stat = path.stat()
        return list(_read_local(path, stat.st_size, stat.st_mtime_ns, source.model_dump_json()))
    return [_example(row, Where(row=i + 1), source, f"hub:{source.hub}") for i, row in enumerate(hub_rows(source))]


@functools.lru_cache(maxsize=32)
def _read_local(path: Path, size: int, mtime_ns: int, source_json: str) -> tuple[Example, ...]:
    """Cached per file state and source settings: `validate`'s checks and the data stage read once."""
    source = Source.model_validate_json(source_json)
    shown = display_path(path)
    try:
        return tuple(_example(row, where, source, shown) for where, row in read_rows(path, source.file_format))
    except FileProblem as exc:
        raise SourceError(data_problem(shown, exc.where, "", str(exc))) from None


def _example(row: dict[str, Any], where: Where, source: Source, shown: str) -> Example:
    try:
        mapping = source_mapping(source) or FORMATS.get(detect_format(row))
        messages = to_messages(row, mapping)
        index = (where.line if where.line is not None else where.row or 1) - 1
        return Example(id=row_id(row, mapping, str(index)), language=source.language, messages=messages)
    except RowError as exc:
        raise SourceError(data_problem(shown, where, exc.field, str(exc))) from None


def hub_rows(source: Source | ParallelSource) -> Iterator[dict[str, Any]]:
    """A Hub dataset's rows; a network or dataset failure is one line naming the dataset."""
    import datasets  # only when a recipe names a Hub dataset

    try:
        rows = datasets.load_dataset(source.hub, source.hub_config, split=source.split)
    except Exception as exc:  # datasets raises many kinds (ConnectionError, DatasetNotFoundError, ...)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(Problem(f"hub:{source.hub}", None, "", f"cannot load the dataset: {first}")) from None
    yield from rows
