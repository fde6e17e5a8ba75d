"""`harness export`: the store's results as files, offline."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths


def export(
    folder: Annotated[Path, typer.Argument(help="Folder to write into (created).")],
    fmt: Annotated[str, typer.Option("--format", help="hf-dataset (Parquet per table + dataset card) or lm-eval "
                                                      "(one lm-eval-shaped results JSON per variant).")] = "hf-dataset",
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    variants: Annotated[Optional[list[str]], typer.Option("--variant", help="Only this variant (repeatable).")] = None,
    with_samples: Annotated[bool, typer.Option("--with-samples", help="Include every answer (hf-dataset).")] = False,
) -> None:
    """Write the results as a Hub-dataset folder or as lm-eval results files."""
    from ..publish import files as exporting
    from ..store import Store, StoreError

    if fmt not in ("hf-dataset", "lm-eval"):
        raise typer.BadParameter("must be hf-dataset or lm-eval", param_hint="--format")
    try:
        with Store(store).read() as con:
            if fmt == "hf-dataset":
                written = exporting.write(exporting.dataset_files(con, variants=variants, with_samples=with_samples),
                                          folder)
            else:
                results = exporting.lm_eval_results(con, variants)
                folder.mkdir(parents=True, exist_ok=True)
                written = []
                for name, payload in sorted(results.items()):
                    path = folder / f"results_{re.sub(r'[^A-Za-z0-9._-]+', '_', name)}.json"
                    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
                    written.append((path.name, path.stat().st_size, ""))
    except (StoreError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for path, size, _ in written:
        typer.echo(f"{folder / path}  {size} bytes")
