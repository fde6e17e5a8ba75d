"""The translation-data study end to end on builtin:tiny: a translation-size sweep (with the alignment
analysis) -> `harness fit` -> the MuIT recipe it writes runs as it is, with the allocated sizes -> alignment
rows for every variant -> the board's Scaling and Alignment pages show them."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.integration._harness import harness, query

pytestmark = pytest.mark.slow

SWEEP = f"""\
    name: sweep
    base_model: builtin:tiny
    data:
      sources: [{{path: {ROOT}/data/samples/instructions.en.jsonl, language: en}}]
      mix: {{en: 1.0}}
      size: 8
      seed: 1
      translation:
        sources: [{{path: {ROOT}/data/samples/parallel/everyday.jsonl}}]
        languages: [zh, ar]
        size: 40
        seed: 1
    train: {{method: lora, lora: {{r: 4, alpha: 8, dropout: 0.0}}, lr: 1.0e-3, max_steps: 2, batch_size: 4,
            max_length: 96}}
    eval:
      tasks: [flores_gen_en_zh, flores_gen_en_ar]
      limit: 3
      gen_kwargs: {{max_gen_toks: 8}}
    analysis: [alignment]
    alignment: {{languages: [zh, ar], max_sentences: 6}}
    sweep:
      data.translation.size: [0, 5, 10, 20]
"""


@pytest.fixture(scope="module")
def study(tiny_model, spbleu_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("xllm")
    recipe = folder / "sweep.yaml"
    recipe.write_text(textwrap.dedent(SWEEP), encoding="utf-8")
    store = folder / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    muit = folder / "muit.yaml"
    code, fit_out = harness("fit", "--store", store, "--recipe", "sweep", "--rounds", "200", "--budget", "30",
                            "--step", "5", "--cap", "20", "--write-recipe", muit, "--format", "json")
    assert code == 0, fit_out
    code, out = harness("run", muit, "--store", store)
    assert code == 0, out
    return store, muit, json.loads(fit_out[fit_out.index("{"):]), out


def test_the_sweep_stores_translation_counts_per_language(study):
    store = study[0]
    rows = query(store, """SELECT v.choices->>'$."data.translation.size"' AS size, d.language, d.translation_examples
        FROM variants v JOIN variant_stages vs USING (variant_id) JOIN data_stats d ON d.data_key = vs.key
        WHERE vs.kind = 'data' AND v.name LIKE 'sweep@%' AND d.language IN ('zh', 'ar')""")
    expected = [(s, lang, int(s)) for s in ("0", "5", "10", "20") for lang in ("ar", "zh")]
    assert sorted(rows, key=lambda r: (int(r[0]), r[1])) == expected


def test_the_fit_allocates_the_budget_and_the_written_recipe_trains_on_it(study):
    store, muit, fit, run_out = study
    sizes = {row["language"]: row["size"] for row in fit["allocation"]["languages"]} \
        if isinstance(fit["allocation"].get("languages"), list) else fit["allocation"]["sizes"]
    assert set(sizes) == {"zh", "ar"} and sum(sizes.values()) == 30 and all(0 <= n <= 20 for n in sizes.values())
    written = yaml.safe_load(muit.read_text(encoding="utf-8"))
    assert written["extends"].endswith("sweep.yaml")
    assert "1 variant(s)" in run_out
    # the MuIT variant's data stage built exactly the allocated translation examples per language
    [(name, data_key)] = query(store, """SELECT v.name, vs.key FROM variants v JOIN variant_stages vs USING (variant_id)
        WHERE vs.kind = 'data' AND v.recipe_file = ?""", [str(muit)])
    stored = dict(query(store, "SELECT language, translation_examples FROM data_stats WHERE data_key = ? AND "
                               "language IN ('zh', 'ar')", [data_key]))
    assert stored == sizes, name
    [(fits,)] = query(store, "SELECT count(DISTINCT language) FROM scaling_fits")
    assert fits == 2


def test_every_variant_has_alignment_rows(study):
    store = study[0]
    from babelbench.models.tiny import tiny_config

    layers = tiny_config().num_hidden_layers + 1
    rows = query(store, """SELECT v.name, count(*), count(DISTINCT a.layer), min(a.pair_cosine), max(a.pair_cosine)
        FROM variants v JOIN variant_stages vs USING (variant_id) JOIN alignment a ON a.align_key = vs.key
        WHERE vs.kind = 'alignment' GROUP BY v.name ORDER BY v.name""")
    assert len(rows) == 5                                           # four sweep points and the MuIT variant
    for name, n, distinct_layers, low, high in rows:
        assert (n, distinct_layers) == (layers * 2, layers), name   # every layer, en->zh and en->ar
        assert -1.0 <= low <= high <= 1.0
    assert query(store, "SELECT DISTINCT n FROM alignment") == [(6,)]


@pytest.mark.parametrize("page", ["views/scaling.py", "views/alignment.py"])
def test_the_study_pages_render_on_the_study_store(study, page):
    os.environ["BABELBENCH_STORE"] = str(study[0])
    at = AppTest.from_file(str(ROOT / "leaderboard" / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    text = " ".join(str(m.value) for m in at.markdown) + " ".join(str(s.value) for s in at.subheader)
    assert "sweep" in text or at.dataframe, text


def test_the_study_pages_in_headless_chromium(study, tmp_path):
    """`harness board` on the study's store: the Scaling and Alignment pages draw their charts and tables in
    real Chromium without an exception; screenshots are kept with the board test's."""
    import time

    from playwright.sync_api import sync_playwright

    from tests.integration.test_board import CHROMIUM_ARGS, SHOTS, _png_size, serving_board

    shots = SHOTS / f"xllm-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    shots.mkdir(parents=True)
    with serving_board(study[0], tmp_path / "board.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for path, marker in (("scaling", "Allocation"), ("alignment", "Difference (B − A)")):
            page.goto(f"{url}/{path}", wait_until="domcontentloaded")
            page.wait_for_selector(f"text={marker}", timeout=60_000)
            page.wait_for_selector('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]',
                                   timeout=60_000)
            page.wait_for_timeout(1500)
            assert not page.locator('[data-testid="stException"]').count(), path
            page.screenshot(path=str(shots / f"{path}.png"), full_page=True)
        browser.close()
    for name in ("scaling.png", "alignment.png"):
        width, height = _png_size((shots / name).read_bytes())
        assert width == 1400 and height >= 1000
