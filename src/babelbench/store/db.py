"""Opening ``results.duckdb``: migrations on open, short transactions, read-only readers.

DuckDB lets one process write while none other has the file open, so the writer
connects per transaction and closes at once; readers open read-only and retry while a
write is in progress. Bulk rows go in through Arrow/pandas, not ``executemany``.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.locks import lock_beside
from .migrations import LATEST, MIGRATIONS

if TYPE_CHECKING:   # imported where a connection is made: a run that finds its work done never connects
    import duckdb

#: A store file's identity and state: (inode, size, mtime_ns, ctime_ns) of the file and of its write-ahead log
#: (None: no log). Any write to the store, by any process, changes it.
FileStamp = tuple[tuple[int, int, int, int] | None, tuple[int, int, int, int] | None]

_RETRY_SECONDS = 30.0
#: One write transaction at a time in this process (a driver running variants in several threads).
_WRITING = threading.RLock()


class StoreError(RuntimeError):
    pass


def _connect(path: Path, read_only: bool, retry_seconds: float = _RETRY_SECONDS) -> duckdb.DuckDBPyConnection:
    import duckdb

    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            # another process holds the write lock, or is creating the file this very moment
            # (DuckDB calls a half-written new file "not a valid DuckDB database file")
            busy = "lock" in str(exc).lower() or "not a valid duckdb database" in str(exc).lower()
            if not busy or time.monotonic() > deadline:
                raise StoreError(f"cannot open {path}: {exc}") from None
            time.sleep(0.05)


class Store:
    """The results store at ``path``. Cheap to construct; connects per operation."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._migrated_inode: int | None = None

    @contextmanager
    def write(self, stamped: list[FileStamp] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """One short write transaction (the schema is migrated first if needed). ``stamped``: once the
        transaction is committed, its changes are checkpointed into the file and the file's stamp is appended
        -- while this connection still holds the file, so it is the state the transaction left, no other's."""
        with _WRITING, self._write(stamped) as con:
            yield con

    @contextmanager
    def _write(self, stamped: list[FileStamp] | None) -> Iterator[duckdb.DuckDBPyConnection]:
        # The first write of this process may create the file: two processes starting together
        # must not both create it, so that connection (and the migration) happens under a lock
        # beside the file. Checking the schema costs about as much as the connection; once this
        # Store has migrated the file, skip it -- unless the file was replaced since (new inode).
        first = self._migrated_inode is None
        with lock_beside(self.path) if first else contextlib.nullcontext():
            con = _connect(self.path, read_only=False)
            try:
                inode = self.path.stat().st_ino
                if inode != self._migrated_inode:
                    migrate(con)
                    self._migrated_inode = inode
            except BaseException:
                con.close()
                raise
        try:
            con.begin()
            try:
                yield con
                con.commit()
            except BaseException:
                con.rollback()
                raise
            if stamped is not None:
                import duckdb

                try:   # nothing left for close() to write: the stamp stays true after it
                    con.execute("CHECKPOINT")
                except duckdb.Error:   # another connection of this process is in a transaction: no stamp
                    pass
                else:
                    stamped.append(file_stamp(self.path))
        finally:
            con.close()

    @contextmanager
    def read(self, retry_seconds: float = _RETRY_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection; the store must exist and be at the current schema.

        While a writer holds the file (a short transaction), opening is retried for up to
        ``retry_seconds``."""
        if not self.path.exists():
            raise StoreError(f"no store at {self.path} (run `harness run` first)")
        con = _connect(self.path, read_only=True, retry_seconds=retry_seconds)
        try:
            version = schema_version(con)
            if version < LATEST:
                raise StoreError(f"{self.path} is at schema version {version}; this harness needs {LATEST} "
                                 "(any `harness run` upgrades it)")
            if version > LATEST:   # its tables may mean something else now: no number read from it is safe
                raise StoreError(newer_schema(self.path, version))
            yield con
        finally:
            con.close()


def file_stamp(path: Path) -> FileStamp:
    """``path``'s :data:`FileStamp` now (a missing file stamps as None)."""
    def one(file: Path) -> tuple[int, int, int, int] | None:
        try:
            st = os.stat(file)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns

    return one(path), one(path.with_name(path.name + ".wal"))


def newer_schema(path: Path | None, version: int) -> str:
    """The one message for a store written by a newer harness (refused for reading and writing alike)."""
    where = f"{path} is" if path is not None else "the store is"
    return (f"{where} at schema version {version}, newer than this harness knows ({LATEST}): it was written by "
            "a newer babelbench; upgrade babelbench to read or write it")


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    # Asking the table itself costs ≈ 2 ms on a new connection; asking the catalog whether it exists
    # (information_schema.tables, duckdb_tables()) ≈ 12 ms, a sixth of an unchanged re-run's store work.
    import duckdb

    try:
        row = con.execute("SELECT coalesce(max(id), 0) FROM _migrations").fetchone()
    except duckdb.CatalogException:   # a file no migration has touched
        return 0
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations; return how many ran."""
    con.execute("CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    done = schema_version(con)
    if done > LATEST:
        raise StoreError(newer_schema(None, done))
    ran = 0
    for number, name, sql in MIGRATIONS:
        if number <= done:
            continue
        con.begin()
        try:
            con.execute(sql)
            con.execute("INSERT INTO _migrations VALUES (?, ?, now())", [number, name])
            con.commit()
        except BaseException:
            con.rollback()
            raise
        ran += 1
    return ran
