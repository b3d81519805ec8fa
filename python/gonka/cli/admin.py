"""`gonka admin`: the API node's admin API (port 9200; reach it on the host, never expose it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from gonka.cli._chain import JsonOption, TimeoutOption, console, emit, field_table, reported_errors
from gonka.client import AdminClient
from gonka.client.transport import ADMIN_URL_ENV, DEFAULT_ADMIN_URL

app = typer.Typer(help="API-node admin API (port 9200).", no_args_is_help=True)
nodes_app = typer.Typer(help="ML nodes driven by the API node.", no_args_is_help=True)
app.add_typer(nodes_app, name="nodes")

AdminOption = Annotated[
    str, typer.Option("--admin-url", envvar=ADMIN_URL_ENV, help=f"Admin API base URL; env {ADMIN_URL_ENV}.")
]


@contextmanager
def admin_client(url: str, timeout: float) -> Iterator[AdminClient]:
    with reported_errors(), AdminClient(url, timeout=timeout) as client:
        yield client


@nodes_app.command("list")
def list_nodes(
    admin_url: AdminOption = DEFAULT_ADMIN_URL, as_json: JsonOption = False, timeout: TimeoutOption = 10.0
) -> None:
    """ML nodes with their status and admin state (enabled/disabled)."""
    with admin_client(admin_url, timeout) as admin:
        nodes = admin.nodes()

    def render() -> None:
        table = Table(title=f"{len(nodes)} ML nodes", title_justify="left")
        for column in ("id", "host", "status", "poc", "enabled", "models", "hardware"):
            table.add_column(column)
        for n in nodes:
            hardware = ", ".join(
                f"{h.get('count', '?')}x {h.get('type', '?')}" for h in n.node.hardware or []
            )
            enabled = {True: "yes", False: "NO", None: "?"}[n.state.enabled]
            table.add_row(
                n.node.id,
                f"{n.node.host}:{n.node.inference_port}/{n.node.poc_port}",
                n.state.current_status,
                n.state.poc_current_status,
                enabled,
                ", ".join(n.node.models),
                hardware,
            )
        console.print(table)

    emit(nodes, as_json, render)


def _set_enabled(node_id: str, enabled: bool, admin_url: str, as_json: bool, timeout: float) -> None:
    with admin_client(admin_url, timeout) as admin:
        ack = admin.enable_node(node_id) if enabled else admin.disable_node(node_id)
    note = "" if enabled else " (takes effect at the next PoC)"
    emit(ack, as_json, lambda: console.print(f"{ack.message or 'done'}: {ack.node_id or node_id}{note}"))


@nodes_app.command("enable")
def enable(
    node_id: Annotated[str, typer.Argument(help="ML node id (as in `gonka admin nodes list`).")],
    admin_url: AdminOption = DEFAULT_ADMIN_URL,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Enable an ML node."""
    _set_enabled(node_id, True, admin_url, as_json, timeout)


@nodes_app.command("disable")
def disable(
    node_id: Annotated[str, typer.Argument(help="ML node id (as in `gonka admin nodes list`).")],
    admin_url: AdminOption = DEFAULT_ADMIN_URL,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Disable an ML node (it stops taking part from the next PoC)."""
    _set_enabled(node_id, False, admin_url, as_json, timeout)


@app.command("claim-recover")
def claim_recover(
    epoch_index: Annotated[
        int, typer.Option("--epoch", min=0, help="Epoch to claim (0 = the previous one).")
    ] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Claim even if the API node thinks it already did.")
    ] = False,
    seed: Annotated[
        int | None, typer.Option(help="Seed to reveal (default: the API node's stored one).")
    ] = None,
    admin_url: AdminOption = DEFAULT_ADMIN_URL,
    as_json: JsonOption = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds (re-validation can be slow).")
    ] = 120.0,
) -> None:
    """Recover a missed reward claim: re-run missed validations, then send MsgClaimRewards."""
    with admin_client(admin_url, timeout) as admin:
        result = admin.claim_recover(epoch_index=epoch_index, force_claim=force, seed=seed)

    def render() -> None:
        rows = [
            ("success", result.success),
            ("message", result.message),
            ("epoch", result.epoch_index),
            ("missed validations re-run", result.missed_validations),
            ("already claimed", result.already_claimed),
            ("claim executed", result.claim_executed),
        ]
        console.print(field_table("Claim recover", rows))

    emit(result, as_json, render)
    if not result.success:
        raise typer.Exit(1)
