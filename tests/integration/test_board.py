"""The Streamlit leaderboard, page by page with Streamlit's AppTest, on a store filled by a real
`harness run` on builtin:tiny (LoRA variants, a sweep, PLUG, language-id and pairwise judges
over a loopback OpenAI-protocol endpoint); the values shown are checked against the store."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, SAMPLES
from tests.integration._harness import harness, query
from tests.support.openai_loopback import FixedLatencyJudge

APP = str(ROOT / "leaderboard" / "app.py")
PAGES = ["views/languages.py", "views/pairwise.py", "views/recipe_diff.py", "views/samples.py", "views/trends.py"]

RECIPE = """
    name: board
    base_model: builtin:tiny
    data:
      sources:
        - {path: %(samples)s/instructions.en.jsonl, language: en}
        - {path: %(samples)s/instructions.zh.jsonl, language: zh}
      mix: {en: 0.5, zh: 0.5}
      size: 8
    train: {method: lora, lora: {r: 2, alpha: 4}, max_steps: 1, batch_size: 4, max_length: 64}
    eval:
      tasks: [xalpaca_en, xalpaca_zh, xquad_gen_en, xquad_gen_zh]
      limit: 2
      gen_kwargs: {max_gen_toks: 8}
    judges: [language-id, pairwise]
    judge:
      baseline: "board@mixed,lr=0.0001"
      backend: {base_url: "%(url)s", model: loopback}
    variants:
      mixed: {}
      plug: {pivot.mode: plug}
    sweep:
      train.lr: [1.0e-4, 1.0e-3]
"""


@pytest.fixture(scope="module")
def store(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("board")
    path = folder / "results.duckdb"
    with FixedLatencyJudge(latency=0) as server:
        recipe = folder / "recipe.yaml"
        recipe.write_text(textwrap.dedent(RECIPE % {"samples": SAMPLES, "url": server.base_url}).lstrip())
        code, out = harness("run", recipe, "--store", path)
        assert code == 0, out
    return path


def _app(store_path) -> AppTest:
    os.environ["BABELBENCH_STORE"] = str(store_path)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_leaderboard_shows_each_variant_with_stored_scores_and_filters(store):
    at = _app(store)
    [table] = [d.value for d in at.dataframe]
    assert sorted(table["variant"]) == sorted(r[0] for r in query(store, "SELECT name FROM variants"))
    for _, row in table.iterrows():
        [(f1, low, high, n)] = query(store, """
            SELECT m.value, m.ci_low, m.ci_high, m.n FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
            AND s.kind = 'eval' JOIN variants v USING (variant_id)
            WHERE v.name = ? AND m.task = 'xquad_gen (macro)' AND m.is_group""", [row["variant"]])
        assert row["xquad_gen · f1"] == pytest.approx(f1) and row["xquad_gen · f1 n"] == n == 4
        assert row["xquad_gen · f1 95% CI"] == f"[{low:.3g}, {high:.3g}]"
        match = query(store, """SELECT j.value FROM judge_metrics j JOIN variants v USING (variant_id)
                                WHERE v.name = ? AND j.task = 'all' AND j.metric = 'judge:language-id/match'""",
                      [row["variant"]])
        shown = row.get("judge:language-id/match")
        if match:   # a PLUG variant whose answers all lack a target part has no match rate
            assert shown == pytest.approx(match[0][0])
        else:
            assert shown is None or shown != shown
    at.sidebar.text_input(key="search").input("plug").run()
    assert sorted(at.dataframe[0].value["variant"]) == ["board@plug,lr=0.0001", "board@plug,lr=0.001"]
    at.sidebar.text_input(key="search").input("").run()
    at.sidebar.multiselect(key="judge").set_value([]).run()
    assert not [c for c in at.dataframe[0].value.columns if c.startswith("judge:")]


def test_languages_heatmap_and_transfer_gaps_match_the_store(store):
    at = _page(_app(store), "views/languages.py")
    heat, gaps = at.dataframe[0].value, at.dataframe[1].value
    chosen = set(heat["variant"])
    assert len(chosen) == 3   # the first three variants by default
    for _, row in heat.iterrows():
        for lang, task in (("en", "xquad_gen_en"), ("zh", "xquad_gen_zh")):
            if row["language"] == lang:
                [(f1,)] = query(store, """SELECT m.value FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
                    AND s.kind = 'eval' JOIN variants v USING (variant_id)
                    WHERE v.name = ? AND m.task = ? AND m.metric = 'f1' AND NOT m.is_group
                    AND m.filter = CASE WHEN v.pivot_mode = 'plug' THEN 'plug' ELSE 'none' END""", [row["variant"], task])
                assert row["xquad_gen · f1"] == pytest.approx(f1)
    for variant in chosen:
        [(gap,)] = query(store, """SELECT m.value FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
            AND s.kind = 'eval' JOIN variants v USING (variant_id)
            WHERE v.name = ? AND m.metric = 'transfer_gap:f1'""", [variant])
        assert gaps.loc[gaps["task"] == "xquad_gen_zh", variant].item() == pytest.approx(gap)


def test_pairwise_matrix_matches_the_judge_metrics(store):
    at = _page(_app(store), "views/pairwise.py")
    table = at.dataframe[0].value
    assert sorted(table["variant"]) == ["board@mixed,lr=0.001", "board@plug,lr=0.0001", "board@plug,lr=0.001"]
    assert set(table["baseline"]) == {"board@mixed,lr=0.0001"}
    stored = dict(query(store, """SELECT v.name, j.n FROM judge_metrics j JOIN variants v USING (variant_id)
                                  WHERE j.task = 'all' AND j.metric = 'judge:pairwise/win'"""))
    judged = table[table["pairs"].notna()]
    assert dict(zip(judged["variant"], judged["pairs"])) == stored and stored["board@mixed,lr=0.001"] == 4
    # the loopback judge answers "tie" in both orders: every judged pair is a tie, no order flips
    assert set(judged["tie"]) == {1.0} and set(judged["order_flip"]) == {0.0} and set(judged["win"]) == {0.0}


def test_recipe_diff_names_the_fields_that_differ(store):
    at = _page(_app(store), "views/recipe_diff.py")
    names = {v: n for v, n in query(store, "SELECT variant_id, name FROM variants")}
    by_name = {n: v for v, n in names.items()}
    at.selectbox(key="a").set_value(by_name["board@mixed,lr=0.0001"])
    at.selectbox(key="b").set_value(by_name["board@plug,lr=0.001"]).run()
    diff = at.dataframe[0].value
    assert set(diff["field"]) == {"pivot.mode", "train.lr"}
    assert diff.set_index("field").loc["pivot.mode"].tolist() == ["'none'", "'plug'"]
    scores = at.dataframe[1].value.set_index("score")
    row = scores.loc["xquad_gen · f1"]
    assert row["B − A"] == pytest.approx(row["B"] - row["A"])


def test_samples_page_shows_answers_with_detected_language(store):
    at = _page(_app(store), "views/samples.py")
    variant = at.selectbox(key="variant").value
    table = at.dataframe[0].value
    rows = query(store, """SELECT s.task, s.doc_id, s.kept_response FROM samples s
                           JOIN variant_stages st ON st.key = s.eval_key AND st.kind = 'eval'
                           WHERE st.variant_id = ? ORDER BY s.task, s.doc_id""", [variant])
    assert len(table) == len(rows) == 8
    assert list(table["kept_response"]) == [r[2] for r in rows]
    at.selectbox(key="task").set_value("xquad_gen_zh").run()
    assert set(at.dataframe[0].value["task"]) == {"xquad_gen_zh"}


def test_trends_plot_a_swept_field(store):
    at = _page(_app(store), "views/trends.py")
    assert "train.lr" in at.selectbox(key="field").options
    at.selectbox(key="field").set_value("train.lr").run()
    table = at.dataframe[0].value
    assert sorted(set(table["train.lr"])) == [1e-4, 1e-3] and set(table["language"]) == {"en", "zh"}


def test_missing_empty_and_old_stores_get_a_message_not_a_traceback(tmp_path):
    at = _app(tmp_path / "none.duckdb")
    assert "No results store" in at.info[0].value
    empty = tmp_path / "empty.duckdb"
    from babelbench.store import Store

    with Store(empty).write():
        pass
    for page in [None, *PAGES]:
        at = _app(empty) if page is None else _page(_app(empty), page)
        assert "holds no evaluated variant" in at.info[0].value
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE _migrations (id INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    con.execute("INSERT INTO _migrations VALUES (1, 'initial', now())")
    con.close()
    assert "older babelbench" in _app(old).warning[0].value


def test_board_reads_while_a_run_writes_the_same_store(store, tmp_path):
    """A second recipe runs into the same store in another process while the board reloads."""
    recipe = tmp_path / "more.yaml"
    recipe.write_text(textwrap.dedent("""
        name: more
        base_model: builtin:tiny
        train: {method: none}
        eval: {tasks: [xalpaca_en, xalpaca_zh, xquad_gen_en], limit: 2, gen_kwargs: {max_gen_toks: 4}}
        variants: {a: {}, b: {eval.gen_kwargs.max_gen_toks: 6}, c: {eval.gen_kwargs.max_gen_toks: 8}}
        """).lstrip())
    proc = subprocess.Popen([sys.executable, "-c", "from babelbench.cli.app import main; main()", "run", str(recipe),
                             "--store", str(store)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    loads = 0
    while proc.poll() is None or loads < 3:
        at = _app(store)
        assert not at.warning or "evaluated differently" in at.warning[0].value, at.warning[0].value
        loads += 1
    assert proc.returncode == 0, proc.stdout.read().decode()[-2000:]
    at = _app(store)
    groups = [set(d.value["variant"]) for d in at.dataframe]
    # evaluated on other tasks: ranked in a group of their own, and the board says why
    assert {"more@a", "more@b", "more@c"} in groups and len(groups) == 2
    assert "evaluated differently" in at.warning[0].value
    assert loads >= 3


# --- real headless Chromium against `harness board` -------------------------------------

SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def board_server(store, tmp_path):
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "board.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", "from babelbench.cli.app import main; main()", "board",
                             "--store", str(store), "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "board.log").read_text()
        time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.mark.slow
def test_every_page_in_headless_chromium_with_a_filter_and_screenshots(board_server):
    from playwright.sync_api import sync_playwright

    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.fail("Debian's chromium is not installed (`make test` installs it: apt-get install chromium)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(board_server, wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        assert page.get_by_text("babelbench leaderboard").is_visible()
        page.screenshot(path=str(SHOTS / "leaderboard.png"), full_page=True)
        # a filter: search the variants for "plug"
        search = page.get_by_label("Search variants")
        search.fill("plug")
        search.press("Enter")
        page.wait_for_timeout(1500)
        page.wait_for_selector('[data-testid="stDataFrame"]')
        page.screenshot(path=str(SHOTS / "leaderboard-filtered.png"), full_page=True)
        for path, marker in (("languages", "Transfer gap"), ("pairwise", "Win rate matrix"),
                             ("recipe_diff", "Fields that differ"), ("samples", "Compare two variants"),
                             ("trends", "Trends")):
            page.goto(f"{board_server}/{path}", wait_until="domcontentloaded")
            page.wait_for_selector(f"text={marker}", timeout=60_000)
            page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
            assert not page.locator('[data-testid="stException"]').count()
            page.screenshot(path=str(SHOTS / f"{path}.png"), full_page=True)
        browser.close()
    assert {p.name for p in SHOTS.glob("*.png")} >= {"leaderboard.png", "leaderboard-filtered.png", "languages.png",
                                                     "pairwise.png", "recipe_diff.png", "samples.png", "trends.png"}
