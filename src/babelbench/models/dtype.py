"""``auto`` dtypes: bfloat16 where the GPU has it, float32 elsewhere (a CPU, an older GPU)."""

from __future__ import annotations


def resolve_dtype(name: str) -> str:
    """``name`` unless it is ``auto``; then ``bfloat16`` on a CUDA GPU that supports it, else ``float32``."""
    if name != "auto":
        return name
    import torch

    return "bfloat16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "float32"
