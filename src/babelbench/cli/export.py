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
    fmt: Annotated[str, typer.Option("--format", help="hf-dataset (Parquet per table + dataset card), lm-eval "
                                                      "(one lm-eval-shaped results JSON per variant) or eee "
                                                      "(one Every Eval Ever record per variant).")] = "hf-dataset",
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    variants: Annotated[Optional[list[str]], typer.Option("--variant", help="Only this variant (repeatable).")] = None,
    with_samples: Annotated[bool, typer.Option("--with-samples", help="Include every answer (hf-dataset).")] = False,
) -> None:
    """Write the results as a Hub-dataset folder, lm-eval results files or Every Eval Ever records."""
    from ..publish import files as exporting
    from ..store import Store, StoreError

    if fmt not in ("hf-dataset", "lm-eval", "eee"):
        raise typer.BadParameter("must be hf-dataset, lm-eval or eee", param_hint="--format")
    try:
        with Store(store).read() as con:
            if fmt == "hf-dataset":
                written = exporting.write(exporting.dataset_files(con, variants=variants, with_samples=with_samples),
                                          folder)
            else:
                if fmt == "eee":
                    from ..publish.eee import eee_records

                    results = eee_records(con, variants)
                else:
                    results = exporting.lm_eval_results(con, variants)
                folder.mkdir(parents=True, exist_ok=True)
                written = []
                for name, payload in sorted(results.items()):
                    prefix = "eee" if fmt == "eee" else "results"
                    path = folder / f"{prefix}_{re.sub(r'[^A-Za-z0-9._-]+', '_', name)}.json"
                    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
                    written.append((path.name, path.stat().st_size, ""))
    except (StoreError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for path, size, _ in written:
        typer.echo(f"{folder / path}  {size} bytes")
