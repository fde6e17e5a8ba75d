"""Helpers shared by the commands: printing problems, default paths."""

from __future__ import annotations

import sys

from ..recipe.errors import ConfigError


def print_problems(error: ConfigError) -> None:
    for problem in error.problems:
        print(f"error: {problem}", file=sys.stderr)
