"""`eval.serve`: the harness starts one model server for a sweep, evaluates every variant against it through
lm-eval's chat-completions model, and stops it. Here the server is llama.cpp on the embedded Gemma's GGUF
(vLLM needs a GPU), with `method: none` variants (llama.cpp cannot load peft adapters)."""

from __future__ import annotations

import textwrap

import psutil
import pytest

from tests.integration._harness import harness, query

pytestmark = pytest.mark.slow

SWEEP = """\
    name: sweep
    base_model: builtin:gemma-3-270m
    train: {method: none}
    eval:
      tasks: [babel_qa_en]
      limit: 3
      gen_kwargs: {max_gen_toks: 12}
      serve: {server: llama_cpp, concurrency: 2}
    variants:
      long: {}
      short: {eval.gen_kwargs: {max_gen_toks: 4}}
"""


def _sweep_servers() -> list[psutil.Process]:
    """llama.cpp servers whose alias is the sweep's (the session's judge server is `gemma`)."""
    out = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "llama_cpp.server" in cmd and "gemma-3-270m" in cmd:
            out.append(proc)
    return out


def test_one_server_evaluates_the_sweep_and_is_stopped(llama_server, tmp_path, babelbench_home):
    recipe = tmp_path / "sweep.yaml"
    recipe.write_text(textwrap.dedent(SWEEP), encoding="utf-8")
    store = tmp_path / "results.duckdb"
    logs_before = set((babelbench_home / "logs").glob("serve-*.log"))
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    assert "serving 2 variant(s) with llama_cpp on 127.0.0.1:" in out
    assert "eval ran: 2" in out
    [log] = set((babelbench_home / "logs").glob("serve-*.log")) - logs_before   # one server for both variants
    assert _sweep_servers() == []                                    # and it is gone
    answers = dict(query(store, """SELECT v.name, list(s.raw_response ORDER BY s.doc_id) FROM samples s
        JOIN variant_stages vs ON vs.key = s.eval_key AND vs.kind = 'eval' JOIN variants v USING (variant_id)
        GROUP BY v.name"""))
    assert set(answers) == {"sweep@long", "sweep@short"} and all(len(a) == 3 for a in answers.values())
    # the served route gives what lm-eval's chat-completions model gets from the same model served by hand
    direct = tmp_path / "direct.yaml"
    direct.write_text(textwrap.dedent(SWEEP).replace(
        "serve: {server: llama_cpp, concurrency: 2}", f'backend: openai\n  openai: {{base_url: "{llama_server}", '
        'model: gemma, concurrency: 2}').replace("name: sweep", "name: direct"), encoding="utf-8")
    code, out = harness("run", direct, "--store", store, "--set", "eval.limit=3")
    assert code == 0, out
    direct_answers = dict(query(store, """SELECT v.name, list(s.raw_response ORDER BY s.doc_id) FROM samples s
        JOIN variant_stages vs ON vs.key = s.eval_key AND vs.kind = 'eval' JOIN variants v USING (variant_id)
        WHERE v.name LIKE 'direct@%' GROUP BY v.name"""))
    assert direct_answers["direct@long"] == answers["sweep@long"]
    assert direct_answers["direct@short"] == answers["sweep@short"]
    assert answers["sweep@long"] != answers["sweep@short"]                   # 12 tokens vs 4: not one variant twice
    # a re-run starts no server: every evaluation is done
    code, out = harness("run", recipe, "--store", store)
    assert code == 0 and "serving" not in out and "eval skipped: 2" in out, out
    assert set((babelbench_home / "logs").glob("serve-*.log")) - logs_before == {log}


def test_a_server_that_does_not_start_fails_its_variants_with_its_log(tmp_path, babelbench_home):
    recipe = tmp_path / "sweep.yaml"
    recipe.write_text(textwrap.dedent(SWEEP).replace(
        "serve: {server: llama_cpp, concurrency: 2}", "serve: {server: llama_cpp, extra_args: [--no-such-flag, x]}"),
        encoding="utf-8")
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 1
    failures = [line for line in out.splitlines() if line.startswith("failed: ")]
    assert [f.split(":")[1].strip() for f in failures] == ["sweep@long", "sweep@short"]
    assert all("ServerFailed: the model server exited with 2 before answering" in f for f in failures), out
    assert all("unrecognized arguments: --no-such-flag" in f for f in failures), out
    assert query(store, "SELECT count(*) FROM stage_runs WHERE kind = 'eval'") == [(0,)]
    assert _sweep_servers() == []
    assert query(store, "SELECT count(*) FROM variants") == [(2,)]
