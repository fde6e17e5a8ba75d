"""`harness export`: the store's results as files, offline, in a registered export format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths


def export(
    folder: Annotated[Path, typer.Argument(help="Folder to write into (created).")],
    fmt: Annotated[str, typer.Option("--format", help="hf-dataset (Parquet per table + dataset card), lm-eval "
                                                      "(one lm-eval-shaped results JSON per variant), eee "
                                                      "(one Every Eval Ever record per variant) or another "
                                                      "registered export format.")] = "hf-dataset",
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    variants: Annotated[Optional[list[str]], typer.Option("--variant", help="Only this variant (repeatable).")] = None,
    with_samples: Annotated[bool, typer.Option("--with-samples", help="Include every answer (hf-dataset).")] = False,
) -> None:
    """Write the results as a Hub-dataset folder, lm-eval results files or Every Eval Ever records."""
    from ..publish.formats import export_format_names, get_export_format
    from ..store import Store, StoreError

    names = export_format_names()
    if fmt not in names:
        raise typer.BadParameter(f"must be one of {', '.join(names)}", param_hint="--format")
    write_format = get_export_format(fmt)
    try:
        with Store(store).read() as con:
            written = write_format(con, variants, with_samples, folder)
    except (StoreError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for path, size, _ in written:
        typer.echo(f"{folder / path}  {size} bytes")
