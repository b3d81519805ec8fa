"""``gonka bench poc``: speed and numerics of a PoC engine on this host, as one JSON-ready dict.

What it measures, in one run on one device:

* model build time (pool generation, weight views, engine set-up) and the memory the model holds;
* forward-only throughput (inputs already on the device) and end-to-end throughput (``PocModel.distances``:
  input and permutation generation overlapped with the forward, distances on the host), in nonces/s, and the
  forward's rate in TFLOP/s (the reference's FLOP count per nonce) against this GPU's own GEMM ceiling: a
  cuBLAS GEMM of the FFN shape timed in the same run;
* numerics against the torch reference engine over the same inputs: distance differences, flips at
  ``r_target`` both ways, relative logits error; and, as the yardstick that proves every layer is computed,
  the change that skipping the last layer causes. The engine's logits error must stay below a third of it.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import math
import resource
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from gonka.errors import InvalidInput

if TYPE_CHECKING:
    from gonka.poc.weights import ModelWeights

SCHEMA = "gonka-bench-poc/1"
#: Inputs of the benchmark (any block hash works; this one is fixed so that results are comparable).
BENCH_BLOCK_HASH = "4D3C2B1A0F9E8D7C6B5A49382716F5E4D3C2B1A0F9E8D7C6B5A49382716F5E4D"
BENCH_PUBLIC_KEY = "02eb3102a6cb586765d01fad324523ec0bc67b9efd6a2d9589c135adfedf7922cc"
#: Limits the production engine must meet against the torch engine on the same GPU.
LIMITS = {"mean_abs_dist": 2e-6, "max_abs_dist": 1e-5, "mean_rel_logits": 4e-4}
#: The engine's logits error must stay below this fraction of the error that skipping the last layer causes.
LAYER_FRACTION = 1 / 3
#: Largest batch the benchmark picks by itself (bigger batches add memory, not speed).
MAX_AUTO_BATCH = 256
#: Share of the free device memory the benchmark's own batch may fill.
AUTO_BATCH_MEMORY_FRACTION = 0.8
#: Largest model a CPU run accepts (v1 is 7.6e11 FLOP per nonce; production, 9.1e12, would take hours).
CPU_MAX_FLOP_PER_NONCE = 2e12
#: Nonces per reference-engine forward during the numerics (eager torch holds ~130 MB per production nonce).
REFERENCE_CHUNK = 64


class Progress(Protocol):
    def phase(self, description: str, total: float | None = None) -> None: ...

    def advance(self, amount: float = 1) -> None: ...


class _Silent:
    def phase(self, description: str, total: float | None = None) -> None:
        pass

    def advance(self, amount: float = 1) -> None:
        pass


@dataclasses.dataclass
class BenchConfig:
    """What to benchmark; ``None`` picks the device's default (batch from free memory, cuda if present)."""

    params_name: str = "v2"
    engine: str = "triton"
    batch: int | None = None
    seconds: float = 30.0
    numerics_nonces: int = 1024
    layer_check_nonces: int = 256
    dtype: str = "float16"
    device: str | None = None
    block_hash: str = BENCH_BLOCK_HASH
    public_key: str = BENCH_PUBLIC_KEY
    r_target: float | None = None
    #: Explicit model parameters (e.g. a tiny test model); ``params_name`` then only labels the result.
    params: Any = None

    def resolve_params(self) -> Any:
        from gonka.poc.params import PRESETS

        return self.params if self.params is not None else PRESETS[self.params_name]

    def validate(self) -> None:
        from gonka.poc.params import PRESETS

        if self.params is None and self.params_name not in PRESETS:
            raise InvalidInput(f"unknown params {self.params_name!r}; expected one of {', '.join(PRESETS)}")
        if self.batch is not None and self.batch < 1:
            raise InvalidInput(f"batch must be >= 1, got {self.batch}")
        if not self.seconds > 0:
            raise InvalidInput(f"seconds must be > 0, got {self.seconds}")
        if self.numerics_nonces < 0 or self.layer_check_nonces < 0:
            raise InvalidInput("numerics_nonces and layer_check_nonces must be >= 0")


def _without_last_layer(weights: ModelWeights) -> ModelWeights:
    """The same weights (shared tensors) minus the last transformer block: the layer-sensitivity yardstick."""
    trimmed = copy.copy(weights)
    trimmed.layers = weights.layers[:-1]
    return trimmed


def _sync(device: Any) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def gemm_ceiling_tflops(
    device: Any, dtype: Any, rows: int, dim: int, hidden: int, seconds: float = 1.0
) -> float:
    """TFLOP/s of the framework's own GEMM (cuBLAS on CUDA) on the FFN gate shape ``[rows, dim] x [dim,
    hidden]``, random data, median of repeated timed runs after a warm-up."""
    import torch

    gen = torch.Generator(device=device).manual_seed(0)
    a = torch.randn((rows, dim), generator=gen, device=device).to(dtype)
    w = torch.randn((hidden, dim), generator=gen, device=device).to(dtype)
    flop = 2.0 * rows * dim * hidden
    times: list[float] = []
    for _ in range(2):
        torch.nn.functional.linear(a, w)
    _sync(device)
    deadline = time.perf_counter() + seconds
    while len(times) < 3 or (time.perf_counter() < deadline and len(times) < 200):
        if device.type == "cuda":
            start = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]  # torch leaves it untyped
            end = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
            start.record()
            torch.nn.functional.linear(a, w)
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end) / 1e3)
        else:
            t0 = time.perf_counter()
            torch.nn.functional.linear(a, w)
            times.append(time.perf_counter() - t0)
    return flop / float(np.median(times)) / 1e12


def _chunks(nonces: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(nonces), size):
        yield nonces[start : start + size]


def auto_batch_size(free_bytes: int, bytes_per_nonce: int) -> int:
    """Nonces per forward the benchmark picks by itself: what AUTO_BATCH_MEMORY_FRACTION of ``free_bytes``
    holds, at least 1 and at most MAX_AUTO_BATCH."""
    return max(1, min(MAX_AUTO_BATCH, int(free_bytes * AUTO_BATCH_MEMORY_FRACTION // bytes_per_nonce)))


def _auto_batch(model: Any) -> int:
    """Nonces per forward: :func:`auto_batch_size` of the device's free memory."""
    import torch

    engine = model.engine
    if model.device.type != "cuda" or not hasattr(engine, "activation_bytes_per_nonce"):
        return min(int(model.batch_size), MAX_AUTO_BATCH)
    free, _ = torch.cuda.mem_get_info(model.device)
    return auto_batch_size(free, engine.activation_bytes_per_nonce())


def _relative_error(logits: np.ndarray, reference: np.ndarray) -> np.ndarray:
    diff = np.linalg.norm(logits.astype(np.float64) - reference.astype(np.float64), axis=1)
    relative: np.ndarray = diff / np.linalg.norm(reference.astype(np.float64), axis=1)
    return relative


def _numerics(
    model: Any, reference: Any, without_last: Any, config: BenchConfig, r_target: float, progress: Progress
) -> dict[str, Any]:
    """The engine against the torch engine (and the yardstick of a skipped last layer) on the same inputs."""
    from gonka.poc.proofs import distances_from_logits

    n = config.numerics_nonces
    n_layer = min(config.layer_check_nonces, n) if without_last is not None else 0
    nonces = list(range(n))
    chunk = min(REFERENCE_CHUNK, model.batch_size)
    compare = reference is not None
    d_engine, d_ref, rel, d_skip, rel_skip = [], [], [], [], []
    progress.phase("numerics vs torch engine" if compare else "layer yardstick", n)
    for part in _chunks(nonces, chunk):
        x = model.inputs(config.public_key, part)
        perms = model.permutations(config.public_key, part)
        mine = model.engine.forward_last_logits(x).cpu().numpy()
        ref = reference.forward_last_logits(x).cpu().numpy() if compare else mine
        d_engine.append(distances_from_logits(mine, perms, model.target))
        d_ref.append(distances_from_logits(ref, perms, model.target) if compare else d_engine[-1])
        rel.append(_relative_error(mine, ref))
        layer_part = [i for i in part if i < n_layer]
        if layer_part:
            skipped = without_last.forward_last_logits(x[: len(layer_part)]).cpu().numpy()
            d_skip.append(distances_from_logits(skipped, perms[: len(layer_part)], model.target))
            rel_skip.append(_relative_error(skipped, ref[: len(layer_part)]))
        progress.advance(len(part))
    out: dict[str, Any] = {"nonces": n, "r_target": r_target}
    if n == 0:
        return out
    de, dr = np.concatenate(d_engine), np.concatenate(d_ref)
    if compare:
        delta = np.abs(de - dr)
        rel_all = np.concatenate(rel)
        valid_ref, valid_engine = dr < r_target, de < r_target
        out.update(
            mean_abs_dist=float(delta.mean()),
            max_abs_dist=float(delta.max()),
            mean_rel_logits=float(rel_all.mean()),
            max_rel_logits=float(rel_all.max()),
            valid_reference=int(valid_ref.sum()),
            valid_engine=int(valid_engine.sum()),
            flips_rejected=int((valid_ref & ~valid_engine).sum()),
            flips_accepted=int((~valid_ref & valid_engine).sum()),
        )
        out["within_limits"] = {key: bool(out[key] <= limit) for key, limit in LIMITS.items()}
    if d_skip:
        ds = np.concatenate(d_skip)
        skip_rel = np.concatenate(rel_skip)
        out["skip_last_layer"] = {
            "nonces": len(ds),
            "mean_rel_logits": float(skip_rel.mean()),
            "mean_abs_dist": float(np.abs(ds - dr[: len(ds)]).mean()),
            "max_abs_dist": float(np.abs(ds - dr[: len(ds)]).max()),
        }
        if compare:
            bound = LAYER_FRACTION * out["skip_last_layer"]["mean_rel_logits"]
            out["layer_check"] = {
                "engine_mean_rel_logits": out["mean_rel_logits"],
                "bound": bound,
                "passed": bool(out["mean_rel_logits"] < bound),
            }
    return out


def _kernel_paths(model: Any) -> dict[str, Any] | None:
    """For the Triton engine: whether its GEMMs read tiles through TMA, and why not if that failed."""
    if model.engine_name != "triton":
        return None
    import torch

    from gonka.kernels import gemm

    w1 = model.engine.layers[0].w1
    activation = torch.empty((1, w1.shape[1]), dtype=w1.dtype, device=w1.device)  # fresh, so aligned
    return {"tma": gemm.use_tma(None, (activation, w1)), "tma_failure": gemm.TMA_FAILURE}


def run_poc_bench(config: BenchConfig, progress: Progress | None = None) -> dict[str, Any]:
    """Run the benchmark described by ``config``; returns the result as a JSON-ready dict."""
    import torch

    from gonka.bench.system import host_info
    from gonka.poc.engine_torch import TorchEngine
    from gonka.poc.model import PocModel
    from gonka.poc.params import R_TARGET_LAUNCH
    from gonka.poc.torch_options import resolve_device

    config.validate()
    progress = progress or _Silent()
    params = config.resolve_params()
    device = resolve_device(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    r_target = R_TARGET_LAUNCH if config.r_target is None else config.r_target
    if config.engine == "triton" and device.type != "cuda":
        from gonka.kernels._runtime import interpreting

        if not interpreting():
            raise InvalidInput("the triton engine needs a CUDA device; use --engine torch on this host")
    cuda = device.type == "cuda"
    if not cuda and params.flops_per_nonce > CPU_MAX_FLOP_PER_NONCE:
        raise InvalidInput(
            f"params {config.params_name!r} need {params.flops_per_nonce:.2e} FLOP per nonce: "
            "far too slow on a CPU; use --params small (or v1) here"
        )

    progress.phase("building the model", None)
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    model = PocModel(params, config.block_hash, device=device, dtype=config.dtype, engine=config.engine)
    model.batch_size = config.batch or _auto_batch(model)
    batch = model.batch_size
    resident = torch.cuda.memory_allocated(device) if cuda else None

    # Forward only: one batch of inputs already on the device, the first call (compilation, tuning) untimed.
    x = model.inputs(config.public_key, list(range(batch)))
    progress.phase("warm-up (compiles and tunes kernels)", None)
    warm_started = time.perf_counter()
    model.engine.forward_last_logits(x)
    _sync(device)
    warmup_seconds = time.perf_counter() - warm_started
    progress.phase("forward only", config.seconds)
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    forwards, shown, started = 0, 0.0, time.perf_counter()
    while True:
        model.engine.forward_last_logits(x)
        _sync(device)
        forwards += 1
        elapsed = time.perf_counter() - started
        progress.advance(min(elapsed, config.seconds) - shown)
        shown = min(elapsed, config.seconds)
        if elapsed >= config.seconds:
            break
    forward_rate = forwards * batch / elapsed
    del x

    # Host side alone (input and permutation generation, copy to the device): what the pipeline overlaps.
    host_nonces = list(range(1 << 33, (1 << 33) + batch))
    started = time.perf_counter()
    model.inputs(config.public_key, host_nonces)
    model.permutations(config.public_key, host_nonces)
    _sync(device)
    host_rate = batch / (time.perf_counter() - started)

    # End to end: the user-facing path with host-side input generation overlapped with the forward.
    n_e2e = batch * max(2, math.ceil(forward_rate * config.seconds / batch))
    progress.phase("end to end (inputs, forward, distances)", None)
    first = 1 << 32  # nonces the numerics do not use
    started = time.perf_counter()
    model.distances(config.public_key, list(range(first, first + n_e2e)), batch_size=batch)
    e2e_rate = n_e2e / (time.perf_counter() - started)
    peak = torch.cuda.max_memory_allocated(device) if cuda else None

    progress.phase("GEMM ceiling (framework GEMM, FFN shape)", None)
    ceiling_dtype = model.dtype if cuda else torch.float32
    ceiling = gemm_ceiling_tflops(
        device, ceiling_dtype, min(batch * params.seq_len, 16384), params.dim, params.ffn_hidden
    )
    tflops = forward_rate * params.flops_per_nonce / 1e12

    reference = TorchEngine(model.weights, params) if config.engine != "torch" else None
    without_last = TorchEngine(_without_last_layer(model.weights), params) if params.n_layers > 1 else None
    numerics = _numerics(model, reference, without_last, config, r_target, progress)
    engine_build = getattr(model.engine, "build_seconds", None)
    return {
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": host_info(device),
        "config": {
            "engine": config.engine,
            "params_name": config.params_name,
            "params": params.to_dict(),
            "dtype": config.dtype,
            "device": str(device),
            "batch": batch,
            "seconds": config.seconds,
            "block_hash": config.block_hash,
            "public_key": config.public_key,
            "argv": sys.argv[1:],
        },
        "results": {
            "build_seconds": model.build_seconds,
            "weights_build_seconds": model.weights.build_seconds,
            "engine_build_seconds": engine_build,
            "warmup_seconds": warmup_seconds,
            "forward_nonces_per_s": forward_rate,
            "end_to_end_nonces_per_s": e2e_rate,
            "host_generation_nonces_per_s": host_rate,
            "forward_tflops": tflops,
            "flop_per_nonce": params.flops_per_nonce,
            "gemm_ceiling_tflops": ceiling,
            "fraction_of_gemm_ceiling": tflops / ceiling if ceiling > 0 else None,
            "resident_memory_mib": resident / 2**20 if resident is not None else None,
            "peak_memory_mib": peak / 2**20 if peak is not None else None,
            "host_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "kernel_paths": _kernel_paths(model),
        },
        "numerics": numerics,
    }
