"""Fuzzing recipe validation: whatever a recipe file holds, loading it either succeeds or raises a
ConfigError whose every problem names a file (and, for the recipe file itself, a line) -- never
another exception.

Recipes are generated from the schema (:mod:`babelbench.recipe.schema`'s fields, their types,
literals and bounds, with plausible values for fields that name files, tasks, languages or modules),
then mutated: keys dropped or added, values replaced by wrong types, NaN, huge or negative numbers,
random text, deep nesting; the YAML text itself cut, spliced and sprinkled with random bytes; and
random ``--set`` overrides. 600 examples, each with a 2 s deadline: about 20 s with its warm-up.
"""

from __future__ import annotations

import copy
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from babelbench import validate
from babelbench.core.errors import ConfigError
from babelbench.core.yamlpos import display_path
from babelbench.paths import SearchPath
from babelbench.recipe.schema import Recipe
from tests.conftest import ROOT, SAMPLES

#: Messages that are about a whole file, so carry no line.
FILE_LEVEL = ("empty file", "file not found", "invalid YAML: nested too deeply", "recipes extend each other in a cycle",
              "is a folder, not a file")

# -- plausible leaves for fields whose values name things -------------------------------------------

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
SCALARS = st.one_of(st.integers(-3, 2000), st.floats(-1, 3), st.booleans(), st.sampled_from(["x", "", "many"]))

LEAVES: dict[str, st.SearchStrategy[Any]] = {
    "name": st.one_of(st.sampled_from(["fuzz", "a.b-1"]), st.text(max_size=6)),
    "base_model": st.sampled_from(["builtin:tiny", "builtin:gemma-3-270m", "builtin:nope", "org/model", "./missing",
                                   "not a model id"]),
    "extends": st.sampled_from(["recipe.yaml", "missing.yaml", "../recipe.yaml"]),
    "data.sources": st.lists(st.fixed_dictionaries(
        {"path": st.sampled_from([str(SAMPLES / "instructions.en.jsonl"), str(SAMPLES / "instructions.zh.jsonl"),
                                  "missing.jsonl"]),
         "language": st.sampled_from(["en", "zh", "xx", "english", "zh-Hant"])},
        optional={"format": st.sampled_from(["auto", "alpaca", "nope"])}), min_size=1, max_size=2),
    "data.mix": st.one_of(st.sampled_from([{"en": 1.0}, {"en": 0.5, "zh": 0.5}, {"zh": 1.0}]),
                          st.dictionaries(st.sampled_from(["en", "zh", "fr"]), st.floats(0, 1), min_size=1, max_size=2)),
    "data.size": st.integers(-2, 40),
    "pivot.pivot_language": st.sampled_from(["en", "zh", "xx"]),
    "pivot.system_prompt": st.sampled_from(["none", "auto", "Answer in {target}.", "{nope}", "{"]),
    "pivot.labels": st.dictionaries(st.sampled_from(["en", "zh", "sw"]), st.sampled_from(["Answer:", "", "a\nb"]),
                                    max_size=1),
    "eval.tasks": st.lists(st.sampled_from(["babel_qa_en", "xalpaca_zh", "no_such_task"]), max_size=2),
    "eval.prompt_files": st.lists(st.fixed_dictionaries(
        {"path": st.sampled_from(["prompts.jsonl", "missing.jsonl"]), "language": st.sampled_from(["en", "zz"])}),
        max_size=1),
    "eval.include_path": st.lists(st.sampled_from(["missing_dir", "."]), max_size=1),
    "eval.gen_kwargs": st.dictionaries(
        st.sampled_from(["max_gen_toks", "max_new_tokens", "temperature", "top_p", "do_sample", "until", "bogus",
                         "pad_token_id", "num_return_sequences"]), SCALARS, max_size=3),
    "eval.backend": st.sampled_from(["hf", "vllm"]),
    "train.lora.target_modules": st.lists(st.sampled_from(["q_proj", "v_proj", "c_attn", "self_attn", "lm_head"]),
                                          min_size=1, max_size=2),
    "train.max_length": st.integers(0, 40000),
    "train.checkpoints": st.one_of(st.none(), st.integers(-2, 5), st.lists(st.integers(-1, 5), max_size=3)),
    "judges": st.lists(st.sampled_from(["language-id", "rubric-6facet", "pairwise", "nope"]), max_size=1),
    "judge.baseline": st.sampled_from(["a", "x@a"]),
    "select.metric": st.sampled_from(["contains", "judge:language-id/accuracy", "judge:nope/x"]),
    "select.tasks": st.lists(st.sampled_from(["babel_qa_en", "nope"]), max_size=1),
    "variants": st.dictionaries(st.sampled_from(["a", "b"]), st.dictionaries(
        st.sampled_from(["train.lr", "eval.limit", "train.lr.x", "eval.tasks.0", "eval.tasks.9", "name", "data.mix.en"]),
        SCALARS, max_size=2), max_size=2),
    "sweep": st.dictionaries(st.sampled_from(["train.lr", "train.lora.r", "eval.gen_kwargs.max_gen_toks", "variants"]),
                             st.lists(SCALARS, max_size=2), max_size=1),
}


def _number(kind: type, bounds: list[Any]) -> st.SearchStrategy[Any]:
    """Numbers of ``kind`` mostly within the field's bounds (Gt, Ge, Lt, Le), now and then anywhere."""
    low = next((b.gt if isinstance(b, annotated_types.Gt) else b.ge for b in bounds
                if isinstance(b, (annotated_types.Gt, annotated_types.Ge))), -2)
    high = next((b.lt if isinstance(b, annotated_types.Lt) else b.le for b in bounds
                 if isinstance(b, (annotated_types.Lt, annotated_types.Le))), low + 600)
    inside = (st.integers(int(low) + 1, int(high) - 1) if kind is int and high - low > 1
              else st.floats(low, high, exclude_min=True, exclude_max=True))
    anywhere = st.integers(-3, 10**6) if kind is int else st.floats(-1, 1e6)
    return st.one_of(inside, inside, inside, anywhere)


def _strategy(annotation: Any, path: str, depth: int = 0, bounds: list[Any] | None = None) -> st.SearchStrategy[Any]:
    """A strategy for values of ``annotation`` (a schema field's type) at dotted ``path``."""
    if path in LEAVES:
        return LEAVES[path]
    if annotation in (int, float) and bounds:
        return _number(annotation, bounds)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _strategy(args[0], path, depth)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_strategy(a, path, depth, bounds) for a in args))
    if annotation is type(None):
        return st.none()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation, path, depth + 1) if depth < 4 else st.just({})
    if origin is list:
        return st.lists(_strategy(args[0], path + ".0", depth), max_size=2)
    if origin is tuple:
        return st.tuples(*(_strategy(a, path, depth) for a in args if a is not Ellipsis)).map(list)
    if origin is dict:
        return st.dictionaries(st.text(min_size=1, max_size=6), _strategy(args[1], path + ".*", depth), max_size=2)
    return {bool: st.booleans(), int: st.integers(-2, 600), float: st.floats(-1, 2) | st.just(1e-4),
            str: st.text(max_size=8)}.get(annotation, JUNK)


def _model(model: type[BaseModel], prefix: str, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    required, optional = {}, {}
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        strategy = _strategy(info.annotation, path, depth, list(info.metadata))
        (required if info.is_required() else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


#: Fields that, drawn as often as the others, would stop most recipes before the deeper checks.
RARE = ("extends", "variants", "sweep", "select", "judges")


@st.composite
def recipes(draw) -> dict[str, Any]:
    """A recipe tree from the schema; the RARE fields kept in one tree of four, a valid name and
    eval.tasks in most."""
    tree = draw(_model(Recipe, "", 0))
    for key in RARE:
        if key in tree and draw(st.integers(0, 3)):
            del tree[key]
    if draw(st.integers(0, 7)):
        tree["name"] = "fuzz"
    if draw(st.integers(0, 3)):
        tree["eval"] = {**tree["eval"], "tasks": ["babel_qa_en"]} if isinstance(tree.get("eval"), dict) else {
            "tasks": ["babel_qa_en"]}
    train = tree.get("train")
    method = train.get("method", "lora") if isinstance(train, dict) else "lora"
    if method != "none" and "data" not in tree and draw(st.integers(0, 3)):
        tree["data"] = draw(_strategy(Recipe.model_fields["data"].annotation, "data"))
    return tree


RECIPES = recipes()

# -- mutations ------------------------------------------------------------------------------------


def _paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            out += _paths(value, prefix + (i,))
    return out


def _parent(tree: Any, path: tuple) -> Any:
    for part in path[:-1]:
        tree = tree[part]
    return tree


@st.composite
def mutated(draw, tree: dict[str, Any]) -> dict[str, Any]:
    tree = copy.deepcopy(tree)
    for _ in range(draw(st.integers(0, 3))):
        paths = _paths(tree)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(tree, path)
        kind = draw(st.sampled_from(["drop", "junk", "unknown", "odd-key", "deep"]))
        if kind == "drop":
            del parent[path[-1]]
        elif kind == "junk":
            parent[path[-1]] = draw(JUNK)
        elif kind == "deep":
            parent[path[-1]] = draw(st.integers(1, 80).map(lambda n: [[]] if n < 2 else eval("[" * n + "]" * n)))
        elif isinstance(parent, dict):
            key = draw(st.text(min_size=1, max_size=5)) if kind == "unknown" else draw(
                st.one_of(st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False)))
            parent[key] = draw(SCALARS)
    return tree


#: Recipes that pass every check (the deeper checks run on them: model config, generation settings, data).
GOOD_LORA = st.fixed_dictionaries({
    "method": st.just("lora"), "max_steps": st.integers(1, 3), "batch_size": st.integers(1, 4)}, optional={
    "lora": st.fixed_dictionaries({"r": st.integers(1, 8)}, optional={
        "target_modules": st.lists(st.sampled_from(["q_proj", "k_proj", "v_proj", "o_proj", "down_proj"]),
                                   min_size=1, max_size=3, unique=True)}),
    "max_length": st.integers(9, 1024), "lr": st.floats(1e-6, 1e-2), "warmup_ratio": st.floats(0, 0.5),
    "checkpoints": st.one_of(st.integers(1, 3), st.lists(st.integers(1, 9), min_size=1, max_size=3, unique=True))})
GOOD = st.fixed_dictionaries({
    "name": st.just("fuzz"),
    "base_model": st.sampled_from(["builtin:tiny", "builtin:gemma-3-270m"]),
    "train": st.one_of(st.just({"method": "none"}), GOOD_LORA),
    "eval": st.fixed_dictionaries({"tasks": st.just(["babel_qa_en"])}, optional={
        "limit": st.integers(1, 5), "batch_size": st.integers(1, 4),
        "gen_kwargs": st.fixed_dictionaries({}, optional={
            "max_gen_toks": st.integers(1, 64), "temperature": st.floats(0, 2), "top_p": st.floats(0.1, 1),
            "do_sample": st.booleans(), "until": st.lists(st.sampled_from(["\n", "###"]), max_size=2),
            "repetition_penalty": st.floats(1, 2)}),
        "prompt_files": st.just([{"path": "prompts.jsonl", "language": "en"}])}),
}, optional={"description": st.text(max_size=10), "pivot": st.just({"mode": "none"})}).map(
    lambda tree: {**tree, "data": {"sources": [{"path": str(SAMPLES / "instructions.en.jsonl"), "language": "en"}],
                                   "mix": {"en": 1.0}, "size": 8}} if tree["train"]["method"] != "none" else tree)


@st.composite
def with_schema_part(draw, tree: dict[str, Any]) -> dict[str, Any]:
    """``tree`` with one of its values replaced by the same field's value in a schema-generated recipe."""
    other = draw(RECIPES)
    paths = [p for p in _paths(other) if all(isinstance(k, str) for k in p)]
    if not paths:
        return tree
    path = draw(st.sampled_from(paths))
    tree = copy.deepcopy(tree)
    node: Any = tree
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[path[-1]] = copy.deepcopy(_parent(other, path)[path[-1]])
    return tree


@st.composite
def recipe_text(draw) -> bytes:
    """YAML of a generated recipe (good, good with a schema-generated part, or schema-generated), often
    mutated; sometimes damaged as text or bytes, or random."""
    choice = draw(st.sampled_from(["good", "good", "part", "part", "schema", "schema", "bytes", "text", "snippet"]))
    if choice == "snippet":
        return draw(st.sampled_from([
            b"a: &x [*x]\n", b"? [a, b]\n: 1\n", b"{a: 1}: 2\n", b"- name: x\n", b"name: x\n---\nname: y\n",
            b"name: \xff\xfe\n", b"train: {lr: .nan}\n", b"<<: *nope\n", b"name: !!python/object:os.system x\n",
            b"[" * 3000 + b"]" * 3000, b"x: " + b"[" * 40 + b"]" * 40 + b"\n", b"\t\x00\n", b"",
        ]))
    if choice == "text":
        return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
    tree = draw(GOOD) if choice in ("good", "part", "bytes") else draw(RECIPES)
    if choice == "part":
        tree = draw(with_schema_part(tree))
    if choice != "good" or draw(st.booleans()):
        tree = draw(mutated(tree))
    text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=10**6).encode("utf-8")
    if choice == "bytes":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.binary(max_size=8)) + text[at + draw(st.integers(0, 8)):]
    return text


OVERRIDES = st.just([]) | st.lists(st.one_of(
    st.text(max_size=20),
    st.tuples(st.sampled_from(["train.lr", "train.lr.x", "eval.tasks.0", "eval.tasks.5", "eval.gen_kwargs.top_p",
                               "", "a..b", "data.mix.en", "select.metric", "variants"]),
              st.sampled_from(["1e-4", ".nan", "[", "{a: 1}", "-3", "x", ""])).map("=".join),
), max_size=2)


# -- the property -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory, tiny_model) -> Path:
    """A folder for the generated recipe, with a prompt file; caches warmed (the task index with lm-eval's
    built-in names, the models' configs, transformers' generation settings, the vLLM probe), so examples
    are quick."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "prompts.jsonl").write_text('{"instruction": "Say hi."}\n', encoding="utf-8")
    for base in ("builtin:tiny", "builtin:gemma-3-270m"):
        (root / "recipe.yaml").write_text(
            f"name: w\nbase_model: {base}\ntrain: {{method: none}}\n"
            "eval: {tasks: [no_such_task], gen_kwargs: {temperature: 0}}\njudges: [rubric-6facet]\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            validate.recipes([root / "recipe.yaml"])
    # what the installed vLLM serves (a probe run once with vLLM's own python, then cached)
    from babelbench.evaluate.vllm_probe import probe, vllm_python

    probe(vllm_python())
    return root


def _check(path: Path, overrides: list[str]) -> None:
    search = SearchPath.build([], [ROOT / "judges"])
    try:
        validate.recipes([path], overrides, search)
        event("loaded")
    except ConfigError as exc:
        shown = display_path(path)
        event(f"refused at {exc.problems[0].field.split('.')[0] or exc.problems[0].message[:20]}")
        for problem in exc.problems:
            assert problem.file, problem
            if problem.file == shown and problem.line is None:
                assert problem.message.startswith(FILE_LEVEL), problem


@settings(max_examples=600, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=recipe_text(), overrides=OVERRIDES)
def test_loading_any_recipe_succeeds_or_names_file_and_line(folder, text, overrides):
    path = folder / "recipe.yaml"
    path.write_bytes(text)
    _check(path, overrides)
