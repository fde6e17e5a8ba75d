"""`harness validate`: check recipes and task files; nothing runs and nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import JudgesDirs, TasksDirs, print_problems, search_path


def validate(
    targets: Annotated[list[Path], typer.Argument(help="Recipe files/folders, a tasks folder, or a judges folder "
                                                  "(or one judge's folder).")],
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a field: dotted.key=value.")] = None,
    tasks_dir: TasksDirs = None,
    judges_dir: JudgesDirs = None,
) -> None:
    """Exit 0 if every file is valid; else print file:line: field: problem and exit 2."""
    from .. import validate as checks
    from ..judge.loader import JUDGE_FILE, judge_folders, load_judge
    from ..recipe import ConfigError

    search = search_path(tasks_dir, judges_dir)
    problems = []
    recipes = []
    judges = 0
    for target in targets:
        if checks.is_task_folder(target):
            problems += checks.check_task_files(target)
        elif target.is_dir() and ((target / JUDGE_FILE).is_file() or judge_folders([target])):
            for folder in [target] if (target / JUDGE_FILE).is_file() else judge_folders([target]):
                judges += 1
                try:
                    load_judge(folder)
                except ConfigError as exc:
                    problems += exc.problems
        else:
            recipes.append(target)
    count = 0
    if recipes:
        try:
            count = len(checks.recipes(recipes, set_ or [], search))
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        print_problems(ConfigError(problems))
        raise typer.Exit(2)
    parts = [f"{count} variant(s)"] + ([f"{judges} judge(s)"] if judges else [])
    typer.echo("ok: " + ", ".join(parts) + (" and task files" if len(recipes) + bool(judges) < len(targets) else ""))
