"""Finding, loading and checking judges: ``judges/<name>/judge.yaml`` + its templates."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .. import paths
from ..recipe.errors import ConfigError, Problem
from ..recipe.identity import digest
from ..recipe.loader import display_path
from ..recipe.yamlpos import load_yaml
from .schema import BackendConfig, BackendOverride, JudgeConfig

JUDGE_FILE = "judge.yaml"


@dataclass(frozen=True)
class Judge:
    """A loaded judge: its config, its folder and its templates' text."""

    config: JudgeConfig
    folder: Path
    system_template: str | None
    user_template: str | None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def kind(self) -> str:
        return self.config.kind

    def with_backend(self, override: BackendOverride | None) -> Judge:
        if override is None or self.config.backend is None:
            return self
        fields = override.model_dump(exclude_none=True)
        if not fields:
            return self
        backend = BackendConfig.model_validate({**self.config.backend.model_dump(), **fields})
        return Judge(self.config.model_copy(update={"backend": backend}), self.folder,
                     self.system_template, self.user_template)

    def identity(self) -> str:
        """See :attr:`_identity`; computed once per loaded judge (every judgment's key carries it)."""
        return self._identity

    @functools.cached_property
    def _identity(self) -> str:
        """Hash of what decides a grade: the config (less transport settings), templates, model.

        Where the endpoint is, how many requests fly at once, timeouts and retries do not
        change a grade, so they are not part of it: moving a judge to another server that
        serves the same model keeps its cache.
        """
        cfg = self.config.model_dump(mode="json", exclude={"description", "tasks"})
        if cfg.get("backend"):
            cfg["backend"] = {k: cfg["backend"][k] for k in ("type", "model", "temperature", "max_tokens",
                                                            "structured_output")}
        return digest({"config": cfg, "system": self.system_template, "user": self.user_template})


def judge_folders(root: Path | None = None) -> list[Path]:
    root = root or paths.judges_dir()
    return sorted(p.parent for p in root.glob(f"*/{JUDGE_FILE}")) if root.is_dir() else []


def available_judges(root: Path | None = None) -> list[str]:
    return [p.name for p in judge_folders(root)]


def load_judge(name_or_folder: str | Path, root: Path | None = None) -> Judge:
    """Load a judge by name (from the judges folder) or by folder path; raise ConfigError."""
    folder = Path(name_or_folder)
    if not (folder / JUDGE_FILE).is_file():
        folder = (root or paths.judges_dir()) / str(name_or_folder)
    file = folder / JUDGE_FILE
    display = display_path(file)
    if not file.is_file():
        known = ", ".join(available_judges(root)) or "none"
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
    problems = []
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
            text = path.read_text(encoding="utf-8")
            error = _template_error(text)
            if error:
                problems.append(Problem(display_path(path), error[0], "", f"template: {error[1]}"))
            templates[role] = text
    if problems:
        raise ConfigError(problems)
    return Judge(config, folder, templates["system"], templates["user"])


def _template_error(text: str) -> tuple[int | None, str] | None:
    import jinja2

    try:
        jinja2.Environment(undefined=jinja2.StrictUndefined).parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return exc.lineno, exc.message or "syntax error"
    return None
