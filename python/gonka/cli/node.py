"""`gonka node`: the ML node service."""

import typer

app = typer.Typer(help="The ML node service.", no_args_is_help=True)
