"""Per-key locks on artifact folders, so two processes never build the same key at once.

The second process blocks on the lock, then finds the finished artifact and adopts it.
``fcntl.flock`` locks are released by the kernel when their process dies, so a killed run
never leaves a stale lock behind. On a cluster the artifacts folder is a shared filesystem
whose locks must work across machines (NFSv4 and Lustre do); see docs.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def artifact_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock for building ``folder`` (a file beside it: ``.<name>.lock``)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder.parent / f".{folder.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
