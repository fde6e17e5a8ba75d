"""`harness fit` end to end on a store built here with a synthetic translation-data sweep (variants, their
data_stats and metrics rows; no training): the allocation printed equals the allocation module's, rows
are stored once, the written recipe is one the loader accepts, and bad input is one line, exit 2, nothing
written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from babelbench.analysis.allocation import allocate
from babelbench.analysis.scaling import LAWS, fit_scaling
from babelbench.store import Store
from tests.integration._harness import harness, query

SIZES = [0, 50, 100, 200, 400, 800]
ROUNDS = "150"


def _values() -> dict[str, list[float]]:
    rng = np.random.default_rng(12)
    x = np.array(SIZES, dtype=float)
    return {
        "ar": list(LAWS.get("power").curve(x, 55.0, 40.0, 0.4) + rng.normal(0, 0.3, x.size)),
        "zh": list(LAWS.get("log").curve(x, 12.0, 3.0) + rng.normal(0, 0.3, x.size)),
    }


VALUES = _values()

PARENT = """\
# the sweep (written by the test)
name: coit
base_model: builtin:tiny
data:
  sources:
    - {path: %(samples)s/instructions.en.jsonl, language: en}
  mix: {en: 1.0}
  size: 8
  allow_upsampling: true
  translation:
    sources: [{path: %(samples)s/parallel/everyday.jsonl}]
    size: 16
    languages: [ar, zh]
train: {method: lora, max_steps: 2, batch_size: 2}
eval: {tasks: [flores_gen_en_ar, flores_gen_en_zh], limit: 2}
sweep:
  data.translation.size: [0, 50, 100, 200, 400, 800]
"""


def build_store(path: Path, recipe_file: str, *, sizes=SIZES, values=None, other: bool = True) -> None:
    """Variants coit@size=N with data_stats rows (en: no translation data; ar, zh: N each; hi: none at all)
    and flores_gen_en_{lang} chrF rows, plus rows `harness fit` must not use."""
    values = values or VALUES
    rows_metric = []
    with Store(path).write() as con:
        def variant(vid: str, name: str, file: str, choices: dict) -> None:
            con.execute("INSERT INTO variants VALUES (?, ?, 'rh', ?, 'builtin:tiny', 'lora', 'none', 'en', NULL, 8, "
                        "'{}', ?, now())", [vid, name, file, json.dumps(choices)])
            con.execute("INSERT INTO variant_stages VALUES (?, 'data', ?), (?, 'eval', ?)",
                        [vid, "d-" + vid, vid, "e-" + vid])

        def stats(vid: str, lang: str, translation: int) -> None:
            con.execute("INSERT INTO data_stats (data_key, language, examples, unique_examples, prompt_tokens, "
                        "response_tokens, translation_examples) VALUES (?, ?, ?, ?, 0, 0, ?)",
                        ["d-" + vid, lang, 8 + translation, 8 + translation, translation])

        def metric(vid: str, task: str, lang: str, name: str, filter_: str, value: float) -> None:
            rows_metric.append(value)
            con.execute("INSERT INTO metrics (eval_key, task, language, metric, filter, value, is_group, scored, "
                        "is_primary) VALUES (?, ?, ?, ?, ?, ?, false, true, false)",
                        ["e-" + vid, task, lang, name, filter_, value])

        for i, size in enumerate(sizes):
            vid = f"v{size}"
            variant(vid, f"coit@size={size}", recipe_file, {"data.translation.size": size})
            stats(vid, "en", 0)
            stats(vid, "hi", 0)
            metric(vid, "flores_gen_en_hi", "hi", "chrf", "none", 5.0 + i)
            for lang in ("ar", "zh"):
                stats(vid, lang, size)
                metric(vid, f"flores_gen_en_{lang}", lang, "chrf", "none", values[lang][i])
                metric(vid, f"flores_gen_en_{lang}", lang, "chrf", "plug", 99.0)      # another filter
                metric(vid, f"flores_gen_en_{lang}", lang, "bleu", "none", -1.0)     # another metric
        if not other:
            return
        # a variant of another recipe, on the same tasks: never a point of the sweep
        variant("other", "other@size=300", "other.yaml", {})
        stats("other", "ar", 300)
        metric("other", "flores_gen_en_ar", "ar", "chrf", "none", 0.0)


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "results.duckdb"
    build_store(path, str(tmp_path / "coit.yaml"))
    return path


def expected_allocation(budget: int, step: int, floors=None, caps=None, weights=None) -> dict[str, int]:
    curves = {lang: fit_scaling(SIZES, VALUES[lang], rounds=int(ROUNDS), seed=0).predict for lang in VALUES}
    return allocate(curves, budget, floors=floors, caps=caps, weights=weights, step=step).sizes


def fit_json(*args) -> dict:
    code, out = harness("fit", *args, "--rounds", ROUNDS, "--format", "json")
    assert code == 0, out
    return json.loads(out)


def counts(store: Path) -> tuple[int, int]:
    [(fits,)] = query(store, "SELECT count(*) FROM scaling_fits")
    [(allocations,)] = query(store, "SELECT count(*) FROM scaling_allocations")
    return fits, allocations


def test_the_printed_allocation_is_the_allocation_modules(store):
    out = fit_json("--store", store, "--recipe", "coit", "--budget", "1000", "--step", "50", "--floor", "zh=100",
                   "--weights", "ar=1.5")
    expected = expected_allocation(1000, 50, floors={"zh": 100}, weights={"ar": 1.5})
    assert out["allocation"]["sizes"] == expected
    assert sum(expected.values()) == 1000 and expected["zh"] >= 100
    assert out["skipped"] == ["hi"]                      # in every variant's data, never with translation data
    fits = {f["language"]: f for f in out["fits"]}
    assert sorted(fits) == ["ar", "zh"]
    assert [(p["size"], p["value"]) for p in fits["ar"]["points"]] == list(zip(SIZES, VALUES["ar"]))
    assert fits["ar"]["law"] == "power" and fits["zh"]["law"] == "log"
    reference = fit_scaling(SIZES, VALUES["zh"], rounds=int(ROUNDS), seed=0)
    assert fits["zh"]["params"] == pytest.approx(reference.params)
    assert fits["zh"]["params_low"] == pytest.approx(reference.params_low)
    predicted = out["allocation"]["predicted"]["zh"]
    assert predicted["value"] == pytest.approx(reference.predict(expected["zh"]))
    assert (predicted["low"], predicted["high"]) == pytest.approx(reference.interval(expected["zh"]))

    # the table shows the same sizes, one row per language
    code, text = harness("fit", "--store", store, "--recipe", "coit", "--budget", "1000", "--step", "50",
                         "--floor", "zh=100", "--weights", "ar=1.5", "--rounds", ROUNDS)
    assert code == 0, text
    allocation_table = text[text.index("Allocation of 1000"):]
    shown = {m.group(1): int(m.group(2)) for m in re.finditer(r"│ (ar|zh)\s+│\s+(\d+) │", allocation_table)}
    assert shown == expected
    assert "Not fitted (no translation data in any variant): hi." in text


def test_variants_glob_selects_the_same_points(store):
    by_recipe = fit_json("--store", store, "--recipe", "coit")
    by_glob = fit_json("--store", store, "--variants", "coit@size=*")
    assert by_glob["fit_id"] == by_recipe["fit_id"]
    assert by_recipe["allocation"] is None
    # the other recipe's variant would add a point at 300 to ar
    mixed = fit_json("--store", store, "--variants", "*@size=*")
    ar = next(f for f in mixed["fits"] if f["language"] == "ar")
    assert 300 in [p["size"] for p in ar["points"]] and mixed["fit_id"] != by_recipe["fit_id"]


def test_rows_are_stored_once(store):
    args = ("--store", store, "--recipe", "coit", "--budget", "600", "--step", "20")
    first = fit_json(*args)
    assert (first["new_fit_rows"], first["new_allocation_rows"]) == (2, 2)
    rows = query(store, "SELECT language, size, predicted, budget, allocation_id, fit_id FROM scaling_allocations "
                        "ORDER BY language")
    assert {r[0]: r[1] for r in rows} == first["allocation"]["sizes"] == expected_allocation(600, 20)
    assert {r[5] for r in rows} == {first["fit_id"]} and {r[3] for r in rows} == {600}
    stored = query(store, "SELECT language, law, params, points, settings, curve, created_at FROM scaling_fits "
                          "ORDER BY language")
    assert [r[0] for r in stored] == ["ar", "zh"]
    fits = {f["language"]: f for f in first["fits"]}
    for lang, law, params, points, settings, curve, _ in stored:
        assert law == fits[lang]["law"] and json.loads(params) == pytest.approx(fits[lang]["params"])
        assert [(p["variant_id"], p["size"]) for p in json.loads(points)] == [(f"v{s}", s) for s in SIZES]
        assert json.loads(settings)["rounds"] == int(ROUNDS)
        band = json.loads(curve)
        assert all(b["low"] <= b["predicted"] <= b["high"] for b in band)
        assert [b["size"] for b in band] == sorted(b["size"] for b in band) and band[-1]["size"] == 1600

    second = fit_json(*args)
    assert (second["new_fit_rows"], second["new_allocation_rows"]) == (0, 0)
    assert second["fit_id"] == first["fit_id"]
    assert counts(store) == (2, 2)
    assert query(store, "SELECT language, law, params, points, settings, curve, created_at FROM scaling_fits "
                        "ORDER BY language") == stored
    code, text = harness("fit", *args, "--rounds", ROUNDS)
    assert code == 0 and "already stored (0 new row(s))" in text

    # a new budget on the same fit: the fit is kept, the allocation is new
    third = fit_json("--store", store, "--recipe", "coit", "--budget", "300", "--step", "20")
    assert (third["new_fit_rows"], third["new_allocation_rows"]) == (0, 2) and counts(store) == (2, 4)
    # a new seed is another fit
    fourth = fit_json("--store", store, "--recipe", "coit", "--seed", "3")
    assert fourth["fit_id"] != first["fit_id"] and counts(store) == (4, 4)


def _translation_in_schema() -> bool:
    from babelbench.recipe.schema import DataConfig

    return "translation" in DataConfig.model_fields


@pytest.mark.skipif(not _translation_in_schema(), reason="data.translation is not in the recipe schema yet")
def test_the_written_recipe_is_one_the_loader_accepts(tmp_path):
    from babelbench.recipe import load_recipe
    from tests.conftest import SAMPLES

    parent = tmp_path / "sweeps" / "coit.yaml"
    parent.parent.mkdir()
    parent.write_text(PARENT % {"samples": SAMPLES}, encoding="utf-8")
    store = tmp_path / "results.duckdb"
    build_store(store, str(parent))
    (tmp_path / "muit").mkdir()
    target = tmp_path / "muit" / "allocated.yaml"
    out = fit_json("--store", store, "--recipe", "coit", "--budget", "900", "--step", "30", "--cap", "ar=400",
                   "--write-recipe", target)
    sizes = out["allocation"]["sizes"]
    assert sizes == expected_allocation(900, 30, caps={"ar": 400}) and out["recipe"] == str(target)
    [variant] = load_recipe(target)
    assert variant.model_dump(mode="json")["data"]["translation"]["size"] == sizes
    assert variant.name.startswith("allocated")
    text = target.read_text(encoding="utf-8")
    assert "extends: ../sweeps/coit.yaml\n" in text
    assert f"# Run it:   harness run {target} --store {store}" in text
    assert re.search(r"# Made by:  harness fit --store \S+ --recipe coit --rounds 150 --budget 900 --cap ar=400 "
                     r"--step 30 --write-recipe \S+allocated.yaml", text), text
    assert not [p for p in target.parent.iterdir() if p.name != "allocated.yaml"]   # no draft left


def test_the_written_recipe_needs_the_sweeps_recipe_file(tmp_path, store):
    target = tmp_path / "out.yaml"
    # the variants' recipe file is named in the store only (it does not exist here)
    code, out = harness("fit", "--store", store, "--recipe", "coit", "--budget", "600", "--rounds", ROUNDS,
                        "--write-recipe", target)
    assert code == 2 and "is not found here" in out and not target.exists()
    # variants of two recipe files: which one to extend?
    code, out = harness("fit", "--store", store, "--variants", "*@size=*", "--budget", "600", "--rounds", ROUNDS,
                        "--write-recipe", target)
    assert code == 2 and "the variants come from 2 recipe files" in out and not target.exists()
    assert counts(store) == (0, 0)


@pytest.mark.parametrize("args, message", [
    (("--recipe", "nope"), "error: no variants matched --recipe nope in "),
    (("--variants", "coit@size=1*"), "error: ar: needs at least 3 distinct translation-data sizes, found 2 (100, 150)"),
    (("--recipe", "coit", "--languages", "ar,fr"), "error: fr: no points: no selected variant has translation data "
                                                  "in fr and flores_gen_en_fr chrf (filter none)"),
    (("--recipe", "coit", "--languages", "hi"), "error: hi: needs at least 3 distinct translation-data sizes, found "
                                               "1 (0) in 6 point(s)"),
    (("--recipe", "coit", "--metric", "spbleu"), "error: no (size, quality) points: none of the 6 variant(s) has "
                                                "flores_gen_en_{lang} spbleu (filter none)"),
    (("--recipe", "coit", "--task", "flores_gen_en_zh"), "error: --task: must contain {lang}"),
    (("--recipe", "coit", "--budget", "100", "--floor", "60"), "error: --budget 100: the floors add up to 120, more "
                                                              "than the budget 100"),
    (("--recipe", "coit", "--budget", "500", "--cap", "ar=100", "--cap", "zh=100"),
     "error: --budget 500: the caps add up to 200, less than the budget 500"),
    (("--recipe", "coit", "--budget", "100", "--weights", "fr=2"), "error: --budget 100: weight for fr, which is not "
                                                                   "among the languages allocated (ar, zh)"),
    (("--recipe", "coit", "--budget", "100", "--floor", "zh=ten"), "error: --floor zh=ten: 'ten' is not a whole number"),
    (("--recipe", "coit", "--budget", "-1"), "error: --budget: Input should be greater than or equal to 0"),
    (("--recipe", "coit", "--write-recipe", "x.yaml"), "error: --write-recipe needs --budget"),
    (("--recipe", "coit", "--floor", "10"), "error: --floor, --cap and --weights shape an allocation: give --budget"),
    (("--recipe", "coit", "--law", "cubic"), "error: --law: unknown scaling law 'cubic'; known: log, power"),
    ((), "error: --recipe NAME or --variants GLOB: say which sweep's variants to fit"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(store, tmp_path, monkeypatch, args, message):
    if args == ("--variants", "coit@size=1*"):
        build_store(store, "x.yaml", sizes=[150], values={"ar": [1.0], "zh": [1.0]}, other=False)   # coit@size=100 and =150
    monkeypatch.chdir(tmp_path)
    code, out = harness("fit", "--store", store, *args, "--rounds", "20")
    assert code == 2
    assert out.startswith(message), out
    assert out.count("\n") == 1
    assert counts(store) == (0, 0) and not (tmp_path / "x.yaml").exists()


def test_an_unknown_store_is_one_line_and_not_created(tmp_path):
    missing = tmp_path / "none.duckdb"
    code, out = harness("fit", "--store", missing, "--recipe", "coit")
    assert code == 2 and out == f"error: no store at {missing} (run `harness run` first)\n"
    assert not missing.exists()
