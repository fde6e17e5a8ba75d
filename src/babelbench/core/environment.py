"""Settings that travel to code lm-eval calls (filters, metrics) and to worker processes: environment
variables set for the length of a block."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def environment_set(name: str, value: str) -> Iterator[None]:
    """``os.environ[name] = value`` while the block runs; the previous value (or none) afterwards."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
