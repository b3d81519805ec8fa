"""`gonka tx`: build, sign and broadcast transactions."""

import typer

app = typer.Typer(help="Build, sign and broadcast transactions.", no_args_is_help=True)
