"""PoC v2 store, proofs, proof API, validation checks, votes and weights."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from dataclasses import replace

import pytest
from gonka.keys import PrivateKey
from gonka.poc.v2 import ArtifactStore, PermanentFailure, ProofItem
from gonka.poc.v2.proof_api import (
    TIMESTAMP_WINDOW_NS,
    ProofRequest,
    ProofRequestRejected,
    ProofResponse,
    ProofServer,
    request_sign_payload,
)
from gonka.poc.v2.store import StoreNotFound
from gonka.poc.v2.validation import check_proofs
from gonka.poc.v2.weights import (
    LegacyDec,
    consensus_weight,
    passes_vote_threshold,
    poc_weight,
    tally,
    time_normalization,
    weight_distribution,
)

VALIDATOR = PrivateKey.from_bytes(bytes([7]) * 32)
PARTICIPANT = PrivateKey.from_bytes(bytes([9]) * 32)
NOW = 1_780_000_000_000_000_000
F16_ONE = bytes.fromhex("003c") * 12  # twelve 1.0 values


def _spec_store() -> ArtifactStore:
    """The proofs spec's sum-tree vector: nonces 10..50, vector [n & 0xff, n >> 8, 0xAB]."""
    store = ArtifactStore(100, "m")
    for n in (10, 20, 30, 40, 50):
        assert store.add(n, bytes([n & 0xFF, (n >> 8) & 0xFF, 0xAB]))
    return store


def test_store_commitments_match_the_sum_tree_vectors() -> None:
    assert ArtifactStore(1, "m").commit().root.hex() == (
        "c37ff3c98906a0a22cd65891ae94f8a25146c7c168c648470b4a827005660991"
    )
    store = _spec_store()
    assert not store.add(30, b"other")  # duplicates are dropped
    assert store.duplicates == 1
    commitment = store.commit()
    assert commitment.count == 5
    assert commitment.root.hex() == "199e809722329c67c40cc806131e2a9f1dcdd287ef3e9f726fcc0d492140af61"
    (item,) = store.proofs([2], 5, commitment.root)
    assert (item.leaf_index, item.nonce_value, base64.b64encode(item.vector_bytes).decode()) == (
        2,
        30,
        "HgCr",
    )
    assert len(item.proof) == 24
    assert base64.b64encode(item.proof[0]).decode() == "FSM9nfUSQ5EPv6hk7YN9X4KGMJig0waseUWlhx30s6sAAAAA"
    assert base64.b64encode(item.proof[-1]).decode() == "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0AAAAA"
    assert store.proofs_by_nonce([50, 999], 5, commitment.root)[0].leaf_index == 4


def test_proofs_are_served_for_committed_counts_only() -> None:
    store = _spec_store()
    first = store.commit()
    store.add(-7, b"late")  # negative nonces are int32: stored at u32(nonce)
    second = store.commit()
    assert second.count == 6 and second.root != first.root
    assert store.proofs([0], 5, first.root)[0].nonce_value == 10  # the old snapshot still answers
    assert store.proofs([5], 6, second.root)[0].nonce_value == -7
    with pytest.raises(StoreNotFound):
        store.proofs([0], 4, first.root)
    with pytest.raises(StoreNotFound):
        store.proofs([0], 5, second.root)


def _honest(n: int = 12) -> tuple[ArtifactStore, list[ProofItem], bytes, int]:
    store = ArtifactStore(5, "m")
    for nonce in range(n):
        store.add(nonce, F16_ONE)
    c = store.commit()
    return store, store.proofs(list(range(n)), c.count, c.root), c.root, c.count


def test_check_proofs_accepts_honest_and_fails_each_fault_permanently() -> None:
    _, items, root, count = _honest()
    assert sorted(check_proofs(list(range(count)), items, root, count)) == list(range(count))

    def reason(requested: list[int], bad: list[ProofItem], count_: int = count) -> str:
        with pytest.raises(PermanentFailure) as err:
            check_proofs(requested, bad, root, count_)
        return err.value.reason

    assert reason(list(range(count)), items[:-1]) == "coverage"
    assert reason(list(range(count)), [*items[:-1], items[0]]) == "coverage"
    nan = bytes.fromhex("007e") + F16_ONE[2:]
    assert reason(list(range(count)), [replace(items[0], vector_bytes=nan), *items[1:]]) == "vector"
    assert reason(list(range(count)), [replace(items[0], vector_bytes=F16_ONE[:22]), *items[1:]]) == "vector"
    other = bytes.fromhex("0040") + F16_ONE[2:]
    assert reason(list(range(count)), [replace(items[0], vector_bytes=other), *items[1:]]) == "proof"
    tampered = bytearray(items[3].proof[5])
    tampered[0] ^= 1
    broken = replace(items[3], proof=(*items[3].proof[:5], bytes(tampered), *items[3].proof[6:]))
    assert reason(list(range(count)), [*items[:3], broken, *items[4:]]) == "proof"
    # Porosity: honest-looking proofs of a sparse store (max nonce / count >= 100).
    sparse = ArtifactStore(5, "m")
    for nonce in (0, 5000):
        sparse.add(nonce, F16_ONE)
    c = sparse.commit()
    with pytest.raises(PermanentFailure, match="porosity"):
        check_proofs([0, 1], sparse.proofs([0, 1], c.count, c.root), c.root, c.count)


def test_request_payload_layout_and_signatures() -> None:
    root = bytes(range(32))
    request = ProofRequest.signed(
        VALIDATOR,
        stage=77,
        model_id="m/x",
        root_hash=root,
        count=9,
        validator_address="gonka1cold",
        leaf_indices=[1, 4],
        timestamp=NOW,
    )
    expected = (
        struct.pack("<q", 77)
        + struct.pack("<I", 3)
        + b"m/x"
        + root
        + struct.pack("<I", 9)
        + struct.pack("<III", 2, 1, 4)
        + struct.pack("<q", NOW)
        + struct.pack("<I", 10)
        + b"gonka1cold"
        + struct.pack("<I", len(VALIDATOR.address()))
        + VALIDATOR.address().encode()
    )
    assert request_sign_payload(request) == hashlib.sha256(expected).hexdigest().encode()
    assert VALIDATOR.public_key.verify(request_sign_payload(request), request.signature)
    by_nonce = ProofRequest.signed(
        VALIDATOR,
        stage=77,
        model_id="m/x",
        root_hash=root,
        count=9,
        validator_address="gonka1cold",
        nonces=[-1, 4],
        timestamp=NOW,
    )
    domain = struct.pack("<I", 22) + b"poc-proofs-by-nonce-v1"
    assert (
        request_sign_payload(by_nonce)
        == hashlib.sha256(
            domain + expected.replace(struct.pack("<III", 2, 1, 4), struct.pack("<Iii", 2, -1, 4))
        )
        .hexdigest()
        .encode()
    )
    # Integers arrive as numbers or strings.
    body = request.to_json()
    body["count"], body["leaf_indices"] = "9", ["1", 4]
    assert ProofRequest.from_json(body, by_nonce=False) == request


def _server(store: ArtifactStore) -> ProofServer:
    keys = {VALIDATOR.address(): VALIDATOR.public_key}
    return ProofServer(
        {(store.stage, store.model_id): store},
        PARTICIPANT,
        lambda validator, signer: keys.get(signer) if validator == signer else None,
        clock_ns=lambda: NOW,
    )


def test_proof_server_round_trip_and_rejections() -> None:
    store, _, root, count = _honest()
    server = _server(store)

    def request(**overrides: object) -> ProofRequest:
        args = dict(
            stage=5,
            model_id="m",
            root_hash=root,
            count=count,
            validator_address=VALIDATOR.address(),
            leaf_indices=[3, 1],
            timestamp=NOW,
        )
        args.update(overrides)
        return ProofRequest.signed(VALIDATOR, **args)  # type: ignore[arg-type]

    good = request()
    response = ProofResponse.from_json(
        json.loads(json.dumps(server.handle(good.to_json(), by_nonce=False).to_json()))
    )
    assert [p.leaf_index for p in response.proofs] == [3, 1]
    assert response.verify_signature(PARTICIPANT.public_key, good)
    assert not response.verify_signature(VALIDATOR.public_key, good)
    assert check_proofs([3, 1], response.proofs, root, count)
    by_nonce = request(leaf_indices=None, nonces=[2, 11])
    assert [p.nonce_value for p in server.handle(by_nonce.to_json(), by_nonce=True).proofs] == [2, 11]

    def status(body: dict[str, object], by_nonce: bool = False) -> int:
        with pytest.raises(ProofRequestRejected) as err:
            server.handle(body, by_nonce=by_nonce)
        return err.value.status

    tampered = good.to_json()
    tampered["leaf_indices"] = [3, 2]
    assert status(tampered) == 401
    assert status(request(timestamp=NOW - TIMESTAMP_WINDOW_NS - 1).to_json()) == 400
    assert status(request(validator_address="gonka1someoneelse").to_json()) == 401
    assert status(request(model_id="other").to_json()) == 404
    assert status(request(count=count - 1).to_json()) == 400
    assert (
        status(
            request(leaf_indices=list(range(501))).to_json()
            if False
            else {**good.to_json(), "leaf_indices": list(range(501))}
        )
        == 400
    )
    assert status({"garbage": True}) == 400
    assert status(good.to_json(), by_nonce=True) == 400  # a leaf-index body is not a by-nonce body


def test_legacy_dec_and_weights_per_release() -> None:
    assert str(LegacyDec.parse("0.262")) == "0.262000000000000000"
    half = LegacyDec(5 * 10**17)
    assert LegacyDec(1).mul(half).raw == 0 and LegacyDec(3).mul(half).raw == 2  # half to even
    assert poc_weight(1000, "v0.2.9") == 262
    assert poc_weight(1001, "v0.2.9") == 262  # trunc(262.262)
    norm = time_normalization(1000, 1200, 35, 0)  # 35 blocks · 5.41 s = 189.35 s, took 200 s
    assert str(norm) == "0.946750000000000000"
    assert poc_weight(10_000, "v0.2.10", normalization=norm) == int(10_000 * 0.3593 * 0.94675)
    assert poc_weight(10_000, "v0.2.14", normalization=norm) == 9467
    assert time_normalization(0, 10, 35, 0).raw == 10**18  # missing timestamp
    assert str(time_normalization(1, 4, 1, 0)) == "1.803333333333333300"  # 5.41/3, 16 decimals, half up
    assert (
        consensus_weight(
            {"kimi": {"a": 100, "b": 1}, "qwen": {"a": 1000}, "x": {"a": 5}},
            {"kimi": "0.78", "qwen": "0.3593"},
        )
        == 78 + 359
    )
    assert weight_distribution({"b": 3, "a": 1}, 4) == {"a": 1, "b": 3}
    assert weight_distribution({"b": 1, "a": 1, "c": 1}, 5) == {"a": 2, "b": 2, "c": 1}


def test_vote_tally() -> None:
    power = {"v1": 40, "v2": 35, "v3": 25}
    assert tally({"v1": 200, "v2": 200}, power, 100).decided_by == "valid"
    assert tally({"v1": -1, "v2": -1, "v3": 200}, power, 100).decided_by == "invalid"
    split = tally({"v1": 200, "v3": -1}, power, 100)
    assert (split.accepted, split.decided_by) == (False, "no-majority")
    assert tally({"v1": 200, "v3": -1}, power, 100, guardians=frozenset({"v1"})).decided_by == "guardians"
    assert tally({}, power, 100).decided_by == "no-votes"
    assert not passes_vote_threshold(50, 100, 5000) and passes_vote_threshold(51, 100, 5000)
    assert passes_vote_threshold(2**62, 2**62 + 1, 9999)  # exact beyond 64 bits
    assert not tally({"outsider": 200}, power, 100).accepted
