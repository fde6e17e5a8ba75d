"""Base models: built-ins (embedded Gemma 3 270M, tiny random model) and resolution of paths/Hub ids."""

from .registry import BUILTIN_MODELS, model_identity, resolve_base_model

__all__ = ["BUILTIN_MODELS", "model_identity", "resolve_base_model"]
