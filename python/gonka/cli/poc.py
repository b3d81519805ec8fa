"""`gonka poc`: proof of Compute: distances, simulation."""

import typer

app = typer.Typer(help="Proof of Compute: distances, simulation.", no_args_is_help=True)
