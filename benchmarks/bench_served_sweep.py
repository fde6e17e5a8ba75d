"""(h) A served sweep against one evaluation per variant: four `method: none` variants of the embedded
Gemma 3 270M, evaluated by lm-eval's `hf` model one after another (each loads the weights), against
`eval.serve: llama_cpp` (the harness starts one llama.cpp server on the GGUF for all four, evaluates them
through lm-eval's chat-completions model, stops it). The ratio is what one server per sweep saves here;
with vLLM on a GPU the server also batches requests across a variant's documents.

Each run writes a new store (nothing is skipped); the converted checkpoint and the GGUF are built
beforehand (a one-time cost, not counted). Runs alternate hf / served.

    python -m benchmarks.bench_served_sweep [--runs 3] [--limit 5] [--tokens 32]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks._common import BIN, median, save, timed

RECIPE = """\
name: bench-served
base_model: builtin:gemma-3-270m
train: {{method: none}}
eval:
  tasks: [xalpaca_zh]
  limit: {limit}
  gen_kwargs: {{max_gen_toks: {tokens}}}
{serve}sweep:
  eval.gen_kwargs.repetition_penalty: [1.0, 1.05, 1.1, 1.15]
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=32)
    args = parser.parse_args()
    from babelbench.models.gemma import ensure_gemma_checkpoint, ensure_gemma_gguf

    ensure_gemma_checkpoint()
    ensure_gemma_gguf()
    work = Path(tempfile.mkdtemp(prefix="bench-served-"))
    recipes = {}
    for name, serve in (("hf", ""), ("served", "  serve: {server: llama_cpp, concurrency: 2}\n")):
        recipes[name] = work / f"{name}.yaml"
        recipes[name].write_text(RECIPE.format(limit=args.limit, tokens=args.tokens, serve=serve), encoding="utf-8")
    times: dict[str, list[float]] = {"hf": [], "served": []}
    for i in range(args.runs):
        for name, recipe in recipes.items():
            times[name].append(timed([str(BIN / "harness"), "run", str(recipe), "--store",
                                      str(work / f"{name}{i}.duckdb")]))
            print(f"{name} run {i}: {times[name][-1]:.1f}s", flush=True)
    save("served_sweep", {
        "command": f"harness run <4 method:none variants of builtin:gemma-3-270m, xalpaca_zh limit {args.limit}, "
                   f"{args.tokens} new tokens> (hf backend, one evaluation per variant) vs eval.serve: llama_cpp",
        "hf_s": times["hf"], "served_s": times["served"], "median_hf_s": median(times["hf"]),
        "median_served_s": median(times["served"]), "ratio": median(times["hf"]) / median(times["served"]),
    })


if __name__ == "__main__":
    main()
