"""The board's study pages over a real store: Training curves (checkpoint selection), Compare two
(paired differences), Pairwise rankings (Bradley–Terry, length-controlled win rate), and the
selected checkpoint in the leaderboard -- each value checked against the store."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from babelbench.store import Store
from tests.conftest import SAMPLES
from tests.integration._harness import board_page, harness, query
from tests.integration.test_checkpoint_selection import GOLD, SCRIPTS, PerCheckpoint  # noqa: F401 (registers)
from tests.integration.test_rankings import LongerWins
from tests.support.scripted_model import write_script

NEW_PAGES = ["views/compare.py", "views/training_curves.py"]

RECIPE = """
name: study
base_model: builtin:tiny
data:
  sources:
    - {path: %(samples)s/instructions.en.jsonl, language: en}
    - {path: %(samples)s/instructions.zh.jsonl, language: zh}
  mix: {en: 0.5, zh: 0.5}
  size: 16
  seed: 3
train: {method: lora, lora: {r: 4, alpha: 8, dropout: 0.0}, lr: 1.0e-3, max_steps: 4, batch_size: 4,
        max_length: 128, save_steps: 2, checkpoints: 2}
select: {tasks: [babel_qa_en, babel_qa_zh], metric: contains, limit: 3}
eval: {backend: scripted-per-checkpoint, tasks: [babel_qa_en, babel_qa_zh], limit: 3}
judges: [pairwise]
judge: {baseline: study@a, tasks: ["babel_qa_*"]}
variants:
  a: {train.seed: 1}
  b: {train.seed: 2}
"""


@pytest.fixture(scope="module")
def store(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    right = {(f"babel_qa_{lang}", i): answer for lang, answers in GOLD.items() for i, answer in enumerate(answers)}
    SCRIPTS["step-2"] = str(write_script(folder / "s2.json", {k: v + " — sure." for k, v in right.items()}))
    SCRIPTS["step-4"] = str(write_script(folder / "s4.json", {k: "no idea" for k in right}))
    recipe = folder / "recipe.yaml"
    recipe.write_text(textwrap.dedent(RECIPE % {"samples": SAMPLES}).lstrip())
    path = folder / "results.duckdb"
    with LongerWins() as judge:
        code, out = harness("run", recipe, "--store", path, "--judge-base-url", judge.base_url, "--judge-model", "m")
    assert code == 0, out
    return path


def _page(store, page: str | None) -> AppTest:
    return board_page(store, page)


def test_training_curves_show_the_stored_curve_and_the_choice(store):
    at = _page(store, "views/training_curves.py")
    tables = [d.value for d in at.dataframe]
    assert len(tables) == 2                          # one per variant
    for table in tables:
        assert table["step"].tolist() == [2, 4]
        assert table["en"].tolist() == [1.0, 0.0] and table["zh"].tolist() == [1.0, 0.0]
    assert any("chosen: step 2" in c.value for c in at.caption)


def test_the_leaderboard_names_the_chosen_checkpoint(store):
    at = _page(store, None)
    [table] = [d.value for d in at.dataframe]
    assert table.set_index("variant")["checkpoint"].to_dict() == {"study@a": 2, "study@b": 2}


def test_compare_two_shows_harness_compares_numbers(store):
    at = _page(store, "views/compare.py")
    at.selectbox(key="cmp-a").set_value("study@a").run()
    at.selectbox(key="cmp-b").set_value("study@b").run()
    [table, power] = [d.value for d in at.dataframe]   # the comparison, then its statistical power
    code, out = harness("compare", "study@a", "study@b", "--store", store, "--format", "json")
    expected = json.loads(out)
    assert len(table) == len(power) == len(expected) > 0
    for shown, powered, row in zip(table.to_dict("records"), power.to_dict("records"), expected):
        assert (shown["task"], shown["metric"], shown["n"]) == (row["task"], row["metric"], row["n"])
        assert shown["diff"] == pytest.approx(row["diff"]) and shown["p_holm"] == pytest.approx(row["p_holm"])
        assert (powered["task"], powered["metric"]) == (row["task"], row["metric"])
        assert powered["mde"] == pytest.approx(row["mde"], nan_ok=True)


def test_pairwise_rankings_equal_the_stored_judge_metrics(store):
    at = _page(store, "views/pairwise.py")
    ranked = next(d.value for d in at.dataframe if "bt_win_prob" in d.value)
    row = ranked.set_index("variant").loc["study@b"]
    for measure in ("bt_win_prob", "lc_win_rate", "win_rate"):
        [(value,)] = query(store, """SELECT j.value FROM judge_metrics j JOIN variants v USING (variant_id)
                                     WHERE v.name = 'study@b' AND j.judge = 'pairwise' AND j.facet = ?
                                           AND j.task = 'all'""",
                           [measure])
        assert row[measure] == pytest.approx(value)


def test_new_pages_keep_the_store_messages(tmp_path):
    assert "No results store" in _page(tmp_path / "none.duckdb", None).info[0].value
    empty = tmp_path / "empty.duckdb"
    with Store(empty).write():
        pass
    for page in NEW_PAGES:
        assert "holds no evaluated variant" in _page(empty, page).info[0].value


def test_pages_without_study_data_say_what_to_do(tmp_path, store):
    plain = tmp_path / "plain.duckdb"
    shutil.copy(store, plain)
    with Store(plain).write() as con:
        con.execute("DELETE FROM checkpoint_selections")
    assert "No checkpoint selection yet" in _page(plain, "views/training_curves.py").info[0].value
