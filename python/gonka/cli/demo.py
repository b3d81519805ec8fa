"""`gonka demo`: a short tour of the key API — new mnemonic -> gonka address -> sign -> verify."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from gonka.keys import DEFAULT_PATH, Mnemonic, PrivateKey

console = Console(highlight=False, soft_wrap=True)

MESSAGE = b"hello, gonka"


def demo(
    words: Annotated[int, typer.Option("--words", help="Mnemonic length: 12 or 24 words.")] = 24,
    show_mnemonic: Annotated[
        bool, typer.Option("--show-mnemonic", help="Also print the throwaway mnemonic's words.")
    ] = False,
) -> None:
    """Create a throwaway account key, derive its address, sign a message and verify the signature."""
    if words not in (12, 24):
        raise typer.BadParameter("choose 12 or 24 words", param_hint="--words")
    started = time.perf_counter()
    mnemonic = Mnemonic.generate(words=words)
    key = PrivateKey.from_mnemonic(mnemonic, path=DEFAULT_PATH)
    public = key.public_key
    signature = key.sign(MESSAGE)
    valid = public.verify(MESSAGE, signature)
    tampered = bytearray(signature)
    tampered[-1] ^= 1
    rejects_tampered = not public.verify(MESSAGE, bytes(tampered))
    rejects_other_message = not public.verify(MESSAGE + b"!", signature)
    elapsed_ms = (time.perf_counter() - started) * 1000

    steps = Table(title="gonka key API demo", title_justify="left", show_header=False)
    steps.add_column(style="bold cyan", no_wrap=True)
    steps.add_column(overflow="fold")
    shown = mnemonic.phrase if show_mnemonic else f"{mnemonic!r}  (hidden; --show-mnemonic prints it)"
    steps.add_row("1. mnemonic", shown)
    steps.add_row("2. derive", f"BIP 39 seed -> BIP 32 {DEFAULT_PATH} (coin type 1200)")
    steps.add_row("   public key", public.compressed.hex())
    steps.add_row("   address", f"[bold green]{public.address()}[/bold green]")
    steps.add_row("   operator", public.address("gonkavaloper"))
    steps.add_row("3. sign", f"{MESSAGE.decode()!r} -> {signature.hex()}")
    steps.add_row("4. verify", check(valid, "signature verifies"))
    steps.add_row("", check(rejects_tampered, "a tampered signature is rejected"))
    steps.add_row("", check(rejects_other_message, "another message is rejected"))
    console.print(steps)
    ok = valid and rejects_tampered and rejects_other_message
    verdict = "all checks passed" if ok else "a check FAILED"
    console.print(
        Panel(
            f"{verdict} in {elapsed_ms:.1f} ms — the key is thrown away when this command exits",
            border_style="green" if ok else "red",
        )
    )
    if not ok:
        raise typer.Exit(1)


def check(passed: bool, what: str) -> str:
    return f"[green]✓[/green] {what}" if passed else f"[red]✗ {what}[/red]"
