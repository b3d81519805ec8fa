"""`gonka poc`: proof of Compute: distances, simulation."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

app = typer.Typer(help="Proof of Compute: distances, simulation.", no_args_is_help=True)

_R_TARGETS = {"launch": "R_TARGET_LAUNCH", "v0.2.6": "R_TARGET_V0_2_6"}


def _params(spec: str):  # -> gonka.poc.Params
    from gonka.poc import PRESETS, Params

    if spec in PRESETS:
        return PRESETS[spec]
    path = Path(spec)
    if path.is_file():
        try:
            return Params.from_dict(json.loads(path.read_text()))
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"{spec}: not JSON ({exc})") from None
    raise typer.BadParameter(f"{spec!r} is neither a preset ({', '.join(PRESETS)}) nor a params JSON file")


def _r_target(spec: str | None) -> float | None:
    import gonka.poc

    if spec is None:
        return None
    if spec in _R_TARGETS:
        return float(getattr(gonka.poc, _R_TARGETS[spec]))
    try:
        return float(spec)
    except ValueError:
        raise typer.BadParameter(f"{spec!r}: expected a number or one of {', '.join(_R_TARGETS)}") from None


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

    model_params, radius = _params(params), _r_target(r_target)
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


from gonka.cli.simulate import simulate  # noqa: E402  (registered last: it reuses the helpers above)

app.command("simulate")(simulate)

from gonka.cli.poc_v2 import app as v2_app  # noqa: E402

app.add_typer(v2_app, name="v2")
