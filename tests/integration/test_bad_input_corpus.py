"""Every bad input is answered before any work starts (issue 11): a table of broken recipes, YAML,
judge folders, task folders, prompt files, ``--set`` values and command-line arguments.

Each case writes its files into a fresh folder (the working directory while it runs, so messages
name files as ``recipe.yaml``), runs the command line in process, and checks: the exit code (2 for
bad input, 1 for the network), the message with its ``file:line: field:``, no traceback, and that
nothing was written -- the store given with ``--store`` does not exist afterwards and the case's own
files are unchanged. Recipe cases run both ``harness validate`` and ``harness run``.

To add a case, append a :class:`Case` to :data:`CASES` (``{samples}`` in a file's text is the
shipped sample-data folder, ``{tmp}`` in ``expected`` the case's folder).
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.integration._harness import harness


@dataclass(frozen=True)
class Case:
    id: str
    #: Files to write, relative to the case's folder: text (dedented; ``{samples}`` filled in) or bytes.
    files: dict[str, str | bytes]
    #: Arguments after the command (``{store}``: the store path that must not come to exist).
    args: tuple[str, ...]
    #: What the output must contain, with ``file:line: field:`` (``{tmp}``: the case's folder).
    expected: str
    code: int = 2
    #: Commands run with ``args``; ``run`` gets ``--store {store}`` added. Empty: ``args`` is the whole
    #: command line.
    commands: tuple[str, ...] = ("validate", "run")
    env: dict[str, str] = field(default_factory=dict)
    #: Makes more files before the case runs (they too must be unchanged afterwards).
    setup: Callable[[Path], None] | None = None


# -- recipes the cases start from ----------------------------------------------------------------

EVAL = """\
name: bad
base_model: builtin:tiny
train: {method: none}
eval:
  tasks: [babel_qa_en]
  limit: 2
  gen_kwargs: {max_gen_toks: 4}
"""

LORA = """\
name: bad
base_model: builtin:tiny
data:
  sources: [{path: {samples}/instructions.en.jsonl, language: en}]
  mix: {en: 1.0}
  size: 8
train:
  method: lora
  lora: {r: 4, alpha: 8, target_modules: [q_proj, v_proj]}
  max_steps: 2
  batch_size: 4
  max_length: 128
eval:
  tasks: [babel_qa_en]
  limit: 2
  gen_kwargs: {max_gen_toks: 4}
"""

SELECT = LORA.replace("  max_length: 128\n", "  max_length: 128\n  checkpoints: 1\n") + """\
select:
  tasks: [babel_qa_en]
  metric: exact_match
  aggregate: {en: 0.0}
"""


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def recipe(case_id: str, text: str | bytes, expected: str, **kw) -> Case:
    """A case whose recipe.yaml is ``text``; validate and run are both refused."""
    return Case(case_id, {"recipe.yaml": text}, ("recipe.yaml",), expected, **kw)


def gen(case_id: str, kwargs: str, expected: str) -> Case:
    """A case whose eval.gen_kwargs (line 7) is ``kwargs``."""
    return recipe(case_id, edit(EVAL, "{max_gen_toks: 4}", kwargs), f"recipe.yaml:7: eval.gen_kwargs.{expected}")


def _nest(depth: int) -> str:
    return "[" * depth + "]" * depth


def _bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    return EVAL + "\n".join(lines) + "\n"


# -- judge and task folders ----------------------------------------------------------------------

JUDGE = """\
name: j
kind: rubric
backend: {model: m, base_url: "http://127.0.0.1:9/v1", temperature: 0}
prompts: {system: system.j2, user: user.j2}
facets:
  - {name: helpful, description: Helps., min: 1, max: 3}
"""
SYSTEM = "You grade answers.\n"
USER = """\
Instruction:
{{ instruction | fence("instruction") }}
Answer in {{ language }}:
{{ answer | fence("answer") }}
{% for f in facets %}- {{ f.name }}: {{ f.description }}
{% endfor %}
"""


def judge(case_id: str, expected: str, *, yaml: str | bytes = JUDGE, user: str | bytes = USER) -> Case:
    """A case validating the judges folder ``judges/`` holding judge ``j``."""
    return Case(case_id, {"judges/j/judge.yaml": yaml, "judges/j/system.j2": SYSTEM, "judges/j/user.j2": user},
                ("judges",), expected, commands=("validate",))


GOOD_TASK = "task: good\ndataset_path: json\n"


def task(case_id: str, text: str | bytes, expected: str) -> Case:
    """A case validating the task folder ``tasks/`` holding good.yaml and bad.yaml (= ``text``)."""
    return Case(case_id, {"tasks/good.yaml": GOOD_TASK, "tasks/bad.yaml": text}, ("tasks",), expected,
                commands=("validate",))


def _empty_store(folder: Path) -> None:
    from babelbench.store import Store

    with Store(folder / "published.duckdb").write():
        pass


TINY_CONFIG = """{"model_type": "llama", "vocab_size": 64, "hidden_size": 16, "intermediate_size": 32,
 "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": 64}"""

NOT_UTF8 = edit(EVAL, "name: bad\n", "name: bad\ndescription: caf\xe9\n").encode("latin-1")

CASES: list[Case] = [
    # -- YAML the loader cannot take -------------------------------------------------------------
    recipe("yaml-not-utf8", NOT_UTF8, "recipe.yaml:2: not UTF-8: byte 0xe9 at offset 26 (save the file as UTF-8)"),
    recipe("yaml-utf16", EVAL.encode("utf-16"), "recipe.yaml:1: not UTF-8: byte 0xff at offset 0"),
    recipe("yaml-recursive-list", EVAL + "x: &x [1, *x]\n", "recipe.yaml:8: x.1: an alias refers to the anchor that "
                                                             "contains it (a recursive value)"),
    recipe("yaml-recursive-mapping", EVAL + "x: &x {a: {b: *x}}\n", "recipe.yaml:8: x.a.b: an alias refers to the "
                                                                    "anchor that contains it"),
    recipe("yaml-alias-bomb", _bomb(), "recipe.yaml:8: a4.7.8.8.8: the file expands to more than 100000 values "
                                 "(aliases repeated in aliases?)"),
    recipe("yaml-nested-too-deep", EVAL + f"x: {_nest(60)}\n", "recipe.yaml:8: nested more than 48 levels deep"),
    recipe("yaml-nested-through-aliases", EVAL + f"a: &a {_nest(30)}\nb: {'[' * 30}*a{']' * 30}\n",
           "recipe.yaml:8: b" + ".0" * 48 + ": nested more than 48 levels deep"),
    recipe("yaml-nested-beyond-the-parser", EVAL + f"x:\n  - {_nest(3000)}\n", "recipe.yaml:9: nested more than 48 "
                                                                                "levels deep"),
    recipe("yaml-complex-key-list", EVAL + "? [a, b]\n: 1\n", "recipe.yaml:8: a key must be plain text, not a list"),
    recipe("yaml-complex-key-mapping", edit(EVAL, "train: {method: none}", "train: {method: none, {a: 1}: 2}"),
           "recipe.yaml:3: train: a key must be plain text, not a mapping"),
    recipe("yaml-boolean-key", edit(EVAL, "train: {method: none}", "train: {method: none, yes: 1}"),
           "recipe.yaml:3: train.yes: key 'yes' is read as a boolean by YAML; quote it: \"yes\""),
    recipe("yaml-null-key", EVAL + "~: 1\n", "recipe.yaml:8: ~: key '~' is read as null by YAML; quote it"),
    recipe("yaml-float-key", edit(EVAL, "{max_gen_toks: 4}", "{max_gen_toks: 4, 0.5: 1}"),
           "recipe.yaml:7: eval.gen_kwargs.0.5: key '0.5' is read as a number by YAML; quote it"),
    recipe("yaml-integer-key", EVAL + "1: 2\n", "recipe.yaml:8: 1: a key must be text: quote it (\"1\")"),
    recipe("yaml-integer-key-nested", edit(EVAL, "{max_gen_toks: 4}", "{max_gen_toks: 4, 7: 1}"),
           "recipe.yaml:7: eval.gen_kwargs.7: a key must be text: quote it (\"7\")"),
    recipe("yaml-nan-lr", edit(EVAL, "{method: none}", "{method: none, lr: .nan}"),
           "recipe.yaml:3: train.lr: .nan is not a finite number"),
    recipe("yaml-inf-lr", edit(EVAL, "{method: none}", "{method: none, lr: .inf}"),
           "recipe.yaml:3: train.lr: .inf is not a finite number"),
    recipe("yaml-inf-mix-weight", edit(LORA, "{en: 1.0}", "{en: -.inf}"),
           "recipe.yaml:5: data.mix.en: -.inf is not a finite number"),
    recipe("yaml-nan-temperature", edit(EVAL, "{max_gen_toks: 4}", "{max_gen_toks: 4, temperature: .NaN}"),
           "recipe.yaml:7: eval.gen_kwargs.temperature: .NaN is not a finite number"),
    recipe("yaml-top-level-list", "- name: bad\n- eval: {}\n",
           "recipe.yaml:1: top level must be a mapping (key: value lines), not a list"),
    recipe("yaml-top-level-scalar", "just some text\n", "recipe.yaml:1: top level must be a mapping (key: value "
                                                        "lines), not a single value"),
    recipe("yaml-empty-file", "", "recipe.yaml: empty file"),
    recipe("yaml-duplicate-key", EVAL + "train: {method: lora}\n", "recipe.yaml:8: train: duplicate key"),
    recipe("yaml-syntax", edit(EVAL, "  limit: 2\n", "  limit: [2\n"), "recipe.yaml:7: invalid YAML: expected ',' or "
                                                                         "']', but got ':'"),
    recipe("yaml-control-character", edit(EVAL, "name: bad", "name: b\x00ad"),
           "recipe.yaml:1: invalid YAML: unacceptable character #x0000"),
    recipe("yaml-unsafe-tag", EVAL + "description: !!python/object/apply:os.system [ls]\n",
           "recipe.yaml:8: description: cannot read the value: the tag "
           "'tag:yaml.org,2002:python/object/apply:os.system' is not allowed here"),
    recipe("yaml-bad-int-tag", edit(EVAL, "  limit: 2", "  limit: !!int two"),
           "recipe.yaml:6: eval.limit: cannot read the value 'two': invalid literal for int()"),
    recipe("yaml-two-documents", EVAL + "---\nname: other\n", "recipe.yaml:8: invalid YAML: expected a "
                                                 "single document in the stream, but found another document"),
    recipe("yaml-merge-of-a-scalar", edit(EVAL, "train: {method: none}", "train: {<<: 5, method: none}"),
           "recipe.yaml:3: train: a merge key (<<) takes a mapping or a list of mappings"),
    Case("yaml-extends-cycle", {"a.yaml": "extends: b.yaml\n" + EVAL, "b.yaml": "extends: a.yaml\n" + EVAL},
         ("a.yaml",), "a.yaml: extends: recipes extend each other in a cycle"),
    Case("yaml-extends-not-utf8", {"parent.yaml": NOT_UTF8, "child.yaml": "extends: parent.yaml\nname: child\n"},
         ("child.yaml",), "parent.yaml:2: not UTF-8: byte 0xe9 at offset 26"),
    recipe("yaml-extends-missing", "extends: nowhere.yaml\n" + EVAL, "recipe.yaml:1: extends: file not found: "
                                                                    "nowhere.yaml"),

    # -- schema and semantic checks (line and field) -----------------------------------------------
    recipe("unknown-key", edit(EVAL, "  limit: 2\n", "  limit: 2\n  limitt: 3\n"), "recipe.yaml:7: eval.limitt: "
                                                                                  "unknown key"),
    recipe("wrong-type", edit(LORA, "size: 8", "size: many"), "recipe.yaml:6: data.size: Input should be a valid "
                                                              "integer"),
    recipe("lr-zero", edit(EVAL, "{method: none}", "{method: none, lr: 0}"),
           "recipe.yaml:3: train.lr: Input should be greater than 0"),
    recipe("batch-size-negative", edit(LORA, "batch_size: 4", "batch_size: -1"),
           "recipe.yaml:11: train.batch_size: Input should be greater than 0"),
    recipe("lora-rank-zero", edit(LORA, "{r: 4,", "{r: 0,"), "recipe.yaml:9: train.lora.r: Input should be greater "
                                                            "than 0"),
    recipe("eval-limit-zero", edit(EVAL, "limit: 2", "limit: 0"), "recipe.yaml:6: eval.limit: Input should be greater "
                                                                  "than 0"),
    recipe("eval-batch-size-zero", edit(EVAL, "limit: 2", "limit: 2\n  batch_size: 0"),
           "recipe.yaml:7: eval.batch_size: Input should be greater than 0"),
    recipe("checkpoints-zero-step", edit(LORA, "max_length: 128", "max_length: 128\n  checkpoints: [0, 2]"),
           "recipe.yaml:13: train.checkpoints: checkpoint steps must be > 0 (leave train.checkpoints out to keep none)"),
    recipe("checkpoints-negative", edit(LORA, "max_length: 128", "max_length: 128\n  checkpoints: -2"),
           "recipe.yaml:13: train.checkpoints: checkpoint steps must be > 0 (leave train.checkpoints out to keep none)"),
    recipe("checkpoints-twice", edit(LORA, "max_length: 128", "max_length: 128\n  checkpoints: [2, 2]"),
           "recipe.yaml:13: train.checkpoints: a checkpoint step is listed twice"),
    recipe("select-weights-all-zero", SELECT, "recipe.yaml:21: select.aggregate: at least one weight must be > 0"),
    recipe("gen-kwargs-not-a-mapping", edit(EVAL, "{max_gen_toks: 4}", "[4]"),
           "recipe.yaml:7: eval.gen_kwargs: Input should be a valid dictionary"),
    recipe("unknown-builtin-model", edit(EVAL, "builtin:tiny", "builtin:huge"),
           "recipe.yaml:2: base_model: unknown built-in model; known: builtin:gemma-3-270m, builtin:tiny"),
    recipe("not-a-hub-id", edit(EVAL, "builtin:tiny", '"my model/v 2"'),
           "recipe.yaml:2: base_model: 'my model/v 2' is no folder next to the recipe, no builtin: model and no Hub "
           "model id (org/name)"),

    # -- eval.gen_kwargs: what lm-eval's hf model passes to generate() -----------------------------
    gen("gen-unknown-key", "{max_gen_tokz: 4}", "max_gen_tokz: unknown generation setting; did you mean max_gen_toks?"),
    gen("gen-unknown-key-far", "{beam_width: 4}", "beam_width: unknown generation setting; (lm-eval's: until, "
                                                  "max_gen_toks, do_sample, temperature, or a field of transformers' "
                                                  "GenerationConfig)"),
    gen("gen-max-gen-toks-zero", "{max_gen_toks: 0}", "max_gen_toks: must be at least 1, not 0"),
    gen("gen-max-gen-toks-negative", "{max_gen_toks: -5}", "max_gen_toks: must be at least 1, not -5"),
    gen("gen-max-new-tokens-zero", "{max_new_tokens: 0}", "max_new_tokens: must be at least 1, not 0"),
    gen("gen-max-gen-toks-text", "{max_gen_toks: many}", "max_gen_toks: must be a whole number, not 'many'"),
    gen("gen-max-gen-toks-float", "{max_gen_toks: 4.5}", "max_gen_toks: must be a whole number, not 4.5"),
    gen("gen-temperature-negative", "{temperature: -1}", "temperature: must be at least 0, not -1"),
    gen("gen-temperature-text", "{temperature: hot}", "temperature: must be a number, not 'hot'"),
    gen("gen-top-p-above-one", "{top_p: 1.5}", "top_p: must be at most 1, not 1.5"),
    gen("gen-top-p-zero", "{top_p: 0}", "top_p: must be greater than 0, not 0"),
    gen("gen-repetition-penalty-zero", "{repetition_penalty: 0}", "repetition_penalty: must be greater than 0, not 0"),
    gen("gen-top-k-negative", "{top_k: -1}", "top_k: must be at least 0, not -1"),
    gen("gen-do-sample-number", "{do_sample: 1}", "do_sample: must be true or false, not 1"),
    gen("gen-until-number", "{until: 5}", "until: must be a string or a list of strings, not 5"),
    gen("gen-pad-token-id", "{pad_token_id: 0}", "pad_token_id: cannot be set here: lm-eval sets it from the tokenizer"),
    gen("gen-return-dict", "{return_dict_in_generate: true}", "return_dict_in_generate: cannot be set here: lm-eval "
                                                              "reads token ids back, not a dict"),
    gen("gen-several-answers", "{num_return_sequences: 3}", "num_return_sequences: must be 1 (lm-eval keeps one "
                                                            "answer per prompt), not 3"),

    # -- settings the base model cannot take (its config, no weights) ------------------------------
    recipe("lora-target-unknown", edit(LORA, "[q_proj, v_proj]", "[q_proj, c_attn]"),
           "recipe.yaml:9: train.lora.target_modules.1: builtin:tiny has no module 'c_attn'; its Linear layers: "
           "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head"),
    recipe("lora-target-not-linear", edit(LORA, "[q_proj, v_proj]", "[self_attn]"),
           "recipe.yaml:9: train.lora.target_modules.0: 'self_attn' names LlamaAttention modules, which LoRA cannot "
           "adapt; builtin:tiny's Linear layers: q_proj,"),
    recipe("lora-target-gemma", edit(edit(LORA, "builtin:tiny", "builtin:gemma-3-270m"), "[q_proj, v_proj]", "[qkv]"),
           "recipe.yaml:9: train.lora.target_modules.0: builtin:gemma-3-270m has no module 'qkv'; its Linear layers: "
           "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head"),
    recipe("max-length-beyond-context", edit(LORA, "max_length: 128", "max_length: 4096"),
           "recipe.yaml:12: train.max_length: 4096 is more than builtin:tiny's context length (1024 tokens, its "
           "config's max_position_embeddings)"),
    gen("gen-beyond-context", "{max_gen_toks: 1024}", "max_gen_toks: 1024 tokens to generate leave no room for the "
                                                      "prompt in builtin:tiny's context length (1024 tokens"),
    Case("local-model-without-config", {"recipe.yaml": edit(EVAL, "builtin:tiny", "./model"), "model/README.md": "hi"},
         ("recipe.yaml",), "recipe.yaml:2: base_model: cannot read the model's config:"),
    Case("local-model-unknown-type", {"recipe.yaml": edit(EVAL, "builtin:tiny", "./model"),
                                      "model/config.json": '{"hidden_size": 4}'},
         ("recipe.yaml",), "recipe.yaml:2: base_model: cannot read the model's config: Unrecognized model in"),
    Case("local-model-lora-target", {"recipe.yaml": edit(edit(LORA, "builtin:tiny", "./model"), "[q_proj, v_proj]",
                                                         "[query]"), "model/config.json": TINY_CONFIG},
         ("recipe.yaml",), "recipe.yaml:9: train.lora.target_modules.0: ./model has no module 'query'; its Linear "
                           "layers: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head"),
    Case("local-model-short-context", {"recipe.yaml": edit(LORA, "builtin:tiny", "./model"),
                                       "model/config.json": TINY_CONFIG},
         ("recipe.yaml",), "recipe.yaml:12: train.max_length: 128 is more than ./model's context length (64 tokens, its config's "
                           "max_position_embeddings)"),

    # -- recipe folders and paths ------------------------------------------------------------------
    Case("folder-without-recipes", {"empty/notes.txt": "nothing here"}, ("empty",),
         "empty: no recipe here (no *.yaml or *.yml file)"),
    Case("folder-recipe-and-empty", {"recipes/ok.yaml": EVAL, "more/readme.md": "x"}, ("recipes", "more"),
         "more: no recipe here"),
    Case("recipe-missing", {}, ("nope.yaml",), "nope.yaml: file not found"),
    Case("run-default-recipe-missing", {}, (), "recipes/demo.yaml: file not found", commands=("run",)),

    # -- --set ------------------------------------------------------------------------------------
    Case("set-without-equals", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "train.lr"),
         "--set train.lr: expected dotted.key=value"),
    Case("set-empty-key", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "=3"),
         "--set =3: empty key (expected dotted.key=value, e.g. train.lr=1e-4)"),
    Case("set-empty-part", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "train..lr=3"),
         "--set train..lr=3: train..lr: empty key"),
    Case("set-unknown-key", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "train.lrr=1"),
         "--set train.lrr=1: train.lrr: unknown key"),
    Case("set-unknown-section", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "trian.lr=1"),
         "--set trian.lr=1: trian: unknown key"),
    Case("set-below-a-value", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "eval.limit.x=1"),
         "--set eval.limit.x=1: eval.limit.x: eval.limit is a value (2), not a section: nothing can be set below it"),
    Case("set-past-a-list", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "eval.tasks.3=xquad_gen_en"),
         "--set eval.tasks.3=xquad_gen_en: eval.tasks.3: eval.tasks is a list of 1: '3' is not one of its indices"),
    Case("set-bad-yaml", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "train.lr=[1"),
         "--set train.lr=[1: train.lr: value is not valid YAML: expected ',' or ']'"),
    Case("set-nan", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "train.lr=.nan"),
         "--set train.lr=.nan: train.lr: value is not a finite number (.nan, .inf)"),
    Case("set-wrong-type", {"recipe.yaml": LORA}, ("recipe.yaml", "--set", "train.batch_size=many"),
         "--set train.batch_size=many: train.batch_size: Input should be a valid integer"),
    Case("set-gen-kwargs-zero", {"recipe.yaml": EVAL}, ("recipe.yaml", "--set", "eval.gen_kwargs.max_gen_toks=0"),
         "--set eval.gen_kwargs.max_gen_toks=0: eval.gen_kwargs.max_gen_toks: must be at least 1, not 0"),

    # -- other command-line arguments ---------------------------------------------------------------
    Case("only-unknown-stage", {"recipe.yaml": EVAL}, ("run", "recipe.yaml", "--store", "{store}", "--only", "training"),
         "Invalid value for --only: must be one of data, train, eval, judge", commands=()),
    Case("report-bad-format", {}, ("report", "--store", "{store}", "--format", "xml"),
         "Invalid value for --format: must be one of table, json, csv, latex, markdown", commands=()),
    Case("export-bad-format", {}, ("export", "out", "--store", "{store}", "--format", "parquet"),
         "Invalid value for --format: must be one of eee, hf-dataset, lm-eval", commands=()),
    Case("tasks-dir-missing", {"recipe.yaml": EVAL}, ("recipe.yaml", "--tasks-dir", "nowhere"),
         "Invalid value for --tasks-dir: folder not found: nowhere"),
    Case("judges-dir-missing", {"recipe.yaml": EVAL}, ("recipe.yaml", "--judges-dir", "nowhere"),
         "Invalid value for --judges-dir: folder not found: nowhere"),
    Case("judge-backend-unknown", {"recipe.yaml": EVAL + "judges: [rubric-6facet]\n"},
         ("run", "recipe.yaml", "--store", "{store}", "--judge-backend", "nope"),
         "judge.backend: unknown judge backend 'nope'; known: local, openai", commands=()),

    # -- judge folders ----------------------------------------------------------------------------
    judge("judge-template-undefined", "judges/j/user.j2:4: template: 'anwser' is undefined (variables: answer, "
                                      "facets, instruction, language, language_code)",
          user=edit(USER, "{{ answer |", "{{ anwser |")),
    judge("judge-template-unknown-filter", "judges/j/user.j2:2: template: No filter named 'fenced'.",
          user=edit(USER, '| fence("instruction")', '| fenced("instruction")')),
    judge("judge-template-syntax", "judges/j/user.j2:6: template: Encountered unknown tag 'endfo'.",
          user=edit(USER, "{% endfor %}", "{% endfo %}")),
    judge("judge-template-attribute", "judges/j/user.j2:5: template: 'dict object' has no attribute 'title'",
          user=edit(USER, "{{ f.name }}", "{{ f.title }}")),
    judge("judge-template-raises", "judges/j/user.j2:1: template: ZeroDivisionError: division by zero",
          user="{{ 1 / 0 }}\n" + USER),
    judge("judge-template-not-utf8", "judges/j/user.j2:2: not UTF-8: byte 0xe9",
          user=("Instruction:\ncaf\xe9 {{ instruction }}\n").encode("latin-1")),
    judge("judge-yaml-not-utf8", "judges/j/judge.yaml:2: not UTF-8", yaml=edit(JUDGE, "kind: rubric",
                                                                             "kind: rubric # \xe9").encode("latin-1")),
    judge("judge-yaml-recursive", "judges/j/judge.yaml:7: x.0: an alias refers to the anchor that contains it",
          yaml=JUDGE + "x: &x [*x]\n"),
    judge("judge-yaml-nan", "judges/j/judge.yaml:3: backend.temperature: .nan is not a finite number",
          yaml=edit(JUDGE, "temperature: 0", "temperature: .nan")),
    judge("judge-negative-temperature", "judges/j/judge.yaml:3: backend.temperature: Input should be greater than or "
                                        "equal to 0", yaml=edit(JUDGE, "temperature: 0", "temperature: -1")),
    judge("judge-template-missing", "judges/j/judge.yaml:4: prompts.user: template file not found: usr.j2",
          yaml=edit(JUDGE, "user: user.j2", "user: usr.j2")),
    judge("judge-yaml-top-level-list", "judges/j/judge.yaml:1: top level must be a mapping (key: value lines), not a "
                                       "list", yaml="- name: j\n- kind: rubric\n"),
    judge("judge-yaml-boolean-key", "judges/j/judge.yaml:6: facets.0.on: key 'on' is read as a boolean by YAML",
          yaml=edit(JUDGE, "min: 1, max: 3}", "min: 1, max: 3, on: 1}")),
    judge("judge-complex-key", "judges/j/judge.yaml:7: a key must be plain text, not a list",
          yaml=JUDGE + "? [a]\n: 1\n"),
    Case("recipe-lists-a-broken-judge", {"recipe.yaml": EVAL + "judges: [j]\n", "judges/j/judge.yaml": JUDGE,
                                         "judges/j/system.j2": SYSTEM, "judges/j/user.j2": "{{ answr }}\n"},
         ("recipe.yaml", "--judges-dir", "judges"), "judges/j/user.j2:1: template: 'answr' is undefined"),

    # -- task folders -----------------------------------------------------------------------------
    task("task-not-utf8", "task: bad\ndescription: caf\xe9\n".encode("latin-1"),
         "tasks/bad.yaml:2: not UTF-8: byte 0xe9 at offset 26"),
    task("task-invalid-yaml", "task: bad\ndoc_to_text: [unclosed\nmetric_list: []\n", "tasks/bad.yaml:3: invalid YAML"),
    task("task-include-missing", "task: bad\ninclude: _nowhere_template\n",
         "tasks/bad.yaml:2: include: file not found: _nowhere_template"),
    task("task-top-level-list", "- task: bad\n", "tasks/bad.yaml:1: a task file must be a mapping"),
    task("task-nested-too-deep", f"task: bad\nx: {_nest(3000)}\n", "tasks/bad.yaml:2: nested more than 48 levels deep"),
    task("task-control-character", "task: b\x07ad\n", "tasks/bad.yaml:1: invalid YAML: unacceptable character #x0007"),

    # -- prompt files -----------------------------------------------------------------------------
    Case("prompt-file-missing", {"recipe.yaml": edit(EVAL, "  tasks: [babel_qa_en]\n",
                                                     "  prompt_files: [{path: prompts.jsonl, language: en}]\n")},
         ("recipe.yaml",), "recipe.yaml:5: eval.prompt_files.0.path: file not found: prompts.jsonl (relative to {tmp})"),
    Case("prompt-file-bad-row", {"recipe.yaml": edit(EVAL, "  tasks: [babel_qa_en]\n",
                                                     "  prompt_files: [{path: prompts.jsonl, language: en}]\n"),
                                 "prompts.jsonl": '{"instruction": "Hi."}\n{"instruction": \n'},
         ("recipe.yaml",), "{tmp}/prompts.jsonl:2: not JSON: Expecting value"),
    Case("prompt-file-no-instruction", {"recipe.yaml": edit(EVAL, "  tasks: [babel_qa_en]\n",
                                                            "  prompt_files: [{path: prompts.jsonl, language: en}]\n"),
                                        "prompts.jsonl": '{"instruction": "Hi."}\n{"text": "Hi."}\n'},
         ("recipe.yaml",), "{tmp}/prompts.jsonl:2: no `instruction` and no user turn in `messages`"),

    # -- the network: one line, exit 1, nothing written --------------------------------------------
    Case("hub-dataset-offline", {"recipe.yaml": edit(LORA, "{path: {samples}/instructions.en.jsonl, language: en}",
                                                     "{hub: babelbench-test/absent-data, language: en}")},
         ("recipe.yaml",), "recipe.yaml:4: data.sources.0.hub: the Hub dataset 'babelbench-test/absent-data' is not in "
                           "the local Hugging Face cache", code=1, commands=("run",),
         env={"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}),
    Case("hub-model-offline", {"recipe.yaml": edit(EVAL, "builtin:tiny", "babelbench-test/absent-model")},
         ("recipe.yaml",), "recipe.yaml:2: base_model: the Hub model 'babelbench-test/absent-model' is not in the local "
                           "Hugging Face cache", code=1, commands=("run",), env={"HF_HUB_OFFLINE": "1"}),
    Case("publish-unreachable", {}, ("publish", "--repo", "org/name", "--store", "published.duckdb", "--endpoint",
                                     "http://127.0.0.1:9"),
         # the test session is offline (HF_HUB_OFFLINE=1 is read when huggingface_hub is imported)
         "error: OfflineModeIsEnabled: Cannot reach http://127.0.0.1:9/api/repos/create: offline mode is enabled.",
         code=1, commands=(),
         env={"HF_TOKEN": "hf_corpus_test_token"}, setup=_empty_store),
]


def _write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).replace("{samples}", str(SAMPLES)), encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_corpus_is_large_and_its_ids_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 65


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_before_any_work(case: Case, tmp_path, monkeypatch):
    folder = tmp_path / "case"
    folder.mkdir()
    _write(folder, case.files)
    if case.setup:
        case.setup(folder)
    before = _snapshot(folder)
    store = tmp_path / "results.duckdb"
    monkeypatch.chdir(folder)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    runs = [(c, *case.args, *(("--store", "{store}") if c == "run" else ())) for c in case.commands] or [case.args]
    expected = case.expected.replace("{tmp}", str(folder))
    for argv in runs:
        code, out = harness(*(str(store) if a == "{store}" else a for a in argv))
        flat = " ".join(out.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())  # rich's usage-error box
        assert "Traceback" not in out, out
        assert code == case.code, f"{argv}: {out}"
        assert expected in out or " ".join(expected.split()) in flat, f"{argv}: {out}"
        assert not store.exists(), argv
        assert _snapshot(folder) == before, argv
