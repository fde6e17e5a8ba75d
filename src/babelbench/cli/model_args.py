"""`harness model-args VARIANT`: the `--model` and `--model_args` plain `lm_eval` needs for a variant."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import paths


def model_args(
    variant: Annotated[str, typer.Argument(help="Variant name, as `harness report` shows it.")],
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    backend: Annotated[str, typer.Option("--backend", help="hf (an eval backend name) or vllm.")] = "hf",
) -> None:
    """Print `--model NAME --model_args k=v,...` for the variant's weights (base model, adapter or full
    checkpoint, the selected checkpoint if it selects one), e.g. `lm_eval $(harness model-args demo@plug) ...`."""
    from ..services.variant_weights import VariantModelError, format_model_args, resolve_variant
    from ..store import StoreError

    try:
        name, args = resolve_variant(store, variant).lm_eval_args(backend, plain=True)
        typer.echo(f"--model {name} --model_args {format_model_args(args)}")
    except (VariantModelError, StoreError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
