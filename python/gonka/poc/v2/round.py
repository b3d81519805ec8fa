"""A whole PoC v2 round in one process: generate, commit, sample, prove, validate, vote, weigh.

Every host generates artifacts for its nonces into its store and commits ``(count, root)``; every
host then validates every host, itself included (as API nodes do; a cheater vouches for itself):
it samples leaves, fetches them through the signed proof API
(:class:`~gonka.poc.v2.proof_api.ProofServer`), runs the permanent-failure checks, recomputes the
sampled nonces with its own model and votes ``validated_weight``. The votes are tallied with equal
voting power and accepted hosts get weight by the release's rule. Cheats exist to show that they
are caught: ``perturbed-weights``, ``wrong-dtype`` (vectors encoded as bfloat16), ``torch-cpu-pick-order``,
``wrong-block-hash`` and ``copied`` (another host's artifacts under its own key).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from gonka.errors import InvalidInput
from gonka.keys import PrivateKey, PublicKey
from gonka.poc.nonces import nonce_iterator
from gonka.poc.v2.model import ArtifactGenerator, GeneratedArtifacts, tiny_qwen3
from gonka.poc.v2.params import StatTest, stat_test_for
from gonka.poc.v2.proof_api import ProofRequest, ProofResponse, ProofServer
from gonka.poc.v2.sampling import sample_leaf_indices, seed_input
from gonka.poc.v2.store import ArtifactStore, Commitment
from gonka.poc.v2.validation import PermanentFailure, check_proofs, compare
from gonka.poc.v2.weights import Tally, poc_weight, tally
from gonka.tx import (
    MsgPoCV2StoreCommit,
    MsgSubmitPocValidationsV2,
    PoCV2CommitEntry,
    PoCValidationEntryV2,
)

__all__ = ["CHEATS", "Host", "RoundReport", "Vote", "simulate_round"]

CHEATS = ("perturbed-weights", "wrong-dtype", "torch-cpu-pick-order", "wrong-block-hash", "copied")
MODEL_ID = "tiny-qwen3"


@dataclass
class Host:
    """A participant: its key, its model and its artifact store."""

    name: str
    key: PrivateKey
    model: torch.nn.Module
    cheat: str | None = None
    store: ArtifactStore | None = None
    commitment: Commitment | None = None

    @property
    def public_key_hex(self) -> str:
        return self.key.public_key.compressed.hex()

    @property
    def address(self) -> str:
        return self.key.address()


@dataclass(frozen=True)
class Vote:
    validator: str
    participant: str
    validated_weight: int
    n_mismatch: int
    p_value: float
    failure: str | None = None


@dataclass
class RoundReport:
    commitments: dict[str, Commitment] = field(default_factory=dict)
    commit_messages: list[MsgPoCV2StoreCommit] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    vote_messages: list[MsgSubmitPocValidationsV2] = field(default_factory=list)
    tallies: dict[str, Tally] = field(default_factory=dict)
    weights: dict[str, int] = field(default_factory=dict)


def _cheat_model(model: torch.nn.Module) -> torch.nn.Module:
    other = tiny_qwen3()
    other.load_state_dict(model.state_dict())
    generator = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for p in other.parameters():
            if p.ndim == 2:
                p.add_(torch.randn(p.shape, generator=generator) * 0.5 * p.abs().mean())
    return other


def _generate(
    host: Host, hosts: list[Host], block_hash: str, nonces: list[int], seq_len: int
) -> GeneratedArtifacts:
    model = _cheat_model(host.model) if host.cheat == "perturbed-weights" else host.model
    order = "torch-cpu" if host.cheat == "torch-cpu-pick-order" else "cuda"
    public_key = host.public_key_hex
    if host.cheat == "copied":
        public_key = next(h for h in hosts if h is not host).public_key_hex
    seed_hash = "00" * 32 if host.cheat == "wrong-block-hash" else block_hash
    with ArtifactGenerator(model, seq_len=seq_len, pick_order=order) as gen:
        batches = list(gen.generate_batches(seed_hash, public_key, nonces, batch_size=64))
    vectors = np.concatenate([b.vectors for b in batches]) if batches else np.empty((0, 12), np.float16)
    kept = [n for b in batches for n in b.nonces]
    if host.cheat == "wrong-dtype":
        as_bf16 = torch.from_numpy(vectors.astype(np.float32)).to(torch.bfloat16).view(torch.int16).numpy()
        vectors = as_bf16.view(np.float16)
    return GeneratedArtifacts(kept, vectors)


def simulate_round(
    hosts: list[Host],
    *,
    block_hash: str,
    stage: int = 1000,
    nonces_per_host: int = 300,
    seq_len: int = 16,
    version: str = "v0.2.14",
    sample_size: int = 200,
    stat_test: StatTest | None = None,
    sampling_block_hash: str = "5A" * 32,
    on_event: Callable[[str, dict[str, Any]], None] | None = None,
) -> RoundReport:
    """Runs a round among ``hosts`` (each validates every other) and returns what happened."""
    if len(hosts) < 2:
        raise InvalidInput("a round needs at least two hosts")
    for host in hosts:
        if host.cheat not in (None, *CHEATS):
            raise InvalidInput(f"unknown cheat {host.cheat!r}; expected one of {', '.join(CHEATS)}")
    test = stat_test or stat_test_for(version)
    emit = on_event or (lambda stage_name, info: None)
    report = RoundReport()
    # 1. generate (node i of n, group 0 of 1) and 2. commit.
    for node, host in enumerate(hosts, start=1):
        nonces = [n for _, n in zip(range(nonces_per_host), nonce_iterator(node, len(hosts)), strict=False)]
        generated = _generate(host, hosts, block_hash, nonces, seq_len)
        host.store = ArtifactStore(stage, MODEL_ID)
        for nonce, vector in zip(generated.nonces, generated.vectors, strict=True):
            host.store.add(nonce, vector.astype("<f2").tobytes())
        emit("generate", {"host": host.name, "count": host.store.count})
        host.commitment = host.store.commit()
        report.commitments[host.name] = host.commitment
        report.commit_messages.append(
            MsgPoCV2StoreCommit(
                host.address,
                stage,
                [PoCV2CommitEntry(MODEL_ID, host.commitment.count, host.commitment.root)],
            )
        )
        emit(
            "commit", {"host": host.name, "count": host.commitment.count, "root": host.commitment.root.hex()}
        )
    keys: dict[str, PublicKey] = {h.address: h.key.public_key for h in hosts}
    servers = {
        h.name: ProofServer(
            {(stage, MODEL_ID): h.store} if h.store else {},
            h.key,
            lambda v, s: keys.get(s) if v == s else None,
        )
        for h in hosts
    }
    # 3-5. sample, prove, validate.
    for validator in hosts:
        entries = []
        with ArtifactGenerator(validator.model, seq_len=seq_len) as gen:
            for participant in hosts:
                if participant.commitment is None:
                    continue
                if participant is validator and validator.cheat:
                    # A cheater vouches for itself without checking.
                    weight = min(participant.commitment.count, sample_size)
                    vote = Vote(validator.address, participant.address, weight, 0, 1.0, "self-vote")
                else:
                    vote = _validate(
                        validator,
                        participant,
                        gen,
                        servers[participant.name],
                        stage,
                        block_hash,
                        sampling_block_hash,
                        sample_size,
                        test,
                    )
                report.votes.append(vote)
                entries.append(PoCValidationEntryV2(participant.address, vote.validated_weight, MODEL_ID))
                emit(
                    "validate",
                    {
                        "validator": validator.name,
                        "participant": participant.name,
                        "validated_weight": vote.validated_weight,
                        "n_mismatch": vote.n_mismatch,
                        "p_value": vote.p_value,
                        "failure": vote.failure,
                    },
                )
        report.vote_messages.append(MsgSubmitPocValidationsV2(validator.address, stage, entries))
    # 6. vote: equal voting power per host; 7. weight.
    power = {h.address: 1 for h in hosts}
    for participant in hosts:
        votes = {
            v.validator: v.validated_weight for v in report.votes if v.participant == participant.address
        }
        result = tally(votes, power, len(hosts))
        report.tallies[participant.name] = result
        count = participant.commitment.count if participant.commitment else 0
        report.weights[participant.name] = poc_weight(count, version) if result.accepted else 0
        emit(
            "vote",
            {
                "host": participant.name,
                "accepted": result.accepted,
                "decided_by": result.decided_by,
                "weight": report.weights[participant.name],
            },
        )
    return report


def _validate(
    validator: Host,
    participant: Host,
    gen: ArtifactGenerator,
    server: ProofServer,
    stage: int,
    block_hash: str,
    sampling_block_hash: str,
    sample_size: int,
    test: StatTest,
) -> Vote:
    assert participant.commitment is not None
    commitment = participant.commitment
    seed = seed_input(validator.public_key_hex, sampling_block_hash, stage, MODEL_ID)
    indices = sample_leaf_indices(seed, commitment.count, sample_size)
    request = ProofRequest.signed(
        validator.key,
        stage=stage,
        model_id=MODEL_ID,
        root_hash=commitment.root,
        count=commitment.count,
        validator_address=validator.address,
        leaf_indices=indices,
    )
    response = ProofResponse.from_json(server.handle(request.to_json(), by_nonce=False).to_json())
    if not response.verify_signature(participant.key.public_key, request):
        return Vote(validator.address, participant.address, -1, 0, 0.0, "response signature")
    try:
        received = check_proofs(indices, response.proofs, commitment.root, commitment.count)
    except PermanentFailure as failure:
        return Vote(validator.address, participant.address, -1, 0, 0.0, failure.reason)
    nonces = sorted(received)
    mine = gen.generate(block_hash, participant.public_key_hex, nonces)
    computed = dict(zip(mine.nonces, mine.vectors_b64(), strict=True))
    result = compare(computed, {n: base64.b64encode(v).decode() for n, v in received.items()}, nonces, test)
    return Vote(
        validator.address, participant.address, result.validated_weight, result.n_mismatch, result.p_value
    )
