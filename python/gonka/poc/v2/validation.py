"""The validator's check: proof responses, permanent failures, recomputation, L2 and the binomial test.

Order (as the API node and ML node do it):

1. sample leaves (:mod:`gonka.poc.v2.sampling`), fetch proofs for them;
2. permanent failures (:class:`PermanentFailure`, reported as a ``-1`` vote): the response must cover
   exactly the requested leaves, every vector must be 24 bytes of finite fp16 (v0.2.10+), every proof
   must lead to the committed root and count, no nonce twice, and porosity
   ``max |nonce| / count < 100`` (v0.2.11+);
3. recompute the sampled nonces' artifacts and compare: a nonce mismatches when the received vector
   has the wrong length, is not finite, or lies farther than ``dist_threshold`` (L2, float32);
4. ``p = P[Binomial(n_total, p_mismatch) >= n_mismatch]``, fraud iff ``p < fraud_threshold``;
   ``validated_weight = n_total`` when honest, else ``-1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gonka.errors import GonkaError
from gonka.poc.proofs import binomial_p_value
from gonka.poc.v2 import rng
from gonka.poc.v2.params import StatTest
from gonka.poc.v2.store import ProofItem, verify_proofs

__all__ = [
    "POROSITY_LIMIT",
    "VECTOR_BYTES",
    "PermanentFailure",
    "ValidationResult",
    "check_fp16_vector",
    "check_porosity",
    "check_proofs",
    "compare",
    "fraud_test",
    "validated_weight",
]

#: A k = 12 fp16 vector.
VECTOR_BYTES = 2 * rng.DEFAULT_K_DIM
#: ``max |nonce| / count`` at or above this fails permanently.
POROSITY_LIMIT = 100.0


class PermanentFailure(GonkaError):
    """A participant fails validation without recomputation (its vote is ``-1``).

    ``reason``: ``"coverage"``, ``"vector"``, ``"proof"``, ``"duplicate"`` or ``"porosity"``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


def check_fp16_vector(vector: bytes, k_dim: int = rng.DEFAULT_K_DIM) -> None:
    """Exactly ``2·k_dim`` bytes with no NaN or infinity (the API node's ``ValidateFP16Vector``)."""
    if len(vector) != 2 * k_dim:
        raise PermanentFailure("vector", f"expected {2 * k_dim} bytes, got {len(vector)}")
    bits = np.frombuffer(vector, dtype="<u2")
    if np.any((bits & 0x7C00) == 0x7C00):
        raise PermanentFailure("vector", "the fp16 vector holds NaN or infinity")


def check_porosity(nonces: Iterable[int], count: int) -> float:
    """``max |nonce| / count`` of the sampled nonces; raises when it is ``>= 100``."""
    values = [abs(int(n)) for n in nonces]
    if not values or count <= 0:
        return 0.0
    porosity = max(values) / count
    if porosity >= POROSITY_LIMIT:
        raise PermanentFailure(
            "porosity", f"max |nonce| {max(values)} / count {count} = {porosity:.1f} >= 100"
        )
    return porosity


def fraud_test(
    n_mismatch: int, n_total: int, p_mismatch: float, fraud_threshold: float
) -> tuple[float, bool]:
    """``(p_value, fraud_detected)``: one-sided binomial test; ``n_total == 0`` gives ``(1.0, False)``."""
    if n_total == 0:
        return 1.0, False
    p_value = binomial_p_value(n_mismatch, n_total, p_mismatch)
    return p_value, p_value < fraud_threshold


@dataclass(frozen=True)
class ValidationResult:
    """What the ML node reports in its ``/validated`` callback (plus the distances)."""

    n_total: int
    n_mismatch: int
    mismatch_nonces: list[int]
    p_value: float
    fraud_detected: bool
    distances: dict[int, float] = field(default_factory=dict)

    @property
    def validated_weight(self) -> int:
        return validated_weight(self.n_total, self.fraud_detected)

    def to_callback(self) -> dict[str, Any]:
        return {
            "n_total": self.n_total,
            "n_mismatch": self.n_mismatch,
            "mismatch_nonces": list(self.mismatch_nonces),
            "p_value": self.p_value,
            "fraud_detected": self.fraud_detected,
        }


def validated_weight(n_total: int, fraud_detected: bool) -> int:
    """The vote the API node submits: ``n_total`` for a pass, ``-1`` for fraud or nothing checked."""
    return -1 if fraud_detected or n_total <= 0 else n_total


def _vector(value: str | bytes | np.ndarray | Sequence[float]) -> np.ndarray:
    if isinstance(value, str):
        return rng.decode_vector(value)
    if isinstance(value, (bytes, bytearray)):
        if len(value) % 2:
            return np.full(0, np.nan, dtype=np.float32)
        return np.frombuffer(bytes(value), dtype="<f2").astype(np.float32)
    return np.asarray(value, dtype=np.float16).astype(np.float32)


def compare(
    computed: Mapping[int, Any],
    received: Mapping[int, Any],
    nonces: Sequence[int],
    stat_test: StatTest,
    *,
    k_dim: int = rng.DEFAULT_K_DIM,
) -> ValidationResult:
    """Judges ``received`` artifacts (by nonce: base64, bytes or float16 values) against the
    validator's ``computed`` ones. ``n_total = len(nonces)``: a nonce the validator could not compute
    is skipped but still counted, as the reference does."""
    mismatches: list[int] = []
    distances: dict[int, float] = {}
    for nonce in nonces:
        if nonce not in computed or nonce not in received:
            continue
        got = _vector(received[nonce])
        if got.shape != (k_dim,) or not np.all(np.isfinite(got)):
            mismatches.append(nonce)
            distances[nonce] = math.inf
            continue
        mine = _vector(computed[nonce])
        distance = float(np.linalg.norm(mine - got))
        distances[nonce] = distance
        if distance > stat_test.dist_threshold:
            mismatches.append(nonce)
    p_value, fraud = fraud_test(len(mismatches), len(nonces), stat_test.p_mismatch, stat_test.fraud_threshold)
    return ValidationResult(len(nonces), len(mismatches), mismatches, p_value, fraud, distances)


def check_proofs(
    requested: Sequence[int],
    items: Sequence[ProofItem],
    root: bytes,
    count: int,
    *,
    k_dim: int = rng.DEFAULT_K_DIM,
    by_nonce: bool = False,
) -> dict[int, bytes]:
    """The API node's checks of a proof response; returns ``{nonce: vector bytes}``.

    Raises :class:`PermanentFailure`: the items must cover exactly the requested leaf indices (or
    nonces), each vector must be ``2·k_dim`` bytes of finite fp16, each proof must lead to
    ``(root, count)``, no nonce may appear twice, and the porosity must stay below 100.
    """
    keys = [item.nonce_value if by_nonce else item.leaf_index for item in items]
    if len(items) != len(requested) or len(set(keys)) != len(keys) or set(keys) != set(requested):
        raise PermanentFailure(
            "coverage", f"{len(items)} proofs do not cover exactly the {len(requested)} requested leaves"
        )
    for item in items:
        if len(item.vector_bytes) != 2 * k_dim:
            check_fp16_vector(item.vector_bytes, k_dim)
    joined = np.frombuffer(b"".join(item.vector_bytes for item in items), dtype="<u2").reshape(
        len(items), k_dim
    )
    non_finite = np.flatnonzero(((joined & 0x7C00) == 0x7C00).any(axis=1))
    if non_finite.size:
        raise PermanentFailure("vector", f"leaf {items[int(non_finite[0])].leaf_index}: fp16 NaN or infinity")
    for item, failure in zip(items, verify_proofs(root, count, items), strict=True):
        if failure is not None:
            raise PermanentFailure("proof", f"leaf {item.leaf_index}: {failure}")
    nonces = [item.nonce_value for item in items]
    if len(set(nonces)) != len(nonces):
        raise PermanentFailure("duplicate", "a nonce appears twice among the proofs")
    check_porosity(nonces, count)
    return {item.nonce_value: item.vector_bytes for item in items}
