"""Locks on files beside the thing they guard.

``lock_beside`` (``.<name>.lock``) is the exclusive lock of whoever builds ``<name>``. Readers of a
finished artifact (an evaluation reading a train folder, a training reading its data folder, a publish
reading an adapter) hold ``reading`` -- a shared lock on ``.<name>.readers.lock`` -- while they read it;
whoever deletes it (``--force``) takes that lock exclusively with ``deleting``, which refuses at once,
naming the folder, while anyone reads it: a rebuild never pulls files from under a running reader.

``fcntl.flock`` locks are released by the kernel when their process dies, so a killed run never
leaves a stale lock behind. On a cluster the folder is a shared filesystem whose locks must work
across machines (NFSv4 and Lustre do)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path


class ArtifactInUse(RuntimeError):
    """``--force`` would delete a folder another process is reading."""


@contextmanager
def _flock(lock_file: Path, operation: int, busy: str = "") -> Iterator[None]:
    """Hold ``lock_file``'s flock; with ``LOCK_NB``, :class:`ArtifactInUse` (``busy``) if it is held."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, operation)
        except BlockingIOError:
            raise ArtifactInUse(busy) from None
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _readers_file(path: Path) -> Path:
    return path.parent / f".{path.name}.readers.lock"


def lock_beside(path: Path) -> AbstractContextManager[None]:
    """Hold an exclusive lock for ``path`` (a file ``.<name>.lock`` in the same folder)."""
    return _flock(path.parent / f".{path.name}.lock", fcntl.LOCK_EX)


def reading(path: Path) -> AbstractContextManager[None]:
    """Hold a shared lock on ``path``'s readers while reading it (waits while someone deletes it). Where no lock
    file can be made beside it (a read-only artifacts folder: nobody can delete it either), nothing is held."""
    lock_file = _readers_file(path)
    if not lock_file.exists() and not os.access(lock_file.parent, os.W_OK):
        return nullcontext()
    return _flock(lock_file, fcntl.LOCK_SH)


def deleting(path: Path) -> AbstractContextManager[None]:
    """Hold ``path``'s readers lock exclusively (to delete it); :class:`ArtifactInUse` at once if anyone reads it."""
    return _flock(_readers_file(path), fcntl.LOCK_EX | fcntl.LOCK_NB,
                  f"--force would delete {path}, which another process is reading (an evaluation, a training or a "
                  f"publish of it); nothing was deleted: run again once it is done")
