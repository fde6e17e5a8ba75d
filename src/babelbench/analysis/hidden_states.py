"""Every layer's pooled sentence vectors from a transformers model (+ an optional peft LoRA adapter).

:func:`load_encoder` loads a base model, a base model with a LoRA adapter folder, or a fully
fine-tuned model folder, in eval mode (no dropout), on the CPU in float32 unless told otherwise.
:func:`embed_sentences` runs sentences in padded batches under ``torch.inference_mode()`` with
``output_hidden_states=True`` and returns one ``(n, dim)`` array per layer: layer 0 is the
embeddings' output, then one per transformer block (transformers applies the final norm to the
last one).

What a sentence vector is (:data:`babelbench.analysis.alignment.POOLING`): the mean of the layer's
hidden states over the sentence's *text* tokens. Padding is left out by the attention mask, and the
special tokens the tokenizer adds (BOS/EOS) by its special-tokens mask: a BOS sees only itself, so its
hidden state is the same in every sentence and would pull every cosine up. Position ids are counted
over the real tokens, so a left-padded sentence sits at the same positions as an unpadded one: the
vector of a sentence does not depend on what it is batched with, nor on the padding side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

Padding = Literal["left", "right"]


@dataclass
class Encoder:
    """A loaded model ready to embed: the module that returns hidden states, and its tokenizer."""

    model: Any
    tokenizer: Any
    device: str
    #: hidden states per forward pass: the transformer blocks + 1 (the embeddings' output)
    layers: int


def load_encoder(base: str, adapter: str | None = None, model: str | None = None, dtype: str = "float32",
                 device: str = "cpu") -> Encoder:
    """``model`` (a fully fine-tuned folder) replaces ``base``; ``adapter`` (a peft LoRA folder) is put on it.
    ``dtype``/``device`` take ``auto`` (bfloat16 / the GPU where there is one)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from ..models.dtype import resolve_dtype

    folder = model or base
    device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    loaded = AutoModelForCausalLM.from_pretrained(folder, dtype=getattr(torch, resolve_dtype(dtype)),
                                                  attn_implementation="eager")
    if adapter is not None:
        from peft import PeftModel

        loaded = PeftModel.from_pretrained(loaded, adapter).get_base_model()  # LoRA layers stay injected
    loaded.eval().to(device)
    # the decoder alone returns the hidden states without computing logits over the vocabulary
    body = loaded.get_decoder() if hasattr(loaded, "get_decoder") else loaded
    layers = int(loaded.config.get_text_config().num_hidden_layers) + 1
    return Encoder(body, tokenizer, device, layers)


def _batch(encoder: Encoder, texts: Sequence[str], max_length: int, padding: Padding) -> dict[str, Any]:
    import torch

    tok = encoder.tokenizer
    previous = tok.padding_side
    tok.padding_side = padding
    try:
        enc = tok(list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt",
                  return_special_tokens_mask=True)
    finally:
        tok.padding_side = previous
    mask = enc["attention_mask"]
    positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
    text = mask * (1 - enc["special_tokens_mask"])
    # a sentence made only of special tokens (truncated to nothing) is pooled over all its real tokens
    text = torch.where(text.sum(dim=1, keepdim=True) > 0, text, mask)
    return {"input_ids": enc["input_ids"], "attention_mask": mask, "position_ids": positions, "pool": text}


def embed_sentences(encoder: Encoder, texts: Sequence[str], batch_size: int = 8, max_length: int = 128,
                    padding: Padding = "right") -> list[np.ndarray]:
    """One ``(len(texts), dim)`` float64 array per layer, rows in the order of ``texts``."""
    import numpy as np
    import torch

    from .alignment import mean_pool

    per_layer: list[list[np.ndarray]] = [[] for _ in range(encoder.layers)]
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = _batch(encoder, texts[start:start + batch_size], max_length, padding)
            out = encoder.model(input_ids=batch["input_ids"].to(encoder.device),
                                attention_mask=batch["attention_mask"].to(encoder.device),
                                position_ids=batch["position_ids"].to(encoder.device),
                                output_hidden_states=True, use_cache=False)
            states = out.hidden_states
            if len(states) != encoder.layers:
                raise RuntimeError(f"the model returned {len(states)} hidden states, expected {encoder.layers}")
            pool = batch["pool"].numpy()
            for layer, hidden in enumerate(states):
                per_layer[layer].append(mean_pool(hidden.float().cpu().numpy(), pool))
    return [np.concatenate(parts) if parts else np.zeros((0, 0)) for parts in per_layer]
