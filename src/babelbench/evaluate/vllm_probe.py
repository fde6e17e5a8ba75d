"""What the installed vLLM can serve, read from its own environment, never imported here.

vLLM pins its own torch and transformers, so it lives in its own environment (``make install`` creates the
checkout's ``.venv-vllm``). :func:`vllm_python` finds that environment's python -- ``eval.serve.python``,
else ``$BABELBENCH_VLLM_PYTHON``, else the checkout's ``.venv-vllm``, else this python -- and :func:`probe`
runs a short script with it that prints vLLM's version, platform, dtypes, LoRA ranks and model
architectures as JSON, cached under ``BABELBENCH_HOME/cache`` by the python's path and its installed
distributions (a reinstall probes again). :func:`serving_problem` turns that into a check before any work.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import paths

if TYPE_CHECKING:
    from ..recipe.schema import Variant

ENV_VAR = "BABELBENCH_VLLM_PYTHON"
VENV = ".venv-vllm"

_PROBE = r"""
import json, typing
out = {}
try:
    import vllm
    out["version"] = vllm.__version__
    from vllm.platforms import current_platform
    out["device"] = str(current_platform.device_type)
    out["dtypes"] = sorted(str(d).removeprefix("torch.") for d in current_platform.supported_dtypes)
    from vllm.config.lora import MaxLoRARanks
    out["lora_ranks"] = sorted(int(r) for r in typing.get_args(MaxLoRARanks))
    from vllm.model_executor.models import ModelRegistry
    out["architectures"] = sorted(ModelRegistry.get_supported_archs())
except Exception as exc:
    out["error"] = f"{type(exc).__name__}: {exc}"
print("VLLM_PROBE " + json.dumps(out))
"""


def vllm_python(variant: Variant | None = None) -> str:
    """The python of vLLM's environment (see the module docstring for the order)."""
    given = variant.eval.serve.python if variant is not None and variant.eval.serve is not None else None
    if given:
        return given
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    root = paths.project_root()
    if root is not None and (root / VENV / "bin" / "python").exists():
        return str(root / VENV / "bin" / "python")
    return sys.executable


def probe(python: str) -> dict[str, Any]:
    """What the vLLM installed for ``python`` supports (``{"error": ...}`` when it cannot be imported)."""
    return dict(_probe_cached(python, _install_stamp(python)))


def _install_stamp(python: str) -> str:
    """The python's installed distributions (names carry versions): a reinstall changes it."""
    prefix = Path(python).parent.parent
    found = sorted(str(p.name) for p in prefix.glob("lib/python*/site-packages/vllm*.dist-info"))
    found += sorted(str(p.name) for p in prefix.glob("lib/python*/site-packages/torch-*.dist-info"))
    return "|".join(found)


@functools.lru_cache(maxsize=8)
def _probe_cached(python: str, stamp: str) -> tuple[tuple[str, Any], ...]:
    cache = paths.home() / "cache" / f"vllm-probe-{hashlib.sha256(f'{python}|{stamp}'.encode()).hexdigest()[:16]}.json"
    if stamp and cache.is_file():
        return tuple(json.loads(cache.read_text(encoding="utf-8")).items())
    result = _run_probe(python)
    if stamp and "error" not in result:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(result), encoding="utf-8")
    return tuple(result.items())


def _run_probe(python: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}   # the server's environment, not ours
    try:
        done = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=300, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": f"cannot run {python}: {exc}"}
    for line in done.stdout.splitlines():
        if line.startswith("VLLM_PROBE "):
            return dict(json.loads(line.removeprefix("VLLM_PROBE ")))
    return {"error": f"{python} exited with {done.returncode}: {done.stderr.strip().splitlines()[-1:] or ''}"}


def serving_problem(variant: Variant) -> tuple[str, str] | None:
    """(field, message) when the installed vLLM cannot serve this variant: no vLLM, its dtype, LoRA rank,
    base model's architecture, or a context length above the model's."""
    python = vllm_python(variant)
    facts = probe(python)
    if "error" in facts:
        return "eval.serve", (f"a vllm served sweep needs vLLM for {python} ({facts['error']}); `make install` "
                              f"creates {VENV}, or name its python in ${ENV_VAR} or eval.serve.python")
    what = f"vLLM {facts['version']} ({facts['device']})"
    dtype = variant.eval.dtype
    if dtype != "auto" and dtype not in facts["dtypes"]:
        return "eval.dtype", f"{what} cannot serve {dtype}: it serves {', '.join(facts['dtypes'])}"
    ranks = facts["lora_ranks"]
    if variant.train.method == "lora" and variant.train.lora.r > max(ranks):
        return "train.lora.r", f"{what} serves LoRA ranks up to {max(ranks)}, not {variant.train.lora.r}"
    return _model_problem(variant, what, facts)


def _model_problem(variant: Variant, what: str, facts: dict[str, Any]) -> tuple[str, str] | None:
    from ..models.registry import model_config

    try:
        config = model_config(variant.base_model, Path(variant.recipe_file).parent if variant.recipe_file else None)
    except Exception:   # the model's own checks report an unreadable model
        return None
    if config is None:
        return None
    archs = [a for a in (getattr(config, "architectures", None) or []) if a not in facts["architectures"]]
    if archs:
        return "base_model", f"{what} cannot serve {variant.base_model}: architecture {', '.join(archs)} is not " \
                             "one it supports"
    longest = getattr(config, "max_position_embeddings", None)
    asked = variant.eval.vllm.max_model_len
    if asked is not None and longest is not None and asked > longest:
        return "eval.vllm.max_model_len", f"{variant.base_model} holds {longest} positions: max_model_len {asked} " \
                                          "is longer"
    return None
