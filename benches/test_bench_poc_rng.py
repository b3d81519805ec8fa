"""PoC random streams: gonka (Rust) vs the reference's numpy + torch path, side by side in one run.

Groups:

* ``inputs-1-nonce``: one production nonce (256 x 1792 = 458,752 normals -> float16). The reference
  draws ``default_rng(SeedSequence(entropy)).standard_normal((1, 256, 1792))`` then converts it with
  ``torch.tensor(x, dtype=torch.float16)``; gonka uses one core for one nonce.
* ``inputs-batch``: 32 production nonces; gonka runs on all cores, the reference as it does for a
  batch of up to 256 nonces (one thread).
* ``weight-pool``: the production pool (888,156,147 values -> float16). The reference's
  ``normal(0, 0.02, n).astype(float32)`` then torch ``.to(float16)`` is timed on 1/8 of the pool
  (the full draw takes ~25 s and 7 GB) and its time multiplied by 8: a linear extrapolation.

The ratios (reference time / gonka time, above 1 means gonka is faster), nonces/s, and the pool's
process CPU seconds (all threads; robust on a busy machine) are printed at the end of the module.
Run with ``make bench`` (or ``pytest benches/test_bench_poc_rng.py --benchmark-enable``).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from gonka.poc import rng
from sidebyside import SideBySide, cpu_seconds

BH = "52DAB38B4329170319EF41AD0E4A653A668B6B2267A86222EA4E9B03A4F0D4E6"
PK = "02eb3102a6cb586765d01fad324523ec0bc67b9efd6a2d9589c135adfedf7922cc"
SEQ_LEN, DIM = 256, 1792
BATCH = 32
POOL_SIZE = 888_156_147
REFERENCE_POOL_SLICE = 8

_board = SideBySide("poc rng", warmup_rounds=0)
_medians, _scale, _notes = _board.medians, _board.scale, _board.notes
run = _board.run


@pytest.fixture(scope="module", autouse=True)
def report_ratios(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from _board.report(request)


def reference_rng(seed: str) -> np.random.Generator:
    digests = [hashlib.sha256(f"{seed}_{i}".encode()).digest() for i in range(4)]
    entropy = np.concatenate([np.frombuffer(d, dtype=np.uint32) for d in digests])
    return np.random.default_rng(np.random.SeedSequence(entropy))


def reference_inputs(nonces: list[int]) -> torch.Tensor:
    draws = [reference_rng(f"{BH}_{PK}_nonce{n}").standard_normal((1, SEQ_LEN, DIM)) for n in nonces]
    return torch.tensor(np.concatenate(draws), dtype=torch.float16)


def test_inputs_one_nonce_gonka(benchmark) -> None:
    out = np.empty((1, SEQ_LEN, DIM), dtype=np.float16)
    x = run(benchmark, "inputs-1-nonce", "gonka", lambda: rng.inputs(BH, PK, [0], SEQ_LEN, DIM, out=out))
    # One nonce is one stream on one worker thread, so its wall time is time on one core.
    fastest = benchmark.stats.stats.min if benchmark.stats is not None else float("nan")
    _notes.append(f"  inputs: one nonce in {fastest * 1e3:.2f} ms (min) on one core (goal < 2 ms)")
    assert np.array_equal(x, out)


def test_inputs_one_nonce_reference(benchmark) -> None:
    x = run(benchmark, "inputs-1-nonce", "reference", lambda: reference_inputs([0]))
    assert np.array_equal(x.numpy(), rng.inputs(BH, PK, [0], SEQ_LEN, DIM))


def test_inputs_batch_gonka(benchmark) -> None:
    out = np.empty((BATCH, SEQ_LEN, DIM), dtype=np.float16)
    nonces = np.arange(BATCH)
    run(benchmark, "inputs-batch", "gonka", lambda: rng.inputs(BH, PK, nonces, SEQ_LEN, DIM, out=out))
    median = _medians[("inputs-batch", "gonka")]
    _notes.append(f"  inputs: {BATCH / median:.0f} nonces/s on {os.cpu_count()} CPUs")


def test_inputs_batch_reference(benchmark) -> None:
    run(benchmark, "inputs-batch", "reference", lambda: reference_inputs(list(range(BATCH))), rounds=3)
    median = _medians[("inputs-batch", "reference")]
    _notes.append(f"  inputs: reference {BATCH / median:.0f} nonces/s")


def test_weight_pool_gonka(benchmark) -> None:
    start = time.perf_counter()
    fresh = rng.weight_pool(BH, POOL_SIZE)
    fresh_seconds = time.perf_counter() - start
    # The ML node keeps one (pinned) pool buffer; timing into it leaves out first-touch page faults.
    out = np.zeros(POOL_SIZE, dtype=np.float16)
    run(benchmark, "weight-pool", "gonka", lambda: rng.weight_pool(BH, POOL_SIZE, out=out), rounds=2)
    assert np.array_equal(out, fresh)
    assert out[-2:].tolist() == [-0.004119873046875, -0.031768798828125]
    cpu = cpu_seconds(lambda: rng.weight_pool(BH, POOL_SIZE, out=out), 1)
    median = _medians[("weight-pool", "gonka")]
    _notes.append(
        f"  weight pool: {POOL_SIZE:,} values in {median:.2f} s into a reused buffer, "
        f"{fresh_seconds:.2f} s into a fresh one, {cpu:.2f} CPU-s (goal < 5 s)"
    )


def test_weight_pool_reference(benchmark) -> None:
    size = POOL_SIZE // REFERENCE_POOL_SLICE

    def draw() -> torch.Tensor:
        values = reference_rng(BH).normal(0.0, 0.02, size).astype(np.float32)
        return torch.from_numpy(values).to(dtype=torch.float16)

    pool = run(benchmark, "weight-pool", "reference", draw, rounds=1)
    _scale[("weight-pool", "reference")] = REFERENCE_POOL_SLICE
    _notes.append(f"  weight pool: reference timed on 1/{REFERENCE_POOL_SLICE} of the pool, scaled x8")
    assert np.array_equal(pool[:1000].numpy(), rng.weight_pool(BH, 1000))
