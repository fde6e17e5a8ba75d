"""Writing (or checking) a task folder's generated YAMLs: the shared part of the ``_generate.py`` scripts
in ``tasks/xquad_gen``, ``tasks/mlqa_gen`` and ``tasks/flores_gen``, which each render their files from
one template. A unit test runs every script's ``--check``."""

from __future__ import annotations

from pathlib import Path


def stale(folder: Path, files: dict[str, str], owned: str) -> list[str]:
    """Files that differ from ``files`` or are missing, and files matching ``owned`` no longer generated."""
    out = [name for name, text in files.items()
           if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text]
    return sorted(out + [p.name for p in folder.glob(owned) if p.name not in files])


def write_or_check(folder: Path, files: dict[str, str], owned: str, argv: list[str]) -> int:
    """``--check`` in ``argv``: report what is out of date (exit 1 if anything); else write ``files`` and
    remove the files matching ``owned`` that are no longer generated."""
    if "--check" in argv:
        out_of_date = stale(folder, files, owned)
        print("\n".join(f"out of date: {name}" for name in out_of_date) or "up to date")
        return 1 if out_of_date else 0
    for path in folder.glob(owned):
        if path.name not in files:
            path.unlink()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files in {folder}")
    return 0
