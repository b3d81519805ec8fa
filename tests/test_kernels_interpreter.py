"""Runs the Triton kernel tests on the CPU through Triton's interpreter, in a child process.

Triton fixes the interpreter mode when it is first imported, so ``TRITON_INTERPRET=1`` must be set before
that; a child process keeps the setting away from every other test. On a CUDA machine the kernel tests run
compiled in this process instead and this wrapper skips.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("triton")

KERNEL_TESTS = ("test_kernels_ops.py", "test_kernels_engine.py", "test_bench_cli_triton.py")


@pytest.mark.skipif(torch.cuda.is_available(), reason="the kernel tests run compiled on this CUDA machine")
@pytest.mark.skipif(
    os.environ.get("TRITON_INTERPRET") == "1", reason="already interpreting: the tests run here"
)
def test_kernels_under_the_interpreter() -> None:
    here = Path(__file__).parent
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    result = subprocess.run(
        [*cmd, *(str(here / name) for name in KERNEL_TESTS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert " passed" in result.stdout and " skipped" not in result.stdout.split("\n")[-2], result.stdout[
        -2000:
    ]
