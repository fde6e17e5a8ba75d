"""`harness fit`: scaling laws of a translation-data sweep, a budget allocated from them, the MuIT recipe."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .. import paths


def fit(
    store: Annotated[Path, typer.Option("--store", help="Results store.")] = paths.DEFAULT_STORE,
    recipe: Annotated[Optional[str], typer.Option(
        "--recipe", help="The sweep's recipe name: its variants are NAME and NAME@....")] = None,
    variants: Annotated[Optional[str], typer.Option(
        "--variants", help="Variant names matching this glob (e.g. 'coit@size=*').")] = None,
    task: Annotated[str, typer.Option("--task", help="Task name pattern; {lang} is each language.")]
    = "flores_gen_en_{lang}",
    metric: Annotated[str, typer.Option("--metric", help="The metric fitted.")] = "chrf",
    filter_: Annotated[str, typer.Option("--filter", help="The metric's filter.")] = "none",
    languages: Annotated[Optional[list[str]], typer.Option(
        "--languages", help="Languages to fit (comma-separated or repeated; default: every language with "
        "translation data).")] = None,
    law: Annotated[Optional[list[str]], typer.Option(
        "--law", help="Law families to choose from (repeatable; default: power and log).")] = None,
    rounds: Annotated[int, typer.Option("--rounds", help="Bootstrap rounds.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
    level: Annotated[float, typer.Option("--level", help="Interval level.")] = 0.95,
    budget: Annotated[Optional[int], typer.Option(
        "--budget", help="Translation examples to allocate across the languages.")] = None,
    floor: Annotated[Optional[list[str]], typer.Option(
        "--floor", help="Least size: N for every language or lang=N (repeatable).")] = None,
    cap: Annotated[Optional[list[str]], typer.Option(
        "--cap", help="Largest size: N for every language or lang=N (repeatable).")] = None,
    weights: Annotated[Optional[list[str]], typer.Option(
        "--weights", help="Weight of a language's quality: lang=w (repeatable or comma-separated; default 1).")] = None,
    step: Annotated[int, typer.Option("--step", help="Sizes move in steps of this many examples.")] = 10,
    write_recipe: Annotated[Optional[Path], typer.Option(
        "--write-recipe", help="Write a recipe extending the sweep's with the allocated sizes (needs --budget).")]
    = None,
    name: Annotated[Optional[str], typer.Option(
        "--name", help="Name of the written recipe (default: its file name).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Fit translation quality against translation-data size per language (power or log law, chosen by
    leave-one-out error, bootstrap intervals), allocate --budget across the languages to maximise the
    summed (weighted) predicted quality, store both, and optionally write the recipe that trains on it.
    Bad input: one line naming what is wrong, exit 2, nothing written."""
    from ..services.fit import FitError, run_fit

    try:
        _check_format(fmt)
        langs = tuple(dict.fromkeys(p.strip() for item in languages or [] for p in item.split(",") if p.strip()))
        settings = _fit_settings(task=task, metric=metric, filter=filter_, languages=langs, laws=tuple(law or ()),
                                 rounds=rounds, seed=seed, level=level)
        budget_settings = _budget_settings(budget, floor or [], cap or [], weights or [], step)
        given = _given(store=store, recipe=recipe, variants=variants, task=task, metric=metric, filter=filter_,
                       languages=",".join(langs) or None, law=law, rounds=rounds, seed=seed, level=level,
                       budget=budget, floor=floor, cap=cap, weights=weights, step=step, write_recipe=write_recipe,
                       name=name)
        outcome = run_fit(
            store, recipe=recipe, pattern=variants, settings=settings, budget=budget_settings,
            write_to=write_recipe, recipe_name=name, made_by=shlex.join(["harness", "fit", *given]),
            run_with=shlex.join(["harness", "run", str(write_recipe), "--store", str(store)]))
    except FitError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    (_print_json if fmt == "json" else _print_tables)(outcome)


def _check_format(fmt: str) -> None:
    from ..services.fit import FitError

    if fmt not in ("table", "json"):
        raise FitError(f"--format {fmt}: must be table or json")


def _fit_settings(**values: Any):
    from ..services.fit import FitSettings, settings_or_error

    return settings_or_error(FitSettings, {"task": "--task", "laws": "--law", "rounds": "--rounds", "level": "--level"},
                             **values)


def _budget_settings(budget: int | None, floor: list[str], cap: list[str], weights: list[str], step: int):
    """The allocation's settings from the command line (None without --budget); FitError for bad options."""
    from ..services.fit import BudgetSettings, FitError, per_language, settings_or_error

    if budget is None:
        if floor or cap or weights:
            raise FitError("--floor, --cap and --weights shape an allocation: give --budget too")
        return None
    floor_all, floors = per_language(floor, "--floor")
    cap_all, caps = per_language(cap, "--cap")
    _, weight_table = per_language(weights, "--weights", float)
    return settings_or_error(
        BudgetSettings, {"budget": "--budget", "floor": "--floor", "cap": "--cap", "step": "--step",
                         "floors": "--floor", "caps": "--cap", "weights": "--weights"},
        budget=budget, floor=floor_all or 0, floors=floors, cap=cap_all, caps=caps, weights=weight_table, step=step)


#: Defaults not repeated in the command written into a recipe's header.
_DEFAULTS: dict[str, Any] = {"task": "flores_gen_en_{lang}", "metric": "chrf", "filter": "none", "rounds": 1000,
                             "seed": 0, "level": 0.95, "step": 10}


def _given(**options: Any) -> list[str]:
    """The command line of these options (defaults and unset ones left out)."""
    out: list[str] = []
    for key, value in options.items():
        if value is None or value == [] or _DEFAULTS.get(key, object()) == value:
            continue
        flag = "--" + key.replace("_", "-")
        for item in value if isinstance(value, list) else [value]:
            out += [flag, str(item)]
    return out


def _interval(value: float, low: float, high: float) -> str:
    return f"{value:.4g} [{low:.4g}, {high:.4g}]"


def _print_tables(outcome: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    level = f"{outcome.settings.level:.0%}"
    table = Table(title=f"Scaling fits of {outcome.settings.metric} (fit {outcome.fit_id}; parameters with "
                        f"{level} bootstrap intervals, {outcome.settings.rounds} rounds)")
    for col in ("language", "task", "points", "sizes", "law", "parameters", "LOO RMSE"):
        table.add_column(col)
    for lang, f in outcome.fits.items():
        sizes = sorted({p.size for p in f.points})
        params = "\n".join(f"{k} = {_interval(v, f.fit.params_low[k], f.fit.params_high[k])}"
                           for k, v in f.fit.params.items())
        loo = "\n".join(f"{law}: {'—' if e is None else f'{e:.4g}'}{' *' if law == f.fit.law else ''}"
                        for law, e in sorted(f.fit.loo_error.items()))
        table.add_row(lang, f.task, str(len(f.points)), ", ".join(map(str, sizes)), f.fit.law, params, loo)
    console.print(table)
    if outcome.skipped:
        console.print(f"Not fitted (no translation data in any variant): {', '.join(outcome.skipped)}.")
    console.print(f"Fit {outcome.fit_id}: {'stored' if outcome.new_fit_rows else 'already stored'} "
                  f"({outcome.new_fit_rows} new row(s)).")
    result = outcome.budget
    if result is None:
        return
    allocation = result.allocation
    table = Table(title=f"Allocation of {allocation.budget} translation examples (allocation {result.allocation_id}; "
                        f"step {result.settings.step})")
    for col in ("language", "size", f"predicted {outcome.settings.metric} [{level}]", "weight", "floor", "cap",
                "last step gained", "next step would gain"):
        table.add_column(col, justify="left" if col == "language" else "right")
    for lang, n in allocation.sizes.items():
        cap = result.resolved["caps"].get(lang)
        last, following = allocation.last_gain.get(lang), allocation.next_gain.get(lang)
        table.add_row(lang, str(n), _interval(*result.predicted[lang]), f"{result.resolved['weights'][lang]:g}",
                      str(result.resolved["floors"].get(lang, 0)), "—" if cap is None else str(cap),
                      "—" if last is None else f"{last:.4g}", "—" if following is None else f"{following:.4g}")
    console.print(table)
    console.print(f"Objective (weighted sum of predicted {outcome.settings.metric}): {allocation.objective:.6g}; "
                  f"unallocated: {allocation.unallocated}.")
    console.print(f"Allocation {result.allocation_id}: {'stored' if outcome.new_allocation_rows else 'already stored'} "
                  f"({outcome.new_allocation_rows} new row(s)).")
    if outcome.recipe is not None:
        console.print(f"Wrote {outcome.recipe}; run it with: {outcome.run_with}")


def _print_json(outcome: Any) -> None:
    import json
    import sys

    out: dict[str, Any] = {
        "fit_id": outcome.fit_id, "settings": outcome.settings.identity(), "skipped": outcome.skipped,
        "new_fit_rows": outcome.new_fit_rows, "new_allocation_rows": outcome.new_allocation_rows,
        "recipe": str(outcome.recipe) if outcome.recipe else None,
        "fits": [{"language": lang, "task": f.task, "law": f.fit.law, "params": f.fit.params,
                  "params_low": f.fit.params_low, "params_high": f.fit.params_high, "loo_error": f.fit.loo_error,
                  "points": [{"variant": p.variant, "size": p.size, "value": p.value} for p in f.points]}
                 for lang, f in outcome.fits.items()],
        "allocation": None,
    }
    if outcome.budget is not None:
        result = outcome.budget
        out["allocation"] = {
            "allocation_id": result.allocation_id, "budget": result.allocation.budget,
            "unallocated": result.allocation.unallocated, "objective": result.allocation.objective,
            **result.resolved,
            "sizes": result.allocation.sizes,
            "predicted": {lang: dict(zip(("value", "low", "high"), p)) for lang, p in result.predicted.items()}}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
