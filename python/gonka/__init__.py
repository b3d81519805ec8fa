"""gonka: a Rust-accelerated Python library for the Gonka network.

Layers: primitives (``gonka.hashing``, ``gonka.keys``, ``gonka.address``, ``gonka.tx``, ``gonka.proofs``) ->
``gonka.poc`` (Proof of Compute) -> ``gonka.node`` (ML node service) and ``gonka.client`` (chain access) ->
``gonka.cli``.
"""

from gonka._native import __version__
from gonka.errors import GonkaError

__all__ = ["GonkaError", "__version__"]
