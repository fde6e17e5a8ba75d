"""Pooled hidden states on the tiny model: one array per layer (blocks + 1), a sentence's vector the same
alone and batched next to a long one (left and right padding), special tokens and padding left out of the
mean (checked against the model's own hidden states), a LoRA adapter's effect, and determinism."""

from __future__ import annotations

import numpy as np
import pytest

SHORT = "The cat sleeps."
LONG = ("The museum opens at nine in the morning and closes at six in the evening, every day of the week "
        "except Monday, when the staff clean the halls.")


@pytest.fixture(scope="module")
def encoder(tiny_model):
    from babelbench.analysis.hidden_states import load_encoder

    return load_encoder(str(tiny_model))


def test_one_array_per_layer_embeddings_first(encoder, tiny_model):
    from transformers import AutoConfig

    from babelbench.analysis.hidden_states import embed_sentences

    layers = embed_sentences(encoder, [SHORT, LONG, "Hello."], batch_size=2)
    assert encoder.layers == AutoConfig.from_pretrained(tiny_model).num_hidden_layers + 1 == len(layers) == 3
    assert all(a.shape == (3, 64) and a.dtype == np.float64 for a in layers)
    # layer 0 is the embeddings' output: the mean of the sentence's token embeddings
    ids = encoder.tokenizer(SHORT)["input_ids"]
    table = encoder.model.get_input_embeddings().weight.detach().numpy()
    assert layers[0][0] == pytest.approx(table[ids].mean(axis=0), abs=1e-6)


@pytest.mark.parametrize("padding", ["left", "right"])
def test_a_sentence_is_the_same_alone_and_padded_next_to_a_long_one(encoder, padding):
    from babelbench.analysis.hidden_states import embed_sentences

    alone = embed_sentences(encoder, [SHORT], padding=padding)
    batched = embed_sentences(encoder, [LONG, SHORT], batch_size=2, padding=padding)
    short_len = len(encoder.tokenizer(SHORT)["input_ids"])
    assert len(encoder.tokenizer(LONG)["input_ids"]) > 3 * short_len   # most of the short row is padding
    for layer, (a, b) in enumerate(zip(alone, batched)):
        assert b[1] == pytest.approx(a[0], abs=1e-5), f"layer {layer}"
    # and the other side's padding gives the same vectors too
    other = embed_sentences(encoder, [LONG, SHORT], batch_size=2, padding="left" if padding == "right" else "right")
    assert all(np.allclose(x, y, atol=1e-5) for x, y in zip(batched, other))


def test_special_tokens_and_padding_are_left_out_of_the_mean(tiny_model):
    import torch
    from tokenizers.processors import TemplateProcessing

    from babelbench.analysis.hidden_states import _batch, embed_sentences, load_encoder

    enc = load_encoder(str(tiny_model))
    bos = enc.tokenizer.bos_token_id
    enc.tokenizer._tokenizer.post_processor = TemplateProcessing(single="<bos> $A", special_tokens=[("<bos>", bos)])
    batch = _batch(enc, [LONG, SHORT], 128, "right")
    n_short = len(enc.tokenizer(SHORT)["input_ids"])
    assert batch["input_ids"][1, 0] == bos
    assert batch["pool"][1].tolist() == [0] + [1] * (n_short - 1) + [0] * (batch["input_ids"].shape[1] - n_short)
    got = embed_sentences(enc, [LONG, SHORT], batch_size=2)
    ids = torch.tensor([enc.tokenizer(SHORT)["input_ids"]])
    with torch.inference_mode():
        states = enc.model(input_ids=ids, output_hidden_states=True).hidden_states
    for layer, hidden in enumerate(states):
        assert got[layer][1] == pytest.approx(hidden[0, 1:].numpy().mean(axis=0), abs=1e-5)
        assert not np.allclose(got[layer][1], hidden[0].numpy().mean(axis=0), atol=1e-4)   # BOS left out


def test_an_adapter_changes_the_blocks_not_the_embeddings_and_runs_are_deterministic(tiny_model, tmp_path):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from babelbench.analysis.hidden_states import embed_sentences, load_encoder

    torch.manual_seed(0)
    peft_model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model),
                                LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                           init_lora_weights=False))
    peft_model.save_pretrained(tmp_path / "adapter")
    texts = [SHORT, LONG]
    base = embed_sentences(load_encoder(str(tiny_model)), texts)
    tuned = embed_sentences(load_encoder(str(tiny_model), adapter=str(tmp_path / "adapter")), texts)
    again = embed_sentences(load_encoder(str(tiny_model), adapter=str(tmp_path / "adapter")), texts)
    assert np.array_equal(base[0], tuned[0])
    assert not np.allclose(base[1], tuned[1], atol=1e-4) and not np.allclose(base[2], tuned[2], atol=1e-4)
    assert all(np.array_equal(a, b) for a, b in zip(tuned, again))


def test_a_gemma3_shaped_model_with_sliding_windows_is_padding_independent_too(tiny_model, tmp_path):
    """The embedded model's architecture (Gemma 3: scaled embeddings, sliding-window layers), random and tiny."""
    import torch
    from transformers import AutoTokenizer, Gemma3ForCausalLM, Gemma3TextConfig

    from babelbench.analysis.hidden_states import embed_sentences, load_encoder

    tok = AutoTokenizer.from_pretrained(tiny_model)
    torch.manual_seed(0)
    config = Gemma3TextConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=3,
                              num_attention_heads=4, num_key_value_heads=2, head_dim=16, sliding_window=4,
                              pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
                              eos_token_id=tok.eos_token_id)
    Gemma3ForCausalLM(config).save_pretrained(tmp_path / "gemma")
    tok.save_pretrained(tmp_path / "gemma")
    enc = load_encoder(str(tmp_path / "gemma"))
    assert (enc.layers, type(enc.model).__name__) == (4, "Gemma3TextModel")
    alone = embed_sentences(enc, [SHORT])
    for padding in ("left", "right"):
        batched = embed_sentences(enc, [LONG, SHORT], batch_size=2, padding=padding)
        assert all(np.allclose(b[1], a[0], atol=1e-5) for a, b in zip(alone, batched)), padding
