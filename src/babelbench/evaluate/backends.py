"""Eval backends: how a variant's weights become an lm-eval model, registered by name.

A backend turns (base model folder, adapter folder) into lm-eval's ``--model`` and
``--model_args``. Adding one (vLLM, an OpenAI-compatible server) is one class here or in
another module, registered with :func:`register_eval_backend`; ``eval.backend`` names it.
"""

from __future__ import annotations

import importlib.util
import os
from typing import TYPE_CHECKING, Any, ClassVar

from ..core.api_keys import endpoint_key_plan
from ..core.registry import Registry
from ..core.train_method import TrainMethod

if TYPE_CHECKING:
    from ..recipe.schema import Variant


class EvalBackend:
    #: The lm-eval model name (``lm_eval --model``).
    lm_eval_model: ClassVar[str]
    #: The module registering ``lm_eval_model`` with lm-eval, when it is the harness's own (imported first).
    lm_eval_module: ClassVar[str | None] = None
    #: For plain ``lm_eval`` (which knows no harness model): lm-eval's own model to name instead, taking the same
    #: arguments but those in ``harness_only_args``.
    plain_lm_eval_model: ClassVar[str | None] = None
    harness_only_args: ClassVar[tuple[str, ...]] = ()
    #: Python packages the backend needs beyond the harness's own (checked before any work).
    requires: ClassVar[tuple[str, ...]] = ()
    #: Whether it loads the variant's weights (a served model does not: the base model is not built).
    needs_weights: ClassVar[bool] = True

    def recipe_problem(self, variant: Variant) -> tuple[str, str] | None:
        """(field, message) for settings this backend cannot run with, else None."""
        return None

    def model_args(self, base_path: str, adapter_path: str | None, variant: Variant | None = None) -> dict[str, Any]:
        """lm-eval's ``--model_args`` for the weights; ``variant`` gives its eval settings (None: defaults)."""
        raise NotImplementedError

    def secret_names(self, variant: Variant) -> tuple[str, ...]:
        """Environment variables holding secrets this backend sends for ``variant`` (an executor hands them to
        the eval stage's task only)."""
        return ()

    def environment_problem(self) -> str | None:
        missing = [name for name in self.requires if importlib.util.find_spec(name) is None]
        return f"needs {', '.join(missing)} (pip install {' '.join(missing)})" if missing else None

    def problems(self, name: str, variant: Variant) -> list[tuple[str, str]]:
        """(field, message) for each reason this backend, as ``eval.backend: name``, cannot evaluate ``variant``
        (checked before any work): packages it needs that are missing, then settings it cannot run with."""
        missing = self.environment_problem()
        problem = self.recipe_problem(variant)
        return ([("eval.backend", f"the {name} backend {missing}")] if missing else []) + ([problem] if problem else [])


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

    def model_args(self, base_path: str, adapter_path: str | None, variant: Variant | None = None) -> dict[str, Any]:
        import torch

        from ..models.dtype import resolve_dtype

        dtype = resolve_dtype(variant.eval.dtype if variant is not None else "float32")
        args: dict[str, Any] = {"pretrained": base_path, "dtype": dtype,
                                "device": "cuda" if torch.cuda.is_available() else "cpu"}
        if adapter_path:
            args["peft"] = adapter_path
        return args


@register_eval_backend("vllm")
class VLLMBackend(EvalBackend):
    """lm-eval's vLLM model: a LoRA adapter through ``lora_local_path`` with ``max_lora_rank`` from the recipe's
    rank (or the adapter's config), and ``eval.vllm``'s parallelism, memory and context settings."""

    lm_eval_model = "vllm"
    requires = ("vllm",)

    def model_args(self, base_path: str, adapter_path: str | None, variant: Variant | None = None) -> dict[str, Any]:
        from ..recipe.schema import EvalConfig

        cfg = variant.eval if variant is not None else EvalConfig()
        args: dict[str, Any] = {"pretrained": base_path, "dtype": cfg.dtype,
                                "tensor_parallel_size": cfg.vllm.tensor_parallel_size,
                                "data_parallel_size": cfg.vllm.data_parallel_size,
                                "gpu_memory_utilization": cfg.vllm.gpu_memory_utilization}
        if cfg.vllm.max_model_len is not None:
            args["max_model_len"] = cfg.vllm.max_model_len
        if adapter_path:
            rank = variant.train.lora.r if variant is not None and variant.train.method == TrainMethod.LORA else \
                _adapter_rank(adapter_path)
            args.update(enable_lora=True, lora_local_path=adapter_path, max_lora_rank=rank)
        return args


@register_eval_backend("openai")
class OpenAIBackend(EvalBackend):
    """lm-eval's chat-completions model against an OpenAI-compatible server (``eval.openai``): the server
    generates; its answers are scored by the tasks as any others."""

    # lm-eval's local-chat-completions, sending the key paired with the server only (core.api_keys)
    lm_eval_model = "babelbench-chat-completions"
    lm_eval_module = "babelbench.lm_eval.chat_api"
    plain_lm_eval_model = "local-chat-completions"   # it sends $OPENAI_API_KEY, if set, to the base_url
    harness_only_args = ("api_key_env",)
    requires = ("tenacity", "aiohttp")   # lm-eval's API models (lm-eval[api])
    needs_weights = False

    def recipe_problem(self, variant: Variant) -> tuple[str, str] | None:
        if variant.eval.openai is None:
            return "eval.openai", "the openai backend needs eval.openai: {base_url, model}"
        if variant.train.method != TrainMethod.NONE:
            return "train.method", "the openai backend evaluates the model a server serves: use train.method none"
        if not variant.eval.apply_chat_template:
            return "eval.apply_chat_template", "chat completions take chat messages: keep apply_chat_template true"
        served = variant.eval.openai
        plan = endpoint_key_plan(served.base_url, served.api_key_env)
        if plan.problem:
            return "eval.openai.api_key_env", plan.problem
        if plan.required and plan.env and not os.environ.get(plan.env):
            return "eval.openai.api_key_env", f"the server at {served.base_url} needs a key and ${plan.env} is not set"
        return None

    def model_args(self, base_path: str, adapter_path: str | None, variant: Variant | None = None) -> dict[str, Any]:
        served = variant.eval.openai if variant is not None else None
        if served is None:
            raise ValueError("the openai backend needs eval.openai: {base_url, model}")
        args = {"model": served.model, "base_url": served.base_url.rstrip("/") + "/chat/completions",
                "num_concurrent": served.concurrency, "max_retries": served.max_retries,
                "timeout": served.timeout_s, "tokenizer_backend": "none"}
        env = endpoint_key_plan(served.base_url, served.api_key_env).env   # the variable's name, not the key
        return {**args, "api_key_env": env} if env else args

    def secret_names(self, variant: Variant) -> tuple[str, ...]:
        served = variant.eval.openai
        env = endpoint_key_plan(served.base_url, served.api_key_env).env if served is not None else None
        return (env,) if env else ()


def _adapter_rank(adapter: str) -> int:
    import json
    from pathlib import Path

    try:
        return int(json.loads((Path(adapter) / "adapter_config.json").read_text(encoding="utf-8"))["r"])
    except (OSError, ValueError, KeyError):
        return 16
