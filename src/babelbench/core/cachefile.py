"""A JSON cache file kept under ``BABELBENCH_HOME/cache``, replaced atomically so that processes racing on
it each leave a whole file (the loser's entries are only computed again next time)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_atomically(target: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``target`` through a temporary file and a rename; on a read-only home do
    nothing (the cached values are computed again next time, nothing is wrong)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass
