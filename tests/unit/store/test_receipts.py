"""The store's receipt: an unchanged re-run's done stages, trusted only while the store file is unchanged."""

from __future__ import annotations

import shutil

import duckdb

from babelbench.store import Store, receipts, writes
from babelbench.store.db import file_stamp

DONE = {("eval", "e1"), ("train", "t1")}


def _sealed(path) -> Store:
    """A store with one registered, done eval stage, and its receipt kept as the runner keeps it."""
    store = Store(path)
    stamped: list = []
    with store.write(stamped) as con:
        writes.register_recipe(con, "h", "recipe.yaml", "name: x")
        writes.start_run(con, "r1", "eval", "e1", "v1", {}, None)
        writes.finish_run(con, "r1", "done", 1.0)
    assert len(stamped) == 1
    receipts.keep(path, "reg-1", DONE, stamped[0])
    return store


def test_the_stamp_taken_before_close_is_the_file_after_it(tmp_path):
    path = tmp_path / "r.duckdb"
    stamped: list = []
    with Store(path).write(stamped) as con:
        writes.register_recipe(con, "h", "recipe.yaml", "name: x")
    assert stamped == [file_stamp(path)]
    assert stamped[0][1] is None   # checkpointed: no write-ahead log left


def test_an_unchanged_store_answers_from_its_receipt(tmp_path):
    path = tmp_path / "r.duckdb"
    _sealed(path)
    assert receipts.done_stages(path, "reg-1") == DONE
    assert receipts.is_current(path, "reg-1")
    # a reader does not change the file
    with Store(path).read() as con:
        con.execute("SELECT count(*) FROM stage_runs").fetchall()
    assert receipts.done_stages(path, "reg-1") == DONE


def test_another_registration_finds_no_receipt(tmp_path):
    path = tmp_path / "r.duckdb"
    _sealed(path)
    assert receipts.done_stages(path, "reg-2") is None


def test_any_write_to_the_store_voids_the_receipt(tmp_path):
    path = tmp_path / "r.duckdb"
    _sealed(path)
    con = duckdb.connect(str(path))   # another process (or a person) deletes a done row
    con.execute("DELETE FROM stage_runs WHERE key = 'e1'")
    con.close()
    assert receipts.done_stages(path, "reg-1") is None


def test_a_write_through_the_store_voids_the_receipt(tmp_path):
    path = tmp_path / "r.duckdb"
    store = _sealed(path)
    with store.write() as con:
        writes.register_recipe(con, "h2", "other.yaml", "name: y")
    assert receipts.done_stages(path, "reg-1") is None


def test_a_store_replaced_by_a_copy_or_removed_finds_no_receipt(tmp_path):
    path = tmp_path / "r.duckdb"
    _sealed(path)
    shutil.copy2(path, tmp_path / "copy.duckdb")   # same bytes, same mtime: another inode and change time
    (tmp_path / "copy.duckdb").replace(path)
    assert receipts.done_stages(path, "reg-1") is None
    path.unlink()
    assert receipts.done_stages(path, "reg-1") is None
    assert receipts.done_stages(tmp_path / "copy.duckdb", "reg-1") is None   # a receipt is for one path


def test_receipts_are_kept_per_store_and_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(receipts, "KEPT", 4)
    paths = [tmp_path / f"s{i}.duckdb" for i in range(receipts.KEPT + 3)]
    for p in paths:
        _sealed(p)
    assert receipts.done_stages(paths[-1], "reg-1") == DONE
    assert receipts.done_stages(paths[-receipts.KEPT], "reg-1") == DONE
    assert receipts.done_stages(paths[0], "reg-1") is None   # the oldest were dropped
