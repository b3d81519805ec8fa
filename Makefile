# One entry point for people and CI: `make test` works on a fresh machine (Python 3.10+, Rust toolchain).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Every recipe finds the tools this Makefile installed (uv in .tools, maturin/ruff/mypy in .venv) before
# anything on the caller's PATH: `maturin develop --uv` looks uv up on PATH.
export PATH := $(abspath $(VENV))/bin:$(abspath $(TOOLS))/bin:$(PATH)
unexport VIRTUAL_ENV CONDA_PREFIX
# uv trusts the system's certificate store (as pip and cargo do), so a TLS-inspecting proxy's CA works.
export UV_SYSTEM_CERTS ?= 1

.PHONY: help env build test test-rust test-python lint run bench wheel clean

help:
	@echo "make run    - run the main job on its embedded default"
	@echo "make test   - set up everything and run all checks (cargo test, pytest, stubtest, lints)"
	@echo "make bench  - run the benchmarks (pytest-benchmark, side by side with peer libraries)"
	@echo "make wheel  - build the release abi3 wheel into target/wheels"

$(UV): requirements/uv.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10+ is needed: make PYTHON=python3.X")'
	$(PYTHON) -m venv --clear $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/uv.txt
	touch $(UV)

# The environment follows uv.lock exactly; the project itself is built by maturin (dev profile).
env: $(UV)
	$(UV) sync --frozen --inexact --all-extras --group dev --python $(PYTHON)

build: env
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --uv --quiet

test-rust:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo test --workspace --locked

lint: env
	$(VENV)/bin/ruff check python tests benches
	$(VENV)/bin/ruff format --check python tests benches

# Everything is installed here, so only a missing CUDA device may skip a test (tests/conftest.py).
test-python: build
	GONKA_TEST_STRICT_SKIPS=1 $(VENV)/bin/python -m pytest

test: test-rust lint test-python

run: build
	$(VENV)/bin/gonka poc simulate

bench: build
	$(VENV)/bin/python -m pytest benches --benchmark-enable --benchmark-columns=min,mean,ops -p no:randomly

wheel: env
	$(VENV)/bin/maturin build --release --out target/wheels

clean:
	rm -rf $(VENV) $(TOOLS) target python/gonka/_native*.so
