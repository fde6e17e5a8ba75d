"""Training paths on builtin:tiny beyond LoRA with max_steps: full fine-tuning (a `model/` folder,
saved, changed and evaluated), `train.dtype: bfloat16` on a CPU, and `train.epochs` without
`max_steps` (the step count follows from the data size and the batch size)."""

from __future__ import annotations

import json
import math
import textwrap
import uuid
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from babelbench.evaluate import backends as eval_backends
from tests.conftest import SAMPLES
from tests.integration._harness import harness, query

RECIPE = """
    name: tp
    base_model: builtin:tiny
    data: {sources: [{path: %(source)s, language: en}], mix: {en: 1.0}, size: 6, seed: 5, allow_upsampling: true}
    train: {method: full, lr: 1.0e-2, max_steps: 2, batch_size: 3, max_length: 64, warmup_ratio: 0.0, seed: 5}
    eval: {tasks: [babel_qa_en], limit: 1, gen_kwargs: {max_gen_toks: 4}}
    variants:
      full: {}
      full16: {train.dtype: bfloat16}
      lora16: {train.method: lora, train.dtype: bfloat16, train.lora.r: 2, train.lora.alpha: 4}
      ep2: {train.method: lora, train.max_steps: null, train.epochs: 2, data.size: 10, train.batch_size: 4}
      ep3: {train.method: lora, train.max_steps: null, train.epochs: 3, data.size: 7, train.batch_size: 2}
"""


@pytest.fixture(scope="module")
def run(tiny_model, tmp_path_factory):
    """One run of every variant; the eval backend's model arguments are recorded per call."""
    folder = tmp_path_factory.mktemp("trainpaths")
    # a source of this module's own (a fresh row): its data and train keys are built here, never adopted
    rows = (SAMPLES / "instructions.en.jsonl").read_text(encoding="utf-8").splitlines()[:8]
    rows.append(json.dumps({"id": "fresh", "instruction": f"Repeat {uuid.uuid4().hex}.", "output": "Repeated."}))
    (folder / "source.en.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    recipe = folder / "recipe.yaml"
    recipe.write_text(textwrap.dedent(RECIPE % {"source": folder / "source.en.jsonl"}).lstrip(), encoding="utf-8")
    store = folder / "r.duckdb"
    calls: list[dict] = []
    original = eval_backends.HFBackend.model_args

    def recording(self, base_path, adapter_path, variant=None):
        args = original(self, base_path, adapter_path, variant)
        calls.append(dict(args))
        return args

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(eval_backends.HFBackend, "model_args", recording)
        code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    return store, calls


def _train(store, variant: str) -> tuple[str, Path, dict]:
    [(status, output, info)] = query(store, """SELECT r.status, r.output, r.info FROM stage_runs r
        JOIN variants v USING (variant_id) WHERE v.name = ? AND r.kind = 'train'""", [f"tp@{variant}"])
    return status, Path(output), json.loads(info)


def test_full_fine_tuning_saves_a_changed_model_and_evaluates_it(run, tiny_model):
    store, calls = run
    status, output, info = _train(store, "full")
    assert status == "done" and info["kind"] == "model" and info["global_step"] == 2
    model = output / "model"
    assert (model / "model.safetensors").is_file() and (model / "config.json").is_file()
    assert not (output / "adapter").exists()
    trained, base = load_file(model / "model.safetensors"), load_file(Path(tiny_model) / "model.safetensors")
    assert set(trained) == set(base)
    assert all(trained[k].shape == base[k].shape for k in base)
    changed = [k for k in base if not torch.equal(trained[k], base[k])]
    assert changed == list(base), f"unchanged: {sorted(set(base) - set(changed))}"   # at lr 1e-2 every tensor moves
    # the eval stage loaded that folder as the model, with no adapter on top
    [loaded] = [c for c in calls if c["pretrained"] == str(model)]
    assert loaded["dtype"] == "float32" and "peft" not in loaded
    assert query(store, """SELECT count(*) FROM samples s JOIN variant_stages vs ON vs.key = s.eval_key
        AND vs.kind = 'eval' JOIN variants v USING (variant_id) WHERE v.name = 'tp@full'""")[0][0] == 1


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU behaviour (on CUDA, bf16 mixed precision applies)")
def test_bfloat16_on_cpu_trains_in_bfloat16_and_is_evaluated_in_float32(run):
    store, calls = run
    # full fine-tuning: no CUDA, so no mixed precision: the weights themselves are bfloat16 and saved so
    status, output, info = _train(store, "full16")
    assert status == "done" and info["global_step"] == 2 and math.isfinite(info["train_loss"])
    weights = load_file(output / "model" / "model.safetensors")
    assert {t.dtype for t in weights.values()} == {torch.bfloat16}
    assert json.loads((output / "model" / "config.json").read_text())["dtype"] == "bfloat16"
    # a different train key from the float32 variant: a model of its own, with a different loss
    _, f32_output, f32_info = _train(store, "full")
    assert f32_output != output and f32_info["train_loss"] != info["train_loss"]
    assert {t.dtype for t in load_file(f32_output / "model" / "model.safetensors").values()} == {torch.float32}
    # LoRA on a bfloat16 base: peft keeps the adapter's own weights in float32
    status, output, info = _train(store, "lora16")
    assert status == "done" and info["kind"] == "adapter"
    assert {t.dtype for t in load_file(output / "adapter" / "adapter_model.safetensors").values()} == {torch.float32}
    # evaluation loads every model in float32, whatever it was trained in
    assert [c["dtype"] for c in calls if c["pretrained"] == str(_train(store, "full16")[1] / "model")] == ["float32"]
    assert {c["dtype"] for c in calls} == {"float32"}


@pytest.mark.parametrize(("variant", "size", "batch_size", "epochs"), [("ep2", 10, 4, 2), ("ep3", 7, 2, 3)])
def test_epochs_without_max_steps_make_ceil_size_over_batch_steps_per_epoch(run, variant, size, batch_size, epochs):
    store, _ = run
    status, output, info = _train(store, variant)
    assert status == "done"
    assert info["examples"] == size
    assert info["global_step"] == math.ceil(size / batch_size) * epochs      # 6 and 12
    logged = json.loads((output / "log_history.json").read_text())
    assert logged[-1]["epoch"] == pytest.approx(epochs)
