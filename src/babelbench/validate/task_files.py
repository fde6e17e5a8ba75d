"""`harness validate tasks/`: task YAML files parse, and what they include exists.

lm-eval's own loader is the authority on a task's meaning; this check catches the
file-level mistakes (syntax, missing include) with file and line before lm-eval runs.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..core.errors import ConfigError, Problem
from ..core.yamlpos import check_depth, read_text, yaml_error
from ..evaluate.task_index import FastTaskYamlLoader, TaskYamlLoader


def is_task_folder(path: Path) -> bool:
    """Whether a YAML file in ``path`` defines a task or group (read through libyaml where PyYAML has it:
    `harness validate recipes/` asks this of the recipes folder first)."""
    if not path.is_dir():
        return False
    for file in sorted(path.rglob("*.yaml")):
        try:
            doc = yaml.load(file.read_text(encoding="utf-8"), Loader=FastTaskYamlLoader)
        except (yaml.YAMLError, UnicodeDecodeError, RecursionError, OSError):
            continue  # a broken file says nothing about its folder
        if isinstance(doc, dict) and ("task" in doc or "group" in doc):
            return True
    return False


def check_task_files(folder: Path) -> list[Problem]:
    problems: list[Problem] = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and (p.suffix == ".yaml" or p.name.endswith("_template"))):
        name = str(file)
        try:
            text = read_text(file, name)
        except ConfigError as exc:
            problems += exc.problems
            continue
        try:
            check_depth(text, name)
            doc = yaml.load(text, Loader=TaskYamlLoader)
        except ConfigError as exc:
            problems += exc.problems
            continue
        except yaml.YAMLError as exc:
            problems.append(yaml_error(exc, text, name))
            continue
        except RecursionError:
            problems.append(Problem(name, None, "", "invalid YAML: nested too deeply"))
            continue
        if not isinstance(doc, dict):
            problems.append(Problem(name, 1, "", "a task file must be a mapping"))
            continue
        include = doc.get("include")
        if include is not None and not isinstance(include, str):
            problems.append(Problem(name, _line_of(file, "include"), "include", "must be a file name"))
        elif include and not (file.parent / include).is_file():
            problems.append(Problem(name, _line_of(file, "include"), "include", f"file not found: {include}"))
        if file.suffix == ".yaml" and not any(k in doc for k in ("task", "group")):
            problems.append(Problem(name, 1, "", "defines neither `task` nor `group` (name templates without .yaml)"))
        elif file.suffix == ".yaml":
            problems += _config_problems(file)
    return list(dict.fromkeys(problems))


def _config_problems(file: Path) -> list[Problem]:
    from .task_configs import config_problems, read_task

    config = read_task(file)
    return config_problems(config) if config is not None else []


def _line_of(file: Path, key: str) -> int | None:
    for number, line in enumerate(file.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None
