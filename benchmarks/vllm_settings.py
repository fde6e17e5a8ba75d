"""What vLLM's CPU build gets of this machine, per setting: a fresh server for each (dtype, thread binding,
executor), its start-up time, then one wave of 16 chat requests in flight (greedy, ``ignore_eos``, 32 tokens
each) through one LoRA adapter and through the base model; tokens/s over the wave's wall time.

    BABELBENCH_HOME=... python -m benchmarks.vllm_settings ADAPTER_DIR    (under flock /tmp/heavy.lock)
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks._common import OFFLINE, ROOT

XALPACA = ROOT / "tasks" / "xalpaca" / "data" / "xalpaca.en.jsonl"
SETTINGS = [   # label, environment, extra arguments
    ("bf16_auto", {}, ["--dtype", "bfloat16"]),
    ("bf16_bind01", {"VLLM_CPU_OMP_THREADS_BIND": "0-1"}, ["--dtype", "bfloat16"]),
    ("fp32_bind01", {"VLLM_CPU_OMP_THREADS_BIND": "0-1"}, ["--dtype", "float32"]),
    ("fp32_uni", {"VLLM_ENABLE_V1_MULTIPROCESSING": "0"}, ["--dtype", "float32", "--distributed-executor-backend", "uni"]),
]


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url + "/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())


def _wave(url: str, model: str, prompts: list[str], tokens: int) -> float:
    bodies = [{"model": model, "messages": [{"role": "user", "content": p}], "max_tokens": tokens,
               "temperature": 0.0, "ignore_eos": True} for p in prompts]
    started = time.perf_counter()
    with ThreadPoolExecutor(len(bodies)) as pool:
        answers = list(pool.map(lambda b: _post(url, b), bodies))
    return round(sum(a["usage"]["completion_tokens"] for a in answers) / (time.perf_counter() - started), 2)


def main() -> None:
    from babelbench.evaluate.vllm_probe import vllm_python
    from babelbench.models.gemma import ensure_gemma_checkpoint
    from babelbench.pipeline.serving import free_port, running_server

    adapter = sys.argv[1]
    prompts = [json.loads(line)["instruction"] for line in XALPACA.read_text(encoding="utf-8").splitlines() if line][:16]
    for label, env, extra in SETTINGS:
        port = free_port()
        command = [vllm_python(), "-m", "vllm.entrypoints.openai.api_server", "--model", str(ensure_gemma_checkpoint()),
                   "--served-model-name", "gemma", "--host", "127.0.0.1", "--port", str(port), "--max-model-len", "512",
                   "--enable-lora", "--max-lora-rank", "8", "--max-loras", "1", "--lora-modules", f"a={adapter}", *extra]
        started = time.perf_counter()
        with running_server(command, port, 600, Path(f"/tmp/vllm-settings-{label}.log"),
                            env={**OFFLINE, "VLLM_CPU_KVCACHE_SPACE": "1", **env}) as server:
            up = time.perf_counter() - started
            _wave(server.url, "a", prompts[:2], 4)                              # warm-up: the adapter loaded
            print(json.dumps({"label": label, "startup_s": round(up, 1), "adapter_tokens_per_s":
                              _wave(server.url, "a", prompts, 32), "base_tokens_per_s":
                              _wave(server.url, "gemma", prompts, 32)}), flush=True)


if __name__ == "__main__":
    main()
