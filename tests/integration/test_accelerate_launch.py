"""`train.launcher: accelerate`: the train stage runs under a real `accelerate launch` with two CPU
processes (torch.distributed over gloo); the Trainer reports a world of two, the first process saves an
adapter that peft loads, and the launcher is part of the train key (one process trains a different model)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.conftest import SAMPLES
from tests.integration._adapters import assert_same_adapter
from tests.integration._harness import harness, query


def test_two_cpu_processes_train_a_variant_and_peft_loads_its_adapter(tiny_model, tmp_path):
    recipe = tmp_path / "acc.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        name: acc
        base_model: builtin:tiny
        data: {{sources: [{{path: {SAMPLES}/instructions.en.jsonl, language: en}}], mix: {{en: 1.0}}, size: 8, seed: 21}}
        train: {{method: lora, max_steps: 2, batch_size: 2, max_length: 64, save_steps: 1, lora: {{r: 2, alpha: 4}}}}
        eval: {{tasks: [babel_qa_en], limit: 1, gen_kwargs: {{max_gen_toks: 4}}}}
        variants:
          one: {{}}
          two: {{train.launcher: accelerate, train.num_processes: 2}}
        """), encoding="utf-8")
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    runs = {name: (key, json.loads(info), output) for name, key, info, output in query(store, """
        SELECT v.name, r.key, r.info, r.output FROM stage_runs r JOIN variant_stages s ON s.key = r.key AND s.kind = r.kind
        JOIN variants v ON v.variant_id = s.variant_id WHERE r.kind = 'train' AND r.status = 'done'""")}
    (key_one, one, _), (key_two, two, output) = runs["acc@one"], runs["acc@two"]
    assert (one["processes"], two["processes"]) == (1, 2)            # a world of two processes
    assert two["global_step"] == 2 and two["examples"] == 8
    assert key_one != key_two                                         # a different training, a different key

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    before = {k: v.clone() for k, v in base.state_dict().items()}
    model = PeftModel.from_pretrained(base, str(Path(output) / "adapter"))
    lora = {k: v for k, v in model.state_dict().items() if "lora_B" in k}
    assert lora and any(v.abs().sum() > 0 for v in lora.values())    # trained: B starts at zero
    merged = model.merge_and_unload().state_dict()
    assert any(not torch.equal(merged[k], before[k]) for k in before if "q_proj" in k)


def test_a_killed_accelerate_training_resumes_from_its_checkpoint(tiny_model, tmp_path, babelbench_home, monkeypatch):
    """Two processes killed (with their launcher and the harness) after a checkpoint; the next run resumes and
    trains the adapter an uninterrupted two-process run of the same seed trains, bit for bit: fp32 on CPU, each
    process with the same threads (launch.py shares the CPUs out), gloo's sum of two ranks' gradients exact."""
    import os
    import signal
    import subprocess
    import sys
    import time

    recipe = tmp_path / "acc.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        name: acc-resume
        base_model: builtin:tiny
        data: {{sources: [{{path: {SAMPLES}/instructions.en.jsonl, language: en}}], mix: {{en: 1.0}}, size: 8, seed: 22}}
        train: {{method: lora, max_steps: 40, batch_size: 2, max_length: 64, save_steps: 4, lora: {{r: 2, alpha: 4}},
                launcher: accelerate, num_processes: 2}}
        eval: {{tasks: [babel_qa_en], limit: 1, gen_kwargs: {{max_gen_toks: 4}}}}
        """), encoding="utf-8")
    store = tmp_path / "results.duckdb"
    command = [sys.executable, "-c", "from babelbench.cli.app import main; main()", "run", str(recipe),
               "--store", str(store)]
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    train_root = babelbench_home / "artifacts" / "train"
    deadline = time.monotonic() + 300
    try:
        while not list(train_root.glob("*.partial/checkpoints/checkpoint-*/trainer_state.json")):
            assert proc.poll() is None, "the run ended before a checkpoint was saved"
            assert time.monotonic() < deadline, "no checkpoint within 300 s"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)            # the harness, accelerate's launcher and both trainers
        proc.wait()
    [partial] = [p.parent.parent.parent for p in train_root.glob("*.partial/checkpoints/checkpoint-*/trainer_state.json")
                 ][:1]
    assert query(store, "SELECT status FROM stage_runs WHERE kind = 'train'") == [("running",)]
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    [(status, info)] = query(store, "SELECT status, info FROM stage_runs WHERE kind = 'train' AND status <> 'interrupted'")
    info = json.loads(info)
    assert status == "done" and info["processes"] == 2 and info["global_step"] == 40
    assert info["resumed_from"] is not None and info["resumed_from"].startswith("checkpoint-")
    assert int(info["resumed_from"].split("-")[1]) >= 4
    assert not partial.exists() and (train_root / partial.name.removesuffix(".partial") / "adapter").is_dir()

    # the same recipe, never interrupted, in a home of its own (nothing to adopt): the same adapter (LoRA dropout
    # 0.05 draws from each process's RNG, so a resume that did not restore it trains other weights)
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home-uninterrupted"))
    reference = tmp_path / "uninterrupted.duckdb"
    code, out = harness("run", recipe, "--store", reference)
    assert code == 0, out
    [(ref_out, ref_info)] = query(reference, "SELECT output, info FROM stage_runs WHERE kind = 'train'")
    assert json.loads(ref_info)["resumed_from"] is None and json.loads(ref_info)["processes"] == 2
    assert_same_adapter(train_root / partial.name.removesuffix(".partial") / "adapter", Path(ref_out) / "adapter")
