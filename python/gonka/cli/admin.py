"""`gonka admin`: aPI-node admin API (port 9200)."""

import typer

app = typer.Typer(help="API-node admin API (port 9200).", no_args_is_help=True)
