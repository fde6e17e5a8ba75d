"""`harness import lm-eval`: a folder written by plain `lm_eval --log_samples` becomes a variant on the report
and the board, with lm-eval's own numbers and its answers; importing it again adds nothing; and
`harness export --format lm-eval` followed by an import into another store gives the same report rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from babelbench.store import board
from tests.conftest import ROOT
from tests.integration._harness import harness, query

TASKS = ("babel_qa_en", "xalpaca_en")


@pytest.fixture(scope="module")
def lm_eval_folder(tmp_path_factory, tiny_model) -> Path:
    folder = tmp_path_factory.mktemp("plain-lm-eval")
    cmd = [sys.executable, "-m", "lm_eval", "--model", "hf", "--model_args", f"pretrained={tiny_model},dtype=float32",
           "--device", "cpu", "--include_path", str(ROOT / "tasks"), "--tasks", ",".join(TASKS), "--limit", "2",
           "--apply_chat_template", "--gen_kwargs", "max_gen_toks=4", "--output_path", str(folder / "out"),
           "--log_samples"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=folder,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    return folder / "out"


def _report(store: Path) -> list[dict]:
    code, out = harness("report", "--store", store, "--format", "json")
    assert code == 0, out
    return json.loads(out)


def test_an_lm_eval_folder_becomes_a_variant_with_lm_evals_numbers(lm_eval_folder, tmp_path, tiny_model):
    store = tmp_path / "results.duckdb"
    code, out = harness("import", "lm-eval", lm_eval_folder, "--store", store)
    assert code == 0, out
    name = f"hf:{tiny_model.name}"
    assert f"imported {name}:" in out
    [results_file] = lm_eval_folder.rglob("results_*.json")
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    rows = {(r["task"], r["metric"]): r for r in _report(store) if r["variant"] == name}
    for task in TASKS:
        for key, value in results[task].items():
            metric, _, filt = key.partition(",")
            if filt == "none" and "_stderr" not in metric and (task, metric) in rows:
                stored = rows[(task, metric)]["value"]
                assert (stored is None and value != value) or stored == pytest.approx(value), (task, metric)
    assert rows[("babel_qa_en", "contains")]["n"] == 2 and rows[("babel_qa_en", "contains")]["language"] == "en"
    assert {r["method"] for r in rows.values()} == {"external"}
    answers = query(store, "SELECT task, count(*) FROM samples GROUP BY task ORDER BY task")
    assert answers == [("babel_qa_en", 2), ("xalpaca_en", 2)]
    con = duckdb.connect(str(store), read_only=True)
    try:
        assert name in {r["variant"] for r in board.leaderboard(con)}
    finally:
        con.close()

    before = query(store, "SELECT (SELECT count(*) FROM metrics), (SELECT count(*) FROM samples), "
                          "(SELECT count(*) FROM variants), (SELECT count(*) FROM stage_runs)")
    code, out = harness("import", "lm-eval", lm_eval_folder, "--store", store)
    assert code == 0 and "nothing added" in out
    assert query(store, "SELECT (SELECT count(*) FROM metrics), (SELECT count(*) FROM samples), "
                        "(SELECT count(*) FROM variants), (SELECT count(*) FROM stage_runs)") == before


def test_export_then_import_gives_the_same_report_rows(write_recipe, tmp_path, tiny_model):
    recipe = write_recipe(textwrap.dedent("""\
        name: trip
        base_model: builtin:tiny
        train: {method: none}
        eval: {tasks: [babel_qa_en, xalpaca_zh], limit: 2, gen_kwargs: {max_gen_toks: 4}}
        """))
    first = tmp_path / "first.duckdb"
    code, out = harness("run", recipe, "--store", first)
    assert code == 0, out
    code, out = harness("export", tmp_path / "exported", "--format", "lm-eval", "--store", first)
    assert code == 0, out
    second = tmp_path / "second.duckdb"
    code, out = harness("import", "lm-eval", tmp_path / "exported", "--store", second)
    assert code == 0, out

    def rows(store: Path) -> list[dict]:
        return sorted(({k: v for k, v in r.items() if k != "method"} for r in _report(store)),
                      key=lambda r: (r["task"], r["metric"], r["filter"]))

    original, imported = rows(first), rows(second)
    # the export is lm-eval's results file alone (no per-document samples), so the language-gated scores,
    # computed from each answer's stored metrics, are the original's only
    gated = [r for r in original if r["metric"].endswith(":gated")]
    assert {r["metric"] for r in gated} == {"contains:gated"}
    assert len(original) >= 8 and imported == [r for r in original if r not in gated]


def test_a_folder_without_results_is_one_line(tmp_path):
    code, out = harness("import", "lm-eval", tmp_path, "--store", tmp_path / "s.duckdb")
    assert code == 2 and out.strip() == f"error: {tmp_path}: no lm-eval results file (results_*.json) in this folder"
    assert not (tmp_path / "s.duckdb").exists()


def test_the_judges_grade_an_imported_runs_answers(lm_eval_folder, tmp_path, tiny_model):
    from babelbench.langid import detect

    store = tmp_path / "judged.duckdb"
    code, out = harness("import", "lm-eval", lm_eval_folder, "--store", store, "--judge", "nope")
    assert code == 2 and "no judge 'nope'" in out and not store.exists()
    code, out = harness("import", "lm-eval", lm_eval_folder, "--store", store, "--judge", "language-id")
    assert code == 0, out
    name = f"hf:{tiny_model.name}"
    answers = query(store, "SELECT kept_response, doc FROM samples WHERE task = 'xalpaca_en' ORDER BY doc_id")
    expected = [detect(a, json.loads(d).get("expected_language") or "en").matches for a, d in answers]
    [(value, n)] = query(store, """SELECT j.value, j.n FROM judge_metrics j JOIN variants v USING (variant_id)
                                   WHERE v.name = ? AND j.task = 'xalpaca_en' AND j.judge = 'language-id'
                                         AND j.facet = 'match'""",
                         [name])
    assert n == 2 and value == pytest.approx(sum(bool(m) for m in expected) / 2)
