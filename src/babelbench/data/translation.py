"""Translation-task data (x-LLM's CoIT): parallel text -> ordinary instruction examples.

A recipe's ``data.translation`` names parallel sources (a file with a column per language, a pair file
with two named columns, or a Hub dataset), a pivot language, a direction and a number of examples per
target language. Each drawn pair becomes one chat example whose user turn is an instruction template
with the two language *names* filled in, a blank line and the source sentence -- exactly how the
``flores_gen`` tasks write their prompt, so training and test prompts agree -- and whose answer is the
target sentence. The example's language is the non-pivot language of the pair.

Templates come from a bank (:data:`DEFAULT_TEMPLATES`, or a recipe's own file) and are cycled over
the items by index: item i of each (language, direction) stream gets template ``i mod len(bank)``.
The first template is the one the ``flores_gen`` tasks use at test time.

Pairs are drawn per language with their own seeded generator (``"<seed>:<language>"``): a language's
pairs do not depend on the other languages' sizes, and a smaller size draws a prefix of a larger
size's draw, so a size sweep trains on nested sets.
"""

from __future__ import annotations

import functools
import random
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from .. import languages
from ..core.errors import Problem
from ..core.yamlpos import display_path
from ..recipe.schema import ParallelSource, TranslationConfig
from .files import FileProblem, Where, read_rows
from .formats import _MISSING, lookup  # the sentinel `lookup` returns for a missing path
from .mix import draw
from .sources import Example, SourceError, data_problem, hub_rows

#: The shipped instruction templates, written for babelbench (in the manner of x-LLM's bank, not copied
#: from it). The first is the flores_gen tasks' test-time prompt; keep it first and unchanged.
DEFAULT_TEMPLATES: tuple[str, ...] = (
    "Translate the following sentences from {source_lang} to {target_lang}.",
    "Please translate this text from {source_lang} into {target_lang}.",
    "Render the {source_lang} passage below in {target_lang}.",
    "What is the {target_lang} translation of the following {source_lang} text?",
    "Convert the sentences below from {source_lang} to {target_lang}.",
    "Give a faithful {target_lang} translation of this {source_lang} text.",
    "I need this {source_lang} text in {target_lang}. Please translate it.",
    "Translate into {target_lang}; the original is in {source_lang}.",
    "Here is some text in {source_lang}. Write it in {target_lang}.",
    "Produce a fluent {target_lang} version of the following {source_lang} sentences.",
    "Can you translate the text below from {source_lang} to {target_lang}?",
    "Rewrite the following {source_lang} text in {target_lang}, keeping its meaning.",
    "{source_lang} to {target_lang}: translate the text below.",
    "Translate the passage that follows. Source language: {source_lang}. Target language: {target_lang}.",
    "How would you say the following {source_lang} sentences in {target_lang}?",
    "Provide the {target_lang} equivalent of this {source_lang} text.",
    "Turn this {source_lang} text into natural {target_lang}.",
    "Translate from {source_lang} to {target_lang}, keeping names and numbers as they are.",
    "Express the following {source_lang} sentences in {target_lang}.",
    "The text below is written in {source_lang}. Translate it into {target_lang}.",
    "Write the following in {target_lang}; it is currently in {source_lang}.",
    "Help me translate this from {source_lang} into {target_lang}.",
    "Give me the {target_lang} for the following {source_lang} text.",
    "Translate the {source_lang} input into {target_lang} and reply with the translation only.",
)

SLOTS = ("source_lang", "target_lang")
KIND = "translation"


@dataclass
class TranslationExample(Example):
    """An instruction example built from a parallel pair; ``language`` is the pair's non-pivot language."""

    source_language: str = ""
    target_language: str = ""
    #: Index of the template in the bank.
    template: int = 0
    kind: ClassVar[str] = KIND


def kind_of(example: Example) -> str:
    """``translation`` for examples built from parallel text, ``instruction`` for the others."""
    return KIND if isinstance(example, TranslationExample) else "instruction"


def answer_language(example: Example) -> str:
    """The language an example's answer is written in (a translation's target language)."""
    return example.target_language if isinstance(example, TranslationExample) else example.language


# -- templates ------------------------------------------------------------------------------------

def template_problem(template: str) -> str | None:
    """Why ``template`` cannot be used, or None."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        template.format(source_lang="A", target_lang="B")
    except (KeyError, IndexError, ValueError, AttributeError):
        names = {"?"}
    if not names <= set(SLOTS):
        return "only {source_lang} and {target_lang} may be filled in (write a literal brace as {{ or }})"
    missing = [f"{{{slot}}}" for slot in SLOTS if slot not in names]
    if missing:
        return f"a template needs both {{source_lang}} and {{target_lang}}; this one lacks {' and '.join(missing)}"
    return None


def _template_lines(path: Path) -> tuple[str, list[tuple[int, str]]]:
    shown = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SourceError(Problem(shown, None, "", f"cannot read the templates: {exc.strerror or exc}")) from None
    except UnicodeDecodeError as exc:
        raise SourceError(Problem(shown, None, "", f"not UTF-8 text (byte {exc.start}); re-save the file as UTF-8")) \
            from None
    return shown, [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if line.strip()]


def template_problems(path: Path) -> list[Problem]:
    """Every unusable line of a templates file (``file:line: problem``), or that it holds none."""
    try:
        shown, lines = _template_lines(path)
    except SourceError as exc:
        return [exc.problem]
    if not lines:
        return [Problem(shown, None, "", "holds no templates (one per line)")]
    return [Problem(shown, number, "", problem) for number, line in lines
            if (problem := template_problem(line)) is not None]


def load_templates(spec: str, recipe_dir: Path) -> tuple[str, ...]:
    """The template bank of ``data.translation.templates``: ``default``, or a file relative to ``recipe_dir``."""
    if spec == "default":
        return DEFAULT_TEMPLATES
    problems = template_problems(recipe_dir / spec)
    if problems:
        raise SourceError(problems[0])
    return tuple(line for _, line in _template_lines(recipe_dir / spec)[1])


def instruction(template: str, source_language: str, target_language: str, sentence: str) -> str:
    """The user turn: the template with the language names filled in, a blank line, the sentence
    (the flores_gen tasks' ``doc_to_text``)."""
    filled = template.format(source_lang=languages.name(source_language), target_lang=languages.name(target_language))
    return f"{filled}\n\n{sentence}"


# -- parallel sources -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ParallelRow:
    id: str
    #: language -> sentence, for the languages the source serves
    texts: dict[str, str]


@dataclass(frozen=True)
class Pair:
    id: str
    pivot: str
    target: str


def source_name(source: ParallelSource, recipe_dir: Path) -> str:
    return display_path((recipe_dir / source.path).resolve()) if source.path is not None else f"hub:{source.hub}"


def read_parallel(source: ParallelSource, recipe_dir: Path, wanted: Sequence[str]) -> list[ParallelRow]:
    """The rows of ``source`` with the sentences of the ``wanted`` languages it serves (``SourceError``
    naming the file, row and column on the first row that lacks one)."""
    if source.path is not None:
        path = (recipe_dir / source.path).resolve()
        stat = path.stat()
        return list(_read_local(path, stat.st_size, stat.st_mtime_ns, source.model_dump_json(), tuple(wanted)))
    return _parallel_rows(enumerate_rows(hub_rows(source)), source, f"hub:{source.hub}", tuple(wanted))


def enumerate_rows(rows: Any) -> Iterator[tuple[Where, dict[str, Any]]]:
    for index, row in enumerate(rows, 1):
        yield Where(row=index), row


@functools.lru_cache(maxsize=32)
def _read_local(path: Path, size: int, mtime_ns: int, source_json: str,
                wanted: tuple[str, ...]) -> tuple[ParallelRow, ...]:
    """Cached per file state, source settings and languages: `validate`'s checks and the data stage read once."""
    source = ParallelSource.model_validate_json(source_json)
    shown = display_path(path)
    try:
        return tuple(_parallel_rows(read_rows(path, source.file_format), source, shown, wanted))
    except FileProblem as exc:
        raise SourceError(data_problem(shown, exc.where, "", str(exc))) from None


def _parallel_rows(rows: Iterator[tuple[Where, dict[str, Any]]], source: ParallelSource, shown: str,
                   wanted: tuple[str, ...]) -> list[ParallelRow]:
    out: list[ParallelRow] = []
    columns: dict[str, str] | None = None
    for where, row in rows:
        if columns is None:  # the languages this source serves, and where each one's sentence is
            if source.fields is not None:
                columns = {lang: col for lang, col in source.fields.items() if lang in wanted}
            else:
                columns = {lang: lang for lang in wanted if lookup(row, lang) is not _MISSING}
        texts = {lang: _sentence(row, column, where, shown) for lang, column in columns.items()}
        given = row.get("id")
        out.append(ParallelRow(str(given) if isinstance(given, (str, int)) else where.label(), texts))
    return out


def _sentence(row: dict[str, Any], column: str, where: Where, shown: str) -> str:
    value = lookup(row, column)
    if value is _MISSING or value is None:
        keys = ", ".join(sorted(map(str, row))[:12]) or "none"
        raise SourceError(data_problem(shown, where, column, f"no sentence in column {column!r} (the row has keys {keys})"))
    if not isinstance(value, str):
        raise SourceError(data_problem(shown, where, column, f"expected text in column {column!r}, got "
                                                             f"{type(value).__name__}"))
    if not value.strip():
        raise SourceError(data_problem(shown, where, column, f"empty sentence in column {column!r}"))
    return value.strip()


def pair_pools(translation: TranslationConfig, recipe_dir: Path, local_only: bool = False) -> dict[str, list[Pair]]:
    """Target language -> its (pivot sentence, target sentence) pairs, pooled over the sources in order.
    ``local_only`` skips Hub sources (what `validate` can count without the network)."""
    wanted = [translation.pivot, *sorted(translation.targets())]
    pools: dict[str, list[Pair]] = {lang: [] for lang in translation.targets()}
    for i, source in enumerate(translation.sources):
        if local_only and source.path is None:
            continue
        rows = read_parallel(source, recipe_dir, wanted)
        served = set(rows[0].texts) if rows else set()  # every row serves its first row's languages
        if translation.pivot not in served:
            continue
        for lang in sorted(served & set(pools)):
            pools[lang] += [Pair(f"{i}:{row.id}", row.texts[translation.pivot], row.texts[lang]) for row in rows]
    return pools


# -- examples -------------------------------------------------------------------------------------

def translation_examples(translation: TranslationConfig, recipe_dir: Path, allow_upsampling: bool = False,
                         recipe_file: str = "") -> list[TranslationExample]:
    """The translation examples of every target language (sorted by language, each in its draw order).

    ``SourceError`` when a language asks for more pairs than the sources hold (unless ``allow_upsampling``)
    or for pairs no source has."""
    templates = load_templates(translation.templates, recipe_dir)
    pools = pair_pools(translation, recipe_dir)
    out: list[TranslationExample] = []
    for lang, wanted in sorted(translation.targets().items()):
        held = len(pools[lang])
        if wanted > held and (not allow_upsampling or held == 0):
            raise SourceError(Problem(recipe_file, None, f"data.translation.size.{lang}", size_problem(
                translation, lang, wanted, held)))
        rng = random.Random(f"{translation.seed}:{lang}")
        out += _examples(draw(pools[lang], wanted, rng), lang, translation, templates)
    return out


def size_problem(translation: TranslationConfig, lang: str, wanted: int, held: int) -> str:
    if held == 0:
        return (f"no parallel source has both {translation.pivot!r} ({languages.name(translation.pivot)}) and "
                f"{lang!r} ({languages.name(lang)}) sentences")
    return (f"asks for {wanted} {lang!r} translation pairs and the parallel sources hold {held}: lower it, or set "
            "data.allow_upsampling: true to repeat pairs")


def _examples(pairs: list[Pair], lang: str, translation: TranslationConfig,
              templates: Sequence[str]) -> Iterator[TranslationExample]:
    pivot = translation.pivot
    streams = {True: 0, False: 0}  # items so far per direction (True: pivot -> target)
    for k, pair in enumerate(pairs):
        forward = translation.direction == "to_target" or (translation.direction == "both" and k % 2 == 0)
        source, target = (pivot, lang) if forward else (lang, pivot)
        text, answer = (pair.pivot, pair.target) if forward else (pair.target, pair.pivot)
        index = streams[forward] % len(templates)
        streams[forward] += 1
        messages = [{"role": "user", "content": instruction(templates[index], source, target, text)},
                    {"role": "assistant", "content": answer}]
        yield TranslationExample(f"{KIND}:{source}>{target}:{pair.id}", lang, messages, source_language=source,
                                 target_language=target, template=index)
