"""Automatic batch sizes and the model memory follow each engine's memory model."""

import pytest
from gonka.errors import InvalidInput
from gonka.poc import PARAMS_SMALL, PARAMS_V2
from gonka.poc.engines import activation_bytes_per_nonce, model_bytes
from gonka.poc.model import GPU_MEMORY_FRACTION, MAX_GPU_BATCH_SIZE, batch_size_for_memory

GIB = 2**30


def test_triton_needs_far_less_activation_memory_than_eager_torch() -> None:
    eager = activation_bytes_per_nonce(PARAMS_V2, "torch")
    fused = activation_bytes_per_nonce(PARAMS_V2, "triton")
    # The reference's autobs figure for PARAMS_V2 is 127 MiB per nonce; ours adds the fp32 softmax.
    assert 100 * 2**20 < eager < 400 * 2**20
    assert fused == 256 * (6 * 1792 + 49152) * 2
    assert fused * 5 < eager


def test_float32_doubles_the_activation_bytes_of_the_fused_engine() -> None:
    assert activation_bytes_per_nonce(PARAMS_SMALL, "triton", 4) == 2 * activation_bytes_per_nonce(
        PARAMS_SMALL, "triton", 2
    )


def test_unknown_engine_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="unknown engine"):
        activation_bytes_per_nonce(PARAMS_V2, "cuda-magic")


def test_batch_size_fills_the_memory_fraction_within_its_bounds() -> None:
    per_nonce = activation_bytes_per_nonce(PARAMS_V2, "torch")
    free = 40 * GIB
    assert batch_size_for_memory(free, per_nonce) == int(free * GPU_MEMORY_FRACTION // per_nonce)
    assert batch_size_for_memory(1, per_nonce) == 1
    assert batch_size_for_memory(10**15, per_nonce) == MAX_GPU_BATCH_SIZE
    with pytest.raises(InvalidInput, match="bytes_per_nonce"):
        batch_size_for_memory(free, 0)


def test_model_memory_follows_the_dtype() -> None:
    for engine in ("torch", "triton"):
        half = model_bytes(PARAMS_V2, engine, "float16", device="cpu")
        assert model_bytes(PARAMS_V2, engine, "float32", device="cpu") == 2 * half
    # bfloat16 pools are drawn in float32 first: the peak holds both for a moment.
    pool = PARAMS_V2.pool_size
    assert model_bytes(PARAMS_V2, "torch", "bfloat16", device="cpu") == pool * (2 + 4)
    with pytest.raises(InvalidInput, match="dtype"):
        model_bytes(PARAMS_V2, "torch", "float8")


def test_model_memory_counts_the_buffers_each_engine_makes_on_cuda() -> None:
    p, pool = PARAMS_V2, PARAMS_V2.pool_size
    d, h, v = p.dim, p.ffn_hidden, p.vocab_size
    # Torch: the pool, and one aligned scratch buffer per weight shape (Q/K/V/O, W1/W3, W2, output).
    scratch = d * d + h * d + d * h + v * d
    assert model_bytes(p, "torch", "float16", device="cuda") == 2 * (pool + scratch)
    # Triton: the pool, its 7 shifted copies for 16-byte alignment, and the stacked Q/K/V weights.
    qkv = p.n_layers * 3 * d * d
    shifted = sum(pool - shift for shift in range(1, 8))
    assert model_bytes(p, "triton", "float16", device="cuda") == 2 * (pool + shifted + qkv)
    # In float32 four elements fill 16 bytes: three shifted copies.
    shifted32 = sum(pool - shift for shift in range(1, 4))
    assert model_bytes(p, "triton", "float32", device="cuda") == 4 * (pool + shifted32 + qkv)
    assert (
        model_bytes(p, "torch", "float16", device="cuda") < 2.5 * GIB
    )  # not 35.5 GB of materialized weights


def test_model_memory_matches_what_a_cpu_model_holds() -> None:
    torch = pytest.importorskip("torch")
    from gonka.poc import PocModel

    for dtype in ("float32", "float16"):
        model = PocModel(PARAMS_SMALL, "memory-test", dtype=dtype)
        assert model.weights.pool.dtype == getattr(torch, dtype)
        # PARAMS_SMALL tiles its larger weights (copies); the model counts them with the pool.
        assert model_bytes(PARAMS_SMALL, "torch", dtype, device="cpu") == model.weights.nbytes
