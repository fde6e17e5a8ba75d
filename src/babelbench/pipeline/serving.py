"""Served sweeps (``eval.serve``): one model server per base model for all of a run's variants.

The runner defers the evaluation of every variant whose recipe sets ``eval.serve`` (its data and train
stages run as usual). Then, per group of variants that share a server (server, base model, server
settings), :func:`serve_sweeps` starts the server once with every trained adapter registered, evaluates
each variant whose eval key is not done through lm-eval's chat-completions model (model = the variant's
adapter name, or the base model's served name for ``method: none``), and stops the server -- also when an
evaluation fails or the run is interrupted. Each evaluation is an ordinary eval stage: keyed, recorded
by the lifecycle, skipped when done. Variants go one after another; each keeps ``serve.concurrency``
requests in flight, which the server batches.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from .. import paths
from ..evaluate.servers import ModelServer, ServedAdapter, adapter_name, get_server
from ..recipe.schema import ServedModel, Variant
from .keys import VariantPlan


class ServerFailed(RuntimeError):
    """The model server did not start (or died): the variants it was to evaluate fail with this message."""


@dataclass(frozen=True)
class DeferredEval:
    """A variant's evaluation waiting for its group's server; ``weights``: its LoRA adapter folder, if any."""

    plan: VariantPlan
    weights: Path | None


def group_key(variant: Variant) -> str:
    """Variants served by one server process: same server, base model and server settings."""
    assert variant.eval.serve is not None
    return json.dumps({"serve": variant.eval.serve.model_dump(mode="json"), "base": variant.base_model,
                       "vllm": variant.eval.vllm.model_dump(mode="json"), "dtype": variant.eval.dtype},
                      sort_keys=True)


def served_name(server: ModelServer, item: DeferredEval) -> str:
    """The model name the variant's requests ask for."""
    return adapter_name(item.plan.variant.name) if item.weights is not None else server.base_name(item.plan.variant)


def adapters_of(items: list[DeferredEval]) -> list[ServedAdapter]:
    """Every adapter to register (one per trained variant), by name."""
    out: dict[str, ServedAdapter] = {}
    for item in items:
        if item.weights is not None:
            name = adapter_name(item.plan.variant.name)
            out[name] = ServedAdapter(name, str(item.weights), _rank(item.weights, item.plan.variant))
    return list(out.values())


def through_server(plan: VariantPlan, base_url: str, model: str) -> VariantPlan:
    """The plan evaluated through the ``openai`` backend against the served model (its eval key unchanged)."""
    v = plan.variant
    assert v.eval.serve is not None
    served = ServedModel(base_url=base_url, model=model, concurrency=v.eval.serve.concurrency)
    return replace(plan, variant=v.model_copy(update={"eval": v.eval.model_copy(update={
        "backend": "openai", "openai": served, "serve": None})}))


LOOPBACK = "127.0.0.1"


class LiveServer:
    """A started server: its API root, and :meth:`check`, which raises :class:`ServerFailed` (with its
    log's last line) once the server has died, so the variants left fail at once."""

    def __init__(self, proc: subprocess.Popen, url: str, log: Path) -> None:
        self.proc, self.url, self.log = proc, url, log

    def check(self) -> None:
        if self.proc.poll() is not None:
            raise ServerFailed(f"the model server exited with {self.proc.returncode} during the sweep "
                               f"(its log: {self.log}): {_tail(self.log, 1)}")

    def check_after_failure(self, wait_s: float = 30.0) -> None:
        """After a variant failed: a server that no longer answers is dying (its guard is still stopping its
        group), so wait for that, then :meth:`check`; one that never comes back fails the rest too."""
        if _answers(self.url):
            return
        try:
            self.proc.wait(wait_s)
        except subprocess.TimeoutExpired:
            raise ServerFailed(f"the model server stopped answering {self.url} during the sweep "
                               f"(its log: {self.log}): {_tail(self.log, 1)}") from None
        self.check()


@contextmanager
def running_server(command: list[str], port: int, timeout_s: float, log: Path, host: str = LOOPBACK,
                   env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """Start ``command`` under :mod:`babelbench.core.procguard` (its own process group, stopped when this
    process dies, even by ``kill -9``); yield it once ``/v1/models`` answers; stop the whole group afterwards."""
    log.parent.mkdir(parents=True, exist_ok=True)
    url = f"http://{host}:{port}/v1"
    guarded = [sys.executable, "-m", "babelbench.core.procguard", str(os.getpid()), "--", *command]
    with log.open("ab") as out:
        try:
            proc = subprocess.Popen(guarded, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, env=_child_env(env))
        except OSError as exc:
            raise ServerFailed(f"cannot start {command[0]}: {exc}") from None
    try:
        _wait_ready(proc, url, timeout_s, log)
        yield LiveServer(proc, url, log)
    finally:
        stop_server(proc)


def _child_env(extra: dict[str, str] | None) -> dict[str, str]:
    """This process's environment, with the package importable by the guard (PYTHONPATH kept, the
    package's own root prepended) and ``extra`` on top."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env | (extra or {})


def _answers(url: str, timeout_s: float = 5.0) -> bool:
    import urllib.request  # here, not at the top: every run imports this module, few start a server

    try:
        with urllib.request.urlopen(url + "/models", timeout=timeout_s) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _wait_ready(proc: subprocess.Popen, url: str, timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if _answers(url):
            return
        if proc.poll() is not None:
            raise ServerFailed(f"the model server exited with {proc.returncode} before answering "
                               f"(its log: {log}): {_tail(log)}")
        if time.monotonic() > deadline:
            raise ServerFailed(f"the model server did not answer {url}/models within {timeout_s:.0f}s (its log: {log})")
        time.sleep(0.5)


def stop_server(proc: subprocess.Popen, grace_s: float = 20.0) -> None:
    """Stop the server's whole process group -- also when its leader (the guard) has already died and left
    processes behind -- and reap the leader."""
    from ..core.procguard import stop_group

    stop_group(proc.pid, grace_s)   # start_new_session: the group id is the leader's pid
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def server_host(remote: bool) -> str:
    """The address served evaluations reach the server at: loopback, unless Ray runs them on a cluster of
    several nodes, where it is the driver's node address (the server runs beside the driver)."""
    if not remote:
        return LOOPBACK
    import ray

    if not ray.is_initialized():
        return LOOPBACK
    nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
    return choose_host(nodes, ray.util.get_node_ip_address())


def choose_host(alive_nodes: int, driver_ip: str) -> str:
    return driver_ip if alive_nodes > 1 else LOOPBACK


def _tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(server: ModelServer, base: str, items: list[DeferredEval], port: int,
                   host: str = LOOPBACK) -> list[str]:
    first = items[0].plan.variant
    return server.command(base, server.base_name(first), adapters_of(items), first, port, host)


def server_log() -> Path:
    return paths.home() / "logs" / f"serve-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"


def server_for(items: list[DeferredEval]) -> ModelServer:
    serve = items[0].plan.variant.eval.serve
    assert serve is not None
    return get_server(serve.server)


def _rank(adapter: Path, variant: Variant) -> int:
    try:
        return int(json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8"))["r"])
    except (OSError, ValueError, KeyError):
        return variant.train.lora.r
