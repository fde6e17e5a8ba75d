"""``eval.gen_kwargs`` checked against what lm-eval's hf model passes on to ``generate()``.

lm-eval reads ``until``, the token limits (``max_gen_toks`` and its aliases), ``do_sample`` and
``temperature`` itself (``lm_eval/models/utils.py: normalize_gen_kwargs``, ``huggingface.py:
generate_until``) and hands every other key to transformers' ``model.generate()``, which takes
``GenerationConfig`` fields. Anything else fails at the first generation, an hour into a run, so it
is refused here: unknown keys (for the ``hf`` backend), wrong types, and values out of range.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..recipe.schema import Variant

Report = Callable[[str, str], None]

#: Keys lm-eval's hf model reads itself before calling generate().
LM_EVAL_KEYS = ("until", "max_gen_toks", "max_new_tokens", "max_tokens", "max_completion_tokens", "do_sample",
                "temperature", "max_length")

#: GenerationConfig fields lm-eval's own generate() call sets, or whose value it cannot read back.
REFUSED = {
    "pad_token_id": "lm-eval sets it from the tokenizer",
    "use_cache": "lm-eval sets it itself",
    "return_dict_in_generate": "lm-eval reads token ids back, not a dict",
    "output_scores": "lm-eval reads token ids back, not scores",
    "output_logits": "lm-eval reads token ids back, not logits",
    "output_attentions": "lm-eval reads token ids back, not attentions",
    "output_hidden_states": "lm-eval reads token ids back, not hidden states",
    "transformers_version": "it is not a generation setting",
}


@dataclass(frozen=True)
class Spec:
    """A setting's type and range: ``kind`` is int, number, bool or strings."""

    kind: str
    low: float | None = None
    low_open: bool = False     # the lower bound itself is not allowed
    high: float | None = None
    exactly: Any = None


_COUNT = Spec("int", 1)
SPECS: dict[str, Spec] = {
    **{k: _COUNT for k in ("max_gen_toks", "max_new_tokens", "max_tokens", "max_completion_tokens", "max_length",
                           "num_beams", "num_beam_groups")},
    **{k: Spec("int", 0) for k in ("top_k", "min_new_tokens", "min_length", "no_repeat_ngram_size",
                                   "encoder_no_repeat_ngram_size")},
    "num_return_sequences": Spec("int", exactly=1),
    "temperature": Spec("number", 0),
    "top_p": Spec("number", 0, low_open=True, high=1),
    "typical_p": Spec("number", 0, low_open=True, high=1),
    "min_p": Spec("number", 0, high=1),
    "epsilon_cutoff": Spec("number", 0, high=1),
    "eta_cutoff": Spec("number", 0, high=1),
    "repetition_penalty": Spec("number", 0, low_open=True),
    "encoder_repetition_penalty": Spec("number", 0, low_open=True),
    "diversity_penalty": Spec("number", 0),
    "length_penalty": Spec("number"),
    "max_time": Spec("number", 0, low_open=True),
    "do_sample": Spec("bool"),
    "renormalize_logits": Spec("bool"),
    "remove_invalid_values": Spec("bool"),
    "until": Spec("strings"),
    "stop_strings": Spec("strings"),
}


@functools.lru_cache(maxsize=1)
def known_keys() -> tuple[str, ...] | None:
    """lm-eval's own keys and transformers' GenerationConfig fields (None without transformers); the fields
    are kept on disk per transformers version (:mod:`.facts_cache`), so transformers is imported once."""
    from . import facts_cache

    key = facts_cache.facts_key({"generation-config": "fields"})
    stored = facts_cache.load(key)
    if stored is not None and isinstance(stored.get("fields"), list):
        fields = [str(k) for k in stored["fields"]]
    else:
        try:
            from transformers import GenerationConfig
        except ImportError:
            return None
        fields = [k for k in GenerationConfig().to_dict() if not k.startswith("_")]
        facts_cache.save(key, {"fields": fields})
    return tuple(dict.fromkeys([*LM_EVAL_KEYS, *fields]))


def check_generation(variant: Variant, report: Report) -> None:
    """Report each ``eval.gen_kwargs`` entry the eval backend cannot take."""
    settled = set(LM_EVAL_KEYS) | set(SPECS) | set(REFUSED)   # known without asking transformers
    asks = variant.eval.backend == "hf" and any(key not in settled for key in variant.eval.gen_kwargs)
    known = known_keys() if asks else None
    for key, value in variant.eval.gen_kwargs.items():
        field = f"eval.gen_kwargs.{key}"
        if key in REFUSED:
            report(field, f"cannot be set here: {REFUSED[key]}")
            continue
        if known is not None and key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            report(field, f"unknown generation setting; {hint}(lm-eval's: until, max_gen_toks, do_sample, temperature, "
                          "or a field of transformers' GenerationConfig)")
            continue
        spec = SPECS.get(str(key))
        problem = _value_problem(spec, value) if spec else None
        if problem:
            report(field, problem)


def _value_problem(spec: Spec, value: Any) -> str | None:
    if spec.kind == "bool":
        return None if isinstance(value, bool) else f"must be true or false, not {value!r}"
    if spec.kind == "strings":
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return None
        return f"must be a string or a list of strings, not {value!r}"
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if spec.kind == "int" and not is_int:
        return f"must be a whole number, not {value!r}"
    if spec.kind == "number" and not (is_int or isinstance(value, float)):
        return f"must be a number, not {value!r}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, not {value}"
    if spec.exactly is not None and value != spec.exactly:
        return f"must be {spec.exactly} (lm-eval keeps one answer per prompt), not {value}"
    if spec.low is not None and (value < spec.low or (spec.low_open and value == spec.low)):
        bound = f"greater than {spec.low:g}" if spec.low_open else f"at least {spec.low:g}"
        return f"must be {bound}, not {value}"
    if spec.high is not None and value > spec.high:
        return f"must be at most {spec.high:g}, not {value}"
    return None
