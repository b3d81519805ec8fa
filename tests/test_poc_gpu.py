"""Production parameters on a CUDA device against the reference's H100 golden vectors (marked gpu)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import vector_path
from gonka.poc import PARAMS_V2, PocModel

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]

GOLDEN_BLOCK_HASH = "4d3c2b1a0f9e8d7c6b5a49382716f5e4d3c2b1a0f9e8d7c6b5a49382716f5e4d"
GOLDEN_PUBLIC_KEY = "gonka-public-golden-key"


@pytest.fixture(scope="module")
def production_model() -> PocModel:
    return PocModel(PARAMS_V2, GOLDEN_BLOCK_HASH, device="cuda", dtype="float16", engine="torch")


def test_production_weights_stay_a_pool(production_model: PocModel) -> None:
    weights = production_model.weights
    assert weights.pool.numel() == PARAMS_V2.pool_size == 888_156_147
    assert weights.nbytes == 2 * PARAMS_V2.pool_size  # 1.78 GB, not 35.5 GB
    assert all(weights.is_view(name) for name, _ in weights.named_parameters())


def test_production_logits_and_distances_match_the_reference(production_model: PocModel) -> None:
    golden_dist = np.load(vector_path("poc", "golden_v2_public_dist.npy"))
    golden_logits = np.load(vector_path("poc", "golden_v2_public_logits.npy"))
    logits = production_model.logits(GOLDEN_PUBLIC_KEY, [0, 1])
    rel = np.linalg.norm(logits - golden_logits, axis=1) / np.linalg.norm(golden_logits, axis=1)
    assert (rel < 1e-3).all(), rel
    dist = production_model.distances(GOLDEN_PUBLIC_KEY, list(range(128)), batch_size=32)
    assert np.abs(dist - golden_dist).max() <= 1e-6, np.abs(dist - golden_dist).max()


@pytest.mark.parametrize("engine", ["torch", "triton"])
def test_model_memory_bounds_what_a_cuda_model_allocates(engine: str) -> None:
    from gonka.poc import PARAMS_SMALL, available_engines
    from gonka.poc.engines import activation_bytes_per_nonce, model_bytes

    if engine not in available_engines():
        pytest.skip(f"the {engine} engine is not available here")
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    model = PocModel(
        PARAMS_SMALL, GOLDEN_BLOCK_HASH, device="cuda", dtype="float16", engine=engine, batch_size=8
    )
    model.distances(GOLDEN_PUBLIC_KEY, list(range(8)))
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - before
    estimate = model_bytes(PARAMS_SMALL, engine, "float16") + 8 * activation_bytes_per_nonce(
        PARAMS_SMALL, engine
    )
    held = torch.cuda.memory_allocated() - before
    # The model is a bound (the worst case of the block's window alignments) that is not wildly loose.
    assert held <= estimate and peak <= 2 * estimate, (held, peak, estimate)
    assert held >= model.weights.nbytes
