"""Datasets read from their published files on disk (``eval.data_source: local``, ``eval.data_dir``).

A cluster without the Hub keeps the published files on a shared disk; each shipped task family reads
them here **as published**, offline, with no conversion step:

* ``xquad`` -- XQuAD: ``xquad.<lang>.json`` (SQuAD v1.1 JSON: data -> paragraphs -> qas);
* ``mlqa`` -- MLQA v1 test: ``test-context-<c>-question-<q>.json`` (SQuAD v1.1 JSON), in ``data_dir`` or in
  its ``test/`` folder (the ``MLQA_V1`` archive's layout);
* ``flores`` -- FLORES+ devtest, one file per language: ``devtest/<code>.parquet`` (openlanguagedata/flores_plus,
  columns ``id``, ``text``) or ``devtest/<code>.devtest`` (the FLORES-200 archive: one sentence a line);
* ``xalpaca`` -- X-AlpacaEval: ``<english|chinese|korean|italian|spanish>.json`` (zhihz0535/X-AlpacaEval: a JSON
  array, or JSON lines, of objects with an ``instruction``).

Each layout (a registry entry) says which files one task reads from its ``dataset_kwargs``; the task's
loader, the pre-run check (:mod:`babelbench.validate.local_data`) and the eval key (the files' content hash)
all ask the same entry, so what is checked, hashed and read is one list. No fallback between sources: a
missing file is an error naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.registry import Registry

Kwargs = Mapping[str, Any]


class LocalDataError(ValueError):
    """A published file that is missing or not what its dataset publishes."""


@dataclass(frozen=True)
class Layout:
    name: str
    #: What the layout expects, for messages ("XQuAD's xquad.<lang>.json").
    expects: str
    #: The files one task reads, from the task's ``dataset_kwargs`` (a missing one is named, not skipped).
    files: Callable[[Path, Kwargs], list[Path]]


LAYOUTS: Registry[Layout] = Registry("local data layout")


def _register(layout: Layout) -> Layout:
    return LAYOUTS.register(layout.name)(layout)


def _xquad_files(root: Path, kwargs: Kwargs) -> list[Path]:
    return [root / f"xquad.{kwargs['language']}.json"]


def _mlqa_file(root: Path, context: str, question: str) -> Path:
    name = f"test-context-{context}-question-{question}.json"
    nested = root / "test" / name
    return nested if (root / "test").is_dir() else root / name


def _mlqa_files(root: Path, kwargs: Kwargs) -> list[Path]:
    context = kwargs.get("context_language", kwargs.get("language"))
    question = kwargs.get("question_language", context)
    return [_mlqa_file(root, str(context), str(question))]


#: Language code -> FLORES+ code, for every language with a flores_gen task.
FLORES_CODES = {"en": "eng_Latn", "zh": "cmn_Hans", "es": "spa_Latn", "it": "ita_Latn", "ko": "kor_Hang",
                "de": "deu_Latn", "fr": "fra_Latn", "ar": "arb_Arab", "el": "ell_Grek", "hi": "hin_Deva",
                "tr": "tur_Latn", "vi": "vie_Latn", "ru": "rus_Cyrl", "ja": "jpn_Jpan"}
#: FLORES-200 named some languages differently (Mandarin: zho_Hans); its text files use those names.
_FLORES200_CODES = {**FLORES_CODES, "zh": "zho_Hans"}


def flores_file(root: Path, language: str) -> Path:
    """The devtest file of ``language``: FLORES+'s Parquet when present, else FLORES-200's text file when
    present (the same sentences, two publications), else the Parquet path (named as missing)."""
    parquet = root / "devtest" / f"{FLORES_CODES[language]}.parquet"
    text = root / "devtest" / f"{_FLORES200_CODES[language]}.devtest"
    return text if text.is_file() and not parquet.is_file() else parquet


def _flores_files(root: Path, kwargs: Kwargs) -> list[Path]:
    return [flores_file(root, str(kwargs[k])) for k in ("source_language", "target_language")]


#: Language code -> X-AlpacaEval's file stem.
XALPACA_FILES = {"en": "english", "zh": "chinese", "ko": "korean", "it": "italian", "es": "spanish"}


def _xalpaca_files(root: Path, kwargs: Kwargs) -> list[Path]:
    return [root / f"{XALPACA_FILES[str(kwargs['language'])]}.json"]


_register(Layout("xquad", "XQuAD's published xquad.<lang>.json (SQuAD v1.1 JSON)", _xquad_files))
_register(Layout("mlqa", "MLQA's published test-context-<c>-question-<q>.json (in data_dir or data_dir/test)",
                 _mlqa_files))
_register(Layout("flores", "FLORES+ devtest/<code>.parquet or FLORES-200 devtest/<code>.devtest", _flores_files))
_register(Layout("xalpaca", "X-AlpacaEval's published <english|chinese|korean|italian|spanish>.json",
                 _xalpaca_files))


def task_files(layout: str, data_dir: str | Path, kwargs: Kwargs) -> list[Path]:
    """The files a task of ``layout`` with these ``dataset_kwargs`` reads under ``data_dir``."""
    return LAYOUTS.get(layout).files(Path(data_dir), kwargs)


def require(path: Path, layout: str) -> Path:
    """``path``, or an error naming it and what the layout expects there."""
    if not path.is_file():
        raise LocalDataError(f"{path}: file not found (data_source local expects {LAYOUTS.get(layout).expects})")
    return path


def data_dir_of(metadata: Mapping[str, Any]) -> Path:
    """The task metadata's ``data_dir`` (set by the harness from ``eval.data_dir``, or by ``--metadata``)."""
    data_dir = metadata.get("data_dir")
    if not data_dir:
        raise LocalDataError("data_source local needs data_dir (the folder of the published files): "
                             "eval.data_dir in a recipe, or --metadata '{\"data_source\": \"local\", \"data_dir\": ...}'")
    return Path(str(data_dir))


# -- readers of the published formats -------------------------------------------------------------------


def squad_rows(path: Path) -> list[dict[str, Any]]:
    """A SQuAD v1.1 JSON file's questions, in file order: id, context, question, answers (texts)."""
    try:
        articles = json.loads(path.read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LocalDataError(f"{path}: not SQuAD v1.1 JSON ({type(exc).__name__}: {exc})") from None
    rows = []
    for a, article in enumerate(articles):
        for p, paragraph in enumerate(article.get("paragraphs", [])):
            for q, qa in enumerate(paragraph.get("qas", [])):
                try:
                    rows.append({"id": str(qa["id"]), "context": paragraph["context"], "question": qa["question"],
                                 "answers": [answer["text"] for answer in qa["answers"]]})
                except (KeyError, TypeError) as exc:
                    raise LocalDataError(f"{path}: data[{a}].paragraphs[{p}].qas[{q}]: missing {exc}") from None
    return rows


def flores_sentences(path: Path) -> list[dict[str, str]]:
    """A FLORES devtest file's sentences: Parquet (``id``, ``text``) or text (one a line, ids from 1)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path).to_pydict()
        if "text" not in table:
            raise LocalDataError(f"{path}: no 'text' column (FLORES+ Parquet has id, text, ...)")
        ids = table.get("id") or list(range(1, len(table["text"]) + 1))
        return [{"id": str(i), "text": t} for i, t in zip(ids, table["text"], strict=True)]
    lines = path.read_text(encoding="utf-8").splitlines()
    return [{"id": str(n), "text": line} for n, line in enumerate(lines, 1)]


def json_records(path: Path) -> list[dict[str, Any]]:
    """A JSON array of objects, or JSON lines; a bad record is named by file and row."""
    text = path.read_text(encoding="utf-8")
    try:
        value = json.loads(text)
        records = value if isinstance(value, list) else [value]
    except ValueError:
        records = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except ValueError as exc:
                    raise LocalDataError(f"{path}: row {number}: not JSON ({exc})") from None
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict) or not isinstance(record.get("instruction"), str):
            raise LocalDataError(f"{path}: row {number}: an object with an 'instruction' string is expected")
    return records
