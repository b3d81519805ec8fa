"""Shared fixtures: the location of the repository's test vectors, the project version, strict skips, the
release-artifact tests' option, and a loopback server playing the API node and chain RPC (``node``)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.node_server import NodeServer

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
RELEASE_TESTS = ROOT / "tests" / "release"


def vector_path(*parts: str) -> Path:
    """A file under ``tests/vectors``; a missing vector is an error, never a reason to skip."""
    path = VECTORS.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"test vector tests/vectors/{'/'.join(parts)} is missing from the checkout")
    return path


def workspace_version() -> str:
    """The project's one version: the Cargo workspace's, which the wheel metadata and the module report."""
    manifest = tomllib.loads((ROOT / "Cargo.toml").read_text())
    return str(manifest["workspace"]["package"]["version"])


# tests/release checks what `make wheel` built (`make test-wheel` passes --artifacts); a plain run has nothing
# to check there, so it does not collect them.
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--artifacts", metavar="DIR", help="the wheels and sdist that `make wheel` built: runs tests/release"
    )


def pytest_configure(config: pytest.Config) -> None:
    release_args = [arg for arg in config.args if Path(arg).resolve().is_relative_to(RELEASE_TESTS)]
    if release_args and config.getoption("--artifacts") is None:
        raise pytest.UsageError(
            "tests/release checks built artifacts: pass --artifacts DIR (make test-wheel)"
        )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path == RELEASE_TESTS and config.getoption("--artifacts") is None:
        return True
    return None


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


@pytest.fixture
def node() -> Iterator[NodeServer]:
    """A loopback server playing the API node and the chain RPC; tests add its routes."""
    server = NodeServer()
    server.start()
    yield server
    server.stop()
