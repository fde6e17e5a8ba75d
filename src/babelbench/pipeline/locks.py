"""Per-key locks on artifact folders, so two processes never build the same key at once: the
second blocks on the lock, then finds the finished artifact and adopts it. Stages without a folder
(judge, alignment) take the same lock by kind and key, so a second process waits, then finds the
first's rows stored.

Readers of a finished artifact hold ``reading_artifact`` (a shared lock) while they read it; ``--force``
deletes a folder only under ``deleting`` (refused while anyone reads it)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from .. import paths
from ..core.locks import ArtifactInUse, deleting, reading
from ..core.locks import lock_beside as artifact_lock

__all__ = ["ArtifactInUse", "artifact_lock", "deleting", "reading_artifact", "stage_lock"]


def stage_lock(kind: str, key: str) -> AbstractContextManager[None]:
    """The lock of a stage's key: the one its artifact folder (``<artifacts>/<kind>/<key>``) would have."""
    return artifact_lock(paths.artifacts_dir(kind) / key)


def reading_artifact(folder: Path | None) -> AbstractContextManager[None]:
    """Hold ``folder``'s readers lock while reading it (nothing when there is no folder: an untrained model)."""
    return reading(folder) if folder is not None else nullcontext()
