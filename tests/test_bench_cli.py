"""``gonka bench poc`` and ``gonka bench compare`` from the command line, on the CPU, small model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("torch")

from gonka.cli.app import app

runner = CliRunner()
FAST = [
    "--params",
    "small",
    "--batch",
    "2",
    "--seconds",
    "0.05",
    "--numerics-nonces",
    "4",
    "--layer-check-nonces",
    "2",
]


@pytest.fixture(scope="module")
def torch_result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "cpu-torch.json"
    result = runner.invoke(
        app, ["bench", "poc", "--engine", "torch", *FAST, "--device", "cpu", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "nonces/s end to end" in result.output
    assert "skip last layer" in result.output
    return out


def test_bench_poc_writes_a_complete_result(torch_result: Path) -> None:
    data = json.loads(torch_result.read_text())
    assert data["schema"] == "gonka-bench-poc/1"
    assert data["config"]["engine"] == "torch" and data["config"]["batch"] == 2
    assert data["config"]["params"]["dim"] == 112
    versions = data["host"]["versions"]
    assert versions["torch"] and versions["gonka"] and versions["python"]
    assert data["host"]["gpu"] is None  # CPU run
    results = data["results"]
    for key in ("forward_nonces_per_s", "end_to_end_nonces_per_s", "forward_tflops", "gemm_ceiling_tflops"):
        assert results[key] > 0, key
    assert results["build_seconds"] > 0 and 0 < results["fraction_of_gemm_ceiling"]
    assert results["flop_per_nonce"] > 0 and results["host_generation_nonces_per_s"] > 0
    numerics = data["numerics"]
    assert numerics["nonces"] == 4
    # The torch engine is the reference itself: only the last-layer yardstick is measured.
    assert "mean_abs_dist" not in numerics
    assert numerics["skip_last_layer"]["nonces"] == 2
    assert numerics["skip_last_layer"]["mean_rel_logits"] > 0


def test_bench_compare_prints_hosts_side_by_side(torch_result: Path, tmp_path: Path) -> None:
    other = json.loads(torch_result.read_text())
    other["host"]["hostname"] = "second-host"
    other["results"]["end_to_end_nonces_per_s"] *= 2
    second = tmp_path / "second.json"
    second.write_text(json.dumps(other))
    result = runner.invoke(app, ["bench", "compare", str(torch_result), str(second)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "cpu-torch" in result.output and "second" in result.output
    assert "second-host" in result.output
    assert "2.00x" in result.output and "1.00x" in result.output


def test_bench_compare_rejects_files_that_are_not_results(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text(json.dumps({"hello": 1}))
    result = runner.invoke(app, ["bench", "compare", str(bogus)])
    assert result.exit_code == 2
    assert "not a gonka bench poc result" in result.output
    result = runner.invoke(app, ["bench", "compare", str(tmp_path / "missing.json")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_bench_poc_rejects_unknown_params_and_engines() -> None:
    result = runner.invoke(app, ["bench", "poc", "--params", "huge", "--engine", "torch"])
    assert result.exit_code == 2 and "unknown params 'huge'" in result.output
    result = runner.invoke(app, ["bench", "poc", "--engine", "nope", *FAST, "--device", "cpu"])
    assert result.exit_code == 2 and "unknown engine 'nope'" in result.output


def test_bench_poc_refuses_production_params_on_a_cpu() -> None:
    result = runner.invoke(app, ["bench", "poc", "--engine", "torch", "--params", "v2", "--device", "cpu"])
    assert result.exit_code == 2
    assert "far too slow on a CPU" in result.output


def test_bench_poc_triton_needs_cuda_here() -> None:
    import os

    import torch

    if torch.cuda.is_available() or os.environ.get("TRITON_INTERPRET") == "1":
        pytest.skip("the triton engine can run here")
    result = runner.invoke(app, ["bench", "poc", "--engine", "triton", *FAST])
    assert result.exit_code == 2
    assert "needs a CUDA device" in result.output
