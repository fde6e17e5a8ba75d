"""Content hashes: a variant's identity and each stage's key."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any


def canonical_json(value: Any) -> str:
    """Stable JSON: sorted keys, no whitespace, floats as repr."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(value: Any, length: int = 16) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()[:length]


def file_digest(path: str, length: int = 16) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:length]


class DigestCache:
    """Content digests of files, remembered by (size, mtime_ns, ctime_ns).

    A file is read again only when one of those changed, so an edit is always seen (a rewrite
    in place changes the times even at the same size) while an unchanged multi-gigabyte weight
    file is hashed once, not on every run. With ``store`` the memo is kept in that JSON file
    across processes (written atomically; a lost race only costs a re-hash).
    """

    def __init__(self, store: Path | None = None):
        self.store = store
        self._memo: dict[str, list[Any]] = {}
        self._dirty = False
        if store is not None and store.is_file():
            try:
                self._memo = json.loads(store.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._memo = {}

    def digest(self, path: Path) -> str:
        stat = path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]
        key = str(path.resolve())
        known = self._memo.get(key)
        if known is not None and known[:3] == stamp:
            return str(known[3])
        value = file_digest(str(path))
        self._memo[key] = [*stamp, value]
        self._dirty = True
        return value

    def save(self) -> None:
        if self.store is None or not self._dirty:
            return
        self.store.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.store.with_name(f".{self.store.name}.{os.getpid()}")
        tmp.write_text(json.dumps(self._memo), encoding="utf-8")
        os.replace(tmp, self.store)
        self._dirty = False
