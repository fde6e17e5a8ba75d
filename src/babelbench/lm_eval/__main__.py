"""``python -m babelbench.lm_eval``: lm-eval's command line, with the ``babelbench`` model registered."""

from __future__ import annotations

from lm_eval.__main__ import cli_evaluate

from .model import BabelbenchModel  # noqa: F401  (registers --model babelbench)

if __name__ == "__main__":
    cli_evaluate()
