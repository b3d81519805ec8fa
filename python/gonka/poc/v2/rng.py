"""PoC v2's exact primitives: seeds, the murmur variant, uniforms, normals, inputs, pick, Haar chain.

Everything is computed in Rust. Integer steps are bit-exact; float32 steps round where the reference
rounds, with ``ln``/``sin``/``cos`` correctly rounded (the reference's float32 libraries are within a
few ulps of them, so bfloat16/float16 inputs agree except for rare one-ulp cases).

* ``seed32(s)``: first four bytes of SHA-256(``s``), big-endian.
* ``murmur(seed, n)``: ``mm(i, seed)`` for ``i < n`` (one MurmurHash3 block without ``h ^= len``).
* ``uniform(seed, n)``, ``normal(seed, n)``: the float32 streams (``normal``'s pairing depends on n).
* ``inputs(...)``: per-nonce ``[seq_len, hidden]`` input embeddings (optionally the stronger RNG).
* ``pick(...)``: the 12 coordinates in CUDA's ``topk`` order; ``artifacts(...)``: pick, Haar chain,
  normalisation and fp16 encoding of last hidden states.
"""

from __future__ import annotations

import base64
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from gonka import _native
from gonka.errors import InvalidInput
from gonka.poc.nonces import int64_array

__all__ = [
    "DEFAULT_K_DIM",
    "INPUT_DTYPES",
    "artifacts",
    "decode_vector",
    "encode_vector",
    "haar_vectors",
    "input_seed",
    "inputs",
    "layer_seed",
    "layer_vector",
    "murmur",
    "normal",
    "pick",
    "seed32",
    "seed256",
    "uniform",
]

#: The artifact dimension (``k_dim``); not on chain, every release uses 12.
DEFAULT_K_DIM = 12
#: numpy dtypes ``inputs`` writes ("bfloat16" needs an int16/uint16 ``out`` holding the bits).
INPUT_DTYPES = ("float32", "float16", "bfloat16")


def seed32(s: str) -> int:
    return _native.pocv2_seed32(s)


def seed256(s: str) -> list[int]:
    """The eight big-endian words of SHA-256(``s``): the stronger RNG's segment seeds."""
    return _native.pocv2_seed256(s)


def input_seed(block_hash: str, public_key: str, nonce: int) -> str:
    return f"{block_hash}_{public_key}_nonce{nonce}"


def layer_seed(block_hash: str, layer: int) -> str:
    return f"{block_hash}_layer_{layer}_householder"


def murmur(seed: int, n: int) -> np.ndarray:
    """``mm(i, seed)`` for ``i`` in ``0..n`` (uint32)."""
    return _native.pocv2_murmur(_u32("seed", seed), _size("n", n))


def uniform(seed: int, n: int) -> np.ndarray:
    """``float32(mm(i, seed)) / 2**32`` (float32; may be exactly 1.0)."""
    return _native.pocv2_uniform(_u32("seed", seed), _size("n", n))


def normal(seed: int, n: int) -> np.ndarray:
    """The Box–Muller stream ``normal(seed, n)`` (float32)."""
    return _native.pocv2_normal(_u32("seed", seed), _size("n", n))


def layer_vector(block_hash: str, layer: int, hidden: int) -> np.ndarray:
    """Layer ``layer``'s Householder unit vector (float32; normalised in float64, rounded once)."""
    v = normal(seed32(layer_seed(block_hash, layer)), hidden)
    unit: np.ndarray = (v / np.float32(np.sqrt(np.sum(v.astype(np.float64) ** 2)))).astype(np.float32)
    return unit


def inputs(
    block_hash: str,
    public_key: str,
    nonces: Iterable[int] | np.ndarray,
    seq_len: int,
    hidden: int,
    *,
    dtype: str = "float32",
    stronger_rng: bool = False,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Input embeddings ``[B, seq_len, hidden]`` of ``nonces``.

    ``dtype`` "float32" or "float16" gives that numpy dtype; "bfloat16" gives uint16 bit patterns
    (``torch.from_numpy(a).view(torch.bfloat16)``). ``out`` may be a view of a torch tensor's memory
    (for bfloat16 an int16 view). ``stronger_rng`` selects the segmented eight-seed stream.
    """
    nonce_array = int64_array(nonces)
    seq_len, hidden = _size("seq_len", seq_len), _size("hidden", hidden)
    if dtype not in INPUT_DTYPES:
        raise InvalidInput(f"unknown dtype {dtype!r}, expected one of {', '.join(INPUT_DTYPES)}")
    if out is None:
        out = np.empty((len(nonce_array), seq_len, hidden), dtype="uint16" if dtype == "bfloat16" else dtype)
    elif not isinstance(out, np.ndarray):
        raise InvalidInput(f"out must be a numpy array, got {type(out).__name__}")
    _native.pocv2_inputs(
        block_hash,
        public_key,
        nonce_array,
        seq_len,
        hidden,
        out,
        stronger=bool(stronger_rng),
        bfloat16=dtype == "bfloat16",
    )
    return out


def pick(
    block_hash: str, public_key: str, nonces: Iterable[int] | np.ndarray, hidden: int, k: int = DEFAULT_K_DIM
) -> np.ndarray:
    """``[B, k]`` int64 coordinates: the ``k-1`` smallest scores in ascending index order, then the
    ``k``-th smallest (what ``torch.topk`` returns on CUDA; torch on CPU orders them differently)."""
    return _native.pocv2_pick(
        block_hash, public_key, int64_array(nonces), _size("hidden", hidden), _size("k", k)
    )


def haar_vectors(block_hash: str, public_key: str, nonce: int, k: int = DEFAULT_K_DIM) -> np.ndarray:
    """The ``k-1`` unit vectors of a nonce's Haar chain, float32 ``[k-1, k]``."""
    return _native.pocv2_haar_vectors(block_hash, public_key, _int("nonce", nonce), _size("k", k))


def artifacts(
    block_hash: str,
    public_key: str,
    nonces: Iterable[int] | np.ndarray,
    last_hidden: np.ndarray,
    k: int = DEFAULT_K_DIM,
) -> np.ndarray:
    """Artifacts ``[B, k]`` (float16) from last-position final-norm hidden states ``[B, hidden]``:
    normalise, pick in CUDA's order, the Haar chain, normalise, round to float16."""
    nonce_array = int64_array(nonces)
    hidden = np.ascontiguousarray(np.asarray(last_hidden, dtype=np.float32))
    if hidden.ndim != 2 or hidden.shape[0] != len(nonce_array):
        raise InvalidInput(f"last_hidden must be [{len(nonce_array)}, hidden], got {list(hidden.shape)}")
    bits = _native.pocv2_artifacts(block_hash, public_key, nonce_array, hidden, _size("k", k))
    vectors: np.ndarray = bits.view(np.float16)
    return vectors


def encode_vector(vector: np.ndarray | Sequence[float]) -> str:
    """base64 of the float16 little-endian bytes (``vector_b64``)."""
    return base64.b64encode(np.asarray(vector, dtype="<f2").tobytes()).decode("ascii")


def decode_vector(vector_b64: str) -> np.ndarray:
    """float16 little-endian base64 -> float32 (what validators compare)."""
    try:
        raw = base64.b64decode(vector_b64, validate=True)
    except ValueError as err:
        raise InvalidInput(f"vector is not base64: {err}") from None
    if len(raw) % 2:
        raise InvalidInput(f"a float16 vector has an even number of bytes, got {len(raw)}")
    decoded: np.ndarray = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    return decoded


def _int(what: str, value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{what} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise InvalidInput(f"{what} must be an integer, got {type(value).__name__}") from None


def _size(what: str, value: Any) -> int:
    number = _int(what, value)
    if number < 0:
        raise InvalidInput(f"{what} must be >= 0, got {number}")
    return number


def _u32(what: str, value: Any) -> int:
    number = _int(what, value)
    if not 0 <= number < 2**32:
        raise InvalidInput(f"{what} must be a uint32, got {number}")
    return number
