"""`gonka bench`: benchmarks that compare GPU hosts."""

import typer

app = typer.Typer(help="Benchmarks that compare GPU hosts.", no_args_is_help=True)
