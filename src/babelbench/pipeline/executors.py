"""Where stages run: in this process (``local``, the default) or as Ray tasks (``ray``), registered by name.

Every stage is a function of its plan and input artifacts that returns a
:class:`~babelbench.core.records.StageResult` and never opens the store (the stage contract), so an
executor only decides *where* that function runs and how many variants go at once. The runner and
its :class:`~babelbench.pipeline.lifecycle.Lifecycle` stay in the driver and alone write the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ..core.registry import Registry

if TYPE_CHECKING:
    from ..core.records import StageResult
    from ..recipe.schema import StageResources

T = TypeVar("T")
R = TypeVar("R")


class ExecutorSettings(BaseModel):
    """``executor:`` in a run config file, or ``harness run --executor NAME [--address A]``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("local", description="A registered executor: `local` (this process) or `ray`.")
    address: str | None = Field(
        None, description="Ray: the cluster to join (`auto`, `ray://host:10001`, or a GCS `host:port`); "
        "unset starts a Ray instance on this machine with its CPUs.")
    max_retries: int = Field(3, ge=0, description="Ray: times a stage is retried when its worker dies.")
    num_cpus: int | None = Field(None, gt=0, description="Ray, when it starts its own instance: CPUs it may "
                                                         "use (default: all of this machine's).")


class ExecutorUnavailable(RuntimeError):
    """The executor cannot start (Ray missing, no cluster at the address, workers that cannot see the artifacts)."""


class Executor:
    """Runs stage functions somewhere, and variants one after another or side by side. This base runs
    everything in this process, one variant after another; subclasses override what they change."""

    name: ClassVar[str]

    def __init__(self, settings: ExecutorSettings):
        self.settings = settings

    def start(self, home: Path) -> None:
        """Get ready (join a cluster, check what workers can see); ``home``: the driver's BABELBENCH_HOME."""

    def close(self) -> None:
        """Give back what :meth:`start` took."""

    @property
    def remote(self) -> bool:
        """Whether stages run outside this process (they then report no progress to the display)."""
        return False

    def each(self, items: Sequence[T], fn: Callable[[T], R]) -> list[R]:
        """``fn`` over ``items``, in order, one after another."""
        return [fn(item) for item in items]

    def execute(self, kind: str, label: str, work: Callable[[], StageResult],
                resources: StageResources | None, secrets: tuple[str, ...] = ()) -> StageResult:
        """Run one stage function and return its result; ``resources`` None: it stays in this process.
        ``secrets``: environment variables this stage needs beyond its kind's (e.g. a served model's key)."""
        return work()


_EXECUTORS: Registry[type[Executor]] = Registry("executor", ("babelbench.pipeline.executors",
                                                             "babelbench.pipeline.ray_executor"))


def register_executor(name: str):
    def wrap(cls: type[Executor]) -> type[Executor]:
        cls.name = name
        return _EXECUTORS.register(name)(cls)

    return wrap


def executor_names() -> list[str]:
    return _EXECUTORS.names()


def make_executor(settings: ExecutorSettings | None = None) -> Executor:
    settings = settings or ExecutorSettings()
    return _EXECUTORS.get(settings.name)(settings)


@register_executor("local")
class LocalExecutor(Executor):
    """Everything in this process, one variant after another (the default)."""
