"""`gonka poc simulate`: the Gonka FAQ's "simulate PoC on your ML node" as one command.

It starts an ML node in this process (or targets ``--node URL``), runs a callback receiver on loopback, drives
one generate -> validate round (:func:`gonka.node.simulation.run_simulation`) with live progress, and prints
the rate, the weight (valid nonces) and the validator's fraud verdict.

``r_target``: production params use the launch value ``R_TARGET_LAUNCH`` (about 1 nonce in 20 is valid); the
small CPU model uses ``R_TARGET_SMALL``, which accepts about 1 nonce in 20 of its distances as well.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import httpx
import typer

from gonka.cli._poc_options import parse_params, parse_r_target


def simulate(
    node: str = typer.Option(
        None, "--node", help="URL of a running ML node (default: start one in this process)."
    ),
    params: str = typer.Option(
        "auto", "--params", help="auto (v2 on a GPU, small on CPU), v2, v1, small, or a params JSON file."
    ),
    r_target: str = typer.Option(
        None,
        "--r-target",
        help="A number, 'launch' or 'v0.2.6' (default: launch; small params: 1.345).",
    ),
    seconds: float = typer.Option(
        None, "--seconds", min=1, help="Generation time (default: 10 on CPU, 60 on GPU)."
    ),
    block_hash: str = typer.Option("EXAMPLE_BLOCK_HASH", "--block-hash"),
    public_key: str = typer.Option("EXAMPLE_PUBLIC_KEY", "--public-key"),
    fraud_threshold: float = typer.Option(1e-7, "--fraud-threshold", help="The API node's default is 1e-7."),
    tamper: int = typer.Option(
        0, "--tamper", min=0, help="Claim this many invalid nonces as valid, to watch validation catch it."
    ),
    receiver_host: str = typer.Option(
        "127.0.0.1", "--receiver-host", help="Interface of the callback receiver (the node must reach it)."
    ),
    devices: str = typer.Option(
        "auto", "--devices", help="In-process node: auto, cpu or CUDA indices '0,1'."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Simulate one PoC round (generate, then validate) on an ML node and print rate, weight and verdict."""
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

    from gonka.node.errors import NodeError
    from gonka.node.receiver import CallbackReceiver
    from gonka.node.simulation import node_hardware, run_simulation
    from gonka.poc import PARAMS_SMALL, R_TARGET_LAUNCH, R_TARGET_SMALL

    console = Console(stderr=as_json)
    background = None
    workdir = None
    try:
        if node is None:
            from gonka.node.server import BackgroundNode
            from gonka.node.settings import NodeSettings

            workdir = tempfile.TemporaryDirectory(prefix="gonka-simulate-")
            background = BackgroundNode(
                NodeSettings(
                    host="127.0.0.1",
                    port=0,
                    spool_dir=Path(workdir.name) / "spool",
                    devices=devices,
                    flush_interval=1.0,
                    log_format="json",
                    log_level="WARNING",
                )
            ).start()
            node = background.url
        with (
            httpx.Client(base_url=node.rstrip("/"), timeout=60) as client,
            CallbackReceiver(host=receiver_host) as rx,
        ):
            on_gpu, hardware = node_hardware(client)
            chosen = parse_params(params if params != "auto" else ("v2" if on_gpu else "small"))
            radius = parse_r_target(r_target)
            if radius is None:
                radius = R_TARGET_SMALL if chosen == PARAMS_SMALL else R_TARGET_LAUNCH
            duration = seconds or (60.0 if on_gpu else 10.0)
            request = {
                "node_id": 0,
                "node_count": 1,
                "block_hash": block_hash,
                "block_height": 1,
                "public_key": public_key,
                "batch_size": 1,
                "r_target": radius,
                "fraud_threshold": fraud_threshold,
                "params": chosen.to_dict(),
                "url": rx.url,
            }
            console.print(f"[bold]PoC simulation[/bold] on {node}: params {json.dumps(chosen.to_dict())}")
            console.print(f"r_target {radius!r}, callbacks to {rx.url}")
            with Live(Text(""), console=console, transient=True, refresh_per_second=4) as live:
                result = run_simulation(
                    client,
                    rx,
                    request,
                    seconds=duration,
                    tamper=tamper,
                    settle_seconds=2.5 if background is not None else 6.0,
                    show=lambda t: live.update(Text(t)),
                )
    except (NodeError, httpx.HTTPError) as exc:
        console.print(f"[red]simulation failed:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        if background is not None:
            background.stop()
        if workdir is not None:
            workdir.cleanup()

    verdict = result.validated[0] if result.validated else None
    summary = {
        "node": node,
        "params": chosen.to_dict(),
        "hardware": hardware,
        "r_target": radius,
        "model_build_s": result.build_seconds,
        "generation_s": round(result.seconds, 3),
        "nonces_computed": result.nonces,
        "nonces_per_s": result.rate,
        "weight": result.valid_nonces,
        "valid_fraction": result.valid_nonces / result.nonces if result.nonces else None,
        "validated_nonces": len(verdict["nonces"]) if verdict else 0,
        "n_invalid": verdict["n_invalid"] if verdict else None,
        "probability_honest": verdict["probability_honest"] if verdict else None,
        "fraud_detected": result.fraud_detected,
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        table = Table(title="PoC simulation summary", show_header=False)
        for key, value in summary.items():
            if key in ("params", "node"):
                continue
            shown = str(value)
            if isinstance(value, float) and key not in ("r_target", "probability_honest"):
                shown = f"{value:,.4f}" if key == "valid_fraction" else f"{value:,.2f}"
            table.add_row(key, shown)
        console.print(table)
        if verdict is None:
            console.print("[yellow]no valid nonces were generated; nothing to validate[/yellow]")
        elif result.fraud_detected:
            console.print("[red bold]validation verdict: FRAUD[/red bold]")
        else:
            console.print("[green bold]validation verdict: honest[/green bold]")
    if verdict is None or (result.fraud_detected and not tamper):
        raise typer.Exit(1)
