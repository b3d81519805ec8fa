"""``gonka bench poc --dry-run``: what the benchmark would run on a GPU, worked out without one.

For a GPU named by model or compute capability: the batch the benchmark would pick from the engines' memory
model, the device memory that takes, and for the Triton engine each kernel of a forward with the GEMM configs
and load path the engine may use there (the launches that ``make check-kernels`` compiles for the GPU's
generation).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from gonka.errors import InvalidInput

GIB = 1 << 30
MIB = 1 << 20


@dataclasses.dataclass(frozen=True)
class Gpu:
    """A GPU model: compute capability, multiprocessors and the memory nvidia-smi reports as total."""

    name: str
    capability: tuple[int, int]
    multiprocessors: int
    memory_bytes: int

    @property
    def target(self) -> str:
        return f"sm_{self.capability[0]}{self.capability[1]}"


#: GPUs the plan knows by name; a capability picks the first listed with it.
GPUS = (
    Gpu("A100 80GB", (8, 0), 108, 81920 * MIB),
    Gpu("A100 40GB", (8, 0), 108, 40960 * MIB),
    Gpu("A10", (8, 6), 72, 23028 * MIB),
    Gpu("RTX 3090", (8, 6), 82, 24576 * MIB),
    Gpu("L40S", (8, 9), 142, 46068 * MIB),
    Gpu("L4", (8, 9), 58, 23034 * MIB),
    Gpu("RTX 4090", (8, 9), 128, 24564 * MIB),
    Gpu("H100 SXM", (9, 0), 132, 81559 * MIB),
    Gpu("H100 PCIe", (9, 0), 114, 81559 * MIB),
    Gpu("H100 NVL", (9, 0), 132, 95830 * MIB),
    Gpu("H200", (9, 0), 132, 143771 * MIB),
)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _capability(text: str) -> tuple[int, int] | None:
    """``9.0``, ``sm_90`` or ``90`` as a compute capability; None if ``text`` is none of these."""
    text = text.strip().lower()
    match = re.fullmatch(r"(?:sm_?)?(\d{1,2})\.(\d)", text) or re.fullmatch(
        r"(?:sm_?)?([1-9]|1[0-2])(\d)", text
    )
    return (int(match.group(1)), int(match.group(2))) if match else None


def find_gpu(spec: str, memory_gib: float | None = None) -> Gpu:
    """The GPU named by ``spec``: a model (``H100``, ``a100-40gb``, ``RTX 4090``: the one of that name, else
    the first whose name contains it) or a compute capability (``9.0``, ``sm_89``: the first listed with it).
    ``memory_gib`` overrides its memory; a capability no listed GPU has needs it."""
    if memory_gib is not None and not memory_gib > 0:
        raise InvalidInput(f"GPU memory must be positive, got {memory_gib} GiB")
    capability = _capability(spec)
    if capability is not None:
        found = next((g for g in GPUS if g.capability == capability), None)
        if found is None:
            if memory_gib is None:
                raise InvalidInput(
                    f"no listed GPU has compute capability {capability[0]}.{capability[1]}: "
                    "give its memory with --gpu-memory"
                )
            found = Gpu(f"compute capability {capability[0]}.{capability[1]}", capability, 0, 0)
    else:
        wanted = _squash(spec)
        exact = [g for g in GPUS if wanted == _squash(g.name)]
        found = next(iter(exact or [g for g in GPUS if wanted and wanted in _squash(g.name)]), None)
        if found is None:
            known = ", ".join(g.name for g in GPUS)
            raise InvalidInput(
                f"unknown GPU {spec!r}: name one of {known}, or a compute capability (9.0, sm_89)"
            )
    if memory_gib is not None:
        found = dataclasses.replace(found, memory_bytes=int(memory_gib * GIB))
    return found


def _kernel_plan(gpu: Gpu, dtype: str, batch: int) -> list[dict[str, Any]]:
    """Each kernel use of a forward with the configs and load path the Triton engine may use on ``gpu``."""
    import importlib

    from gonka.kernels import aot, gemm

    target = aot.Target(gpu.target, gpu.capability, gpu.name, gpu.multiprocessors)
    itemsize = 2 if dtype in ("float16", "bfloat16") else 4
    rows = []
    for use in aot.kernel_uses(target, dtype, batch):
        if not use.per_forward:
            continue
        module = importlib.import_module(f"gonka.kernels.{use.kernel}")
        row: dict[str, Any] = {
            "kernel": use.kernel,
            "use": use.use,
            "per_forward": use.per_forward,
            "fp_fusion": bool(module.FP_FUSION),
            "shape": None,
            "configs": [],
            "tuned": False,
            "path": "-",
        }
        if use.gemm_shape is not None:
            m, n, k = use.gemm_shape
            allowed = gemm.configs_for(
                aot.candidate_configs(use.kernel), gpu.capability, itemsize, aot.weight_tiles(use.kernel)
            )
            row["tuned"] = m * n * k >= gemm.TUNE_MIN_MACS
            row["configs"] = [gemm.config_label(c) for c in (allowed if row["tuned"] else allowed[:1])]
            row["shape"] = [m, n, k]
            row["path"] = "TMA" if aot.gemm_paths(target, dtype)[0] else "pointers"
        rows.append(row)
    return rows


def dry_run_plan(
    gpu: Gpu,
    engine: str = "triton",
    params_name: str = "v2",
    batch: int | None = None,
    dtype: str = "float16",
) -> dict[str, Any]:
    """What ``gonka bench poc`` would run on ``gpu``: batch and memory from the engines' memory model, and for
    the Triton engine the kernels of a forward (as a JSON-ready dict; :func:`plan_text` prints it)."""
    from gonka.bench.poc import AUTO_BATCH_MEMORY_FRACTION, MAX_AUTO_BATCH, auto_batch_size
    from gonka.kernels._runtime import shared_memory_limit
    from gonka.poc.engines import activation_bytes_per_nonce, dtype_bytes, model_bytes
    from gonka.poc.params import PRESETS

    if params_name not in PRESETS:
        raise InvalidInput(f"unknown params {params_name!r}; expected one of {', '.join(PRESETS)}")
    if engine not in ("triton", "torch"):
        raise InvalidInput(f"unknown engine {engine!r}; expected triton or torch")
    if batch is not None and batch < 1:
        raise InvalidInput(f"batch must be >= 1, got {batch}")
    params = PRESETS[params_name]
    itemsize = dtype_bytes(dtype)
    weights = model_bytes(params, engine, dtype, device="cuda")
    per_nonce = activation_bytes_per_nonce(params, engine, itemsize)
    free = gpu.memory_bytes - weights
    if free <= per_nonce and batch is None:
        raise InvalidInput(
            f"{gpu.name}: {gpu.memory_bytes / GIB:.1f} GiB cannot hold the {weights / GIB:.1f} GiB of "
            f"weights and one nonce's {per_nonce / MIB:.1f} MiB of activations"
        )
    chosen = batch if batch is not None else auto_batch_size(free, per_nonce)
    batch_rule = (
        f"{AUTO_BATCH_MEMORY_FRACTION:.0%} of the memory left after the weights, at most {MAX_AUTO_BATCH}"
    )
    plan: dict[str, Any] = {
        "gpu": {
            "name": gpu.name,
            "target": gpu.target,
            "compute_capability": f"{gpu.capability[0]}.{gpu.capability[1]}",
            "multiprocessors": gpu.multiprocessors,
            "memory_bytes": gpu.memory_bytes,
            "shared_memory_per_block_bytes": shared_memory_limit(gpu.capability),
        },
        "engine": engine,
        "params_name": params_name,
        "dtype": dtype,
        "memory": {
            "weight_bytes": weights,
            "activation_bytes_per_nonce": per_nonce,
            "batch": chosen,
            "batch_rule": "given" if batch is not None else batch_rule,
            "activation_bytes": chosen * per_nonce,
            "expected_bytes": weights + chosen * per_nonce,
        },
        "kernels": _kernel_plan(gpu, dtype, chosen) if engine == "triton" and params_name == "v2" else [],
    }
    return plan


def plan_text(plan: dict[str, Any]) -> str:
    """The plan as the lines ``gonka bench poc --dry-run`` prints."""
    gpu, memory = plan["gpu"], plan["memory"]
    lines = [
        f"gonka bench poc --dry-run: {plan['engine']} engine, params {plan['params_name']}, {plan['dtype']}",
        f"GPU: {gpu['name']} ({gpu['target']}, compute capability {gpu['compute_capability']}, "
        f"{gpu['multiprocessors'] or 'unknown'} multiprocessors, {gpu['memory_bytes'] / GIB:.1f} GiB, "
        f"{gpu['shared_memory_per_block_bytes'] // 1024} KiB shared memory per block)",
        f"weights: {memory['weight_bytes'] / GIB:.2f} GiB at most (the engines' memory model)",
        f"activations: {memory['activation_bytes_per_nonce'] / MIB:.2f} MiB per nonce",
        f"batch: {memory['batch']} nonces ({memory['batch_rule']})",
        f"expected device memory: {memory['expected_bytes'] / GIB:.2f} GiB "
        f"({memory['activation_bytes'] / GIB:.2f} GiB of activations)",
    ]
    if plan["kernels"]:
        lines += [
            "",
            "kernels of one forward (configs: the engine tunes among them; the first is its untuned choice):",
        ]
        for k in plan["kernels"]:
            shape = "x".join(str(v) for v in k["shape"]) if k["shape"] else ""
            configs = ", ".join(k["configs"]) if k["configs"] else "fixed blocks"
            tuned = " (tuned)" if k["tuned"] else ""
            lines.append(
                f"  {k['kernel']:9s} x{k['per_forward']:<4d} {k['use']}: {configs}{tuned}"
                + (f"; M x N x K {shape}; {k['path']}" if shape else "")
                + f"; FP fusion {'on' if k['fp_fusion'] else 'off'}"
            )
    elif plan["engine"] == "triton":
        lines.append("kernels: listed for the production params (v2) only")
    return "\n".join(lines)
