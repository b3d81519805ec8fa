"""Root of the ``gonka`` command; each command group lives in its own module.

Groups are imported only when used: ``gonka bench poc`` on a GPU host needs torch but not the chain client's
HTTP stack, and ``gonka keys show`` starts without importing torch or httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

from gonka.cli.binary import verify_binary
from gonka.cli.demo import demo

if TYPE_CHECKING:
    # Typer vendors click; `click` itself is not a dependency of a plain install.
    from typer._click import Command, Context

# name -> module defining `app`, in the order `gonka --help` lists them.
_GROUP_MODULES = {
    "keys": "gonka.cli.keys",
    "poc": "gonka.cli.poc",
    "tx": "gonka.cli.tx",
    "query": "gonka.cli.query",
    "econ": "gonka.cli.econ",
    "admin": "gonka.cli.admin",
    "node": "gonka.cli.node",
    "bench": "gonka.cli.bench",
    "verify": "gonka.cli.verify",
}


class _LazyGroups(TyperGroup):
    """The root group: builds a command group from its module on first use."""

    def list_commands(self, ctx: Context) -> list[str]:
        eager = super().list_commands(ctx)
        return eager + [name for name in _GROUP_MODULES if name not in eager]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in _GROUP_MODULES:
            module = importlib.import_module(_GROUP_MODULES[cmd_name])
            command = typer.main.get_group(module.app)
            command.name = cmd_name
            self.commands[cmd_name] = command
        return command


app = typer.Typer(
    name="gonka",
    cls=_LazyGroups,
    help="Gonka network toolkit: keys, transactions, host economics, Proof of Compute and the ML node.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def version() -> None:
    """Print the gonka version."""
    from gonka import __version__

    typer.echo(__version__)


# Light top-level commands (no heavy imports) are registered eagerly.
app.command("demo")(demo)
app.command("verify-binary")(verify_binary)


def main() -> None:
    app()
