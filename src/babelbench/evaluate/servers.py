"""Model servers for served sweeps (``eval.serve``), registered by name.

A served sweep starts **one** OpenAI-compatible server per base model with every LoRA adapter of the run
registered, evaluates each variant against it through lm-eval's chat-completions model (the ``openai``
eval backend, model = the variant's adapter name), and stops it afterwards -- instead of loading the base
model once per variant. A server here only builds its command line and says which name each variant's
requests use; :mod:`babelbench.pipeline.serving` starts, waits for and stops the process.

* ``vllm``: vLLM's OpenAI server (``python -m vllm.entrypoints.openai.api_server --model BASE --enable-lora
  --lora-modules name=path ... --max-lora-rank R --max-loras K``) with ``eval.vllm``'s tensor/data parallel
  sizes, memory share and context length. vLLM pins its own torch and transformers, so it runs from its
  own environment: the python named by ``eval.serve.python``, else ``$BABELBENCH_VLLM_PYTHON``, else the
  checkout's ``.venv-vllm`` (``make install`` creates it), else this python. What that vLLM can serve
  (its version, LoRA ranks, dtypes, architectures) is read once by a probe run with that python
  (:mod:`babelbench.evaluate.vllm_probe`), never by importing vLLM here.
* ``llama_cpp``: llama-cpp-python's server on a GGUF base (the embedded Gemma's GGUF for
  ``builtin:gemma-3-270m``); it cannot load peft adapters, so its variants are ``train.method: none``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ..core.registry import Registry
from ..core.train_method import TrainMethod

if TYPE_CHECKING:
    from ..recipe.schema import Variant

#: The ranks vLLM's LoRA kernels are built for (``--max-lora-rank`` must be one of them).
VLLM_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)


def vllm_lora_rank(rank: int) -> int:
    """The smallest rank vLLM accepts that holds an adapter of ``rank``."""
    for allowed in VLLM_LORA_RANKS:
        if allowed >= rank:
            return allowed
    raise ValueError(f"LoRA rank {rank} is above vLLM's largest ({VLLM_LORA_RANKS[-1]})")


def served_label(name: str) -> str:
    """``name`` with characters a server or URL would trip on replaced (``demo@lr=1e-4`` -> ``demo-lr-1e-4``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "variant"


def adapter_name(variant_name: str) -> str:
    """The model name a variant's adapter is served under: its readable label and a short hash of the full
    name, so names that read alike (``x@a=1+2``, ``x@a=1-2``) never share an adapter."""
    return f"{served_label(variant_name)}-{hashlib.sha256(variant_name.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class ServedAdapter:
    """One LoRA adapter registered with the server under ``name``."""

    name: str
    path: str
    rank: int


class ModelServer:
    """How to serve a base model (and adapters) over the OpenAI protocol."""

    name: ClassVar[str]
    #: the package that serves (its version is part of a served evaluation's key) and its import name
    package: ClassVar[str]
    module: ClassVar[str]
    #: whether it can register peft LoRA adapters
    serves_adapters: ClassVar[bool] = False

    def environment_problem(self) -> str | None:
        return None if importlib.util.find_spec(self.module) else f"needs {self.package} (pip install {self.package})"

    def recipe_problem(self, variant: Variant) -> tuple[str, str] | None:
        """(field, message) when a variant cannot be evaluated this way."""
        if variant.select is not None:
            return "eval.serve", "a served sweep evaluates final models: it cannot select checkpoints (remove select)"
        if variant.train.method == TrainMethod.FULL:
            return "eval.serve", "a served sweep serves one base model with LoRA adapters: train.method full is not " \
                                 "served (use eval.backend hf or vllm)"
        if variant.train.method == TrainMethod.LORA and not self.serves_adapters:
            return "eval.serve", f"{self.name} cannot load peft adapters: its variants must use train.method none"
        return None

    def problems(self, variant: Variant) -> list[tuple[str, str]]:
        """(field, message) for each reason this server cannot run ``variant``'s served sweep (checked before
        any work): its package and the openai backend's, the eval backend, and :meth:`recipe_problem`."""
        from .backends import get_eval_backend

        out = [("eval.serve", f"a {self.name} served sweep {missing}")
               for missing in (self.environment_problem(), get_eval_backend("openai").environment_problem()) if missing]
        if variant.eval.backend != "hf":
            out.append(("eval.serve", "a served sweep evaluates through the server: leave eval.backend unset"))
        problem = self.recipe_problem(variant)
        return out + ([problem] if problem else [])

    def base_model(self, variant: Variant, resolve: Callable[[], str]) -> str:
        """What the server loads; ``resolve()`` gives the base model's folder (built or fetched on first call)."""
        return resolve()

    def base_name(self, variant: Variant) -> str:
        """The served name of the base model itself (what a ``method: none`` variant asks for)."""
        return served_label(variant.base_model.split("/")[-1].removeprefix("builtin:"))

    def version(self, variant: Variant) -> dict[str, str]:
        """The serving package's version (part of a served evaluation's key)."""
        from importlib import metadata

        try:
            return {self.package: metadata.version(self.package)}
        except metadata.PackageNotFoundError:
            return {self.package: "absent"}

    def environment(self, variant: Variant) -> dict[str, str]:
        """Environment variables the server process gets on top of the harness's."""
        return {}

    def command(self, base: str, served_name: str, adapters: Sequence[ServedAdapter], variant: Variant,
                port: int, host: str = "127.0.0.1") -> list[str]:
        raise NotImplementedError


_SERVERS: Registry[type[ModelServer]] = Registry("model server", ("babelbench.evaluate.servers",))


def register_server(name: str):
    def wrap(cls: type[ModelServer]) -> type[ModelServer]:
        cls.name = name
        return _SERVERS.register(name)(cls)

    return wrap


def get_server(name: str) -> ModelServer:
    return _SERVERS.get(name)()


def server_names() -> list[str]:
    return _SERVERS.names()


@register_server("vllm")
class VLLMServer(ModelServer):
    package, module = "vllm", "vllm.entrypoints.openai.api_server"
    serves_adapters = True

    def environment_problem(self) -> str | None:
        return None   # read per variant (its python): recipe_problem

    def recipe_problem(self, variant: Variant) -> tuple[str, str] | None:
        from .vllm_probe import serving_problem

        return super().recipe_problem(variant) or serving_problem(variant)

    def version(self, variant: Variant) -> dict[str, str]:
        from .vllm_probe import probe, vllm_python

        return {"vllm": probe(vllm_python(variant)).get("version", "absent")}

    def command(self, base: str, served_name: str, adapters: Sequence[ServedAdapter], variant: Variant,
                port: int, host: str = "127.0.0.1") -> list[str]:
        from .vllm_probe import vllm_python

        settings, serve = variant.eval.vllm, variant.eval.serve
        assert serve is not None
        command = [vllm_python(variant), "-m", self.module, "--model", base, "--host", host, "--port", str(port),
                   "--served-model-name", served_name, "--dtype", variant.eval.dtype,
                   "--tensor-parallel-size", str(settings.tensor_parallel_size),
                   "--data-parallel-size", str(settings.data_parallel_size),
                   "--gpu-memory-utilization", str(settings.gpu_memory_utilization)]
        if settings.max_model_len is not None:
            command += ["--max-model-len", str(settings.max_model_len)]
        if adapters:
            command += ["--enable-lora", "--max-lora-rank", str(vllm_lora_rank(max(a.rank for a in adapters))),
                        "--max-loras", str(serve.max_loras or len(adapters)),
                        "--lora-modules", *(f"{a.name}={a.path}" for a in adapters)]
        return command + list(serve.extra_args)


@register_server("llama_cpp")
class LlamaCppServer(ModelServer):
    package, module = "llama-cpp-python", "llama_cpp"

    def recipe_problem(self, variant: Variant) -> tuple[str, str] | None:
        if variant.base_model != "builtin:gemma-3-270m" and not variant.base_model.endswith(".gguf"):
            return "base_model", "the llama_cpp server loads a GGUF file: use builtin:gemma-3-270m or a .gguf path"
        return super().recipe_problem(variant)

    def base_model(self, variant: Variant, resolve: Callable[[], str]) -> str:
        if variant.base_model.endswith(".gguf"):
            return str(Path(variant.recipe_file).resolve().parent / variant.base_model)
        from ..models.gemma import ensure_gemma_gguf  # builtin:gemma-3-270m: its GGUF, not the converted folder

        return str(ensure_gemma_gguf())

    def command(self, base: str, served_name: str, adapters: Sequence[ServedAdapter], variant: Variant,
                port: int, host: str = "127.0.0.1") -> list[str]:
        serve = variant.eval.serve
        assert serve is not None and not adapters
        defaults = {"--chat_format": "gemma", "--n_ctx": "2048"}   # the embedded Gemma's; extra_args may change them
        given = [arg for arg in defaults if arg in serve.extra_args]
        return [sys.executable, "-m", "llama_cpp.server", "--model", base, "--model_alias", served_name,
                "--host", host, "--port", str(port),
                *(item for arg, value in defaults.items() if arg not in given for item in (arg, value)),
                *serve.extra_args]
