"""The validator's leaf sampling, bit for bit (Go's ``math/rand`` and ``Intn`` ported exactly).

``seed = int64(BE64(SHA-256(seed_input)[:8]))``, a Go ``math/rand`` source, then a lazy Fisher–Yates
shuffle. ``seed_input`` is ``"{validator_pubkey}:{sampling_block_hash}:{stage_height}"``, with
``":{model_id}"`` appended from v0.2.12. The sampling block hash is the block current when
validation starts, so the sample is unpredictable for hosts and a validator's local choice.
"""

from __future__ import annotations

from gonka import _native
from gonka.errors import InvalidInput

__all__ = ["DEFAULT_SAMPLE_SIZE", "go_int63", "sample_leaf_indices", "seed_input"]

#: ``validation_sample_size`` (genesis value, also the dapi's fallback).
DEFAULT_SAMPLE_SIZE = 200


def seed_input(validator_pubkey: str, block_hash: str, stage_height: int, model_id: str | None = None) -> str:
    """The sampling seed string; ``model_id=None`` for v0.2.9 to v0.2.11."""
    base = f"{validator_pubkey}:{block_hash}:{stage_height}"
    return base if model_id is None else f"{base}:{model_id}"


def sample_leaf_indices(seed: str, count: int, sample_size: int = DEFAULT_SAMPLE_SIZE) -> list[int]:
    """``sample_size`` distinct dense leaf indices of ``0..count`` (all of them, in order, when
    ``count <= sample_size``)."""
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count < 2**32:
        raise InvalidInput(f"count must be a uint32, got {count!r}")
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 0:
        raise InvalidInput(f"sample_size must be a non-negative integer, got {sample_size!r}")
    return _native.pocv2_sample_leaf_indices(seed, count, sample_size)


def go_int63(seed: int, n: int) -> list[int]:
    """The first ``n`` values of Go's ``rand.New(rand.NewSource(seed)).Int63()``."""
    return _native.pocv2_go_int63(seed, n)
