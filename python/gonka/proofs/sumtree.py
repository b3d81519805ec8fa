"""PoC v2 artifact commitments: the sparse Merkle sum tree over (nonce, vector) artifacts, and the legacy
Merkle mountain range it replaced.

A participant commits its artifacts of one PoC stage and model as (root, count) on chain; validators
sample leaves and check the proofs the API node serves. The tree is built in Rust (about a million
artifacts per second on one core); proofs verify in batches without the GIL.

>>> tree = SumTree(nonces, vectors)     # vectors: 2-D float16 array or list of bytes  # doctest: +SKIP
>>> proof = tree.proof(nonce)                                                       # doctest: +SKIP
>>> proof.verify(tree.root, tree.count)                                             # doctest: +SKIP
>>> verify_sum_tree_proofs(root, count, proofs)   # [None, SumTreeError(...), ...]  # doctest: +SKIP

Rules (the protocol's, with stricter but compatible verification): leaf ``SHA256(0x00 ‖ LE32(nonce) ‖
vector)``, node ``SHA256(0x01 ‖ L ‖ R ‖ LE32(count))``, depth 24 (or the largest nonce's bit length, at
most 32), proof elements ``sibling hash ‖ LE32(sibling count)`` from the root down; sums are checked
for overflow, elements must be 36 bytes, and the nonce must fit the proof's depth.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from gonka import _native
from gonka._native import SumTree, SumTreeProof
from gonka.errors import SumTreeError

MIN_DEPTH = 24
MAX_DEPTH = 32
ELEMENT_LEN = 36


def artifact_leaf(nonce: int, vector: bytes) -> bytes:
    """The leaf bytes of an artifact: ``LE32(nonce)`` (its 32-bit pattern) then the vector bytes."""
    return struct.pack("<I", nonce & 0xFFFFFFFF) + vector


def verify_sum_tree_proof(
    root: bytes, count: int, dense_index: int, nonce: int, vector: bytes, elements: Sequence[bytes]
) -> None:
    """Verify one artifact proof from its parts; raises :class:`~gonka.errors.SumTreeError` naming the
    failed check (``smst.count``, ``smst.root``, ``smst.dense_index``, ...).
    """
    _native.proofs_sum_tree_verify(root, count, dense_index, nonce, vector, list(elements))


def verify_sum_tree_proofs(
    root: bytes, count: int, proofs: Sequence[SumTreeProof]
) -> list[SumTreeError | None]:
    """Verify many proofs against one commitment, in parallel and without the GIL: one entry per proof,
    ``None`` when it verifies, else the error it fails with.
    """
    return _native.proofs_sum_tree_verify_batch(root, count, list(proofs))


def empty_tree_root(depth: int = MIN_DEPTH) -> bytes:
    """The root of a tree without artifacts."""
    return _native.proofs_sum_tree_empty_hash(depth)


def mmr_root(leaves: Sequence[bytes]) -> bytes:
    """The root of the legacy MMR over leaf bytes in insertion order (see :func:`artifact_leaf`)."""
    return _native.proofs_mmr_root(list(leaves))


def mmr_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The MMR proof of leaf ``index``: siblings in its mountain bottom up, then the other peaks."""
    return _native.proofs_mmr_proof(list(leaves), index)


def verify_mmr_proof(root: bytes, count: int, index: int, leaf: bytes, proof: Sequence[bytes]) -> None:
    """Verify an MMR proof; surplus elements are refused. Raises :class:`~gonka.errors.SumTreeError`."""
    _native.proofs_mmr_verify(root, count, index, leaf, list(proof))


__all__ = [
    "ELEMENT_LEN",
    "MAX_DEPTH",
    "MIN_DEPTH",
    "SumTree",
    "SumTreeProof",
    "artifact_leaf",
    "empty_tree_root",
    "mmr_proof",
    "mmr_root",
    "verify_mmr_proof",
    "verify_sum_tree_proof",
    "verify_sum_tree_proofs",
]
