"""Checks of a variant against its base model, made from the model's config without loading weights.

The config comes from :func:`babelbench.models.registry.model_config` (built-in models: written
out, nothing built; local folders: their ``config.json``; Hub ids: skipped, as that needs the
network). The module tree is built on PyTorch's ``meta`` device -- no memory, no weights -- for
the module names LoRA can target. The facts are cached per model identity in the process and on disk
(:mod:`.facts_cache`), so a recipe whose model was looked at before is checked without importing
transformers or torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.train_method import TrainMethod
from ..recipe.schema import Variant

Report = Callable[[str, str], None]

#: Config fields lm-eval's hf model reads the context length from, in its order (``HFLM.max_length``).
CONTEXT_FIELDS = ("n_positions", "max_position_embeddings", "n_ctx")
#: gen_kwargs keys lm-eval reads as the number of tokens to generate, in its order of priority.
GEN_TOKEN_KEYS = ("max_gen_toks", "max_new_tokens", "max_tokens", "max_completion_tokens")


@dataclass(frozen=True)
class ModelFacts:
    """What the checks need to know about a base model."""

    context_length: int | None
    context_field: str | None
    #: (module name, class name, whether LoRA can adapt it) for every module.
    modules: tuple[tuple[str, str, bool], ...]
    #: Names of the Linear layers (what target_modules usually names).
    linear: tuple[str, ...] = ()

    def linear_names(self) -> list[str]:
        """Distinct last parts of the Linear layers' names, in model order."""
        return list(dict.fromkeys(name.rsplit(".", 1)[-1] for name in self.linear))

    def matching(self, target: str) -> list[tuple[str, str, bool]]:
        """Modules peft's ``target_modules`` entry ``target`` selects (the name, or its dotted suffix)."""
        return [m for m in self.modules if m[0] == target or m[0].endswith("." + target)]


class ModelCheckError(Exception):
    """The base model's config cannot be read, or transformers cannot build a model from it."""


def check_model(variant: Variant, recipe_dir: Path, report: Report) -> None:
    """Report (through ``report(field, message)``) the settings this variant's base model cannot take."""
    try:
        facts = model_facts(variant.base_model, str(recipe_dir))
    except ModelCheckError as exc:
        report("base_model", str(exc))
        return
    if facts is None:
        return
    name = variant.base_model
    train = variant.train
    if train.method == TrainMethod.LORA:
        _check_targets(facts, name, list(train.lora.target_modules), report)
    context = facts.context_length
    if context is None:
        return
    where = f"{name}'s context length ({context} tokens, its config's {facts.context_field})"
    if train.method != TrainMethod.NONE and train.max_length > context:
        report("train.max_length", f"{train.max_length} is more than {where}")
    gen = variant.eval.gen_kwargs
    key = next((k for k in GEN_TOKEN_KEYS if gen.get(k) is not None), None)  # else the task's own
    value = gen.get(key) if key else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= context:
        report(f"eval.gen_kwargs.{key}", f"{value} tokens to generate leave no room for the prompt in {where}; "
                                         "lm-eval needs fewer")


def _check_targets(facts: ModelFacts, name: str, targets: list[str], report: Report) -> None:
    linear = ", ".join(facts.linear_names()) or "none"
    for i, target in enumerate(targets):
        found = facts.matching(target)
        if not found:
            report(f"train.lora.target_modules.{i}", f"{name} has no module {target!r}; its Linear layers: {linear}")
        elif not any(ok for _, _, ok in found):
            kinds = ", ".join(sorted({cls for _, cls, _ in found}))
            report(f"train.lora.target_modules.{i}", f"{target!r} names {kinds} modules, which LoRA cannot adapt; "
                                                     f"{name}'s Linear layers: {linear}")


def model_facts(base_model: str, recipe_dir: str) -> ModelFacts | None:
    """The base model's facts (None where its config needs the network); raise :class:`ModelCheckError`.

    Looked up by the model's identity: in this process, then on disk; read from its config (importing
    transformers and torch) only for a model not seen before."""
    from ..models.registry import model_identity
    from . import facts_cache

    key = facts_cache.facts_key(model_identity(base_model, Path(recipe_dir)))
    if key not in _CACHE:
        stored = facts_cache.load(key)
        known = _from_json(stored) if stored is not None else None
        read = known if known is not None else _facts(base_model, recipe_dir)
        if known is None and isinstance(read, ModelFacts):
            facts_cache.save(key, _to_json(read))
        _CACHE[key] = read
    outcome = _CACHE[key]
    if isinstance(outcome, str):
        raise ModelCheckError(outcome)
    return outcome


#: Model facts key (identity digest) -> its facts, or its problem's message. One look per process.
_CACHE: dict[str, ModelFacts | str | None] = {}


def clear_cache() -> None:
    """Forget this process's facts (the disk cache is keyed by identity, so it stays right)."""
    _CACHE.clear()


def _to_json(facts: ModelFacts) -> dict[str, object]:
    return {"context_length": facts.context_length, "context_field": facts.context_field,
            "modules": [list(m) for m in facts.modules], "linear": list(facts.linear)}


def _from_json(data: dict) -> ModelFacts | None:
    """Stored facts back as :class:`ModelFacts`; None (read again) for an entry of another shape."""
    try:
        return ModelFacts(context_length=data["context_length"], context_field=data["context_field"],
                          modules=tuple((str(n), str(c), bool(ok)) for n, c, ok in data["modules"]),
                          linear=tuple(str(n) for n in data["linear"]))
    except (KeyError, TypeError, ValueError):
        return None


def _facts(base_model: str, recipe_dir: str) -> ModelFacts | str | None:
    from ..models.registry import model_config

    try:
        config = model_config(base_model, Path(recipe_dir))
    except ImportError:
        return None  # transformers is not installed: nothing to check against
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"cannot read the model's config: {_first_line(exc)}"
    if config is None:
        return None
    try:
        modules, linear = _module_tree(config)
    except (ValueError, KeyError, TypeError, AttributeError, RuntimeError, ImportError) as exc:
        return f"transformers cannot build a causal language model from its config: {_first_line(exc)}"
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    field = next((f for f in CONTEXT_FIELDS if isinstance(getattr(text, f, None), int)), None)
    return ModelFacts(context_length=getattr(text, field) if field else None, context_field=field, modules=modules,
                      linear=linear)


def _module_tree(config) -> tuple[tuple[tuple[str, str, bool], ...], tuple[str, ...]]:
    """Every module of the model ``config`` describes, built on the meta device (no weights), and the
    names of its Linear layers."""
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.pytorch_utils import Conv1D

    adaptable = (torch.nn.Linear, torch.nn.Embedding, torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d,
                 torch.nn.MultiheadAttention, Conv1D)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    modules = tuple((name, type(m).__name__, isinstance(m, adaptable)) for name, m in model.named_modules())
    linear = tuple(name for name, m in model.named_modules() if isinstance(m, (torch.nn.Linear, Conv1D)))
    return modules, linear


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
