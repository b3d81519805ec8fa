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
    """Print the gonka version and how its native module was built."""
    from gonka import __version__, _native

    native = (_native.BUILD_TARGET, _native.BUILD_RUSTC, f"profile {_native.BUILD_PROFILE}")
    typer.echo(f"gonka {__version__}")
    typer.echo(f"native module: {', '.join(native)}")


# Light top-level commands (no heavy imports) are registered eagerly.
app.command("demo")(demo)
app.command("verify-binary")(verify_binary)


# Modules that only an extra installs: a command that needs one on a plain install names the extra to add
# instead of ending in a traceback.
_EXTRA_OF_MODULE = {
    "torch": "poc",
    "triton": "poc",
    "fastapi": "node",
    "starlette": "node",
    "uvicorn": "node",
    "prometheus_client": "node",
}


def main() -> None:
    try:
        app()
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        extra = _EXTRA_OF_MODULE.get(missing)
        if extra is None:
            raise
        hint = f"pip install 'gonka[{extra}]'"
        typer.echo(f"error: this command needs {missing}, which comes with gonka[{extra}]: {hint}", err=True)
        raise SystemExit(1) from None
