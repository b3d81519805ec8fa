"""The ``gonka`` command line (typer + rich)."""

from gonka.cli.app import app, main

__all__ = ["app", "main"]
