"""What an unchanged re-run needs from the store, without opening it.

A run's registration (its recipes, variants and stage links, as one digest) is kept with the stages it
found done and the :data:`~babelbench.store.db.FileStamp` of the store file they were read from. The stamp is
taken after a checkpoint with the write connection still open, so no other process can have written in
between. Any later write to the store, by any process, changes the file's stamp; while it is unchanged, the
store still holds that registration and gives the same answer, so a re-run that would register the same rows
takes its done stages from here and never connects (importing DuckDB and connecting are ≈ 0.15 s, a fifth of an
unchanged re-run of the smoke recipe). Anything else -- another registration, another store file, a file
written, copied or replaced -- finds no receipt and asks the store.

Kept in ``BABELBENCH_HOME/cache/store-receipts.json``, one receipt per store file (by its absolute path).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import paths
from ..core.cachefile import write_atomically
from .db import FileStamp, file_stamp

#: Bump when what a receipt holds changes.
FORMAT = "store-receipts-v1"
#: Receipts kept (the most recently written first); older stores' are dropped.
KEPT = 64

Stage = tuple[str, str]


def _file() -> Path:
    return paths.home() / "cache" / "store-receipts.json"


def _read() -> dict[str, Any]:
    try:
        data = json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data["stores"] if isinstance(data, dict) and data.get("format") == FORMAT else {}


def _stamp_json(stamp: FileStamp) -> list[Any]:
    return [list(part) if part is not None else None for part in stamp]


def done_stages(store: Path, registration: str) -> set[Stage] | None:
    """The done stages the receipt for ``store`` holds, if it is for this ``registration`` and the file has not
    changed since; None otherwise (then ask the store)."""
    kept = _read().get(str(store.resolve()))
    if not isinstance(kept, dict) or kept.get("registration") != registration:
        return None
    now = file_stamp(store)
    if now[0] is None or kept.get("stamp") != _stamp_json(now):
        return None
    return {(kind, key) for kind, key in kept.get("done", [])}


def is_current(store: Path, registration: str) -> bool:
    """Whether the receipt for ``store`` is for this ``registration`` and still matches the file."""
    return done_stages(store, registration) is not None


def keep(store: Path, registration: str, done: set[Stage], stamp: FileStamp) -> None:
    """Keep the receipt: ``registration`` is in ``store`` at ``stamp``, and ``done`` are its done stages then."""
    where = str(store.resolve())
    others = [(path, kept) for path, kept in _read().items() if path != where][:KEPT - 1]
    entry = {"registration": registration, "stamp": _stamp_json(stamp), "done": sorted(map(list, done))}
    stores = {where: entry, **dict(others)}
    write_atomically(_file(), {"format": FORMAT, "stores": stores})
