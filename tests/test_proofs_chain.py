"""CometBFT verification through gonka.proofs against a chain built independently (tests/fixtures/chain.py):
header and validator-set hashes agree, commits need > 2/3 of the power, the light client moves trust
sequentially and by skipping within its trusting period, and tx inclusion reaches a verified header.
"""

from __future__ import annotations

import base64
import copy
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fixtures.chain import Chain, ordered, validator_set_hash
from fixtures.chain import header_hash as builder_header_hash
from fixtures.chain import make_validators as validators_of
from gonka.errors import (
    HeaderMismatch,
    InclusionError,
    InsufficientVotingPower,
    InvalidCommit,
    InvalidInput,
    ProofError,
    TrustError,
    ValidatorSetMismatch,
)
from gonka.proofs import (
    Checkpoint,
    TrustedState,
    TrustOptions,
    header_hash,
    merkle_proofs,
    merkle_root,
    verify_commit,
    verify_header,
    verify_tx,
)
from gonka.proofs import validator_set_hash as native_set_hash

CHAIN_ID = "gonka-mainnet"
NOW = datetime.now(timezone.utc)


def make_chain(height: int = 12, **grow: Any) -> Chain:
    chain = Chain(CHAIN_ID, NOW - timedelta(hours=1), validators_of(4, seed=1))
    # Half the set changes at 5, all of it at 9.
    chain.changes[5] = [*chain.genesis_validators[:2], *validators_of(2, seed=2)]
    chain.changes[9] = validators_of(5, seed=3, power=7)
    chain.grow(height, **grow)
    return chain


def genesis(chain: Chain) -> TrustedState:
    return TrustedState.genesis(
        CHAIN_ID, chain.genesis_time.isoformat(), [(v.public, v.power) for v in chain.genesis_validators]
    )


def test_builder_and_library_hash_headers_and_sets_alike() -> None:
    chain = make_chain()
    for block in chain.blocks.values():
        assert header_hash(block.header) == block.hash == builder_header_hash(block.header)
        assert native_set_hash(chain.validators_answer(block.height)) == validator_set_hash(block.validators)


def test_commit_verifies_and_names_each_forgery() -> None:
    chain = make_chain()
    commit, pages = chain.commit_answer(7), chain.validators_answer(7)
    header = verify_commit(commit, pages, CHAIN_ID, 7)
    assert (header.height, header.hash, header.chain_id) == (7, chain.blocks[7].hash, CHAIN_ID)
    assert header.total_voting_power == sum(v.power for v in chain.blocks[7].validators)

    def step(commit: Any, pages: Any, chain_id: str = CHAIN_ID, height: int = 7) -> tuple[type, str]:
        with pytest.raises(ProofError) as e:
            verify_commit(commit, pages, chain_id, height)
        return type(e.value), e.value.step

    assert step(commit, pages, chain_id="gonka-testnet") == (HeaderMismatch, "header.chain_id")
    assert step(commit, pages, height=8) == (HeaderMismatch, "header.height")
    assert step(commit, chain.validators_answer(9)) == (ValidatorSetMismatch, "validators.height")
    relabelled = dict(chain.validators_answer(9), block_height="7")
    assert step(commit, relabelled) == (ValidatorSetMismatch, "validators.hash")
    other = copy.deepcopy(commit)
    other["signed_header"]["header"]["app_hash"] = "00" * 32
    assert step(other, pages) == (HeaderMismatch, "commit.block_id")
    forged = copy.deepcopy(commit)
    signature = base64.b64decode(forged["signed_header"]["commit"]["signatures"][0]["signature"])
    forged["signed_header"]["commit"]["signatures"][0]["signature"] = base64.b64encode(
        bytes([signature[0] ^ 1]) + signature[1:]
    ).decode()
    assert step(forged, pages) == (InvalidCommit, "commit.signature")
    stronger = copy.deepcopy(pages)
    stronger["validators"][0]["voting_power"] = str(int(stronger["validators"][0]["voting_power"]) ^ 1)
    assert step(commit, stronger) == (ValidatorSetMismatch, "validators.hash")


def test_two_thirds_of_the_power_must_sign() -> None:
    # Block 3 signed by 2 of 4 equal validators (1/2), block 4 by 3 of 4 (3/4).
    chain = make_chain(signers={3: 2, 4: 3})
    with pytest.raises(InsufficientVotingPower) as e:
        verify_commit(chain.commit_answer(3), chain.validators_answer(3), CHAIN_ID)
    assert e.value.step == "commit.power" and isinstance(e.value, InvalidCommit)
    verify_commit(chain.commit_answer(4), chain.validators_answer(4), CHAIN_ID)


def test_validator_pages_must_all_be_there() -> None:
    chain = make_chain()
    first = chain.validators_answer(10, page=1, per_page=3)
    second = chain.validators_answer(10, page=2, per_page=3)
    verify_commit(chain.commit_answer(10), [first, second], CHAIN_ID)
    with pytest.raises(ValidatorSetMismatch) as e:
        verify_commit(chain.commit_answer(10), [first], CHAIN_ID)
    assert e.value.step == "validators.incomplete"


def test_light_client_sequential_and_skipping() -> None:
    chain = make_chain()
    state = genesis(chain)
    assert (state.height, state.header_hash) == (0, None)
    one = verify_header(state, chain.commit_answer(1), chain.validators_answer(1), height=1)
    # Skipping from genesis to 6: two of the four genesis validators (1/2 > 1/3) still sign.
    six = verify_header(state, chain.commit_answer(6), chain.validators_answer(6))
    assert (one.height, six.height) == (1, 6)
    # After the full change at 9, none of the genesis set signs: not enough trust.
    with pytest.raises(TrustError) as e:
        verify_header(state, chain.commit_answer(10), chain.validators_answer(10))
    assert e.value.step == "trust.level"
    # From 6, trusted with its next validators, 10 is reachable... still no overlap; 9's set
    # is the next of 8: step sequentially from 8 to 9, then skip to 12.
    eight = state.advance(six, chain.validators_answer(7))
    eight_header = verify_header(eight, chain.commit_answer(8), chain.validators_answer(8))
    at_eight = eight.advance(eight_header, chain.validators_answer(9))
    nine = verify_header(at_eight, chain.commit_answer(9), chain.validators_answer(9), height=9)
    at_nine = at_eight.advance(nine, chain.validators_answer(10))
    twelve = verify_header(at_nine, chain.commit_answer(12), chain.validators_answer(12))
    assert twelve.hash == chain.blocks[12].hash


def test_light_client_refuses_what_a_light_client_must() -> None:
    chain = make_chain()
    state = genesis(chain)
    # A sequential step whose validators are not the trusted next validators.
    forged = make_chain()
    forged.genesis_validators = validators_of(4, seed=9)
    forged.blocks.clear()
    forged.changes.clear()
    forged.grow(2)
    with pytest.raises(TrustError) as e:
        verify_header(state, forged.commit_answer(1), forged.validators_answer(1))
    assert e.value.step == "trust.next_validators"
    # Expired trust: genesis an hour ago, a 30-minute trusting period.
    with pytest.raises(TrustError) as e:
        verify_header(state, chain.commit_answer(2), chain.validators_answer(2), options=TrustOptions(1800))
    assert e.value.step == "trust.period"
    # A header from the future.
    with pytest.raises(TrustError) as e:
        verify_header(state, chain.commit_answer(2), chain.validators_answer(2), now=NOW - timedelta(hours=2))
    assert e.value.step in {"trust.future", "trust.period"}
    # Going back, and another chain.
    six = verify_header(state, chain.commit_answer(6), chain.validators_answer(6))
    later = state.advance(six, chain.validators_answer(7))
    with pytest.raises(TrustError) as e:
        verify_header(later, chain.commit_answer(3), chain.validators_answer(3))
    assert e.value.step == "trust.height"
    other = TrustedState.genesis(
        "other-chain", chain.genesis_time.isoformat(), [(v.public, v.power) for v in chain.genesis_validators]
    )
    with pytest.raises(HeaderMismatch):
        verify_header(other, chain.commit_answer(1), chain.validators_answer(1))


def test_checkpoint_anchor() -> None:
    chain = make_chain()
    pin = Checkpoint(6, chain.blocks[6].hash)
    assert Checkpoint.parse(str(pin)) == pin
    state = TrustedState.from_checkpoint(
        pin.height, pin.hash, chain.commit_answer(6), chain.validators_answer(7)
    )
    assert (state.height, state.header_hash) == (6, chain.blocks[6].hash)
    seven = verify_header(state, chain.commit_answer(7), chain.validators_answer(7))
    assert seven.height == 7
    with pytest.raises(TrustError) as e:
        TrustedState.from_checkpoint(
            6, chain.blocks[5].hash, chain.commit_answer(6), chain.validators_answer(7)
        )
    assert e.value.step == "trust.checkpoint"
    with pytest.raises(ValidatorSetMismatch) as v:
        TrustedState.from_checkpoint(6, pin.hash, chain.commit_answer(6), chain.validators_answer(9))
    assert v.value.step in {"next_validators.hash", "validators.height"}
    for text in ("6", "x:ab", "6:abcd", "-1:" + "00" * 32):
        with pytest.raises(InvalidInput):
            Checkpoint.parse(text)


def test_mainnet_genesis_anchor() -> None:
    state = TrustedState.mainnet_genesis()
    assert (state.chain_id, state.height, state.header_hash) == ("gonka-mainnet", 0, None)
    assert state.time.startswith("2025-08-22T08:42:00.713838999")


def test_rfc6962_and_tx_inclusion_in_a_verified_header() -> None:
    items = [b"a", b"bc", b"def", b"", b"ghij"]
    root, proofs = merkle_proofs(items)
    assert root == merkle_root(items)
    for item, proof in zip(items, proofs, strict=True):
        proof.verify(root, item)
    with pytest.raises(InclusionError) as e:
        proofs[2].verify(root, b"other")
    assert e.value.step == "merkle.leaf"

    chain = make_chain()
    answer = chain.tx_answer(7, 2)
    header = verify_commit(chain.commit_answer(7), chain.validators_answer(7), CHAIN_ID)
    proven = verify_tx(answer, tx_hash=answer["hash"], header=header)
    assert (proven.height, proven.index, proven.tx) == (7, 2, b"tx 7 2")
    assert proven.data_hash == header.data_hash
    with pytest.raises(HeaderMismatch):
        verify_tx(answer, header=verify_commit(chain.commit_answer(6), chain.validators_answer(6), CHAIN_ID))
    moved = copy.deepcopy(answer)
    moved["height"] = "6"
    with pytest.raises(InclusionError) as e:
        verify_tx(moved, header=verify_commit(chain.commit_answer(6), chain.validators_answer(6), CHAIN_ID))
    assert e.value.step == "tx.data_hash"
    with pytest.raises(InclusionError) as e:
        verify_tx(answer, tx_hash="00" * 32)
    assert e.value.step == "tx.hash"


def test_set_order_does_not_matter_for_the_hash() -> None:
    chain = make_chain()
    answer = chain.validators_answer(10)
    shuffled = dict(answer, validators=list(reversed(answer["validators"])))
    assert (
        native_set_hash(shuffled)
        == native_set_hash(answer)
        == validator_set_hash(ordered(chain.validators_at(10)))
    )
