"""Export formats: how `harness export --format NAME` writes the store's results as files,
registered by name.

A format is a function ``(con, variants, with_samples, folder)`` that writes its files under
``folder`` and returns, per file, (path relative to ``folder``, size in bytes, sha256 or ``""``).
Adding one is one module with one decorated function, plus its module in ``_BUILTIN_MODULES``::

    @register_export_format("csv")
    def export_csv(con, variants, with_samples, folder): ...

The built-in formats live in :mod:`babelbench.publish.files` (``hf-dataset``, ``lm-eval``) and
:mod:`babelbench.publish.eee` (``eee``) and register when first looked up, so importing this
module (as the CLI does) costs nothing.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import duckdb

#: One written file: (path relative to the export folder, size in bytes, sha256 or "").
WrittenFile = tuple[str, int, str]


class ExportFormat(Protocol):
    def __call__(self, con: duckdb.DuckDBPyConnection, variants: list[str] | None, with_samples: bool,
                 folder: Path) -> list[WrittenFile]:
        """Write the named variants' results (all evaluated variants when None) under ``folder``."""
        ...


_EXPORT_FORMATS: dict[str, ExportFormat] = {}
#: Modules whose import registers the built-in formats, imported on first lookup.
_BUILTIN_MODULES = ("babelbench.publish.files", "babelbench.publish.eee")


def register_export_format(name: str):
    """Decorator: make ``fn`` the export format ``name``. A name registered twice is an error."""

    def wrap(fn: ExportFormat) -> ExportFormat:
        existing = _EXPORT_FORMATS.get(name)
        if existing is not None and existing is not fn:
            raise ValueError(f"export format {name!r} is registered twice "
                             f"({getattr(existing, '__module__', '?')}, {getattr(fn, '__module__', '?')})")
        _EXPORT_FORMATS[name] = fn
        return fn

    return wrap


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)


def export_format_names() -> list[str]:
    _load_builtins()
    return sorted(_EXPORT_FORMATS)


def get_export_format(name: str) -> ExportFormat:
    _load_builtins()
    try:
        return _EXPORT_FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r}; known: {', '.join(sorted(_EXPORT_FORMATS))}") from None


def write_json_per_variant(records: dict[str, dict[str, Any]], folder: Path, prefix: str) -> list[WrittenFile]:
    """One ``<prefix>_<variant>.json`` per variant (characters a file name should not hold become
    ``_``), in variant order; no digest is reported for these."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, payload in sorted(records.items()):
        path = folder / f"{prefix}_{re.sub(r'[^A-Za-z0-9._-]+', '_', name)}.json"
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
        written.append((path.name, path.stat().st_size, ""))
    return written
