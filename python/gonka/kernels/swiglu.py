"""Gate/up GEMM of the feed-forward block with the SiLU·mul epilogue.

Torch reference: ``gonka.poc.engine_torch`` (poc.md §3): ``g = cast(silu(cast(f·W1ᵀ)))`` (SiLU in float32 on
the rounded GEMM output), ``u = cast(f·W3ᵀ)``, ``p = cast(g·u)``. Each program computes the same output tile
against both weights (two accumulators over one pass of ``f``), so neither ``f·W1ᵀ`` nor ``f·W3ᵀ`` ever
reaches memory: only ``p`` [M, hidden] is written. W1 and W3 are read in place as two windows of the weight
pool.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl
from triton.language.extra import libdevice

from gonka.kernels._runtime import check_rows, dot_precision, libm_exp, num_programs
from gonka.kernels.gemm import (
    autotune,
    check_weight,
    dot_tile,
    even_k,
    gemm_configs,
    launch,
    persistent_grid,
    tile_coords,
    tile_rows,
    tile_source,
)

#: FMA contraction on: PyTorch's SiLU kernel (nvcc contracts by default) fuses the product that ends expf with
#: the ``1 +`` of ``x / (1 + exp(-x))`` into one FFMA (its sm_90 code); contraction here emits the same fma.
#: The rest of the epilogue is products without a following sum, so nothing else changes.
FP_FUSION = True


@triton.jit
def _swiglu_kernel(
    a_ptr, a_stride, w1_ptr, w3_ptr, out_ptr, M, N, K,
    NUM_PROGRAMS: tl.constexpr, PRECISION: tl.constexpr, EVEN_K: tl.constexpr,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr,
    HOPPER: tl.constexpr, TMA: tl.constexpr, LIBM_EXP: tl.constexpr,
):  # fmt: skip
    dtype = out_ptr.dtype.element_ty
    tiles_m = tl.cdiv(M, BLOCK_M)
    tiles_n = tl.cdiv(N, BLOCK_N)
    a_src = tile_source(a_ptr, M, K, a_stride, BLOCK_M, BLOCK_K, TMA)
    w1_src = tile_source(w1_ptr, N, K, K, BLOCK_N, BLOCK_K, TMA)
    w3_src = tile_source(w3_ptr, N, K, K, BLOCK_N, BLOCK_K, TMA)
    for tile in tl.range(tl.program_id(0), tiles_m * tiles_n, NUM_PROGRAMS):
        pid_m, pid_n = tile_coords(tile, tiles_m, tiles_n, GROUP_M)
        gate = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
        up = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
        if TMA:
            for k in range(0, K, BLOCK_K):
                a = a_src.load([pid_m * BLOCK_M, k])
                gate = tl.dot(a, w1_src.load([pid_n * BLOCK_N, k]).T, gate, input_precision=PRECISION)
                up = tl.dot(a, w3_src.load([pid_n * BLOCK_N, k]).T, up, input_precision=PRECISION)
        else:
            rows = tile_rows(pid_m * BLOCK_M, M, BLOCK_M)
            cols = tile_rows(pid_n * BLOCK_N, N, BLOCK_N)
            ks = tl.arange(0, BLOCK_K)
            a_ptrs = a_src + rows.to(tl.int64)[:, None] * a_stride + ks[None, :]
            w_offs = cols.to(tl.int64)[:, None] * K + ks[None, :]
            w1_ptrs = w1_src + w_offs
            w3_ptrs = w3_src + w_offs
            for k in range(0, K, BLOCK_K):
                gate = dot_tile(gate, a_ptrs, w1_ptrs, k, K, BLOCK_K, EVEN_K, PRECISION)
                up = dot_tile(up, a_ptrs, w3_ptrs, k, K, BLOCK_K, EVEN_K, PRECISION)
                a_ptrs += BLOCK_K
                w1_ptrs += BLOCK_K
                w3_ptrs += BLOCK_K
        x = gate.to(dtype).to(tl.float32)
        # IEEE division like PyTorch's SiLU (Triton's ``/`` on float32 is the approximate div.full).
        if LIBM_EXP:
            g = tl.div_rn(x, 1.0 + libdevice.exp(-x)).to(dtype)
        else:
            g = tl.div_rn(x, 1.0 + tl.exp(-x)).to(dtype)
        p = (g.to(tl.float32) * up.to(dtype).to(tl.float32)).to(dtype)
        out_rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
        out_cols = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
        ok = (out_rows < M)[:, None] & (out_cols < N)[None, :]
        tl.store(out_ptr + out_rows.to(tl.int64)[:, None] * N + out_cols[None, :], p, mask=ok)


CONFIGS = gemm_configs(narrow=True)
_swiglu = autotune(CONFIGS, key=["M", "N", "K", "TMA"], weight_tiles=2)(_swiglu_kernel)


def swiglu(
    a: torch.Tensor,
    w1: torch.Tensor,
    w3: torch.Tensor,
    out: torch.Tensor | None = None,
    *,
    tma: bool | None = None,
) -> torch.Tensor:
    """``p = cast(cast(silu(cast(a·w1ᵀ))) · cast(a·w3ᵀ))``; ``a`` [M, dim] (row stride free), ``w1``/``w3``
    [hidden, dim] contiguous. Returns ``out`` [M, hidden] contiguous. ``tma`` as in :func:`gemm.linear`."""
    M, K = a.shape
    N = w1.shape[0]
    check_rows("swiglu a", a, K)
    check_weight("swiglu w1", w1, N, K)
    check_weight("swiglu w3", w3, N, K)
    if out is None:
        out = torch.empty((M, N), dtype=a.dtype, device=a.device)
    if tuple(out.shape) != (M, N) or not out.is_contiguous():
        raise ValueError(f"swiglu: out must be a contiguous [{M}, {N}] tensor")
    if M == 0:
        return out
    launch(
        _swiglu, persistent_grid(a.device, M, N), tma, (a, w1, w3),
        a, a.stride(0), w1, w3, out, M, N, K,
        NUM_PROGRAMS=num_programs(a.device), PRECISION=dot_precision(a.dtype), EVEN_K=even_k(K),
        LIBM_EXP=libm_exp(), enable_fp_fusion=FP_FUSION,
    )  # fmt: skip
    return out
