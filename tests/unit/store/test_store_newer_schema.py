"""A store written by a newer harness (schema version above this one's) is refused for reading as for
writing, with one clear message; nothing is read from it."""

from __future__ import annotations

import duckdb
import pytest

from babelbench.store import LATEST, Store, StoreError, writes


def _newer_store(tmp_path):
    path = tmp_path / "r.duckdb"
    with Store(path).write() as con:
        writes.register_recipe(con, "h", "r.yaml", "name: r")
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO _migrations VALUES (?, 'from the future', now())", [LATEST + 1])
    con.close()
    return path


def test_reading_a_store_of_a_newer_schema_is_refused(tmp_path):
    path = _newer_store(tmp_path)
    message = (f"{path} is at schema version {LATEST + 1}, newer than this harness knows ({LATEST}): it was "
               "written by a newer babelbench; upgrade babelbench to read or write it")
    with pytest.raises(StoreError) as caught, Store(path).read():
        pass
    assert str(caught.value) == message


def test_writing_a_store_of_a_newer_schema_is_refused(tmp_path):
    path = _newer_store(tmp_path)
    with pytest.raises(StoreError, match=rf"schema version {LATEST + 1}, newer than this harness knows"), \
            Store(path).write():
        pass
