"""The PoC random streams, bit-identical to the reference (numpy's PCG64 + float64 ziggurat).

Every stream of the protocol comes from ``get_rng(seed, num_hashes)``: SHA-256 of ``"{seed}_{i}"``
for ``i < num_hashes`` gives the entropy of a numpy ``SeedSequence`` seeding PCG64. The streams are
generated in Rust (numpy is not needed to reproduce them); batch functions release the GIL, run on
all cores and write into caller-owned arrays (``out=`` may be a view of a pinned torch tensor,
``tensor.numpy()``).

* ``inputs``: per nonce, ``standard_normal((seq_len, dim))`` of seed
  ``{block_hash}_{public_key}_nonce{nonce}``; float16 is ``f16(f32(x))``, exactly PyTorch's
  double -> half conversion.
* ``permutations``: per nonce, ``permutation(vocab_size)`` of seed
  ``{block_hash}_{public_key}_nonce_{nonce}_permutations``.
* ``target``: ``standard_normal(vocab_size)`` of seed ``{block_hash}_target``, normalized with numpy
  exactly as the reference does (``y / np.linalg.norm(y, axis=1, keepdims=True)``).
* ``weight_pool``: ``normal(0, 0.02, pool_size)`` of seed ``{block_hash}``, cast to float32 then
  float16; generated in parallel, bit-identical to the sequential draw.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

import numpy as np

from gonka import _native
from gonka.errors import InvalidInput
from gonka.poc.nonces import int64_array

__all__ = [
    "INPUT_DTYPES",
    "POOL_DTYPES",
    "Generator",
    "inputs",
    "name_hash",
    "permutations",
    "seed_entropy",
    "target",
    "weight_pool",
]

#: dtypes ``inputs`` can write.
INPUT_DTYPES = ("float16", "float32", "float64")
#: dtypes ``weight_pool`` can write (float64 is the draw before the reference's casts).
POOL_DTYPES = ("float16", "float32", "float64")


def seed_entropy(seed: str, num_hashes: int) -> list[int]:
    """The uint32 entropy words of ``get_rng(seed, num_hashes)``: 8 little-endian words per digest."""
    return _native.poc_seed_entropy(seed, _int("num_hashes", num_hashes))


def name_hash(block_hash: str, name: str) -> int:
    """The weight pool's per-parameter hash: SHA256("{block_hash}_{name}")'s first 4 bytes, big-endian."""
    return _native.poc_name_hash(block_hash, name)


class Generator:
    """numpy's ``default_rng(SeedSequence(seed_entropy(seed, num_hashes)))``, draw for draw."""

    def __init__(self, seed: str, num_hashes: int) -> None:
        self._native = _native.PocGenerator(seed, _int("num_hashes", num_hashes))

    def next_u64(self) -> int:
        """The next raw 64-bit output of PCG64 (numpy's ``bit_generator.random_raw()``)."""
        return self._native.next_u64()

    def standard_normal(self, n: int) -> np.ndarray:
        """``standard_normal(n)`` as float64."""
        return self._native.standard_normal(_int("n", n))

    def normal(self, loc: float, scale: float, n: int) -> np.ndarray:
        """``normal(loc, scale, n)`` = loc + scale * z as float64."""
        return self._native.normal(float(loc), float(scale), _int("n", n))

    def permutation(self, n: int) -> np.ndarray:
        """``permutation(n)`` as int64."""
        return self._native.permutation(_int("n", n))


def inputs(
    block_hash: str,
    public_key: str,
    nonces: Iterable[int] | np.ndarray,
    seq_len: int,
    dim: int,
    *,
    dtype: str = "float16",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Input embeddings of many nonces, ``[B, seq_len, dim]`` in ``dtype`` (float16 = f16(f32(x)))."""
    nonce_array = _nonces(nonces)
    seq_len, dim = _int("seq_len", seq_len), _int("dim", dim)
    out = _out(out, dtype, INPUT_DTYPES, (len(nonce_array), seq_len, dim))
    _native.poc_inputs(block_hash, public_key, nonce_array, seq_len, dim, out)
    return out


def permutations(
    block_hash: str,
    public_key: str,
    nonces: Iterable[int] | np.ndarray,
    vocab_size: int,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Output permutations of many nonces, int64 ``[B, vocab_size]``."""
    nonce_array = _nonces(nonces)
    vocab_size = _int("vocab_size", vocab_size)
    out = _out(out, "int64", ("int64",), (len(nonce_array), vocab_size))
    _native.poc_permutations(block_hash, public_key, nonce_array, vocab_size, out)
    return out


def target(block_hash: str, vocab_size: int) -> np.ndarray:
    """The block's target: a float64 unit vector ``[vocab_size]``, bit-identical to the reference.

    The normals come from Rust; the normalization is the reference's own numpy expression, so it
    follows numpy's pairwise-summed norm to the last bit on every numpy version.
    """
    vocab_size = _int("vocab_size", vocab_size)
    if vocab_size == 0:
        raise InvalidInput("vocab_size must be >= 1")
    y = _native.poc_target_normals(block_hash, vocab_size).reshape(1, vocab_size)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    unit: np.ndarray = y[0]
    return unit


def weight_pool(
    block_hash: str,
    pool_size: int,
    *,
    dtype: str = "float16",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The block's weight pool: ``normal(0, 0.02, pool_size)`` cast to float32, then to float16.

    ``dtype="float32"`` stops after the first cast (the reference's float32 models);
    ``"float64"`` gives the draw itself. Uses all cores; no float64 copy is made for the others.
    """
    pool_size = _int("pool_size", pool_size)
    out = _out(out, dtype, POOL_DTYPES, (pool_size,))
    _native.poc_weight_pool(block_hash, out)
    return out


def _int(what: str, value: Any) -> int:
    try:
        number = operator.index(value)
    except TypeError:
        raise InvalidInput(f"{what} must be an integer, got {type(value).__name__}") from None
    if number < 0:
        raise InvalidInput(f"{what} must be >= 0, got {number}")
    return number


def _nonces(nonces: Iterable[int] | np.ndarray) -> np.ndarray:
    """Nonces as a contiguous int64 array; rejects non-integers, negatives and out-of-range values."""
    array = int64_array(nonces)
    if array.size and int(array.min()) < 0:
        raise InvalidInput(f"nonce must be >= 0, got {int(array.min())}")
    return array


def _out(out: np.ndarray | None, dtype: str, allowed: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
    """The output array: a new one, or the caller's after checking its dtype (shape, layout and
    writability are checked natively)."""
    if dtype not in allowed:
        raise InvalidInput(f"unknown dtype {dtype!r}, expected one of {', '.join(allowed)}")
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray):
        raise InvalidInput(f"out must be a numpy array, got {type(out).__name__}")
    if out.dtype != np.dtype(dtype):
        raise InvalidInput(f"out has dtype {out.dtype}, expected {dtype}")
    return out
