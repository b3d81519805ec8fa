"""Root of the ``gonka`` command; each command group lives in its own module."""

import typer

from gonka.cli import admin, bench, keys, node, poc, query, tx

app = typer.Typer(
    name="gonka",
    help="Gonka network toolkit: keys, transactions, Proof of Compute and the ML node.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for _group in (keys, poc, tx, query, admin, node, bench):
    app.add_typer(_group.app, name=_group.__name__.rsplit(".", 1)[-1])
from gonka.cli.verify import verify_binary  # noqa: E402  (a top-level command, not a group)

app.command("verify-binary")(verify_binary)
from gonka.cli.demo import demo  # noqa: E402  (`make run`: a tour of the key API)

app.command("demo")(demo)


@app.command()
def version() -> None:
    """Print the gonka version."""
    from gonka import __version__

    typer.echo(__version__)


def main() -> None:
    app()
