"""The root command lists every group but imports a group's dependencies only when it is used."""

import subprocess
import sys

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
