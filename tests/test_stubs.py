"""The typed stubs of the native module match what it really exports (mypy stubtest)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_native_stubs_match_runtime() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            "gonka._native",
            "--concise",
            "--allowlist",
            str(ROOT / "tests" / "stubtest_allowlist.txt"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_is_typed() -> None:
    assert (ROOT / "python" / "gonka" / "py.typed").exists()
    assert (ROOT / "python" / "gonka" / "_native.pyi").exists()
