"""Eval backends: how a variant's weights become an lm-eval model, registered by name.

A backend turns (base model folder, adapter folder) into lm-eval's ``--model`` and
``--model_args``. Adding one (vLLM, an OpenAI-compatible server) is one class here or in
another module, registered with :func:`register_eval_backend`; ``eval.backend`` names it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..core.registry import Registry


class EvalBackend:
    #: The lm-eval model name (``lm_eval --model``).
    lm_eval_model: ClassVar[str]

    def model_args(self, base_path: str, adapter_path: str | None) -> dict[str, Any]:
        raise NotImplementedError


_EVAL_BACKENDS: Registry[type[EvalBackend]] = Registry("eval backend")


def register_eval_backend(name: str):
    """Class decorator: make ``name`` an ``eval.backend``. A name registered twice is an error."""
    return _EVAL_BACKENDS.register(name)


def eval_backend_names() -> list[str]:
    return _EVAL_BACKENDS.names()


def get_eval_backend(name: str) -> EvalBackend:
    return _EVAL_BACKENDS.get(name)()


@register_eval_backend("hf")
class HFBackend(EvalBackend):
    """lm-eval's transformers model: ``pretrained=<base>`` and, for LoRA variants, ``peft=<adapter>``."""

    lm_eval_model = "hf"

    def model_args(self, base_path: str, adapter_path: str | None) -> dict[str, Any]:
        import torch

        args: dict[str, Any] = {"pretrained": base_path, "dtype": "float32",
                                "device": "cuda" if torch.cuda.is_available() else "cpu"}
        if adapter_path:
            args["peft"] = adapter_path
        return args
