"""The board's Scaling page over a store filled here (a synthetic sweep fitted by `harness fit`): the laws
and the allocation it shows are the stored ones, and a store without fits says how to make one."""

from __future__ import annotations

import json
import os

import pytest
from streamlit.testing.v1 import AppTest

from babelbench.store import Store
from tests.conftest import ROOT
from tests.integration._harness import harness, query
from tests.integration.test_fit_command import build_store

APP = str(ROOT / "leaderboard" / "app.py")
PAGE = "views/scaling.py"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scaling")
    path = folder / "results.duckdb"
    build_store(path, str(folder / "coit.yaml"))
    code, out = harness("fit", "--store", path, "--recipe", "coit", "--rounds", "100", "--budget", "830",
                        "--step", "40", "--cap", "zh=500")
    assert code == 0, out
    code, out = harness("fit", "--store", path, "--recipe", "coit", "--rounds", "100", "--seed", "1")
    assert code == 0, out
    return path


def _page(store_path) -> AppTest:
    os.environ["BABELBENCH_STORE"] = str(store_path)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _fit_ids(store) -> tuple[str, str]:
    """(the fit with an allocation, the one without)."""
    [(allocated,)] = query(store, "SELECT DISTINCT fit_id FROM scaling_allocations")
    [(other,)] = query(store, "SELECT DISTINCT fit_id FROM scaling_fits WHERE fit_id <> ?", [allocated])
    return allocated, other


def test_the_laws_shown_are_the_stored_ones(store):
    at = _page(store)
    allocated, other = _fit_ids(store)
    assert at.selectbox(key="scaling-fit").value == other          # the newest fit first
    assert "No budget allocated from this fit" in at.info[0].value
    at.selectbox(key="scaling-fit").set_value(allocated).run()
    laws = next(d.value for d in at.dataframe if "law" in d.value)
    stored = query(store, "SELECT language, law, params, params_low, params_high, loo_error, points FROM scaling_fits "
                          "WHERE fit_id = ? ORDER BY language", [allocated])
    assert laws["language"].tolist() == [r[0] for r in stored] == ["ar", "zh"]
    assert laws["law"].tolist() == [r[1] for r in stored] == ["power", "log"]
    for (_, _, params, low, high, loo, points), shown in zip(stored, laws.to_dict("records")):
        params, low, high, loo = json.loads(params), json.loads(low), json.loads(high), json.loads(loo)
        assert shown["parameters"] == "; ".join(f"{k} = {v:.4g} [{low[k]:.4g}, {high[k]:.4g}]"
                                                for k, v in params.items())
        assert shown["LOO RMSE (log)"] == pytest.approx(loo["log"])
        assert shown["LOO RMSE (power)"] == pytest.approx(loo["power"])
        assert shown["points"] == len(json.loads(points)) == 6
        assert shown["sizes"] == "0, 50, 100, 200, 400, 800"


def test_the_allocation_shown_is_the_stored_one(store):
    at = _page(store)
    allocated, _ = _fit_ids(store)
    at.selectbox(key="scaling-fit").set_value(allocated).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "predicted" in d.value)
    stored = query(store, "SELECT language, size, predicted, predicted_low, predicted_high FROM scaling_allocations "
                          "WHERE fit_id = ? ORDER BY language", [allocated])
    assert table["language"].tolist() == ["ar", "zh"]
    assert table["size"].tolist() == [r[1] for r in stored]
    assert sum(table["size"]) == 800 and table["size"].tolist()[1] <= 500   # 830 in steps of 40; zh capped
    assert table["predicted"].tolist() == pytest.approx([r[2] for r in stored])
    assert table["low"].tolist() == pytest.approx([r[3] for r in stored])
    assert table["high"].tolist() == pytest.approx([r[4] for r in stored])
    assert any("800 of 830 examples allocated (30 left" in c.value for c in at.caption)


def test_a_store_without_fits_says_how_to_make_one(tmp_path):
    empty = tmp_path / "empty.duckdb"
    with Store(empty).write():
        pass
    at = _page(empty)
    assert "No scaling fit stored yet: run `harness fit --recipe SWEEP`" in at.info[0].value
