"""Options and output shared by the chain commands (query, tx, admin, node seeds)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from gonka.client import DEFAULT_NODE_URL, NODE_URL_ENV, Client
from gonka.errors import GonkaError

NodeOption = Annotated[
    str,
    typer.Option(
        "--node",
        envvar=NODE_URL_ENV,
        help=f"Public URL of a Gonka node (its /chain-api/, /chain-rpc/ and /v1/ APIs); env {NODE_URL_ENV}.",
    ),
]
DEFAULT_NODE = DEFAULT_NODE_URL
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
TimeoutOption = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds per HTTP request.")]

console = Console(highlight=False, soft_wrap=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn library errors into one red line on stderr and exit status 1 (no traceback)."""
    try:
        yield
    except GonkaError as e:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]error:[/red] {e}", markup=True)
        raise typer.Exit(1) from None


@contextmanager
def node_client(node: str, timeout: float = 10.0) -> Iterator[Client]:
    with reported_errors(), Client(node, timeout=timeout) as client:
        yield client


def to_jsonable(value: Any) -> Any:
    """Results as JSON values: models and dataclasses as objects, exact decimals and releases as strings,
    times in ISO 8601.
    """
    from gonka.economics.legacy_dec import LegacyDec
    from gonka.economics.release import Release
    from gonka.economics.shop_decimal import ShopDecimal

    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (LegacyDec, ShopDecimal, Release, Path)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def emit(value: Any, as_json: bool, render: Callable[[], None]) -> None:
    """JSON on stdout with ``--json``, else the human rendering."""
    if as_json:
        typer.echo(json.dumps(to_jsonable(value), indent=2))
    else:
        render()


def field_table(title: str, rows: list[tuple[str, Any]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for name, value in rows:
        table.add_row(name, "" if value is None else str(value))
    return table


def gnk_value(ngonka: int) -> str:
    """The exact GNK value of an ngonka amount (1 GNK = 1e9 ngonka), e.g. ``1,234.500000000``."""
    whole, frac = divmod(abs(ngonka), 10**9)
    return f"{'-' if ngonka < 0 else ''}{whole:,}.{frac:09d}"


def gnk(ngonka: int) -> str:
    """ngonka with its GNK value (1 GNK = 1e9 ngonka)."""
    return f"{ngonka} ngonka ({gnk_value(ngonka)} GNK)"
