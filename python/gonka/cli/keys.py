"""`gonka keys`: account and consensus keys: create, show addresses."""

import typer

app = typer.Typer(help="Account and consensus keys: create, show addresses.", no_args_is_help=True)
