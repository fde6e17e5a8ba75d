"""Training under ``accelerate launch`` (``train.launcher: accelerate``): the same training, in
``train.num_processes`` processes. Checkpoints and resuming work as in one process (the same output folder).
Each process gets an equal share of this machine's CPU threads: two processes that each use every core ran
a LoRA step about 8x slower than one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ..recipe.schema import Variant
from .trainer import TrainResult


def launch_training(variant: Variant, base_path: str, data_dir: Path, out_dir: Path) -> TrainResult:
    import torch

    cfg = variant.train
    spec = out_dir / "variant.json"
    spec.write_text(variant.model_dump_json(), encoding="utf-8")
    command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(cfg.num_processes),
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
    if cfg.accelerate_config:
        command += ["--config_file", str(Path(variant.recipe_file).resolve().parent / cfg.accelerate_config)]
    if cfg.num_processes > 1:
        # accelerate's torchrun path; without a GPU the Trainer's processes (use_cpu) join with gloo
        command += ["--multi_gpu"]
    elif not torch.cuda.is_available():
        command += ["--cpu"]
    command += ["-m", "babelbench.train.worker", "--variant", str(spec), "--base", base_path,
                "--data", str(data_dir), "--out", str(out_dir)]
    # this machine's CPUs, or those an executor gave the stage (a Ray task sets BABELBENCH_CPUS)
    cpus = int(os.environ.get("BABELBENCH_CPUS") or os.cpu_count() or 1)
    threads = max(1, cpus // cfg.num_processes)
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    done = subprocess.run(command, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"accelerate launch exited with {done.returncode} (the run's log has its output)")
    return TrainResult(**json.loads((out_dir / "train_result.json").read_text(encoding="utf-8")))
