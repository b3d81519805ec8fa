"""Weights as pool views, the RoPE table, the torch engine, PocModel and bad input."""

from __future__ import annotations

import hashlib

import gonka.poc as poc
import numpy as np
import pytest
import torch
from gonka.errors import GonkaError, InvalidInput
from gonka.poc import PARAMS_SMALL, PARAMS_V2, ModelWeights, Params, PocModel, TorchEngine, rope_table
from gonka.poc.engines import available_engines, create_engine, get_engine

BH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PK = "A1b2C3pubkeyBase64=="
# Large enough that every parameter is a window of the pool (no tiling), like production.
WINDOWED = Params(dim=56, n_layers=2, n_heads=2, n_kv_heads=2, vocab_size=64, ffn_dim_multiplier=1.0,
                  multiple_of=8, rope_theta=10000.0, seq_len=8)  # fmt: skip
GQA = Params(dim=56, n_layers=1, n_heads=4, n_kv_heads=2, vocab_size=50, ffn_dim_multiplier=1.0,
             multiple_of=8, rope_theta=10000.0, seq_len=6)  # fmt: skip


@pytest.fixture(scope="module")
def small_model() -> PocModel:
    return PocModel(PARAMS_SMALL, BH, dtype="float16")


def test_production_rope_table_matches_the_reference_hash() -> None:
    cos, sin = rope_table(PARAMS_V2, "cpu", "float16")
    assert cos.shape == sin.shape == (256, 14) and cos.dtype == torch.float16
    table = torch.stack([cos, sin], dim=-1).contiguous()  # the reference's [t, k, (cos, sin)] layout
    digest = hashlib.sha256(table.numpy().tobytes()).hexdigest()
    assert digest == "abad13593f47fefc21de3357e120ae0560772269151955c37320b1da4de8c407"


def test_rope_frequencies_equal_torchs_float32_pow() -> None:
    from gonka.poc.rope import rope_frequencies

    hd = PARAMS_V2.head_dim
    torch_freqs = 1.0 / (10000.0 ** (torch.arange(0, hd, 2)[: hd // 2].float() / hd))
    assert np.array_equal(rope_frequencies(PARAMS_V2).view(np.uint32), torch_freqs.numpy().view(np.uint32))
    scaled = Params(dim=64, n_heads=2, n_kv_heads=2, rope_theta=500000.0, use_scaled_rope=True)
    freqs = rope_frequencies(scaled)
    assert freqs.dtype == np.float32 and freqs.shape == (16,)
    plain = rope_frequencies(Params(dim=64, n_heads=2, n_kv_heads=2, rope_theta=500000.0))
    assert freqs[0] == plain[0] and freqs[-1] == pytest.approx(plain[-1] / 8)  # low frequencies scaled by 8


def test_weights_are_views_into_the_pool() -> None:
    w = ModelWeights(WINDOWED, BH, "cpu", "float16")
    pool_size = WINDOWED.pool_size
    assert w.pool.shape == (pool_size,) and w.pool.dtype == torch.float16
    assert np.array_equal(w.pool.numpy(), poc.weight_pool(BH, pool_size))
    ptr, item = w.pool.data_ptr(), w.pool.element_size()
    for name, tensor in w.named_parameters():
        start = poc.name_hash(BH, name) % (pool_size - tensor.numel() + 1)
        assert w.is_view(name) and w.offset(name) == start
        assert tensor.data_ptr() == ptr + start * item  # no copy
        assert tensor.shape == WINDOWED.param_shapes()[name]
    assert w.nbytes == pool_size * 2
    layer = w.layers[1]
    assert layer.w1 is w["layers.1.feed_forward.w1.weight"] and layer.ffn_norm.shape == (56,)
    assert w.norm is w["norm.weight"] and w.output.shape == (64, 56) and w.tok_embeddings.shape == (64, 56)
    with pytest.raises(InvalidInput, match="unknown parameter"):
        w["layers.9.attention.wq.weight"]


def test_tiling_rule_for_parameters_larger_than_the_pool() -> None:
    w = ModelWeights(PARAMS_SMALL, BH, "cpu", "float32")
    name = "layers.0.feed_forward.w1.weight"
    numel, pool = w[name].numel(), w.pool.numpy()
    assert numel > pool.size and not w.is_view(name)
    shift = poc.name_hash(BH, name) % numel
    tiled = np.concatenate([np.tile(pool, numel // pool.size), pool[: numel % pool.size]])
    assert np.array_equal(w[name].flatten().numpy(), np.roll(tiled, -shift))
    with pytest.raises(InvalidInput, match="tiled"):
        w.offset(name)


def test_pool_argument_and_bfloat16() -> None:
    pool = torch.arange(WINDOWED.pool_size, dtype=torch.float32)
    w = ModelWeights(WINDOWED, BH, pool=pool)
    assert w.pool is pool and w.output.flatten()[0].item() == w.offset("output.weight")
    with pytest.raises(InvalidInput, match="pool"):
        ModelWeights(WINDOWED, BH, pool=pool[:-1])
    bf16 = ModelWeights(WINDOWED, BH, "cpu", "bfloat16")
    expected = torch.from_numpy(poc.weight_pool(BH, WINDOWED.pool_size, dtype="float32")).bfloat16()
    assert bf16.dtype == torch.bfloat16 and torch.equal(bf16.pool, expected)


def test_engine_dtypes_agree_and_gqa_runs() -> None:
    """float32 and bfloat16 follow float16 closely; grouped-query attention works."""
    nonces = [0, 1, 2]
    reference = PocModel(WINDOWED, BH, dtype="float32").logits(PK, nonces)
    for dtype, rtol in (("float16", 0.05), ("bfloat16", 0.3)):
        logits = PocModel(WINDOWED, BH, dtype=dtype).logits(PK, nonces)
        rel = np.linalg.norm(logits - reference) / np.linalg.norm(reference)
        assert rel < rtol, (dtype, rel)
    gqa = PocModel(GQA, BH, dtype="float32")
    assert gqa.distances(PK, nonces).shape == (3,)


def test_engine_matches_a_plain_float64_forward() -> None:
    """The engine's float32 forward against an independent float64 re-derivation of the model."""
    p = WINDOWED
    model = PocModel(p, BH, dtype="float32")
    x = model.inputs(PK, [4, 5]).double()
    w = model.weights
    hd, s = p.head_dim, p.seq_len

    def norm(v: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return v / torch.sqrt((v * v).mean(-1, keepdim=True) + p.norm_eps) * weight.double()

    angles = torch.outer(torch.arange(s, dtype=torch.float64), torch.from_numpy(
        __import__("gonka.poc.rope", fromlist=["x"]).rope_frequencies(p)).double())  # fmt: skip
    rot = torch.polar(torch.ones_like(angles), angles)

    def rope(v: torch.Tensor) -> torch.Tensor:
        c = torch.view_as_complex(v.reshape(*v.shape[:-1], -1, 2).contiguous())
        return torch.view_as_real(c * rot[None, :, None, :]).flatten(3)

    h = x
    causal = torch.triu(torch.full((s, s), float("-inf"), dtype=torch.float64), 1)
    for layer in w.layers:
        a = norm(h, layer.attention_norm)
        q = rope((a @ layer.wq.double().T).view(2, s, p.n_heads, hd)).transpose(1, 2)
        k = rope((a @ layer.wk.double().T).view(2, s, p.n_heads, hd)).transpose(1, 2)
        v = (a @ layer.wv.double().T).view(2, s, p.n_heads, hd).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(2, 3) / hd**0.5 + causal, -1) @ v
        h = h + att.transpose(1, 2).reshape(2, s, -1) @ layer.wo.double().T
        f = norm(h, layer.ffn_norm)
        h = (
            h
            + (torch.nn.functional.silu(f @ layer.w1.double().T) * (f @ layer.w3.double().T))
            @ layer.w2.double().T
        )
    expected = (norm(h, w.norm) @ w.output.double().T)[:, -1].numpy()
    np.testing.assert_allclose(model.logits(PK, [4, 5]), expected, rtol=1e-4, atol=1e-6)


def test_batching_and_prove(small_model: PocModel) -> None:
    nonces = [7, 3, 11, 0, 5]
    one_by_one = np.concatenate([small_model.distances(PK, [n]) for n in nonces])
    together = small_model.distances(PK, nonces, batch_size=2)
    np.testing.assert_allclose(one_by_one, together, rtol=0, atol=1e-6)
    proof = small_model.prove(PK, nonces, block_height=42, node_id=3)
    assert proof.nonces == nonces
    np.testing.assert_allclose(proof.dist, together, rtol=0, atol=1e-6)
    assert (proof.block_hash, proof.block_height, proof.node_id, proof.public_key) == (BH, 42, 3, PK)
    assert small_model.distances(PK, []).shape == (0,)
    assert small_model.logits(PK, []).shape == (0, PARAMS_SMALL.vocab_size)
    assert small_model.build_seconds > 0 and "PocModel(" in repr(small_model)


def test_any_block_hash_string_is_accepted() -> None:
    for block_hash in ("", "EXAMPLE_BLOCK_HASH", "ünïcode"):
        dist = PocModel(WINDOWED, block_hash, dtype="float32").distances(PK, [0])
        assert np.isfinite(dist).all()


@pytest.mark.parametrize(
    ("nonces", "match"),
    [
        ([-1], "out of range"),
        ([2**63], "out of range"),
        ([1.0], "integers"),
        ("0-3", "sequence"),
        ([True], "integers"),
    ],
)
def test_bad_nonces_raise(small_model: PocModel, nonces: object, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        small_model.distances(PK, nonces)  # type: ignore[arg-type]


def test_bad_model_arguments_raise(small_model: PocModel) -> None:
    with pytest.raises(InvalidInput, match="dtype"):
        PocModel(PARAMS_SMALL, BH, dtype="float8")
    with pytest.raises(InvalidInput, match="device"):
        PocModel(PARAMS_SMALL, BH, device="tpu")
    with pytest.raises(InvalidInput, match="engine"):
        PocModel(PARAMS_SMALL, BH, engine="jax")
    with pytest.raises(InvalidInput, match="batch_size"):
        PocModel(PARAMS_SMALL, BH, batch_size=0)
    with pytest.raises(InvalidInput, match="batch_size"):
        small_model.distances(PK, [1], batch_size=-2)
    with pytest.raises(InvalidInput, match="params"):
        PocModel({"dim": 8}, BH)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="block_hash"):
        PocModel(PARAMS_SMALL, 123)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="public_key"):
        small_model.distances(b"key", [1])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="inputs must be"):
        small_model.engine.forward_last_logits(torch.zeros(1, 3, PARAMS_SMALL.dim))
    if not torch.cuda.is_available():
        with pytest.raises(InvalidInput, match="CUDA"):
            PocModel(PARAMS_SMALL, BH, device="cuda")
    assert issubclass(InvalidInput, GonkaError)


def test_engine_registry(small_model: PocModel) -> None:
    assert "torch" in available_engines()
    assert get_engine("torch") is TorchEngine
    engine = create_engine("torch", small_model.weights, PARAMS_SMALL)
    assert isinstance(engine, TorchEngine)
    with pytest.raises(InvalidInput, match="unknown engine"):
        get_engine("numpy")
    with pytest.raises(InvalidInput, match="params differ"):
        TorchEngine(small_model.weights, PARAMS_V2)


def test_production_weights_are_windows_at_the_reference_offsets() -> None:
    """Production layout from an (unfilled) pool: every parameter a view, offsets as in the spec's vectors."""
    block_hash = "52DAB38B4329170319EF41AD0E4A653A668B6B2267A86222EA4E9B03A4F0D4E6"
    pool = torch.empty(PARAMS_V2.pool_size, dtype=torch.float16)  # pages untouched: views copy nothing
    w = ModelWeights(PARAMS_V2, block_hash, pool=pool)
    assert all(w.is_view(name) for name, _ in w.named_parameters())
    assert w.nbytes == 2 * 888_156_147 and w.n_params == PARAMS_V2.n_params == 17_763_122_944
    assert len(w.layers) == 64 and w.layers[63].w2.shape == (1792, 49152)
    expected = {
        "layers.0.attention.wq.weight": (832304074, 832304074),
        "layers.0.feed_forward.w1.weight": (2437157443, 36930151),
        "norm.weight": (2788578803, 124115735),
        "output.weight": (1442597562, 569128646),
    }
    for name, (name_hash, start) in expected.items():
        assert poc.name_hash(block_hash, name) == name_hash
        assert w.offset(name) == start
        assert w[name].data_ptr() == pool.data_ptr() + 2 * start
