"""``builtin:tiny``: a small random Llama with a real byte-level BPE tokenizer.

For smoke runs and tests: built in about a second from a shipped multilingual corpus,
deterministic (fixed seeds), with the same chat format and special tokens as Gemma, so
every code path the embedded model takes (chat template, stop tokens, LoRA on
q_proj/v_proj) is exercised. Its answers are noise; its plumbing is real.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .. import paths
from ._cache import build_once
from .chat_template import END_OF_TURN, GEMMA_CHAT_TEMPLATE

FOLDER = "tiny-llama-v1"
VOCAB_SIZE = 1024
SPECIAL_TOKENS = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", END_OF_TURN]


def ensure_tiny_checkpoint() -> Path:
    return build_once(paths.models_dir() / FOLDER, build_tiny)


def tiny_config(vocab_size: int = VOCAB_SIZE, **token_ids: int):
    """The tiny model's LlamaConfig (what :func:`build_tiny` builds; recipe checks read it unbuilt)."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
        tie_word_embeddings=True, **token_ids,
    )


def build_tiny(out: Path) -> None:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

    corpus = Path(str(files("babelbench.models").joinpath("assets/tiny_corpus.txt")))
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    bpe.train([str(corpus)], trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token="<bos>", eos_token="<eos>", unk_token="<unk>",
        pad_token="<pad>", additional_special_tokens=["<start_of_turn>", END_OF_TURN],
    )
    tokenizer.chat_template = GEMMA_CHAT_TEMPLATE

    torch.manual_seed(0)
    config = tiny_config(
        vocab_size=len(tokenizer), bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = LlamaForCausalLM(config)
    model.generation_config.eos_token_id = [tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids(END_OF_TURN)]
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
