"""Recipe data section -> a saved, hashed training set in the model's chat format."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ..core.errors import Problem
from ..core.hashing import file_digest
from ..plug.sections import format_plug_response
from ..plug.system_lines import system_line
from ..recipe.schema import Variant
from .mix import draw, language_counts
from .sources import Example, SourceError, read_source
from .translation import KIND, answer_language, kind_of, translation_examples


@dataclass
class LanguageStats:
    examples: int
    unique: int
    prompt_tokens: int = 0
    response_tokens: int = 0
    #: of ``examples``, how many are translation tasks built from parallel text
    translation: int = 0


@dataclass
class DataManifest:
    """What the data stage produced (saved beside the data as ``manifest.json``)."""

    size: int
    sha256: str
    languages: dict[str, LanguageStats] = field(default_factory=dict)
    plug_pairs_missing: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def read(cls, path: Path) -> DataManifest:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["languages"] = {k: LanguageStats(**v) for k, v in raw["languages"].items()}
        return cls(**raw)


def select_examples(variant: Variant, recipe_dir: Path) -> tuple[list[Example], int]:
    """Sample the training examples (deterministic for ``data.seed``) and apply PLUG formatting.

    ``data.size`` instruction examples are drawn by the mix; the translation examples of
    ``data.translation`` come on top (never PLUG-formatted: a translation has one answer), and the
    two are shuffled together with the data seed.

    Returns the examples and how many PLUG targets had no pivot-language counterpart
    (those are dropped, and counted, rather than trained without a pivot answer).
    """
    data = variant.data
    assert data is not None
    pools: dict[str, list[Example]] = defaultdict(list)
    for source in data.sources:
        pools[source.language] += read_source(source, recipe_dir)
    rng = random.Random(data.seed)
    chosen: list[Example] = []
    for lang, n in sorted(language_counts(data.mix, data.size or 0).items()):
        if n > len(pools[lang]) and not data.allow_upsampling:
            raise SourceError(Problem(variant.recipe_file, None, "data.size",
                                      f"asks for {n} {lang!r} rows and the sources hold {len(pools[lang])} "
                                      "(set data.allow_upsampling: true to repeat rows)"))
        chosen += draw(pools[lang], n, rng)
    missing = 0
    if variant.pivot.mode == "plug":
        chosen, missing = _plug(chosen, pools[variant.pivot.pivot_language], variant.pivot.pivot_language,
                                variant.pivot.labels)
    if data.translation is not None:
        chosen += translation_examples(data.translation, recipe_dir, data.allow_upsampling, variant.recipe_file)
    chosen = [_with_system_line(ex, variant) for ex in chosen]
    rng.shuffle(chosen)
    return chosen, missing


def _with_system_line(ex: Example, variant: Variant) -> Example:
    """Prepend the variant's system line (the same one evaluation uses), unless the row has its own.
    A translation's line names the language it answers in, as the flores_gen task of that direction does."""
    pivot = variant.pivot
    line = system_line(pivot.system_prompt, pivot.mode, pivot.pivot_language, answer_language(ex))
    if line is None or (ex.messages and ex.messages[0].get("role") == "system"):
        return ex
    return replace(ex, messages=[{"role": "system", "content": line}, *ex.messages])


def _plug(examples: list[Example], pivot_pool: list[Example], pivot: str,
          labels: dict[str, str]) -> tuple[list[Example], int]:
    by_id = {ex.id: ex for ex in pivot_pool}
    out, missing = [], 0
    for ex in examples:
        partner = by_id.get(ex.id)
        if partner is None:
            missing += 1
            continue
        response = format_plug_response(pivot, partner.response, ex.language, ex.response, labels)
        out.append(Example(ex.id, ex.language, ex.messages[:-1] + [{"role": "assistant", "content": response}]))
    return out, missing


def build_training_set(variant: Variant, recipe_dir: Path, tokenizer, out_dir: Path) -> DataManifest:
    """Write ``train.jsonl`` (prompt/response text in the chat format) and ``manifest.json``."""
    examples, missing = select_examples(variant, recipe_dir)
    if not examples:
        raise SourceError(Problem(variant.recipe_file, None, "data", "the data section selects no examples"))
    stats: dict[str, LanguageStats] = {}
    counts = Counter(ex.language for ex in examples)
    translations = Counter(ex.language for ex in examples if kind_of(ex) == KIND)
    uniques = {lang: len({ex.id for ex in examples if ex.language == lang}) for lang in counts}
    for lang in counts:
        stats[lang] = LanguageStats(examples=counts[lang], unique=uniques[lang], translation=translations[lang])
    if variant.data is not None and variant.data.translation is not None:
        for lang in variant.data.translation.targets():  # a target given 0 pairs is a point of a size sweep too
            stats.setdefault(lang, LanguageStats(examples=0, unique=0))
    # rows say their kind when the data has translation examples (other data sets keep their bytes)
    with_kind = variant.data is not None and variant.data.translation is not None
    path = out_dir / "train.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for ex in examples:
            prompt, response = split_chat(tokenizer, ex.messages)
            stats[ex.language].prompt_tokens += len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
            stats[ex.language].response_tokens += len(tokenizer(response, add_special_tokens=False)["input_ids"])
            row = {"id": ex.id, "language": ex.language, "messages": ex.messages, "prompt": prompt, "response": response}
            fh.write(json.dumps({**row, "kind": kind_of(ex)} if with_kind else row, ensure_ascii=False) + "\n")
    manifest = DataManifest(size=len(examples), sha256=file_digest(str(path), 64),
                            languages=dict(sorted(stats.items())), plug_pairs_missing=missing)
    (out_dir / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def split_chat(tokenizer, messages: list[dict[str, str]]) -> tuple[str, str]:
    """Render with the chat template and split into (prompt text, response text).

    The response text is exactly what the template appends for the last assistant turn
    (answer + end-of-turn marker), so training on it teaches the model to stop.
    """
    full = tokenizer.apply_chat_template(messages, tokenize=False)
    prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
    if not full.startswith(prompt):
        raise ValueError("the chat template renders the prompt differently with and without the answer")
    return prompt, full[len(prompt):]
