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

import inspect
import os
import warnings

import torch
import triton
import triton.language as tl

from gonka.kernels._runtime import capability, check_rows, dot_precision, interpreting, num_programs


def _config(bm: int, bn: int, bk: int, warps: int, stages: int, group: int = 8) -> triton.Config:
    return triton.Config(
        {"BLOCK_M": bm, "BLOCK_N": bn, "BLOCK_K": bk, "GROUP_M": group}, num_warps=warps, num_stages=stages
    )


def gemm_configs(dual: bool = False) -> list[triton.Config]:
    """Candidate tiles. The interpreter gets one small tile (no tuning runs on the CPU). On a GPU
    ``prune_configs`` keeps only those that fit the device's generation. ``dual`` GEMMs hold two
    accumulators and read two weight tiles per step, so their tiles are half as wide."""
    if interpreting():
        tiny = _config(32, 64, 32, 4, 1, group=2)
        tiny.kwargs["HOPPER"] = False
        return [tiny]
    # One BLOCK_K per GPU generation: the accumulation order of an output element then never depends on the
    # tile shape the tuner picks for a batch size, so a nonce's result is the same at any batch size.
    if dual:
        hopper = [_config(128, 128, 64, 8, 4), _config(128, 128, 64, 8, 3), _config(256, 64, 64, 8, 3)]
        older = [_config(128, 64, 32, 4, 4), _config(64, 64, 32, 4, 4), _config(128, 64, 32, 8, 3)]
    else:
        hopper = [_config(128, 256, 64, 8, 3), _config(128, 128, 64, 8, 4), _config(256, 128, 64, 8, 3)]
        older = [_config(128, 128, 32, 4, 4), _config(128, 64, 32, 4, 4), _config(64, 128, 32, 4, 4)]
    for c in hopper:
        c.kwargs["HOPPER"] = True
    for c in older:
        c.kwargs["HOPPER"] = False
    return hopper + older


#: Problems under this many multiply-adds run the first candidate untuned (tuning costs more than it saves).
TUNE_MIN_MACS = 1 << 30


def prune_configs(configs: list[triton.Config], named_args: dict, **kwargs: object) -> list[triton.Config]:
    """Keep the configs meant for this GPU generation (Hopper tiles overflow older GPUs' shared memory), and
    only the first of them for small problems."""
    if interpreting():
        return configs
    a = named_args.get("a_ptr")
    hopper = capability(a.device)[0] >= 9 if isinstance(a, torch.Tensor) else False
    kept = [c for c in configs if c.kwargs.get("HOPPER", hopper) == hopper] or configs
    m, k = named_args.get("M", 0), named_args.get("K", 0)
    n = named_args.get("N", 3 * k)  # the QKV kernel derives N = 3·K
    return kept[:1] if m * n * k < TUNE_MIN_MACS else kept


def autotune(configs: list[triton.Config], key: list[str], **kwargs: object):
    """``triton.autotune`` with the generation filter, keeping the tuning results on disk where Triton can
    (the first forward of a process then skips re-tuning the production shapes)."""
    if "cache_results" in inspect.signature(triton.autotune).parameters:
        kwargs["cache_results"] = True
    return triton.autotune(
        configs=configs, key=key, prune_configs_by={"early_config_prune": prune_configs}, **kwargs
    )


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


_gemm = autotune(gemm_configs(), key=["M", "N", "K", "RESIDUAL", "TMA"], restore_value=["out_ptr"])(
    _gemm_kernel
)


#: Why the TMA path was given up in this process (a compile failure on this Triton), or None.
TMA_FAILURE: str | None = None


def _tma_aligned(t: torch.Tensor) -> bool:
    return t.data_ptr() % 16 == 0 and (t.stride(0) * t.element_size()) % 16 == 0


def use_tma(tma: bool | None, operands: tuple[torch.Tensor, ...]) -> bool:
    """Whether to read the operands through TMA descriptors: asked for explicitly, or by default on Hopper
    (``GONKA_TRITON_TMA=0`` turns the default off) when every operand is 16-byte aligned as TMA requires."""
    aligned = all(_tma_aligned(t) for t in operands)
    if tma is not None:
        if tma and not aligned:
            raise ValueError("TMA needs 16-byte aligned operands and row strides")
        return tma
    if TMA_FAILURE is not None or os.environ.get("GONKA_TRITON_TMA", "1") == "0":
        return False
    return aligned and capability(operands[0].device)[0] == 9


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
        EVEN_K=even_k(K),
    )  # fmt: skip
    return out
