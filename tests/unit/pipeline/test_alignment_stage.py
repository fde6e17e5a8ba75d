"""The alignment stage on the tiny model (one row per layer and language pair, values in range; a sentence
set with itself aligned perfectly at every layer), its key (what changes it and what does not), the
recipe section (variant ids unchanged by default; bad settings at their line) and its store rows."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from babelbench.core.train_method import TrainMethod
from babelbench.analysis.parallel_sentences import load_parallel
from babelbench.core.errors import ConfigError
from babelbench.core.records import AlignmentRows
from babelbench.pipeline.alignment_stage import (AlignmentModel, alignment_key, alignment_stage, model_folder_identity,
                                           sentences_for, variant_model_identity)
from babelbench.pipeline.keys import plan_variant, variant_id
from babelbench.recipe import load_recipe
from babelbench.recipe.schema import AlignmentConfig
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def flores_rows(tiny_model):
    config = AlignmentConfig(languages=["zh", "es"])
    result = alignment_stage(AlignmentModel(str(tiny_model)), sentences_for(config, None), config, label="tiny")
    assert isinstance(result.rows, AlignmentRows)
    return result


def test_one_row_per_layer_and_language_pair_with_values_in_range(flores_rows, tiny_model):
    from transformers import AutoConfig

    layers = AutoConfig.from_pretrained(tiny_model).num_hidden_layers + 1
    records = flores_rows.rows.records
    assert sorted((r.layer, r.source_language, r.target_language) for r in records) == \
        sorted((layer, "en", t) for layer in range(layers) for t in ("zh", "es"))
    for r in records:
        assert -1 <= r.nonpair_cosine <= 1 and -1 <= r.pair_cosine <= 1
        assert r.retrieval_forward in {i / 10 for i in range(11)} and r.retrieval_backward in {i / 10 for i in range(11)}
        assert r.n == 10
    assert flores_rows.info["layers"] == layers and flores_rows.info["pairs"] == {"zh": 10, "es": 10}


def test_a_sentence_set_with_itself_is_aligned_perfectly_at_every_layer(tiny_model, tmp_path):
    english = [json.loads(line)["text"] for line in
               (Path(__file__).parents[3] / "tasks/flores_gen/data/flores_gen.en.jsonl").read_text().splitlines()]
    (tmp_path / "same.tsv").write_text("en\tde\n" + "".join(f"{t}\t{t}\n" for t in english), encoding="utf-8")
    config = AlignmentConfig(source="same.tsv", batch_size=3)
    result = alignment_stage(AlignmentModel(str(tiny_model)), sentences_for(config, tmp_path), config)
    assert len(result.rows.records) == 3
    for r in result.rows.records:
        assert r.pair_cosine == pytest.approx(1.0)
        assert (r.retrieval_forward, r.retrieval_backward, r.n) == (1.0, 1.0, 10)
        assert r.nonpair_cosine < 1


# -- the key ---------------------------------------------------------------------------------------------


def _key(model=("train", "abc"), config: AlignmentConfig | None = None, folder: Path | None = None) -> str:
    config = config or AlignmentConfig(languages=["zh"])
    return alignment_key(model, sentences_for(config, folder), config)


def test_the_key_changes_with_what_changes_the_numbers():
    base = _key()
    assert _key(model=("train", "abd")) != base
    assert _key(config=AlignmentConfig(languages=["es"])) != base
    assert _key(config=AlignmentConfig(languages=["zh", "es"])) != base
    assert _key(config=AlignmentConfig(languages=["zh"], max_sentences=4)) != base
    assert _key(config=AlignmentConfig(languages=["zh"], max_length=16)) != base
    assert _key(config=AlignmentConfig(languages=["zh"], dtype="bfloat16")) != base


def test_the_key_ignores_batch_size_device_and_where_the_sentences_live(tmp_path):
    base = _key()
    assert _key(config=AlignmentConfig(languages=["zh"], batch_size=1, device="auto")) == base
    # dtype auto is float32 on a CPU
    import torch
    if not torch.cuda.is_available():
        assert _key(config=AlignmentConfig(languages=["zh"], dtype="auto")) == base
    shutil.copytree(Path(__file__).parents[3] / "tasks/flores_gen/data", tmp_path / "copy")
    assert _key(config=AlignmentConfig(source="copy", languages=["zh"]), folder=tmp_path) == base


def test_the_key_changes_with_a_sentence(tmp_path):
    shutil.copytree(Path(__file__).parents[3] / "tasks/flores_gen/data", tmp_path / "copy")
    zh = tmp_path / "copy" / "flores_gen.zh.jsonl"
    lines = zh.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace("。", "！")
    zh.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = AlignmentConfig(source="copy", languages=["zh"])
    assert _key(config=config, folder=tmp_path) != _key()
    # a language not aligned is not read into the key
    config_es = AlignmentConfig(source="copy", languages=["es"])
    assert _key(config=config_es, folder=tmp_path) == _key(config=AlignmentConfig(languages=["es"]))


def test_the_key_changes_with_the_adapter(tiny_model, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model),
                           LoraConfig(r=2, target_modules=["q_proj"], init_lora_weights=False))
    model.save_pretrained(tmp_path / "one")
    model.save_pretrained(tmp_path / "same")
    plain = model_folder_identity(AlignmentModel(str(tiny_model)))
    one = model_folder_identity(AlignmentModel(str(tiny_model), str(tmp_path / "one")))
    same = model_folder_identity(AlignmentModel(str(tiny_model), str(tmp_path / "same")))
    assert _key(plain) != _key(one)
    assert {k: v for k, v in one["adapter"].items() if k != "local"} == \
        {k: v for k, v in same["adapter"].items() if k != "local"}
    import torch
    with torch.no_grad():
        next(p for n, p in model.named_parameters() if "lora_B" in n).add_(1.0)
    model.save_pretrained(tmp_path / "one")
    changed = model_folder_identity(AlignmentModel(str(tiny_model), str(tmp_path / "one")))
    assert _key(changed) != _key(one)


RECIPE = """\
name: al
base_model: builtin:tiny
data:
  sources: [{path: %s/instructions.en.jsonl, language: en}]
  mix: {en: 1.0}
  size: 8
train: {method: lora, max_steps: 2}
eval: {tasks: [babel_qa_en], limit: 2}
"""


def _variant(tmp_path: Path, extra: str = "", name: str = "r.yaml"):
    path = tmp_path / name
    path.write_text(RECIPE % SAMPLES + textwrap.dedent(extra), encoding="utf-8")
    [v] = load_recipe(path)
    return v


def test_variant_keys_follow_the_trained_model_not_eval_or_judges(tmp_path):
    plain = plan_variant(_variant(tmp_path), [])
    other_eval = plan_variant(_variant(tmp_path, "judges: [language-id]\n").model_copy(
        update={"eval": plain.variant.eval.model_copy(update={"limit": 5})}), [])
    other_train = plan_variant(plain.variant.model_copy(
        update={"train": plain.variant.train.model_copy(update={"lr": 0.5})}), [])
    assert variant_model_identity(plain) == variant_model_identity(other_eval) == plain.train_key
    assert variant_model_identity(other_train) != variant_model_identity(plain)
    assert variant_model_identity(plain, step=2) == {"train": plain.train_key, "step": 2}
    untrained = plan_variant(plain.variant.model_copy(
        update={"train": plain.variant.train.model_copy(update={"method": TrainMethod.NONE})}), [])
    assert variant_model_identity(untrained) == {"builtin": "builtin:tiny", "builder": "tiny-llama-v1"}


def test_the_recipe_section_defaults_leave_variant_ids_alone(tmp_path):
    v = _variant(tmp_path)
    assert v.analysis == [] and v.alignment == AlignmentConfig()
    payload = v.model_dump(mode="json", exclude={"recipe_file", "judges", "judge", "analysis", "alignment"})
    from babelbench.core.hashing import digest
    from babelbench.pipeline.keys import _canonical

    assert variant_id(v) == digest(_canonical(payload))
    with_analysis = v.model_copy(update={"analysis": ["alignment"]})
    assert variant_id(with_analysis) != variant_id(v)


@pytest.mark.parametrize("section, expected", [
    ("alignment: {pivot: en, languages: [zh, en]}\n", ("alignment.languages", "leave it out of `languages`")),
    ("alignment: {languages: [zh, klingon]}\n", ("alignment.languages.1", "unknown language code")),
    ("alignment: {max_length: 0}\n", ("alignment.max_length", "greater than 0")),
    ("alignment: {sources: x}\n", ("alignment.sources", "unknown key")),
    ("analysis: [alignment, scaling]\n", ("analysis.1", "alignment")),
])
def test_bad_alignment_settings_are_named_at_their_line(tmp_path, section, expected):
    with pytest.raises(ConfigError) as excinfo:
        _variant(tmp_path, section)
    [problem] = excinfo.value.problems
    assert (problem.field, problem.line) == (expected[0], 9)
    assert expected[1] in problem.message


def test_load_parallel_is_what_the_config_names(tmp_path):
    config = AlignmentConfig(languages=["ko"], max_sentences=2, pivot="zh")
    s = sentences_for(config, tmp_path)
    assert s == load_parallel("flores", "zh", ["ko"], tmp_path, 2)
    assert s.ids == {"zh": ["fl01", "fl02"], "ko": ["fl01", "fl02"]}


def test_align_variant_runs_once_per_key_through_the_lifecycle(tmp_path, tiny_model):
    from rich.console import Console

    from babelbench.pipeline.alignment_stage import align_variant
    from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
    from babelbench.store import Store
    from babelbench.store.alignment_queries import alignment_rows

    config = AlignmentConfig(languages=["zh"], max_sentences=3)
    v = _variant(tmp_path)
    v = v.model_copy(update={"analysis": ["alignment"], "alignment": config,
                             "train": v.train.model_copy(update={"method": TrainMethod.NONE})})
    plan = plan_variant(v, [])
    assert plan.train_key is None   # the base model's identity names the model
    store = Store(tmp_path / "r.duckdb")
    summary = RunSummary()
    lifecycle = Lifecycle(store, summary, Console(file=open(tmp_path / "log.txt", "w")))
    key = align_variant(plan, lifecycle, str(tiny_model), None)
    assert key == alignment_key(variant_model_identity(plan), sentences_for(config, plan.recipe_dir), config)
    assert align_variant(plan, lifecycle, str(tiny_model), None) == key
    assert (summary.ran("alignment"), summary.counts[("alignment", "skipped")]) == (1, 1)
    with store.read() as con:
        rows = alignment_rows(con, key)
        [(linked,)] = con.execute("SELECT key FROM variant_stages WHERE kind = 'alignment'").fetchall()
    assert [(r["layer"], r["target_language"], r["n"]) for r in rows] == [(0, "zh", 3), (1, "zh", 3), (2, "zh", 3)]
    assert linked == key
