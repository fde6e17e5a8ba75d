"""Checks of a variant's judges: each exists, loads and can judge with the recipe's ``judge:`` settings
(its protocol says what it needs); and, before `harness run` judges, each backend's credentials."""

from __future__ import annotations

from collections.abc import Callable

from ..core.errors import Problem
from ..paths import SearchPath
from ..recipe.schema import Variant

Report = Callable[[str, str], None]


def judge_problems(variant: Variant, search: SearchPath, report: Report) -> list[Problem]:
    """Each listed judge must exist and load; its own file's problems are reported at their lines."""
    if not variant.judges:
        return []
    from ..core.errors import ConfigError
    from ..judge.loader import available_judges, conflicts, load_judge
    from ..judge.protocol import get_protocol

    problems: list[Problem] = []
    roots = list(search.judges)
    known = available_judges(roots)
    for name, first, second in conflicts(roots):
        if name in variant.judges:
            problems.append(Problem(str(second), None, "name",
                                    f"judge {name!r} is defined twice: in {first} and in {second}"))
    for i, name in enumerate(variant.judges):
        if name not in known:
            report(f"judges.{i}", f"no judge {name!r} (known: {', '.join(known) or 'none'})")
            continue
        try:
            judge = load_judge(name, roots).with_backend(variant.judge.backend)
        except ConfigError as exc:
            problems += exc.problems
            continue
        except ValueError as exc:  # a backend override the judge's backend cannot take
            report("judge.backend", str(exc))
            continue
        problem = get_protocol(judge.kind).recipe_problem(variant.judge)
        if problem:
            report(f"judges.{i}", problem)
    return problems


def credential_problems(variants: list[Variant], search: SearchPath | None = None) -> list[Problem]:
    """Before any stage runs: every listed judge's backend has what it needs from the environment
    (e.g. an API key for a remote OpenAI endpoint; each backend says what it needs).

    Only `harness run` checks this (a key is an environment matter, not a recipe's), so a
    run does not train and evaluate for an hour and then stop at its judges."""
    if not any(v.judges for v in variants):
        return []
    from ..judge.backends import environment_problem
    from ..judge.loader import load_judge

    roots = list(search.judges) if search else None
    problems: list[Problem] = []
    for variant in variants:
        for i, name in enumerate(variant.judges):
            backend = load_judge(name, roots).with_backend(variant.judge.backend).config.backend
            problem = environment_problem(backend) if backend is not None else None
            if problem:
                problems.append(Problem(variant.recipe_file, None, f"judges.{i}",
                                        f"judge {name!r} {problem} (set it, or point "
                                        "judge.backend.base_url / --judge-base-url at another endpoint)"))
    return list(dict.fromkeys(problems))
