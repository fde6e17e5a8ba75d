"""Eval backends' model arguments (hf dtypes, lm-eval's vLLM model with LoRA), the backend's environment
check before any work, and `auto` dtypes in the stage keys."""

from __future__ import annotations

import textwrap

import pytest

from babelbench import validate
from babelbench.core.errors import ConfigError
from babelbench.evaluate.backends import get_eval_backend
from babelbench.models import dtype as dtype_module
from babelbench.pipeline import keys
from babelbench.recipe.loader import load_recipe

RECIPE = """\
name: b
base_model: builtin:tiny
train: {method: none}
eval:
  tasks: [babel_qa_en]
"""


def variant(tmp_path, extra: str = "", method: str = "none"):
    text = RECIPE.replace("train: {method: none}", f"train: {{method: {method}, lora: {{r: 8, alpha: 16}}}}")
    if method != "none":
        text = text.replace("eval:", "data: {sources: [{path: d.jsonl, language: en}], mix: {en: 1.0}, size: 1}\neval:")
        (tmp_path / "d.jsonl").write_text('{"instruction": "a", "output": "b"}\n')
    (tmp_path / "r.yaml").write_text(text + textwrap.indent(extra, "  "))
    [v] = load_recipe(tmp_path / "r.yaml")
    return v


def test_hf_dtype_follows_the_recipe_and_auto_is_float32_without_a_gpu(tmp_path, monkeypatch):
    hf = get_eval_backend("hf")
    assert hf.model_args("/m", None)["dtype"] == "float32"
    assert hf.model_args("/m", "/a", variant(tmp_path, "dtype: bfloat16\n")) == {
        "pretrained": "/m", "dtype": "bfloat16", "device": "cpu", "peft": "/a"}
    auto = variant(tmp_path, "dtype: auto\n")
    assert hf.model_args("/m", None, auto)["dtype"] == "float32"
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert dtype_module.resolve_dtype("auto") == "bfloat16"


def test_vllm_model_args_carry_the_adapter_its_rank_and_the_recipes_settings(tmp_path):
    vllm = get_eval_backend("vllm")
    lora = variant(tmp_path, "vllm: {tensor_parallel_size: 2, gpu_memory_utilization: 0.8, "
                             "max_model_len: 4096}\n", method="lora")
    assert vllm.model_args("/base", "/adapter", lora) == {
        "pretrained": "/base", "dtype": "float32", "tensor_parallel_size": 2, "data_parallel_size": 1,
        "gpu_memory_utilization": 0.8, "max_model_len": 4096,
        "enable_lora": True, "lora_local_path": "/adapter", "max_lora_rank": 8}
    assert vllm.model_args("/full-model", None) == {
        "pretrained": "/full-model", "dtype": "float32", "tensor_parallel_size": 1, "data_parallel_size": 1,
        "gpu_memory_utilization": 0.9}


def test_a_backend_whose_package_is_missing_is_refused_at_its_line(tmp_path):
    import importlib.util

    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vllm is installed here")
    (tmp_path / "r.yaml").write_text(RECIPE + "  backend: vllm\n")
    with pytest.raises(ConfigError) as info:
        validate.recipe(tmp_path / "r.yaml")
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'r.yaml'}:6: eval.backend: the vllm backend needs vllm (pip install vllm)"]


def test_auto_dtype_on_this_machine_is_the_same_stage_as_the_dtype_it_resolves_to(tmp_path, monkeypatch):
    plain = keys.eval_key_for(variant(tmp_path), "model", [], tmp_path)
    assert keys.eval_key_for(variant(tmp_path, "dtype: auto\n"), "model", [], tmp_path) == plain
    monkeypatch.setattr(dtype_module, "resolve_dtype", lambda name: "bfloat16" if name == "auto" else name)
    assert keys.eval_key_for(variant(tmp_path, "dtype: auto\n"), "model", [], tmp_path) == \
        keys.eval_key_for(variant(tmp_path, "dtype: bfloat16\n"), "model", [], tmp_path) != plain
