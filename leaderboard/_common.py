"""What every page shares: which store, reading it safely, and clear messages instead of tracebacks."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any

import streamlit as st

from babelbench.store import Store, StoreError


def store_path() -> Path:
    """``--store F`` after ``--`` on the streamlit command line, else $BABELBENCH_STORE, else ./results.duckdb."""
    args = sys.argv[1:]
    if "--store" in args and args.index("--store") + 1 < len(args):
        return Path(args[args.index("--store") + 1])
    return Path(os.environ.get("BABELBENCH_STORE", "results.duckdb"))


@st.cache_data(show_spinner=False, max_entries=64)
def _cached(module: str, name: str, path: str, mtime: float, args: tuple) -> Any:
    import importlib

    with Store(path).read(retry_seconds=10) as con:
        return getattr(importlib.import_module(module), name)(con, *args)


def load(query: str | Callable[..., Any], *args: Any) -> Any:
    """``query(con, *args)`` on the store, cached until the file changes: a function of the package's
    read side (imported by the page, so import tools see it), or the name of one of
    :mod:`babelbench.store.board`'s queries.

    Shows a message and stops the page when the store is missing, from an older schema, or
    held by a writer for longer than a write transaction takes."""
    path = store_path()
    module, name = ("babelbench.store.board", query) if isinstance(query, str) else (query.__module__, query.__name__)
    try:
        mtime = path.stat().st_mtime if path.exists() else 0.0
        return _cached(module, name, str(path), mtime, args)
    except StoreError as exc:
        text = str(exc)
        if "no store at" in text:
            st.info(f"No results store at `{path}` yet. Run `harness run <recipe> --store {path}` first.")
        elif "schema version" in text:
            st.warning(f"`{path}` was written by an older babelbench ({text.split(': ', 1)[-1]}). "
                       "Any `harness run` on it upgrades it in place.")
        else:
            st.warning(f"`{path}` is busy (a run is writing to it). Reload in a moment. ({text})")
        st.stop()


def evaluated_or_stop() -> list[dict[str, Any]]:
    variants = load("evaluated_variants")
    if not variants:
        st.info(f"`{store_path()}` holds no evaluated variant yet. Run `harness run <recipe>` to fill it.")
        st.stop()
    return variants


def pick_variants(variants: list[dict[str, Any]], label: str, key: str, default: int = 3) -> list[str]:
    names = {v["variant_id"]: v["variant"] for v in variants}
    chosen = st.multiselect(label, list(names), default=list(names)[:default], format_func=names.get, key=key)
    return chosen



FIGURE_FORMATS = ("pdf", "svg", "png")


def _figure_file(kind: str, fmt: str, variants: tuple[str, ...] | None) -> bytes:
    """The figure kind drawn for a paper (the files `harness figures` writes); several files as a zip."""
    import io
    import zipfile

    from babelbench.publish.figure_data import read_figure_data
    from babelbench.publish.figures import render

    files = render(load(read_figure_data, list(variants) if variants else None), kind, fmt)
    if len(files) == 1:
        return files[0][1]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def figure_downloads(kind: str, key: str, variants: list[str] | None = None, files: int = 1) -> None:
    """Download buttons for a chart as the paper's figure, in each format (drawn when clicked);
    ``files``: how many files the kind draws here (more than one come as a zip)."""
    chosen = tuple(variants) if variants else None
    for column, fmt in zip(st.columns(len(FIGURE_FORMATS) + 3), FIGURE_FORMATS):
        name = f"{kind}.{fmt}" if files == 1 else f"{kind}-{fmt}.zip"
        column.download_button(fmt.upper(), data=lambda fmt=fmt: _figure_file(kind, fmt, chosen), file_name=name,
                               key=f"{key}-{fmt}", on_click="ignore", icon=":material/download:",
                               help=f"This figure for a paper ({name})")


def table_downloads(frame: Any, key: str, caption: str) -> None:
    """Download buttons for a table shown on the page: CSV, Markdown and LaTeX (booktabs)."""
    from babelbench.publish.paper_tables import table_format

    columns = [str(c) for c in frame.columns]
    rows = [["—" if v is None or v != v else (f"{v:.3g}" if isinstance(v, float) else str(v)) for v in row]
            for row in frame.itertuples(index=False)]
    files = {"csv": ("text/csv", lambda: frame.to_csv(index=False)),
             "md": ("text/markdown", lambda: table_format("markdown").grid(columns, rows, caption)),
             "tex": ("application/x-tex", lambda: table_format("latex").grid(columns, rows, caption))}
    for column, (ext, (mime, data)) in zip(st.columns(len(files) + 3), files.items()):
        column.download_button(ext.upper(), data=data, file_name=f"{key}.{ext}", mime=mime, key=f"{key}-{ext}",
                               on_click="ignore", icon=":material/download:", help=f"This table ({key}.{ext})")
