"""Prompt/response text -> input ids and labels with the prompt masked out."""

from __future__ import annotations

IGNORE_INDEX = -100  # the label value torch's cross-entropy skips


def tokenize_example(tokenizer, prompt: str, response: str, max_length: int, train_on_prompt: bool) -> dict:
    """Ids for ``prompt + response``, truncated to ``max_length``; labels cover the response only
    (unless ``train_on_prompt``). The chat template already put BOS in the prompt text."""
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    response_ids = tokenizer(response, add_special_tokens=False)["input_ids"]
    input_ids = (prompt_ids + response_ids)[:max_length]
    if train_on_prompt:
        labels = list(input_ids)
    else:
        labels = ([IGNORE_INDEX] * len(prompt_ids) + response_ids)[:max_length]
    return {"input_ids": input_ids, "attention_mask": [1] * len(input_ids), "labels": labels}
