"""Rankings from pairwise judgments, end to end: scripted answers (a verbose variant, a variant as
long as the baseline), a judge that prefers the longer answer, Bradley–Terry strengths and the
length-controlled win rate stored as judge metrics."""

from __future__ import annotations

import json
import re

import pytest
from lm_eval.api.registry import register_model

import tests.support.scripted_model as scripted
from babelbench.evaluate.backends import register_eval_backend
from tests.integration._harness import harness, query
from tests.support.http_server import Request, Server, response
from tests.support.openai_loopback import _completion

_FENCE = re.compile(r"<(answer_[ab])-[0-9a-f]+>\n(.*?)\n</\1-", re.DOTALL)


class LongerWins(Server):
    """A pairwise judge that prefers the longer answer (the bias the length control removes)."""

    async def handle(self, request: Request) -> bytes | None:
        if request.method == "GET":
            return response(200, json.dumps({"object": "list", "data": [{"id": "m"}]}).encode())
        user = json.loads(request.body)["messages"][-1]["content"]
        answers = dict(_FENCE.findall(user))
        a, b = len(answers["answer_a"]), len(answers["answer_b"])
        verdict = "A" if a > b else "B" if b > a else "tie"
        return response(200, _completion(json.dumps({"rationale": "length", "verdict": verdict})))


def _recipe(folder, name: str, tokens: int, judged: bool) -> str:
    path = folder / f"{name}.yaml"
    path.write_text(f"""
name: {name}
base_model: builtin:tiny
train: {{method: none}}
eval:
  backend: scripted
  tasks: [xalpaca_en, xalpaca_zh]
  limit: 6
  gen_kwargs: {{max_gen_toks: {tokens}}}   # keeps the eval keys apart; the scripted model ignores it
""" + ("judges: [pairwise]\njudge: {baseline: base}\n" if judged else ""))
    return str(path)


@pytest.fixture(scope="module")
def store(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("rankings")
    path = folder / "results.duckdb"
    base = {(t, i): f"Answer {i} in {t}." for t in ("xalpaca_en", "xalpaca_zh") for i in range(6)}
    scripts = {
        "base": base,
        "verbose": {k: v + " Indeed," * (3 + 2 * k[1]) + " truly." for k, v in base.items()},   # always longer
        "fair": {k: v.replace("Answer", "Reply!") for k, v in base.items()},                     # the same length
    }
    with LongerWins() as judge:
        for tokens, (name, answers) in enumerate(scripts.items(), start=50):
            scripted.script_path = str(scripted.write_script(folder / f"{name}.json", answers))
            recipe = _recipe(folder, name, tokens, judged=name != "base")
            code, out = harness("run", recipe, "--store", path, "--judge-base-url", judge.base_url,
                                "--judge-model", "m")
            assert code == 0, out
    scripted.script_path = None
    return path


def _metric(store, variant: str, metric: str, language=None) -> tuple[float, int, float | None, float | None]:
    rows = query(store, """SELECT j.value, j.n, j.ci_low, j.ci_high FROM judge_metrics j JOIN variants v USING (variant_id)
                           WHERE v.name = ? AND j.judge = 'pairwise' AND j.facet = ?
                                 AND j.language IS NOT DISTINCT FROM ?""",
                 [variant, metric, language])
    assert len(rows) == 1, (variant, metric, rows)
    return rows[0]


def test_raw_win_rates_follow_the_judges_length_preference(store):
    # verbose wins both orders on every prompt; fair ties both orders on every prompt
    assert _metric(store, "verbose", "win_rate")[:2] == (1.0, 12)
    assert _metric(store, "fair", "win_rate")[:2] == (0.5, 12)
    assert _metric(store, "fair", "tie")[0] == 1.0


def test_bradley_terry_ranks_the_variants_with_intervals(store):
    verbose, n, low, high = _metric(store, "verbose", "bt_win_prob")
    fair = _metric(store, "fair", "bt_win_prob")
    assert n == 12 and low - 1e-9 <= verbose <= high + 1e-9
    assert verbose > 0.9 and fair[0] == pytest.approx(0.5, abs=0.01)


def test_the_length_controlled_win_rate_removes_the_length_advantage(store):
    lc, n, _, _ = _metric(store, "verbose", "lc_win_rate")
    assert n == 12 and lc < 0.95     # raw 1.0: part of the advantage is explained by length
    assert _metric(store, "fair", "lc_win_rate")[0] == pytest.approx(0.5, abs=0.02)   # no length difference
    for language in ("en", "zh"):
        per_language, n_lang, _, _ = _metric(store, "verbose", "lc_win_rate", language)
        assert n_lang == 6 and 0.5 < per_language < 1.0


def test_rankings_are_on_the_leaderboard_rows(store):
    from babelbench.core.metric_name import JudgeMetric
    from babelbench.store import Store
    from babelbench.store.board import leaderboard

    with Store(store).read() as con:
        rows = {r["variant"]: r for r in leaderboard(con)}
    # the rankings are leaderboard columns that name their baseline; raw win/tie/loss stay on the Pairwise page
    scores = {str(c): s for c, s in rows["verbose"]["scores"].items()}   # judge facets: by their label
    assert scores["judge:pairwise/lc_win_rate vs base"]["value"] == pytest.approx(_metric(store, "verbose", "lc_win_rate")[0])
    assert scores["judge:pairwise/bt_win_prob vs base"]["ci_low"] is not None
    assert rows["verbose"]["scores"][JudgeMetric("pairwise", "bt_win_prob", "base")]["ci_low"] is not None
    assert not any(c.endswith(("/win", "/tie", "/loss")) for c in scores)
    assert query(store, "SELECT count(*) FROM judge_metrics WHERE facet = 'bt_win_prob'") == [(2,)]


def test_report_biases_flags_the_length_judge_for_length_only(store):
    """`harness report --biases` on the store the length-preferring judge graded: its length bias is
    flagged, position is not (the longer answer is first in one order, second in the other), and what the
    data cannot give is not measured (one judge: no self-preference reference; the identifier finds fair's
    "Reply! ..." answers not English, but the judge ties every such pair: no decisive verdict)."""
    code, out = harness("report", "--biases", "--store", store, "--format", "json")
    assert code == 0, out
    figures = {(r["language"], r["figure"]): r for r in json.loads(out) if r["judge"] == "pairwise"}
    longer = figures[(None, "prefers_longer")]
    # verbose's 12 pairs, both orders, always the longer answer; fair's answers are as long as the baseline's
    assert (longer["value"], longer["n"], longer["flagged"]) == (1.0, 24, True)
    first = figures[(None, "first_position")]
    assert (first["value"], first["n"], first["flagged"]) == (0.5, 24, False)
    assert (figures[(None, "order_flip")]["value"], figures[(None, "order_flip")]["n"]) == (0.0, 24)
    for figure in ("self_preference", "prefers_wrong_language"):
        assert figures[(None, figure)]["n"] == 0 and figures[(None, figure)]["value"] is None
        assert figures[(None, figure)]["note"].startswith("not measured")
    assert "no decisive verdict on the 6 pairs" in figures[(None, "prefers_wrong_language")]["note"]
    assert figures[("zh", "prefers_longer")]["n"] == 12
    code, out = harness("report", "--biases", "--store", store)
    assert code == 0 and "prefers_longer" in out and "not measured" in out, out


@register_model("scripted-truncating")
class Truncating(scripted.ScriptedLM):
    """The scripted answer cut to ``max_gen_toks`` characters: variants differ only in answer length."""

    def generate_until(self, requests, disable_tqdm: bool = False) -> list[str]:
        full = super().generate_until(requests, disable_tqdm)
        return [text[: int(r.args[1].get("max_gen_toks", len(text)))] for text, r in zip(full, requests)]


@register_eval_backend("scripted-truncating")
class TruncatingBackend(scripted.ScriptedBackend):
    lm_eval_model = "scripted-truncating"


def test_all_pairs_are_judged_once_each_and_ranked_together(tiny_model, tmp_path):
    text = "A long answer that goes on and on about the question asked, " * 3
    scripted.script_path = str(scripted.write_script(
        tmp_path / "s.json", {(t, i): f"{i} {text}" for t in ("xalpaca_en", "xalpaca_zh") for i in range(4)}))
    recipe = tmp_path / "all.yaml"
    recipe.write_text("""
name: all
base_model: builtin:tiny
train: {method: none}
eval: {backend: scripted-truncating, tasks: [xalpaca_en, xalpaca_zh], limit: 4}
judges: [pairwise]
judge: {pairs: all}
variants:
  short: {eval.gen_kwargs: {max_gen_toks: 20}}
  medium: {eval.gen_kwargs: {max_gen_toks: 60}}
  long: {eval.gen_kwargs: {max_gen_toks: 120}}
""")
    store = tmp_path / "results.duckdb"
    with LongerWins() as judge:
        code, out = harness("run", recipe, "--store", store, "--judge-base-url", judge.base_url, "--judge-model", "m")
    scripted.script_path = None
    assert code == 0, out
    # each unordered pair judged once (the later name is the baseline), 8 prompts x 2 orders each
    compared = query(store, """SELECT v.name, b.name FROM variant_judges vj JOIN variants v USING (variant_id)
                               JOIN variants b ON b.variant_id = vj.baseline_variant ORDER BY ALL""")
    assert compared == [("all@long", "all@medium"), ("all@long", "all@short"), ("all@medium", "all@short")]
    assert query(store, "SELECT count(*) FROM judgments") == [(3 * 8 * 2,)]
    # the longer always wins: long beats both, medium beats short
    win = dict(((v, b), w) for v, b, w in query(store, """
        SELECT v.name, j.baseline, j.value FROM judge_metrics j JOIN variants v USING (variant_id)
        WHERE j.judge = 'pairwise' AND j.facet = 'win_rate' AND j.task = 'all'"""))
    assert win == {("all@long", "all@medium"): 1.0, ("all@long", "all@short"): 1.0, ("all@medium", "all@short"): 1.0}
    # one Bradley-Terry fit over all three pairs, anchored on the most frequent baseline (short)
    bt = dict(query(store, """SELECT v.name, j.value FROM judge_metrics j JOIN variants v USING (variant_id)
                              WHERE j.judge = 'pairwise' AND j.facet = 'bt_win_prob'"""))
    assert set(bt) == {"all@long", "all@medium"} and bt["all@long"] > bt["all@medium"] > 0.5
    assert {b for (b,) in query(store, "SELECT DISTINCT baseline FROM judge_metrics "
                                       "WHERE facet = 'bt_win_prob'")} == {"all@short"}
