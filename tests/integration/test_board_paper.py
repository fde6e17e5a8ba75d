"""The board for a paper, on a store with known values: every page runs, each figure and table has its
download buttons (the figure as the paper's PDF/SVG/PNG, the table as CSV/Markdown/LaTeX), the
heatmaps span their column with every label drawn, and in Chromium at 1400 px there is no "Deploy"
button (screenshots of the Languages and Overview pages in test-output/screenshots/)."""

from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from tests.integration._harness import board_page
from tests.integration.test_board import CHROMIUM_ARGS, SHOTS, _charts, _png_size, serving_board
from tests.unit.publish._known_store import VARIANTS, build_known_store



@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_known_store(tmp_path_factory.mktemp("paper-board"))


def _page(store, page: str | None) -> AppTest:
    return board_page(store, page)


def _downloads(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


@pytest.mark.parametrize(("page", "labels"), [
    ("views/languages.py", ["PDF", "SVG", "PNG", "CSV", "MD", "TEX"] * 2),
    ("views/overview.py", ["PDF", "SVG", "PNG", "CSV", "MD", "TEX"] * 2),
    (None, ["CSV", "MD", "TEX"]),
    ("views/pairwise.py", ["PDF", "SVG", "PNG", "CSV", "MD", "TEX"]),
    ("views/training_curves.py", ["PDF", "SVG", "PNG", "CSV", "MD", "TEX"]),
])
def test_each_figure_and_table_has_its_downloads(store, page, labels):
    assert _downloads(_page(store, page)) == labels


def test_the_languages_heatmap_spans_its_column_and_draws_every_label(store):
    at = _page(store, "views/languages.py")
    at.multiselect(key="variants").set_value(["v0", "v1", "v2"]).run()
    heat, data = _charts(at)[0]
    axis = heat["layer"][0]["encoding"]["x"]["axis"]
    assert "width" not in heat or "step" not in heat["width"]          # the column's width, not a fixed step
    assert axis["labelLimit"] == 0 and axis["labelOverlap"] is False    # no label cut or dropped
    assert axis["labelExpr"] == "split(datum.label, ' · ')"            # long labels on several lines
    assert {d["variant"] for d in data} == set(VARIANTS)
    assert {d["language"] for d in data} == {"en", "zh", "ar", "hi"}


@pytest.mark.slow
def test_languages_and_overview_in_chromium_at_1400_px_without_a_deploy_button(store, tmp_path):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with serving_board(store, tmp_path / "board.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for path, marker in (("languages", "Transfer gap"), ("overview", "Primary score per task family")):
            page.goto(f"{url}/{path}", wait_until="domcontentloaded")
            page.wait_for_selector(f"text={marker}", timeout=60_000)
            page.wait_for_timeout(2500)
            assert not page.locator('[data-testid="stException"]').count(), path
            assert page.get_by_text("Deploy", exact=True).count() == 0, path
            assert page.locator('[data-testid="stAppDeployButton"]').count() == 0, path
            widths = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                .map(c => [c.getBoundingClientRect().width, c.parentElement.getBoundingClientRect().width])""")
            assert widths and all(w >= 0.9 * column for w, column in widths), (path, widths)
            shot = SHOTS / f"paper-{path}-1400.png"
            page.screenshot(path=str(shot), full_page=True)
            assert _png_size(shot.read_bytes())[0] == 1400
        browser.close()
