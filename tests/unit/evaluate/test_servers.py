"""The command lines served sweeps build (every argument checked; tests/integration/test_vllm_served.py runs
them on vLLM's CPU build). vLLM's python is a stand-in here: BABELBENCH_VLLM_PYTHON names a script that
prints what a probe of vLLM would."""

from __future__ import annotations

from pathlib import Path

import pytest

from babelbench.evaluate.servers import ServedAdapter, adapter_name, get_server, served_label, server_names, vllm_lora_rank
from babelbench.pipeline.serving import DeferredEval, adapters_of, group_key, served_name, through_server
from babelbench.recipe.schema import Variant

PROBE = {"version": "0.32.0", "device": "cpu", "dtypes": ["bfloat16", "float32"], "lora_ranks": [1, 8, 16, 32],
         "architectures": ["Gemma3ForCausalLM", "LlamaForCausalLM"]}


@pytest.fixture(autouse=True)
def fake_vllm(tmp_path, monkeypatch):
    """A "python" that prints PROBE as vLLM's probe would (and a fresh BABELBENCH_HOME for its cache)."""
    import json

    from babelbench.evaluate import vllm_probe

    python = tmp_path / "vllm-env" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\necho 'VLLM_PROBE {json.dumps(PROBE)}'\n")
    python.chmod(0o755)
    monkeypatch.setenv("BABELBENCH_VLLM_PYTHON", str(python))
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))
    vllm_probe._probe_cached.cache_clear()
    return python


def _variant(name="sweep@lr=1e-4", method="lora", **eval_extra) -> Variant:
    return Variant.model_validate({
        "name": name, "recipe_file": "/r/sweep.yaml", "base_model": "org/base-7b", "data": None,
        "pivot": {}, "train": {"method": method, "lora": {"r": 12}},
        "eval": {"tasks": ["xalpaca_zh"], "serve": "vllm", **eval_extra}})


def test_registered_servers():
    assert server_names() == ["llama_cpp", "vllm"]


@pytest.mark.parametrize(("rank", "allowed"), [(1, 1), (2, 8), (8, 8), (12, 16), (16, 16), (300, 320), (512, 512)])
def test_vllm_lora_rank_rounds_up_to_a_rank_vllm_supports(rank, allowed):
    assert vllm_lora_rank(rank) == allowed


def test_vllm_lora_rank_above_the_largest_is_refused():
    with pytest.raises(ValueError, match="above vLLM's largest"):
        vllm_lora_rank(513)


@pytest.mark.parametrize(("name", "served"), [("demo@mixed", "demo-mixed"), ("sweep@lr=1e-4", "sweep-lr-1e-4"),
                                              ("a b/c", "a-b-c"), ("x.y_z-1", "x.y_z-1"), ("@@", "variant")])
def test_adapter_names_are_safe_model_names(name, served):
    assert served_label(name) == served
    assert adapter_name(name).startswith(served + "-") and len(adapter_name(name)) == len(served) + 9
    assert served_label(adapter_name(name)) == adapter_name(name)     # already safe


def test_names_that_read_alike_get_distinct_adapters():
    assert served_label("x@a=1+2") == served_label("x@a=1-2")
    assert adapter_name("x@a=1+2") != adapter_name("x@a=1-2")
    assert adapter_name("x@a=1+2") == adapter_name("x@a=1+2")          # stable across runs


def test_the_vllm_serve_command_registers_every_adapter(fake_vllm):
    variant = _variant(dtype="bfloat16", vllm={"tensor_parallel_size": 2, "data_parallel_size": 1,
                                               "gpu_memory_utilization": 0.8, "max_model_len": 4096})
    adapters = [ServedAdapter("sweep-lr-1e-4", "/a/1/adapter", 12), ServedAdapter("sweep-lr-1e-5", "/a/2/adapter", 8)]
    command = get_server("vllm").command("/models/base", "base-7b", adapters, variant, 8123)
    assert command == [
        str(fake_vllm), "-m", "vllm.entrypoints.openai.api_server", "--model", "/models/base",
        "--host", "127.0.0.1", "--port", "8123", "--served-model-name", "base-7b",
        "--dtype", "bfloat16", "--tensor-parallel-size", "2", "--data-parallel-size", "1",
        "--gpu-memory-utilization", "0.8", "--max-model-len", "4096",
        "--enable-lora", "--max-lora-rank", "16", "--max-loras", "2",
        "--lora-modules", "sweep-lr-1e-4=/a/1/adapter", "sweep-lr-1e-5=/a/2/adapter"]


def test_vllm_settings_and_extra_arguments_pass_through():
    variant = _variant(serve={"server": "vllm", "max_loras": 4, "extra_args": ["--enforce-eager"]})
    command = get_server("vllm").command("/m", "m", [ServedAdapter("a", "/a", 64)], variant, 9)
    assert command[command.index("--max-loras") + 1] == "4" and command[-1] == "--enforce-eager"
    assert command[command.index("--max-lora-rank") + 1] == "64"
    assert "--max-model-len" not in command      # the model's own context length unless the recipe sets one
    assert get_server("vllm").command("/m", "m", [], _variant(method="none"), 9)[-1] == "0.9"   # no LoRA flags


def test_llama_cpp_serves_a_gguf_with_the_base_name_as_alias():
    variant = _variant(method="none", serve={"server": "llama_cpp", "extra_args": ["--n_ctx", "4096"]})
    command = get_server("llama_cpp").command("/m/model.gguf", "gemma-3-270m", [], variant, 7000)
    assert command[1:] == ["-m", "llama_cpp.server", "--model", "/m/model.gguf", "--model_alias", "gemma-3-270m",
                           "--host", "127.0.0.1", "--port", "7000", "--chat_format", "gemma", "--n_ctx", "4096"]


def test_what_a_server_cannot_serve_is_said_per_field():
    vllm, llama = get_server("vllm"), get_server("llama_cpp")
    assert vllm.recipe_problem(_variant()) is None
    assert vllm.recipe_problem(_variant(method="full"))[0] == "eval.serve"
    assert llama.recipe_problem(_variant(method="none", serve="llama_cpp"))[0] == "base_model"
    gguf = _variant(method="none", serve="llama_cpp").model_copy(update={"base_model": "builtin:gemma-3-270m"})
    assert llama.recipe_problem(gguf) is None
    lora = gguf.model_copy(update={"train": _variant().train})
    assert llama.recipe_problem(lora) == ("eval.serve", "llama_cpp cannot load peft adapters: its variants must use "
                                                        "train.method none")


def test_a_sweep_registers_one_adapter_per_variant_and_asks_for_it_by_name(tmp_path):
    from babelbench.pipeline.keys import VariantPlan

    def plan(variant):
        return VariantPlan(variant, variant.name, tmp_path, None, None, "k-" + variant.name, ())

    (tmp_path / "adapter_config.json").write_text('{"r": 8}')
    lora, base = _variant(), _variant(name="sweep@base", method="none")
    items = [DeferredEval(plan(lora), tmp_path), DeferredEval(plan(base), None)]
    name = adapter_name("sweep@lr=1e-4")
    assert adapters_of(items) == [ServedAdapter(name, str(tmp_path), 8)]   # the file's rank, not 12
    server = get_server("vllm")
    assert [served_name(server, item) for item in items] == [name, "base-7b"]
    assert group_key(lora) == group_key(base)                         # one server for both
    assert group_key(lora) != group_key(_variant(dtype="bfloat16"))  # another dtype: another server
    served = through_server(items[0].plan, "http://127.0.0.1:8000/v1", "sweep-lr-1e-4")
    assert served.variant.eval.backend == "openai" and served.variant.eval.serve is None
    assert (served.variant.eval.openai.base_url, served.variant.eval.openai.model,
            served.variant.eval.openai.concurrency) == ("http://127.0.0.1:8000/v1", "sweep-lr-1e-4", 8)
    assert served.eval_key == items[0].plan.eval_key                  # the key is the recipe's, not the route's
    assert Path(served.variant.recipe_file) == Path("/r/sweep.yaml")


def test_the_python_of_vllm_is_the_setting_then_the_variable_then_the_checkouts_venv(fake_vllm, monkeypatch):
    from babelbench import paths
    from babelbench.evaluate.vllm_probe import vllm_python

    assert vllm_python(_variant(serve={"server": "vllm", "python": "/opt/v/bin/python"})) == "/opt/v/bin/python"
    assert vllm_python(_variant()) == str(fake_vllm)
    monkeypatch.delenv("BABELBENCH_VLLM_PYTHON")
    root = paths.project_root()
    venv = root / ".venv-vllm" / "bin" / "python" if root else None
    import sys
    assert vllm_python(_variant()) == (str(venv) if venv and venv.exists() else sys.executable)


def test_the_served_key_holds_the_servers_vllm_version_not_the_harness_one():
    assert get_server("vllm").version(_variant()) == {"vllm": "0.32.0"}


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"eval": {"tasks": ["t"], "serve": "vllm", "dtype": "float16"}}, "eval.dtype",
     "vLLM 0.32.0 (cpu) cannot serve float16: it serves bfloat16, float32"),
    ({"train": {"method": "lora", "lora": {"r": 64}}}, "train.lora.r",
     "vLLM 0.32.0 (cpu) serves LoRA ranks up to 32, not 64"),
    ({"base_model": "builtin:tiny"}, None, None),
])
def test_what_the_installed_vllm_cannot_serve_is_refused_per_field(change, field, message):
    variant = _variant().model_copy(update={k: type(getattr(_variant(), k)).model_validate(v) if isinstance(v, dict)
                                            else v for k, v in change.items()})
    problem = get_server("vllm").recipe_problem(variant)
    assert problem == ((field, message) if field else None)


def test_a_model_vllm_does_not_know_and_a_context_too_long_are_refused(monkeypatch):
    from types import SimpleNamespace

    import babelbench.models.registry as registry

    config = SimpleNamespace(architectures=["MambaForCausalLM"], max_position_embeddings=2048)
    monkeypatch.setattr(registry, "model_config", lambda *_: config)
    field, message = get_server("vllm").recipe_problem(_variant())
    assert (field, message) == ("base_model", "vLLM 0.32.0 (cpu) cannot serve org/base-7b: architecture "
                                              "MambaForCausalLM is not one it supports")
    config.architectures = ["LlamaForCausalLM"]
    assert get_server("vllm").recipe_problem(_variant()) is None
    long = _variant(vllm={"max_model_len": 4096})
    assert get_server("vllm").recipe_problem(long) == (
        "eval.vllm.max_model_len", "org/base-7b holds 2048 positions: max_model_len 4096 is longer")


def test_no_vllm_is_said_with_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setenv("BABELBENCH_VLLM_PYTHON", str(tmp_path / "missing" / "python"))
    field, message = get_server("vllm").recipe_problem(_variant())
    assert field == "eval.serve" and "make install" in message and "BABELBENCH_VLLM_PYTHON" in message
