"""Library versions and the project's git commit, recorded with every stage run."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from importlib import metadata

from .. import paths


def versions(*packages: str) -> dict[str, str]:
    """Each package's installed version ("absent" if it is not installed), as importlib.metadata reports it."""
    out = {}
    for name in packages:
        found = _dist_info_versions().get(_normalized(name))
        if found is not None:
            out[name] = found
            continue
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.lru_cache(maxsize=1)
def _dist_info_versions() -> dict[str, str]:
    """Installed distributions' versions read from their ``<name>-<version>.dist-info`` folder names, first on
    ``sys.path`` first (as importlib.metadata finds them), without parsing each one's METADATA file: a key of
    every stage reads several, and parsing them cost a re-run 0.1 s. Packages not found so are looked up."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info"):
                name, sep, version = folder.removesuffix(".dist-info").rpartition("-")
                if sep and name and version:
                    found.setdefault(_normalized(name), version)
    return found


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    root = paths.project_root()
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None
