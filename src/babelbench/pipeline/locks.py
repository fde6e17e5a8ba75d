"""Per-key locks on artifact folders, so two processes never build the same key at once: the
second blocks on the lock, then finds the finished artifact and adopts it."""

from __future__ import annotations

from ..core.locks import lock_beside as artifact_lock

__all__ = ["artifact_lock"]
