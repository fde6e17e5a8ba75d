"""`harness publish`: the store's results to the Hugging Face Hub in one commit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths


def publish(
    repo: Annotated[str, typer.Option("--repo", help="Dataset repo, ORG/NAME.")],
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    variants: Annotated[Optional[list[str]], typer.Option("--variants", "--variant",
                                                          help="Only these variants (repeatable).")] = None,
    private: Annotated[bool, typer.Option("--private", help="Create the repos private.")] = False,
    with_samples: Annotated[bool, typer.Option("--with-samples", help="Also publish every answer.")] = False,
    models: Annotated[bool, typer.Option("--models", help="Also publish each variant's LoRA adapter to "
                                                          "ORG/NAME-<variant>, with a model card and model-index.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the files and the card; send nothing.")] = False,
    endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="Hub endpoint (default: HF_ENDPOINT or "
                                                                       "huggingface.co).")] = None,
) -> None:
    """Publish results (Parquet tables + dataset card) to the Hub; an unchanged store makes no commit."""
    from ..publish.hub import PublishError
    from ..publish.hub import publish as run_publish
    from ..store import StoreError

    if repo.count("/") != 1:
        raise typer.BadParameter("must be ORG/NAME", param_hint="--repo")
    try:
        run_publish(store, repo, variants=variants, private=private, with_samples=with_samples, models=models,
                    dry_run=dry_run, endpoint=endpoint, echo=typer.echo)
    except (PublishError, StoreError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except Exception as exc:  # the Hub client's own errors (offline mode, HTTP, auth), without a traceback
        if type(exc).__module__.startswith("huggingface_hub"):
            typer.echo(f"error: {type(exc).__name__}: {exc}", err=True)
            raise typer.Exit(1) from None
        raise
