"""Where judge grades go as they arrive: a thread that stores whatever has arrived, one short
transaction at a time (group commit), so a killed judge pass loses only the calls in flight. A write
that fails stops the pass: the next grade handed in raises its error (no paid request is sent for
grades that could not be stored)."""

from __future__ import annotations

import queue
import threading

from ..core.records import JudgmentLink, JudgmentRecord
from ..store import Store, writes


class GroupWriter:
    def __init__(self, store: Store):
        self.store = store
        self.queue: queue.Queue = queue.Queue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="judgment-writer", daemon=True)
        self.thread.start()

    def __call__(self, judgment: JudgmentRecord, links: list[JudgmentLink]) -> None:
        """Queue a grade; once a write has failed, raise its error instead: grades can no longer be stored,
        so the pass must stop sending (a backend stops when its ``on_reply`` raises)."""
        if self.error is not None:
            raise self.error
        self.queue.put((judgment, links))

    def close(self) -> None:
        """Wait until everything put so far is stored; re-raise a write error."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _loop(self) -> None:
        stop = False
        while not stop:
            batch = [self.queue.get()]
            while True:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(entry is None for entry in batch)
            entries = [e for e in batch if e is not None]
            if not entries or self.error is not None:
                continue
            try:
                with self.store.write() as con:
                    writes.write_judgments(con, [j for j, _ in entries], [link for _, ls in entries for link in ls])
            except BaseException as exc:  # surfaced by close(); later entries are not written
                self.error = exc
