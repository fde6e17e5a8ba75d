# babelbench: the two commands a new user types are `make demo` and `make test`.
# Each creates .venv when missing and installs the project into it.
#
# TORCH_SPEC is the one place the torch build is chosen. The default is the CPU wheel
# this project is developed with; a GPU user overrides it, e.g.
#   make test TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128"
PYTHON     ?= python3
VENV       ?= .venv
TORCH_SPEC ?= torch==2.13.0
EXTRAS     ?= all,dev
STORE      ?= results.duckdb

BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

.PHONY: install demo test test-fast smoke bench clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_SPEC)
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(OFFLINE) $(BIN)/harness run recipes/demo.yaml --store $(STORE)
	$(BIN)/harness report --store $(STORE)

smoke: $(STAMP)
	$(OFFLINE) $(BIN)/harness run recipes/smoke.yaml --store $(STORE)
	$(BIN)/harness report --store $(STORE)

test: $(STAMP)
	$(OFFLINE) $(BIN)/python -m pytest -q

# Everything but the embedded-Gemma tests (about a minute).
test-fast: $(STAMP)
	$(OFFLINE) $(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	$(OFFLINE) $(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info
