import duckdb
import pytest

from babelbench.core.records import EvalRows, MetricRecord, SampleRecord
from babelbench.store import LATEST, Store, StoreError, migrate, schema_version
from babelbench.store import writes
from babelbench.store.migrations import MIGRATIONS


def test_migrations_run_once_and_are_recorded(tmp_path):
    path = tmp_path / "r.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con) == len(MIGRATIONS)
    assert migrate(con) == 0
    assert schema_version(con) == LATEST
    assert con.execute("SELECT name FROM _migrations ORDER BY id").fetchall()[0] == ("initial",)
    con.close()


def test_reader_refuses_an_older_schema_with_a_clear_message(tmp_path):
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(StoreError, match="schema version 0"):
        with Store(path).read():
            pass


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        with Store(tmp_path / "nope.duckdb").read():
            pass


def test_a_reader_can_open_between_writes(tmp_path):
    store = Store(tmp_path / "r.duckdb")
    with store.write() as con:
        writes.register_recipe(con, "h", "f.yaml", "name: x")
    with store.read() as ro:
        assert ro.execute("SELECT count(*) FROM recipes").fetchone()[0] == 1
    with store.write() as con:  # and a writer after the reader closed
        writes.register_recipe(con, "h", "f.yaml", "name: x")
    with store.read() as ro:
        assert ro.execute("SELECT count(*) FROM recipes").fetchone()[0] == 1


def test_write_eval_replaces_rows_instead_of_duplicating(tmp_path):
    store = Store(tmp_path / "r.duckdb")
    metric = MetricRecord(task="t", task_version="1", language="en", metric="acc", filter="none", value=0.5,
                          stderr=0.1, n=4, scored=True, is_primary=True, family="t")
    sample = SampleRecord(task="t", doc_id=0, language="en", prompt="p", raw_response="r", kept_response="r",
                          kept_filter="none", pivot_status=None, target="x", doc={"a": 1}, doc_hash="d",
                          prompt_hash="p", target_hash="t", sample_metrics={"acc": 1.0})
    for _ in range(2):
        with store.write() as con:
            writes.write_eval(con, "k", EvalRows([metric], [sample]))
    with store.read() as con:
        assert con.execute("SELECT count(*), max(value) FROM metrics").fetchone() == (1, 0.5)
        assert con.execute("SELECT count(*) FROM samples").fetchone()[0] == 1


def test_failed_transaction_writes_nothing(tmp_path):
    store = Store(tmp_path / "r.duckdb")
    with pytest.raises(RuntimeError):
        with store.write() as con:
            writes.register_recipe(con, "h", "f.yaml", "x")
            raise RuntimeError("boom")
    with store.read() as con:
        assert con.execute("SELECT count(*) FROM recipes").fetchone()[0] == 0


def test_a_store_from_the_first_release_is_upgraded_in_place_keeping_its_rows(tmp_path):
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE _migrations (id INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    number, name, sql = MIGRATIONS[0]
    con.execute(sql)
    con.execute("INSERT INTO _migrations VALUES (?, ?, now())", [number, name])
    con.execute("INSERT INTO recipes VALUES ('h', 'r.yaml', 'name: r', now())")
    con.close()
    with pytest.raises(StoreError, match="schema version 1; this harness needs"):
        with Store(path).read():
            pass
    with Store(path).write() as con:   # any run upgrades it
        pass
    with Store(path).read() as con:
        assert schema_version(con) == LATEST >= 2
        assert con.execute("SELECT file FROM recipes").fetchall() == [("r.yaml",)]
        assert con.execute("SELECT count(*) FROM judgments").fetchone()[0] == 0


def test_judge_metrics_stored_as_names_are_upgraded_to_their_parts(tmp_path):
    con = duckdb.connect(str(tmp_path / "v8.duckdb"))
    con.execute("CREATE TABLE _migrations (id INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for number, name, sql in MIGRATIONS:
        if number <= 8:
            con.execute(sql)
            con.execute("INSERT INTO _migrations VALUES (?, ?, now())", [number, name])
    con.execute("""INSERT INTO judge_metrics VALUES
        ('v1', 'all', NULL, 'judge:rubric-6facet/fluency', 'none', 2.5, 4, 2.0, 3.0, NULL, true),
        ('v1', 'xalpaca_zh', 'zh', 'judge:pairwise/lc_win_rate', 'plug', 0.75, 8, NULL, NULL, 'demo@en', true),
        ('v2', 'all', NULL, 'judge:rubric-6facet/parse_failure_rate', 'none', 0.0, 4, 0.0, 0.0, NULL, false)""")
    assert migrate(con) == LATEST - 8
    assert con.execute("""SELECT variant_id, task, language, judge, facet, baseline, filter, value, n, ci_low, ci_high,
                                 headline FROM judge_metrics ORDER BY variant_id, task""").fetchall() == [
        ("v1", "all", None, "rubric-6facet", "fluency", None, "none", 2.5, 4, 2.0, 3.0, True),
        ("v1", "xalpaca_zh", "zh", "pairwise", "lc_win_rate", "demo@en", "plug", 0.75, 8, None, None, True),
        ("v2", "all", None, "rubric-6facet", "parse_failure_rate", None, "none", 0.0, 4, 0.0, 0.0, False)]
    columns = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'judge_metrics'").fetchall()}
    assert "metric" not in columns
    con.close()
