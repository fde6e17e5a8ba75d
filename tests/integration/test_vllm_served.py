"""`eval.serve: vllm` on vLLM's CPU build (its own environment, `.venv-vllm`, made by `make install`): the
harness trains three LoRA variants of the embedded Gemma, starts one vLLM server with the three adapters
(two of whose names read alike), evaluates each through its adapter's name, and stops it. Each adapter's
answers must agree with the `hf` backend's answers for the same adapter and dtype more often than with the
base model's, so a vLLM path answering with the base model fails here. Then three harness runs at once (their
start-ups overlap): one killed by SIGTERM and one by kill -9 while serving, one whose server is killed
mid-sweep.

Cheap on purpose (so that it can join `make test`): one server serves the sweep's four variants; the adapters are
trained once, 4 steps each (the three later runs adopt them); 4 documents and 16 tokens a variant; float32 (bfloat16 is
emulated on CPUs without its instructions, several times slower); vLLM's worker runs inside its engine
process (`--distributed-executor-backend uni` with `VLLM_ENABLE_V1_MULTIPROCESSING=0`: one process fewer to
start; the engine is still a process of its own, so the kill tests see a process tree)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
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
      lr: 5.0e-3
      max_steps: 4
      batch_size: 4
      max_length: 64
    eval:
      tasks: [babel_qa_en]
      limit: 4
      dtype: float32
      gen_kwargs: {{max_gen_toks: {tokens}}}
      {route}
    variants:
"""
VARIANTS = {"base": "{train.method: none}", "a+1": "{}", "a-1": "{data.mix: {zh: 1.0}}",
            "es": "{data.mix: {es: 1.0}}"}
SERVED = ("serve: {server: vllm, concurrency: 4, startup_timeout_s: 900,\n"
          "          extra_args: [--distributed-executor-backend, uni]}\n"
          "  vllm: {max_model_len: 512}")
VLLM_ENV = {"VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_ENABLE_V1_MULTIPROCESSING": "0"}
ANSWERS = """SELECT v.name, list(s.raw_response ORDER BY s.doc_id) FROM samples s
    JOIN variant_stages vs ON vs.key = s.eval_key AND vs.kind = 'eval' JOIN variants v USING (variant_id)
    WHERE v.name LIKE ? GROUP BY v.name"""
ADAPTERS = ("vs@a+1", "vs@a-1", "vs@es")


def _recipe(tmp: Path, name: str, route: str, tokens: int = 16, variants: tuple[str, ...] = tuple(VARIANTS)) -> Path:
    path = tmp / f"{name}.yaml"
    body = "\n".join(f"  {v}: {VARIANTS[v]}" for v in variants) + "\n"
    path.write_text(textwrap.dedent(RECIPE).format(root=ROOT, route=route, tokens=tokens)
                    .replace("name: vs", f"name: {name}") + body, encoding="utf-8")
    return path


def _is_vllm(proc: psutil.Process) -> bool:
    try:
        return any("vllm.entrypoints" in part for part in proc.cmdline())
    except psutil.Error:
        return False


def _is_server(proc: psutil.Process) -> bool:
    """vLLM's server itself (not the guard whose command line names it)."""
    try:
        return _is_vllm(proc) and not any("procguard" in part for part in proc.cmdline())
    except psutil.Error:
        return False


def _vllm_processes() -> list[psutil.Process]:
    return [proc for proc in psutil.process_iter() if _is_vllm(proc)]


@pytest.fixture(scope="module")
def vllm_env(babelbench_home):
    facts = probe(vllm_python())
    if "error" in facts:
        pytest.fail(f"vLLM is not installed ({facts['error']}): `make install` creates .venv-vllm")
    saved = {key: os.environ.get(key) for key in VLLM_ENV}
    os.environ.update(VLLM_ENV)
    yield facts
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


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
    for name in ADAPTERS:
        assert f"name='{adapter_name(name)}'" in log                   # registered under its own name
    assert adapter_name("vs@a+1") != adapter_name("vs@a-1")
    served = dict(query(store, ANSWERS, ["vs@%"]))
    code, hf_out = harness("run", _recipe(tmp, "hf", "", variants=("a+1", "a-1", "es")), "--store", store)
    assert code == 0, hf_out
    assert "train ran" not in hf_out                                     # the same adapters
    hf = {k.replace("hf@", "vs@"): v for k, v in query(store, ANSWERS, ["hf@%"])}
    report = {}
    for name in ADAPTERS:
        own, base = _agree(served[name], hf[name]), _agree(served[name], served["vs@base"])
        report[name] = (own, base, len(served[name]))
        assert served[name] != served["vs@base"], name                   # not the base model
        assert own > base, (name, served[name], hf[name], served["vs@base"])
    print(f"\nvLLM vs hf agreement (own adapter, base model, documents): {report}")


class _Run:
    """A harness run in a subprocess, its output read line by line (``on_line`` sees each as it comes)."""

    def __init__(self, tmp: Path, name: str, tokens: int, on_line: Callable[[_Run, str], None] | None = None):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), str(ROOT),
                                                                       os.environ.get("PYTHONPATH")) if p))
        recipe = _recipe(tmp, name, SERVED, tokens=tokens)    # its own eval keys: a server starts
        self.proc = subprocess.Popen([sys.executable, "-c", "from babelbench.cli.app import main; main()", "run",
                                      str(recipe), "--store", str(tmp / f"{name}.duckdb")],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: list[str] = []
        self.stopped: list[psutil.Process] = []     # its process tree when stopped (or its servers, killed)
        self.served = False                         # a vLLM server was among them
        self.acted = False
        self._on_line = on_line
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if self._on_line and not self.acted:
                self._on_line(self, line)

    def tree(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            return []

    def engine_up(self) -> bool:
        """Its vLLM server has at least one process of its own (its engine)."""
        for server in filter(_is_server, self.tree()):
            try:
                if server.children(recursive=True):
                    return True
            except psutil.Error:
                pass
        return False

    def finish(self, timeout: float) -> str:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)
        self._reader.join(30)
        return "".join(self.lines)


def _kill_server_mid_sweep(run: _Run, line: str) -> None:
    if "served by vllm" in line:
        run.stopped = [p for p in run.tree() if _is_server(p)]
        run.served = bool(run.stopped)
        for server in run.stopped:
            server.kill()
        run.acted = True


def _signal_once_engine_up(run: _Run, sig: int) -> None:
    if not run.acted and run.proc.poll() is None and run.engine_up():
        run.stopped = run.tree()
        run.served = any(map(_is_server, run.stopped))
        run.proc.send_signal(sig)
        run.acted = True


@pytest.fixture(scope="module")
def interrupted(served_sweep):
    """Three harness runs started at once, each with its own evaluation keys (so each starts a server) and the
    sweep's adapters: SIGTERM and SIGKILL to two of them once their server's engine is up; the third's server
    (answering by then) killed as its first variant's evaluation starts. Returns the runs once all three ended."""
    tmp = served_sweep[0]
    runs = {"term": _Run(tmp, "term", 10), "kill": _Run(tmp, "kill", 11),
            "dies": _Run(tmp, "dies", 7, on_line=_kill_server_mid_sweep)}
    signals = {"term": signal.SIGTERM, "kill": signal.SIGKILL}
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline and any(runs[n].proc.poll() is None and not runs[n].acted for n in signals):
        for name, sig in signals.items():
            _signal_once_engine_up(runs[name], sig)
        time.sleep(0.5)
    outputs = {name: run.finish(900) for name, run in runs.items()}
    yield runs, outputs
    for proc in _vllm_processes():        # only if a test failed: leave nothing running
        proc.kill()


@pytest.mark.parametrize("name", ["term", "kill"])
def test_a_harness_killed_while_serving_leaves_no_vllm(interrupted, name):
    runs, outputs = interrupted
    run = runs[name]
    assert run.acted, f"no vLLM engine started:\n{outputs[name]}"
    assert run.proc.returncode != 0
    assert run.served, [p.pid for p in run.stopped]                        # it was serving
    _, alive = psutil.wait_procs(run.stopped, timeout=120)
    assert alive == [], [p.pid for p in alive]                             # its whole tree is gone


def test_a_server_killed_mid_sweep_fails_the_rest_with_its_log(interrupted):
    runs, outputs = interrupted
    out = outputs["dies"]
    assert runs["dies"].acted and runs["dies"].served, out
    assert runs["dies"].proc.returncode == 1, out
    failed = [line for line in out.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 4, out
    assert sum("during the sweep" in line for line in failed) >= 3, out     # the rest, without retrying
    assert _wait_until(lambda: not _vllm_processes(), 120), [p.cmdline() for p in _vllm_processes()]


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.5)
    return bool(condition())


def test_what_the_installed_vllm_cannot_serve_is_refused_at_its_line(vllm_env, tmp_path):
    recipe = _recipe(tmp_path, "bad", SERVED).read_text().replace("lora: {r: 8,", "lora: {r: 1024,")
    (tmp_path / "bad.yaml").write_text(recipe, encoding="utf-8")
    code, out = harness("validate", tmp_path / "bad.yaml")
    line = 1 + recipe.splitlines().index(next(x for x in recipe.splitlines() if "r: 1024" in x))
    assert code == 2, out
    assert f"bad.yaml:{line}: train.lora.r: vLLM {vllm_env['version']} ({vllm_env['device']}) serves LoRA " \
           f"ranks up to {max(vllm_env['lora_ranks'])}, not 1024" in out, out
