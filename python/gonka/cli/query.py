"""`gonka query`: query the chain."""

import typer

app = typer.Typer(help="Query the chain.", no_args_is_help=True)
