"""One-shot GPU check and benchmark of the PoC engines (production parameters), in one run on a CUDA host.

Installs nothing: it uses the torch and Triton of the host and an installed ``gonka``. Stages, most important
first (each is recorded in the summary even when it fails, and later stages are skipped once the time budget
is spent):

1. ``golden``: the Triton engine (and the torch engine on the same weights) against the reference's production
golden distances and logits (``golden_v2_public_dist.npy``, ``golden_v2_public_logits.npy``); the Triton
engine's distances at batch 16 against those at the full batch (bit-identical expected). 2. ``bench``: ``gonka
bench poc`` for the Triton engine (numerics over ``--numerics-nonces`` nonces against the    torch engine) and
for the torch engine, then ``gonka bench compare``. 3. ``kernels``: each kernel at the production shapes
(batch ``--batch``) against its FLOP and byte floors (the    GEMM ceiling and copy bandwidth measured in the
same run) and against cuBLAS for the same GEMM. 4. ``unit``: the kernel unit tests compiled on this GPU
(``tests/test_kernels_*.py``).

Writes into ``--out``: ``summary.json``, ``bench-triton.json``, ``bench-torch.json``, ``kernels.json`` and
``log.txt``; prints a short summary last.

    python benches/gpu_poc.py --golden path/to/golden --out results-dir
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

GOLDEN_BLOCK_HASH = "4d3c2b1a0f9e8d7c6b5a49382716f5e4d3c2b1a0f9e8d7c6b5a49382716f5e4d"
GOLDEN_PUBLIC_KEY = "gonka-public-golden-key"
GOLDEN_R_TARGET = 1.4013564660458173
GOLDEN_MAX_ABS_DIST = 1e-5
REPO = Path(__file__).resolve().parent.parent


class Run:
    def __init__(self, out: Path, budget: float) -> None:
        self.out = out
        self.deadline = time.monotonic() + budget
        self.summary: dict[str, Any] = {"stages": {}}
        self.log = (out / "log.txt").open("a")

    def say(self, *parts: object) -> None:
        line = " ".join(str(p) for p in parts)
        print(line, flush=True)
        self.log.write(line + "\n")
        self.log.flush()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def stage(self, name: str, fn: Any, *args: Any, need: float = 0.0) -> None:
        if self.left() < need:
            self.summary["stages"][name] = {
                "status": "skipped",
                "reason": f"{self.left():.0f} s left < {need:.0f}",
            }
            self.say(f"== {name}: skipped ({self.left():.0f} s left)")
            return
        self.say(f"== {name} ({self.left():.0f} s left)")
        started = time.monotonic()
        try:
            result = fn(self, *args)
            self.summary["stages"][name] = {
                "status": "ok",
                "seconds": time.monotonic() - started,
                **(result or {}),
            }
        except Exception as exc:  # a failed stage is reported; the others still run
            self.say(traceback.format_exc())
            self.summary["stages"][name] = {"status": "error", "error": repr(exc)}
        self.write_summary()

    def write_summary(self) -> None:
        (self.out / "summary.json").write_text(json.dumps(self.summary, indent=2, default=float) + "\n")


# --- 1. golden


def golden(run: Run, golden_dir: Path, batch: int) -> dict[str, Any]:
    import numpy as np
    import torch
    from gonka.poc import PARAMS_V2, PocModel, TorchEngine

    dist_ref = np.load(golden_dir / "golden_v2_public_dist.npy")
    logits_ref = np.load(golden_dir / "golden_v2_public_logits.npy")
    nonces = list(range(len(dist_ref)))
    started = time.perf_counter()
    model = PocModel(PARAMS_V2, GOLDEN_BLOCK_HASH, device="cuda", engine="triton", batch_size=batch)
    build = time.perf_counter() - started
    run.say(f"model build {build:.1f} s (weights {model.weights.build_seconds:.1f} s, "
            f"engine {model.engine.build_seconds:.1f} s), batch {batch}")  # fmt: skip
    started = time.perf_counter()
    model.distances(GOLDEN_PUBLIC_KEY, nonces[:batch])  # compiles and tunes the production shapes
    warmup = time.perf_counter() - started
    out: dict[str, Any] = {"build_seconds": build, "warmup_seconds": warmup, "batch": batch}

    def against_golden(label: str, model: Any) -> dict[str, Any]:
        started = time.perf_counter()
        dist = model.distances(GOLDEN_PUBLIC_KEY, nonces)
        seconds = time.perf_counter() - started
        logits = model.logits(GOLDEN_PUBLIC_KEY, [0, 1])
        delta = np.abs(dist - dist_ref)
        rel = np.linalg.norm(logits - logits_ref, axis=1) / np.linalg.norm(logits_ref, axis=1)
        valid_ref, valid = dist_ref < GOLDEN_R_TARGET, dist < GOLDEN_R_TARGET
        res = {
            "max_abs_dist": float(delta.max()),
            "mean_abs_dist": float(delta.mean()),
            "passed": bool(delta.max() <= GOLDEN_MAX_ABS_DIST),
            "rel_logits_nonces_0_1": rel.tolist(),
            "valid_golden": int(valid_ref.sum()),
            "flips_rejected": int((valid_ref & ~valid).sum()),
            "flips_accepted": int((~valid_ref & valid).sum()),
            "seconds_128_nonces": seconds,
        }
        run.say(f"{label} vs golden: max |d dist| {res['max_abs_dist']:.2e} mean {res['mean_abs_dist']:.2e} "
                f"rel logits {rel[0]:.2e} {rel[1]:.2e} flips {res['flips_rejected']}/{res['flips_accepted']} "
                f"-> {'PASS' if res['passed'] else 'FAIL'}")  # fmt: skip
        return res

    out["triton"] = against_golden("triton", model)
    small = model.distances(GOLDEN_PUBLIC_KEY, nonces[:16], batch_size=16)
    full = model.distances(GOLDEN_PUBLIC_KEY, nonces[:batch])[:16]
    out["triton_batch16_equals_full_batch"] = bool(np.array_equal(small, full))
    out["triton_batch16_max_abs_diff"] = float(np.abs(small - full).max())
    run.say(f"triton batch 16 vs batch {batch}: identical={out['triton_batch16_equals_full_batch']} "
            f"max diff {out['triton_batch16_max_abs_diff']:.1e}")  # fmt: skip
    out["peak_memory_mib"] = torch.cuda.max_memory_allocated() / 2**20
    model.engine = TorchEngine(model.weights, PARAMS_V2)
    model.batch_size = min(batch, 64)
    out["torch"] = against_golden("torch", model)
    del model
    torch.cuda.empty_cache()
    return out


# --- 2. gonka bench poc


def bench_one(args: argparse.Namespace) -> int:
    """``gonka bench poc`` for one engine, in this (fresh) process: the command's own function and table.

    The benchmark is called as a library rather than through the ``gonka`` command so that it needs only the
    PoC dependencies (torch, numpy, rich), not those of the chain client that the command line also loads."""
    from gonka.bench import BenchConfig, result_table, run_poc_bench
    from rich.console import Console

    config = BenchConfig(
        params_name=args.params, engine=args.bench_one, batch=args.batch, seconds=args.seconds,
        numerics_nonces=args.numerics_nonces, layer_check_nonces=min(256, args.numerics_nonces),
        device=args.device,
    )  # fmt: skip
    result = run_poc_bench(config)
    (args.out / f"bench-{args.bench_one}.json").write_text(json.dumps(result, indent=2) + "\n")
    Console(width=120).print(result_table(result))
    return 0


def bench(run: Run, params: str, device: str, batch: int, seconds: float, numerics: int) -> dict[str, Any]:
    from gonka.bench import compare_table, load_result
    from rich.console import Console

    out: dict[str, Any] = {}
    paths = {"triton": run.out / "bench-triton.json", "torch": run.out / "bench-torch.json"}
    # The torch engine is the numerics reference itself: only the skipped-layer yardstick runs for it.
    for engine, engine_numerics in (("triton", numerics), ("torch", min(256, numerics))):
        cmd = [sys.executable, __file__, "--bench-one", engine, "--params", params, "--device", device,
               "--batch", str(batch), "--seconds", str(seconds), "--numerics-nonces", str(engine_numerics),
               "--out", str(run.out), "--golden", "-"]  # fmt: skip
        run.say(f"$ gonka bench poc --engine {engine} --params {params} --batch {batch} --seconds {seconds} "
                f"--numerics-nonces {engine_numerics}")  # fmt: skip
        timeout = max(30.0, run.left() - (60 if engine == "triton" else 10))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        run.say(proc.stdout[-7000:])
        if proc.returncode:
            run.say(proc.stderr[-5000:])
        out[f"{engine}_exit"] = proc.returncode
    if all(p.exists() for p in paths.values()):
        results = [load_result(paths["torch"]), load_result(paths["triton"])]
        console = Console(width=120, record=True)
        console.print(compare_table(results, ["torch", "triton"]))
        run.log.write(console.export_text() + "\n")
        t, r = results[1], results[0]
        out["triton_end_to_end"] = t["results"]["end_to_end_nonces_per_s"]
        out["torch_end_to_end"] = r["results"]["end_to_end_nonces_per_s"]
        out["end_to_end_ratio"] = out["triton_end_to_end"] / out["torch_end_to_end"]
        out["triton_forward"] = t["results"]["forward_nonces_per_s"]
        out["torch_forward"] = r["results"]["forward_nonces_per_s"]
        out["triton_numerics"] = t["numerics"]
    return out


# --- 3. kernels against their floors


def median_ms(fn: Any, device: Any, repeat: int = 20) -> float:
    """Median time of ``fn`` after a warm-up: CUDA events on a GPU, the host clock elsewhere."""
    import statistics

    import torch

    fn()
    times = []
    for _ in range(repeat if device.type == "cuda" else 2):
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
        else:
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def kernels(run: Run, params: Any, device: Any, batch: int) -> dict[str, Any]:
    import torch
    import torch.nn.functional as F
    from gonka.kernels import attention, gemm, qkv, rmsnorm, swiglu
    from gonka.poc import rope_table

    p = params
    S, D, H, V, hd = p.seq_len, p.dim, p.ffn_hidden, p.vocab_size, p.head_dim
    M = batch * S
    dev, f16 = device, torch.float16
    gen = torch.Generator(device=dev).manual_seed(0)

    def do_bench(fn: Any, return_mode: str = "median") -> float:
        return median_ms(fn, dev)

    def rand(*shape: int, scale: float = 1.0) -> torch.Tensor:
        return (torch.randn(shape, generator=gen, device=dev) * scale).to(f16)

    # Ceilings measured here: copy bandwidth (read + write) and the cuBLAS FFN-shape GEMM rate.
    big = torch.empty(1 << (30 if dev.type == "cuda" else 24), dtype=torch.uint8, device=dev)
    copy_ms = do_bench(big.clone)
    bandwidth = 2 * big.numel() / (copy_ms / 1e3)
    del big
    h, a, w_norm = rand(M, D), rand(M, D), rand(D, scale=0.02)
    wqkv, wo, w1, w3, w2, wout = (
        rand(n, k, scale=0.02) for n, k in ((3 * D, D), (D, D), (H, D), (H, D), (D, H), (V, D))
    )
    qkv_out, att, ffn = (
        torch.empty(M, 3 * D, dtype=f16, device=dev),
        rand(M, D),
        torch.empty(M, H, dtype=f16, device=dev),
    )
    cos, sin = rope_table(p, dev, f16)
    gate_ms = do_bench(lambda: F.linear(a, w1), return_mode="median")
    ceiling = 2 * M * D * H / (gate_ms / 1e3)
    run.say(f"copy bandwidth {bandwidth / 1e12:.2f} TB/s, cuBLAS FFN GEMM {ceiling / 1e12:.0f} TFLOP/s")
    q, k, v = qkv_out[:, :D], qkv_out[:, D : 2 * D], qkv_out[:, 2 * D :]
    qkv.qkv_rope(a, wqkv, cos, sin, S, hd, out=qkv_out)
    last = slice(S - 1, None, S)
    cases = [
        # name, our call, cuBLAS/torch equivalent or None, FLOP, bytes moved at least, calls per forward
        ("rmsnorm", lambda: rmsnorm.rmsnorm(h, w_norm, 1e-5, out=a), None, 0, 2 * M * D * 2, 2 * p.n_layers),
        ("qkv_rope", lambda: qkv.qkv_rope(a, wqkv, cos, sin, S, hd, out=qkv_out), lambda: F.linear(a, wqkv),
         2 * M * D * 3 * D, (M * D + 3 * D * D + 3 * M * D) * 2, p.n_layers),
        ("attention", lambda: attention.causal_attention(q, k, v, S, p.n_heads, out=att), None,
         4 * batch * p.n_heads * S * S * hd, 4 * M * D * 2, p.n_layers - 1),
        ("o_proj_residual", lambda: gemm.linear(att, wo, out=h, residual=True), lambda: F.linear(att, wo),
         2 * M * D * D, (3 * M * D + D * D) * 2, p.n_layers - 1),
        ("swiglu_gate_up", lambda: swiglu.swiglu(a, w1, w3, out=ffn),
         lambda: (F.linear(a, w1), F.linear(a, w3)),
         4 * M * D * H, (M * D + 2 * H * D + M * H) * 2, p.n_layers - 1),
        ("down_residual", lambda: gemm.linear(ffn, w2, out=h, residual=True), lambda: F.linear(ffn, w2),
         2 * M * H * D, (M * H + H * D + 2 * M * D) * 2, p.n_layers - 1),
        ("logits_last", lambda: gemm.linear(a[last], wout), lambda: F.linear(a[last], wout),
         2 * batch * D * V, (batch * D + V * D + batch * V) * 2, 1),
        # The same GEMMs with pointer loads instead of TMA descriptors (the path Ampere/Ada use).
        ("qkv_rope/pointers", lambda: qkv.qkv_rope(a, wqkv, cos, sin, S, hd, out=qkv_out, tma=False), None,
         2 * M * D * 3 * D, (M * D + 3 * D * D + 3 * M * D) * 2, 0),
        ("swiglu/pointers", lambda: swiglu.swiglu(a, w1, w3, out=ffn, tma=False), None,
         4 * M * D * H, (M * D + 2 * H * D + M * H) * 2, 0),
        ("down/pointers", lambda: gemm.linear(ffn, w2, out=h, residual=True, tma=False), None,
         2 * M * H * D, (M * H + H * D + 2 * M * D) * 2, 0),
    ]  # fmt: skip
    rows = []
    total_ms = 0.0
    for name, ours, theirs, flop, nbytes, per_forward in cases:
        ours()
        ms = do_bench(ours, return_mode="median")
        ref_ms = do_bench(theirs, return_mode="median") if theirs is not None else None
        floor_ms = max(flop / ceiling, nbytes / bandwidth) * 1e3
        total_ms += ms * per_forward
        tflops, tbs = flop / (ms / 1e3) / 1e12, nbytes / (ms / 1e3) / 1e12
        rows.append({
            "kernel": name, "ms": ms, "torch_ms": ref_ms, "floor_ms": floor_ms, "per_forward": per_forward,
            "tflops": tflops, "tb_per_s": tbs, "of_floor": floor_ms / ms,
        })  # fmt: skip
        ref = f"{ref_ms:8.3f}" if ref_ms is not None else "       -"
        run.say(f"{name:16s} {ms:8.3f} ms  cuBLAS/torch {ref} ms  floor {floor_ms:8.3f} ms "
                f"({100 * floor_ms / ms:5.1f} % of floor) {tflops:6.1f} TFLOP/s {tbs:5.2f} TB/s")  # fmt: skip
    forward_ms = total_ms
    result = {
        "tma_default": gemm.use_tma(None, (a, w1)), "tma_failure": gemm.TMA_FAILURE,
        "batch": batch, "copy_bandwidth_tb_s": bandwidth / 1e12, "cublas_ffn_tflops": ceiling / 1e12,
        "kernels": rows, "sum_of_kernels_ms_per_forward": forward_ms,
        "nonces_per_s_from_kernel_sum": batch / (forward_ms / 1e3),
    }  # fmt: skip
    rate = result["nonces_per_s_from_kernel_sum"]
    run.say(f"sum of kernels per forward {forward_ms:.0f} ms -> {rate:.1f} nonces/s")
    (run.out / "kernels.json").write_text(json.dumps(result, indent=2) + "\n")
    return {
        "nonces_per_s_from_kernel_sum": rate,
        "tma_default": result["tma_default"],
        "tma_failure": gemm.TMA_FAILURE,
    }


# --- 4. unit tests compiled on this GPU


def unit(run: Run) -> dict[str, Any]:
    """The kernel tests on this machine (compiled on a GPU; under the interpreter when TRITON_INTERPRET=1)."""
    tests = [
        str(REPO / "tests" / n)
        for n in ("test_kernels_ops.py", "test_kernels_engine.py", "test_bench_cli_triton.py")
    ]
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(REPO),
        *tests,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=max(30.0, run.left()), cwd=REPO)
    run.say(proc.stdout[-5000:], proc.stderr[-2000:])
    return {"exit": proc.returncode, "tail": proc.stdout.strip().splitlines()[-1:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--golden",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "tests" / "vectors" / "poc",
        help="folder with golden_v2_public_*.npy",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the JSON results and the log")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each timed bench phase")
    parser.add_argument("--numerics-nonces", type=int, default=1024)
    parser.add_argument(
        "--budget", type=float, default=480.0, help="seconds; later stages are skipped after it"
    )
    parser.add_argument("--stages", default="golden,bench,kernels,unit")
    parser.add_argument("--params", default="v2", help="v2 (production); small for a smoke run")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--bench-one", choices=("triton", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TRITON_CACHE_AUTOTUNING", "1")  # tune each production shape once across processes
    if args.bench_one:
        return bench_one(args)
    run = Run(args.out, args.budget)
    import gonka
    import torch
    from gonka.poc import PRESETS

    device = torch.device(args.device)
    run.summary["host"] = {
        "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None, "torch": torch.__version__,
        "cuda": torch.version.cuda, "triton": __import__("triton").__version__, "gonka": gonka.__version__,
        "argv": sys.argv[1:],
    }  # fmt: skip
    run.say(json.dumps(run.summary["host"]))
    stages = set(args.stages.split(","))
    if "golden" in stages and args.params == "v2":
        run.stage("golden", golden, args.golden, args.batch, need=60)
    if "bench" in stages:
        run.stage(
            "bench", bench, args.params, args.device, args.batch, args.seconds, args.numerics_nonces, need=150
        )
    if "kernels" in stages:
        run.stage("kernels", kernels, PRESETS[args.params], device, args.batch, need=30)
    if "unit" in stages:
        run.stage("unit", unit, need=60)
    run.say("== summary")
    run.say(json.dumps(run.summary, indent=1, default=float)[-5000:])
    return 0 if all(s.get("status") == "ok" for s in run.summary["stages"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
