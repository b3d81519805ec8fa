"""Every case of the reference's golden vectors, through the public API (CPU, small shapes)."""

from __future__ import annotations

import json

import gonka.poc as poc
import numpy as np
import pytest
import torch
from conftest import vector_path
from gonka.poc import Params, PocModel

# The README's tolerances for distances on CPU; the reference itself meets ~1e-12 in float32.
DIST_TOL = {"float32": 1e-6, "float16": 2e-4}
LOGIT_RTOL = {"float32": 1e-5, "float16": 2e-3}


def _cases() -> list[dict]:
    path = vector_path("poc", "poc_golden_public.json")
    return json.loads(path.read_text())["cases"]


CASE_IDS = ["small-float32", "small-float16", "medium-float32", "medium-float16"]


@pytest.fixture(scope="module", params=range(len(CASE_IDS)), ids=CASE_IDS)
def case_and_model(request: pytest.FixtureRequest) -> tuple[dict, PocModel]:
    case = _cases()[request.param]
    assert f"{case['params_name']}-{case['dtype']}" == CASE_IDS[request.param]
    params = Params.from_dict(case["params"])
    return case, PocModel(params, case["block_hash"], dtype=case["dtype"])


def test_seeded_streams(case_and_model: tuple[dict, PocModel]) -> None:
    case, model = case_and_model
    p, bh, pk, nonces = model.params, case["block_hash"], case["public_key"], case["nonces"]
    x = poc.inputs(bh, pk, nonces, p.seq_len, p.dim)  # the reference's inputs are float16
    assert np.array_equal(x[:, 0, :4].astype(np.float64), case["input_first4"])
    assert np.array_equal(x[:, -1, -4:].astype(np.float64), case["input_last4"])
    model_inputs = model.inputs(pk, nonces)
    assert model_inputs.dtype == model.dtype
    assert torch.equal(model_inputs.float(), torch.from_numpy(x).float())
    perms = poc.permutations(bh, pk, nonces, p.vocab_size)
    assert perms.dtype == np.int64 and perms.shape == (len(nonces), p.vocab_size)
    assert np.array_equal(perms[:, :8], case["perm_first8"])
    assert np.array_equal(model.permutations(pk, nonces), perms)
    target = poc.target(bh, p.vocab_size)
    assert np.array_equal(target[:4], case["target_first4"])
    assert np.array_equal(model.target, target)


def test_parameters(case_and_model: tuple[dict, PocModel]) -> None:
    case, model = case_and_model
    assert model.params.n_params == case["n_params"] == model.weights.n_params
    names = [name for name, _ in model.weights.named_parameters()]
    assert names == case["param_names"] == model.params.param_names()
    for name, tensor in model.weights.named_parameters():
        assert tensor.dtype == model.dtype
        assert tensor.flatten()[:4].double().tolist() == case["param_first4"][name], name


def test_logits_and_distances(case_and_model: tuple[dict, PocModel]) -> None:
    case, model = case_and_model
    pk, nonces = case["public_key"], case["nonces"]
    logits = model.logits(pk, nonces)
    assert logits.dtype == np.float32 and logits.shape == (16, model.params.vocab_size)
    np.testing.assert_allclose(
        logits[:, :8], case["logits_first8"], rtol=LOGIT_RTOL[case["dtype"]], atol=1e-6
    )
    dist = poc.distances_from_logits(logits, model.permutations(pk, nonces), model.target)
    assert dist.dtype == np.float64
    np.testing.assert_allclose(dist, case["dist"], rtol=0, atol=DIST_TOL[case["dtype"]])
    # The one-call path, in uneven batches, gives the same distances (GEMM blocking may vary with the batch).
    np.testing.assert_allclose(model.distances(pk, nonces[:6], batch_size=4), dist[:6], rtol=0, atol=1e-6)


def test_compute_distances_one_call() -> None:
    case = _cases()[1]
    dist = poc.compute_distances(
        Params.from_dict(case["params"]), case["block_hash"], case["public_key"], case["nonces"][:3],
        dtype=case["dtype"],
    )  # fmt: skip
    np.testing.assert_allclose(dist, case["dist"][:3], rtol=0, atol=DIST_TOL["float16"])
