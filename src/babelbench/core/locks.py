"""An exclusive lock on a file beside the thing it guards (``.<name>.lock``).

``fcntl.flock`` locks are released by the kernel when their process dies, so a killed run never
leaves a stale lock behind. On a cluster the folder is a shared filesystem whose locks must work
across machines (NFSv4 and Lustre do)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def lock_beside(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` (a file ``.<name>.lock`` in the same folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.parent / f".{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
