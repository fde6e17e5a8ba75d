"""Checks of a variant's ``eval`` section: its backend (or server), tasks, prompt files and language
identifier. What a backend or server needs is its own (``problems`` of each registered entry)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import languages
from ..core.errors import Problem
from ..paths import SearchPath
from ..recipe.schema import Variant

Report = Callable[[str, str], None]


def task_problems(variant: Variant, recipe_dir: Path, search: SearchPath, report: Report) -> list[Problem]:
    """The eval backend (and a served sweep's server) can evaluate this variant, its include folders exist,
    no task is defined twice, and lm-eval knows every listed task."""
    from ..evaluate.backends import eval_backend_names, get_eval_backend
    from ..evaluate.task_index import conflicts, unknown_tasks
    from .local_data import check_local_data

    problems: list[Problem] = []
    if variant.eval.backend not in eval_backend_names():
        report("eval.backend", f"unknown eval backend {variant.eval.backend!r}; known: {', '.join(eval_backend_names())}")
    else:
        for field, message in get_eval_backend(variant.eval.backend).problems(variant.eval.backend, variant):
            report(field, message)
    if variant.eval.serve is not None:
        _check_serve(variant, report)
    own = []
    for i, folder in enumerate(variant.eval.include_path):
        path = (recipe_dir / folder).resolve()
        if not path.is_dir():
            report(f"eval.include_path.{i}", f"folder not found: {folder} (relative to {recipe_dir})")
        else:
            own.append(path)
    dirs = own + [d for d in search.tasks if d not in own]
    for name, first, second in conflicts(dirs):
        problems.append(Problem(str(second), None, "task", f"task {name!r} is defined twice: in {first} and in {second}"))
    unknown = set(unknown_tasks(variant.eval.tasks, dirs))
    for i, name in enumerate(variant.eval.tasks):
        if name in unknown:
            report(f"eval.tasks.{i}", f"lm-eval does not know task {name!r}")
    check_local_data(variant, recipe_dir, dirs, report)
    return problems + task_file_problems(variant.eval.tasks, dirs)


def task_dirs(variant: Variant, recipe_dir: Path, search: SearchPath) -> list[Path]:
    """The task folders a variant's tasks are looked up in: its own include folders first."""
    own = [p for p in ((recipe_dir / f).resolve() for f in variant.eval.include_path) if p.is_dir()]
    return own + [d for d in search.tasks if d not in own]


def task_file_problems(names: list[str], dirs: list[Path]) -> list[Problem]:
    """What lm-eval would refuse only at evaluation in the files defining the tasks ``names`` select."""
    from .task_configs import config_problems, read_task, task_files

    problems: list[Problem] = []
    for file in task_files(names, dirs):
        config = read_task(file)
        if config is not None:
            problems += config_problems(config)
    return list(dict.fromkeys(problems))


def _check_serve(variant: Variant, report: Report) -> None:
    """A served sweep: a known server that can serve this variant (its own checks)."""
    from ..evaluate.servers import get_server, server_names

    assert variant.eval.serve is not None
    name = variant.eval.serve.server
    if name not in server_names():
        report("eval.serve.server", f"unknown model server {name!r}; known: {', '.join(server_names())}")
        return
    for field, message in get_server(name).problems(variant):
        report(field, message)


def prompt_file_problems(variant: Variant, recipe_dir: Path, report: Report) -> list[Problem]:
    """Prompt files must exist, name known languages, and hold a prompt on every line."""
    from ..evaluate.prompt_tasks import prompt_rows, task_name

    problems: list[Problem] = []
    names: set[str] = set()
    for i, pf in enumerate(variant.eval.prompt_files):
        name = task_name(pf)
        if name in names or name in variant.eval.tasks:
            report(f"eval.prompt_files.{i}", f"task name {name!r} is used twice (set `name`)")
        names.add(name)
        path = recipe_dir / pf.path
        if not path.is_file():
            report(f"eval.prompt_files.{i}.path", f"file not found: {pf.path} (relative to {recipe_dir})")
            continue
        rows = prompt_rows(path)
        if not rows:
            report(f"eval.prompt_files.{i}.path", f"{pf.path} holds no prompts")
        shown = str(path)
        for number, row, problem in rows:
            if problem:
                problems.append(Problem(shown, number, "", problem))
            elif row and row.get("expected_language") is not None and not languages.is_known(row["expected_language"]):
                problems.append(Problem(shown, number, "expected_language", _code_problem(row["expected_language"])))
            if len(problems) >= 10:
                break
    return problems


def check_identifier(variant: Variant, recipe_dir: Path, report: Report) -> None:
    spec = variant.eval.language_identifier
    if spec != "lingua" and not (recipe_dir / spec).is_file():
        report("eval.language_identifier", f"`lingua`, or a fastText model file; file not found: {spec} "
                                           f"(relative to {recipe_dir})")


def _code_problem(code: object) -> str:
    """Why ``code`` is not usable as written (unknown, or not in its standard form)."""
    try:
        standard = languages.standard_code(str(code))
    except ValueError as exc:
        return str(exc)
    return f"write the language code {code!r} as {standard!r} (its standard form)"
