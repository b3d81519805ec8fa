"""`gonka verify`: check what a node serves against cryptographic proofs instead of trusting it.

- `participants`: an epoch's participant set, proven under header H+1's app hash, whose commit the light
  client verifies from the trust anchor (the mainnet genesis, or `--trust HEIGHT:HASH`);
- `tx HASH`: a transaction's inclusion in a block verified the same way;
- `binary FILE SHA256` (also `gonka verify-binary`): an upgrade binary against its published SHA-256.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from gonka.cli._chain import DEFAULT_NODE, JsonOption, NodeOption, TimeoutOption, console, node_client
from gonka.cli.binary import verify_binary

if TYPE_CHECKING:
    from gonka.proofs import TrustOptions

app = typer.Typer(help="Verify node answers against proofs and signatures.", no_args_is_help=True)

app.command("binary")(verify_binary)

TrustOption = Annotated[
    str | None,
    typer.Option(
        "--trust",
        metavar="HEIGHT:HASH",
        help="Trust anchor: a block height and its header hash obtained out of band "
        "(default: the mainnet genesis).",
    ),
]
PeriodOption = Annotated[
    float,
    typer.Option("--trusting-period", min=0.001, help="Days a trusted header stays usable (default 14)."),
]


def _options(days: float) -> TrustOptions:
    from gonka.proofs import TrustOptions

    return TrustOptions(trusting_period=days * 24 * 3600)


def _header_json(header: Any) -> dict[str, Any]:
    return {
        "chain_id": header.chain_id,
        "height": header.height,
        "hash": header.hash.hex().upper(),
        "time": header.time,
        "app_hash": header.app_hash.hex().upper(),
        "total_voting_power": header.total_voting_power,
    }


@app.command()
def participants(
    epoch: Annotated[str, typer.Option("--epoch", help="Epoch number, or 'current'.")] = "current",
    trust: TrustOption = None,
    trusting_period: PeriodOption = 14.0,
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Verify an epoch's participant set down to validator signatures; exit status 1 on any failure."""
    import json

    from rich.table import Table

    target: int | Literal["current"] = "current" if epoch == "current" else _epoch(epoch)
    with node_client(node, timeout) as client:
        result = client.participants(target, trust=trust, options=_options(trusting_period))
    header = result.header
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "epoch": result.epoch,
                    "key_layout": result.key_layout,
                    "created_at_block_height": result.set.created_at_block_height,
                    "store_root": result.store_root.hex().upper(),
                    "header": _header_json(header),
                    "participants": [
                        {
                            "address": p.address,
                            "validator_key": p.validator_key,
                            "weight": p.weight,
                            "inference_url": p.inference_url,
                            "models": list(p.models),
                        }
                        for p in result.participants
                    ],
                },
                indent=2,
            )
        )
        return
    total = result.set.total_weight or 1
    table = Table(
        title=f"Epoch {result.epoch}: {len(result.participants)} participants", title_justify="left"
    )
    for column in ("participant", "weight", "share", "inference_url", "models"):
        table.add_column(column, justify="right" if column in ("weight", "share") else "left")
    for p in result.participants:
        table.add_row(
            p.address, str(p.weight), f"{100 * p.weight / total:.2f}%", p.inference_url, ", ".join(p.models)
        )
    console.print(table)
    console.print(
        f"VERIFIED  epoch {result.epoch} (set of block {result.set.created_at_block_height}) under the app "
        f"hash of {header.chain_id} block {header.height} {header.hash.hex().upper()} ({header.time}), "
        f"signed by > 2/3 of {header.total_voting_power} voting power"
    )


def _epoch(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise typer.BadParameter(f"an epoch is a positive integer or 'current', got {text!r}")
    return int(text)


@app.command()
def tx(
    txhash: Annotated[str, typer.Argument(metavar="HASH", help="Transaction hash (64 hex digits).")],
    trust: TrustOption = None,
    trusting_period: PeriodOption = 14.0,
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Verify a transaction's inclusion in a block whose header the light client verifies."""
    import json

    with node_client(node, timeout) as client:
        result = client.verify_tx(txhash, trust=trust, options=_options(trusting_period))
    header = result.header
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "hash": result.hash.hex().upper(),
                    "height": result.height,
                    "index": result.index,
                    "data_hash": result.data_hash.hex().upper(),
                    "header": _header_json(header) if header else None,
                },
                indent=2,
            )
        )
        return
    where = f"block {result.height}" + (f" {header.hash.hex().upper()} ({header.time})" if header else "")
    typer.echo(f"VERIFIED  tx {result.hash.hex().upper()} is tx {result.index} of {where}")
