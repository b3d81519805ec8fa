"""Hash functions used by the chain (computed in Rust)."""

from gonka._native import hash160, ripemd160, sha256

__all__ = ["hash160", "ripemd160", "sha256"]
