"""Persistent GEMM ``out = cast(a · wᵀ)`` with an optional residual-add epilogue, and the tile machinery the
fused GEMMs (:mod:`gonka.kernels.qkv`, :mod:`gonka.kernels.swiglu`) share.

Torch reference: ``gonka.poc.engine_torch`` (poc.md §3): every projection is an fp16 GEMM with float32
accumulation rounded once to fp16 (``o = out·Woᵀ``, ``y = p·W2ᵀ``, ``logits = h·W_outᵀ``); the residual adds
``h = h + o`` and ``h = h + y`` add the *rounded* GEMM output to ``h`` and round again. The residual epilogue
does exactly that, in place on ``h``. Weights are ``[out, in]`` row-major (nn.Linear layout), typically
windows of the weight pool. Accumulation runs over the whole K in one program (no split-K), so a row's result
never depends on the batch size.

The grid is persistent (one program per multiprocessor, walking output tiles in L2-friendly groups); Triton
lowers the pipelined ``tl.dot`` to wgmma on Hopper and to mma.sync on Ampere/Ada. Configurations are autotuned
per GPU generation (Hopper gets the large tiles its 228 KB of shared memory allows).
"""

from __future__ import annotations

import functools
import inspect
import os
import warnings
from typing import Any

import torch
import triton
import triton.language as tl

from gonka.kernels._runtime import (
    capability,
    check_rows,
    dot_precision,
    interpreting,
    num_programs,
    shared_memory_limit,
)

#: FMA contraction off: the epilogue's only arithmetic is the residual add, a PyTorch kernel of its own in the
#: reference; off keeps any later epilogue arithmetic rounded op by op. The float16 dot products run on tensor
#: cores and the float32 ones on explicit fma either way.
FP_FUSION = False


def _config(bm: int, bn: int, bk: int, warps: int, stages: int, group: int = 8) -> triton.Config:
    return triton.Config(
        {"BLOCK_M": bm, "BLOCK_N": bn, "BLOCK_K": bk, "GROUP_M": group}, num_warps=warps, num_stages=stages
    )


def gemm_configs(narrow: bool = False) -> list[triton.Config]:
    """Candidate tiles. The interpreter gets one small tile (no tuning runs on the CPU). On a GPU
    ``prune_configs`` keeps only those the engine may pick there (:func:`configs_for`). ``narrow`` tiles hold
    half the accumulator values per thread, for GEMMs that keep two tiles of values live: the gate/up GEMM's
    two accumulators, the QKV GEMM's rotated copy in its RoPE epilogue (full tiles spill registers there)."""
    if interpreting():
        tiny = _config(32, 64, 32, 4, 1, group=2)
        tiny.kwargs["HOPPER"] = False
        return [tiny]
    # One BLOCK_K per GPU generation: the accumulation order of an output element then never depends on the
    # tile shape the tuner picks for a batch size, so a nonce's result is the same at any batch size.
    if narrow:
        hopper = [_config(128, 128, 64, 8, 4), _config(128, 128, 64, 8, 3), _config(256, 64, 64, 8, 3)]
        older = [_config(128, 64, 32, 4, 4), _config(64, 128, 32, 8, 4), _config(128, 64, 32, 8, 3)]
    else:
        hopper = [_config(128, 256, 64, 8, 3), _config(128, 128, 64, 8, 4), _config(256, 128, 64, 8, 3)]
        older = [_config(128, 128, 32, 4, 4), _config(128, 64, 32, 4, 4), _config(64, 128, 32, 4, 4)]
    for c in hopper:
        c.kwargs["HOPPER"] = True
    for c in older:
        c.kwargs["HOPPER"] = False
    return hopper + older


def config_label(config: triton.Config) -> str:
    """``BLOCK_MxBLOCK_NxBLOCK_K w<warps> s<stages>``: how reports and errors name a config."""
    kw = config.kwargs
    return f"{kw['BLOCK_M']}x{kw['BLOCK_N']}x{kw['BLOCK_K']} w{config.num_warps} s{config.num_stages}"


#: Shared memory allowed beyond the tile buffers: pipeline barriers and what an epilogue keeps there.
SHARED_MEMORY_SLACK = 1024


def shared_memory_bound(config: triton.Config, itemsize: int, weight_tiles: int = 1) -> int:
    """Upper bound of the shared memory a GEMM config takes: one buffer per pipeline stage holding the
    activation tile and ``weight_tiles`` weight tiles (Triton keeps ``num_stages`` of them for wgmma and TMA,
    one fewer for mma.sync), plus :data:`SHARED_MEMORY_SLACK`. The ahead-of-time check
    (:mod:`gonka.kernels.aot`) confirms the bound against the compiler for every config and target."""
    kw = config.kwargs
    stage = (kw["BLOCK_M"] + weight_tiles * kw["BLOCK_N"]) * kw["BLOCK_K"] * itemsize
    return int(config.num_stages * stage + SHARED_MEMORY_SLACK)


def configs_for(
    configs: list[triton.Config], capability: tuple[int, int], itemsize: int, weight_tiles: int = 1
) -> list[triton.Config]:
    """The configs the engine may pick on a GPU of ``capability`` for operands of ``itemsize`` bytes: those
    of the GPU's generation (Hopper tiles from sm_90 on) whose :func:`shared_memory_bound` is within the GPU's
    shared memory; if none is, those of the other generation that are (never a mix: one ``BLOCK_K``). The
    ahead-of-time check compiles exactly these for each target and reports the others as excluded."""
    limit = shared_memory_limit(capability)
    hopper = capability[0] >= 9
    for generation in (hopper, not hopper):
        fitting = [
            c
            for c in configs
            if c.kwargs.get("HOPPER", generation) == generation
            and shared_memory_bound(c, itemsize, weight_tiles) <= limit
        ]
        if fitting:
            return fitting
    raise ValueError(
        f"no GEMM config fits the {limit} bytes of shared memory of compute capability "
        f"{capability[0]}.{capability[1]} with {itemsize}-byte operands"
    )


#: Problems under this many multiply-adds run the first candidate untuned (tuning costs more than it saves).
TUNE_MIN_MACS = 1 << 30


def prune_configs(
    configs: list[triton.Config], named_args: dict[str, Any], weight_tiles: int = 1, **kwargs: object
) -> list[triton.Config]:
    """Keep the configs the engine may pick on this GPU (:func:`configs_for`), and only the first of them
    for small problems."""
    if interpreting():
        return configs
    a = named_args["a_ptr"]
    kept = configs_for(configs, capability(a.device), a.element_size(), weight_tiles)
    m, k = named_args.get("M", 0), named_args.get("K", 0)
    n = named_args.get("N", 3 * k)  # the QKV kernel derives N = 3·K
    return kept[:1] if m * n * k < TUNE_MIN_MACS else kept


def autotune(configs: list[triton.Config], key: list[str], weight_tiles: int = 1, **kwargs: Any) -> Any:
    """``triton.autotune`` with :func:`prune_configs` (``weight_tiles`` weight tiles per step), keeping the
    tuning results on disk where Triton can (the first forward of a process then skips re-tuning the
    production shapes)."""
    if "cache_results" in inspect.signature(triton.autotune).parameters:
        kwargs["cache_results"] = True
    prune = functools.partial(prune_configs, weight_tiles=weight_tiles)
    return triton.autotune(configs=configs, key=key, prune_configs_by={"early_config_prune": prune}, **kwargs)


@triton.jit
def tile_coords(tile, tiles_m, tiles_n, GROUP_M: tl.constexpr):
    """Tile index → (tile row, tile col), walking GROUP_M tile rows together so weight tiles stay in L2."""
    per_group = GROUP_M * tiles_n
    first_m = (tile // per_group) * GROUP_M
    group_m = min(tiles_m - first_m, GROUP_M)
    return first_m + (tile % group_m), (tile % per_group) // group_m


@triton.jit
def tile_rows(start, limit, BLOCK: tl.constexpr):
    """Indices of a tile edge, clamped in bounds (so loads need no mask) and hinted contiguous."""
    idx = start + tl.arange(0, BLOCK)
    idx = tl.where(idx < limit, idx, 0)
    return tl.max_contiguous(tl.multiple_of(idx, BLOCK), BLOCK)


@triton.jit
def dot_tile(acc, a_ptrs, w_ptrs, k, K, BLOCK_K: tl.constexpr, EVEN_K: tl.constexpr, PRECISION: tl.constexpr):
    """One K step: acc += a[:, k:k+BK] · w[:, k:k+BK]ᵀ, masking the K tail unless K divides evenly."""
    if EVEN_K:
        a = tl.load(a_ptrs)
        w = tl.load(w_ptrs)
    else:
        k_ok = (k + tl.arange(0, BLOCK_K)) < K
        a = tl.load(a_ptrs, mask=k_ok[None, :], other=0.0)
        w = tl.load(w_ptrs, mask=k_ok[None, :], other=0.0)
    return tl.dot(a, tl.trans(w), acc, input_precision=PRECISION)


@triton.jit
def tile_source(ptr, rows, K, row_stride, BLOCK_R: tl.constexpr, BLOCK_K: tl.constexpr, TMA: tl.constexpr):
    """An operand [rows, K] as a TMA descriptor of [BLOCK_R, BLOCK_K] tiles (built once per program), or its
    pointer."""
    if TMA:
        return tl.make_tensor_descriptor(
            ptr, shape=[rows, K], strides=[row_stride, 1], block_shape=[BLOCK_R, BLOCK_K]
        )
    else:
        return ptr


@triton.jit
def tile_matmul(
    a_src, a_stride, w_src, M, N, K, pid_m, pid_n,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
    EVEN_K: tl.constexpr, PRECISION: tl.constexpr, TMA: tl.constexpr,
):  # fmt: skip
    """float32 ``a[tile rows] · w[tile cols]ᵀ`` over the whole K. With TMA (Hopper) the tiles come through the
    bulk tensor copy engine (bounds zero-filled by the hardware); otherwise through pointer loads."""
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    if TMA:
        for k in range(0, K, BLOCK_K):
            a = a_src.load([pid_m * BLOCK_M, k])
            w = w_src.load([pid_n * BLOCK_N, k])
            acc = tl.dot(a, w.T, acc, input_precision=PRECISION)
    else:
        rows = tile_rows(pid_m * BLOCK_M, M, BLOCK_M)
        cols = tile_rows(pid_n * BLOCK_N, N, BLOCK_N)
        ks = tl.arange(0, BLOCK_K)
        a_ptrs = a_src + rows.to(tl.int64)[:, None] * a_stride + ks[None, :]
        w_ptrs = w_src + cols.to(tl.int64)[:, None] * K + ks[None, :]
        for k in range(0, K, BLOCK_K):
            acc = dot_tile(acc, a_ptrs, w_ptrs, k, K, BLOCK_K, EVEN_K, PRECISION)
            a_ptrs += BLOCK_K
            w_ptrs += BLOCK_K
    return acc


@triton.jit
def _gemm_kernel(
    a_ptr, a_stride, w_ptr, out_ptr, out_stride, M, N, K,
    NUM_PROGRAMS: tl.constexpr, RESIDUAL: tl.constexpr, PRECISION: tl.constexpr, EVEN_K: tl.constexpr,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr,
    HOPPER: tl.constexpr, TMA: tl.constexpr,
):  # fmt: skip
    dtype = out_ptr.dtype.element_ty
    tiles_m = tl.cdiv(M, BLOCK_M)
    tiles_n = tl.cdiv(N, BLOCK_N)
    a_src = tile_source(a_ptr, M, K, a_stride, BLOCK_M, BLOCK_K, TMA)
    w_src = tile_source(w_ptr, N, K, K, BLOCK_N, BLOCK_K, TMA)
    for tile in tl.range(tl.program_id(0), tiles_m * tiles_n, NUM_PROGRAMS):
        pid_m, pid_n = tile_coords(tile, tiles_m, tiles_n, GROUP_M)
        acc = tile_matmul(
            a_src, a_stride, w_src, M, N, K, pid_m, pid_n, BLOCK_M, BLOCK_N, BLOCK_K, EVEN_K, PRECISION, TMA
        )
        out_rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
        out_cols = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
        ok = (out_rows < M)[:, None] & (out_cols < N)[None, :]
        out_ptrs = out_ptr + out_rows.to(tl.int64)[:, None] * out_stride + out_cols[None, :]
        c = acc.to(dtype)
        if RESIDUAL:
            c = (tl.load(out_ptrs, mask=ok, other=0.0).to(tl.float32) + c.to(tl.float32)).to(dtype)
        tl.store(out_ptrs, c, mask=ok)


CONFIGS = gemm_configs()
_gemm = autotune(CONFIGS, key=["M", "N", "K", "RESIDUAL", "TMA"], restore_value=["out_ptr"])(_gemm_kernel)


#: Why the TMA path was given up in this process (a compile failure on this Triton), or None.
TMA_FAILURE: str | None = None


def _tma_aligned(t: torch.Tensor) -> bool:
    return t.data_ptr() % 16 == 0 and (t.stride(0) * t.element_size()) % 16 == 0


def use_tma(tma: bool | None, operands: tuple[torch.Tensor, ...]) -> bool:
    """Whether to read the operands through TMA descriptors: asked for explicitly, or by default on Hopper
    (``GONKA_TRITON_TMA=0`` turns the default off) for 16-bit operands that are all 16-byte aligned as TMA
    requires. float32 tiles go through pointer loads: ptxas gives the float32 TMA kernels 32 registers and
    they spill kilobytes per thread (the ahead-of-time check, :mod:`gonka.kernels.aot`)."""
    aligned = all(_tma_aligned(t) for t in operands)
    if tma is not None:
        if tma and not aligned:
            raise ValueError("TMA needs 16-byte aligned operands and row strides")
        return tma
    if TMA_FAILURE is not None or os.environ.get("GONKA_TRITON_TMA", "1") == "0":
        return False
    return aligned and capability(operands[0].device)[0] == 9 and tma_dtype(operands[0].dtype)


def tma_dtype(dtype: torch.dtype) -> bool:
    """Whether the engine loads tiles of ``dtype`` through TMA on Hopper (16-bit types only)."""
    return dtype.itemsize == 2


def _scratch(size: int, alignment: int, stream: object) -> torch.Tensor:
    return torch.empty(size, dtype=torch.int8, device="cuda" if torch.cuda.is_available() else "cpu")


def launch(kernel, grid, tma: bool | None, operands: tuple[torch.Tensor, ...], *args, **kwargs) -> None:
    """Launch a GEMM kernel with or without TMA. When the automatic choice of TMA fails to compile on this
    Triton build, say so once and use pointer loads from then on."""
    global TMA_FAILURE
    chosen = use_tma(tma, operands)
    if chosen:
        # Descriptors built on the device need a scratch allocator.
        triton.set_allocator(_scratch)
    try:
        kernel[grid](*args, TMA=chosen, **kwargs)
    except (triton.CompilationError, RuntimeError) as exc:
        if not chosen or tma is not None:
            raise
        TMA_FAILURE = f"{type(exc).__name__}: {exc}"
        warnings.warn(f"TMA GEMM path unavailable, using pointer loads: {TMA_FAILURE[:300]}", stacklevel=2)
        kernel[grid](*args, TMA=False, **kwargs)


def persistent_grid(device: torch.device, M: int, N: int):
    programs = num_programs(device)
    return lambda meta: (min(programs, triton.cdiv(M, meta["BLOCK_M"]) * triton.cdiv(N, meta["BLOCK_N"])),)


def aligned_columns(n: int) -> int:
    """Row stride for an ``n``-column output that Triton specializes as 16-divisible: ``n`` rounded up to a
    multiple of 16 elements. With an unaligned stride (the vocabulary, 8196) the GEMM's stores are not
    vectorized and spill registers."""
    return -(-n // 16) * 16


def check_weight(name: str, w: torch.Tensor, n: int, k: int) -> None:
    if w.dim() != 2 or tuple(w.shape) != (n, k) or not w.is_contiguous():
        raise ValueError(
            f"{name}: expected a contiguous [{n}, {k}] weight, got {tuple(w.shape)} {w.stride()}"
        )


def even_k(K: int) -> bool:
    """Whether every candidate BLOCK_K divides K (then the K loop needs no masks)."""
    return K % 128 == 0 or (interpreting() and K % 32 == 0)


def linear(
    a: torch.Tensor,
    w: torch.Tensor,
    out: torch.Tensor | None = None,
    *,
    residual: bool = False,
    tma: bool | None = None,
) -> torch.Tensor:
    """``out = cast(a · wᵀ)``; with ``residual=True``, ``out = cast(out + cast(a · wᵀ))`` in place.

    ``a`` [M, K] (row stride free), ``w`` [N, K] contiguous, ``out`` [M, N] (row stride free). ``tma``: load
    tiles through TMA descriptors (default: on Hopper, when the operands are aligned for it)."""
    M, K = a.shape
    N = w.shape[0]
    check_rows("linear a", a, K)
    check_weight("linear w", w, N, K)
    if out is None:
        if residual:
            raise ValueError("linear: residual=True needs the residual tensor as out")
        out = torch.empty((M, N), dtype=a.dtype, device=a.device)
    check_rows("linear out", out, N)
    if M == 0:
        return out
    launch(
        _gemm, persistent_grid(a.device, M, N), tma, (a, w),
        a, a.stride(0), w, out, out.stride(0), M, N, K,
        NUM_PROGRAMS=num_programs(a.device), RESIDUAL=residual, PRECISION=dot_precision(a.dtype),
        EVEN_K=even_k(K), enable_fp_fusion=FP_FUSION,
    )  # fmt: skip
    return out
