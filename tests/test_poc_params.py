"""Params: presets, derived sizes against the spec's table, JSON round trip, validation."""

from __future__ import annotations

import pytest
from gonka.errors import InvalidInput
from gonka.poc import PARAMS_SMALL, PARAMS_V1, PARAMS_V2, PRESETS, Params

PRODUCTION_JSON = {
    "dim": 1792,
    "n_layers": 64,
    "n_heads": 64,
    "n_kv_heads": 64,
    "vocab_size": 8196,
    "ffn_dim_multiplier": 10,
    "multiple_of": 8192,
    "norm_eps": 1e-5,
    "rope_theta": 10000,
    "use_scaled_rope": False,
    "seq_len": 256,
}


@pytest.mark.parametrize(
    ("params", "hidden", "total", "pool"),
    [
        (PARAMS_V2, 49152, 17_763_122_944, 888_156_147),
        (PARAMS_V1, 28672, 2_969_641_984, 148_482_099),
        (Params(), 7168, 1_006_700_544, 50_335_027),
        (PARAMS_SMALL, 3008, 2_189_488, 109_474),
    ],
)
def test_derived_sizes(params: Params, hidden: int, total: int, pool: int) -> None:
    assert params.ffn_hidden == hidden
    assert params.n_params == total
    assert params.pool_size == pool
    shapes = params.param_shapes()
    assert sum(__import__("math").prod(s) for s in shapes.values()) == total


def test_production_shapes_and_flops() -> None:
    p = PARAMS_V2
    assert p.head_dim == 28
    names = p.param_names()
    assert names[0] == "tok_embeddings.weight"
    assert names[1:10] == [
        "layers.0.attention.wq.weight",
        "layers.0.attention.wk.weight",
        "layers.0.attention.wv.weight",
        "layers.0.attention.wo.weight",
        "layers.0.feed_forward.w1.weight",
        "layers.0.feed_forward.w2.weight",
        "layers.0.feed_forward.w3.weight",
        "layers.0.attention_norm.weight",
        "layers.0.ffn_norm.weight",
    ]
    assert names[-2:] == ["norm.weight", "output.weight"]
    assert len(names) == 1 + 9 * 64 + 2
    shapes = p.param_shapes()
    assert shapes["layers.5.feed_forward.w1.weight"] == (49152, 1792)
    assert shapes["layers.5.feed_forward.w2.weight"] == (1792, 49152)
    assert shapes["output.weight"] == (8196, 1792)
    assert p.flops_per_nonce == pytest.approx(9.117e12, rel=1e-3)
    # The small default pool floor.
    assert Params(dim=8, n_layers=1, n_heads=2, n_kv_heads=2, vocab_size=8, seq_len=4).pool_size == 50_000


def test_gqa_shapes() -> None:
    p = Params(dim=64, n_layers=1, n_heads=8, n_kv_heads=2, vocab_size=10, multiple_of=16, seq_len=4)
    shapes = p.param_shapes()
    assert shapes["layers.0.attention.wq.weight"] == (64, 64)
    assert shapes["layers.0.attention.wk.weight"] == (16, 64)
    assert p.n_params == sum(__import__("math").prod(s) for s in shapes.values())


def test_from_dict_accepts_the_api_nodes_json() -> None:
    p = Params.from_dict(PRODUCTION_JSON)
    assert p == PARAMS_V2
    assert isinstance(p.rope_theta, float) and isinstance(p.ffn_dim_multiplier, float)
    assert Params.from_dict(p.to_dict()) == p
    assert list(p.to_dict()) == list(PRODUCTION_JSON)
    assert Params.from_dict({**PRODUCTION_JSON, "future_field": 1}) == PARAMS_V2
    assert Params.from_dict({}) == Params()
    assert PRESETS["v2"] is PARAMS_V2 and PRESETS["small"] is PARAMS_SMALL


@pytest.mark.parametrize(
    "change",
    [
        {"dim": 0},
        {"dim": 100, "n_heads": 3},
        {"n_kv_heads": 3},
        {"n_layers": 2.5},
        {"vocab_size": "8196"},
        {"rope_theta": float("nan")},
        {"use_scaled_rope": "no"},
        {"dim": 1800, "n_heads": 200},  # odd head_dim
        {"seq_len": True},
    ],
)
def test_bad_params_raise(change: dict) -> None:
    with pytest.raises(InvalidInput):
        Params.from_dict({**PRODUCTION_JSON, **change})


def test_from_dict_rejects_non_mapping() -> None:
    with pytest.raises(InvalidInput, match="mapping"):
        Params.from_dict([1, 2])  # type: ignore[arg-type]
