"""The PoC random streams against numpy's own Generator output and the spec's test vectors."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from conftest import vector_path
from gonka.errors import InvalidInput
from gonka.poc import rng
from hypothesis import given, settings
from hypothesis import strategies as st

BH = "52DAB38B4329170319EF41AD0E4A653A668B6B2267A86222EA4E9B03A4F0D4E6"
PK = "02eb3102a6cb586765d01fad324523ec0bc67b9efd6a2d9589c135adfedf7922cc"
PRODUCTION_POOL_SIZE = 888_156_147
# Largest |z| the ziggurat's layers produce; beyond it only the tail path (layer 0) draws.
ZIGGURAT_R = 3.6541528853610087963519472518

seeds = st.text(max_size=80)


def numpy_rng(seed: str, num_hashes: int) -> np.random.Generator:
    """The reference's ``get_rng``, built from numpy itself."""
    digests = [hashlib.sha256(f"{seed}_{i}".encode()).digest() for i in range(num_hashes)]
    entropy = np.concatenate([np.frombuffer(d, dtype=np.uint32) for d in digests])
    return np.random.default_rng(np.random.SeedSequence(entropy))


def fp16_like_torch(x: np.ndarray) -> np.ndarray:
    torch = pytest.importorskip("torch")
    return torch.from_numpy(x).to(torch.float16).numpy()


# --- numpy's streams, draw for draw ---


@settings(max_examples=60, deadline=None)
@given(seed=seeds, num_hashes=st.integers(1, 5))
def test_seed_entropy_is_the_little_endian_digest_words(seed: str, num_hashes: int) -> None:
    expected = [
        int(w)
        for i in range(num_hashes)
        for w in np.frombuffer(hashlib.sha256(f"{seed}_{i}".encode()).digest(), dtype=np.uint32)
    ]
    assert rng.seed_entropy(seed, num_hashes) == expected


@settings(max_examples=60, deadline=None)
@given(seed=seeds, num_hashes=st.integers(1, 5), n=st.integers(0, 5000))
def test_standard_normal_matches_numpy(seed: str, num_hashes: int, n: int) -> None:
    ours = rng.Generator(seed, num_hashes).standard_normal(n)
    assert ours.dtype == np.float64
    np.testing.assert_array_equal(ours, numpy_rng(seed, num_hashes).standard_normal(n), strict=True)


@settings(max_examples=40, deadline=None)
@given(
    seed=seeds,
    loc=st.floats(-10, 10, allow_subnormal=False),
    scale=st.floats(0, 10, allow_subnormal=False),
    n=st.integers(0, 3000),
)
def test_normal_matches_numpy(seed: str, loc: float, scale: float, n: int) -> None:
    ours = rng.Generator(seed, 4).normal(loc, scale, n)
    np.testing.assert_array_equal(ours, numpy_rng(seed, 4).normal(loc, scale, n), strict=True)


@settings(max_examples=60, deadline=None)
@given(seed=seeds, num_hashes=st.integers(1, 4), n=st.integers(0, 10000))
def test_permutation_matches_numpy(seed: str, num_hashes: int, n: int) -> None:
    ours = rng.Generator(seed, num_hashes).permutation(n)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours, numpy_rng(seed, num_hashes).permutation(n), strict=True)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, draws=st.lists(st.sampled_from(["u64", "normal", "perm"]), max_size=12))
def test_mixed_draws_share_one_stream_like_numpy(seed: str, draws: list[str]) -> None:
    ours, theirs = rng.Generator(seed, 4), numpy_rng(seed, 4)
    for kind in draws:
        if kind == "u64":
            assert ours.next_u64() == int(theirs.bit_generator.random_raw())
        elif kind == "normal":
            np.testing.assert_array_equal(ours.standard_normal(7), theirs.standard_normal(7))
        else:
            # An odd-sized permutation leaves a buffered half u64 behind, as numpy does.
            np.testing.assert_array_equal(ours.permutation(5), theirs.permutation(5))


def test_one_generator_shared_by_threads_takes_turns() -> None:
    """Long draws release the GIL; concurrent calls on one Generator serialize, losing no draw."""
    shared = rng.Generator("threads", 4)
    with ThreadPoolExecutor(max_workers=4) as pool:
        parts = list(pool.map(lambda _: shared.standard_normal(200_000), range(4)))
    theirs = numpy_rng("threads", 4)
    expected = theirs.standard_normal(800_000)
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.sort(expected))
    assert shared.next_u64() == int(theirs.bit_generator.random_raw())


def test_every_ziggurat_layer_and_the_tail_match_numpy() -> None:
    """Two million draws per seed use every table entry thousands of times (the layer is the low
    byte of each draw's u64) and the tail path (|z| > r) dozens of times."""
    for seed in ("layers-a", "layers-b", "layers-c"):
        ours = rng.Generator(seed, 4).standard_normal(2_000_000)
        np.testing.assert_array_equal(ours, numpy_rng(seed, 4).standard_normal(2_000_000))
        assert (np.abs(ours) > ZIGGURAT_R).sum() > 10
        raw = numpy_rng(seed, 4).bit_generator.random_raw(2_000_000)
        assert np.bincount((raw & 0xFF).astype(np.int64), minlength=256).min() > 7000


def test_a_stream_that_opens_in_the_tail_matches_numpy() -> None:
    """Search a seed whose first draw takes the tail path (layer 0 rejected) and compare it."""
    ki0 = 0x000EF33D8025EF6A
    for i in range(200_000):
        first = rng.Generator(f"tail-{i}", 1).next_u64()
        if first & 0xFF == 0 and ((first >> 9) & ((1 << 52) - 1)) >= ki0:
            seed = f"tail-{i}"
            break
    else:
        pytest.fail("no seed opens in the tail")
    ours = rng.Generator(seed, 1).standard_normal(1000)
    assert abs(ours[0]) > ZIGGURAT_R
    np.testing.assert_array_equal(ours, numpy_rng(seed, 1).standard_normal(1000))


# --- the spec's test vectors ---


def test_spec_seed_vector() -> None:
    seed = "TESTBLOCKHASH_testpubkey_nonce0"
    entropy = rng.seed_entropy(seed, 4)
    assert entropy[:4] == [0x731555F1, 0x61061E9E, 0x2A9E3088, 0x9601E09D]
    state = np.random.SeedSequence(np.array(entropy, dtype=np.uint32)).generate_state(4, np.uint64)
    assert [int(s) for s in state] == [
        0x2D55EBF8F1B2089B,
        0xC05F62801E685B56,
        0x1FA7790AEDEEB167,
        0x0742CBBDA299DBD7,
    ]
    g = rng.Generator(seed, 4)
    assert [g.next_u64() for _ in range(3)] == [0x54343C3E59C1D694, 0xBB0B30DC58C99DC4, 0x97A59944D2A59129]
    assert rng.Generator(seed, 4).standard_normal(5).tolist() == [
        1.0568882849852532,
        -1.744123123628932,
        -0.6724489621740979,
        2.781555898197935,
        -0.37252353617204126,
    ]


def test_spec_production_inputs() -> None:
    x = rng.inputs(BH, PK, [0, 7], 256, 1792)
    assert x.shape == (2, 256, 1792) and x.dtype == np.float16
    assert x[0, 0, :4].tolist() == [0.256103515625, -0.5107421875, 0.2352294921875, -0.51904296875]
    assert x[0, 255, -2:].tolist() == [-0.11578369140625, 1.0556640625]
    assert x[1, 0, :4].tolist() == [-0.59326171875, -0.4892578125, 1.1689453125, 0.4794921875]
    assert float(x[0].astype(np.float64).sum()) == -421.1707901954651
    assert float(x[1].astype(np.float64).sum()) == 280.7256826162338


def test_spec_production_permutations() -> None:
    p = rng.permutations(BH, PK, np.array([0, 7]), 8196)
    assert p.shape == (2, 8196) and p.dtype == np.int64
    assert p[0, :6].tolist() == [4071, 2956, 7159, 1681, 7763, 3963]
    assert p[0, -3:].tolist() == [35, 7046, 4916]
    assert p[1, :6].tolist() == [5037, 2593, 3060, 1550, 5058, 3342]


def test_spec_production_target() -> None:
    t = rng.target(BH, 8196)
    assert t.shape == (8196,) and t.dtype == np.float64
    assert t[:3].tolist() == [-0.012367468468588053, -0.003096141408412085, 0.0019400000105959253]
    assert float(t[-1]) == 0.01570632893240723


def test_spec_name_hashes() -> None:
    assert rng.name_hash(BH, "layers.0.attention.wq.weight") == 832304074
    assert rng.name_hash(BH, "layers.0.feed_forward.w1.weight") == 2437157443
    assert rng.name_hash(BH, "norm.weight") == 2788578803
    assert rng.name_hash(BH, "output.weight") == 1442597562


def test_spec_pool_head() -> None:
    assert rng.weight_pool(BH, 3, dtype="float64").tolist() == [
        -0.055805744210791,
        0.036632672800703626,
        -0.007640504000402615,
    ]
    assert rng.weight_pool(BH, 4).tolist() == [
        -0.055816650390625,
        0.03662109375,
        -0.007640838623046875,
        0.010284423828125,
    ]


@pytest.mark.slow
def test_spec_production_pool() -> None:
    """The full 888M-value pool (1.78 GB float16): its tail and the spec's parameter windows."""
    pool = rng.weight_pool(BH, PRODUCTION_POOL_SIZE)
    assert pool[:4].tolist() == [-0.055816650390625, 0.03662109375, -0.007640838623046875, 0.010284423828125]
    assert pool[-2:].tolist() == [-0.004119873046875, -0.031768798828125]
    windows = {
        "layers.0.attention.wq.weight": (1792 * 1792, 832304074, [0.018157958984375, 0.018463134765625]),
        "layers.0.feed_forward.w1.weight": (49152 * 1792, 36930151, [0.0181732177734375, -0.04742431640625]),
        "norm.weight": (1792, 124115735, [0.01528167724609375, -0.0026607513427734375]),
        "output.weight": (8196 * 1792, 569128646, [-0.0125274658203125, 0.0034332275390625]),
    }
    for name, (numel, start, first) in windows.items():
        assert rng.name_hash(BH, name) % (PRODUCTION_POOL_SIZE - numel + 1) == start
        assert pool[start : start + 2].tolist() == first


# --- batch streams vs the reference's numpy path ---


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_inputs_equal_the_reference_path(dtype: str) -> None:
    nonces = [0, 5, 2**40, 3]
    ours = rng.inputs("blockhash", "pubkey", nonces, 16, 24, dtype=dtype)
    assert ours.shape == (4, 16, 24) and ours.dtype == np.dtype(dtype)
    for i, nonce in enumerate(nonces):
        x = numpy_rng(f"blockhash_pubkey_nonce{nonce}", 4).standard_normal((1, 16, 24))[0]
        if dtype == "float16":
            np.testing.assert_array_equal(ours[i], fp16_like_torch(x), strict=True)
            np.testing.assert_array_equal(ours[i], x.astype(np.float32).astype(np.float16), strict=True)
        else:
            np.testing.assert_array_equal(ours[i], x.astype(dtype), strict=True)


def test_inputs_fill_a_torch_tensor_in_place() -> None:
    torch = pytest.importorskip("torch")
    tensor = torch.zeros((3, 8, 16), dtype=torch.float16)
    result = rng.inputs("bh", "pk", np.arange(3), 8, 16, out=tensor.numpy())
    assert np.shares_memory(result, tensor.numpy())
    np.testing.assert_array_equal(tensor.numpy(), rng.inputs("bh", "pk", [0, 1, 2], 8, 16))


def test_permutations_equal_the_reference_path() -> None:
    nonces = np.array([9, 0, 123456789], dtype=np.int64)
    out = np.empty((3, 8196), dtype=np.int64)
    assert rng.permutations("bh", "pk", nonces, 8196, out=out) is out
    for i, nonce in enumerate(nonces):
        expected = numpy_rng(f"bh_pk_nonce_{nonce}_permutations", 1).permutation(8196)
        np.testing.assert_array_equal(out[i], expected)


def test_target_equals_the_reference_path() -> None:
    for vocab in (1, 300, 8196):
        y = numpy_rng("bh_target", 1).standard_normal((1, vocab))
        y /= np.linalg.norm(y, axis=1, keepdims=True)
        np.testing.assert_array_equal(rng.target("bh", vocab), y[0], strict=True)


@pytest.mark.parametrize("size", [1, 50_000, 3_000_001, 5_242_881])
def test_weight_pool_equals_the_reference_path(size: int) -> None:
    """Sizes above 2^21 are generated in parallel chunks and stitched; all must equal numpy."""
    draw = numpy_rng(f"pool-{size}", 4).normal(0.0, 0.02, size)
    np.testing.assert_array_equal(rng.weight_pool(f"pool-{size}", size, dtype="float64"), draw, strict=True)
    pool32 = draw.astype(np.float32)
    np.testing.assert_array_equal(rng.weight_pool(f"pool-{size}", size, dtype="float32"), pool32, strict=True)
    expected16 = fp16_like_torch(pool32) if size <= 50_000 else pool32.astype(np.float16)
    np.testing.assert_array_equal(rng.weight_pool(f"pool-{size}", size), expected16, strict=True)


# --- golden vectors of the reference ---


def test_golden_inputs_permutations_and_targets() -> None:
    golden = json.loads(vector_path("poc", "poc_golden_public.json").read_text())
    for case in golden["cases"]:
        params, nonces = case["params"], case["nonces"]
        # The reference always builds float16 inputs, then casts them to the model dtype.
        x = rng.inputs(case["block_hash"], case["public_key"], nonces, params["seq_len"], params["dim"])
        for i in range(len(nonces)):
            assert x[i, 0, :4].astype(np.float64).tolist() == case["input_first4"][i]
            assert x[i, -1, -4:].astype(np.float64).tolist() == case["input_last4"][i]
        perms = rng.permutations(case["block_hash"], case["public_key"], nonces, params["vocab_size"])
        assert perms[:, :8].tolist() == case["perm_first8"]
        assert rng.target(case["block_hash"], params["vocab_size"])[:4].tolist() == case["target_first4"]


# --- bad input ---


def test_bad_arguments_raise_invalid_input() -> None:
    cases = [
        lambda: rng.inputs("bh", "pk", [0, -1], 4, 4),
        lambda: rng.inputs("bh", "pk", np.array([3, -2]), 4, 4),
        lambda: rng.inputs("bh", "pk", [1.5], 4, 4),
        lambda: rng.inputs("bh", "pk", [2**70], 4, 4),
        lambda: rng.inputs("bh", "pk", np.zeros((2, 2), dtype=np.int64), 4, 4),
        lambda: rng.inputs("bh", "pk", [0], -4, 4),
        lambda: rng.inputs("bh", "pk", [0], 4, 4, dtype="bfloat16"),
        lambda: rng.inputs("bh", "pk", [0], 4, 4, out=np.empty((1, 4, 5), dtype=np.float16)),
        lambda: rng.inputs("bh", "pk", [0], 4, 4, out=np.empty((1, 4, 4), dtype=np.float32)),
        lambda: rng.inputs("bh", "pk", [0], 4, 4, out=np.empty((1, 4, 8), dtype=np.float16)[:, :, ::2]),
        lambda: rng.inputs("bh", "pk", [0], 4, 4, out=np.empty((1, 4, 4), dtype=">f2")),
        lambda: rng.permutations("bh", "pk", [0], 10, out=np.empty((1, 10), dtype=np.int32)),
        lambda: rng.permutations("bh", "pk", [-5], 10),
        lambda: rng.target("bh", 0),
        lambda: rng.weight_pool("bh", -1),
        lambda: rng.weight_pool("bh", 10, dtype="int8"),
        lambda: rng.weight_pool("bh", 10, out=[0.0] * 10),  # type: ignore[arg-type]
        lambda: rng.Generator("seed", 0),
        lambda: rng.Generator("seed", 1).standard_normal(-1),
        lambda: rng.seed_entropy("seed", -3),
    ]
    for i, case in enumerate(cases):
        with pytest.raises(InvalidInput):
            case()
            pytest.fail(f"case {i} did not raise")


def test_read_only_out_is_rejected_with_a_clear_message() -> None:
    out = np.empty((1, 4, 4), dtype=np.float16)
    out.flags.writeable = False
    with pytest.raises(InvalidInput, match="read-only"):
        rng.inputs("bh", "pk", [0], 4, 4, out=out)
    with pytest.raises(InvalidInput, match=r"shape \(1, 4, 5\), expected \(1, 4, 4\)"):
        rng.inputs("bh", "pk", [0], 4, 4, out=np.empty((1, 4, 5), dtype=np.float16))
    with pytest.raises(InvalidInput, match="nonce must be >= 0, got -1"):
        rng.inputs("bh", "pk", [0, -1], 4, 4)


def test_empty_batches_are_fine() -> None:
    assert rng.inputs("bh", "pk", [], 4, 4).shape == (0, 4, 4)
    assert rng.permutations("bh", "pk", [], 10).shape == (0, 10)
    assert rng.weight_pool("bh", 0).shape == (0,)
