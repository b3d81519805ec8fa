"""`gonka poc`: proof of Compute: distances, simulation."""

from __future__ import annotations

import json
import time

import typer

from gonka.cli._poc_options import parse_params, parse_r_target
from gonka.cli.poc_v2 import app as v2_app
from gonka.cli.simulate import simulate

app = typer.Typer(help="Proof of Compute: distances, simulation.", no_args_is_help=True)
app.command("simulate")(simulate)
app.add_typer(v2_app, name="v2")


@app.command("distances")
def distances(
    block_hash: str = typer.Option(
        ..., "--block-hash", help="Block hash string that seeds model and target."
    ),
    public_key: str = typer.Option(..., "--public-key", help="Public key string that seeds inputs."),
    nonces: str = typer.Option("0-15", "--nonces", help="Nonces: '0-15', '3,5,9-12'."),
    params: str = typer.Option(
        "v2", "--params", help="Preset v2 (mainnet), v1 (testnet), small, or a JSON file."
    ),
    device: str = typer.Option("auto", "--device", help="auto (CUDA when present), cpu, cuda, cuda:N."),
    dtype: str = typer.Option("float16", "--dtype", help="float16 (the network's), float32 or bfloat16."),
    engine: str = typer.Option("torch", "--engine", help="Forward-pass engine: torch or triton."),
    r_target: str = typer.Option(
        None, "--r-target", help="Mark nonces with dist < R valid: a number, 'launch' or 'v0.2.6'."
    ),
    batch_size: int = typer.Option(None, "--batch-size", min=1, help="Nonces per forward pass."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Compute the PoC distance of each nonce (and whether it is valid for --r-target)."""
    from rich.console import Console
    from rich.table import Table

    from gonka.errors import GonkaError
    from gonka.poc import PocModel, parse_nonces

    model_params, radius = parse_params(params), parse_r_target(r_target)
    try:
        nonce_list = parse_nonces(nonces)
        if device == "auto":
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        model = PocModel(
            model_params, block_hash, device=device, dtype=dtype, engine=engine, batch_size=batch_size
        )
        started = time.perf_counter()
        dist = model.distances(public_key, nonce_list)
        seconds = time.perf_counter() - started
    except GonkaError as exc:
        raise typer.BadParameter(str(exc)) from None
    valid = None if radius is None else [bool(d < radius) for d in dist]

    if as_json:
        out = {
            "block_hash": block_hash,
            "public_key": public_key,
            "params": model_params.to_dict(),
            "device": str(model.device),
            "dtype": dtype,
            "engine": engine,
            "r_target": radius,
            "nonces": nonce_list,
            "dist": dist.tolist(),
        }
        if valid is not None:
            out["valid"] = valid
        typer.echo(json.dumps(out))
        return

    table = Table(
        title=f"PoC distances ({model.params.dim}x{model.params.n_layers}, {model.device}, {dtype})"
    )
    table.add_column("nonce", justify="right")
    table.add_column("dist", justify="right")
    if valid is not None:
        table.add_column(f"< {radius!r}", justify="center")
    for i, (nonce, d) in enumerate(zip(nonce_list, dist.tolist(), strict=True)):
        row = [str(nonce), repr(d)]
        if valid is not None:
            row.append("[green]valid[/green]" if valid[i] else "[dim]no[/dim]")
        table.add_row(*row)
    console = Console()
    console.print(table)
    summary = (
        f"model built in {model.build_seconds:.2f} s; {len(nonce_list)} nonces in {seconds:.2f} s "
        f"({len(nonce_list) / seconds:.2f} nonces/s)"
    )
    if valid is not None:
        summary += f"; {sum(valid)} valid"
    console.print(summary)
