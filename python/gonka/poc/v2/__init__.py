"""PoC v2, the Proof of Compute mainnet runs since v0.2.9: artifacts from any causal LM.

A host runs each nonce's seeded inputs through its served model with per-layer Householder
reflections, turns the last hidden state into a 12-dimensional fp16 artifact and commits all
artifacts to a sparse Merkle sum tree; validators sample leaves, check their proofs, recompute them
and run a binomial test; votes decide who gets weight::

    from gonka.poc.v2 import ArtifactGenerator, tiny_qwen3
    with ArtifactGenerator(tiny_qwen3(), seq_len=16) as gen:
        batch = gen.generate(block_hash, public_key, range(8))

Primitives, sampling, the store, validation and weights need only numpy; the generator needs
``torch`` and ``transformers`` (``pip install gonka[poc]``) and is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonka._lazy import lazy_attributes
from gonka.poc.v2.params import (
    CHAIN_P_VALUE_THRESHOLD,
    EFFECTIVE_FRAUD_THRESHOLD,
    FRAUD_THRESHOLD_DISCREPANCY,
    StatTest,
    stat_test_for,
)
from gonka.poc.v2.rng import (
    DEFAULT_K_DIM,
    artifacts,
    decode_vector,
    encode_vector,
    haar_vectors,
    inputs,
    layer_vector,
    murmur,
    normal,
    pick,
    seed32,
    seed256,
    uniform,
)
from gonka.poc.v2.sampling import DEFAULT_SAMPLE_SIZE, sample_leaf_indices, seed_input
from gonka.poc.v2.store import ArtifactStore, Commitment, ProofItem, verify_proofs
from gonka.poc.v2.validation import PermanentFailure, ValidationResult, compare, fraud_test, validated_weight

if TYPE_CHECKING:
    from gonka.poc.v2.model import ArtifactGenerator, GeneratedArtifacts, tiny_qwen3

_LAZY = {
    "ArtifactGenerator": "gonka.poc.v2.model",
    "GeneratedArtifacts": "gonka.poc.v2.model",
    "tiny_qwen3": "gonka.poc.v2.model",
}

__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)


__all__ = [
    "CHAIN_P_VALUE_THRESHOLD",
    "DEFAULT_K_DIM",
    "DEFAULT_SAMPLE_SIZE",
    "EFFECTIVE_FRAUD_THRESHOLD",
    "FRAUD_THRESHOLD_DISCREPANCY",
    "ArtifactGenerator",
    "ArtifactStore",
    "Commitment",
    "GeneratedArtifacts",
    "PermanentFailure",
    "ProofItem",
    "StatTest",
    "ValidationResult",
    "artifacts",
    "compare",
    "decode_vector",
    "encode_vector",
    "fraud_test",
    "haar_vectors",
    "inputs",
    "layer_vector",
    "murmur",
    "normal",
    "pick",
    "sample_leaf_indices",
    "seed32",
    "seed256",
    "seed_input",
    "stat_test_for",
    "tiny_qwen3",
    "uniform",
    "validated_weight",
    "verify_proofs",
]
