"""Run every benchmark in sequence (about 15 minutes on 2 cores with the embedded model).

    python -m benchmarks.run_all   (from the repository root; each benchmark runs as a module)
"""

import subprocess
import sys

from benchmarks._common import ROOT

for module, args in (("bench_rerun", ["--recipe", "recipes/smoke.yaml"]),
                     ("bench_rerun", ["--recipe", "recipes/demo.yaml", "--first-runs", "1", "--reruns", "5"]),
                     ("bench_eval_overhead", []), ("bench_train_step", []),
                     ("bench_judge_throughput", []), ("bench_board", [])):
    subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *args], check=True, cwd=ROOT)
