"""Shared fixtures: the location of the repository's test vectors."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"


def vector_path(*parts: str) -> Path:
    """A file under ``tests/vectors``; a missing vector is an error, never a reason to skip."""
    path = VECTORS.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"test vector tests/vectors/{'/'.join(parts)} is missing from the checkout")
    return path


# `make test` installs every extra and dev tool, so there a skip can only mean a missing CUDA device; any
# other skip (a module that failed to import, a missing file) fails the run instead of hiding it.
STRICT_SKIPS = os.environ.get("GONKA_TEST_STRICT_SKIPS") == "1"
ALLOWED_SKIP = re.compile(r"\bCUDA\b")


def _strict(report: pytest.CollectReport | pytest.TestReport) -> None:
    if not (STRICT_SKIPS and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr)
    if not ALLOWED_SKIP.search(reason):
        report.outcome = "failed"
        report.longrepr = f"skipped in a strict run (only a missing CUDA device may skip): {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    _strict(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    _strict(outcome.get_result())
