"""The in-process `local` judge backend treats a reply cut off at ``max_tokens`` as an endpoint's
``finish_reason: length``: no reply (an error saying so, counted as failed), so it is not cached as a parse
failure and a later run asks again; a reply that ended (its end-of-sequence token) is kept as text."""

from __future__ import annotations

import json
import shutil

from babelbench.judge.backends import LocalBackend, Reply, Request
from babelbench.judge.schema import BackendConfig

MESSAGES = [{"role": "user", "content": "Grade this answer: 4."}]


def _greedy(model_dir, tokens: int) -> list[int]:
    """The tokens the model generates greedily for MESSAGES (as the backend prompts it)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    prompt = tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    inputs = tokenizer([prompt], return_tensors="pt", add_special_tokens=False)
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=tokens, do_sample=False,
                             pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
    return out[0, inputs["input_ids"].shape[1]:].tolist()


def _judge(model_dir, max_tokens: int) -> tuple[list[Reply], int]:
    backend = LocalBackend(BackendConfig(type="local", model=str(model_dir), max_tokens=max_tokens, concurrency=2))
    replies: list[Reply] = []
    stats = backend.run([Request("a", MESSAGES), Request("b", MESSAGES)], replies.append)
    return replies, stats.failed


def test_a_cut_off_local_reply_is_no_reply_and_an_ended_one_is_kept(tiny_model, tmp_path):
    generated = _greedy(tiny_model, 4)
    eos = json.loads((tiny_model / "config.json").read_text()).get("eos_token_id")
    assert len(generated) == 4 and eos not in generated   # the random model does not end within 4 tokens

    replies, failed = _judge(tiny_model, 4)
    assert [(r.key, r.text) for r in replies] == [("a", None), ("b", None)] and failed == 2
    assert {r.error for r in replies} == {
        "reply cut off at max_tokens=4 (generation did not end); raise judge.backend.max_tokens"}

    # the same weights, told that the token they generate first ends a generation: with max_tokens 1 the reply
    # is that one token, ended (not cut off), and kept
    ended = tmp_path / "ended"
    shutil.copytree(tiny_model, ended)
    config = ended / "generation_config.json"
    settings = json.loads(config.read_text()) if config.is_file() else {}
    config.write_text(json.dumps({**settings, "eos_token_id": [generated[0]]}))
    replies, failed = _judge(ended, 1)
    assert failed == 0 and [r.error for r in replies] == [None, None]
    assert all(r.text is not None for r in replies)
