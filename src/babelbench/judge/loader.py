"""Finding, loading and checking judges: ``judges/<name>/judge.yaml`` + its templates."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import ValidationError

from .. import paths
from ..core.errors import ConfigError, Problem
from ..core.yamlpos import display_path, load_yaml, read_text
from .backends import backend_names
from .judge import Judge
from .protocol import get_protocol, protocol_names
from .schema import JudgeConfig

JUDGE_FILE = "judge.yaml"


def judge_folders(roots: list[Path] | None = None) -> list[Path]:
    """Every judge folder in the search path (the first folder defining a name wins; see :func:`conflicts`)."""
    found: dict[str, Path] = {}
    for root in roots if roots is not None else paths.judges_dirs():
        for folder in sorted(p.parent for p in root.glob(f"*/{JUDGE_FILE}")):
            found.setdefault(folder.name, folder)
    return sorted(found.values(), key=lambda p: p.name)


def conflicts(roots: list[Path] | None = None) -> list[tuple[str, Path, Path]]:
    """Judge names defined in two folders of the search path: (name, first file, second file)."""
    seen: dict[str, Path] = {}
    out = []
    for root in roots if roots is not None else paths.judges_dirs():
        for file in sorted(root.glob(f"*/{JUDGE_FILE}")):
            first = seen.setdefault(file.parent.name, file)
            if first != file:
                out.append((file.parent.name, first, file))
    return out


def available_judges(roots: list[Path] | None = None) -> list[str]:
    return [p.name for p in judge_folders(roots)]


def load_judge(name_or_folder: str | Path, roots: list[Path] | None = None) -> Judge:
    """Load a judge by name (from the judge search path) or by folder path; raise ConfigError."""
    folder = Path(name_or_folder)
    if not (folder / JUDGE_FILE).is_file():
        by_name = {p.name: p for p in judge_folders(roots)}
        folder = by_name.get(str(name_or_folder), folder)
    file = folder / JUDGE_FILE
    display = display_path(file)
    if not file.is_file():
        known = ", ".join(available_judges(roots)) or "none"
        raise ConfigError([Problem(display, None, "", f"no judge {str(name_or_folder)!r} (known: {known})")])
    # A sweep checks the same judge once per variant: parse a folder once while its files are unchanged.
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file())
    return _load_folder(str(folder.resolve()), display, stamp)


@functools.lru_cache(maxsize=32)
def _load_folder(folder_text: str, display: str, stamp: tuple) -> Judge:
    folder = Path(folder_text)
    file = folder / JUDGE_FILE
    doc = load_yaml(file, display)
    try:
        config = JudgeConfig.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            f, line = doc.where(field, display)
            msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
            problems.append(Problem(f, line, field, msg))
        raise ConfigError(problems) from None
    problems = _protocol_problems(config, doc, display, folder)
    if config.name != folder.name:
        f, line = doc.where("name", display)
        problems.append(Problem(f, line, "name", f"must match the folder name {folder.name!r}"))
    templates: dict[str, str | None] = {"system": None, "user": None}
    if config.prompts is not None:
        for role in ("system", "user"):
            rel = getattr(config.prompts, role)
            if rel is None:
                continue
            f, line = doc.where(f"prompts.{role}", display)
            path = folder / rel
            if not path.is_file():
                problems.append(Problem(f, line, f"prompts.{role}", f"template file not found: {rel}"))
                continue
            try:
                text = read_text(path, display_path(path))
            except ConfigError as exc:
                problems += exc.problems
                continue
            templates[role] = text
    if not problems:
        problems += _template_problems(config, folder, templates)
    if problems:
        raise ConfigError(problems)
    return Judge(config, folder, templates["system"], templates["user"])


def _template_problems(config: JudgeConfig, folder: Path, templates: dict[str, str | None]) -> list[Problem]:
    """Each template compiled and rendered once on sample variables (strictly: an undefined variable or
    an unknown filter is an error), as the judge stage renders it: problems name the template's line."""
    from .prompts import template_problem

    problems: list[Problem] = []
    if config.kind not in protocol_names():
        return problems
    context = {**get_protocol(config.kind).sample_variables(), "facets": [f.model_dump() for f in config.facets]}
    for role, text in templates.items():
        rel = getattr(config.prompts, role, None)
        if text is None or rel is None:
            continue
        error = template_problem(text, context)
        if error:
            problems.append(Problem(display_path(folder / rel), error[0], "", f"template: {error[1]}"))
    return problems


def _protocol_problems(config: JudgeConfig, doc, display: str, folder: Path) -> list[Problem]:
    """What the judge's protocol requires, and a known backend type (both are registries)."""
    problems = []
    try:
        get_protocol(config.kind).check_config(config)
    except ValueError as exc:
        field = getattr(exc, "field", "kind")
        f, line = doc.where(field, display)
        problems.append(Problem(f, line, field, str(exc)))
    protocol = get_protocol(config.kind) if config.kind in protocol_names() else None
    if config.identifier is not None and protocol is not None and not protocol.uses_identifier:
        f, line = doc.where("identifier", display)
        problems.append(Problem(f, line, "identifier", f"a {config.kind} judge takes no language identifier"))
    elif config.identifier not in (None, "lingua") and not (folder / str(config.identifier)).is_file():
        f, line = doc.where("identifier", display)
        problems.append(Problem(f, line, "identifier", f"`lingua`, or a fastText model file; file not found: "
                                                       f"{config.identifier} (relative to {folder})"))
    if config.backend is not None and config.backend.type not in backend_names():
        f, line = doc.where("backend.type", display)
        problems.append(Problem(f, line, "backend.type", f"unknown judge backend {config.backend.type!r}; "
                                f"known: {', '.join(backend_names())}"))
    return problems
