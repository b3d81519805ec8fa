"""The benchmark's numerics against the torch engine, with the Triton engine on a tiny model.

Runs compiled on a CUDA device, or on the CPU under ``TRITON_INTERPRET=1`` (``test_kernels_interpreter.py``
starts that)."""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("triton")

RUNS_HERE = os.environ.get("TRITON_INTERPRET") == "1" or torch.cuda.is_available()
pytestmark = pytest.mark.skipif(
    not RUNS_HERE, reason="needs CUDA or TRITON_INTERPRET=1 (see test_kernels_interpreter)"
)
DEVICE = "cuda" if torch.cuda.is_available() and os.environ.get("TRITON_INTERPRET") != "1" else "cpu"


def test_bench_measures_the_triton_engine_against_the_torch_engine() -> None:
    from gonka.bench import BenchConfig, result_table, run_poc_bench
    from gonka.poc import Params

    tiny = Params(
        dim=56, n_layers=3, n_heads=2, n_kv_heads=2, vocab_size=131, ffn_dim_multiplier=1.0, multiple_of=16,
        norm_eps=1e-5, rope_theta=10000.0, seq_len=13,
    )  # fmt: skip
    config = BenchConfig(
        params_name="tiny", params=tiny, engine="triton", batch=3, seconds=0.01, numerics_nonces=3,
        layer_check_nonces=3, device=DEVICE,
    )  # fmt: skip
    result = run_poc_bench(config)
    numerics = result["numerics"]
    assert numerics["nonces"] == 3
    assert 0 <= numerics["mean_rel_logits"] < 3e-3
    assert numerics["max_abs_dist"] < 1e-4
    assert numerics["flips_rejected"] + numerics["flips_accepted"] <= 1
    assert numerics["valid_reference"] >= 0 and numerics["valid_engine"] >= 0
    check = numerics["layer_check"]
    assert check["passed"] and check["bound"] == pytest.approx(
        numerics["skip_last_layer"]["mean_rel_logits"] / 3
    )
    assert result["results"]["forward_nonces_per_s"] > 0 and result["results"]["end_to_end_nonces_per_s"] > 0
    assert result["results"]["engine_build_seconds"] >= 0
    assert result_table(result).row_count > 20
