"""``gonka bench poc --dry-run``: the plan for a GPU named by model or capability, with no device."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

torch = pytest.importorskip("torch")
pytest.importorskip("triton")

from gonka.bench.plan import GPUS, dry_run_plan, find_gpu  # noqa: E402
from gonka.cli.app import app  # noqa: E402
from gonka.errors import InvalidInput  # noqa: E402
from gonka.kernels import gemm, qkv, swiglu  # noqa: E402
from gonka.poc.engines import activation_bytes_per_nonce  # noqa: E402
from gonka.poc.params import PARAMS_V2  # noqa: E402

runner = CliRunner()


@pytest.mark.parametrize(
    ("spec", "name"),
    [("H100", "H100 SXM"), ("h200", "H200"), ("a100-40gb", "A100 40GB"), ("4090", "RTX 4090"), ("L4", "L4"),
     ("9.0", "H100 SXM"), ("sm_89", "L40S"), ("80", "A100 80GB"), ("sm86", "A10")],
)  # fmt: skip
def test_gpus_are_found_by_model_or_capability(spec: str, name: str) -> None:
    assert find_gpu(spec).name == name


def test_unknown_gpus_and_capabilities_are_named_in_the_error() -> None:
    with pytest.raises(InvalidInput, match="unknown GPU 'V100'"):
        find_gpu("V100")
    with pytest.raises(InvalidInput, match=r"compute capability 10\.0.*--gpu-memory"):
        find_gpu("sm_100")
    gpu = find_gpu("10.0", memory_gib=180)
    assert gpu.capability == (10, 0) and gpu.memory_bytes == 180 * 2**30


def test_the_plan_takes_batch_and_memory_from_the_engines_memory_model() -> None:
    gpu = find_gpu("L4", memory_gib=20)  # the memory model, not the benchmark's cap, sets the batch
    plan = dry_run_plan(gpu)
    memory = plan["memory"]
    per_nonce = activation_bytes_per_nonce(PARAMS_V2, "triton", 2)
    assert memory["activation_bytes_per_nonce"] == per_nonce
    free = gpu.memory_bytes - memory["weight_bytes"]
    assert memory["batch"] == int(free * 0.8 // per_nonce) < 256
    assert memory["expected_bytes"] == memory["weight_bytes"] + memory["batch"] * per_nonce
    assert dry_run_plan(find_gpu("H200"))["memory"]["batch"] == 256
    assert dry_run_plan(gpu, batch=7)["memory"]["batch"] == 7
    with pytest.raises(InvalidInput, match="cannot hold"):
        dry_run_plan(find_gpu("sm_90", memory_gib=10))


def test_the_plan_lists_the_configs_the_engine_may_pick_on_that_gpu() -> None:
    hopper = {k["use"]: k for k in dry_run_plan(find_gpu("H100"))["kernels"]}
    ada = {k["use"]: k for k in dry_run_plan(find_gpu("RTX 4090"))["kernels"]}
    ffn = "gate/up + SiLU·mul"
    assert hopper[ffn]["configs"] == [
        gemm.config_label(c) for c in gemm.configs_for(swiglu.CONFIGS, (9, 0), 2, 2)
    ]
    assert hopper[ffn]["path"] == "TMA" and ada[ffn]["path"] == "pointers"
    assert hopper[ffn]["fp_fusion"] is True and hopper["Q/K/V projection + RoPE"]["fp_fusion"] is False
    assert ada["Q/K/V projection + RoPE"]["configs"] == [
        gemm.config_label(c) for c in gemm.configs_for(qkv.CONFIGS, (8, 9), 2)
    ]
    assert hopper[ffn]["shape"] == [256 * 256, PARAMS_V2.ffn_hidden, PARAMS_V2.dim] and hopper[ffn]["tuned"]
    small = hopper["last position: O projection + residual"]  # under TUNE_MIN_MACS: the first config only
    assert len(small["configs"]) == 1 and not small["tuned"] and hopper["logits"]["tuned"]
    per_forward = sum(k["per_forward"] for k in hopper.values() if k["kernel"] == "qkv")
    assert per_forward == PARAMS_V2.n_layers


def test_dry_run_prints_the_plan_without_touching_a_device(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["bench", "poc", "--dry-run", "--gpu", "sm_90", "--json", str(out)])
    assert result.exit_code == 0, result.output
    for text in (
        "H100 SXM (sm_90",
        "batch: 256 nonces",
        "expected device memory",
        "swiglu",
        "TMA",
        "FP fusion on",
    ):
        assert text in result.output
    assert json.loads(out.read_text())["gpu"]["target"] == "sm_90"
    assert not torch.cuda.is_initialized()
    torch_plan = runner.invoke(app, ["bench", "poc", "--dry-run", "--gpu", "A100", "--engine", "torch"])
    assert (
        torch_plan.exit_code == 0
        and "torch engine" in torch_plan.output
        and "swiglu" not in torch_plan.output
    )


def test_dry_run_needs_a_gpu_and_names_bad_input() -> None:
    assert runner.invoke(app, ["bench", "poc", "--dry-run"]).exit_code == 2
    assert runner.invoke(app, ["bench", "poc", "--gpu", "H100"]).exit_code == 2
    result = runner.invoke(app, ["bench", "poc", "--dry-run", "--gpu", "Voodoo3"])
    assert result.exit_code == 2 and "unknown GPU 'Voodoo3'" in result.output


def test_every_listed_gpu_has_a_plan() -> None:
    for gpu in GPUS:
        plan = dry_run_plan(gpu)
        assert plan["memory"]["batch"] >= 1 and plan["kernels"]
