"""`harness ratings import/export` and `harness report --agreement` on a store of rateable answers."""

from __future__ import annotations

import json

import pytest
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

from tests.integration._harness import harness, query
from tests.support.rated_store import DOCS, TASK, TUNED_EVAL, build_rated_store, judge_grades

HEADER = "rater,eval_key,task,doc_id,facet,score,scale_min,scale_max,note\n"
#: document -> ann's fluency grade (1-3); bob grades 0-2 on the study's scale
ANN = {0: 1, 1: 3, 2: 3, 3: 2, 4: 2, 5: 1, 6: 1, 7: 3}
BOB = {0: 0, 1: 1, 2: 2, 3: 1}


def _csv() -> str:
    return HEADER + "".join(f"ann,{TUNED_EVAL},{TASK},{d},fluency,{g},1,3,\"note, with a comma\"\n" for d, g in ANN.items()) \
        + "".join(f"bob,{TUNED_EVAL},{TASK},{d},fluency,{g},0,2,\n" for d, g in BOB.items())


@pytest.fixture
def store(tmp_path):
    return build_rated_store(tmp_path)


def test_a_file_with_bad_rows_names_each_at_its_line_and_stores_nothing(store, tmp_path):
    bad = tmp_path / "r.csv"
    bad.write_text(_csv() + f"cy,{TUNED_EVAL},{TASK},3,fluency,4,1,3,\n" + f"cy,{TUNED_EVAL},{TASK},42,fluency,2,1,3,\n",
                   encoding="utf-8")
    code, out = harness("ratings", "import", bad, "--store", store)
    assert code == 2 and "Traceback" not in out
    assert f"{bad}:14: score: 4 lies outside the scale 1-3" in out
    assert f"{bad}:15: doc_id: no stored answer to document 42" in out
    assert query(store, "SELECT count(*) FROM human_ratings") == [(0,)]


def test_import_export_round_trip_and_reimport_adds_nothing(store, tmp_path):
    good = tmp_path / "r.csv"
    good.write_text(_csv(), encoding="utf-8")
    for _ in range(2):
        code, out = harness("ratings", "import", good, "--store", store)
        assert code == 0, out
    assert query(store, "SELECT count(*), count(DISTINCT rater) FROM human_ratings") == [(12, 2)]
    code, out = harness("ratings", "export", tmp_path / "out", "--store", store)
    assert code == 0, out
    lines = (tmp_path / "out" / "ratings.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 and json.loads(lines[0])["note"] == "note, with a comma"
    (tmp_path / "other").mkdir()
    other = build_rated_store(tmp_path / "other")
    for name in ("ratings.jsonl", "ratings.csv"):
        code, out = harness("ratings", "import", tmp_path / "out" / name, "--store", other)
        assert code == 0, out
    columns = "rater, eval_key, task, doc_id, facet, score, scale_min, scale_max, note, rated_at"
    assert query(other, f"SELECT {columns} FROM human_ratings ORDER BY ALL") == \
        query(store, f"SELECT {columns} FROM human_ratings ORDER BY ALL")


def test_report_agreement_equals_sklearn_and_scipy(store, tmp_path):
    (tmp_path / "r.csv").write_text(_csv(), encoding="utf-8")
    assert harness("ratings", "import", tmp_path / "r.csv", "--store", store)[0] == 0
    code, out = harness("report", "--agreement", "--format", "json", "--store", store)
    assert code == 0, out
    [row] = [r for r in json.loads(out) if r["kind"] == "rubric"]
    judge = [judge_grades(d)["fluency"] for d in DOCS] + [judge_grades(d)["fluency"] for d in BOB]
    human = [ANN[d] for d in DOCS] + [g + 1 for g in BOB.values()]
    assert (row["facet"], row["n"], row["answers"], row["raters"]) == ("fluency", 12, 8, 2)
    assert row["kappa"] == pytest.approx(cohen_kappa_score(judge, human, labels=[1, 2, 3], weights="quadratic"))
    assert row["rho"] == pytest.approx(spearmanr(judge, human).statistic)
    assert row["alpha_units"] == 4
    code, out = harness("report", "--agreement", "--store", store)
    assert code == 0 and "judge-human agreement" in out and "fluency" in out
