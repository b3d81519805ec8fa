# One entry point for people and CI: `make test` works on a fresh machine (Python 3.10+, Rust toolchain).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Every recipe finds the tools this Makefile installed (uv in .tools, maturin/ruff/mypy in .venv) before
# anything on the caller's PATH: `maturin develop --uv` looks uv up on PATH.
export PATH := $(abspath $(VENV))/bin:$(abspath $(TOOLS))/bin:$(PATH)
unexport VIRTUAL_ENV CONDA_PREFIX

.PHONY: help env build test test-rust test-python lint check-kernels run bench wheel clean

help:
	@echo "make run    - run the main job on its embedded default"
	@echo "make test   - set up everything and run all checks (cargo test, pytest, stubtest, lints, kernels)"
	@echo "make check-kernels [TRITON=3.6] - compile the Triton kernels for sm_80/sm_89/sm_90 without a GPU"
	@echo "make bench  - run the benchmarks (pytest-benchmark, side by side with peer libraries)"
	@echo "make wheel  - build the release abi3 wheel into target/wheels"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

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

test-python: build
	$(VENV)/bin/python -m pytest

# Ahead-of-time compile check of the Triton kernels for sm_80, sm_89 and sm_90, on the CPU (gonka.kernels.aot).
# TRITON=3.6 runs it under that Triton release instead of the lock's, in its own environment installed from
# the hash-pinned requirements/triton-3.6.txt. The report goes to KERNELS_REPORT.
TRITON ?=
KERNELS_REPORT ?= target/kernels-aot
ifeq ($(TRITON),)
KERNELS_PY := $(PY)
KERNELS_ENV := build
else
KERNELS_VENV := .venv-triton-$(TRITON)
KERNELS_PY := $(KERNELS_VENV)/bin/python
KERNELS_ENV := $(KERNELS_VENV)/.installed
endif

check-kernels: $(KERNELS_ENV)
	$(KERNELS_PY) -m gonka.kernels.aot --report $(KERNELS_REPORT)

# Triton alone in its own environment; everything else (torch, gonka) from the project's, found after it.
.venv-triton-%/.installed: requirements/triton-%.txt | build
	rm -rf .venv-triton-$*
	$(UV) venv --quiet --python $(PY) .venv-triton-$*
	$(UV) pip install --quiet --python .venv-triton-$*/bin/python --require-hashes --no-deps -r $<
	project=$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	own=$$(.venv-triton-$*/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	echo "import site; site.addsitedir('$$project')" > "$$own/gonka_project_environment.pth"
	touch $@

test: test-rust lint test-python check-kernels

run: build
	$(VENV)/bin/gonka poc simulate

bench: build
	$(VENV)/bin/python -m pytest benches --benchmark-enable --benchmark-columns=min,mean,ops -p no:randomly

wheel: env
	$(VENV)/bin/maturin build --release --out target/wheels

clean:
	rm -rf $(VENV) $(TOOLS) .venv-triton-* target python/gonka/_native*.so
