"""Parallel sentences for the alignment analysis: which sentences, in which languages, paired by id.

A source is ``flores`` (the shipped FLORES-style samples, ``tasks/flores_gen/data``), a file or a
folder. Files are read with :mod:`babelbench.data.files` (JSON Lines, JSON, CSV, TSV, Parquet) in
one of two shapes, told apart by the first row:

* long: rows ``{"id", "language", "text"}``, parallel by ``id`` (the shipped samples' shape);
* wide: one column per language code (and an optional ``id``), one row per sentence.

A folder is read file by file (its ``*.jsonl``, ``*.tsv``, ``*.csv``, ``*.json``, ``*.parquet``).
A row that does not fit is a :class:`~babelbench.core.errors.ConfigError` naming the file, the row
(or line) and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError, Problem
from ..core.hashing import digest

#: ``source: flores`` -- the shipped samples of the flores_gen tasks.
SHIPPED = "flores"
_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet", ".pq")


@dataclass(frozen=True)
class ParallelSentences:
    """The sentences an alignment run embeds: per language, ids and texts in the pivot's id order."""

    pivot: str
    targets: tuple[str, ...]
    ids: dict[str, list[str]]
    texts: dict[str, list[str]]
    #: where they came from, for messages and the stage's info (not part of any key)
    origin: str

    def digest(self) -> str:
        """The sentences' content: what the alignment key hashes (not the file's name or place)."""
        return digest({lang: list(zip(self.ids[lang], self.texts[lang])) for lang in sorted(self.ids)})

    def pairs(self, target: str) -> int:
        return len(set(self.ids[self.pivot]) & set(self.ids[target]))


def shipped_folder() -> Path:
    from ..paths import shipped

    return shipped("tasks") / "flores_gen" / "data"


def source_path(source: str, base_dir: Path | None) -> Path:
    """The file or folder ``source`` names: the shipped samples, or a path (relative to ``base_dir``)."""
    if source == SHIPPED:
        return shipped_folder()
    path = Path(source).expanduser()
    return path if path.is_absolute() or base_dir is None else base_dir / path


def _problem(file: str, where: Any, field: str, message: str) -> ConfigError:
    from ..data.sources import data_problem

    return ConfigError([data_problem(file, where, field, message)])


def _language(file: str, where: Any, field: str, code: Any) -> str:
    from ..languages import standard_code

    try:
        return standard_code(str(code))
    except ValueError as exc:
        raise _problem(file, where, field, str(exc)) from None


def _text(file: str, where: Any, field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _problem(file, where, field, f"expected a non-empty sentence, got {value!r}")
    return value


def read_parallel_file(path: Path) -> dict[str, dict[str, str]]:
    """language -> {id: text} of one file, long or wide (see the module's docstring)."""
    from ..core.yamlpos import display_path
    from ..data.files import FileProblem, read_rows

    file = display_path(path)
    out: dict[str, dict[str, str]] = {}
    shape: str | None = None
    try:
        for index, (where, row) in enumerate(read_rows(path), 1):
            if shape is None:
                shape = "long" if {"language", "text"} <= set(row) else "wide"
            if shape == "long":
                if "id" not in row or row["id"] in (None, ""):
                    raise _problem(file, where, "id", "a {language, text} row needs an `id` to pair it with its "
                                   "translations")
                lang = _language(file, where, "language", row.get("language"))
                sid = str(row["id"])
                if sid in out.setdefault(lang, {}):
                    raise _problem(file, where, "id", f"id {sid!r} appears twice for language {lang!r}")
                out[lang][sid] = _text(file, where, "text", row.get("text"))
                continue
            sid = str(row["id"]) if row.get("id") not in (None, "") else str(index)
            for column, value in row.items():
                if column == "id":
                    continue
                lang = _language(file, where, column, column)
                if sid in out.setdefault(lang, {}):
                    raise _problem(file, where, "id", f"id {sid!r} appears twice")
                out[lang][sid] = _text(file, where, column, value)
    except FileProblem as exc:
        raise _problem(file, exc.where, "", str(exc)) from None
    except OSError as exc:
        raise ConfigError([Problem(file, None, "", f"cannot read: {exc.strerror or exc}")]) from None
    return out


def read_parallel(path: Path) -> dict[str, dict[str, str]]:
    """language -> {id: text} of a file, or of every data file of a folder (a language's ids may not
    repeat across files)."""
    from ..core.yamlpos import display_path

    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
        if not files:
            raise ConfigError([Problem(display_path(path), None, "", "no parallel sentence file here "
                                       f"({', '.join(_SUFFIXES)})")])
    elif path.is_file():
        files = [path]
    else:
        raise ConfigError([Problem(display_path(path), None, "", "no such file or folder of parallel sentences")])
    out: dict[str, dict[str, str]] = {}
    for file in files:
        for lang, rows in read_parallel_file(file).items():
            known = out.setdefault(lang, {})
            twice = sorted(set(known) & set(rows))
            if twice:
                raise ConfigError([Problem(display_path(file), None, "id", f"{lang} id {twice[0]!r} is also in another "
                                           f"file of {display_path(path)}")])
            known.update(rows)
    return out


def load_parallel(source: str, pivot: str, languages: Sequence[str], base_dir: Path | None = None,
                  max_sentences: int | None = None, field: str = "alignment.source") -> ParallelSentences:
    """The sentences of ``pivot`` and each target (``languages``; empty: every other language of the
    source), the pivot's first ``max_sentences`` ids (in its order) and their translations."""
    from ..core.yamlpos import display_path

    path = source_path(source, base_dir)
    rows = read_parallel(path)
    origin = display_path(path)
    if pivot not in rows:
        raise ConfigError([Problem(origin, None, field, f"holds no {pivot!r} sentences (the pivot); it has "
                                   f"{', '.join(sorted(rows)) or 'none'}")])
    targets = tuple(languages) or tuple(sorted(lang for lang in rows if lang != pivot))
    if not targets:
        raise ConfigError([Problem(origin, None, field, f"holds only {pivot!r} sentences: nothing to align with")])
    missing = [lang for lang in targets if lang not in rows]
    if missing:
        raise ConfigError([Problem(origin, None, field, f"holds no sentences in {', '.join(missing)}; it has "
                                   f"{', '.join(sorted(rows))}")])
    pivot_ids = [sid for sid in rows[pivot] if any(sid in rows[t] for t in targets)]
    if max_sentences is not None:
        pivot_ids = pivot_ids[:max_sentences]
    lonely = [t for t in targets if not any(sid in rows[t] for sid in pivot_ids)]
    if lonely:
        raise ConfigError([Problem(origin, None, field, f"no sentence id of {pivot!r} is also in "
                                   f"{', '.join(lonely)}: nothing to pair")])
    chosen = set(pivot_ids)
    ids = {pivot: pivot_ids, **{t: [sid for sid in pivot_ids if sid in rows[t]] for t in targets}}
    texts = {lang: [rows[lang][sid] for sid in lang_ids] for lang, lang_ids in ids.items()}
    assert all(set(v) <= chosen for v in ids.values())
    return ParallelSentences(pivot, targets, ids, texts, origin)
