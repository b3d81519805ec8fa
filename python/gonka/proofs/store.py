"""ICS23 store proofs: one key in a module's IAVL store, and the two-op chain from that key to the
app hash a block header carries (``ics23:iavl`` then ``ics23:simple``).

>>> verify_membership("iavl", proof, root, key, value)       # doctest: +SKIP
>>> verify_store_value(answer, b"inference", key, value, app_hash=header.app_hash)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from gonka import _native

Json = str | bytes | Mapping[str, Any]
"""A node's JSON answer: its text, its bytes, or the parsed object."""

SpecName = Literal["iavl", "tendermint"]


@dataclass(frozen=True)
class ProofOp:
    """One CometBFT proof operation: ``ics23:iavl`` or ``ics23:simple``, the key it proves, its data."""

    type: str
    key: bytes
    data: bytes


@dataclass(frozen=True)
class StoreProof:
    """What a verified store proof establishes: the module's IAVL root and the app hash above it."""

    store_root: bytes
    app_hash: bytes
    leaf_version: int | None
    """The IAVL version (block height) that last wrote the key."""


def verify_membership(spec: SpecName, proof: bytes, root: bytes, key: bytes, value: bytes) -> None:
    """Verify an ICS23 existence proof of ``key = value`` under ``root``; raises
    :class:`~gonka.errors.MembershipError` (or :class:`~gonka.errors.MalformedProof`) naming the check.
    For ``"iavl"`` the leaf must also have height 0 and size 1, as Go's ics23 requires.
    """
    _native.proofs_verify_membership(spec, proof, root, key, value)


def verify_non_membership(spec: SpecName, proof: bytes, root: bytes, key: bytes) -> None:
    """Verify an ICS23 non-existence proof of ``key`` under ``root``."""
    _native.proofs_verify_non_membership(spec, proof, root, key)


def parse_proof_ops(answer: Json) -> list[ProofOp]:
    """The proof ops of an API node answer (``proof_ops``) or a CometBFT ``abci_query`` (``proofOps``,
    with or without the JSON-RPC envelope).
    """
    return [ProofOp(t, k, d) for t, k, d in _native.proofs_parse_proof_ops(answer)]


def verify_store_value(
    proof_ops: Json, store: bytes, key: bytes, value: bytes, *, app_hash: bytes | None = None
) -> StoreProof:
    """Verify the two-op chain for ``store``/``key`` = ``value``. With ``app_hash`` (from an authenticated
    header ``H+1``) the proven app hash must equal it; without, the caller must compare
    :attr:`StoreProof.app_hash` itself.
    """
    store_root, proven, version = _native.proofs_verify_store_value(proof_ops, store, key, value, app_hash)
    return StoreProof(store_root=store_root, app_hash=proven, leaf_version=version)


__all__ = [
    "Json",
    "ProofOp",
    "SpecName",
    "StoreProof",
    "parse_proof_ops",
    "verify_membership",
    "verify_non_membership",
    "verify_store_value",
]
