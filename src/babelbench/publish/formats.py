"""Export formats: how `harness export --format NAME` writes the store's results as files,
registered by name.

A format is a function ``(con, variants, with_samples, folder)`` that writes its files under
``folder`` and returns, per file, (path relative to ``folder``, size in bytes, sha256 or ``""``).
Adding one is one module with one decorated function (imported before use)::

    @register_export_format("csv")
    def export_csv(con, variants, with_samples, folder): ...

The built-in formats live in :mod:`babelbench.publish.files` (``hf-dataset``, ``lm-eval``) and
:mod:`babelbench.publish.eee` (``eee``) and register when first looked up, so importing this
module (as the CLI does) costs nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..core.registry import Registry

if TYPE_CHECKING:
    import duckdb

#: One written file: (path relative to the export folder, size in bytes, sha256 or "").
WrittenFile = tuple[str, int, str]


class ExportFormat(Protocol):
    def __call__(self, con: duckdb.DuckDBPyConnection, variants: list[str] | None, with_samples: bool,
                 folder: Path) -> list[WrittenFile]:
        """Write the named variants' results (all evaluated variants when None) under ``folder``."""
        ...


#: The built-in formats register when their modules are imported, on first lookup.
_EXPORT_FORMATS: Registry[ExportFormat] = Registry("export format", ("babelbench.publish.files",
                                                                     "babelbench.publish.eee"))


def register_export_format(name: str):
    """Decorator: make ``fn`` the export format ``name``. A name registered twice is an error."""
    return _EXPORT_FORMATS.register(name)


def export_format_names() -> list[str]:
    return _EXPORT_FORMATS.names()


def get_export_format(name: str) -> ExportFormat:
    return _EXPORT_FORMATS.get(name)


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
