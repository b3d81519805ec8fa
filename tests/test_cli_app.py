"""The root command lists every group but imports a group's dependencies only when it is used."""

import platform
import re
import subprocess
import sys

import pytest
from conftest import workspace_version
from gonka.cli import app
from typer.testing import CliRunner

GROUPS = ["keys", "poc", "tx", "query", "admin", "node", "bench"]


def test_root_help_lists_every_group_and_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for name in [*GROUPS, "version", "demo", "verify-binary"]:
        assert f" {name} " in result.output


def test_groups_are_imported_on_first_use() -> None:
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from gonka.cli import app\n"
        "assert CliRunner().invoke(app, ['version']).exit_code == 0\n"
        "heavy = sorted(m for m in ('httpx', 'torch', 'fastapi', 'gonka.client') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "assert CliRunner().invoke(app, ['query', '--help']).exit_code == 0\n"
        "assert 'gonka.client' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_unknown_group_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["nonsense"])
    assert result.exit_code == 2


def test_version_prints_the_package_version_and_the_native_build() -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0, result.output
    package_line, native_line = result.output.splitlines()
    assert package_line == f"gonka {workspace_version()}"
    match = re.fullmatch(
        r"native module: (\S+), (rustc \S+ \(.+\)), profile (\w+ \(opt-level \w\))", native_line
    )
    assert match, native_line
    assert match.group(1).startswith(platform.machine()) and "linux" in match.group(1)


def _run_without(module: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    # `None` in sys.modules makes importing a module fail as on an install without it.
    probe = (
        f"import sys; sys.modules[{module!r}] = None; sys.argv = ['gonka', *{argv!r}]\n"
        "from gonka.cli import main\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)


POC_ARGS = [
    "poc",
    "distances",
    "--block-hash",
    "ab",
    "--public-key",
    "k",
    "--params",
    "small",
    "--device",
    "cpu",
]


@pytest.mark.parametrize(
    ("module", "argv", "extra"),
    [("torch", POC_ARGS, "poc"), ("torch", ["bench", "poc"], "poc"), ("fastapi", ["node", "serve"], "node")],
)
def test_a_command_needing_a_missing_extra_names_the_extra(module: str, argv: list[str], extra: str) -> None:
    result = _run_without(module, argv)
    assert result.returncode == 1, result.stderr
    assert f"needs {module}, which comes with gonka[{extra}]: pip install 'gonka[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_runtime_dependency_is_not_blamed_on_an_extra() -> None:
    result = _run_without("httpx", POC_ARGS)
    assert result.returncode == 1
    assert (
        "Traceback" in result.stderr
        and "ModuleNotFoundError" in result.stderr
        and "gonka[" not in result.stderr
    )
