"""A run config file (``harness run --config FILE``): how a run executes, not what it builds.

```yaml
executor:
  name: ray            # local (default) | ray
  address: auto        # join a running cluster; unset: start Ray on this machine
  max_retries: 3       # a stage whose worker dies is retried this often
```

Nothing here is part of any stage key: the same recipe gives the same results under any executor.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..core.errors import ConfigError, Problem
from ..core.yamlpos import display_path, load_yaml
from ..validate.executor import address_problem
from .executors import ExecutorSettings, executor_names


class RunConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    executor: ExecutorSettings = Field(default_factory=ExecutorSettings, description="Where stages run.")


def load_run_config(path: Path) -> RunConfig:
    """The file's settings; a wrong one is a :class:`ConfigError` naming the file, the line and the field."""
    name = display_path(path)
    doc = load_yaml(path, name)
    try:
        config = RunConfig.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(Problem(*doc.where(field, name), field, message))
        raise ConfigError(problems) from None
    address = config.executor.address
    problem = address_problem(address) if address is not None else None
    if problem:
        raise ConfigError([Problem(*doc.where("executor.address", name), "executor.address", problem)])
    if config.executor.name not in executor_names():
        raise ConfigError([Problem(*doc.where("executor.name", name), "executor.name",
                                   f"unknown executor {config.executor.name!r}; known: {', '.join(executor_names())}")])
    return config
