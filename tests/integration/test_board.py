"""The Streamlit leaderboard, page by page with Streamlit's AppTest, on a store filled by a real
`harness run` on builtin:tiny (LoRA variants, a sweep, PLUG, language-id and pairwise judges
over a loopback OpenAI-protocol endpoint); the values shown are checked against the store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from babelbench.store import Store
from babelbench.store import board as board_queries
from tests.conftest import ROOT, SAMPLES
from tests.integration._harness import harness, query
from tests.support.openai_loopback import FixedLatencyJudge

APP = str(ROOT / "leaderboard" / "app.py")
PAGES = ["views/overview.py", "views/languages.py", "views/pairwise.py", "views/recipe_diff.py", "views/samples.py", "views/trends.py"]

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
    f1s = []
    for _, row in table.iterrows():
        [(f1, low, high, n)] = query(store, """
            SELECT m.value, m.ci_low, m.ci_high, m.n FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
            AND s.kind = 'eval' JOIN variants v USING (variant_id)
            WHERE v.name = ? AND m.task = 'xquad_gen (macro)' AND m.is_group""", [row["variant"]])
        # each score: value ± half its 95 % interval, as `harness report` prints it
        assert row["xquad_gen f1"] == f"{f1:.3g} ± {(high - low) / 2:.2g}" and n == 4
        f1s.append(f1)
        match = query(store, """SELECT j.value FROM judge_metrics j JOIN variants v USING (variant_id)
                                WHERE v.name = ? AND j.task = 'all' AND j.judge = 'language-id'
                                      AND j.facet = 'match'""",
                      [row["variant"]])
        shown = row.get("language-id match")
        if match:   # a PLUG variant whose answers all lack a target part has no match rate
            assert shown.split(" ± ")[0] == f"{match[0][0]:.3g}"
        else:
            assert shown == "—"
    assert f1s == sorted(f1s, reverse=True)        # ranked by the first score column, best first
    assert at.selectbox(key="rank").value == "xquad_gen · f1"
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["variant"]["pinned"] is True
    assert "n = 4 (documents)" in config["xquad_gen f1"]["help"]
    at.sidebar.text_input(key="search").input("plug").run()
    assert sorted(at.dataframe[0].value["variant"]) == ["board@plug,lr=0.0001", "board@plug,lr=0.001"]
    at.sidebar.text_input(key="search").input("").run()
    at.sidebar.multiselect(key="judge").set_value([]).run()
    assert not [c for c in at.dataframe[0].value.columns if c.startswith("language-id")]
    at.sidebar.multiselect(key="language").set_value(["zh"]).run()
    assert "zh primary" in at.dataframe[0].value.columns


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
                                  WHERE j.task = 'all' AND j.judge = 'pairwise' AND j.facet = 'win'"""))
    judged = table[table["pairs"].notna()]
    assert dict(zip(judged["variant"], judged["pairs"])) == stored and stored["board@mixed,lr=0.001"] == 4
    # the loopback judge answers "tie" in both orders: every judged pair is a tie, no order flips
    assert set(judged["tie"]) == {1.0} and set(judged["order_flip"]) == {0.0} and set(judged["win"]) == {0.0}


def _diff_page(store_path, a: str, b: str) -> AppTest:
    at = _page(_app(store_path), "views/recipe_diff.py")
    by_name = {n: v for v, n in query(store_path, "SELECT variant_id, name FROM variants")}
    at.selectbox(key="a").set_value(by_name[a])
    at.selectbox(key="b").set_value(by_name[b]).run()
    assert not at.exception, at.exception
    return at


def test_recipe_diff_names_the_fields_that_differ(store, tmp_path):
    a, b = "board@mixed,lr=0.0001", "board@plug,lr=0.001"
    at = _diff_page(store, a, b)
    # the two variants' recipes differ in exactly these fields (values as the page shows them: repr)
    assert at.dataframe[0].value.to_dict("records") == [{"field": "pivot.mode", "A": "'none'", "B": "'plug'"},
                                                        {"field": "train.lr", "A": "0.0001", "B": "0.001"}]
    assert {"xquad_gen · f1", "all tasks · en · primary_score", "all tasks · zh · primary_score"} <= set(
        at.dataframe[1].value["score"])
    # the score differences, on a copy of the store whose stored scores of A and B are set to known values
    known = tmp_path / "known.duckdb"
    shutil.copyfile(store, known)
    con = duckdb.connect(str(known))
    for name, task, metric, value in ((a, "xquad_gen (macro)", "f1", 0.25), (b, "xquad_gen (macro)", "f1", 0.75),
                                      (a, "all tasks · en", "primary_score", 0.5),
                                      (b, "all tasks · en", "primary_score", 0.125)):
        changed = con.execute("""UPDATE metrics SET value = ? WHERE task = ? AND metric = ? AND is_group AND scored
            AND eval_key = (SELECT s.key FROM variant_stages s JOIN variants v USING (variant_id)
                            WHERE v.name = ? AND s.kind = 'eval') RETURNING eval_key""", [value, task, metric, name])
        assert len(changed.fetchall()) == 1
    con.close()
    scores = _diff_page(known, a, b).dataframe[1].value.set_index("score")
    assert scores.loc["xquad_gen · f1"].tolist() == [0.25, 0.75, 0.5]
    assert scores.loc["all tasks · en · primary_score"].tolist() == [0.5, 0.125, -0.375]
    # and swapped: B − A changes sign
    scores = _diff_page(known, b, a).dataframe[1].value.set_index("score")
    assert scores.loc["xquad_gen · f1"].tolist() == [0.75, 0.25, -0.5]


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
    # a task family's score against the field: a point and its 95 % interval per variant
    at.selectbox(key="score").set_value("xquad_gen · f1").run()
    [(spec, data)] = _charts(at)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "point"]
    assert spec["layer"][0]["encoding"]["y2"]["field"] == "high"
    stored = {n: (v, lo, hi) for n, v, lo, hi in query(store, """
        SELECT v.name, m.value, m.ci_low, m.ci_high FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
        AND s.kind = 'eval' JOIN variants v USING (variant_id) WHERE m.task = 'xquad_gen (macro)' AND m.scored""")}
    shown = {d["variant"]: (d["value"], d["low"], d["high"]) for d in data}
    assert shown.keys() == stored.keys()
    for name, values in stored.items():
        assert shown[name] == pytest.approx(values), name


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


class GatedJudge(FixedLatencyJudge):
    """A loopback judge that holds every chat completion until ``gate`` is set; ``arrived`` is set
    by the first one. A run's judge stage is thereby ``running`` for as long as the test needs."""

    def __init__(self, **kw):
        super().__init__(latency=0, **kw)
        self.gate, self.arrived = threading.Event(), threading.Event()

    async def handle(self, request):
        if request.method == "POST":
            self.arrived.set()
            while not self.gate.is_set():
                await asyncio.sleep(0.02)
        return await super().handle(request)


def _snapshot(store_path) -> tuple[list[tuple], list[str]]:
    """One read-only look at the store, as the board reads it: the stage runs of the `more` recipe
    and, on the same connection (the same moment), the board's leaderboard query."""
    with Store(store_path).read() as con:
        runs = con.execute("""SELECT r.run_id, v.name, r.kind, r.status FROM stage_runs r JOIN variants v
                              USING (variant_id) WHERE v.name LIKE 'more@%' ORDER BY ALL""").fetchall()
        shown = [r["variant"] for r in board_queries.leaderboard(con)]
    return runs, shown


def test_board_reads_while_a_run_writes_the_same_store(store, tmp_path):
    """A second recipe runs into the same store in another process while the board reads it; its judge
    stage is held open (a gated judge endpoint), so one read certainly happens while a stage is running."""
    import streamlit as st

    board_variants = sorted(r[0] for r in query(store, "SELECT name FROM variants"))
    assert len(board_variants) == 4
    recipe = tmp_path / "more.yaml"
    log = tmp_path / "run.log"
    reads: list[tuple[list[tuple], list[str]]] = []
    held = None
    with GatedJudge() as judge:
        recipe.write_text(textwrap.dedent(f"""
            name: more
            base_model: builtin:tiny
            train: {{method: none}}
            eval: {{tasks: [xalpaca_en, xalpaca_zh, xquad_gen_en], limit: 2, gen_kwargs: {{max_gen_toks: 4}}}}
            judges: [rubric-6facet]
            judge: {{backend: {{base_url: "{judge.base_url}", model: loopback}}}}
            variants: {{a: {{}}, b: {{eval.gen_kwargs.max_gen_toks: 6}}, c: {{eval.gen_kwargs.max_gen_toks: 8}}}}
            """).lstrip())
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "-c", "from babelbench.cli.app import main; main()", "run",
                                     str(recipe), "--store", str(store)], stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline, last_app = time.monotonic() + 300, 0.0
            while proc.poll() is None:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                if judge.arrived.is_set() and held is None:
                    # the judge stage waits on the gate: it is `running` now, and stays so until released
                    before = _snapshot(store)
                    st.cache_data.clear()
                    at = _app(store)           # the whole board renders, reading the store meanwhile
                    after = _snapshot(store)
                    held = before, after, at
                    reads += [before, after]
                    judge.gate.set()
                    continue
                reads.append(_snapshot(store))
                if time.monotonic() - last_app > 2:   # the board app reloads now and then, as a user would
                    at = _app(store)
                    assert not at.warning or "evaluated differently" in at.warning[0].value, at.warning[0].value
                    last_app = time.monotonic()
                time.sleep(0.05)
        finally:
            judge.gate.set()
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    assert proc.returncode == 0, log.read_text()[-3000:]
    # a read happened while a stage was running, and the board's query succeeded on that very connection
    assert "running" in {status for runs, _ in reads for *_, status in runs}
    assert held is not None, "the judge endpoint was never called"
    (runs_before, shown_before), (runs_after, shown_after), at = held
    running = [(run_id, name, kind) for run_id, name, kind, status in runs_before if status == "running"]
    assert [(name, kind) for _, name, kind in running] == [("more@a", "judge")]
    assert running[0] in [(run_id, name, kind) for run_id, name, kind, status in runs_after if status == "running"]
    assert sorted(shown_before) == sorted(shown_after) == sorted(board_variants + ["more@a", "more@b", "more@c"])
    # ... and the app rendered in between, from the store as it was
    assert not at.exception
    assert sorted(v for d in at.dataframe for v in d.value["variant"]) == sorted(shown_before)
    # at every read: the finished variants are all there, and a variant whose evaluation has not
    # finished is not shown
    for runs, shown in reads:
        evaluated = {name for _, name, kind, status in runs if kind == "eval" and status == "done"}
        assert sorted(shown) == sorted(set(board_variants) | evaluated), (runs, shown)
    # the run finished every stage it started
    assert [r[1:] for r in query(store, """SELECT r.run_id, v.name, r.kind, r.status FROM stage_runs r
                                           JOIN variants v USING (variant_id) WHERE v.name LIKE 'more@%'
                                           ORDER BY v.name, r.kind""")] == [
        (f"more@{v}", kind, "done") for v in "abc" for kind in ("eval", "judge")]
    at = _app(store)
    groups = [set(d.value["variant"]) for d in at.dataframe]
    # evaluated on other tasks: ranked in a group of their own, and the board says why
    assert {"more@a", "more@b", "more@c"} in groups and len(groups) == 2
    assert "evaluated differently" in at.warning[0].value


# --- real headless Chromium against `harness board` -------------------------------------

SHOTS = ROOT / "test-output" / "screenshots"   # the latest run's screenshots; each run's own in a subfolder
#: page path -> text that shows it has rendered
BROWSER_PAGES = {"": "babelbench leaderboard", "overview": "Primary score per task family", "languages": "Transfer gap",
         "pairwise": "Win rate matrix", "compare": "Compare two variants", "training_curves": "Training curves",
         "recipe_diff": "Fields that differ", "samples": "Compare two variants", "trends": "Trends"}
WIDTHS = (1400, 1920)
SHOT_NAMES = ["leaderboard-filtered.png"] + [f"{path or 'leaderboard'}-{w}.png" for w in WIDTHS for path in BROWSER_PAGES]
KEEP_RUNS = 5
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}


@contextlib.contextmanager
def serving_board(store, log_path):
    """`harness board --store STORE` on a free loopback port; yields its URL once healthy, stops it after."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", "from babelbench.cli.app import main; main()", "board",
                             "--store", str(store), "--port", str(port)], stdout=log_path.open("w"),
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def board_server(store, tmp_path):
    with serving_board(store, tmp_path / "board.log") as url:
        yield url


def _rendered_tables(page) -> list[dict]:
    """What each table on the page renders, read from the DOM in one go: Streamlit draws a dataframe on a
    canvas and mirrors it as an accessible table (role=grid): its first column's header and cells, and
    how many data rows the grid says it has (aria-rowcount counts the header row)."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDataFrame"] table[role="grid"]')]
        .map(t => ({header: t.querySelector('thead th[aria-colindex="1"]')?.textContent,
                    rows: Number(t.getAttribute('aria-rowcount')) - 1,
                    variants: [...t.querySelectorAll('tbody tr[role="row"] td[aria-colindex="1"]')]
                              .map(c => c.textContent)}))""")


def _shown_variants(page, expected: list[str], timeout_s: float = 30) -> list[str]:
    """The variants the page's tables show, once they are ``expected`` (or the time is up)."""
    deadline = time.monotonic() + timeout_s
    while True:
        tables = _rendered_tables(page)
        assert all(t["header"] == "variant" for t in tables), tables
        shown = sorted(v for t in tables for v in t["variants"])
        complete = all(t["rows"] == len(t["variants"]) for t in tables)   # no row left unrendered
        if (shown == expected and complete) or time.monotonic() > deadline:
            assert complete, tables
            return shown
        page.wait_for_timeout(200)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", data[:16]
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.slow
def test_every_page_in_headless_chromium_with_a_filter_and_screenshots(board_server, store):
    from playwright.sync_api import sync_playwright

    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.fail("Debian's chromium is not installed (`make test` installs it: apt-get install chromium)")
    started = time.time()
    shots = SHOTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    shots.mkdir(parents=True)          # a fresh folder: fails if it exists
    with Store(store).read() as con:
        everyone = sorted(v["variant"] for v in board_queries.evaluated_variants(con))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(board_server, wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        assert page.get_by_text("babelbench leaderboard").is_visible()
        assert _shown_variants(page, everyone) == everyone
        # a filter: search the variants for "plug"; the tables then show exactly the PLUG variants
        search = page.get_by_label("Search variants")
        search.fill("plug")
        search.press("Enter")
        plug = ["board@plug,lr=0.0001", "board@plug,lr=0.001"]
        assert [v for v in everyone if "plug" in v] == plug
        assert _shown_variants(page, plug) == plug
        page.screenshot(path=str(shots / "leaderboard-filtered.png"), full_page=True)
        for width in WIDTHS:   # every page, at a laptop's and a desktop's width
            page.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
            for path, marker in BROWSER_PAGES.items():
                page.goto(f"{board_server}/{path}", wait_until="domcontentloaded")
                page.wait_for_selector(f"text={marker}", timeout=60_000)
                page.wait_for_timeout(1500)   # charts and tables draw after the text
                assert not page.locator('[data-testid="stException"]').count(), path
                if width == 1920 and path == "":
                    # the main group (a demo-sized study: four variants, a task family, five judge facets)
                    # fits: its table does not scroll sideways
                    overflow = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                        .map(f => { const s = f.querySelector('.dvn-scroller') || f;
                                    return s.scrollWidth - s.clientWidth; })""")
                    assert overflow and overflow[0] <= 1, overflow
                page.screenshot(path=str(shots / f"{path or 'leaderboard'}-{width}.png"), full_page=True)
        browser.close()
    # every screenshot was written by this run: new in a fresh folder, after the test started, a real PNG
    assert sorted(p.name for p in shots.iterdir()) == sorted(SHOT_NAMES)
    for name in SHOT_NAMES:
        data = (shots / name).read_bytes()
        assert (shots / name).stat().st_mtime >= started, name
        assert len(data) > 10_000, (name, len(data))
        width, height = _png_size(data)
        expected = int(name.rsplit("-", 1)[1].removesuffix(".png")) if name[-8:-4].isdigit() else VIEWPORT["width"]
        assert width == expected and height >= VIEWPORT["height"], (name, width, height)
    assert (shots / "leaderboard-1400.png").read_bytes() != (shots / "leaderboard-filtered.png").read_bytes()
    # the latest run's screenshots also at the usual place; older runs' folders beyond the last few go
    for name in SHOT_NAMES:
        shutil.copy2(shots / name, SHOTS / name)
        assert (SHOTS / name).read_bytes() == (shots / name).read_bytes()
    runs = sorted((p for p in SHOTS.iterdir() if p.is_dir() and p.name[:8].isdigit()), key=lambda p: p.stat().st_mtime)
    for old in runs[:-KEEP_RUNS]:
        shutil.rmtree(old, ignore_errors=True)


def _charts(at: AppTest) -> list[tuple[dict, list[dict]]]:
    """Each chart's Vega-Lite spec and its data rows (Streamlit sends the data as Arrow)."""
    import pyarrow as pa

    out = []
    for e in at.main:
        if getattr(e, "type", None) == "vega_lite_chart":
            rows = [r for d in e.proto.datasets
                    for r in pa.ipc.open_stream(d.data.data).read_all().to_pylist()]
            out.append((json.loads(e.proto.spec), rows))
    return out


def test_overview_states_the_study_and_draws_scores_and_win_rates_with_intervals(store):
    at = _page(_app(store), "views/overview.py")
    recipe = at.selectbox(key="recipe").value
    assert recipe == min(r[0] for r in query(store, "SELECT recipe_file FROM variants"))
    [question] = [m.value for m in at.markdown if m.value.startswith("**How do the")]
    assert "vary `pivot.mode`" in question or "`train.lr`" in question
    assert "does answering through a pivot language (PLUG) beat answering directly?" in question
    (scores, values), (wins, win_values) = _charts(at)
    # intervals drawn: an error bar from the stored interval around each family score
    layers = scores["spec"]["layer"]
    assert layers[0]["mark"]["type"] == "errorbar" and layers[0]["encoding"]["x2"]["field"] == "high"
    stored = {(n, "xquad_gen f1"): (v, lo, hi) for n, v, lo, hi in query(store, """
        SELECT v.name, m.value, m.ci_low, m.ci_high FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
        AND s.kind = 'eval' JOIN variants v USING (variant_id) WHERE m.task = 'xquad_gen (macro)' AND m.scored""")}
    for p in values:
        if p["score"] == "xquad_gen f1":
            assert (p["value"], p["low"], p["high"]) == pytest.approx(stored[(p["variant"], p["score"])])
    judged = query(store, """SELECT v.name, j.task, j.value, j.ci_low, j.ci_high FROM judge_metrics j
                             JOIN variants v USING (variant_id) WHERE j.judge = 'pairwise' AND j.facet = 'win_rate'
                             AND j.language IS NOT NULL AND v.recipe_file = ? ORDER BY 1, 2""", [recipe])
    assert judged
    assert sorted((w["variant"], w["task"], w["value"], w["ci_low"], w["ci_high"]) for w in win_values
                  if "task" in w) == sorted(judged)


def test_the_languages_heatmap_leaves_room_for_its_labels(store):
    at = _page(_app(store), "views/languages.py")
    heat, data = _charts(at)[0]
    x = heat["layer"][0]["encoding"]["x"]
    # the chart spans its column (no fixed step); every column label drawn, on several lines, never cut
    assert "width" not in heat and heat["height"]["step"] >= 20
    assert x["axis"]["labelLimit"] == 0 and x["axis"]["labelOverlap"] is False
    cells = {d["cell"] for d in data}
    assert "xquad_gen · f1 · zh" in cells
