"""Shared helpers: machine description, timing subprocesses, medians, result files."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
BIN = Path(sys.executable).parent
OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def machine() -> str:
    try:
        import torch

        torch_v = torch.__version__
        threads = torch.get_num_threads()
    except ImportError:
        torch_v, threads = "absent", 0
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, torch {torch_v} ({threads} threads)"


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env={**os.environ, **OFFLINE, **(env or {})}, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return seconds


def median(values: list[float]) -> float:
    return statistics.median(values)


def save(name: str, result: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    result = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), **result}
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


def write_bench_recipe(work: Path, name: str, model: str, size: int, train: str, eval_: str) -> Path:
    """A one-variant recipe over the shipped English samples; ``train``/``eval_`` are YAML flow maps."""
    recipe = work / f"{name}.yaml"
    recipe.write_text(
        f"name: {name}\nbase_model: {model}\n"
        f"data:\n  sources: [{{path: {ROOT}/data/samples/instructions.en.jsonl, language: en}}]\n"
        f"  mix: {{en: 1.0}}\n  size: {size}\n"
        f"train: {train}\neval: {eval_}\n")
    return recipe
