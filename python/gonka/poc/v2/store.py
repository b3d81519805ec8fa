"""The participant's artifact store: one sparse Merkle sum tree per (PoC stage, model).

Leaves are ``LE32(u32(nonce)) ‖ vector`` at the path of the nonce's bits; a nonce is stored once
(later copies are dropped, as the API node's ``ErrDuplicateNonce``). :meth:`ArtifactStore.commit`
freezes the tree of everything received so far: its ``(count, root)`` goes on chain in
``MsgPoCV2StoreCommit`` and proofs are served for committed counts only (a count the store never
committed has no root the chain could hold).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gonka import _native
from gonka.errors import InvalidInput

__all__ = ["ArtifactStore", "Commitment", "ProofItem", "StoreNotFound", "u32_of"]

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class StoreNotFound(InvalidInput):
    """No commitment (or no store) matches a proof request."""


def u32_of(nonce: int) -> int:
    """The leaf key: the int32 nonce's bit pattern as u32."""
    if not INT32_MIN <= nonce <= INT32_MAX:
        raise InvalidInput(f"nonce {nonce} does not fit in int32")
    return nonce & 0xFFFFFFFF


def int32_of(key: int) -> int:
    return key - 2**32 if key >= 2**31 else key


@dataclass(frozen=True)
class Commitment:
    """A committed state: the leaf count and the 32-byte root."""

    count: int
    root: bytes


@dataclass(frozen=True)
class ProofItem:
    """One leaf with its proof (``leaf_index`` = dense index; ``proof`` root to leaf, 36 bytes each)."""

    leaf_index: int
    nonce_value: int
    vector_bytes: bytes
    proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf_index,
            "nonce_value": self.nonce_value,
            "vector_bytes": base64.b64encode(self.vector_bytes).decode(),
            "proof": [base64.b64encode(e).decode() for e in self.proof],
        }

    @classmethod
    def from_json(cls, data: Any) -> ProofItem:
        if not isinstance(data, dict):
            raise InvalidInput(f"a proof item is an object, got {type(data).__name__}")
        try:
            leaf_index, nonce = data["leaf_index"], data["nonce_value"]
            vector = base64.b64decode(data["vector_bytes"], validate=True)
            proof = tuple(base64.b64decode(e, validate=True) for e in data["proof"])
        except (KeyError, TypeError, ValueError) as err:
            raise InvalidInput(f"malformed proof item: {err}") from None
        for name, value, low, high in (
            ("leaf_index", leaf_index, 0, 2**32 - 1),
            ("nonce_value", nonce, INT32_MIN, INT32_MAX),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(f"{name} out of range: {value!r}")
        return cls(leaf_index, nonce, vector, proof)

    def native(self) -> tuple[int, int, bytes, list[bytes]]:
        return (self.leaf_index, self.nonce_value & 0xFFFFFFFF, self.vector_bytes, list(self.proof))


def _item(proof: tuple[int, int, bytes, list[bytes]]) -> ProofItem:
    dense, key, vector, elements = proof
    return ProofItem(dense, int32_of(key), vector, tuple(elements))


class ArtifactStore:
    """Artifacts of one (stage, model); thread-safe."""

    def __init__(self, stage: int, model_id: str) -> None:
        self.stage = stage
        self.model_id = model_id
        self._lock = threading.Lock()
        self._order: list[tuple[int, bytes]] = []
        self._seen: set[int] = set()
        self._snapshots: dict[int, Any] = {}
        self.duplicates = 0

    def add(self, nonce: int, vector: bytes) -> bool:
        """Stores an artifact; False (and counted in ``duplicates``) when the nonce is already in."""
        key = u32_of(nonce)
        if not isinstance(vector, (bytes, bytearray)):
            raise InvalidInput(f"vector must be bytes, got {type(vector).__name__}")
        with self._lock:
            if key in self._seen:
                self.duplicates += 1
                return False
            self._seen.add(key)
            self._order.append((key, bytes(vector)))
            return True

    def add_b64(self, artifacts: Iterable[tuple[int, str]]) -> int:
        """Stores ``(nonce, vector_b64)`` pairs; returns how many were new."""
        added = 0
        for nonce, vector_b64 in artifacts:
            try:
                vector = base64.b64decode(vector_b64, validate=True)
            except (TypeError, ValueError) as err:
                raise InvalidInput(f"nonce {nonce}: vector is not base64: {err}") from None
            added += self.add(nonce, vector)
        return added

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._order)

    def nonces(self) -> list[int]:
        with self._lock:
            return [int32_of(key) for key, _ in self._order]

    def commit(self) -> Commitment:
        """Freezes the current tree; its commitment can then be proven against."""
        with self._lock:
            count = len(self._order)
            tree = self._snapshots.get(count)
            if tree is None:
                keys = [key for key, _ in self._order]
                vectors = [vector for _, vector in self._order]
                tree = _native.PocV2SumTree(keys, vectors)
                self._snapshots[count] = tree
        return Commitment(tree.count, bytes(tree.root))

    def _tree(self, count: int, root: bytes) -> Any:
        with self._lock:
            tree = self._snapshots.get(count)
        if tree is None:
            raise StoreNotFound(f"count {count} was never committed")
        if bytes(tree.root) != root:
            raise StoreNotFound(f"root does not match the store at count {count}")
        return tree

    def proofs(self, leaf_indices: Sequence[int], count: int, root: bytes) -> list[ProofItem]:
        """Proofs of the leaves at ``leaf_indices`` of the committed ``(count, root)``."""
        tree = self._tree(count, root)
        out = []
        for index in leaf_indices:
            proof = tree.proof_at(index) if 0 <= index < count else None
            if proof is None:
                raise InvalidInput(f"leaf_index {index} out of range for count {count}")
            out.append(_item(proof))
        return out

    def proofs_by_nonce(self, nonces: Sequence[int], count: int, root: bytes) -> list[ProofItem]:
        """Proofs of the requested nonces present in the committed tree (absent ones are left out)."""
        tree = self._tree(count, root)
        out = []
        for nonce in nonces:
            proof = tree.proof(u32_of(nonce))
            if proof is not None:
                out.append(_item(proof))
        return out


def verify_proofs(root: bytes, count: int, items: Sequence[ProofItem]) -> list[str | None]:
    """Per item, None when its proof leads to ``(root, count)``, else why not."""
    return _native.pocv2_smst_verify(root, count, [item.native() for item in items])
