"""`harness init DIR`: a starter folder that runs as it is (a recipe, a task, a judge, data).

The files are the package data beside this module (``files/``), copied verbatim; the recipe
uses the user's own task and judge next to a shipped task and judge, on ``builtin:tiny``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FILES = Path(__file__).resolve().parent / "files"


class StarterExists(FileExistsError):
    pass


def write_starter(folder: Path) -> list[Path]:
    """Copy the starter files into ``folder``; refuse to overwrite any existing file."""
    sources = sorted(p for p in FILES.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    targets = [folder / p.relative_to(FILES) for p in sources]
    clashes = [t for t in targets if t.exists()]
    if clashes:
        raise StarterExists(f"{clashes[0]} exists already (nothing was written)")
    for source, target in zip(sources, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return targets
