"""A variant checked beyond the schema: fields taken together, the language table, the file system, the
task index, the judges and the base model. Each section's checks are in their own module."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import languages
from ..core.errors import Problem
from ..core.train_method import TrainMethod
from ..models.registry import source_problem
from ..paths import SearchPath
from ..plug.labels import label_table
from ..recipe.loader import ExpandedRecipe
from ..recipe.schema import Variant
from .alignment import alignment_problems
from .data import data_problems
from .evaluation import check_identifier, prompt_file_problems, task_problems
from .generation import check_generation
from .judges import judge_problems
from .model import check_model
from .selection import select_judge_problems, select_problems

Report = Callable[[str, str], None]


def variant_problems(variant: Variant, recipe: ExpandedRecipe, blame: dict[str, tuple[str, int | None]],
                     search: SearchPath) -> list[Problem]:
    """Every problem of ``variant`` (of ``recipe``; ``blame``: where its overrides and choices were set)."""
    problems: list[Problem] = []

    def report(field: str, message: str) -> None:
        f, line = recipe.where(field, blame)
        problems.append(Problem(f, line, field, message))

    recipe_dir = recipe.folder
    _check_base_model(variant, recipe_dir, report)
    if variant.data is not None and variant.train.method != TrainMethod.NONE:
        problems += data_problems(variant, recipe_dir, report)
    _check_pivot(variant, report)
    check_identifier(variant, recipe_dir, report)
    problems += task_problems(variant, recipe_dir, search, report)
    problems += prompt_file_problems(variant, recipe_dir, report)
    problems += judge_problems(variant, search, report)
    select_judge_problems(variant, search, report)
    problems += select_problems(variant, recipe_dir, search, report)
    problems += alignment_problems(variant, recipe_dir, report)
    check_generation(variant, report)
    if not any(p.field == "base_model" for p in problems):
        check_model(variant, recipe_dir, report)
    return problems


def _check_base_model(variant: Variant, recipe_dir: Path, report: Report) -> None:
    problem = source_problem(variant.base_model, recipe_dir)
    if problem:
        report("base_model", problem)


def _check_pivot(variant: Variant, report: Report) -> None:
    pivot = variant.pivot
    if pivot.system_prompt not in ("none", "auto"):
        try:
            pivot.system_prompt.format(pivot="P", target="T")
        except (KeyError, IndexError, ValueError) as exc:
            report("pivot.system_prompt", f"only {{pivot}} and {{target}} may be filled in ({type(exc).__name__}: {exc})")
    for code, label in pivot.labels.items():
        if not label.strip() or "\n" in label:
            report(f"pivot.labels.{code}", "a section label is one non-empty line")
    labels = label_table(pivot.labels)
    clashes = sorted({c for c in labels for d in labels if c != d and labels[c] == labels[d]} & set(pivot.labels))
    for code in clashes:
        report(f"pivot.labels.{code}", f"label {labels[code]!r} is another language's label too")
    if pivot.mode != "plug":
        return
    if pivot.pivot_language not in labels:
        report("pivot.pivot_language", f"{pivot.pivot_language!r} has no section label, so it cannot be a pivot "
                                       "(give one in pivot.labels)")
    if variant.data is None or variant.train.method == TrainMethod.NONE:
        return
    for lang, weight in variant.data.mix.items():
        if weight > 0 and lang not in labels:
            report(f"data.mix.{lang}", f"pivot mode plug needs a section label for {lang!r} "
                                       f"({languages.name(lang)}): give one in pivot.labels")
    targets = {lang for lang, weight in variant.data.mix.items() if weight > 0}
    if variant.data.sources and targets == {pivot.pivot_language}:
        report("pivot.pivot_language", f"the pivot {pivot.pivot_language!r} is the only language the data mixes: "
                                       "plug mode answers each target language after the pivot, so there is none "
                                       "to answer (mix in a target language, or set pivot.mode: none)")
    if pivot.pivot_language not in {s.language for s in variant.data.sources}:
        report("pivot.pivot_language",
               f"plug mode takes pivot answers from a {pivot.pivot_language!r} source, and there is none")
