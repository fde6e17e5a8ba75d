"""(g) Four builtin:tiny variants: the Ray executor (a Ray instance on this machine, 2 single-CPU workers)
against the local executor (one process, one variant after another, torch on every core). Goal: >= 1.7x.

Each run starts from an empty artifact cache (a fresh BABELBENCH_HOME: the tiny model is built in well under a
second), and the Ray runs include starting Ray and its workers. Runs alternate local / ray.

    python -m benchmarks.bench_ray [--runs 3] [--steps 2000] [--one-thread-local]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks._common import BIN, ROOT, median, save, timed

RECIPE = """\
name: bench-ray
base_model: builtin:tiny
data:
  sources:
    - {{path: {root}/data/samples/instructions.en.jsonl, language: en}}
    - {{path: {root}/data/samples/instructions.zh.jsonl, language: zh}}
  mix: {{en: 0.5, zh: 0.5}}
  size: 32
  seed: 3
train:
  method: lora
  lora: {{r: 4, alpha: 8, dropout: 0.0}}
  max_steps: {steps}
  batch_size: 4
  max_length: 128
  save_steps: {steps}
eval:
  tasks: [xalpaca_zh, babel_qa_en]
  limit: 4
  gen_kwargs: {{max_gen_toks: 16}}
resources:
  train: {{cpus: 1}}
  eval: {{cpus: 1}}
sweep:
  train.lr: [1.0e-3, 2.0e-3, 3.0e-3, 4.0e-3]
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--one-thread-local", action="store_true",
                        help="Also time the local executor with torch on one thread (OMP_NUM_THREADS=1).")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    recipe = work / "recipe.yaml"
    recipe.write_text(RECIPE.format(root=ROOT, steps=args.steps), encoding="utf-8")
    local, ray, local1 = [], [], []
    series = [("local", [], {}, local), ("ray", ["--executor", "ray"], {}, ray)]
    if args.one_thread_local:
        series = [("local1", [], {"OMP_NUM_THREADS": "1"}, local1)]
    for i in range(args.runs):
        for name, extra, env, times in series:
            home = work / f"{name}{i}"
            times.append(timed([str(BIN / "harness"), "run", str(recipe), "--store", str(work / f"{name}{i}.duckdb"),
                                *extra], env={"BABELBENCH_HOME": str(home), **env}))
            print(f"{name} run {i}: {times[-1]:.1f}s", flush=True)
    if args.one_thread_local:
        save("ray_executor_local_one_thread", {
            "command": f"OMP_NUM_THREADS=1 harness run <4 builtin:tiny variants, {args.steps} LoRA steps each>",
            "local_one_thread_s": local1, "median_local_one_thread_s": median(local1)})
        return
    save("ray_executor", {
        "command": f"harness run <4 builtin:tiny variants, {args.steps} LoRA steps each> [--executor ray]",
        "local_s": local, "ray_s": ray, "median_local_s": median(local), "median_ray_s": median(ray),
        "speedup": median(local) / median(ray), "goal": ">= 1.7",
    })


if __name__ == "__main__":
    main()
