"""(a) `harness run --only eval` against plain `lm_eval` on the same model, adapter, task, limit.

Both run as fresh processes, alternating, on a LoRA adapter the harness trained. The
harness side includes everything it adds: recipe loading, keys, store writes of every
metric and sample. Goal: ratio of medians <= 1.05.

    python -m benchmarks.bench_eval_overhead [--model builtin:gemma-3-270m] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks._common import BIN, ROOT, median, save, timed, write_bench_recipe


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="builtin:gemma-3-270m")
    parser.add_argument("--task", default="babel_qa_en")
    parser.add_argument("--limit", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-eval-"))
    recipe = write_bench_recipe(
        work, "bench-eval", args.model, 8,
        "{method: lora, lora: {r: 8, alpha: 16}, max_steps: 2, batch_size: 4, max_length: 128}",
        f"{{tasks: [{args.task}], limit: {args.limit}, batch_size: 1, gen_kwargs: {{max_gen_toks: 32}}}}")
    # Train once (not timed), then find the adapter and the base checkpoint.
    timed([str(BIN / "harness"), "run", str(recipe), "--store", str(work / "setup.duckdb")])
    import duckdb

    con = duckdb.connect(str(work / "setup.duckdb"), read_only=True)
    adapter = Path(con.execute("SELECT output FROM stage_runs WHERE kind = 'train'").fetchone()[0]) / "adapter"
    con.close()
    base = json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"]

    plain_cmd = [str(BIN / "lm_eval"), "--model", "hf", "--model_args", f"pretrained={base},peft={adapter},dtype=float32",
                 "--device", "cpu", "--include_path", str(ROOT / "tasks"), "--tasks", args.task, "--limit", str(args.limit),
                 "--batch_size", "1", "--apply_chat_template", "--gen_kwargs", "max_gen_toks=32", "--log_samples",
                 "--output_path", str(work / "plain")]
    harness_times, plain_times = [], []
    for i in range(args.runs):
        plain_times.append(timed(plain_cmd))
        harness_times.append(timed([str(BIN / "harness"), "run", str(recipe), "--only", "eval",
                                    "--store", str(work / f"run{i}.duckdb")]))
    save("eval_overhead", {
        "command_harness": f"harness run <recipe> --only eval  ({args.model}, {args.task}, limit {args.limit})",
        "command_baseline": " ".join(plain_cmd[:1] + ["…same model, adapter, task, limit, gen kwargs"]),
        "harness_s": harness_times, "lm_eval_s": plain_times,
        "median_harness_s": median(harness_times), "median_lm_eval_s": median(plain_times),
        "ratio": median(harness_times) / median(plain_times), "goal": "<= 1.05",
    })


if __name__ == "__main__":
    main()
