"""The participants check in one call (gonka.proofs.verify_participants) on a chain built independently:
the honest answer verifies, and one bit changed in each input is rejected by the step that checks it:
key, value, each proof op, the header (app hash and every other field), a signature, a validator power.
"""

from __future__ import annotations

import base64
import copy
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fixtures.chain import Chain, EpochState, Participant, make_validators, participants_state
from gonka.errors import (
    AppHashMismatch,
    EpochMismatch,
    HeaderMismatch,
    InvalidCommit,
    MembershipError,
    ProofError,
    ValidatorSetMismatch,
)
from gonka.proofs import (
    TrustedState,
    active_participants_key,
    decode_active_participants,
    legacy_active_participants_key,
    prove_participants,
    verify_participants,
    verify_participants_in_header,
    verify_store_value,
)

NOW = datetime.now(timezone.utc)
H = 20  # the block whose state holds the sets

PEOPLE = {
    6: [Participant("gonka1six", "a2V5Ng==", 5, "http://six:8000", ("m1",))],
    7: [
        Participant("gonka1alice", "a2V5QQ==", 30, "http://alice:8000", ("qwen", "llama")),
        Participant("gonka1bob", "a2V5Qg==", 12, "http://bob:8000", ("qwen",)),
    ],
}


def build(epoch: int = 7, **grow: Any) -> tuple[Chain, EpochState]:
    state = participants_state(PEOPLE, created_at=H, epoch=epoch)
    chain = Chain("gonka-mainnet", NOW - timedelta(hours=1), make_validators(4, seed=11))
    chain.app_hashes[H + 1] = state.app_hash
    chain.grow(H + 3, **grow)
    return chain, state


def anchor(chain: Chain) -> TrustedState:
    return TrustedState.genesis(
        chain.chain_id,
        chain.genesis_time.isoformat(),
        [(v.public, v.power) for v in chain.genesis_validators],
    )


def check(
    chain: Chain, answer: Any, commit: Any = None, validators: Any = None, epoch: int | None = 7
) -> Any:
    return verify_participants(
        epoch,
        answer,
        commit if commit is not None else chain.commit_answer(H + 1),
        validators if validators is not None else chain.validators_answer(H + 1),
        anchor(chain),
    )


def test_the_honest_answer_verifies_in_one_call() -> None:
    chain, state = build()
    verified = check(chain, state.answer)
    assert verified.epoch == 7 and verified.key_layout == "current"
    assert [p.address for p in verified.participants] == ["gonka1alice", "gonka1bob"]
    alice = verified.participants[0]
    assert (alice.weight, alice.inference_url, alice.models) == (30, "http://alice:8000", ("qwen", "llama"))
    # The newer-schema field is kept, as encoded.
    assert alice.other_fields[0][0] == 99 and alice.other_fields[0][1].endswith(b"newer schema")
    assert verified.set.created_at_block_height == H and verified.header_height == H + 1
    assert verified.header.height == H + 1 and verified.header.app_hash == state.app_hash == verified.app_hash
    assert verified.value == state.value and verified.leaf_version == H
    assert verified.key == active_participants_key(7)
    # "current": the epoch comes from the proven key.
    assert check(chain, state.answer, epoch=None).epoch == 7
    # Binding to a header verified before.
    assert (
        verify_participants_in_header(7, state.answer, verified.header).participants == verified.participants
    )


def test_the_proof_chain_and_value_alone() -> None:
    _, state = build()
    proven = prove_participants(7, state.answer)
    assert proven.app_hash == state.app_hash
    assert decode_active_participants(state.value) == proven.set
    store = verify_store_value(
        state.answer, b"inference", active_participants_key(7), state.value, app_hash=state.app_hash
    )
    assert (store.app_hash, store.leaf_version) == (state.app_hash, H)
    assert legacy_active_participants_key(7) == b"ActiveParticipants/7/value/"


def test_legacy_key_layout_binds_the_epoch_group_id() -> None:
    state = participants_state(PEOPLE, created_at=H, epoch=7, legacy_key=True)
    proven = prove_participants(7, state.answer)
    assert (proven.key_layout, proven.set.epoch_group_id) == ("legacy", 7)
    with pytest.raises(EpochMismatch):
        prove_participants(6, state.answer)


def flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def failure(chain: Chain, answer: Any, **kw: Any) -> ProofError:
    with pytest.raises(ProofError) as e:
        check(chain, answer, **kw)
    return e.value


def test_a_proof_for_another_epoch_is_refused() -> None:
    chain, _ = build()
    _, other = build(epoch=6)
    error = failure(chain, other.answer)
    assert isinstance(error, EpochMismatch) and error.step == "epoch.key"
    assert error.expected == active_participants_key(7) and error.actual == active_participants_key(6)


def test_every_bit_of_the_key_and_value() -> None:
    chain, state = build()
    key = base64.b64decode(state.answer["proof_ops"]["ops"][0]["key"])
    for bit in range(len(key) * 8):
        answer = copy.deepcopy(state.answer)
        answer["proof_ops"]["ops"][0]["key"] = base64.b64encode(flip(key, bit)).decode()
        assert failure(chain, answer).step == "epoch.key"
    for bit in range(0, len(state.value) * 8, 3):
        answer = dict(state.answer, active_participants_bytes=flip(state.value, bit).hex())
        error = failure(chain, answer)
        assert isinstance(error, MembershipError) and error.step == "iavl.value"


@pytest.mark.parametrize(
    ("op", "allowed"), [(0, ("iavl.", "store_root")), (1, ("multistore.", "store_root", "app_hash"))]
)
def test_every_bit_of_each_proof_op(op: int, allowed: tuple[str, ...]) -> None:
    chain, state = build()
    header = check(chain, state.answer).header
    data = base64.b64decode(state.answer["proof_ops"]["ops"][op]["data"])
    seen = set()
    for bit in range(len(data) * 8):
        answer = copy.deepcopy(state.answer)
        answer["proof_ops"]["ops"][op]["data"] = base64.b64encode(flip(data, bit)).decode()
        with pytest.raises(ProofError) as e:
            verify_participants_in_header(7, answer, header)
        assert e.value.step.startswith(allowed), (bit, e.value)
        seen.add(e.value.step)
    assert len(seen) >= 3, seen


def test_the_app_hash_and_every_header_field() -> None:
    chain, state = build()
    commit = chain.commit_answer(H + 1)
    header = commit["signed_header"]["header"]
    # The proof computes another app hash than a different (honestly signed) state's header.
    other_chain, _ = build()
    other_chain.blocks.clear()
    other_chain.app_hashes.clear()
    other_chain.grow(H + 2)
    error = failure(other_chain, state.answer)
    assert isinstance(error, AppHashMismatch) and error.step == "app_hash"
    assert error.actual == state.app_hash
    # One bit of any header field: the commit no longer signs it.
    for name in (
        "app_hash",
        "data_hash",
        "last_commit_hash",
        "next_validators_hash",
        "consensus_hash",
        "proposer_address",
    ):
        changed = copy.deepcopy(commit)
        changed["signed_header"]["header"][name] = flip(bytes.fromhex(header[name]), 5).hex().upper()
        error = failure(chain, state.answer, commit=changed)
        assert isinstance(error, HeaderMismatch) and error.step == "commit.block_id", name
    changed = copy.deepcopy(commit)
    changed["signed_header"]["header"]["validators_hash"] = flip(
        bytes.fromhex(header["validators_hash"]), 0
    ).hex()
    assert failure(chain, state.answer, commit=changed).step == "validators.hash"
    changed = copy.deepcopy(commit)
    changed["signed_header"]["header"]["chain_id"] = "gonka-mainnes"
    assert failure(chain, state.answer, commit=changed).step == "header.chain_id"
    # The header of another height.
    assert (
        failure(
            chain, state.answer, commit=chain.commit_answer(H + 2), validators=chain.validators_answer(H + 2)
        ).step
        == "header.height"
    )


def test_a_signature_and_a_power() -> None:
    chain, state = build()
    commit = chain.commit_answer(H + 1)
    for i in range(4):
        changed = copy.deepcopy(commit)
        sig = base64.b64decode(changed["signed_header"]["commit"]["signatures"][i]["signature"])
        changed["signed_header"]["commit"]["signatures"][i]["signature"] = base64.b64encode(
            flip(sig, 100)
        ).decode()
        error = failure(chain, state.answer, commit=changed)
        assert isinstance(error, InvalidCommit) and error.step == "commit.signature"
    pages = chain.validators_answer(H + 1)
    for i in range(4):
        changed = copy.deepcopy(pages)
        changed["validators"][i]["voting_power"] = str(int(changed["validators"][i]["voting_power"]) ^ 2)
        error = failure(chain, state.answer, validators=changed)
        assert isinstance(error, ValidatorSetMismatch) and error.step == "validators.hash"


def test_less_than_two_thirds_signing() -> None:
    chain, state = build(signers={H + 1: 2})
    error = failure(chain, state.answer)
    assert error.step == "commit.power"
