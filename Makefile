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
SYNC := $(UV) sync --frozen --inexact --all-extras --group dev --python $(PYTHON)

# Release artifacts in $(DIST): abi3 wheels for manylinux_2_28 (glibc 2.28+: RHEL/Rocky 8, Ubuntu 20.04 and
# newer; torch's own floor), linked by zig against that glibc whatever the build machine's, and the sdist.
WHEEL_TARGETS := x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu
MANYLINUX := manylinux_2_28
DIST := target/wheels

.PHONY: help env build test test-rust test-python lint check-kernels run bench wheel test-wheel clean

help:
	@echo "make run    - run the main job on its embedded default"
	@echo "make test   - set up everything and run all checks (cargo test, pytest, stubtest, lints, kernels)"
	@echo "make check-kernels [TRITON=3.6] - compile the Triton kernels for sm_80/sm_89/sm_90 without a GPU"
	@echo "make bench  - run the benchmarks (pytest-benchmark, side by side with peer libraries)"
	@echo "make wheel  - build the release wheels (manylinux x86_64, aarch64) and the sdist into $(DIST)"
	@echo "make test-wheel - make wheel, then install the artifacts in fresh venvs and check them"

$(UV): requirements/uv.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10+ is needed: make PYTHON=python3.X")'
	$(PYTHON) -m venv --clear $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/uv.txt
	touch $(UV)

# The environment follows uv.lock exactly; the project itself is built by maturin (dev profile).
env: $(UV)
	$(SYNC)

build: env
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --uv --quiet

test-rust:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo test --workspace --locked

lint: env
	$(VENV)/bin/ruff check python tests benches
	$(VENV)/bin/ruff format --check python tests benches
	$(VENV)/bin/mypy

# Everything is installed here, so only a missing CUDA device may skip a test (tests/conftest.py).
test-python: build
	GONKA_TEST_STRICT_SKIPS=1 $(VENV)/bin/python -m pytest

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

# The wheel group adds zig and auditwheel; rustup brings the aarch64 standard library.
wheel: $(UV)
	$(SYNC) --group wheel
	if command -v rustup >/dev/null; then rustup target add $(WHEEL_TARGETS); fi
	rm -f $(DIST)/gonka-*
	for target in $(WHEEL_TARGETS); do \
	  $(VENV)/bin/maturin build --release --zig --target $$target --compatibility $(MANYLINUX) --out $(DIST); \
	done
	$(VENV)/bin/maturin sdist --out $(DIST)
	for wheel in $(DIST)/*.whl; do $(VENV)/bin/auditwheel show $$wheel; done
	ls -l $(DIST)

# Installs what `make wheel` built into fresh venvs from the lock's packages only (tests/release).
test-wheel: wheel
	GONKA_TEST_STRICT_SKIPS=1 $(PY) -m pytest tests/release --artifacts $(DIST)

clean:
	rm -rf $(VENV) $(TOOLS) .venv-triton-* target python/gonka/_native*.so
