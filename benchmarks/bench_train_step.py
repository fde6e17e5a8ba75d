"""(c) LoRA training step time: the harness's train stage against a plain peft + transformers loop.

Same model, LoRA shape, batches (the harness's own built training set, in the same
order), learning rate, dtype, threads. Each side runs in its own process; per-step wall
time is measured around the optimizer step, first step (warm-up) excluded. Goal: <= 1.05.

    python -m benchmarks.bench_train_step [--model builtin:gemma-3-270m] [--steps 8] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._common import BIN, OFFLINE, ROOT, median, save, write_bench_recipe

HARNESS_SIDE = """
import json, sys, time
from transformers import TrainerCallback
from babelbench.train import trainer
times = []
class StepTimer(TrainerCallback):
    def on_step_begin(self, args, state, control, **kw): self.t = time.perf_counter()
    def on_step_end(self, args, state, control, **kw): times.append(time.perf_counter() - self.t)
trainer.EXTRA_CALLBACKS.append(StepTimer())
from babelbench.cli.app import app
try:
    app(["run", sys.argv[1], "--store", sys.argv[2], "--only", "train", "--force"])
except SystemExit as exc:
    if exc.code: raise
print("STEP_TIMES", json.dumps(times))
"""

PLAIN_SIDE = """
import json, sys, time, torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForSeq2Seq
base, data, steps, batch, lr = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
tok = AutoTokenizer.from_pretrained(base)
model = get_peft_model(AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32),
                       LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
rows = [json.loads(l) for l in open(data)]
feats = []
for r in rows:
    p = tok(r["prompt"], add_special_tokens=False)["input_ids"]; a = tok(r["response"], add_special_tokens=False)["input_ids"]
    ids = (p + a)[:128]; feats.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": ([-100] * len(p) + a)[:128]})
collate = DataCollatorForSeq2Seq(tok, label_pad_token_id=-100, padding=True)
opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
model.train(); times = []
for step in range(steps):
    batch_rows = [feats[(step * batch + i) % len(feats)] for i in range(batch)]
    t = time.perf_counter()
    out = model(**collate(batch_rows)); out.loss.backward(); opt.step(); opt.zero_grad()
    times.append(time.perf_counter() - t)
print("STEP_TIMES", json.dumps(times))
"""


def _step_times(cmd: list[str]) -> list[float]:
    import os

    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **OFFLINE}, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    line = next(l for l in done.stdout.splitlines() if l.startswith("STEP_TIMES"))
    return json.loads(line.split(" ", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="builtin:gemma-3-270m")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-train-"))
    recipe = write_bench_recipe(
        work, "bench-train", args.model, args.steps * args.batch,
        f"{{method: lora, lora: {{r: 8, alpha: 16, dropout: 0.0}}, lr: 1.0e-4, max_steps: {args.steps}, "
        f"batch_size: {args.batch}, max_length: 128, warmup_ratio: 0.0, scheduler: constant, save_steps: 1000}}",
        "{tasks: [babel_qa_en], limit: 1}")
    subprocess.run([str(BIN / "harness"), "run", str(recipe), "--only", "data", "--store", str(work / "s.duckdb")],
                   check=True, env={**__import__("os").environ, **OFFLINE}, capture_output=True)
    import duckdb

    con = duckdb.connect(str(work / "s.duckdb"), read_only=True)
    data = Path(con.execute("SELECT output FROM stage_runs WHERE kind = 'data'").fetchone()[0]) / "train.jsonl"
    con.close()
    from babelbench.models.registry import resolve_base_model

    base = resolve_base_model(args.model)
    harness_steps, plain_steps = [], []
    for i in range(args.runs):
        plain_steps += _step_times([sys.executable, "-c", PLAIN_SIDE, base, str(data), str(args.steps),
                                    str(args.batch), "1e-4"])[1:]
        harness_steps += _step_times([sys.executable, "-c", HARNESS_SIDE, str(recipe), str(work / f"h{i}.duckdb")])[1:]
    save("train_step", {
        "command_harness": f"harness run --only train (LoRA r=8 q/v, {args.model}, batch {args.batch}, max_length 128)",
        "command_baseline": "plain peft.get_peft_model + torch AdamW loop over the same tokenized batches",
        "harness_step_s": harness_steps, "plain_step_s": plain_steps,
        "median_harness_step_s": median(harness_steps), "median_plain_step_s": median(plain_steps),
        "ratio": median(harness_steps) / median(plain_steps), "goal": "<= 1.05",
    })


if __name__ == "__main__":
    main()
