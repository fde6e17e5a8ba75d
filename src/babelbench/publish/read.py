"""Reading published results back: DuckDB over the Hub through ``HfFileSystem``.

    con = duckdb.connect(); con.register_filesystem(hub_filesystem())
    con.sql("SELECT * FROM read_parquet('hf://datasets/ORG/NAME/data/leaderboard.parquet')")
"""

from __future__ import annotations

from datetime import datetime, timezone


def hub_filesystem(endpoint: str | None = None, token: str | None = None):
    """An ``HfFileSystem`` DuckDB can register: DuckDB asks every fsspec filesystem for a file's
    modification time, which ``HfFileSystem`` does not give for repository paths; this one answers
    with the file's last commit date when the Hub tells it, else the epoch (files are immutable per
    revision, so the value only keys DuckDB's cache)."""
    from huggingface_hub import HfFileSystem

    class _DuckDBHfFileSystem(HfFileSystem):
        def modified(self, path: str) -> datetime:  # type: ignore[override]  # fsspec types it loosely
            info = self.info(path, expand_info=True)
            last = info.get("last_commit")
            date = getattr(last, "date", None) if last is not None else None
            return date or datetime.fromtimestamp(0, tz=timezone.utc)

    return _DuckDBHfFileSystem(endpoint=endpoint, token=token)
