"""The Triton engine end to end against the torch reference engine, on tiny production-like models.

Runs compiled on a CUDA device, or on the CPU under ``TRITON_INTERPRET=1`` (``test_kernels_interpreter.py``
starts that). Tolerances (relative L2 error of the last-position logits): float32 1e-5 (summation order only);
float16 3e-3 (a few fp16 ulps: the residual stream's roundings flip with tiny GEMM differences, poc.md
§9). The engine must also be far closer to the reference than the same model with its last layer skipped.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("triton")

RUNS_HERE = os.environ.get("TRITON_INTERPRET") == "1" or torch.cuda.is_available()
pytestmark = pytest.mark.skipif(
    not RUNS_HERE, reason="needs CUDA or TRITON_INTERPRET=1 (see test_kernels_interpreter)"
)

DEVICE = "cuda" if torch.cuda.is_available() and os.environ.get("TRITON_INTERPRET") != "1" else "cpu"
BLOCK_HASH = "52DAB38B4329170319EF41AD0E4A653A668B6B2267A86222EA4E9B03A4F0D4E6"
PUBLIC_KEY = "02eb3102a6cb586765d01fad324523ec0bc67b9efd6a2d9589c135adfedf7922cc"
TOLERANCE = {torch.float32: 1e-5, torch.float16: 3e-3}


def tiny_params():
    from gonka.poc import Params

    # head_dim 28 like production; odd sequence length, vocabulary not divisible by 64.
    return Params(
        dim=56, n_layers=3, n_heads=2, n_kv_heads=2, vocab_size=131, ffn_dim_multiplier=1.0, multiple_of=16,
        norm_eps=1e-5, rope_theta=10000.0, seq_len=13,
    )  # fmt: skip


def relative_error(out: torch.Tensor, ref: torch.Tensor) -> float:
    return float((out.double() - ref.double()).norm() / ref.double().norm())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_triton_engine_matches_torch_engine(dtype: torch.dtype) -> None:
    from gonka.poc import ModelWeights, TorchEngine
    from gonka.poc.engine_triton import TritonEngine

    params = tiny_params()
    weights = ModelWeights(params, BLOCK_HASH, DEVICE, dtype)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(3, params.seq_len, params.dim, generator=gen).to(dtype).to(DEVICE)
    reference = TorchEngine(weights, params).forward_last_logits(x)
    engine = TritonEngine(weights, params)
    out = engine.forward_last_logits(x)
    assert out.dtype == torch.float32 and out.shape == (3, params.vocab_size)
    error = relative_error(out, reference)
    assert error < TOLERANCE[dtype]

    class WithoutLastLayer:
        def __init__(self) -> None:
            self.layers = weights.layers[:-1]

        def __getattr__(self, name: str):
            return getattr(weights, name)

    skipped = TorchEngine(WithoutLastLayer(), params).forward_last_logits(x)
    assert error < relative_error(skipped, reference) / 3
    # Batches are independent: one nonce alone gives its row of the batch result.
    assert torch.allclose(engine.forward_last_logits(x[1:2]), out[1:2], rtol=0, atol=0)


def test_poc_model_with_the_triton_engine_gives_the_reference_distances() -> None:
    from gonka.poc import PocModel

    params = tiny_params()
    nonces = [0, 1, 2, 7]
    torch_model = PocModel(params, BLOCK_HASH, device=DEVICE, dtype="float32", engine="torch", batch_size=3)
    triton_model = PocModel(params, BLOCK_HASH, device=DEVICE, dtype="float32", engine="triton", batch_size=3)
    assert type(triton_model.engine).__name__ == "TritonEngine"
    expected = torch_model.distances(PUBLIC_KEY, nonces)
    np.testing.assert_allclose(triton_model.distances(PUBLIC_KEY, nonces), expected, rtol=0, atol=1e-6)


def test_triton_engine_rejects_bad_inputs_and_grouped_query_models() -> None:
    from gonka.errors import InvalidInput
    from gonka.poc import ModelWeights, Params
    from gonka.poc.engine_triton import TritonEngine

    params = tiny_params()
    engine = TritonEngine(ModelWeights(params, BLOCK_HASH, DEVICE, "float32"), params)
    with pytest.raises(InvalidInput, match="inputs must be"):
        engine.forward_last_logits(torch.zeros(2, params.seq_len + 1, params.dim, device=DEVICE))
    assert engine.forward_last_logits(torch.zeros(0, params.seq_len, params.dim, device=DEVICE)).shape == (
        0,
        131,
    )
    gqa = Params(**{**params.to_dict(), "n_heads": 2, "n_kv_heads": 1})
    with pytest.raises(InvalidInput, match="n_kv_heads"):
        TritonEngine(ModelWeights(gqa, BLOCK_HASH, DEVICE, "float32"), gqa)
