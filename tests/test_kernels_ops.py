"""Each Triton kernel against a PyTorch reference with the reference engine's rounding points (poc.md §3).

Runs compiled on a CUDA device, or on the CPU under ``TRITON_INTERPRET=1`` (``test_kernels_interpreter.py``
starts that). Shapes are small and odd: head_dim 28 like production, row counts and widths that fill no tile,
a vocabulary not divisible by 64. Tolerances: float32 agrees with a float64 evaluation of the same formula to
~1e-5 relative (accumulation order only); float16 agrees with the float32-accumulated, float16-rounded
reference within one or two float16 ulps (a different summation order may flip a rounding).
"""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("triton")

RUNS_HERE = os.environ.get("TRITON_INTERPRET") == "1" or torch.cuda.is_available()
pytestmark = pytest.mark.skipif(
    not RUNS_HERE, reason="needs CUDA or TRITON_INTERPRET=1 (see test_kernels_interpreter)"
)

DEVICE = "cuda" if torch.cuda.is_available() and os.environ.get("TRITON_INTERPRET") != "1" else "cpu"
DTYPES = [torch.float32, torch.float16]
HEAD_DIM = 28


def _tolerance(dtype: torch.dtype) -> dict[str, float]:
    return {"rtol": 2e-5, "atol": 2e-5} if dtype == torch.float32 else {"rtol": 2.5e-3, "atol": 2e-3}


def _randn(*shape: int, dtype: torch.dtype, scale: float = 1.0, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=gen) * scale).to(dtype).to(DEVICE)


def _cast(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Round to the activation dtype (a rounding point); float32 stays exact in float64 references."""
    return x if dtype == torch.float32 else x.to(dtype).to(torch.float32)


def _wide(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Working precision of the references: float64 for float32 runs, float32 for float16 runs."""
    return x.double() if dtype == torch.float32 else x.float()


def ref_linear(a: torch.Tensor, w: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return _cast(_wide(a, dtype) @ _wide(w, dtype).T, dtype)


def ref_rmsnorm(x: torch.Tensor, w: torch.Tensor, eps: float, dtype: torch.dtype) -> torch.Tensor:
    x = _wide(x, dtype)
    n = _cast(x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps), dtype)
    return _cast(n * _wide(w, dtype), dtype)


def ref_rope(
    x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, seq_len: int, dtype: torch.dtype
) -> torch.Tensor:
    rows, width = x.shape
    pairs = _wide(x, dtype).view(rows // seq_len, seq_len, width // HEAD_DIM, HEAD_DIM // 2, 2)
    c = _wide(cos[:seq_len], dtype).view(1, seq_len, 1, HEAD_DIM // 2)
    s = _wide(sin[:seq_len], dtype).view(1, seq_len, 1, HEAD_DIM // 2)
    x0, x1 = pairs[..., 0], pairs[..., 1]
    return _cast(torch.stack([x0 * c - x1 * s, x1 * c + x0 * s], -1).reshape(rows, width), dtype)


def ref_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, seq_len: int, dtype: torch.dtype
) -> torch.Tensor:
    rows, width = q.shape
    heads = width // HEAD_DIM

    def split(t: torch.Tensor) -> torch.Tensor:
        return _wide(t, dtype).view(rows // seq_len, seq_len, heads, HEAD_DIM).transpose(1, 2)

    from gonka.kernels.attention import score_scale

    scores = _cast(split(q) @ split(k).transpose(2, 3), dtype)
    scores = _cast(scores * score_scale(HEAD_DIM), dtype)
    mask = torch.triu(torch.full((seq_len, seq_len), float("-inf"), device=q.device), diagonal=1)
    probs = _cast(torch.softmax(scores + mask.to(scores.dtype), dim=-1), dtype)
    return _cast(probs @ split(v), dtype).transpose(1, 2).reshape(rows, width)


def ref_swiglu(a: torch.Tensor, w1: torch.Tensor, w3: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    x = ref_linear(a, w1, dtype)
    g = _cast(x / (1 + torch.exp(-x)), dtype)
    return _cast(g * ref_linear(a, w3, dtype), dtype)


def rope_table(seq_len: int, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    freqs = 1.0 / (10000.0 ** (torch.arange(0, HEAD_DIM, 2).float() / HEAD_DIM))
    angles = torch.outer(torch.arange(seq_len).float(), freqs)
    return angles.cos().to(dtype).to(DEVICE), angles.sin().to(dtype).to(DEVICE)


def check(out: torch.Tensor, ref: torch.Tensor, dtype: torch.dtype) -> None:
    assert out.dtype == dtype
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out.double(), ref.double(), **_tolerance(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("rows", "dim"), [(37, 56), (5, 1792)])
def test_rmsnorm(dtype: torch.dtype, rows: int, dim: int) -> None:
    from gonka.kernels.rmsnorm import rmsnorm

    x = _randn(rows, dim, dtype=dtype, seed=1)
    w = _randn(dim, dtype=dtype, scale=0.02, seed=2)
    check(rmsnorm(x, w, 1e-5), ref_rmsnorm(x, w, 1e-5, dtype), dtype)


def test_rmsnorm_reads_strided_rows_and_rounds_before_the_weight() -> None:
    from gonka.kernels.rmsnorm import rmsnorm

    x = _randn(3 * 13, 56, dtype=torch.float16, seed=3)
    w = _randn(56, dtype=torch.float16, scale=0.02, seed=4)
    last = x[12::13]  # last position of each of 3 sequences: row stride 13·56
    out = rmsnorm(last, w, 1e-5)
    assert torch.equal(out, rmsnorm(last.contiguous(), w, 1e-5))
    # Weight multiply after the cast: exact equality with the two-rounding recipe, not a fused one.
    check(out, ref_rmsnorm(last, w, 1e-5, torch.float16), torch.float16)


@pytest.mark.parametrize("dtype", DTYPES)
def test_rope(dtype: torch.dtype) -> None:
    from gonka.kernels.rope import rope

    seq_len, width = 13, 3 * HEAD_DIM
    x = _randn(2 * seq_len, width, dtype=dtype, seed=5)
    cos, sin = rope_table(seq_len, dtype)
    expected = ref_rope(x, cos, sin, seq_len, dtype)
    check(rope(x.clone(), cos, sin, seq_len, HEAD_DIM), expected, dtype)


def test_rope_rejects_odd_head_dim() -> None:
    from gonka.kernels.rope import rope

    x = _randn(4, 27, dtype=torch.float32)
    with pytest.raises(ValueError, match="head_dim must be even"):
        rope(x, x[:, :1], x[:, :1], 4, 27)


# Both GEMM load paths: pointer loads in float32 and float16, TMA descriptors in float16 (production dtype).
GEMM_PATHS = pytest.mark.parametrize(
    ("dtype", "tma"),
    [(torch.float32, False), (torch.float16, False), (torch.float16, True)],
    ids=["f32-pointers", "f16-pointers", "f16-tma"],
)


@GEMM_PATHS
@pytest.mark.parametrize(("rows", "n", "k"), [(37, 131, 56), (26, 83, 64), (1, 131, 40)])
def test_linear(dtype: torch.dtype, rows: int, n: int, k: int, tma: bool) -> None:
    from gonka.kernels.gemm import linear

    a = _randn(rows, k, dtype=dtype, seed=6)
    w = _randn(n, k, dtype=dtype, scale=0.1, seed=7)
    check(linear(a, w, tma=tma), ref_linear(a, w, dtype), dtype)


@GEMM_PATHS
def test_linear_residual_adds_the_rounded_product_in_place(dtype: torch.dtype, tma: bool) -> None:
    from gonka.kernels.gemm import linear

    a = _randn(3 * 13, 56, dtype=dtype, seed=8)
    w = _randn(56, 56, dtype=dtype, scale=0.1, seed=9)
    h = _randn(3 * 13, 56, dtype=dtype, seed=10)
    expected = _cast(_wide(h, dtype) + ref_linear(a, w, dtype), dtype)
    out = h.clone()
    assert linear(a, w, out, residual=True, tma=tma) is out
    check(out, expected, dtype)
    # Strided rows (the last layer's last positions) on both sides.
    out2 = h.clone()
    linear(a[12::13], w, out2[12::13], residual=True, tma=tma)
    check(out2[12::13], expected[12::13], dtype)
    assert torch.equal(out2[:12], h[:12])


def test_linear_rejects_bad_shapes() -> None:
    from gonka.kernels.gemm import linear

    a = _randn(4, 8, dtype=torch.float32)
    with pytest.raises(ValueError, match="weight"):
        linear(a, _randn(5, 9, dtype=torch.float32))
    with pytest.raises(ValueError, match="residual"):
        linear(a, _randn(5, 8, dtype=torch.float32), residual=True)


@GEMM_PATHS
def test_qkv_rope(dtype: torch.dtype, tma: bool) -> None:
    from gonka.kernels.qkv import qkv_rope

    seq_len, dim = 13, 2 * HEAD_DIM
    a = _randn(3 * seq_len, dim, dtype=dtype, seed=11)
    w = _randn(3 * dim, dim, dtype=dtype, scale=0.2, seed=12)
    cos, sin = rope_table(seq_len, dtype)
    qkv = ref_linear(a, w, dtype)
    expected = torch.cat(
        [ref_rope(qkv[:, :dim], cos, sin, seq_len, dtype),
         ref_rope(qkv[:, dim : 2 * dim], cos, sin, seq_len, dtype), qkv[:, 2 * dim :]], dim=1,
    )  # fmt: skip
    check(qkv_rope(a, w, cos, sin, seq_len, HEAD_DIM, tma=tma), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("batch", "seq_len", "heads"), [(3, 13, 2), (1, 256, 2)])
def test_causal_attention(dtype: torch.dtype, batch: int, seq_len: int, heads: int) -> None:
    from gonka.kernels.attention import causal_attention

    width = heads * HEAD_DIM
    qkv = _randn(batch * seq_len, 3 * width, dtype=dtype, seed=13)  # q, k, v as column slices of one buffer
    q, k, v = qkv[:, :width], qkv[:, width : 2 * width], qkv[:, 2 * width :]
    check(causal_attention(q, k, v, seq_len, heads), ref_attention(q, k, v, seq_len, dtype), dtype)


def test_causal_attention_first_query_writes_only_later_rows() -> None:
    from gonka.kernels.attention import causal_attention

    seq_len, heads, dtype = 13, 2, torch.float16
    width = heads * HEAD_DIM
    q, k, v = (_randn(2 * seq_len, width, dtype=dtype, seed=s) for s in (14, 15, 16))
    out = torch.full((2 * seq_len, width), 7.0, dtype=dtype, device=DEVICE)
    causal_attention(q, k, v, seq_len, heads, out=out, first_query=seq_len - 1)
    expected = ref_attention(q, k, v, seq_len, dtype)
    check(out[seq_len - 1 :: seq_len], expected[seq_len - 1 :: seq_len], dtype)
    assert (out.view(2, seq_len, width)[:, :-1] == 7.0).all()


@GEMM_PATHS
@pytest.mark.parametrize(("rows", "hidden", "dim"), [(37, 160, 56), (1, 96, 48)])
def test_swiglu(dtype: torch.dtype, rows: int, hidden: int, dim: int, tma: bool) -> None:
    from gonka.kernels.swiglu import swiglu

    a = _randn(rows, dim, dtype=dtype, seed=17)
    w1 = _randn(hidden, dim, dtype=dtype, scale=0.3, seed=18)
    w3 = _randn(hidden, dim, dtype=dtype, scale=0.3, seed=19)
    check(swiglu(a, w1, w3, tma=tma), ref_swiglu(a, w1, w3, dtype), dtype)


def test_tma_refuses_misaligned_operands() -> None:
    from gonka.kernels.gemm import linear

    pool = _randn(4 * 64 * 56 + 3, dtype=torch.float16, seed=22)
    w = pool[3 : 3 + 64 * 56].view(64, 56)  # a pool window starting 6 bytes off alignment
    a = _randn(5, 56, dtype=torch.float16, seed=23)
    with pytest.raises(ValueError, match="16-byte aligned"):
        linear(a, w, tma=True)
    check(linear(a, w), ref_linear(a, w, torch.float16), torch.float16)


def test_kernels_read_weights_as_windows_of_one_pool() -> None:
    """w1 and w3 as two overlapping windows of one pool, at odd offsets, like the engine reads them."""
    from gonka.kernels.swiglu import swiglu

    dtype, hidden, dim = torch.float16, 64, 56
    pool = _randn(3 * hidden * dim, dtype=dtype, scale=0.3, seed=20)
    w1 = pool[3 : 3 + hidden * dim].view(hidden, dim)
    w3 = pool[1001 : 1001 + hidden * dim].view(hidden, dim)
    a = _randn(7, dim, dtype=dtype, seed=21)
    check(swiglu(a, w1, w3), ref_swiglu(a, w1, w3, dtype), dtype)
