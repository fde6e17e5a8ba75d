"""A stored variant's weights, as plain lm-eval names them: ``--model`` and ``--model_args``.

The harness keeps trained weights in its artifact cache under content keys; a researcher who wants to
run plain ``lm_eval`` on a variant should not have to dig for them. :func:`resolve_variant` reads the
store for the variant's base model, its train stage's output and the checkpoint its selection chose;
:meth:`VariantModel.lm_eval_args` turns that into an eval backend's model arguments (the same ones
``harness run`` evaluates with).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..recipe.schema import Variant


class VariantModelError(ValueError):
    """A variant that cannot be named to lm-eval (unknown, or not trained yet); one line."""


@dataclass(frozen=True)
class VariantModel:
    name: str
    base_path: str
    #: A LoRA adapter folder, or None.
    adapter: str | None = None
    #: A fully fine-tuned model folder (replaces the base model), or None.
    model: str | None = None
    #: The selected checkpoint's step, when the variant selects one.
    step: int | None = None
    #: The variant as stored (its eval settings choose dtype, vLLM settings, the LoRA rank).
    variant: Variant | None = None

    def lm_eval_args(self, backend: str = "hf", plain: bool = False) -> tuple[str, dict[str, Any]]:
        """(``--model``, ``--model_args``) for ``backend`` (a registered eval backend: hf, vllm, ...); ``plain``:
        for plain ``lm_eval``, which knows lm-eval's own models only."""
        from ..evaluate.backends import get_eval_backend

        chosen = get_eval_backend(backend)
        args = chosen.model_args(self.model or self.base_path, self.adapter, self.variant)
        args.pop("device", None)  # lm_eval's own --device chooses it (and clashes with a model argument)
        if plain and chosen.plain_lm_eval_model:
            return chosen.plain_lm_eval_model, {k: v for k, v in args.items() if k not in chosen.harness_only_args}
        return chosen.lm_eval_model, args


def format_model_args(args: dict[str, Any]) -> str:
    """``key=value,...`` as ``lm_eval --model_args`` reads it (values may not hold commas)."""
    for key, value in args.items():
        if "," in str(value):
            raise VariantModelError(f"model argument {key}={value!r} holds a comma, which --model_args cannot carry")
    return ",".join(f"{k}={v}" for k, v in args.items())


def resolve_variant(store: Path, name: str) -> VariantModel:
    """The weights of variant ``name`` in ``store``; :class:`VariantModelError` naming the known ones."""
    from ..models.registry import resolve_base_model
    from ..store import Store
    from ..store.queries import variant_names, variant_weights
    from ..train.artifact import TrainArtifact, TrainMethod

    with Store(store).read() as con:
        row = variant_weights(con, name)
        known = variant_names(con)
    if row is None:
        raise VariantModelError(f"no variant {name!r} in {store}; known: {', '.join(known) or 'none'}")
    recipe_dir = Path(row["recipe_file"]).resolve().parent
    base = resolve_base_model(row["base_model"], recipe_dir)
    try:
        stored = Variant.model_validate(json.loads(row["config"])) if row["config"] else None
    except ValueError:   # a variant stored by an older schema: default settings
        stored = None
    if row["method"] == TrainMethod.NONE:
        return VariantModel(name, base, variant=stored)
    if not row["trained"] or not Path(row["trained"]).is_dir():
        raise VariantModelError(f"variant {name!r} has not been trained yet (run `harness run` on "
                                f"{row['recipe_file']} first)")
    artifact = TrainArtifact(Path(row["trained"]), TrainMethod(row["method"]), row["selected_step"])
    adapter, model = artifact.adapter_and_model()
    return VariantModel(name, base, adapter=adapter, model=model, step=artifact.step, variant=stored)
