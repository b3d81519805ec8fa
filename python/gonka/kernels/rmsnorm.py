"""RMSNorm with the reference's rounding points.

Torch reference: ``gonka.poc.engine_torch`` (the ``RMSNorm`` step of poc.md §3): statistics in float32, ``n =
cast(x * rsqrt(mean(x²) + eps))`` to the activation dtype, **then** ``y = cast(n * weight)`` — the weight
multiply happens after the first cast, in the activation dtype.
"""

from __future__ import annotations

import numpy as np
import torch
import triton
import triton.language as tl

from gonka.kernels._runtime import check_rows

#: FMA contraction off: the reference computes x², their mean, ``+ eps``, the rsqrt and the products in
#: separate PyTorch kernels, each result rounded to float32; contraction would fuse x·x into the sum and
#: mean·(1/dim) with ``+ eps``.
FP_FUSION = False


@triton.jit
def _rmsnorm_kernel(
    x_ptr, x_stride, w_ptr, y_ptr, y_stride, n_rows, dim, inv_dim, eps,
    BLOCK_D: tl.constexpr, ROWS: tl.constexpr,
):  # fmt: skip
    cols = tl.arange(0, BLOCK_D)
    col_ok = cols < dim
    w = tl.load(w_ptr + cols, mask=col_ok, other=0.0).to(tl.float32)
    for i in tl.static_range(ROWS):
        row = tl.program_id(0) * ROWS + i
        if row < n_rows:
            x = tl.load(x_ptr + row.to(tl.int64) * x_stride + cols, mask=col_ok, other=0.0).to(tl.float32)
            # CUDA torch.mean multiplies by a float32 1/dim rather than dividing
            mean_sq = tl.sum(x * x, axis=0) * inv_dim
            normed = (x * tl.math.rsqrt(mean_sq + eps)).to(y_ptr.dtype.element_ty)
            y = (normed.to(tl.float32) * w).to(y_ptr.dtype.element_ty)
            tl.store(y_ptr + row.to(tl.int64) * y_stride + cols, y, mask=col_ok)


def rmsnorm(
    x: torch.Tensor, weight: torch.Tensor, eps: float, out: torch.Tensor | None = None
) -> torch.Tensor:
    """RMSNorm of each row of ``x`` [rows, dim] (rows may be strided) into ``out`` [rows, dim]."""
    dim = weight.shape[-1]
    check_rows("rmsnorm x", x, dim)
    if out is None:
        out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    check_rows("rmsnorm out", out, dim)
    n_rows = x.shape[0]
    if n_rows == 0:
        return out
    blocks = launch_blocks(n_rows, dim)
    _rmsnorm_kernel[(triton.cdiv(n_rows, blocks["ROWS"]),)](
        x, x.stride(0), weight.contiguous(), out, out.stride(0), n_rows, dim, inverse_dim(dim), eps,
        **blocks, enable_fp_fusion=FP_FUSION,
    )  # fmt: skip
    return out


def launch_blocks(n_rows: int, dim: int) -> dict[str, int]:
    """Block sizes and warps of a launch over ``n_rows`` rows of ``dim`` features: four rows per program
    for large batches, the whole row in one block."""
    block = triton.next_power_of_2(dim)
    return {"BLOCK_D": block, "ROWS": 4 if n_rows >= 4096 else 1, "num_warps": min(16, max(1, block // 256))}


def inverse_dim(dim: int) -> float:
    """float32 1/dim, what CUDA's ``torch.mean`` multiplies the sum by."""
    return float(np.float32(1) / np.float32(dim))
