"""Shared fixtures: the location of the repository's test vectors."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"


def vector_path(*parts: str) -> Path:
    """A file under ``tests/vectors``; a missing vector is an error, never a reason to skip."""
    path = VECTORS.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"test vector tests/vectors/{'/'.join(parts)} is missing from the checkout")
    return path
