"""Judge throughput against a loopback endpoint with a fixed 200 ms latency.

The endpoint runs in its own process (as a real server would), so it does not share the
harness's interpreter lock.

For each concurrency C the harness judges N stored answers (rubric-6facet, openai backend)
in a fresh store; the ideal time is N x latency / C, and the ratio ideal / measured is the
share of the endpoint's capacity the harness uses (goal >= 0.8 at C = 32). Then the same
judgments are run a second time on the filled store: goal 0 requests.

    python -m benchmarks.bench_judge_throughput [--latency 0.2] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from rich.console import Console

from babelbench.core.records import EvalRows, SampleRecord
from babelbench.judge import grading as judging
from babelbench.judge.loader import load_judge
from babelbench.judge.schema import BackendOverride
from babelbench.pipeline.judge_stage import judge_target
from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
from babelbench.store import Store, writes
from benchmarks._common import ROOT, median, save

SIZES = {1: 40, 8: 240, 32: 960}


def _store(path: Path, n: int) -> judging.Target:
    store = Store(path)
    samples = [SampleRecord(task="xalpaca_en", doc_id=i, language="en", prompt=f"p{i}",
                            raw_response=f"Answer number {i}.", kept_response=f"Answer number {i}.",
                            kept_filter="none", pivot_status=None, target="",
                            doc={"instruction": f"Instruction number {i}."}) for i in range(n)]
    with store.write() as con:
        writes.write_eval(con, "bench-eval", EvalRows([], samples))
    return judging.Target("bench-variant", "bench", "bench-eval", False)


def _judge_all(store: Store, judge, target) -> tuple[float, judging.Outcome]:
    """The judge pass as `harness run` does it: read inputs, plan, send what is missing, store as it arrives."""
    started = time.perf_counter()
    outcome = judge_target(store, judge, target, ["*"], Lifecycle(store, RunSummary(), Console(quiet=True)))
    return time.perf_counter() - started, outcome


class _Endpoint:
    """``python -m tests.support.openai_loopback`` in a subprocess (run from the repository root)."""

    def __init__(self, latency: float):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.support.openai_loopback", "--latency", str(latency),
                                      "--port", str(self.port)], stdout=subprocess.PIPE, cwd=ROOT)
        self.proc.stdout.readline()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> int:
        return json.loads(urllib.request.urlopen(self.base_url + "/stats").read())["requests"]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    base = load_judge(ROOT / "judges" / "rubric-6facet")
    results: dict = {"latency_s": args.latency, "judge": "rubric-6facet", "concurrency": {}}
    with _Endpoint(args.latency) as server, tempfile.TemporaryDirectory() as tmp:
        for c, n in SIZES.items():
            judge = base.with_backend(BackendOverride(base_url=server.base_url, model="loopback", concurrency=c))
            ideal = n * args.latency / c
            times = []
            for run in range(args.runs):
                store = Store(Path(tmp) / f"c{c}-r{run}.duckdb")
                target = _store(store.path, n)
                before = server.requests
                seconds, outcome = _judge_all(store, judge, target)
                assert outcome.sent == n and server.requests - before == n, (outcome, server.requests - before)
                times.append(seconds)
            # the same judgments again, on the filled store
            before = server.requests
            again_s, again = _judge_all(store, judge, target)
            results["concurrency"][c] = {
                "judgments": n, "runs_s": [round(t, 3) for t in times], "median_s": round(median(times), 3),
                "ideal_s": round(ideal, 3), "ratio_to_ideal": round(ideal / median(times), 3),
                "second_run_requests": server.requests - before, "second_run_s": round(again_s, 3),
                "second_run_cached": again.cached,
            }
            print(c, results["concurrency"][c], flush=True)
    save("judge_throughput", results)


if __name__ == "__main__":
    main()
