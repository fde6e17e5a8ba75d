"""`harness probe VARIANT`: layer-wise alignment of parallel sentences on a variant's model, stored."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths

COLUMNS = ["layer", "source_language", "target_language", "pair_cosine", "nonpair_cosine", "retrieval_forward",
           "retrieval_backward", "n"]


def probe(
    variant: Annotated[Optional[str], typer.Argument(help="Variant name, as `harness report` shows it.")] = None,
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    recipe: Annotated[Optional[Path], typer.Option("--recipe", help="Take the `alignment` settings of this "
                                                   "recipe's variant of that name.")] = None,
    languages: Annotated[Optional[list[str]], typer.Option(
        "--languages", help="Target languages (repeatable, or comma-separated); default: the settings', else "
        "every language of the source but the pivot.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Parallel sentences: a file or folder (rows "
                                                  "{id, language, text}, or a column per language), or `flores`.")] = None,
    pivot: Annotated[Optional[str], typer.Option("--pivot", help="The language compared with every target.")] = None,
    max_sentences: Annotated[Optional[int], typer.Option("--max-sentences", help="At most this many sentences.")] = None,
    model: Annotated[Optional[Path], typer.Option("--model", help="A local HF model folder instead of a variant.")] = None,
    adapter: Annotated[Optional[Path], typer.Option("--adapter", help="A peft LoRA adapter folder on --model.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Label of a --model probe (default: the folder's "
                                                "name).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Run again even when the key is stored.")] = False,
    metric: Annotated[str, typer.Option("--metric", help="What the table shows: pair_cosine, nonpair_cosine, "
                                        "retrieval_forward or retrieval_backward.")] = "pair_cosine",
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv (every stored number).")] = "table",
) -> None:
    """Mean-pool every layer's hidden states over each parallel sentence's own tokens and compare the pivot's
    sentences with each target language's: pair and non-pair cosine, top-1 retrieval both ways. Stored in
    the `alignment` table; the same model, sentences and settings are never computed twice."""
    import sys

    from rich.console import Console

    from ..core.errors import ConfigError
    from ..services.probe import ProbeError, ProbeSettings, probe_model, probe_variant
    from ..services.variant_weights import VariantModelError
    from ..store import StoreError
    from ._common import print_problems, print_rows, quiet_libraries

    _check_options(fmt, metric, variant, model, adapter, max_sentences)
    settings = ProbeSettings(languages=languages or [], source=source, pivot=pivot, max_sentences=max_sentences)
    # messages go to stderr when the numbers are piped as JSON/CSV
    console = Console(stderr=fmt != "table", highlight=False, soft_wrap=True)
    quiet_libraries()
    try:
        if model is not None:
            outcome = probe_model(store, model, settings, console, adapter=adapter, label=name, recipe=recipe,
                                  force=force)
        else:
            assert variant is not None
            outcome = probe_variant(store, variant, settings, console, recipe=recipe, force=force)
    except ConfigError as exc:
        print_problems(exc)
        raise typer.Exit(2) from None
    except (ProbeError, VariantModelError, StoreError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except Exception as exc:   # the stage failed (recorded as failed in the store); say why on one line
        typer.echo(f"error: the alignment stage failed: {type(exc).__name__}: {' '.join(str(exc).split())}",
                   err=True)
        raise typer.Exit(1) from None
    print_rows(outcome.rows, fmt, COLUMNS, lambda rows: _tables(outcome, metric, console))
    sys.stdout.flush()


def _check_options(fmt: str, metric: str, variant: str | None, model: Path | None, adapter: Path | None,
                   max_sentences: int | None) -> None:
    from ..store.alignment_queries import METRICS

    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter("must be table, json or csv", param_hint="--format")
    if metric not in METRICS:
        raise typer.BadParameter(f"must be one of {', '.join(METRICS)}", param_hint="--metric")
    if (variant is None) == (model is None):
        raise typer.BadParameter("give a VARIANT or --model PATH (one of them)", param_hint="VARIANT/--model")
    if adapter is not None and model is None:
        raise typer.BadParameter("--adapter goes on --model PATH (a variant's adapter is found in the store)",
                                 param_hint="--adapter")
    if max_sentences is not None and max_sentences <= 0:
        raise typer.BadParameter("must be > 0", param_hint="--max-sentences")


_TITLES = {"pair_cosine": "pair cosine with {pivot}", "nonpair_cosine": "non-pair cosine with {pivot}",
           "retrieval_forward": "top-1 retrieval {pivot} -> language",
           "retrieval_backward": "top-1 retrieval language -> {pivot}"}


def _tables(outcome, metric: str, console) -> None:
    """Layers down, languages across; the languages continue in another table past the console's width."""
    from rich import box
    from rich.table import Table

    from ..services.probe import table_cells

    targets, lines = table_cells(outcome.rows, metric)
    per_table = max(1, (console.width - 8) // 9)
    for start in range(0, max(len(targets), 1), per_table):
        shown = targets[start:start + per_table]
        title = (f"{outcome.label}: {_TITLES[metric].format(pivot=outcome.pivot)} (key {outcome.key})"
                 if start == 0 else None)
        table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", padding=(0, 1))
        table.add_column("layer", justify="right")
        for t in shown:
            table.add_column(t, justify="right")
        for line in lines:
            table.add_row(line[0], *line[1 + start:1 + start + len(shown)])
        console.print(table)
    console.print("layer 0 = the embeddings' output; --metric picks another number, --format json every one")
