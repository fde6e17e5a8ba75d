"""Recipe files -> validated variants.

Order of operations: read YAML (with lines) -> follow ``extends`` -> apply ``--set``
overrides -> schema check -> expand ``variants`` x ``sweep`` -> schema check of every variant.
All problems found in a file are reported together, each with file, line and field. The
checks beyond the schema (files, languages, tasks, models) are :mod:`babelbench.validate`'s:
it builds on :func:`expand_recipe` and :func:`gather`.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..core.errors import ConfigError, Problem
from ..core.yamlpos import Located, display_path, load_yaml
from .schema import FieldError, Recipe, Variant

_EXPANSION_KEYS = ("variants", "sweep", "extends")


def parse_override(text: str) -> tuple[str, Any]:
    """``"train.lr=1e-4"`` -> ``("train.lr", 1e-4)``; the value is read as YAML."""
    where = "--set " + text
    if "=" not in text:
        raise ConfigError([Problem(where, None, "", "expected dotted.key=value")])
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key or any(not part.strip() for part in key.split(".")):
        raise ConfigError([Problem(where, None, key, "empty key (expected dotted.key=value, e.g. train.lr=1e-4)")])
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([Problem(where, None, key, f"value is not valid YAML: {reason}")]) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ConfigError([Problem(where, None, key, f"value cannot be read: {exc}")]) from None
    if not _finite(value):
        raise ConfigError([Problem(where, None, key, "value is not a finite number (.nan, .inf)")])
    return key, value


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def below_value(tree: dict[str, Any], dotted: str) -> str | None:
    """Why ``dotted`` cannot be set in ``tree``: a part of it names a value that is no section (a number,
    a string), or a list index out of range; None if it can be set."""
    node: Any = tree
    parts = dotted.split(".")
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth + 1])
        if isinstance(node, list):
            if not (part.isdigit() and int(part) < len(node)):
                return f"{'.'.join(parts[:depth])} is a list of {len(node)}: {part!r} is not one of its indices"
            node = node[int(part)]
        else:
            node = node.get(part)
        if node is None or depth == len(parts) - 1:
            return None  # missing sections are made
        if not isinstance(node, (dict, list)):
            return f"{here} is a value ({node!r}), not a section: nothing can be set below it"
    return None


def set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``dotted`` in ``tree``, making missing sections; a number part indexes a list.
    (:func:`below_value` says beforehand why a key cannot be set.)"""
    parts = dotted.split(".")
    node: Any = tree
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
            continue
        child = node.get(part)
        if not isinstance(child, (dict, list)):
            child = {}
            node[part] = child
        node = child
    if isinstance(node, list):
        node[int(parts[-1])] = copy.deepcopy(value)
    else:
        node[parts[-1]] = copy.deepcopy(value)


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in ("mix", "gen_kwargs"):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _absolute(value: Any, folder: Path) -> Any:
    """A relative path string made absolute against ``folder``; anything else unchanged."""
    if not isinstance(value, str) or not value or value.startswith("~") or Path(value).is_absolute():
        return value
    return str((folder / value).resolve())


def _rebase_tree(tree: dict[str, Any], folder: Path) -> None:
    """Make every recipe field that holds a path relative to the recipe file absolute, in place.

    Those fields (see :mod:`.schema`): ``data.sources[].path``, ``data.translation.sources[].path`` and
    ``.templates``, ``alignment.source``, ``eval.prompt_files[].path``, ``eval.include_path[]``,
    ``eval.language_identifier`` and a local ``base_model`` folder (one written with a leading ``.``, or a
    name that is a folder next to the recipe, as :func:`babelbench.models.registry.resolve_base_model`
    looks there first).
    """
    base = tree.get("base_model")
    if isinstance(base, str) and not base.startswith("builtin:") and (
            base.startswith(".") or (not base.startswith("~") and (folder / base).is_dir())):
        tree["base_model"] = _absolute(base, folder)
    for section, key in (("data", "sources"), ("eval", "prompt_files")):
        node = tree.get(section)
        items = node.get(key) if isinstance(node, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and "path" in item:
                item["path"] = _absolute(item["path"], folder)
    data = tree.get("data")
    translation = data.get("translation") if isinstance(data, dict) else None
    if isinstance(translation, dict):
        for item in translation.get("sources") or []:
            if isinstance(item, dict) and "path" in item:
                item["path"] = _absolute(item["path"], folder)
        if translation.get("templates") not in (None, "default"):
            translation["templates"] = _absolute(translation["templates"], folder)
    alignment = tree.get("alignment")
    if isinstance(alignment, dict) and alignment.get("source") not in (None, "flores"):
        alignment["source"] = _absolute(alignment["source"], folder)
    node = tree.get("eval")
    if isinstance(node, dict) and node.get("language_identifier") not in (None, "lingua"):
        node["language_identifier"] = _absolute(node["language_identifier"], folder)
    folders = node.get("include_path") if isinstance(node, dict) else None
    if isinstance(node, dict) and isinstance(folders, list):
        node["include_path"] = [_absolute(f, folder) for f in folders]


def _rebase_value(dotted: str, value: Any, folder: Path) -> Any:
    """``value`` set at ``dotted`` (a ``variants``/``sweep`` override), with its paths rebased."""
    tree: dict[str, Any] = {}
    set_dotted(tree, dotted, value)
    _rebase_tree(tree, folder)
    node: Any = tree
    for part in dotted.split("."):
        node = node[part]
    return node


def _rebase_paths(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A copy of a parent recipe's tree with its relative paths made absolute against ``folder``.

    Keys are unchanged, so the parent's line numbers still point at the right lines.
    """
    out = copy.deepcopy(data)
    _rebase_tree(out, folder)
    variants = out.get("variants")
    if isinstance(variants, dict):
        for overrides in variants.values():
            if isinstance(overrides, dict):
                for dotted in list(overrides):
                    overrides[dotted] = _rebase_value(str(dotted), overrides[dotted], folder)
    sweep = out.get("sweep")
    if isinstance(sweep, dict):
        for dotted, values in sweep.items():
            if isinstance(values, list):
                sweep[dotted] = [_rebase_value(str(dotted), v, folder) for v in values]
    return out


def inherited_tree(path: Path) -> dict[str, Any]:
    """A recipe file's tree after its ``extends`` chain (parents merged in, relative paths rebased): what a
    recipe extending it inherits. Raises :class:`ConfigError` for a file the loader would refuse."""
    return _load_with_extends(path).data


def _load_with_extends(path: Path, seen: tuple[Path, ...] = ()) -> Located:
    path = path.resolve()
    name = display_path(path)
    if path in seen:
        raise ConfigError([Problem(name, None, "extends", "recipes extend each other in a cycle")])
    doc = load_yaml(path, name)
    parent_ref = doc.data.get("extends")
    if parent_ref is None:
        return doc
    if not isinstance(parent_ref, str):
        file, line = doc.where("extends", name)
        raise ConfigError([Problem(file, line, "extends", "must be a file path")])
    parent_path = path.parent / parent_ref
    if not parent_path.is_file():
        file, line = doc.where("extends", name)
        raise ConfigError([Problem(file, line, "extends", f"file not found: {parent_ref}")])
    parent = _load_with_extends(parent_path, seen + (path,))
    parent_data = parent.data
    if parent_path.resolve().parent != path.parent:
        # A relative path means "next to the file that wrote it": what the child inherits keeps
        # pointing there (the child's own relative paths still resolve against the child).
        parent_data = _rebase_paths(parent_data, parent_path.resolve().parent)
    merged = _merge({k: v for k, v in parent_data.items() if k != "name"}, doc.data)
    merged.pop("extends", None)
    lines = dict(parent.lines)
    lines.update(doc.lines)
    return Located(data=merged, lines=lines)


def locate(recipe_file: str | Path, field: str) -> tuple[str, int | None]:
    """(file, line) where ``field`` is written for a recipe file (following ``extends``)."""
    file = display_path(Path(recipe_file))
    try:
        return _load_with_extends(Path(recipe_file)).where(field, file)
    except ConfigError:
        return file, None


def _problems_from(exc: ValidationError, doc: Located, file: str, blame: dict[str, tuple[str, int | None]]) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if p != "[key]"]  # a dict key's own error: the key's path
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):  # a check across fields names the one to blame
            loc.append(cause.field)
        field = ".".join(loc)
        where = next((blame[k] for k in blame if field == k or field.startswith(k + ".")
                      or (err["type"] == "extra_forbidden" and k.startswith(field + "."))), None)
        f, line = where if where else doc.where(field, file)
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif err["type"] == "invalid_key" or ("[key]" in err["loc"] and err["type"] == "string_type"):
            message = f"a key must be text: quote it (\"{err['input']}\")"
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):]
        problems.append(Problem(f, line, field, message))
    return problems


def _at_a_line(problem: Problem, doc: Located, file: str) -> Problem:
    """A recipe-file problem whose field is not written in the file (a default, or a missing section)
    is shown at the recipe's first line, so every problem in a recipe names a line."""
    if problem.file != file or problem.line is not None:
        return problem
    lines = [line for f, line in doc.lines.values() if f == file]
    return dataclasses.replace(problem, line=min(lines, default=1))


@dataclasses.dataclass(frozen=True)
class Expansion:
    """One variant of a recipe file as the schema took it: the variant (None where the schema refused it),
    the schema's problems, and where each ``--set`` override or ``variants``/``sweep`` choice was written."""

    variant: Variant | None
    problems: list[Problem]
    blame: dict[str, tuple[str, int | None]]


@dataclasses.dataclass(frozen=True)
class ExpandedRecipe:
    """A recipe file read, overridden and expanded into its variants, each checked against the schema."""

    path: Path
    file: str
    doc: Located
    expansions: list[Expansion]

    @property
    def folder(self) -> Path:
        """The recipe file's folder (what its relative paths are relative to)."""
        return self.path.resolve().parent

    def where(self, field: str, blame: dict[str, tuple[str, int | None]]) -> tuple[str, int | None]:
        """(file, line) where ``field`` of a variant was set: the override or choice that set it, else the recipe."""
        hit = next((blame[k] for k in blame if field == k or field.startswith(k + ".")), None)
        return hit if hit else self.doc.where(field, self.file)

    def variants(self, problems: list[Problem]) -> list[Variant]:
        """The variants; or raise :class:`ConfigError` with ``problems`` (each at a line, each once)."""
        problems = [_at_a_line(p, self.doc, self.file) for p in problems]
        problems = list(dict.fromkeys(problems))  # the same mistake shows once, not once per variant
        if problems:
            raise ConfigError(problems)
        return [e.variant for e in self.expansions if e.variant is not None]


def expand_recipe(path: str | Path, overrides: list[str] | None = None) -> ExpandedRecipe:
    """Read one recipe file, apply ``overrides`` and expand it into its variants, each checked against the
    schema; raise :class:`ConfigError` for problems of the file itself (nothing to expand)."""
    path = Path(path)
    file = display_path(path)
    doc = _load_with_extends(path)
    data = doc.data
    blame: dict[str, tuple[str, int | None]] = {}
    for text in overrides or []:
        key, value = parse_override(text)
        problem = below_value(data, key)
        if problem:
            raise ConfigError([Problem("--set " + text, None, key, problem)])
        set_dotted(data, key, value)
        blame[key] = ("--set " + text, None)
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_at_a_line(p, doc, file) for p in _problems_from(exc, doc, file, blame)]) from None
    base = {k: v for k, v in data.items() if k not in _EXPANSION_KEYS}
    expansions = [_expansion(recipe, base, suffix, choices, doc, file, {**blame, **choice_blame})
                  for suffix, choices, choice_blame in _expansions(recipe, doc, file)]
    return ExpandedRecipe(path, file, doc, expansions)


def _expansion(recipe: Recipe, base: dict[str, Any], suffix: str, choices: dict[str, Any], doc: Located, file: str,
               blame: dict[str, tuple[str, int | None]]) -> Expansion:
    """The variant ``choices`` make of the recipe's ``base`` tree, checked against the schema."""
    tree = copy.deepcopy(base)
    problems: list[Problem] = []
    for dotted, value in choices.items():
        if dotted.split(".")[0] in _EXPANSION_KEYS + ("name",):
            f, line = blame[dotted]
            problems.append(Problem(f, line, dotted, "cannot be varied"))
            continue
        problem = below_value(tree, dotted)
        if problem:
            f, line = blame[dotted]
            problems.append(Problem(f, line, dotted, problem))
            continue
        set_dotted(tree, dotted, value)
    tree["name"] = recipe.name
    try:
        checked = Recipe.model_validate(tree)
    except ValidationError as exc:
        return Expansion(None, problems + _problems_from(exc, doc, file, blame), blame)
    variant = Variant(
        name=recipe.name + suffix, recipe_file=file, base_model=checked.base_model, data=checked.data,
        pivot=checked.pivot, train=checked.train, eval=checked.eval, judges=checked.judges,
        judge=checked.judge, select=checked.select, resources=checked.resources, analysis=checked.analysis,
        alignment=checked.alignment, choices=choices,
    )
    return Expansion(variant, problems, blame)


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> list[Variant]:
    """Load one recipe file into its variants as the schema takes them, or raise :class:`ConfigError`.
    (:func:`babelbench.validate.recipe` also runs the checks beyond the schema.)"""
    expanded = expand_recipe(path, overrides)
    return expanded.variants([p for e in expanded.expansions for p in e.problems])


def _expansions(recipe: Recipe, doc: Located, file: str):
    """Yield ``(name suffix, {dotted: value}, {dotted: (file, line)})`` per variant."""
    named = list(recipe.variants.items()) or [("", {})]
    sweep_keys = list(recipe.sweep)
    for key in sweep_keys:
        if not recipe.sweep[key]:
            f, line = doc.where(f"sweep.{key}", file)
            raise ConfigError([Problem(f, line, f"sweep.{key}", "needs at least one value")])
    combos = list(itertools.product(*(recipe.sweep[k] for k in sweep_keys))) if sweep_keys else [()]
    for vname, overrides in named:
        for combo in combos:
            choices: dict[str, Any] = {}
            blame: dict[str, tuple[str, int | None]] = {}
            for dotted, value in overrides.items():
                choices[dotted] = value
                blame[dotted] = doc.where(f"variants.{vname}.{dotted}", file)
            for dotted, value in zip(sweep_keys, combo):
                choices[dotted] = value
                blame[dotted] = doc.where(f"sweep.{dotted}", file)
            parts = ([vname] if vname else []) + [f"{k.split('.')[-1]}={_short(v)}" for k, v in zip(sweep_keys, combo)]
            yield ("@" + ",".join(parts) if parts else ""), choices, blame


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, width=10**6).strip().replace(" ", "")
    return str(value)


def recipe_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand folders into their ``*.yaml`` files (sorted); keep files as given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
        else:
            out.append(p)
    return out


def load_recipes(paths: Sequence[str | Path], overrides: list[str] | None = None) -> list[Variant]:
    """Load every recipe under ``paths`` as the schema takes it; raise one :class:`ConfigError` with all
    problems. (:func:`babelbench.validate.recipes` also runs the checks beyond the schema.)"""
    return gather(paths, lambda path: load_recipe(path, overrides))


def gather(paths: Sequence[str | Path], load: Callable[[Path], list[Variant]]) -> list[Variant]:
    """The variants ``load`` makes of every recipe file under ``paths``, with one :class:`ConfigError` for
    all their problems, an empty folder's and a variant name used twice."""
    variants: list[Variant] = []
    problems: list[Problem] = []
    for folder in (Path(p) for p in paths):
        if folder.is_dir() and not recipe_files([folder]):
            problems.append(Problem(display_path(folder), None, "", "no recipe here (no *.yaml or *.yml file)"))
    for path in recipe_files(paths):
        try:
            variants += load(path)
        except ConfigError as exc:
            problems += exc.problems
    names = [v.name for v in variants]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        files = ", ".join(sorted({v.recipe_file for v in variants if v.name == dup}))
        problems.append(Problem(files, None, "name", f"variant name {dup!r} is used twice"))
    if problems:
        raise ConfigError(problems)
    return variants
