"""`gonka keys`: account and consensus keys: create, show addresses.

Mnemonics never come from the command line (argv is visible to other users and kept in shell
history): ``show`` reads one from ``--mnemonic-file`` or a hidden prompt, and ``new`` prints the new
words only when they are not saved to a file with ``--output``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel

from gonka.cli._chain import JsonOption, console, emit, field_table, reported_errors
from gonka.keys import DEFAULT_PATH, ConsensusKey, Mnemonic, PrivateKey

app = typer.Typer(help="Account and consensus keys: create, show addresses.", no_args_is_help=True)

PathOption = Annotated[
    str,
    typer.Option("--path", help="BIP 32 derivation path (coin type 1200 is the chain's default)."),
]


def account_summary(key: PrivateKey, path: str) -> dict[str, Any]:
    public = key.public_key
    return {
        "address": public.address(),
        "valoper_address": public.address("gonkavaloper"),
        "public_key_hex": public.compressed.hex(),
        "public_key_base64": public.base64,
        "path": path,
    }


def account_rows(summary: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("address", summary["address"]),
        ("operator", summary["valoper_address"]),
        ("public key", summary["public_key_hex"]),
        ("public key (base64)", summary["public_key_base64"]),
        ("path", summary["path"]),
    ]


def write_secret_file(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner only; never overwrite an existing file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise typer.BadParameter(f"{path} exists; refusing to overwrite it", param_hint="--output") from None
    with os.fdopen(fd, "w") as out:
        out.write(text + "\n")


@app.command()
def new(
    words: Annotated[int, typer.Option("--words", help="Mnemonic length: 12 or 24 words.")] = 24,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Save the mnemonic to this new file (mode 0600) instead of printing it.",
        ),
    ] = None,
    path: PathOption = DEFAULT_PATH,
    as_json: JsonOption = False,
) -> None:
    """Create a new account key: a BIP 39 mnemonic and its gonka address."""
    if words not in (12, 24):
        raise typer.BadParameter("choose 12 or 24 words", param_hint="--words")
    with reported_errors():
        mnemonic = Mnemonic.generate(words=words)
        summary = account_summary(mnemonic.to_private_key(path=path), path)
    if output is not None:
        write_secret_file(output, mnemonic.phrase)
        summary["mnemonic_file"] = str(output)
    else:
        summary["mnemonic"] = mnemonic.phrase

    def render() -> None:
        console.print(field_table("New account key", account_rows(summary)))
        if output is not None:
            console.print(f"Mnemonic saved to [bold]{output}[/bold] (readable by you only).")
        else:
            console.print(
                Panel(
                    mnemonic.phrase,
                    title=f"Mnemonic ({words} words)",
                    subtitle="write it down and keep it offline: it is the only way to recover this key",
                    border_style="yellow",
                )
            )

    emit(summary, as_json, render)


@app.command()
def show(
    mnemonic_file: Annotated[
        Path | None,
        typer.Option(
            "--mnemonic-file",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Read the mnemonic from this file (otherwise a hidden prompt asks for it).",
        ),
    ] = None,
    path: PathOption = DEFAULT_PATH,
    passphrase: Annotated[
        bool, typer.Option("--passphrase", help="Ask (hidden) for a BIP 39 passphrase.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the addresses (account and operator) of a mnemonic."""
    words = mnemonic_file.read_text() if mnemonic_file else typer.prompt("Mnemonic", hide_input=True)
    secret = typer.prompt("Passphrase", hide_input=True, default="", show_default=False) if passphrase else ""
    with reported_errors():
        key = PrivateKey.from_mnemonic(words, passphrase=secret, path=path)
        summary = account_summary(key, path)
    emit(summary, as_json, lambda: console.print(field_table("Account key", account_rows(summary))))


@app.command("consensus-address")
def consensus_address(
    key_file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="tmkms softsign key file (base64 of the 32-byte seed, or seed || public key).",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Show the consensus address and validator key of a tmkms key file."""
    with reported_errors():
        key = ConsensusKey.from_tmkms_file(key_file)
    summary = {
        "address_hex": key.address_hex,
        "valcons_address": key.address(),
        "validator_key": key.public_key_base64,
    }
    rows = [
        ("address", summary["address_hex"]),
        ("valcons", summary["valcons_address"]),
        ("validator key", summary["validator_key"]),
    ]
    emit(summary, as_json, lambda: console.print(field_table("Consensus key", rows)))
