"""`gonka verify-binary FILE SHA256` (also `gonka verify binary`): check a downloaded upgrade binary against
its published SHA-256. Kept apart from the `verify` group so the root command loads it without the HTTP
stack.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from pathlib import Path
from typing import Annotated

import typer

CHUNK = 1 << 20  # stream: binaries are hundreds of MB


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _expected(value: str) -> str:
    text = value.strip().lower().removeprefix("sha256:")
    if len(text) != 64 or any(c not in string.hexdigits for c in text):
        raise typer.BadParameter(f"expected 64 hex digits (optionally 'sha256:' first), got {value!r}")
    return text


def verify_binary(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File to check.")],
    sha256: Annotated[str, typer.Argument(help="Published SHA-256 (hex).")],
) -> None:
    """Verify FILE's SHA-256 (streamed) equals the published one; exit status 1 on mismatch."""
    expected = _expected(sha256)
    actual = file_sha256(file)
    if hmac.compare_digest(actual, expected):
        typer.echo(f"OK  {file}  sha256:{actual}")
        return
    typer.echo(f"MISMATCH  {file}\n  expected sha256:{expected}\n  actual   sha256:{actual}", err=True)
    raise typer.Exit(1)
