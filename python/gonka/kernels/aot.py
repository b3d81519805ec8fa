"""Ahead-of-time compile check of the Triton kernels for the GPUs the engine runs on, without a GPU.

Every kernel is compiled the way the Triton engine launches it at the production shapes (:data:`PARAMS_V2
<gonka.poc.params.PARAMS_V2>`: dim 1792, FFN hidden 49152, vocabulary 8196, sequence 256), for each target
of :data:`TARGETS` (sm_80, sm_89, sm_90), in float16 (production) and float32 (the CPU-oracle dtype), with
every GEMM config the engine may pick there (:func:`gonka.kernels.gemm.configs_for`) on each load path it
may take (float16 on Hopper: TMA descriptors and pointer loads; otherwise pointer loads). The configs of the
target's generation that the engine's rule excludes are reported with the reason (``--compile-excluded``
compiles them too).

``triton.compile`` needs no device when it is given a target: it returns the PTX, a cubin from the ptxas
that Triton ships, and the shared memory a launch requests; ptxas ``-v`` reports registers and spills.
Arguments are specialized by Triton's own launch code (pointers and multiples of 16 marked 16-divisible), so
the compiled kernel is the one a launch with the same arguments builds. Each compile gets a Triton cache of
its own that is deleted afterwards: every kernel is compiled, none is read back.

Asserted for every launch the engine may make (a failure names the kernel, the config and the target):

* it compiles, and its shared memory is within the target's limit (:data:`SHARED_MEMORY_PER_BLOCK
  <gonka.kernels._runtime.SHARED_MEMORY_PER_BLOCK>`, a table, not a device query); for GEMMs also within
  :func:`~gonka.kernels.gemm.shared_memory_bound`, the rule the engine picks configs by;
* float16: no register spills; GEMMs use wgmma on sm_90 and mma.sync on sm_80/sm_89; the TMA path loads
  through ``cp.async.bulk.tensor``, the pointer path through pipelined ``cp.async``;
* FMA contraction as the kernel's ``FP_FUSION`` says: the compiler got the option, and in float16 a kernel
  compiled without contraction has no ``fma.rn.f32`` (libdevice's own fmas are ``.ftz``) while one compiled
  with it has; float32 divisions are IEEE-rounded (no ``div.full``).

Run: ``python -m gonka.kernels.aot`` (``make check-kernels``); ``--help`` lists the options.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

SCHEMA = "gonka-kernels-aot/1"
#: Nonces per forward in the checked launches: the batch ``gonka bench poc`` picks on an 80 GB or larger GPU.
#: The last layer's launches have one row per nonce, so a batch that is not a multiple of 16 compiles them
#: without the divisibility hint on the row count (``--batch`` checks such a batch).
CHECK_BATCH = 256
DTYPES = ("float16", "float32")
#: The jitted function of each kernel module, in report order.
KERNEL_FUNCTIONS = {
    "rmsnorm": "_rmsnorm_kernel",
    "rope": "_rope_kernel",
    "attention": "_attention_kernel",
    "gemm": "_gemm_kernel",
    "qkv": "_qkv_kernel",
    "swiglu": "_swiglu_kernel",
}
GEMM_KERNELS = ("gemm", "qkv", "swiglu")
#: A program's threads share the 64 Ki 32-bit registers of a multiprocessor on every target.
REGISTERS_PER_BLOCK = 65536


@dataclasses.dataclass(frozen=True)
class Target:
    """A GPU generation to compile for, with the multiprocessor count of its representative GPU (the
    persistent GEMMs' program count, a compile-time constant)."""

    name: str
    capability: tuple[int, int]
    gpus: str
    multiprocessors: int

    @property
    def arch(self) -> int:
        return 10 * self.capability[0] + self.capability[1]

    @property
    def shared_limit(self) -> int:
        from gonka.kernels._runtime import shared_memory_limit

        return shared_memory_limit(self.capability)


TARGETS = (
    Target("sm_80", (8, 0), "A100", 108),
    Target("sm_89", (8, 9), "L40S, RTX 4090", 142),
    Target("sm_90", (9, 0), "H100, H200", 132),
)


def target_named(name: str) -> Target:
    for target in TARGETS:
        if target.name == name:
            return target
    raise ValueError(f"unknown target {name!r}; expected one of {', '.join(t.name for t in TARGETS)}")


@dataclasses.dataclass(frozen=True)
class Operand:
    """A tensor argument: only its dtype and its (16-byte aligned) address matter to the compiler."""

    dtype: str


@dataclasses.dataclass(frozen=True)
class KernelUse:
    """One way the engine calls a kernel in a production forward, with the launch's runtime arguments."""

    kernel: str
    use: str
    #: Launches of this use per forward of the production model (0: a kernel the engine does not call).
    per_forward: int
    args: tuple[Any, ...]
    constexprs: tuple[tuple[str, Any], ...]
    num_warps: int = 4
    num_stages: int = 3
    #: GEMMs: (M, N, K) of the product, else None.
    gemm_shape: tuple[int, int, int] | None = None


@dataclasses.dataclass(frozen=True)
class Launch:
    """One compile of a kernel use for a target: with a GEMM config and load path for GEMMs."""

    kernel: str
    uses: tuple[str, ...]
    target: Target
    dtype: str
    args: tuple[Any, ...]
    constexprs: tuple[tuple[str, Any], ...]
    num_warps: int
    num_stages: int
    fp_fusion: bool
    #: GEMMs: the autotuning config (:func:`gonka.kernels.gemm.config_label`); "" for fixed blocks.
    config: str = ""
    #: GEMMs: the load path (True: TMA descriptors); None for other kernels.
    tma: bool | None = None
    #: Why the engine never picks this launch on the target ("" when it may).
    excluded: str = ""
    #: GEMMs: the shared memory the engine's config rule assumes at most (0 for other kernels).
    shared_bound: int = 0

    @property
    def path(self) -> str:
        return "" if self.tma is None else ("TMA" if self.tma else "pointers")

    @property
    def title(self) -> str:
        parts = [self.kernel, self.config, self.path, self.target.name, self.dtype]
        return " ".join(p for p in parts if p)

    def merged(self, other: Launch) -> Launch:
        return dataclasses.replace(self, uses=self.uses + tuple(u for u in other.uses if u not in self.uses))


@dataclasses.dataclass
class Compiled:
    """What the compiler says about one launch (``error`` set when it did not compile)."""

    seconds: float
    error: str = ""
    shared: int = 0
    registers: int = 0
    spill_stores: int = 0
    spill_loads: int = 0
    stack: int = 0
    fp_fusion: bool | None = None
    ptx: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def spills(self) -> int:
        return self.spill_stores + self.spill_loads


#: PTX instructions counted per kernel, and what they show.
PTX_SIGNALS = {
    "wgmma": r"\bwgmma\.mma_async\b",  # Hopper tensor cores
    "mma_sync": r"\bmma\.sync\b",  # Ampere/Ada tensor cores
    "tma": r"\bcp\.async\.bulk\.tensor\b",  # TMA tile loads
    "cp_async": r"\bcp\.async\.c[ag]\b",  # pipelined pointer loads
    "fma_rn_f32": r"\bfma\.rn\.f32\b",  # contraction (libdevice's own fmas are .ftz)
    "div_full": r"\bdiv\.(full|approx)\.f32\b",  # approximate division
    "local": r"\b(ld|st)\.local\b",  # local memory in the PTX itself
}


# --- the launches of the engine at production shapes --------------------------------------------------------


def _dtype_of(name: str) -> Any:
    import torch

    return {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}[name]


def kernel_uses(target: Target, dtype: str, batch: int = CHECK_BATCH) -> list[KernelUse]:
    """How a production forward of the Triton engine calls each kernel on ``target`` with ``batch`` nonces:
    the arguments and block sizes its launchers pass (GEMM configs come from :func:`launches_of`)."""
    from gonka.kernels import attention, gemm, rmsnorm, rope
    from gonka.kernels._runtime import dot_precision, libm_exp
    from gonka.poc.params import PARAMS_V2

    p = PARAMS_V2
    seq, dim, hidden, vocab = p.seq_len, p.dim, p.ffn_hidden, p.vocab_size
    heads, head_dim, layers = p.n_heads, p.head_dim, p.n_layers
    rows, x = batch * seq, Operand(dtype)
    precision = dot_precision(_dtype_of(dtype))
    uses: list[KernelUse] = []

    def fixed(kernel: str, use: str, per_forward: int, args: tuple[Any, ...], blocks: dict[str, Any]) -> None:
        constexprs = tuple((k, v) for k, v in blocks.items() if k != "num_warps")
        uses.append(KernelUse(kernel, use, per_forward, args, constexprs, num_warps=blocks["num_warps"]))

    def product(kernel: str, use: str, per_forward: int, args: tuple[Any, ...], mnk: tuple[int, int, int],
                **consts: Any) -> None:  # fmt: skip
        consts = {"NUM_PROGRAMS": target.multiprocessors, "PRECISION": precision, **consts}
        consts["EVEN_K"] = gemm.even_k(mnk[2])
        uses.append(KernelUse(kernel, use, per_forward, args, tuple(consts.items()), gemm_shape=mnk))

    last = "last position: "
    eps, inv_dim = p.norm_eps, rmsnorm.inverse_dim(dim)
    norm_args = (x, dim, x, x, dim, rows, dim, inv_dim, eps)
    fixed("rmsnorm", "attention and FFN norms", 2 * layers - 1, norm_args, rmsnorm.launch_blocks(rows, dim))
    last_norm_args = (x, seq * dim, x, x, dim, batch, dim, inv_dim, eps)
    fixed("rmsnorm", last + "FFN and final norms", 2, last_norm_args, rmsnorm.launch_blocks(batch, dim))
    qkv_args = (x, dim, x, x, x, x, rows, dim, seq, head_dim)
    product("qkv", "Q/K/V projection + RoPE", layers, qkv_args, (rows, 3 * dim, dim))
    attention_blocks = attention.launch_blocks(seq, head_dim, target.capability)
    blocks = {**attention_blocks, "PRECISION": precision, "LIBM_EXP": libm_exp()}
    for first_query, use, count in ((0, "attention", layers - 1), (seq - 1, last + "attention", 1)):
        args = (x, x, x, 3 * dim, x, dim, seq, heads, head_dim, attention.score_scale(head_dim), first_query)
        fixed("attention", use, count, args, blocks)
    o_args = (x, dim, x, x, dim, rows, dim, dim)
    product("gemm", "O projection + residual", layers - 1, o_args, (rows, dim, dim), RESIDUAL=True)
    ffn_args = (x, dim, x, x, x, rows, hidden, dim)
    product("swiglu", "gate/up + SiLU·mul", layers - 1, ffn_args, (rows, hidden, dim), LIBM_EXP=libm_exp())
    down_args = (x, hidden, x, x, dim, rows, dim, hidden)
    product("gemm", "down projection + residual", layers - 1, down_args, (rows, dim, hidden), RESIDUAL=True)
    last_o_args = (x, seq * dim, x, x, seq * dim, batch, dim, dim)
    product("gemm", last + "O projection + residual", 1, last_o_args, (batch, dim, dim), RESIDUAL=True)
    last_ffn_args = (x, dim, x, x, x, batch, hidden, dim)
    product(
        "swiglu", last + "gate/up + SiLU·mul", 1, last_ffn_args, (batch, hidden, dim), LIBM_EXP=libm_exp()
    )
    last_down_args = (x, hidden, x, x, seq * dim, batch, dim, hidden)
    product(
        "gemm", last + "down projection + residual", 1, last_down_args, (batch, dim, hidden), RESIDUAL=True
    )
    logit_args = (x, dim, x, x, gemm.aligned_columns(vocab), batch, vocab, dim)
    product("gemm", "logits", 1, logit_args, (batch, vocab, dim), RESIDUAL=False)
    rope_args = (x, 3 * dim, x, x, rows, dim, seq, head_dim)
    fixed(
        "rope", "stand-alone RoPE of q (the QKV GEMM rotates in the engine)", 0, rope_args, dict(rope.BLOCKS)
    )
    return uses


def weight_tiles(kernel: str) -> int:
    """Weight tiles a GEMM kernel reads per K step (the gate/up GEMM reads W1 and W3)."""
    return 2 if kernel == "swiglu" else 1


def candidate_configs(kernel: str) -> list[Any]:
    """The autotuning configs of a GEMM kernel (what its ``autotune`` was given)."""
    import importlib

    return list(importlib.import_module(f"gonka.kernels.{kernel}").CONFIGS)


def gemm_paths(target: Target, dtype: str) -> tuple[bool, ...]:
    """Load paths the engine takes on ``target`` for ``dtype``: TMA descriptors (its default) and pointer
    loads on Hopper for 16-bit types (:func:`~gonka.kernels.gemm.use_tma`), pointer loads otherwise."""
    from gonka.kernels.gemm import tma_dtype

    return (True, False) if target.capability[0] == 9 and tma_dtype(_dtype_of(dtype)) else (False,)


def launches_of(use: KernelUse, target: Target, dtype: str) -> list[Launch]:
    """The compiles of one kernel use: one for fixed-block kernels; for GEMMs one per load path and per config
    of the target's generation or of :func:`~gonka.kernels.gemm.configs_for` (the others marked excluded)."""
    from gonka.kernels import gemm

    if use.gemm_shape is None:
        fp_fusion = _fp_fusion(use.kernel)
        common = (use.kernel, (use.use,), target, dtype, use.args, use.constexprs)
        return [Launch(*common, use.num_warps, use.num_stages, fp_fusion)]
    candidates = candidate_configs(use.kernel)
    allowed = gemm.configs_for(
        candidates, target.capability, _dtype_of(dtype).itemsize, weight_tiles(use.kernel)
    )
    hopper = target.capability[0] >= 9
    return [
        gemm_launch(use, target, dtype, config, tma, excluded=config not in allowed)
        for config in candidates
        if config.kwargs["HOPPER"] == hopper or config in allowed
        for tma in gemm_paths(target, dtype)
    ]


def gemm_launch(
    use: KernelUse, target: Target, dtype: str, config: Any, tma: bool, excluded: bool = False
) -> Launch:
    """A GEMM use compiled with ``config`` (a ``triton.Config``) on one load path; ``excluded`` when the
    engine never picks the config on ``target`` (the reason is derived from its shared memory bound)."""
    from gonka.kernels import gemm

    bound = gemm.shared_memory_bound(config, _dtype_of(dtype).itemsize, weight_tiles(use.kernel))
    reason = ""
    if excluded:
        reason = (
            f"up to {bound} B of shared memory, {target.name} allows {target.shared_limit} B"
            if bound > target.shared_limit
            else "the other generation's configs are used here"
        )
    constexprs = use.constexprs + tuple(config.kwargs.items()) + (("TMA", tma),)
    return Launch(
        use.kernel, (use.use,), target, dtype, use.args, constexprs, config.num_warps, config.num_stages,
        _fp_fusion(use.kernel), gemm.config_label(config), tma, reason, bound,
    )  # fmt: skip


def _fp_fusion(kernel: str) -> bool:
    import importlib

    return bool(importlib.import_module(f"gonka.kernels.{kernel}").FP_FUSION)


def production_launches(target: Target, dtype: str, batch: int = CHECK_BATCH) -> list[Launch]:
    """Every compile a production forward needs on ``target`` in ``dtype``, plus the excluded configs of the
    target's generation. Launches that compile to the same kernel (one specialization) are merged, their
    uses listed together."""
    merged: dict[str, Launch] = {}
    for use in kernel_uses(target, dtype, batch):
        for launch in launches_of(use, target, dtype):
            key = specialization_key(launch)
            merged[key] = merged[key].merged(launch) if key in merged else launch
    return list(merged.values())


# --- compiling without a device -----------------------------------------------------------------------------


def _kernel_function(kernel: str) -> Any:
    import importlib

    return getattr(importlib.import_module(f"gonka.kernels.{kernel}"), KERNEL_FUNCTIONS[kernel])


def _source(launch: Launch) -> tuple[Any, dict[str, Any], Any]:
    """Triton's compile inputs for ``launch``: (ASTSource, options, GPUTarget), specialized by Triton's own
    launch code exactly as a launch with these arguments would be.

    Triton has no public API for this without a device: ``create_function_from_signature`` and
    ``JITFunction._pack_args`` are what ``JITFunction.run`` calls between binding the arguments and
    compiling (the same in Triton 3.6 and 3.9)."""
    # Triton ships no type information (no py.typed): its objects are Any here.
    import torch
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource, make_backend
    from triton.runtime.jit import create_function_from_signature

    fn = _kernel_function(launch.kernel)
    if not hasattr(fn, "_pack_args"):
        raise RuntimeError("the ahead-of-time check needs compiled Triton: unset TRITON_INTERPRET")
    target = GPUTarget("cuda", launch.target.arch, 32)
    backend = make_backend(target)
    # Tensors on the meta device: the dtype a launch sees and a null, hence 16-byte aligned, address.
    args = [
        torch.empty(0, dtype=_dtype_of(a.dtype), device="meta") if isinstance(a, Operand) else a
        for a in launch.args
    ]
    kwargs = dict(launch.constexprs)
    kwargs.update(num_warps=launch.num_warps, num_stages=launch.num_stages, enable_fp_fusion=launch.fp_fusion)
    binder = create_function_from_signature(fn.signature, fn.params, backend)
    bound, specialization, options = binder(*args, **kwargs)
    options, signature, constexprs, attrs = fn._pack_args(backend, kwargs, bound, specialization, options)
    return ASTSource(fn, signature, constexprs, attrs), options.__dict__, target


def specialization_key(launch: Launch) -> str:
    """What determines the compiled kernel: the function, its specialized signature, constants and options."""
    source, options, target = _source(launch)
    return f"{launch.kernel}|{target.arch}|{source.hash()}|{sorted(options.items())}"


_PTXAS_PROPERTIES = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")
_PTXAS_REGISTERS = re.compile(r"Used (\d+) registers")


def parse_ptxas_log(log: str, function: str) -> tuple[int, int, int, int]:
    """(registers, spill-store bytes, spill-load bytes, stack bytes) of ``function`` from ``ptxas -v``."""
    start = log.find(f"Compiling entry function '{function}'")
    if start < 0:
        raise ValueError(f"ptxas -v output has no entry function {function!r}")
    section = log[start:]
    registers = _PTXAS_REGISTERS.search(section)
    properties = _PTXAS_PROPERTIES.search(section)
    if registers is None or properties is None:
        raise ValueError(f"ptxas -v output for {function!r} has no register or spill line")
    stack, stores, loads = (int(v) for v in properties.groups())
    return int(registers.group(1)), stores, loads, stack


def count_ptx_signals(ptx: str) -> dict[str, int]:
    return {name: len(re.findall(pattern, ptx)) for name, pattern in PTX_SIGNALS.items()}


def compile_launch(launch: Launch) -> Compiled:
    """Compile ``launch`` for its target, into a Triton cache of its own that is deleted afterwards (a kernel
    read back from a cache would come without its ptxas report); the compiler's errors come back as
    ``Compiled.error``."""
    import triton

    started = time.perf_counter()
    try:
        source, options, target = _source(launch)
        # ptxas -v goes to stdout when Triton is asked to show it; a failing ptxas prints the PTX there too.
        triton.knobs.nvidia.dump_ptxas_log = True
        log = io.StringIO()
        with _fresh_triton_cache(), contextlib.redirect_stdout(log):
            kernel = triton.compile(source, target=target, options=options)
        registers, stores, loads, stack = parse_ptxas_log(log.getvalue(), source.name)
    except Exception as exc:  # a compiler failure of any kind is this launch's result
        return Compiled(time.perf_counter() - started, error=_short_error(exc))
    return Compiled(
        seconds=time.perf_counter() - started,
        shared=int(kernel.metadata.shared),
        registers=registers,
        spill_stores=stores,
        spill_loads=loads,
        stack=stack,
        fp_fusion=bool(kernel.metadata.enable_fp_fusion),
        ptx=count_ptx_signals(kernel.asm["ptx"]),
    )


@contextlib.contextmanager
def _fresh_triton_cache() -> Iterator[None]:
    previous = os.environ.get("TRITON_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="gonka-kernels-aot-") as cache:
        os.environ["TRITON_CACHE_DIR"] = cache
        try:
            yield
        finally:
            if previous is None:
                del os.environ["TRITON_CACHE_DIR"]
            else:
                os.environ["TRITON_CACHE_DIR"] = previous


def _short_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    lines = [line for line in text.splitlines() if line.strip()]
    return " | ".join(lines[:6])[:600]


# --- what must hold -----------------------------------------------------------------------------------------


def problems(launch: Launch, compiled: Compiled) -> list[str]:
    """Why ``launch`` would fail the engine on its target (empty when it is fine)."""
    target = launch.target
    if compiled.error:
        return [f"does not compile: {compiled.error}"]
    found = []
    if compiled.shared > target.shared_limit:
        found.append(
            f"needs {compiled.shared} B of shared memory, {target.name} allows {target.shared_limit} B"
        )
    if launch.shared_bound and compiled.shared > launch.shared_bound:
        found.append(
            f"needs {compiled.shared} B of shared memory, more than the {launch.shared_bound} B the engine's "
            "config rule assumes (gemm.shared_memory_bound)"
        )
    if compiled.registers * 32 * launch.num_warps > REGISTERS_PER_BLOCK:
        found.append(
            f"{compiled.registers} registers x {32 * launch.num_warps} threads exceed a block's 64 Ki"
        )
    if compiled.fp_fusion != launch.fp_fusion:
        found.append(f"compiled with FP fusion {compiled.fp_fusion}, the kernel asks for {launch.fp_fusion}")
    if compiled.ptx["div_full"]:
        found.append(f"{compiled.ptx['div_full']} approximate float32 divisions (div.full/div.approx)")
    if launch.dtype == "float16":
        found += _production_problems(launch, compiled, target)
    return found


def _production_problems(launch: Launch, compiled: Compiled, target: Target) -> list[str]:
    found = []
    if compiled.spills or compiled.ptx["local"]:
        found.append(
            f"spills registers ({compiled.spill_stores} B stored, {compiled.spill_loads} B loaded, "
            f"{compiled.registers} registers)"
        )
    fmas = compiled.ptx["fma_rn_f32"]
    if launch.fp_fusion and not fmas:
        found.append("FP fusion is on but the PTX has no contracted fma.rn.f32")
    if not launch.fp_fusion and fmas:
        found.append(f"FP fusion is off but the PTX has {fmas} fma.rn.f32")
    if launch.kernel in GEMM_KERNELS:
        if target.capability[0] == 9 and not compiled.ptx["wgmma"]:
            found.append("no wgmma in a Hopper GEMM")
        if target.capability[0] == 8 and not compiled.ptx["mma_sync"]:
            found.append("no mma.sync in an Ampere/Ada GEMM")
        if launch.tma and not compiled.ptx["tma"]:
            found.append("the TMA path has no cp.async.bulk.tensor")
        if launch.tma is False and not compiled.ptx["cp_async"]:
            found.append("the pointer path has no pipelined cp.async")
    return found


# --- running the check --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    """A launch and what the compiler made of it (None: an excluded config left uncompiled)."""

    launch: Launch
    compiled: Compiled | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def status(self) -> str:
        if not self.launch.excluded:
            return "ok" if self.ok else "FAIL"
        if self.compiled is None:
            return "excluded"
        return "excluded (confirmed)" if self.problems else "excluded (compiles within limits)"


@dataclasses.dataclass
class FusionConfirmation:
    """A kernel compiled both ways (float16, pointer path, its first config): fma.rn.f32 with and without
    contraction, so the report shows where the choice matters."""

    kernel: str
    target: str
    chosen: bool
    fma_with_fusion: int
    fma_without_fusion: int

    @property
    def matters(self) -> bool:
        return self.fma_with_fusion != self.fma_without_fusion


@dataclasses.dataclass
class Report:
    triton: str
    ptxas: dict[str, str]
    targets: list[Target]
    rows: list[Row]
    fusion: list[FusionConfirmation]
    seconds: float
    jobs: int
    batch: int = CHECK_BATCH

    @property
    def failures(self) -> list[Row]:
        return [r for r in self.rows if not r.launch.excluded and not r.ok]

    @property
    def fusion_failures(self) -> list[str]:
        return [
            f"{f.kernel} on {f.target}: FP fusion is on, but the PTX has as many fma.rn.f32 without it "
            f"({f.fma_with_fusion})"
            for f in self.fusion
            if f.chosen and not f.matters
        ]


def _fusion_launches(launches: Sequence[Launch]) -> list[Launch]:
    """Per kernel, its first float16 launch on the pointer path for the newest target, compiled with the other
    FP fusion setting (the choice is the kernel's, the same on every target)."""
    newest = max((launch.target for launch in launches), key=lambda t: t.capability, default=None)
    seen: set[str] = set()
    out = []
    for launch in launches:
        if launch.target != newest or launch.dtype != "float16" or launch.excluded or launch.tma:
            continue
        if launch.kernel not in seen:
            seen.add(launch.kernel)
            out.append(dataclasses.replace(launch, fp_fusion=not launch.fp_fusion))
    return out


def run_check(
    targets: Sequence[Target] = TARGETS,
    dtypes: Sequence[str] = DTYPES,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    batch: int = CHECK_BATCH,
    compile_excluded: bool = False,
) -> Report:
    """Compile every launch of :func:`production_launches` for ``targets`` and ``dtypes`` in ``jobs``
    processes (default: one per core). The configs the engine excludes are
    compiled too with ``compile_excluded`` (to see whether its rule is tight)."""
    import triton

    from gonka.kernels._runtime import interpreting

    if interpreting():
        raise RuntimeError("the ahead-of-time check needs compiled Triton: unset TRITON_INTERPRET")
    started = time.perf_counter()
    launches = [launch for t in targets for d in dtypes for launch in production_launches(t, d, batch)]
    fusion = _fusion_launches(launches)
    work = [launch for launch in launches if compile_excluded or not launch.excluded] + fusion
    jobs = max(1, jobs or os.cpu_count() or 1)
    compiled: dict[Launch, Compiled] = {}
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for launch, result in zip(work, pool.map(compile_launch, work), strict=True):
            compiled[launch] = result
            if progress is not None:
                progress(f"{result.seconds:6.1f} s  {launch.title}{'  ERROR' if result.error else ''}")
    rows = []
    for launch in launches:
        found = compiled.get(launch)
        rows.append(Row(launch, found, problems(launch, found) if found is not None else []))
    confirmations = []
    for flipped in fusion:
        chosen = compiled[dataclasses.replace(flipped, fp_fusion=not flipped.fp_fusion)]
        with_fusion, without = (
            (compiled[flipped], chosen) if flipped.fp_fusion else (chosen, compiled[flipped])
        )
        fmas = (with_fusion.ptx.get("fma_rn_f32", -1), without.ptx.get("fma_rn_f32", -1))
        confirmations.append(
            FusionConfirmation(flipped.kernel, flipped.target.name, not flipped.fp_fusion, *fmas)
        )
    from triton.backends.nvidia.compiler import get_ptxas_version

    ptxas = {}
    for t in targets:
        release = re.search(r"release (\S+),", get_ptxas_version(t.arch))
        ptxas[t.name] = release.group(1) if release else "unknown"
    seconds = time.perf_counter() - started
    return Report(str(triton.__version__), ptxas, list(targets), rows, confirmations, seconds, jobs, batch)


# --- the report ---------------------------------------------------------------------------------------------


def engine_default(rows: Sequence[Row], kernel: str, target: str, dtype: str, tma: bool | None) -> Row | None:
    """The launch the engine makes first for a kernel on a target and load path: the first production use,
    with the first config the engine may pick there (its choice without tuning)."""
    for row in rows:
        launch = row.launch
        key = (launch.kernel, launch.target.name, launch.dtype, launch.tma)
        if key == (kernel, target, dtype, tma) and not launch.excluded and row.compiled is not None:
            return row
    return None


def summary_rows(report: Report, dtype: str = "float16") -> list[dict[str, Any]]:
    """Per kernel, target and load path: the engine's first config at the first production use."""
    out = []
    for kernel in KERNEL_FUNCTIONS:
        for target in report.targets:
            for tma in gemm_paths(target, dtype) if kernel in GEMM_KERNELS else (None,):
                row = engine_default(report.rows, kernel, target.name, dtype, tma)
                if row is None or row.compiled is None:
                    continue
                out.append(
                    {
                        "kernel": kernel,
                        "target": target.name,
                        "use": row.launch.uses[0],
                        "config": row.launch.config or "fixed blocks",
                        "path": row.launch.path or "-",
                        "shared_bytes": row.compiled.shared,
                        "registers": row.compiled.registers,
                        "spill_bytes": row.compiled.spills,
                        "status": row.status,
                    }
                )
    return out


def _compiled_fields(compiled: Compiled | None) -> dict[str, Any]:
    if compiled is None:
        return {"compiled": False}
    return {
        "compiled": True,
        "error": compiled.error,
        "shared_bytes": compiled.shared,
        "registers": compiled.registers,
        "spill_store_bytes": compiled.spill_stores,
        "spill_load_bytes": compiled.spill_loads,
        "stack_bytes": compiled.stack,
        "ptx": compiled.ptx,
        "compile_seconds": round(compiled.seconds, 2),
    }


def to_json(report: Report) -> dict[str, Any]:
    targets = [
        {
            "name": t.name,
            "gpus": t.gpus,
            "shared_limit_bytes": t.shared_limit,
            "multiprocessors": t.multiprocessors,
        }
        for t in report.targets
    ]
    launches = [
        {
            "kernel": r.launch.kernel,
            "uses": list(r.launch.uses),
            "target": r.launch.target.name,
            "dtype": r.launch.dtype,
            "config": r.launch.config,
            "path": r.launch.path,
            "num_warps": r.launch.num_warps,
            "num_stages": r.launch.num_stages,
            "fp_fusion": r.launch.fp_fusion,
            "status": r.status,
            "excluded": r.launch.excluded,
            "problems": r.problems,
            "shared_bound_bytes": r.launch.shared_bound,
            **_compiled_fields(r.compiled),
        }
        for r in report.rows
    ]
    return {
        "schema": SCHEMA,
        "triton": report.triton,
        "ptxas": report.ptxas,
        "check_seconds": round(report.seconds, 1),
        "jobs": report.jobs,
        "batch": report.batch,
        "targets": targets,
        "summary_float16": summary_rows(report),
        "fp_fusion": [dataclasses.asdict(f) | {"matters": f.matters} for f in report.fusion],
        "launches": launches,
    }


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


_SUMMARY_COLUMNS = (
    "kernel",
    "target",
    "config",
    "path",
    "shared_bytes",
    "registers",
    "spill_bytes",
    "status",
)
_LAUNCH_HEADERS = (
    "kernel", "target", "dtype", "config", "path", "uses", "shared (B)", "regs", "spills (B)",
    "wgmma", "mma.sync", "TMA", "cp.async", "fma.rn.f32", "status",
)  # fmt: skip


def _launch_cells(row: Row) -> list[Any]:
    launch, compiled = row.launch, row.compiled
    cells: list[Any] = [
        launch.kernel, launch.target.name, launch.dtype, launch.config or "fixed", launch.path or "-",
        "; ".join(launch.uses),
    ]  # fmt: skip
    if compiled is None:
        cells += ["-"] * 8
    else:
        ptx = compiled.ptx
        cells += [compiled.shared, compiled.registers, compiled.spills]
        cells += [ptx.get(k, "-") for k in ("wgmma", "mma_sync", "tma", "cp_async", "fma_rn_f32")]
    detail = "; ".join(row.problems) or launch.excluded
    return [*cells, row.status + (f": {detail}" if detail else "")]


def _fusion_cells(f: FusionConfirmation) -> list[Any]:
    chosen, matters = "on" if f.chosen else "off", "yes" if f.matters else "no"
    return [f.kernel, f.target, chosen, f.fma_with_fusion, f.fma_without_fusion, matters]


def to_markdown(report: Report) -> str:
    """The report as Markdown: the summary, the FP fusion confirmation and every launch."""
    failed = failure_lines(report)
    ptxas = ", ".join(f"{name}: {version}" for name, version in report.ptxas.items())
    lines = [
        f"# Triton kernels compiled ahead of time (Triton {report.triton})",
        "",
        "`python -m gonka.kernels.aot` (`make check-kernels`) compiles every kernel as the Triton engine "
        "launches it at the production shapes (dim 1792, FFN hidden 49152, vocabulary 8196, sequence 256, "
        f"batch {report.batch}) for each target, without a GPU (ptxas {ptxas}): {len(report.rows)} launches "
        f"and {len(report.fusion)} FP fusion confirmations in {report.seconds:.0f} s on {report.jobs} "
        "processes. " + ("Every check passes." if not failed else f"{len(failed)} checks FAIL."),
        "",
        "## Summary (float16): the engine's first config per kernel, target and load path",
        "",
        *_table(
            ["kernel", "target", "config", "path", "shared memory (B)", "registers", "spills (B)", "status"],
            ([s[c] for c in _SUMMARY_COLUMNS] for s in summary_rows(report)),
        ),
        "",
        "Shared memory per block: "
        + ", ".join(f"{t.name} ({t.gpus}) {t.shared_limit} B" for t in report.targets)
        + ".",
        "",
        "## FP fusion: fma.rn.f32 in the PTX of each kernel's first float16 launch (pointer path), both ways",
        "",
        *_table(
            ["kernel", "target", "chosen", "with fusion", "without fusion", "the choice changes the code"],
            (_fusion_cells(f) for f in report.fusion),
        ),
        "",
        "## Every launch",
        "",
        *_table(_LAUNCH_HEADERS, (_launch_cells(r) for r in report.rows)),
        "",
    ]
    return "\n".join(lines)


def failure_lines(report: Report) -> list[str]:
    """One line per failed check, naming the kernel, config, load path, target and dtype."""
    lines = [
        f"{r.launch.title} ({'; '.join(r.launch.uses)}): {p}" for r in report.failures for p in r.problems
    ]
    return lines + report.fusion_failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gonka.kernels.aot",
        description="Compile every Triton kernel for each GPU target without a GPU and check its resources.",
    )
    parser.add_argument(
        "--targets", default=",".join(t.name for t in TARGETS), help="comma-separated targets"
    )
    parser.add_argument("--dtypes", default=",".join(DTYPES), help="comma-separated dtypes")
    parser.add_argument("--batch", type=int, default=CHECK_BATCH, help="nonces per forward of the launches")
    parser.add_argument("--compile-excluded", action="store_true", help="also compile the excluded configs")
    parser.add_argument(
        "-j", "--jobs", type=int, default=None, help="compile processes (default: one per core)"
    )
    parser.add_argument(
        "--report", type=Path, default=None, help="write kernels-aot-triton-VERSION.json/.md here"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print each compile as it finishes")
    options = parser.parse_args(argv)
    try:
        targets = [target_named(name) for name in options.targets.split(",")]
        dtypes = options.dtypes.split(",")
        for dtype in dtypes:
            if dtype not in DTYPES:
                raise ValueError(f"unknown dtype {dtype!r}; expected one of {', '.join(DTYPES)}")
        if options.batch < 1:
            raise ValueError(f"batch must be >= 1, got {options.batch}")
        report = run_check(
            targets,
            dtypes,
            options.jobs,
            print if options.verbose else None,
            options.batch,
            options.compile_excluded,
        )
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    markdown = to_markdown(report)
    print(markdown.split("## Every launch")[0].rstrip())
    if options.report is not None:
        options.report.mkdir(parents=True, exist_ok=True)
        stem = options.report / f"kernels-aot-triton-{report.triton}"
        Path(f"{stem}.json").write_text(json.dumps(to_json(report), indent=1) + "\n")
        Path(f"{stem}.md").write_text(markdown)
        print(f"\nreport: {stem}.json, {stem}.md")
    for line in failure_lines(report):
        print(f"FAIL {line}", file=sys.stderr)
    return 1 if failure_lines(report) else 0


if __name__ == "__main__":
    sys.exit(main())
