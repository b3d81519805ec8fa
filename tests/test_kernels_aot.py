"""The ahead-of-time compile check of the Triton kernels (``gonka.kernels.aot``), with no GPU.

The whole check runs as ``make check-kernels``; these tests compile a few small launches: a config that is
wrong on purpose must fail with its kernel, config and target named, and the engine must never pick it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
triton = pytest.importorskip("triton")

pytestmark = pytest.mark.skipif(
    os.environ.get("TRITON_INTERPRET") == "1", reason="compiles for GPU targets (needs compiled Triton)"
)

from gonka.kernels import aot, gemm, rmsnorm  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SM80 = aot.target_named("sm_80")


def _use(target: aot.Target, kernel: str, use: str) -> aot.KernelUse:
    return next(u for u in aot.kernel_uses(target, "float16") if u.kernel == kernel and u.use == use)


def _oversized_config() -> triton.Config:
    # 11 buffered stages of a 64x128 activation tile and a 64x128 weight tile: 352 KiB of shared memory.
    config = triton.Config(
        {"BLOCK_M": 64, "BLOCK_N": 64, "BLOCK_K": 128, "GROUP_M": 8}, num_warps=4, num_stages=12
    )
    config.kwargs["HOPPER"] = False
    return config


def test_a_config_too_large_for_shared_memory_fails_naming_kernel_config_and_target() -> None:
    use = _use(SM80, "gemm", "O projection + residual")
    launch = aot.gemm_launch(use, SM80, "float16", _oversized_config(), tma=False)
    compiled = aot.compile_launch(launch)
    assert not compiled.error, compiled.error
    assert compiled.shared > SM80.shared_limit  # the compiler's own number, not the rule's
    row = aot.Row(launch, compiled, aot.problems(launch, compiled))
    report = aot.Report("test", {}, [SM80], [row], [], 0.0, 1)
    [line] = [line for line in aot.failure_lines(report) if "shared memory" in line and "allows" in line]
    assert line.startswith("gemm 64x64x128 w4 s12 pointers sm_80 float16 (O projection + residual): ")
    assert f"needs {compiled.shared} B of shared memory, sm_80 allows {163 * 1024} B" in line
    # The engine's rule knows it too: this config is never picked on sm_80.
    assert gemm.shared_memory_bound(_oversized_config(), 2) >= compiled.shared
    candidates = [*gemm.CONFIGS, _oversized_config()]
    assert all(gemm.config_label(c) != "64x64x128 w4 s12" for c in gemm.configs_for(candidates, (8, 0), 2))


def test_a_compile_error_is_reported_as_the_launch_failure() -> None:
    use = _use(SM80, "gemm", "logits")
    bad = triton.Config(
        {"BLOCK_M": 128, "BLOCK_N": 128, "BLOCK_K": 32, "GROUP_M": 8}, num_warps=3, num_stages=2
    )
    bad.kwargs["HOPPER"] = False
    launch = aot.gemm_launch(use, SM80, "float16", bad, tma=False)
    compiled = aot.compile_launch(launch)
    assert compiled.error and "num_warps" in compiled.error
    assert aot.problems(launch, compiled) == [f"does not compile: {compiled.error}"]


def test_fp_fusion_reaches_the_compiler_and_shows_in_the_ptx() -> None:
    use = _use(SM80, "rmsnorm", "attention and FFN norms")
    [chosen] = aot.launches_of(use, SM80, "float16")
    assert chosen.fp_fusion is rmsnorm.FP_FUSION is False
    plain, fused = (
        aot.compile_launch(chosen),
        aot.compile_launch(aot.dataclasses.replace(chosen, fp_fusion=True)),
    )
    assert plain.fp_fusion is False and fused.fp_fusion is True
    assert plain.ptx["fma_rn_f32"] == 0 < fused.ptx["fma_rn_f32"]
    assert aot.problems(chosen, plain) == []
    assert plain.spills == 0 and plain.registers > 0 and plain.shared >= 0


def test_ptxas_log_is_read_for_the_entry_function() -> None:
    log = (
        "ptxas info    : 0 bytes gmem\n"
        "ptxas info    : Compiling entry function '_gemm_kernel' for 'sm_90a'\n"
        "ptxas info    : Function properties for _gemm_kernel\n"
        "    16 bytes stack frame, 364 bytes spill stores, 436 bytes spill loads\n"
        "ptxas info    : Used 255 registers, used 1 barriers, 16 bytes cumulative stack size\n"
    )
    assert aot.parse_ptxas_log(log, "_gemm_kernel") == (255, 364, 436, 16)
    with pytest.raises(ValueError, match="_qkv_kernel"):
        aot.parse_ptxas_log(log, "_qkv_kernel")


def test_every_kernel_of_the_package_is_checked_on_every_target() -> None:
    import importlib
    import pkgutil

    import gonka.kernels

    jitted = set()
    for module in pkgutil.iter_modules(gonka.kernels.__path__):
        loaded = importlib.import_module(f"gonka.kernels.{module.name}")
        jitted |= {
            (module.name, name)
            for name, value in vars(loaded).items()
            if isinstance(value, triton.runtime.JITFunction) and name.endswith("_kernel")
        }
    assert jitted == set(aot.KERNEL_FUNCTIONS.items())
    for target in aot.TARGETS:
        for dtype in aot.DTYPES:
            assert {u.kernel for u in aot.kernel_uses(target, dtype)} == set(aot.KERNEL_FUNCTIONS)


def test_the_engine_picks_one_generation_of_configs_within_shared_memory() -> None:
    for kernel in aot.GEMM_KERNELS:
        tiles = aot.weight_tiles(kernel)
        for capability in [(8, 0), (8, 6), (8, 9), (9, 0), (12, 0)]:
            for itemsize in (2, 4):
                kept = gemm.configs_for(aot.candidate_configs(kernel), capability, itemsize, tiles)
                limit = aot.Target("x", capability, "", 1).shared_limit
                assert kept and all(gemm.shared_memory_bound(c, itemsize, tiles) <= limit for c in kept)
                assert len({c.kwargs["BLOCK_K"] for c in kept}) == 1, (kernel, capability, itemsize)
    # Hopper tiles on Hopper; on a Blackwell GeForce (99 KiB) they do not fit and the older generation's do.
    assert all(c.kwargs["HOPPER"] for c in gemm.configs_for(gemm.CONFIGS, (9, 0), 2))
    assert not any(c.kwargs["HOPPER"] for c in gemm.configs_for(gemm.CONFIGS, (12, 0), 2))


def test_the_committed_report_covers_what_the_check_compiles_now() -> None:
    path = ROOT / "benches" / "results" / f"kernels-aot-triton-{triton.__version__}.json"
    assert path.exists(), f"run `make check-kernels KERNELS_REPORT=benches/results` and commit {path.name}"
    report = json.loads(path.read_text())
    assert report["schema"] == aot.SCHEMA and report["triton"] == triton.__version__
    committed = {
        (r["kernel"], r["target"], r["dtype"], r["config"], r["path"], tuple(r["uses"]))
        for r in report["launches"]
    }
    current = {
        (lau.kernel, lau.target.name, lau.dtype, lau.config, lau.path, lau.uses)
        for target in aot.TARGETS
        for dtype in aot.DTYPES
        for lau in aot.production_launches(target, dtype)
    }
    assert committed == current
    assert not [r for r in report["launches"] if r["status"] == "FAIL"]
    assert {(s["kernel"], s["target"]) for s in report["summary_float16"]} == {
        (k, t.name) for k in aot.KERNEL_FUNCTIONS for t in aot.TARGETS
    }
    assert all(s["spill_bytes"] == 0 for s in report["summary_float16"])
