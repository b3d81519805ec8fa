"""Causal self-attention over whole sequences (seq 256, head_dim 28 in production), one head of one nonce per
program, with the reference's rounding points.

Torch reference: ``gonka.poc.engine_torch`` (attention step of poc.md §3): ``scores = cast(q·kᵀ)``; ``scores =
cast(scores · float32(1/sqrt(head_dim)))`` (PyTorch divides by a scalar as a multiply by a float32
reciprocal); causal mask (−inf above the diagonal); softmax in float32 over the keys, cast; ``out =
cast(p·v)``. A whole row of keys fits in registers (seq ≤ a few hundred), so the softmax is exact — not the
online rescaled form of flash attention, whose extra roundings the reference does not have. head_dim is padded
to a power of two in registers only: q, k, v and the output stay packed [rows, heads·head_dim] in memory.
"""

from __future__ import annotations

import numpy as np
import torch
import triton
import triton.language as tl
from triton.language.extra import libdevice

from gonka.kernels._runtime import capability, check_rows, dot_precision, libm_exp

#: FMA contraction off: PyTorch's softmax kernel rounds each exponential (the product that ends expf) before
#: adding it to the row sum (FMUL then FADD in its sm_90 code); contraction would fuse that product into the
#: sum. The scaling is its own PyTorch kernel.
FP_FUSION = False


@triton.jit
def _attention_kernel(
    q_ptr, k_ptr, v_ptr, qkv_stride, o_ptr, o_stride, seq_len, n_heads, head_dim, scale, first_query,
    BLOCK_M: tl.constexpr, BLOCK_S: tl.constexpr, BLOCK_D: tl.constexpr, PRECISION: tl.constexpr,
    LIBM_EXP: tl.constexpr,
):  # fmt: skip
    dtype = o_ptr.dtype.element_ty
    block = tl.program_id(0)
    seq = tl.program_id(1) // n_heads
    head = tl.program_id(1) % n_heads
    queries = first_query + block * BLOCK_M + tl.arange(0, BLOCK_M)
    keys = tl.arange(0, BLOCK_S)
    feats = tl.arange(0, BLOCK_D)
    feat_ok = feats < head_dim
    q_ok = queries < seq_len
    k_ok = keys < seq_len
    row0 = seq.to(tl.int64) * seq_len
    col0 = head * head_dim
    q = tl.load(
        q_ptr + (row0 + queries)[:, None] * qkv_stride + col0 + feats[None, :],
        mask=q_ok[:, None] & feat_ok[None, :], other=0.0,
    )  # fmt: skip
    k = tl.load(
        k_ptr + (row0 + keys)[:, None] * qkv_stride + col0 + feats[None, :],
        mask=k_ok[:, None] & feat_ok[None, :], other=0.0,
    )  # fmt: skip
    scores = tl.dot(q, tl.trans(k), input_precision=PRECISION).to(dtype)
    scores = (scores.to(tl.float32) * scale).to(dtype).to(tl.float32)
    causal = (keys[None, :] <= queries[:, None]) & k_ok[None, :]
    scores = tl.where(causal, scores, float("-inf"))
    row_max = tl.max(scores, axis=1)
    if LIBM_EXP:
        e = libdevice.exp(scores - row_max[:, None])
    else:
        e = tl.exp(scores - row_max[:, None])
    # IEEE division like PyTorch's softmax (Triton's ``/`` on float32 is the approximate div.full).
    probs = tl.div_rn(e, tl.sum(e, axis=1)[:, None]).to(dtype)
    v = tl.load(
        v_ptr + (row0 + keys)[:, None] * qkv_stride + col0 + feats[None, :],
        mask=k_ok[:, None] & feat_ok[None, :], other=0.0,
    )  # fmt: skip
    out = tl.dot(probs, v, input_precision=PRECISION).to(dtype)
    tl.store(
        o_ptr + (row0 + queries)[:, None] * o_stride + col0 + feats[None, :], out,
        mask=q_ok[:, None] & feat_ok[None, :],
    )  # fmt: skip


def score_scale(head_dim: int) -> float:
    """float32 1 / float32 sqrt(head_dim): what PyTorch's CUDA division by a scalar multiplies by."""
    return float(np.float32(1.0) / np.float32(np.sqrt(head_dim)))


def causal_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    seq_len: int,
    n_heads: int,
    out: torch.Tensor | None = None,
    first_query: int = 0,
) -> torch.Tensor:
    """Causal attention of whole sequences: ``q``, ``k``, ``v`` [batch·seq_len, n_heads·head_dim] (row strides
    may differ from the width, e.g. column slices of one fused QKV buffer; q, k, v share one stride).

    Only query positions ``>= first_query`` are computed (the last layer needs just the last one); their rows
    of ``out`` [batch·seq_len, width] are written, the others are left untouched."""
    width = q.shape[1] if q.dim() == 2 else -1
    for name, t in (("q", q), ("k", k), ("v", v)):
        check_rows(f"causal_attention {name}", t, width)
    if not (q.stride(0) == k.stride(0) == v.stride(0)):
        raise ValueError("causal_attention: q, k and v must share one row stride")
    if width % n_heads:
        raise ValueError(f"causal_attention: width {width} is not a multiple of n_heads {n_heads}")
    if q.shape[0] % seq_len:
        raise ValueError(f"causal_attention: {q.shape[0]} rows are not whole sequences of {seq_len}")
    if not 0 <= first_query < seq_len:
        raise ValueError(f"causal_attention: first_query {first_query} outside [0, {seq_len})")
    head_dim = width // n_heads
    if out is None:
        out = torch.empty((q.shape[0], width), dtype=q.dtype, device=q.device)
    check_rows("causal_attention out", out, width)
    batch = q.shape[0] // seq_len
    blocks = launch_blocks(seq_len, head_dim, capability(q.device))
    grid = (triton.cdiv(seq_len - first_query, blocks["BLOCK_M"]), batch * n_heads)
    _attention_kernel[grid](
        q, k, v, q.stride(0), out, out.stride(0), seq_len, n_heads, head_dim,
        score_scale(head_dim), first_query,
        **blocks, PRECISION=dot_precision(q.dtype), LIBM_EXP=libm_exp(), enable_fp_fusion=FP_FUSION,
    )  # fmt: skip
    return out


def launch_blocks(seq_len: int, head_dim: int, gpu: tuple[int, int]) -> dict[str, int]:
    """Block sizes and warps on a GPU of compute capability ``gpu``: every key of a sequence in one block,
    head_dim padded to a power of two; up to 64 queries per program on Hopper and newer, 16 before (with 64
    rows the IEEE division's slow path spills registers on sm_80 and sm_89: the ahead-of-time check)."""
    block_s = max(16, triton.next_power_of_2(seq_len))
    return {
        "BLOCK_M": min(64 if gpu[0] >= 9 else 16, block_s),
        "BLOCK_S": block_s,
        "BLOCK_D": max(16, triton.next_power_of_2(head_dim)),
        "num_warps": 4 if block_s <= 128 else 8,
    }
