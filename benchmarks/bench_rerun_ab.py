"""(b), against an older commit: unchanged re-runs of one recipe under two or more source trees, interleaved
(the machine's drift hits each tree alike), each tree run from its own checkout's root with ``PYTHONPATH``.

    git worktree add --detach /tmp/base <commit>
    python -m benchmarks.bench_rerun_ab --runs 10 /tmp/base/src src

Every tree shares this venv, ``BABELBENCH_HOME`` and one store; the recipe runs once under each tree first, so
the re-runs find every stage done (keys that differ between trees are built once, then skipped).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import OFFLINE, median, save

_MAIN = "import sys; sys.argv = ['harness', *sys.argv[1:]]; from babelbench.cli.app import main; main()"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trees", nargs="+", help="source folders (each a checkout's src/)")
    parser.add_argument("--recipe", default="recipes/smoke.yaml")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    trees = [Path(t).resolve() for t in args.trees]
    store = Path(tempfile.mkdtemp(prefix="bench-ab-")) / "results.duckdb"
    env = {**os.environ, **OFFLINE}
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # as a user's shell: bytecode cached after the first run

    def rerun(tree: Path) -> float:
        command = [sys.executable, "-c", _MAIN, "run", args.recipe, "--store", str(store)]
        started = time.perf_counter()
        done = subprocess.run(command, env={**env, "PYTHONPATH": str(tree)}, cwd=tree.parent, capture_output=True,
                              text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{tree}: {done.stderr[-3000:]}")
        return seconds

    for tree in trees:
        rerun(tree)
    times: dict[Path, list[float]] = {tree: [] for tree in trees}
    for _ in range(args.runs):
        for tree in trees:
            times[tree].append(rerun(tree))
    save(f"rerun_ab_{Path(args.recipe).stem}", {
        "command": f"harness run {args.recipe} (unchanged re-run), trees interleaved",
        **{str(tree): {"rerun_s": times[tree], "median_rerun_s": median(times[tree])} for tree in trees},
    })


if __name__ == "__main__":
    main()
