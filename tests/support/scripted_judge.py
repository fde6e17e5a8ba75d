"""A transformers model that writes a reply chosen in advance, for the in-process ``local`` judge backend.

The tiny model's weights are random, so it never writes a judge's JSON by itself. Copied with a
``generation_config.json`` whose ``sequence_bias`` (transformers' own generation setting) favours
each next token of the reply after the reply's prefix -- longer prefixes more strongly, so the
longest match wins -- and then the end-of-sequence token, greedy decoding writes exactly that reply
whatever the prompt. The backend's code path (chat template, batching, generate, decode) is the real one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def scripted_judge_model(model: Path, target: Path, reply: str) -> Path:
    """Copy ``model`` to ``target``, set to answer every prompt with ``reply``; return ``target``."""
    from transformers import AutoTokenizer

    shutil.copytree(model, target)
    tokenizer = AutoTokenizer.from_pretrained(target)
    ids = tokenizer(reply, add_special_tokens=False)["input_ids"]
    if tokenizer.decode(ids) != reply:
        raise ValueError(f"the tokenizer does not round-trip {reply!r}")
    ids.append(tokenizer.eos_token_id)
    config_path = target / "generation_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
    config["sequence_bias"] = [[ids[:i + 1], 1000.0 + 100.0 * i] for i in range(len(ids))]
    config_path.write_text(json.dumps(config), encoding="utf-8")
    return target
