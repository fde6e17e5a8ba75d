"""`harness probe`: the alignment analysis on a stored variant's model (or a local model folder), run
through the stage lifecycle and stored; a probe whose key is stored already does no work and says so.

Settings, each layer overriding the one before: the defaults, the stored variant's own ``alignment``
section, the ``alignment`` section of ``--recipe FILE``'s variant of that name (its first variant with
``--model``), then the command line (``--languages``, ``--source``, ``--pivot``, ``--max-sentences``).
A ``source`` is relative to the recipe file that set it (the command line's, to the working directory).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from ..analysis.parallel_sentences import ParallelSentences
from ..core.errors import ConfigError, Problem
from ..core.hashing import digest
from ..core.train_method import TrainMethod
from ..pipeline.alignment_stage import AlignmentModel, alignment_key, model_folder_identity, run_alignment, sentences_for
from ..recipe.schema import AlignmentConfig


class ProbeError(ValueError):
    """A probe that cannot start (unknown variant, untrained, a missing folder); one line."""


@dataclass(frozen=True)
class ProbeSettings:
    """What the command line sets (None / empty: keep the recipe's or stored setting)."""

    languages: list[str] = field(default_factory=list)
    source: str | None = None
    pivot: str | None = None
    max_sentences: int | None = None


@dataclass(frozen=True)
class ProbeOutcome:
    key: str
    label: str
    #: False when the key was stored already (no work done)
    ran: bool
    rows: list[dict[str, Any]]
    pivot: str


def _settings(base: AlignmentConfig, base_dir: Path | None, cli: ProbeSettings) -> tuple[AlignmentConfig, Path | None]:
    """``base`` with the command line's settings on top, validated; the folder its ``source`` is relative to."""
    from pydantic import ValidationError

    tree = base.model_dump()
    if cli.languages:
        tree["languages"] = [code.strip() for item in cli.languages for code in item.split(",") if code.strip()]
    if cli.pivot is not None:
        tree["pivot"] = cli.pivot
    if cli.max_sentences is not None:
        tree["max_sentences"] = cli.max_sentences
    if cli.source is not None:
        tree["source"] = cli.source
        base_dir = Path.cwd()
    try:
        return AlignmentConfig.model_validate(tree), base_dir
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            cause = (err.get("ctx") or {}).get("error")
            blamed = getattr(cause, "field", None)
            where = ".".join([str(p) for p in err["loc"]] + ([blamed] if isinstance(blamed, str) else []))
            option = {"languages": "--languages", "pivot": "--pivot", "max_sentences": "--max-sentences"}.get(
                where.split(".")[0], "alignment")
            problems.append(Problem(option, None, f"alignment.{where}" if where else "alignment",
                                    err["msg"].removeprefix("Value error, ")))
        raise ConfigError(problems) from None


def _recipe_config(recipe: Path, name: str | None) -> tuple[AlignmentConfig, Path]:
    """The ``alignment`` section of ``recipe``'s variant ``name`` (its first variant when None)."""
    from ..validate import recipe as load_recipe

    variants = load_recipe(recipe)
    chosen = next((v for v in variants if v.name == name), None) if name else variants[0]
    if chosen is None:
        raise ProbeError(f"{recipe} has no variant {name!r}; it has {', '.join(v.name for v in variants)}")
    return chosen.alignment, recipe.resolve().parent


def _stored_config(subject: dict[str, Any]) -> AlignmentConfig:
    try:
        return AlignmentConfig.model_validate(json.loads(subject["config"] or "{}").get("alignment") or {})
    except ValueError:   # stored by an older schema: the defaults
        return AlignmentConfig()


def _variant_identity(subject: dict[str, Any]) -> object:
    """The model as the variant's evaluation names it (as :func:`.alignment.variant_model_identity` does
    from a plan): the selected checkpoint, the train key, or the base model's identity."""
    from ..models.registry import model_identity

    if subject["selected_step"] is not None:
        return {"train": subject["train_key"], "step": subject["selected_step"]}
    if subject["train_key"]:
        return subject["train_key"]
    return model_identity(subject["base_model"], Path(subject["recipe_file"]).resolve().parent)


def probe_variant(store: Path, name: str, cli: ProbeSettings, console: Console, recipe: Path | None = None,
                  force: bool = False) -> ProbeOutcome:
    """Align the stored variant ``name``'s model (the selected checkpoint, if it selects one)."""
    from ..store import Store
    from ..store.alignment_queries import variant_alignment_subject
    from ..store.queries import variant_names

    with Store(store).read() as con:
        subject = variant_alignment_subject(con, name)
        known = variant_names(con) if subject is None else []
    if subject is None:
        raise ProbeError(f"no variant {name!r} in {store}; known: {', '.join(known) or 'none'}")
    if subject["method"] != TrainMethod.NONE and not subject["train_key"]:
        raise ProbeError(f"variant {name!r} has not been trained yet (run `harness run` on {subject['recipe_file']} "
                         "first)")
    base, recipe_dir = (_recipe_config(recipe, name) if recipe is not None else
                        (_stored_config(subject), Path(subject["recipe_file"]).resolve().parent))
    config, base_dir = _settings(base, recipe_dir, cli)
    sentences = sentences_for(config, base_dir)
    key = alignment_key(_variant_identity(subject), sentences, config)
    return _run(store, key, subject["variant_id"], name, sentences, config, console, force, link=True,
                weights=lambda: _variant_weights(store, name))


def _variant_weights(store: Path, name: str) -> AlignmentModel:
    from .variant_weights import resolve_variant

    weights = resolve_variant(store, name)
    return AlignmentModel(weights.model or weights.base_path, weights.adapter)


def probe_model(store: Path, model: Path, cli: ProbeSettings, console: Console, adapter: Path | None = None,
                label: str | None = None, recipe: Path | None = None, force: bool = False) -> ProbeOutcome:
    """Align a local model folder (+ an optional LoRA adapter folder) outside the store's variants."""
    for option, folder in (("--model", model), ("--adapter", adapter)):
        if folder is not None and not folder.is_dir():
            raise ProbeError(f"{option}: no such folder: {folder}")
    weights = AlignmentModel(str(model.resolve()), str(adapter.resolve()) if adapter is not None else None)
    base, recipe_dir = _recipe_config(recipe, None) if recipe is not None else (AlignmentConfig(), Path.cwd())
    config, base_dir = _settings(base, recipe_dir, cli)
    sentences = sentences_for(config, base_dir)
    identity = model_folder_identity(weights)
    key = alignment_key(identity, sentences, config)
    name = label or (f"{model.name}+{adapter.name}" if adapter is not None else model.name)
    return _run(store, key, f"model:{digest(identity, 12)}", name, sentences, config, console, force, link=False,
                weights=lambda: weights)


def _run(store: Path, key: str, variant_id: str, label: str, sentences: ParallelSentences, config: AlignmentConfig,
         console: Console, force: bool, link: bool, weights: Callable[[], AlignmentModel]) -> ProbeOutcome:
    from ..pipeline.lifecycle import Lifecycle, RunSummary
    from ..store import Store
    from ..store.alignment_queries import alignment_rows

    st = Store(store)
    ran = run_alignment(Lifecycle(st, RunSummary(), console), key, variant_id, weights, sentences, config,
                        label=label, force=force, link=link)
    with st.read() as con:
        rows = alignment_rows(con, key)
    return ProbeOutcome(key, label, ran, rows, sentences.pivot)


def table_cells(rows: list[dict[str, Any]], metric: str = "pair_cosine") -> tuple[list[str], list[list[str]]]:
    """Layers down, target languages across, ``metric`` in each cell (3 decimals)."""
    targets = sorted({r["target_language"] for r in rows})
    by = {(r["layer"], r["target_language"]): r[metric] for r in rows}
    lines = []
    for layer in sorted({r["layer"] for r in rows}):
        cells = [str(layer)]
        for t in targets:
            value = by.get((layer, t))
            cells.append("" if value is None else f"{value:.3f}")
        lines.append(cells)
    return targets, lines
