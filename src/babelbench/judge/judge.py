"""A loaded judge: its validated config, its folder and its templates' text."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ..core.hashing import digest, file_digest
from .backends import backend_names
from .schema import BackendConfig, BackendOverride, JudgeConfig


@dataclass(frozen=True)
class Judge:
    """A loaded judge: its config, its folder and its templates' text."""

    config: JudgeConfig
    folder: Path
    system_template: str | None
    user_template: str | None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def kind(self) -> str:
        return self.config.kind

    def identifier_path(self) -> str | None:
        """The fastText model file a language-id judge names (relative to its folder); None for lingua."""
        spec = self.config.identifier
        return None if spec in (None, "lingua") else str(self.folder / spec)

    def with_backend(self, override: BackendOverride | None) -> Judge:
        if override is None or self.config.backend is None:
            return self
        fields = override.model_dump(exclude_none=True)
        if not fields:
            return self
        if "type" in fields and fields["type"] not in backend_names():
            raise ValueError(f"unknown judge backend {fields['type']!r}; known: {', '.join(backend_names())}")
        current = self.config.backend.model_dump()
        if "base_url" in fields and "api_key_env" not in fields:
            current["api_key_env"] = None  # a key is paired with the endpoint it was named with, not a new one
        backend = BackendConfig.model_validate({**current, **fields})
        return Judge(self.config.model_copy(update={"backend": backend}), self.folder,
                     self.system_template, self.user_template)

    def identity(self) -> str:
        """See :attr:`_identity`; computed once per loaded judge (every judgment's key carries it)."""
        return self._identity

    @functools.cached_property
    def _identity(self) -> str:
        """Hash of what decides a grade: the config (less transport settings), templates, model.

        Where the endpoint is, how many requests fly at once, timeouts and retries do not
        change a grade, so they are not part of it: moving a judge to another server that
        serves the same model keeps its cache.
        """
        cfg = self.config.model_dump(mode="json", exclude={"description", "tasks"})
        if cfg.get("backend"):
            cfg["backend"] = {k: cfg["backend"][k] for k in ("type", "model", "temperature", "max_tokens",
                                                            "structured_output")}
        if cfg.get("identifier") is None:
            cfg.pop("identifier", None)  # judges made before the setting keep their identity
        elif (path := self.identifier_path()) is not None:
            cfg["identifier"] = {"model_sha": file_digest(path)}
        return digest({"config": cfg, "system": self.system_template, "user": self.user_template})
