"""Fused Q/K/V projection with RoPE in the epilogue.

Torch reference: ``gonka.poc.engine_torch`` (poc.md §3): ``q = cast(a·Wqᵀ)``, ``k = cast(a·Wkᵀ)``, ``v =
cast(a·Wvᵀ)``, then RoPE on q and k (:mod:`gonka.kernels.rope`). One GEMM against the three weights stacked as
``[3·dim, dim]`` writes ``[M, 3·dim]`` = q | k | v; each tile rounds its accumulator to the activation dtype
(the GEMM's rounding point) and rotates the q and k columns before the single store, so q and k never make a
second trip through memory.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from gonka.kernels._runtime import check_rows, dot_precision, num_programs
from gonka.kernels.gemm import (
    autotune,
    check_weight,
    even_k,
    gemm_configs,
    launch,
    persistent_grid,
    tile_coords,
    tile_matmul,
    tile_rows,
    tile_source,
)
from gonka.kernels.rope import FP_FUSION as ROPE_FP_FUSION
from gonka.kernels.rope import rotate_pairs

#: FMA contraction as in :mod:`gonka.kernels.rope` (off), whose rotation is this kernel's epilogue; the
#: float16 dot products run on tensor cores either way.
FP_FUSION = ROPE_FP_FUSION


@triton.jit
def _qkv_kernel(
    a_ptr, a_stride, w_ptr, out_ptr, cos_ptr, sin_ptr, M, K, seq_len, head_dim,
    NUM_PROGRAMS: tl.constexpr, PRECISION: tl.constexpr, EVEN_K: tl.constexpr,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr,
    HOPPER: tl.constexpr, TMA: tl.constexpr,
):  # fmt: skip
    dtype = out_ptr.dtype.element_ty
    N = 3 * K
    tiles_m = tl.cdiv(M, BLOCK_M)
    tiles_n = tl.cdiv(N, BLOCK_N)
    a_src = tile_source(a_ptr, M, K, a_stride, BLOCK_M, BLOCK_K, TMA)
    w_src = tile_source(w_ptr, N, K, K, BLOCK_N, BLOCK_K, TMA)
    for tile in tl.range(tl.program_id(0), tiles_m * tiles_n, NUM_PROGRAMS):
        pid_m, pid_n = tile_coords(tile, tiles_m, tiles_n, GROUP_M)
        rows = tile_rows(pid_m * BLOCK_M, M, BLOCK_M)
        acc = tile_matmul(
            a_src, a_stride, w_src, M, N, K, pid_m, pid_n, BLOCK_M, BLOCK_N, BLOCK_K, EVEN_K, PRECISION, TMA
        )
        out_rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
        out_cols = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
        c = acc.to(dtype)
        rotated = rotate_pairs(
            c.to(tl.float32), rows, out_cols % K, seq_len, head_dim, cos_ptr, sin_ptr, BLOCK_M, BLOCK_N
        ).to(dtype)
        c = tl.where((out_cols < 2 * K)[None, :], rotated, c)
        ok = (out_rows < M)[:, None] & (out_cols < N)[None, :]
        tl.store(out_ptr + out_rows.to(tl.int64)[:, None] * N + out_cols[None, :], c, mask=ok)


CONFIGS = gemm_configs(narrow=True)
_qkv = autotune(CONFIGS, key=["M", "K", "TMA"])(_qkv_kernel)


def qkv_rope(
    a: torch.Tensor,
    w_qkv: torch.Tensor,
    cos: torch.Tensor,
    sin: torch.Tensor,
    seq_len: int,
    head_dim: int,
    out: torch.Tensor | None = None,
    *,
    tma: bool | None = None,
) -> torch.Tensor:
    """``[q | k | v] = cast(a · w_qkvᵀ)`` with RoPE applied to q and k; ``a`` [M, dim] (row ``r`` is
    position ``r % seq_len``), ``w_qkv`` [3·dim, dim] contiguous (wq, wk, wv stacked), ``cos``/``sin``
    [≥ seq_len, head_dim // 2]. Returns ``out`` [M, 3·dim] contiguous."""
    M, K = a.shape
    check_rows("qkv_rope a", a, K)
    check_weight("qkv_rope w_qkv", w_qkv, 3 * K, K)
    if head_dim % 2 or K % head_dim:
        raise ValueError(f"qkv_rope: head_dim {head_dim} must be even and divide dim {K}")
    if M % seq_len:
        raise ValueError(f"qkv_rope: {M} rows are not whole sequences of {seq_len}")
    if cos.shape[0] < seq_len or cos.shape[1] != head_dim // 2 or sin.shape != cos.shape:
        raise ValueError(f"qkv_rope: tables must be [>= {seq_len}, {head_dim // 2}], got {tuple(cos.shape)}")
    if out is None:
        out = torch.empty((M, 3 * K), dtype=a.dtype, device=a.device)
    if tuple(out.shape) != (M, 3 * K) or not out.is_contiguous():
        raise ValueError(f"qkv_rope: out must be a contiguous [{M}, {3 * K}] tensor")
    cos, sin = cos[:seq_len].contiguous(), sin[:seq_len].contiguous()
    launch(
        _qkv, persistent_grid(a.device, M, 3 * K), tma, (a, w_qkv),
        a, a.stride(0), w_qkv, out, cos, sin, M, K, seq_len, head_dim,
        NUM_PROGRAMS=num_programs(a.device), PRECISION=dot_precision(a.dtype), EVEN_K=even_k(K),
        enable_fp_fusion=FP_FUSION,
    )  # fmt: skip
    return out
