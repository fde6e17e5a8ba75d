"""The Ray executor (``harness run --executor ray``): each variant's data, train and eval stages are Ray tasks.

* **Resources.** A stage asks for the recipe's ``resources.<stage>`` (CPUs, GPUs); a LoRA step run by two
  torch processes that each use every core of a 2-core machine was 8x slower than one, so a task's torch
  uses exactly the CPUs Ray gave it (``torch.set_num_threads``, ``OMP_NUM_THREADS``; an accelerate launch
  inside it splits them between its processes).
* **Order.** Each variant's stages run in order (data -> train -> eval) in a driver thread of their own, so
  different variants run side by side as far as the cluster's resources allow. Judges run in the driver
  after every evaluation (grades are stored as they arrive; an endpoint judge needs no worker).
* **One writer.** A task returns its :class:`StageResult` to the driver, which alone writes the store. A
  worker that dies is retried by Ray (``max_retries``); a retried training resumes from its last
  checkpoint in the ``.partial`` folder. A killed driver resumes from the store like a local run.
* **Ctrl-C.** The running stage tasks are cancelled (their workers killed), no variant starts another
  stage, and each interrupted stage is stored ``interrupted``; the next run redoes it.
* **Secrets.** The job's ``runtime_env`` (visible to anyone who lists the cluster's jobs) carries no
  secret; a stage's task gets the ones it needs (:data:`STAGE_SECRETS`) as an argument, set in the
  worker's environment for that stage only.
* **Shared artifacts.** Stages read and write under ``BABELBENCH_HOME`` (datasets, adapters, caches). On a
  cluster that must be one shared filesystem at the same path on every node; before any work the driver
  writes a probe file there and a task on every node must find it, or the run is refused.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .executors import Executor, ExecutorSettings, ExecutorUnavailable, register_executor

if TYPE_CHECKING:
    from ..core.records import StageResult
    from ..recipe.schema import StageResources

T = TypeVar("T")
R = TypeVar("R")

#: The driver's environment variables a worker needs to behave the same (offline switches, caches, homes).
_PASSED_PREFIXES = ("BABELBENCH_", "HF_", "TRANSFORMERS_", "TOKENIZERS_", "SACREBLEU", "OPENAI_")
#: A variable whose name has one of these words (between underscores) is a secret: never in the job's
#: ``runtime_env`` (which anyone who can list a cluster's jobs reads), only handed to the task of a stage
#: that needs it.
_SECRET_MARKERS = frozenset({"TOKEN", "KEY", "SECRET", "PASSWORD", "CREDENTIAL", "CREDENTIALS"})
_HUB_SECRETS = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
#: The secrets each stage may need: data, train and eval read the Hub (gated models, private datasets). An
#: evaluation of a served model also gets the one key its backend sends (``EvalBackend.secret_names``: the
#: provider's, or ``eval.openai.api_key_env``), passed by the caller. Judges run in the driver.
STAGE_SECRETS: dict[str, tuple[str, ...]] = {"data": _HUB_SECRETS, "train": _HUB_SECRETS, "eval": _HUB_SECRETS}


def is_secret(name: str) -> bool:
    return not _SECRET_MARKERS.isdisjoint(name.upper().split("_"))


def job_env(environ: dict[str, str]) -> dict[str, str]:
    """The variables every worker gets through the job's ``runtime_env``: the passed prefixes, no secret."""
    return {k: v for k, v in environ.items() if k.startswith(_PASSED_PREFIXES) and not is_secret(k)}


def stage_secrets(kind: str, environ: dict[str, str], extra: tuple[str, ...] = ()) -> dict[str, str]:
    """The secrets the stage ``kind`` needs (and ``extra``, those its settings name: a served model's
    ``eval.openai.api_key_env``), from the driver's environment (sent with its task only)."""
    return {k: environ[k] for k in (*STAGE_SECRETS.get(kind, ()), *extra) if environ.get(k)}


def _run_stage(work: Callable[[], StageResult], cpus: float, secrets: dict[str, str] | None = None) -> StageResult:
    """In a Ray worker: limit torch to the CPUs this task was given, then run the stage function with
    the stage's secrets in the environment for its duration only."""
    threads = max(1, int(cpus))
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    os.environ["BABELBENCH_CPUS"] = str(threads)   # an accelerate launch shares these between its processes
    try:
        import torch
    except ImportError:   # a stage without torch (e.g. a served evaluation on a light worker)
        pass
    else:
        torch.set_num_threads(threads)
    secrets = secrets or {}
    before = {k: os.environ.get(k) for k in secrets}
    os.environ.update(secrets)
    try:
        return work()
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _probe(folder: str, name: str) -> dict[str, Any]:
    """On one node: does the driver's home folder exist here, with the probe file the driver wrote?"""
    from .. import paths

    probe = Path(folder) / name
    return {"host": socket.gethostname(), "home": str(paths.home()),
            "sees": probe.is_file() and probe.read_text(encoding="utf-8") == name}


@register_executor("ray")
class RayExecutor(Executor):
    """Stages as Ray tasks with resource requests; variants side by side; the driver writes the store."""

    def __init__(self, settings: ExecutorSettings):
        super().__init__(settings)
        self._owns_ray = False
        self._remote: Any = None
        self._inflight: set[Any] = set()     #: ObjectRefs of the stage tasks running now
        self._guard = threading.Lock()
        self._stopping = threading.Event()   #: set by Ctrl-C: no stage starts, running ones are cancelled

    @property
    def remote(self) -> bool:
        return True

    def start(self, home: Path) -> None:
        try:
            import ray
        except ImportError:
            raise ExecutorUnavailable("--executor ray needs Ray: pip install 'babelbench[ray]'") from None
        if not ray.is_initialized():
            env = job_env(dict(os.environ))
            from .. import paths

            env["BABELBENCH_HOME"] = str(paths.home())
            options: dict[str, Any] = {"runtime_env": {"env_vars": env}, "log_to_driver": False,
                                       "include_dashboard": False, "configure_logging": False}
            if self.settings.address is None:
                options["num_cpus"] = self.settings.num_cpus or os.cpu_count() or 1
            else:
                options["address"] = self.settings.address
                options.pop("include_dashboard")
            try:
                ray.init(**options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = self.settings.address or "a new local instance"
                raise ExecutorUnavailable(f"cannot start Ray ({where}): {' '.join(str(exc).split())}") from None
            self._owns_ray = True
        self._remote = ray.remote(_run_stage)
        self._check_shared(home)

    def _check_shared(self, artifacts: Path) -> None:
        """Refuse unless a task on every alive node sees the driver's artifacts folder at the same path."""
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        artifacts.mkdir(parents=True, exist_ok=True)
        name = f".executor-probe-{uuid.uuid4().hex}"
        probe = artifacts / name
        probe.write_text(name, encoding="utf-8")
        try:
            task = ray.remote(_probe)
            nodes = [n["NodeID"] for n in ray.nodes() if n.get("Alive")]
            answers = ray.get([task.options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(
                node, soft=False)).remote(str(artifacts), name) for node in nodes])
        finally:
            probe.unlink(missing_ok=True)
        blind = [a for a in answers if not a["sees"] or a["home"] != str(artifacts)]
        if blind:
            where = "; ".join(f"{a['host']} (its BABELBENCH_HOME: {a['home']})" for a in blind)
            raise ExecutorUnavailable(
                f"Ray workers cannot see this driver's BABELBENCH_HOME {artifacts}: {where}. On a cluster, "
                "BABELBENCH_HOME must be one shared filesystem at the same path on every node")

    def close(self) -> None:
        if self._owns_ray:
            import ray

            ray.shutdown()
            self._owns_ray = False

    def each(self, items: Sequence[T], fn: Callable[[T], R]) -> list[R]:
        """Every variant in a driver thread of its own: their stages are submitted as soon as they are ready.

        Ctrl-C (in the main thread) stops the run promptly: the running stage tasks are cancelled, no
        variant starts another stage (each records its stage ``interrupted``), then it goes on up."""
        if len(items) <= 1:
            return [fn(item) for item in items]
        pool = ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="variant")
        try:
            futures = [pool.submit(fn, item) for item in items]
            return [future.result() for future in futures]
        except KeyboardInterrupt:
            self.stop()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)   # after stop(): each thread ends at its next ray.get

    def stop(self) -> None:
        """Start no more stage tasks and cancel the running ones (their workers are killed)."""
        import ray

        self._stopping.set()
        with self._guard:
            running = list(self._inflight)
        for ref in running:
            with contextlib.suppress(Exception):   # finished meanwhile
                ray.cancel(ref, force=True)

    def execute(self, kind: str, label: str, work: Callable[[], StageResult],
                resources: StageResources | None, secrets: tuple[str, ...] = ()) -> StageResult:
        if self._stopping.is_set():
            raise KeyboardInterrupt(f"{kind} {label}: not started, the run is stopping")
        if resources is None:
            return work()
        import ray

        task = self._remote.options(name=f"{kind}:{label}", num_cpus=resources.cpus, num_gpus=resources.gpus,
                                    max_retries=self.settings.max_retries, retry_exceptions=False)
        ref = task.remote(work, resources.cpus, stage_secrets(kind, dict(os.environ), secrets))
        with self._guard:
            self._inflight.add(ref)
        try:
            return ray.get(ref)
        except KeyboardInterrupt:   # Ctrl-C while this (main) thread waited: the task must not go on
            self.stop()
            raise
        except ray.exceptions.RayTaskError as exc:   # the stage raised: the same exception as a local run
            if self._stopping.is_set():
                raise KeyboardInterrupt(f"{kind} {label}: cancelled") from None
            raise exc.as_instanceof_cause() from None
        except ray.exceptions.RayError:
            if self._stopping.is_set():   # cancelled by stop(): an interruption, not the stage's failure
                raise KeyboardInterrupt(f"{kind} {label}: cancelled") from None
            raise
        finally:
            with self._guard:
                self._inflight.discard(ref)
