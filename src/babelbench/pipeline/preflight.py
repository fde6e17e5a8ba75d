"""Checks that read the data before any stage runs, so bad rows stop the run up front."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import ConfigError, Problem
from ..paths import SearchPath
from ..recipe.schema import Variant


def preflight(variants: list[Variant]) -> None:
    """Read every local source row of every training variant; raise :class:`ConfigError`."""
    from ..data.build import select_examples
    from ..data.sources import SourceError

    problems: list[Problem] = []
    for variant in variants:
        if variant.train.method == "none" or variant.data is None:
            continue
        if any(s.hub for s in variant.data.sources):
            continue  # Hub datasets are read in the data stage (network)
        try:
            examples, missing = select_examples(variant, Path(variant.recipe_file).resolve().parent)
        except SourceError as exc:
            problems.append(exc.problem)
            continue
        if not examples:
            unpaired = f" ({missing} PLUG targets have no pivot-language row with the same id)" if missing else ""
            problems.append(Problem(variant.recipe_file, None, "data",
                                    f"variant {variant.name}: selects no examples{unpaired}"))
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))


def judge_credentials(variants: list[Variant], search: SearchPath | None = None) -> None:
    """Before any stage runs: every listed judge's backend has what it needs from the environment
    (e.g. an API key for a remote OpenAI endpoint; each backend says what it needs).

    Only `harness run` checks this (a key is an environment matter, not a recipe's), so a
    run does not train and evaluate for an hour and then stop at its judges."""
    if not any(v.judges for v in variants):
        return
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
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
