"""PoC model build and input generation: gonka vs the reference's numpy/torch path, side by side.

* Model build. gonka generates the production pool (888,156,147 fp16 values) and hands out every weight
  as a view of it. The reference draws the same pool with numpy and then copies a window into every one
  of the 17.76e9 materialized parameters (35.5 GB), which no CPU machine of ordinary size holds; it is
  measured on the same model cut to 2 layers and scaled to 64 layers by parameter count (pool draw
  scaled by pool size).
* Inputs. One nonce is 256 x 1792 = 458,752 normals rounded to float16. gonka fills a caller's buffer for many
  nonces across all cores; the reference draws each nonce with a numpy Generator and converts it with torch.

Run with ``make bench`` (or ``pytest benches/test_bench_poc_model.py --benchmark-enable``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time

import numpy as np
import pytest
import torch
from gonka.poc import PARAMS_V2, ModelWeights, inputs, weight_pool

BLOCK_HASH = "52DAB38B4329170319EF41AD0E4A653A668B6B2267A86222EA4E9B03A4F0D4E6"
PUBLIC_KEY = "02eb3102a6cb586765d01fad324523ec0bc67b9efd6a2d9589c135adfedf7922cc"
NONCES = list(range(32))
# The reference's build, measured on production width with 2 of the 64 layers.
CUT = dataclasses.replace(PARAMS_V2, n_layers=2)
# The reference's pool draw, measured on this many values (more than the largest parameter) and scaled.
POOL_SAMPLE = 100_000_000


def _reference_rng(seed: str, num_hashes: int) -> np.random.Generator:
    """The reference's seeding: SHA-256 words -> SeedSequence -> PCG64 (numpy)."""
    words = [
        np.frombuffer(hashlib.sha256(f"{seed}_{i}".encode()).digest(), dtype=np.uint32)
        for i in range(num_hashes)
    ]
    return np.random.default_rng(np.random.SeedSequence(np.concatenate(words)))


def _reference_inputs(nonces: list[int]) -> torch.Tensor:
    draws = [
        _reference_rng(f"{BLOCK_HASH}_{PUBLIC_KEY}_nonce{n}", 4).standard_normal(
            (1, PARAMS_V2.seq_len, PARAMS_V2.dim)
        )
        for n in nonces
    ]
    return torch.tensor(np.concatenate(draws), dtype=torch.float16)


def _reference_build(params, pool_size: int) -> tuple[list[torch.Tensor], float]:
    """Draw the pool with numpy and copy a window into every materialized parameter (the reference's way).

    Returns the parameters and the seconds spent drawing the pool.
    """
    started = time.perf_counter()
    pool = _reference_rng(BLOCK_HASH, 4).normal(0.0, 0.02, size=pool_size).astype(np.float32)
    pool = torch.from_numpy(pool).to(torch.float16)
    draw_seconds = time.perf_counter() - started
    tensors = []
    for name, shape in params.param_shapes().items():
        param = torch.empty(shape, dtype=torch.float16)
        numel = param.numel()
        name_hash = int(hashlib.sha256(f"{BLOCK_HASH}_{name}".encode()).hexdigest()[:8], 16)
        start = name_hash % (pool_size - numel + 1)
        param.copy_(pool[start : start + numel].view(shape))
        tensors.append(param)
    return tensors, draw_seconds


@pytest.mark.benchmark(group="poc-build-production")
def test_build_gonka_production_pool_views(benchmark) -> None:
    weights = benchmark.pedantic(ModelWeights, args=(PARAMS_V2, BLOCK_HASH, "cpu", "float16"), rounds=1)
    assert weights.nbytes == 2 * PARAMS_V2.pool_size
    benchmark.extra_info.update(pool_values=PARAMS_V2.pool_size, held_gb=weights.nbytes / 1e9)


@pytest.mark.benchmark(group="poc-build-production")
def test_build_reference_materialized_scaled(benchmark) -> None:
    """Reference build of the 2-layer cut from a pool of POOL_SAMPLE values, scaled to production.

    Production estimate = pool draw scaled by pool size + parameter copies scaled by parameter count.
    """
    tensors, draw_seconds = benchmark.pedantic(_reference_build, args=(CUT, POOL_SAMPLE), rounds=1)
    assert sum(t.numel() for t in tensors) == CUT.n_params
    copy_seconds = benchmark.stats.stats.min - draw_seconds
    estimate = (
        draw_seconds * PARAMS_V2.pool_size / POOL_SAMPLE + copy_seconds * PARAMS_V2.n_params / CUT.n_params
    )
    benchmark.extra_info.update(
        cut_layers=CUT.n_layers,
        cut_seconds=benchmark.stats.stats.min,
        pool_draw_seconds=draw_seconds,
        copy_seconds=copy_seconds,
        production_estimate_seconds=estimate,
        production_materialized_gb=PARAMS_V2.weight_bytes_fp16 / 1e9,
    )
    print(
        f"reference build, production estimate: {estimate:.1f} s, {PARAMS_V2.weight_bytes_fp16 / 1e9:.1f} GB"
    )


def test_pool_matches_the_reference_draw() -> None:
    """The benchmarked paths produce the same values (first 100k of the production pool)."""
    ours = weight_pool(BLOCK_HASH, 100_000)
    theirs = (
        _reference_rng(BLOCK_HASH, 4).normal(0.0, 0.02, size=100_000).astype(np.float32).astype(np.float16)
    )
    assert np.array_equal(ours, theirs)


@pytest.mark.benchmark(group="poc-inputs-32-nonces")
def test_inputs_gonka_all_cores(benchmark) -> None:
    out = np.empty((len(NONCES), PARAMS_V2.seq_len, PARAMS_V2.dim), dtype=np.float16)
    benchmark(inputs, BLOCK_HASH, PUBLIC_KEY, NONCES, PARAMS_V2.seq_len, PARAMS_V2.dim, out=out)
    benchmark.extra_info.update(cores=os.cpu_count(), nonces_per_s=len(NONCES) / benchmark.stats.stats.min)
    assert torch.equal(torch.from_numpy(out[:2]), _reference_inputs(NONCES[:2]))


@pytest.mark.benchmark(group="poc-inputs-32-nonces")
def test_inputs_reference_numpy(benchmark) -> None:
    x = benchmark.pedantic(_reference_inputs, args=(NONCES,), rounds=3)
    assert x.shape == (len(NONCES), PARAMS_V2.seq_len, PARAMS_V2.dim)
    benchmark.extra_info.update(nonces_per_s=len(NONCES) / benchmark.stats.stats.min)


@pytest.mark.benchmark(group="poc-inputs-1-nonce")
def test_input_one_nonce_gonka(benchmark) -> None:
    out = np.empty((1, PARAMS_V2.seq_len, PARAMS_V2.dim), dtype=np.float16)
    benchmark(inputs, BLOCK_HASH, PUBLIC_KEY, [7], PARAMS_V2.seq_len, PARAMS_V2.dim, out=out)


@pytest.mark.benchmark(group="poc-inputs-1-nonce")
def test_input_one_nonce_reference_numpy(benchmark) -> None:
    benchmark(_reference_inputs, [7])
