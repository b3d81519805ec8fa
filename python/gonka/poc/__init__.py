"""Proof of Compute (PoC v1): the random-LLaMA sprint, bit-compatible with the reference ML node.

A random LLaMA-style transformer is built from a block hash; each nonce's random input runs through it and the
nonce counts when its permuted, normalized output lies within ``r_target`` of a random target vector::

    from gonka.poc import PARAMS_SMALL, PocModel, R_TARGET_V0_2_6
    model = PocModel(PARAMS_SMALL, block_hash)
    dist = model.distances(public_key, range(16))
    valid = dist < R_TARGET_V0_2_6

Parameters, proofs, validation and nonce scheduling need only numpy; the model, weights and engines need torch
(``pip install gonka[poc]``) and are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonka._lazy import lazy_attributes
from gonka.poc.nonces import MAX_NONCE, check_nonce, nonce_iterator, parse_nonces
from gonka.poc.params import (
    DEFAULT_FRAUD_THRESHOLD,
    PARAMS_SMALL,
    PARAMS_V1,
    PARAMS_V2,
    PRESETS,
    PROBABILITY_MISMATCH,
    R_TARGET_LAUNCH,
    R_TARGET_SMALL,
    R_TARGET_V0_2_6,
    Params,
)
from gonka.poc.proofs import ProofBatch, ValidatedBatch, binomial_p_value, distances_from_logits

if TYPE_CHECKING:
    from gonka.poc.engine_torch import TorchEngine
    from gonka.poc.engines import available_engines, get_engine
    from gonka.poc.model import PocModel, compute_distances
    from gonka.poc.rng import (
        Generator,
        inputs,
        name_hash,
        permutations,
        seed_entropy,
        target,
        weight_pool,
    )
    from gonka.poc.rope import rope_table
    from gonka.poc.weights import LayerWeights, ModelWeights

# Names whose modules import torch or the native RNG, loaded on first access.
_LAZY = {
    "TorchEngine": "gonka.poc.engine_torch",
    "available_engines": "gonka.poc.engines",
    "get_engine": "gonka.poc.engines",
    "PocModel": "gonka.poc.model",
    "compute_distances": "gonka.poc.model",
    "rope_table": "gonka.poc.rope",
    "LayerWeights": "gonka.poc.weights",
    "ModelWeights": "gonka.poc.weights",
    "Generator": "gonka.poc.rng",
    "inputs": "gonka.poc.rng",
    "name_hash": "gonka.poc.rng",
    "permutations": "gonka.poc.rng",
    "seed_entropy": "gonka.poc.rng",
    "target": "gonka.poc.rng",
    "weight_pool": "gonka.poc.rng",
}

__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)


__all__ = [
    "DEFAULT_FRAUD_THRESHOLD",
    "MAX_NONCE",
    "PARAMS_SMALL",
    "PARAMS_V1",
    "PARAMS_V2",
    "PRESETS",
    "PROBABILITY_MISMATCH",
    "R_TARGET_LAUNCH",
    "R_TARGET_SMALL",
    "R_TARGET_V0_2_6",
    "Generator",
    "LayerWeights",
    "ModelWeights",
    "Params",
    "PocModel",
    "ProofBatch",
    "TorchEngine",
    "ValidatedBatch",
    "available_engines",
    "binomial_p_value",
    "check_nonce",
    "compute_distances",
    "distances_from_logits",
    "get_engine",
    "inputs",
    "name_hash",
    "nonce_iterator",
    "parse_nonces",
    "permutations",
    "rope_table",
    "seed_entropy",
    "target",
    "weight_pool",
]
