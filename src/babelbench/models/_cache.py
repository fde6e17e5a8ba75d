"""Build-once folders: a build writes to a temp folder and renames it into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

_DONE = ".complete"


def is_built(target: Path) -> bool:
    """Whether :func:`build_once` has finished building ``target``."""
    return (target / _DONE).is_file()


def build_once(target: Path, build: Callable[[Path], object]) -> Path:
    """Return ``target``, building it with ``build(tmpdir)`` if it is not complete yet.

    The rename makes a half-built folder impossible to mistake for a finished one, and
    two processes racing each build privately; the loser discards its copy.
    """
    if (target / _DONE).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        build(tmp)
        (tmp / _DONE).write_text("ok\n")
        if target.exists() and not (target / _DONE).is_file():
            shutil.rmtree(target)
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / _DONE).is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
