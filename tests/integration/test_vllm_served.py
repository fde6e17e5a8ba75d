"""`eval.serve: vllm` on vLLM's CPU build (its own environment, `.venv-vllm`, made by `make install`): the
harness trains three LoRA variants of the embedded Gemma, starts one vLLM server with the three adapters
(two of whose names read alike), evaluates each through its adapter's name, and stops it. Each adapter's
answers must agree with the `hf` backend's answers for the same adapter and dtype more often than with the
base model's, so a vLLM path answering with the base model fails here. Then the harness is killed while
serving (SIGTERM, kill -9), and a server is killed mid-sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from babelbench.evaluate.servers import adapter_name
from babelbench.evaluate.vllm_probe import probe, vllm_python
from tests.integration._harness import harness, query

pytestmark = [pytest.mark.slow, pytest.mark.vllm]
ROOT = Path(__file__).resolve().parents[2]

RECIPE = """\
    name: vs
    base_model: builtin:gemma-3-270m
    data:
      sources:
        - {{path: {root}/data/samples/instructions.en.jsonl, language: en}}
        - {{path: {root}/data/samples/instructions.zh.jsonl, language: zh}}
        - {{path: {root}/data/samples/instructions.es.jsonl, language: es}}
      mix: {{en: 1.0}}
      size: 32
      allow_upsampling: true
      seed: 1
    train:
      method: lora
      lora: {{r: 8, alpha: 16, dropout: 0.0, target_modules: [q_proj, v_proj]}}
      lr: 3.0e-3
      max_steps: 8
      batch_size: 4
      max_length: 128
    eval:
      tasks: [babel_qa_en]
      limit: {limit}
      dtype: bfloat16
      gen_kwargs: {{max_gen_toks: {tokens}}}
      {route}
    variants:
      base: {{train.method: none}}
      a+1: {{}}
      a-1: {{data.mix: {{zh: 1.0}}}}
      es: {{data.mix: {{es: 1.0}}}}
"""
SERVED = "serve: {server: vllm, concurrency: 4, startup_timeout_s: 900}\n  vllm: {max_model_len: 512}"
ANSWERS = """SELECT v.name, list(s.raw_response ORDER BY s.doc_id) FROM samples s
    JOIN variant_stages vs ON vs.key = s.eval_key AND vs.kind = 'eval' JOIN variants v USING (variant_id)
    WHERE v.name LIKE ? GROUP BY v.name"""


def _recipe(tmp: Path, name: str, route: str, limit: int = 4, tokens: int = 16) -> Path:
    path = tmp / f"{name}.yaml"
    path.write_text(textwrap.dedent(RECIPE).format(root=ROOT, route=route, limit=limit, tokens=tokens)
                    .replace("name: vs", f"name: {name}"), encoding="utf-8")
    return path


def _vllm_processes() -> list[psutil.Process]:
    out = []
    for proc in psutil.process_iter(["cmdline"]):
        if any("vllm.entrypoints" in part for part in proc.info["cmdline"] or []):
            out.append(proc)
    return out


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.5)
    return bool(condition())


@pytest.fixture(scope="module")
def vllm_env(babelbench_home):
    facts = probe(vllm_python())
    if "error" in facts:
        pytest.fail(f"vLLM is not installed ({facts['error']}): `make install` creates .venv-vllm")
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    return facts


@pytest.fixture(scope="module")
def served_sweep(vllm_env, tmp_path_factory):
    """One harness run: train three adapters, one vLLM server for the four variants."""
    tmp = tmp_path_factory.mktemp("vllm")
    store = tmp / "results.duckdb"
    code, out = harness("run", _recipe(tmp, "vs", SERVED), "--store", store)
    assert code == 0, out
    return tmp, store, out


def _agree(a: list[str], b: list[str]) -> int:
    return sum(x == y for x, y in zip(a, b, strict=True))


def test_each_adapter_is_served_under_its_own_name_and_answers_as_hf_does(served_sweep, babelbench_home):
    tmp, store, out = served_sweep
    assert "serving 4 variant(s) with vllm on 127.0.0.1:" in out and "eval ran: 4" in out
    assert _vllm_processes() == []                                       # stopped
    log = max((babelbench_home / "logs").glob("serve-*.log"), key=lambda p: p.stat().st_mtime).read_text()
    for name in ("vs@a+1", "vs@a-1", "vs@es"):
        assert f"name='{adapter_name(name)}'" in log                   # registered under its own name
    assert adapter_name("vs@a+1") != adapter_name("vs@a-1")
    served = dict(query(store, ANSWERS, ["vs@%"]))
    code, hf_out = harness("run", _recipe(tmp, "hf", ""), "--store", store)
    assert code == 0, hf_out
    assert "train ran" not in hf_out                                     # the same adapters
    hf = {k.replace("hf@", "vs@"): v for k, v in query(store, ANSWERS, ["hf@%"])}
    report = {}
    for name in ("vs@a+1", "vs@a-1", "vs@es"):
        own, base = _agree(served[name], hf[name]), _agree(served[name], hf["vs@base"])
        report[name] = (own, base, len(served[name]))
        assert served[name] != served["vs@base"], name                   # not the base model
        assert own > base, (name, served[name], hf[name], hf["vs@base"])
    print(f"\nvLLM vs hf agreement (own adapter, base model, documents): {report}; "
          f"base: {_agree(served['vs@base'], hf['vs@base'])}/{len(hf['vs@base'])}")


def _start_harness(tmp: Path, name: str, tokens: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), str(ROOT),
                                                                   os.environ.get("PYTHONPATH")) if p))
    recipe = _recipe(tmp, name, SERVED, tokens=tokens)
    return subprocess.Popen([sys.executable, "-c", "from babelbench.cli.app import main; main()", "run", str(recipe),
                             "--store", str(tmp / f"{name}.duckdb")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def _engine_started() -> bool:
    """A vLLM server with at least one process of its own (its engine) is up."""
    for server in _vllm_processes():
        try:
            if server.children(recursive=True):
                return True
        except psutil.Error:
            pass
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_harness_killed_while_serving_leaves_no_vllm(served_sweep, sig):
    tmp = served_sweep[0]
    proc = _start_harness(tmp, f"kill{int(sig)}", tokens=9 + int(sig))   # its own eval keys: a server starts
    engine = _wait(lambda: _engine_started(), 600)
    assert engine, proc.communicate()[0] if proc.poll() is not None else "no vLLM engine started"
    proc.send_signal(sig)
    proc.wait(120)
    assert _wait(lambda: not _vllm_processes(), 120), [p.info["cmdline"] for p in _vllm_processes()]


def test_a_server_killed_mid_sweep_fails_the_rest_with_its_log(served_sweep):
    tmp = served_sweep[0]
    proc = _start_harness(tmp, "dies", tokens=7)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if "served by vllm" in line:                                   # the server answers: kill it
            for server in _vllm_processes():
                server.kill()
            break
    rest = proc.communicate(timeout=900)[0]
    out = "".join(lines) + rest
    assert proc.returncode == 1, out
    failed = [line for line in out.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 4, out
    assert sum("during the sweep" in line for line in failed) >= 3, out     # the rest, without retrying
    assert _vllm_processes() == []


def test_what_the_installed_vllm_cannot_serve_is_refused_at_its_line(vllm_env, tmp_path):
    recipe = _recipe(tmp_path, "bad", SERVED).read_text().replace("lora: {r: 8,", "lora: {r: 1024,")
    (tmp_path / "bad.yaml").write_text(recipe, encoding="utf-8")
    code, out = harness("validate", tmp_path / "bad.yaml")
    line = 1 + recipe.splitlines().index(next(x for x in recipe.splitlines() if "r: 1024" in x))
    assert code == 2, out
    assert f"bad.yaml:{line}: train.lora.r: vLLM {vllm_env['version']} ({vllm_env['device']}) serves LoRA " \
           f"ranks up to {max(vllm_env['lora_ranks'])}, not 1024" in out, out
