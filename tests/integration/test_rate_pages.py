"""The Rate and Judge reliability pages in real headless Chromium against `harness board`: a person types
their rater id and grades eight answers by clicking each facet's grade and typing a note (Enter saves);
the ratings are in the store; the Judge reliability page shows kappa, rho and n for those eight against
the scripted judge's known grades, equal to scikit-learn and scipy on the same pairs. Screenshots of
both pages at 1400 px go to test-output/screenshots/."""

from __future__ import annotations

import math
import re
import time
import warnings

import pytest
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

from tests.integration._harness import query
from tests.integration.test_board import CHROMIUM_ARGS, SHOTS, _png_size, serving_board
from tests.support.rated_store import DOCS, FACETS, build_rated_store, judge_grades

#: document -> the person's grade of each facet, in FACETS' order (language, fluency, helpfulness, accuracy,
#: logical_coherence, harmlessness) on the judge's 1-3 scale; where fluency is 1, the floor rule stores
#: helpfulness, accuracy and logical coherence as 1 (documents 0, 5 and 6 test it)
PERSON = {d: dict(zip(FACETS, grades)) for d, grades in {
    0: (2, 1, 1, 1, 2, 3), 1: (2, 2, 2, 3, 2, 3), 2: (2, 2, 3, 2, 2, 2), 3: (3, 3, 3, 3, 3, 3),
    4: (3, 3, 3, 3, 3, 3), 5: (1, 1, 2, 2, 1, 3), 6: (1, 1, 2, 1, 1, 3), 7: (3, 3, 3, 3, 3, 3)}.items()}
FORCED = ("helpfulness", "accuracy", "logical_coherence")


def stored_grade(doc: int, facet: str) -> int:
    return 1 if facet in FORCED and PERSON[doc]["fluency"] == 1 else PERSON[doc][facet]


def _grid(page, index: int, rows: int, timeout_s: float = 30) -> list[dict[str, str]]:
    """The rows the page's ``index``-th dataframe renders, from its accessible mirror (Streamlit draws a
    dataframe on a canvas and mirrors it as a table, role=grid): header text -> cell text, once there are
    ``rows`` of them (or the time is up)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = page.evaluate("""index => {
            const frame = document.querySelectorAll('[data-testid="stDataFrame"]')[index];
            const t = frame && frame.querySelector('table[role="grid"]');
            if (!t) return {rows: [], html: frame ? frame.outerHTML.slice(0, 3000) : 'no dataframe'};
            const head = Object.fromEntries([...t.querySelectorAll('thead th')]
                .map(h => [h.getAttribute('aria-colindex'), h.textContent.trim()]));
            return {rows: [...t.querySelectorAll('tbody tr')].map(r => Object.fromEntries([...r.querySelectorAll('td')]
                .map(c => [head[c.getAttribute('aria-colindex')], c.textContent.trim()]))), html: ''};
        }""", index)
        if len(found["rows"]) == rows or time.monotonic() > deadline:
            assert len(found["rows"]) == rows, found
            return found["rows"]
        page.wait_for_timeout(200)


def _settled(page, timeout_s: float = 60) -> None:
    """Wait until the rerun after a save has finished: one rating form on the page (Streamlit keeps the
    previous answer's elements, greyed, while it reruns) and the app no longer running."""
    deadline = time.monotonic() + timeout_s
    while True:
        forms = page.locator('[data-testid="stRadio"]').filter(has_text="language —").count()
        running = page.locator('[data-testid="stStatusWidget"]').count()
        stale = page.locator('[data-stale="true"]').count()
        if (forms == 1 and not running and not stale) or time.monotonic() > deadline:
            assert forms == 1, forms
            return
        page.wait_for_timeout(200)


def _rate_one(page, done: int) -> int:
    _settled(page)
    caption = page.get_by_text(re.compile(r"document \d+")).first.text_content()
    doc = int(re.search(r"document (\d+)", caption).group(1))
    for facet in FACETS:
        group = page.locator('[data-testid="stRadio"]').filter(has_text=f"{facet} —")
        group.get_by_text(re.compile(rf"^{PERSON[doc][facet]} · ")).click()
    note = page.get_by_label("Note (optional; Enter saves)")
    note.click()
    note.type(f"note {done}")
    if done == 0:   # the whole page in one picture: Streamlit scrolls inside the window, so make the window tall
        page.set_viewport_size({"width": 1400, "height": 1900})
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "rate-1400.png"), full_page=True)
        page.set_viewport_size({"width": 1400, "height": 1000})
    if done % 2:
        page.get_by_role("button", name="Save and next").click()
    else:
        note.press("Enter")
    page.get_by_text(f"{done + 1} rated by").wait_for(timeout=60_000)
    return doc


@pytest.mark.slow
def test_a_person_rates_eight_answers_and_the_reliability_page_shows_kappa_rho_and_n(tmp_path):
    from playwright.sync_api import sync_playwright

    store = build_rated_store(tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serving_board(store, tmp_path / "board.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/rate", wait_until="domcontentloaded")
        rater = page.get_by_label("Your rater id")
        rater.wait_for(timeout=60_000)
        rater.fill("ann")
        rater.press("Enter")
        page.get_by_text("0 rated by").wait_for(timeout=60_000)
        rated = [_rate_one(page, i) for i in range(8)]
        page.get_by_text("Nothing left to rate here").wait_for(timeout=60_000)
        assert not page.locator('[data-testid="stException"]').count()
        assert sorted(rated) == list(DOCS)
        stored = query(store, "SELECT doc_id, facet, score, scale_min, scale_max, rater, note FROM human_ratings")
        assert sorted((d, f, s) for d, f, s, *_ in stored) == sorted((d, f, stored_grade(d, f)) for d in DOCS for f in FACETS)
        assert {(lo, hi, r) for _, _, _, lo, hi, r, _ in stored} == {(1, 3, "ann")}
        assert {n for *_, n in stored} == {f"note {i}" for i in range(8)}

        page.goto(f"{url}/reliability", wait_until="domcontentloaded")
        page.get_by_text("Rubric facets: judge against humans").wait_for(timeout=60_000)
        assert not page.locator('[data-testid="stException"]').count()
        shown = {r["facet"]: r for r in _grid(page, 0, rows=len(FACETS))}
        shot = SHOTS / "reliability-1400.png"
        page.screenshot(path=str(shot), full_page=True)
        assert _png_size(shot.read_bytes())[0] == 1400
        assert _png_size((SHOTS / "rate-1400.png").read_bytes())[0] == 1400
        browser.close()
    assert set(shown) == set(FACETS)
    for facet in FACETS:
        judge = [judge_grades(d)[facet] for d in DOCS]
        person = [stored_grade(d, facet) for d in DOCS]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kappa = cohen_kappa_score(judge, person, labels=[1, 2, 3], weights="quadratic")
            rho = spearmanr(judge, person).statistic
        row = shown[facet]
        assert (row["language"], row["n"], row["answers"], row["raters"]) == ("de", "8", "8", "1")
        for name, expected in (("κ", kappa), ("ρ", rho)):
            assert row[name] == ("—" if math.isnan(expected) else f"{expected:.3f}"), (facet, name, row)
