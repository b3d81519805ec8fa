"""Rotary position embedding on adjacent pairs with the fp16 table.

Torch reference: ``gonka.poc.engine_torch`` / ``gonka.poc.rope.rope_table`` (poc.md §3): pairs are adjacent
features ``(2i, 2i+1)`` of each head; the cos/sin table is stored in the activation dtype; the rotation runs
in float32 (``x0·c − x1·s``, ``x1·c + x0·s``) and the result is cast back. The QKV GEMM applies the same
rotation in its epilogue (:mod:`gonka.kernels.qkv`) through :func:`rotate_pairs`; :func:`rope` is the
stand-alone op.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from gonka.kernels._runtime import check_rows

#: FMA contraction off: in the reference each product (x₀·c, x₁·s, …) is its own PyTorch kernel, rounded to
#: float32 before the sum or difference (poc.md §3); contraction would round x₀·c − x₁·s once.
FP_FUSION = False
#: Rows and columns of the tile one program rotates, and its warps.
BLOCKS = {"BLOCK_M": 16, "BLOCK_N": 64, "num_warps": 4}


@triton.jit
def rotate_pairs(
    x, rows, cols, seq_len, head_dim, cos_ptr, sin_ptr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr
):
    """Rotate a float32 tile ``x`` [BLOCK_M, BLOCK_N] whose row ``r`` is position ``rows[r] % seq_len``
    and whose columns ``cols`` (even-aligned, within one feature space of heads of ``head_dim``) hold
    adjacent pairs."""
    pairs = tl.reshape(x, (BLOCK_M, BLOCK_N // 2, 2))
    x0, x1 = tl.split(pairs)
    even = tl.reshape(cols, (BLOCK_N // 2, 2))
    even, _ = tl.split(even)
    pos = rows % seq_len
    freq = (even % head_dim) // 2
    table = pos[:, None] * (head_dim // 2) + freq[None, :]
    c = tl.load(cos_ptr + table).to(tl.float32)
    s = tl.load(sin_ptr + table).to(tl.float32)
    out0 = x0 * c - x1 * s
    out1 = x1 * c + x0 * s
    return tl.reshape(tl.join(out0, out1), (BLOCK_M, BLOCK_N))


@triton.jit
def _rope_kernel(
    x_ptr, x_stride, cos_ptr, sin_ptr, n_rows, width, seq_len, head_dim,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
):  # fmt: skip
    rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.program_id(1) * BLOCK_N + tl.arange(0, BLOCK_N)
    ok = (rows < n_rows)[:, None] & (cols < width)[None, :]
    rows_safe = tl.where(rows < n_rows, rows, 0)
    cols_safe = tl.where(cols < width, cols, 0)
    ptrs = x_ptr + rows_safe.to(tl.int64)[:, None] * x_stride + cols_safe[None, :]
    x = tl.load(ptrs, mask=ok, other=0.0).to(tl.float32)
    y = rotate_pairs(x, rows_safe, cols_safe, seq_len, head_dim, cos_ptr, sin_ptr, BLOCK_M, BLOCK_N)
    tl.store(ptrs, y.to(x_ptr.dtype.element_ty), mask=ok)


def rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, seq_len: int, head_dim: int) -> torch.Tensor:
    """Rotate ``x`` [batch·seq_len, heads·head_dim] in place (row ``r`` is position ``r % seq_len``).

    ``cos``/``sin``: [≥ seq_len, head_dim // 2] in the table dtype (fp16 in production). Returns ``x``."""
    if head_dim % 2:
        raise ValueError(f"rope: head_dim must be even, got {head_dim}")
    width = x.shape[1] if x.dim() == 2 else -1
    check_rows("rope x", x, width)
    if width % head_dim:
        raise ValueError(f"rope: width {width} is not a multiple of head_dim {head_dim}")
    if x.shape[0] % seq_len:
        raise ValueError(f"rope: {x.shape[0]} rows are not whole sequences of {seq_len}")
    cos, sin = _table(cos, seq_len, head_dim), _table(sin, seq_len, head_dim)
    grid = (triton.cdiv(x.shape[0], BLOCKS["BLOCK_M"]), triton.cdiv(width, BLOCKS["BLOCK_N"]))
    _rope_kernel[grid](
        x, x.stride(0), cos, sin, x.shape[0], width, seq_len, head_dim, **BLOCKS, enable_fp_fusion=FP_FUSION
    )
    return x


def _table(t: torch.Tensor, seq_len: int, head_dim: int) -> torch.Tensor:
    if t.dim() != 2 or t.shape[0] < seq_len or t.shape[1] != head_dim // 2:
        raise ValueError(f"rope: table must be [>= {seq_len}, {head_dim // 2}], got {tuple(t.shape)}")
    return t[:seq_len].contiguous()
