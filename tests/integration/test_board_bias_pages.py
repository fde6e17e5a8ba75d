"""The board's Judge biases page and the Compare page's power columns, on a store with two scripted
pairwise judges (tests/support/bias_store.py): in Streamlit's AppTest, and in real headless Chromium at
1400 px with screenshots (test-output/screenshots/judge_biases-1400.png, compare-power-1400.png)."""

from __future__ import annotations

import os
import time

import pytest

from tests.integration._harness import board_page
from tests.support.bias_store import BASELINE, VARIANT, build_bias_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("bias-board") / "results.duckdb"
    build_bias_store(path)
    return path


def test_the_judge_biases_page_shows_each_judges_figures(store):
    at = board_page(store, "views/judge_biases.py")
    overall = at.dataframe[0].value
    flagged = {(r.judge, r.figure) for r in overall.itertuples() if r.flagged is True}
    assert flagged == {("llama-judge", "first_position"), ("gemma-judge", "self_preference"),
                       ("llama-judge", "prefers_wrong_language"),
                       ("rubric-judge", "wrong_language_gap:accuracy")}   # accuracy ignores the language
    self_pref = overall[(overall["judge"] == "gemma-judge") & (overall["figure"] == "self_preference")].iloc[0]
    assert self_pref["value"] == pytest.approx(0.5) and self_pref["n"] == 48
    missing = overall[(overall["judge"] == "llama-judge") & (overall["figure"] == "self_preference")].iloc[0]
    assert missing["n"] == 0 and missing["note"].startswith("not measured")
    per_language = at.dataframe[1].value
    assert {"all", "en", "zh"} <= set(per_language.columns)
    row = per_language[per_language["figure"] == "prefers_wrong_language"].iloc[0]
    assert row["en"] == "not measured" and row["zh"] == "0.000"


def test_the_compare_page_shows_the_minimum_detectable_difference(store):
    import math
    import statistics

    from babelbench.analysis.power import z_sum
    from tests.support.bias_store import baseline_answers, variant_answers

    at = board_page(store, "views/compare.py")
    frame = at.dataframe[1].value      # the power table, after the comparisons
    assert list(frame.columns) == ["task", "language", "metric", "n", "diff", "sd_diff", "mde", "n_needed"]
    row = frame[(frame["task"] == "xquad_gen_en") & (frame["metric"] == "f1")].iloc[0]
    a = [v[1] for (lang, _), v in sorted(baseline_answers().items()) if lang == "en"]   # A: demo@en
    b = [v[1] for (lang, _), v in sorted(variant_answers().items()) if lang == "en"]
    sd = statistics.stdev([y - x for x, y in zip(a, b)])
    assert row["sd_diff"] == pytest.approx(sd)
    assert row["mde"] == pytest.approx(z_sum() * sd / math.sqrt(24))
    assert row["n_needed"] == math.ceil((z_sum() * sd / 0.05) ** 2)    # the page's default D is 0.05
    assert (at.selectbox[0].value, at.selectbox[1].value) == (BASELINE, VARIANT)


@pytest.mark.slow
def test_judge_biases_and_compare_in_headless_chromium(store, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.integration.test_board import CHROMIUM_ARGS, SHOTS, _png_size, serving_board

    if not os.path.exists("/usr/bin/chromium"):
        pytest.fail("Debian's chromium is not installed (`make test` installs it: apt-get install chromium)")
    shots = SHOTS / f"biases-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    shots.mkdir(parents=True)
    pages = {"judge_biases": ("Per language", "judge_biases-1400.png"),
             "compare": ("Statistical power", "compare-power-1400.png")}
    with serving_board(store, tmp_path / "board.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        # 1400 px wide, and tall enough that the whole page is in the picture (Streamlit scrolls its own pane)
        page = browser.new_page(viewport={"width": 1400, "height": 1900})
        for path, (marker, name) in pages.items():
            page.goto(f"{url}/{path}", wait_until="domcontentloaded")
            page.wait_for_selector(f"text={marker}", timeout=60_000)
            page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
            page.wait_for_timeout(2000)   # charts and tables draw after the text
            assert not page.locator('[data-testid="stException"]').count(), path
            page.screenshot(path=str(shots / name), full_page=True)
        browser.close()
    for _, name in pages.values():
        width, height = _png_size((shots / name).read_bytes())
        assert width == 1400 and height >= 1900


def test_the_leaderboard_offers_the_language_gated_family_score(store):
    from babelbench.store import Store
    from babelbench.store.queries import gated_rows

    at = board_page(store)
    assert "xquad_gen f1:gated" not in at.dataframe[0].value.columns       # offered, not shown by default
    assert "xquad_gen · f1:gated" in at.sidebar.multiselect(key="task").options
    at.sidebar.multiselect(key="task").set_value(["xquad_gen · f1", "xquad_gen · f1:gated"]).run()
    shown = at.dataframe[0].value.set_index("variant")["xquad_gen f1:gated"]
    with Store(store).read() as con:
        gated = {r["variant"]: r["value"] for r in gated_rows(con) if r["task"] == "xquad_gen (macro)"}
    from tests.support.bias_store import baseline_answers

    # by hand: the baseline's English answer to Chinese document 0 counts 0 instead of its f1 of 0.5
    f1 = {lang: [v[1] for (language, _), v in baseline_answers().items() if language == lang] for lang in ("en", "zh")}
    ungated = (sum(f1["en"]) / 24 + sum(f1["zh"]) / 24) / 2
    assert f1["zh"][0] == 0.5 and gated[BASELINE] == pytest.approx(ungated - 0.5 / 24 / 2)
    for variant, value in gated.items():
        assert shown[variant] == f"{value:.3g}"


def test_the_cli_prints_the_same_biases_and_power(store):
    """`harness report --biases` and `harness compare --detect` on the same store (no model needed)."""
    import json
    import math

    from babelbench.analysis.power import z_sum
    from tests.integration._harness import harness

    code, out = harness("report", "--biases", "--store", store, "--format", "json")
    assert code == 0, out
    rows = {(r["judge"], r["language"], r["figure"]): r for r in json.loads(out)}
    assert rows[("llama-judge", None, "first_position")]["flagged"] is True
    assert rows[("gemma-judge", None, "self_preference")]["value"] == pytest.approx(0.5)
    code, out = harness("report", "--biases", "--store", store, "--language", "zh")
    assert code == 0 and "self_preference" in out and "en (English)" not in out, out
    code, out = harness("report", "--biases", "--store", store, "--format", "latex")
    assert code == 2 and "table, json or csv" in out
    code, out = harness("compare", BASELINE, VARIANT, "--store", store, "--format", "json", "--detect", "0.1",
                        "--tasks", "xquad_gen_en")
    assert code == 0, out
    [f1] = [r for r in json.loads(out) if r["metric"] == "f1"]
    assert f1["n_needed"] == math.ceil((z_sum() * f1["sd_diff"] / 0.1) ** 2)
    assert f1["mde"] == pytest.approx(z_sum() * f1["sd_diff"] / math.sqrt(24))
    code, out = harness("compare", BASELINE, VARIANT, "--store", store, "--detect", "0.1", "--tasks", "xquad_gen_en")
    assert code == 0 and "n for 0.1" in out and "MDE" in out, out
