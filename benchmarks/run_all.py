"""Run every benchmark in sequence (about 15 minutes on 2 cores with the embedded model)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
for script, args in (("bench_rerun.py", ["--recipe", "recipes/smoke.yaml"]),
                     ("bench_rerun.py", ["--recipe", "recipes/demo.yaml", "--first-runs", "1", "--reruns", "5"]),
                     ("bench_eval_overhead.py", []), ("bench_train_step.py", []),
                     ("bench_judge_throughput.py", []), ("bench_board.py", [])):
    subprocess.run([sys.executable, str(HERE / script), *args], check=True)
