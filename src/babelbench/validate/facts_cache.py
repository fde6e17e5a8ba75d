"""Model facts kept on disk by model identity, so checking a recipe imports no model library.

Reading a base model's facts (its config, its module tree on the meta device) needs transformers
and torch: seconds of imports on every `harness validate` and `harness run`. The facts depend only
on the model's identity (:func:`babelbench.models.registry.model_identity`: a built-in's builder
version, a local folder's file digests) and on the transformers version that builds the module
tree, so they are kept in ``BABELBENCH_HOME/cache/model-facts.json`` under a digest of those: a
model retrained in place, or a new transformers, gets a new key and is read again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.cachefile import write_atomically
from ..core.hashing import digest

#: Bump when what is stored (or how it is computed) changes: every entry is then read again.
FORMAT = "model-facts-v1"


def facts_key(identity: dict[str, str]) -> str:
    """The cache key of a model: its identity, the transformers version and the format."""
    return digest({"identity": identity, "transformers": _version("transformers"), "format": FORMAT}, 32)


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _store() -> Path:
    from .. import paths

    return paths.home() / "cache" / "model-facts.json"


def _read(store: Path) -> dict[str, Any]:
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load(key: str) -> dict[str, Any] | None:
    """The stored facts under ``key`` (as :func:`save` wrote them), or None."""
    entry = _read(_store()).get(key)
    return entry if isinstance(entry, dict) else None


def save(key: str, facts: dict[str, Any]) -> None:
    """Keep ``facts`` under ``key`` (written atomically; a lost race between processes costs a re-read)."""
    store = _store()
    data = _read(store)
    data[key] = facts
    write_atomically(store, data)
