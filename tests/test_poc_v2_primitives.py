"""PoC v2 exact primitives against the spec's §5 vectors, Go's math/rand and torch's formulation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from gonka.errors import InvalidInput
from gonka.poc.v2 import (
    EFFECTIVE_FRAUD_THRESHOLD,
    artifacts,
    decode_vector,
    encode_vector,
    fraud_test,
    inputs,
    layer_vector,
    murmur,
    normal,
    pick,
    sample_leaf_indices,
    seed32,
    seed256,
    stat_test_for,
    uniform,
)
from gonka.poc.v2.params import CHAIN_P_VALUE_THRESHOLD, KIMI, MINIMAX, QWEN
from gonka.poc.v2.sampling import go_int63
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

VECTORS = Path(__file__).parent / "vectors" / "poc_v2"
SPEC = json.loads((VECTORS / "spec_vectors.json").read_text())
GO = json.loads((VECTORS / "go_math_rand_sampling.json").read_text())
BH, PK = SPEC["block_hash"], SPEC["public_key"]


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ia = np.asarray(a, dtype=np.float32).view(np.int32).astype(np.int64)
    ib = np.asarray(b, dtype=np.float32).view(np.int32).astype(np.int64)
    return np.abs(ia - ib)


def _torch_normal(seed: int, n: int) -> torch.Tensor:
    """The reference's formulation, as the spec states it, in torch float32 on the CPU."""
    pairs = (n + 1) // 2
    keys = torch.arange(2 * pairs, dtype=torch.int64)
    k = (keys * 0xCC9E2D51) & 0xFFFFFFFF
    k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
    k = (k * 0x1B873593) & 0xFFFFFFFF
    h = torch.full_like(k, seed) ^ k
    h = ((h << 13) | (h >> 19)) & 0xFFFFFFFF
    h = (h * 5 + 0xE6546B64) & 0xFFFFFFFF
    h = h ^ (h >> 16)
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h = h ^ (h >> 13)
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h = h ^ (h >> 16)
    u = h.to(torch.float32) / 4294967296.0
    u1, u2 = torch.clamp(u[:pairs], min=1e-10), u[pairs:]
    z0 = torch.sqrt(-2.0 * torch.log(u1)) * torch.cos(2.0 * math.pi * u2)
    z1 = torch.sqrt(-2.0 * torch.log(u1)) * torch.sin(2.0 * math.pi * u2)
    return torch.cat([z0, z1])[:n]


def test_seeds_murmur_and_uniforms_bit_for_bit() -> None:
    for template, want in SPEC["seed32"].items():
        assert seed32(template.replace("{BH}", BH).replace("{PK}", PK)) == want
    mm = SPEC["murmur"]
    assert murmur(mm["seed"], 5).tolist() == mm["values"]
    assert int(murmur(mm["seed"], 1)[0]) != mm["standard_mmh3_first"]
    bits = uniform(SPEC["uniform_f32_bits"]["seed"], 4).view(np.uint32).tolist()
    assert bits == [int(b, 16) for b in SPEC["uniform_f32_bits"]["bits"]]
    assert seed256(f"{BH}_{PK}_nonce0") == SPEC["inputs_bf16_stronger"]["sub_seeds"]


def test_normals_within_ulps_of_the_spec_and_of_torch() -> None:
    spec = SPEC["normal"]
    z = normal(spec["seed"], spec["n"])
    assert _ulps(z[:4], np.array(spec["first"], dtype=np.float32)).max() <= 3
    # The whole stream against torch's float32 formulation: same pairing, a few ulps at most.
    for n in (8192, 8191, 12):
        ours = normal(spec["seed"], n)
        theirs = _torch_normal(spec["seed"], n).numpy()
        diff = _ulps(ours, theirs)
        assert diff.max() <= 4, (n, diff.max())
        assert (diff == 0).mean() > 0.6
    # n-dependent pairing: a prefix of a longer stream is not the shorter stream.
    assert normal(1, 10)[0] != normal(1, 8)[0]


def test_inputs_bfloat16_and_stronger_rng_bit_for_bit() -> None:
    spec = SPEC["inputs_bf16"]
    bits = inputs(BH, PK, [0], spec["seq_len"], spec["hidden"], dtype="bfloat16")
    values = torch.from_numpy(bits.view(np.int16)).view(torch.bfloat16).float().numpy()[0]
    assert values[0, :4].tolist() == spec["row0_first"]
    assert values[-1, -4:].tolist() == spec["row1023_last"]
    strong = inputs(BH, PK, [0], spec["seq_len"], spec["hidden"], dtype="bfloat16", stronger_rng=True)
    strong_values = torch.from_numpy(strong.view(np.int16)).view(torch.bfloat16).float().numpy()[0]
    assert strong_values[0, :4].tolist() == SPEC["inputs_bf16_stronger"]["row0_first"]
    # float32 and float16 are the same stream before the cast; a batch equals its rows.
    f32 = inputs(BH, PK, [3, 0], 4, 64)
    assert np.array_equal(f32[1].reshape(-1), normal(seed32(f"{BH}_{PK}_nonce0"), 4 * 64))
    assert np.array_equal(inputs(BH, PK, [3, 0], 4, 64, dtype="float16"), f32.astype(np.float16))
    bf = inputs(BH, PK, [3, 0], 4, 64, dtype="bfloat16")
    assert np.array_equal(
        torch.from_numpy(bf.view(np.int16)).view(torch.bfloat16).float().numpy(),
        torch.from_numpy(f32).to(torch.bfloat16).float().numpy(),
    )


def test_layer_vector_within_ulps() -> None:
    spec = SPEC["layer0_householder_first"]
    v = layer_vector(BH, 0, spec["hidden"])
    assert np.abs(v[:4] - np.array(spec["values"], dtype=np.float32)).max() < 5e-8
    assert abs(float(np.linalg.norm(v.astype(np.float64))) - 1.0) < 1e-6


def test_pick_in_cuda_order_and_torch_cpu_order_differs() -> None:
    spec = SPEC["pick_cuda_order"]
    got = pick(BH, PK, [0, 1], spec["hidden"], spec["k"])
    assert got.tolist() == [spec["0"], spec["1"]]
    # torch.topk on the CPU (what a naive port uses) returns the same set in another order.
    scores = torch.from_numpy(murmur(seed32(f"{BH}_{PK}_nonce_0_pick_12"), 4096).astype(np.int64))
    _, cpu = torch.topk(-scores, k=12, largest=True, sorted=False)
    assert cpu.tolist() == spec["0_torch_cpu"]
    assert sorted(cpu.tolist()) == sorted(spec["0"]) and cpu.tolist() != spec["0"]


@settings(max_examples=60, deadline=None)
@given(
    hidden=st.integers(1, 6000),
    k_share=st.floats(0, 1),
    nonces=st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=4),
)
def test_pick_is_a_full_sort_of_the_scores_in_cuda_order(
    hidden: int, k_share: float, nonces: list[int]
) -> None:
    k = 1 + int(k_share * (min(hidden, 80) - 1))
    got = pick(BH, PK, nonces, hidden, k)
    for nonce, row in zip(nonces, got, strict=True):
        scores = murmur(seed32(f"{BH}_{PK}_nonce_{nonce}_pick_{k}"), hidden)
        ranked = np.argsort(scores, kind="stable")
        assert row.tolist() == [*sorted(ranked[: k - 1].tolist()), int(ranked[k - 1])]


def test_synthetic_artifact_bit_for_bit() -> None:
    spec = SPEC["synthetic_artifact"]
    h = uniform(seed32(spec["hidden_seed"]), 4096) - np.float32(0.5)
    assert np.allclose(h[:3], spec["first_h"], atol=1e-8)
    vectors = artifacts(BH, PK, [spec["nonce"]], h[None, :])
    assert vectors.dtype == np.float16 and vectors.shape == (1, 12)
    assert encode_vector(vectors[0]) == spec["vector_b64"]
    assert np.array_equal(decode_vector(spec["vector_b64"]), vectors[0].astype(np.float32))


def test_leaf_sampling_matches_go_math_rand() -> None:
    for case in SPEC["sampling"]:
        assert sample_leaf_indices(case["seed_input"], case["count"], case["m"]) == case["indices"]
    for case in GO["cases"]:
        got = sample_leaf_indices(case["seed_input"], case["count"], case["sample_size"])
        assert got == case["indices"], case["seed_input"]
    assert go_int63(-5, 20) == GO["int63_seed_minus5"]


def test_binomial_cutoffs_of_the_spec() -> None:
    cut = SPEC["binomial_cut"]
    n, p = cut["n"], cut["p"]

    def first_fraud(threshold: float) -> int:
        return next(k for k in range(n + 1) if fraud_test(k, n, p, threshold)[1])

    assert first_fraud(EFFECTIVE_FRAUD_THRESHOLD) == cut["k_at_0.01"] == 31
    assert first_fraud(CHAIN_P_VALUE_THRESHOLD) == cut["k_at_0.05"] == 28
    assert round(fraud_test(31, n, p, 0.01)[0], 4) == cut["p_value_k31"]
    assert round(fraud_test(30, n, p, 0.01)[0], 4) == cut["p_value_k30"]
    for k in range(0, 60):
        want = binomtest(k, n, p, alternative="greater").pvalue
        assert math.isclose(fraud_test(k, n, p, 0.01)[0], want, rel_tol=1e-9, abs_tol=1e-15)
    assert fraud_test(0, 0, p, 0.01) == (1.0, False)


def test_effective_thresholds_per_version_and_model() -> None:
    assert stat_test_for("v0.2.9").dist_threshold == 0.4
    assert stat_test_for("v0.2.11").dist_threshold == 0.2
    assert [stat_test_for("v0.2.13", m).dist_threshold for m in (QWEN, KIMI, MINIMAX)] == [0.2, 0.4, 0.75]
    test = stat_test_for("v0.2.14")
    assert (test.p_mismatch, test.fraud_threshold, test.chain_p_value_threshold) == (0.1, 0.01, 0.05)
    assert test.with_chain_threshold().fraud_threshold == 0.05
    assert "fraud_threshold" in test.to_ml_node() and "p_value_threshold" not in test.to_ml_node()
    with pytest.raises(InvalidInput):
        stat_test_for("v0.2.12", MINIMAX)
    with pytest.raises(InvalidInput):
        stat_test_for("v0.2.8")


def test_nonce_arrays_of_any_integer_dtype_pick_as_lists_do() -> None:
    nonces = [-5, 0, 7, 2**31 - 1]
    want = pick(BH, PK, nonces, 256, 12)
    for dtype in (np.int32, np.int64):
        assert np.array_equal(pick(BH, PK, np.array(nonces, dtype=dtype), 256, 12), want)
    assert np.array_equal(pick(BH, PK, np.array(nonces[1:], dtype=np.uint32), 256, 12), want[1:])


def test_bad_arguments_are_named() -> None:
    with pytest.raises(InvalidInput, match="k must be"):
        pick(BH, PK, [0], 8, 12)
    with pytest.raises(InvalidInput, match="dtype"):
        inputs(BH, PK, [0], 2, 4, dtype="int8")
    with pytest.raises(InvalidInput, match="out has shape"):
        inputs(BH, PK, [0], 2, 4, out=np.empty((1, 2, 5), dtype=np.float32))
    with pytest.raises(InvalidInput, match="nonces must be integers"):
        inputs(BH, PK, [0.5], 2, 4)  # type: ignore[list-item]
    with pytest.raises(InvalidInput, match="nonces must fit in int64"):
        pick(BH, PK, np.array([1, 2**63], dtype=np.uint64), 64, 12)
    with pytest.raises(InvalidInput, match="even number"):
        decode_vector("AA==")
    with pytest.raises(InvalidInput, match="uint32"):
        normal(-1, 4)
