"""One process of a multi-process train stage: ``accelerate launch -m babelbench.train.worker ARGS``.

Every process runs the same training (the Trainer shares the work out); the first saves the result, as
``train_variant`` does in one process. Arguments: the variant as JSON, the base model folder, the data
folder and the output folder.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..recipe.schema import Variant
from .trainer import train_variant


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m babelbench.train.worker")
    for name in ("variant", "base", "data", "out"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args(argv)
    variant = Variant.model_validate(json.loads(Path(args.variant).read_text(encoding="utf-8")))
    train_variant(variant, args.base, Path(args.data), Path(args.out))


if __name__ == "__main__":
    main()
