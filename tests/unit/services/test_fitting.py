"""`harness fit`'s pieces: option parsing, the fit's identity, and the allocated recipe's text (what a recipe
extending a sweep must write for the loader's merge)."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from babelbench.analysis.allocation import Allocation
from babelbench.services.fit import (
    BudgetResult,
    BudgetSettings,
    FitError,
    FitSettings,
    Point,
    fit_id_of,
    per_language,
    recipe_text,
    resolve,
)


def test_per_language_values():
    assert per_language(["50", "zh=100,ar=20", " hi = 5 "], "--floor") == (50, {"zh": 100, "ar": 20, "hi": 5})
    assert per_language(["ar=1.5", "zh=0"], "--weights", float) == (None, {"ar": 1.5, "zh": 0.0})
    assert per_language([], "--cap") == (None, {})
    with pytest.raises(FitError, match=r"^--cap ar=1.5: '1.5' is not a whole number \(give N or lang=N\)$"):
        per_language(["ar=1.5"], "--cap")
    assert resolve(10, {"zh": 3}, ["ar", "zh"]) == {"ar": 10, "zh": 3}
    assert resolve(None, {"zh": 3}, ["ar", "zh"]) == {"zh": 3}
    assert BudgetSettings(budget=100, floor=5, floors={"zh": 0}, cap=60).resolved(["ar", "zh"]) == {
        "floors": {"ar": 5, "zh": 0}, "caps": {"ar": 60, "zh": 60}, "weights": {"ar": 1.0, "zh": 1.0}, "step": 10}


def test_the_fit_id_is_the_points_and_the_settings():
    points = {"ar": [Point("a", "x@1", 10, 1.0), Point("b", "x@2", 20, 2.0)], "zh": [Point("a", "x@1", 10, 3.0)]}
    settings = FitSettings()
    same = {"zh": points["zh"], "ar": list(reversed(points["ar"]))}
    assert fit_id_of(points, settings) == fit_id_of(same, settings)
    assert fit_id_of(points, settings) != fit_id_of({**points, "zh": [Point("a", "x@1", 10, 3.5)]}, settings)
    assert fit_id_of(points, settings) != fit_id_of(points, FitSettings(seed=1))
    assert fit_id_of(points, settings) == fit_id_of(points, FitSettings(laws=("power", "log")))   # the default set


def _result(sizes: dict[str, int]) -> BudgetResult:
    allocation = Allocation(sizes=sizes, objective=1.0, budget=sum(sizes.values()), unallocated=0,
                            last_gain={k: None for k in sizes}, next_gain={k: None for k in sizes})
    return BudgetResult(allocation_id="abc", settings=BudgetSettings(budget=sum(sizes.values())), resolved={},
                        allocation=allocation, predicted={k: (1.0, 0.5, 1.5) for k in sizes})


class _Fit:
    level = 0.95


class _LanguageFit:
    fit = _Fit()


def _text(tmp_path, parent_text: str, sizes: dict[str, int], variants=None) -> tuple[str, dict]:
    parent = tmp_path / "sweeps" / "coit.yaml"
    parent.parent.mkdir(exist_ok=True)
    parent.write_text(textwrap.dedent(parent_text), encoding="utf-8")
    target = tmp_path / "out" / "muit.yaml"
    text = recipe_text(parent=parent, target=target, name="muit", result=_result(sizes),
                       fits={k: _LanguageFit() for k in sizes}, metric="chrf",
                       variants=variants or [{"choices": {}}], made_by="harness fit X", run_with="harness run Y")
    return text, yaml.safe_load(text)


def test_the_recipe_text_for_a_sweep_over_a_size_for_listed_languages(tmp_path):
    text, tree = _text(tmp_path, """\
        name: coit
        data:
          translation: {size: 8, languages: ["no", zh]}
        sweep:
          data.translation.size: [0, 8, 16]
        """, {"no": 30, "zh": 70})
    assert tree == {"extends": "../sweeps/coit.yaml", "name": "muit",
                    "data": {"translation": {"size": {"no": 30, "zh": 70}, "languages": None}},
                    "sweep": {"data.translation.size": [{"no": 30, "zh": 70}]}}
    assert '"no": 30' in text                      # Norwegian, not YAML's false
    assert "# Made by:  harness fit X\n# Run it:   harness run Y\n" in text


def test_a_sweep_inherited_through_extends_and_other_swept_keys_are_pinned(tmp_path):
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "sweeps" / "base.yaml").write_text("name: base\nsweep:\n  train.lr: [0.1, 0.2]\n", encoding="utf-8")
    variants = [{"choices": {"train.lr": 0.1, "data.translation.size": n}} for n in (0, 8, 16)]
    _, tree = _text(tmp_path, """\
        extends: base.yaml
        name: coit
        data:
          translation: {size: {ar: 8, zh: 8}}
        sweep:
          data.translation.size: [{ar: 0, zh: 0}, {ar: 8, zh: 8}]
        """, {"ar": 10, "zh": 20}, variants)
    assert tree["sweep"] == {"train.lr": [0.1], "data.translation.size": [{"ar": 10, "zh": 20}]}
    assert "languages" not in tree["data"]["translation"]
    variants[0]["choices"]["train.lr"] = 0.2
    with pytest.raises(FitError, match=r"also varies train.lr \(0.1, 0.2\) among the fitted variants"):
        _text(tmp_path, "extends: base.yaml\nname: coit\n", {"ar": 10}, variants)


def test_named_variants_cannot_be_dropped(tmp_path):
    with pytest.raises(FitError, match=r"defines named variants \(small, big\), which a recipe extending it cannot "
                                       r"drop"):
        _text(tmp_path, "name: coit\nvariants:\n  small: {data.size: 8}\n  big: {data.size: 16}\n", {"ar": 10})
