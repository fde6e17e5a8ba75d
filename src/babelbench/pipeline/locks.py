"""Per-key locks on artifact folders, so two processes never build the same key at once: the
second blocks on the lock, then finds the finished artifact and adopts it. Stages without a folder
(judge, alignment) take the same lock by kind and key, so a second process waits, then finds the
first's rows stored."""

from __future__ import annotations

from contextlib import AbstractContextManager

from .. import paths
from ..core.locks import lock_beside as artifact_lock

__all__ = ["artifact_lock", "stage_lock"]


def stage_lock(kind: str, key: str) -> AbstractContextManager[None]:
    """The lock of a stage's key: the one its artifact folder (``<artifacts>/<kind>/<key>``) would have."""
    return artifact_lock(paths.artifacts_dir(kind) / key)
