"""Public vectors through gonka.proofs (provenance in tests/vectors/README.md): cosmos/ics23, RFC 6962
and header hashes from CometBFT and tendermint-rs, tendermint-rs light-client steps and RPC answers, the
host-docs ICS23 pair, two gonka-mainnet precommits and the mainnet genesis. A missing file fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.chain import header_hash as builder_header_hash
from gonka.errors import EpochMismatch, InvalidCommit, MalformedProof, MembershipError, TrustError
from gonka.proofs import (
    Precommit,
    TrustedState,
    TrustOptions,
    header_hash,
    merkle_root,
    parse_proof_ops,
    prove_participants,
    validator_set_hash,
    verify_header,
    verify_membership,
    verify_non_membership,
    verify_store_value,
    verify_tx,
)

VECTORS = Path(__file__).resolve().parent / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


@pytest.mark.parametrize("spec", ["iavl", "tendermint"])
@pytest.mark.parametrize("side", ["left", "middle", "right"])
def test_ics23_vectors(spec: str, side: str) -> None:
    exist = load(f"ics23/{spec}/exist_{side}.json")
    key, value, root, proof = (bytes.fromhex(exist[k]) for k in ("key", "value", "root", "proof"))
    verify_membership(spec, proof, root, key, value)  # type: ignore[arg-type]
    layer = "iavl" if spec == "iavl" else "multistore"
    with pytest.raises(MembershipError) as e:
        verify_membership(spec, proof, root, key, value + b"!")  # type: ignore[arg-type]
    assert e.value.step == f"{layer}.value"
    absent = load(f"ics23/{spec}/nonexist_{side}.json")
    key, root, proof = (bytes.fromhex(absent[k]) for k in ("key", "root", "proof"))
    verify_non_membership(spec, proof, root, key)  # type: ignore[arg-type]
    with pytest.raises(MembershipError) as e:
        verify_non_membership(spec, proof, bytes(32), key)  # type: ignore[arg-type]
    assert e.value.step == f"{layer}.root"


def test_host_docs_pair() -> None:
    data = load("gonka/docs_participants.json")
    proven = prove_participants(1, data["response"])
    assert proven.key_layout == "legacy"
    assert proven.store_root.hex().upper() == data["expected_store_root"]
    assert proven.app_hash.hex().upper() == data["expected_app_hash"]
    assert proven.leaf_version == 15 and proven.set.created_at_block_height == 15
    assert proven.participants[0].address.startswith("cosmos1")
    with pytest.raises(EpochMismatch):
        prove_participants(2, data["response"])


def test_proof_ops_from_both_json_shapes() -> None:
    """The API node's ``proof_ops`` and CometBFT's ``abci_query`` ``proofOps`` (JSON-RPC envelope)."""
    data = load("gonka/docs_participants.json")
    dapi = data["response"]
    ops = dapi["proof_ops"]["ops"]
    rpc = {
        "jsonrpc": "2.0",
        "id": -1,
        "result": {"response": {"code": 0, "key": ops[0]["key"], "proofOps": {"ops": ops}, "height": "15"}},
    }
    for shape in (dapi, rpc, dapi["proof_ops"]):
        parsed = parse_proof_ops(shape)
        assert [op.type for op in parsed] == ["ics23:iavl", "ics23:simple"]
        assert parsed[1].key == b"inference"
        value = bytes.fromhex(dapi["active_participants_bytes"])
        proven = verify_store_value(shape, b"inference", parsed[0].key, value)
        assert proven.app_hash.hex().upper() == data["expected_app_hash"]
    with pytest.raises(MalformedProof):
        parse_proof_ops({"result": {"response": {"proofOps": None}}})


def test_mainnet_precommits() -> None:
    data = load("gonka/mainnet_precommits.json")
    for sig in data["signatures"]:
        key = base64.b64decode(sig["pub_key"])
        assert hashlib.sha256(key).digest()[:20].hex().upper() == sig["validator_address"]
        vote = Precommit(
            chain_id=data["chain_id"],
            height=data["height"],
            round=data["round"],
            block_hash=bytes.fromhex(data["block_id"]["hash"]),
            part_set_total=data["block_id"]["part_set_header"]["total"],
            part_set_hash=bytes.fromhex(data["block_id"]["part_set_header"]["hash"]),
            timestamp=sig["timestamp"],
        )
        signature = base64.b64decode(sig["signature"])
        vote.verify(key, signature)
        with pytest.raises(InvalidCommit):
            vote.verify(key, signature[:-1] + bytes([signature[-1] ^ 1]))
        with pytest.raises(InvalidCommit):
            Precommit(**{**vote.__dict__, "chain_id": "gonka-testnet-7"}).verify(key, signature)


def test_rfc6962_and_header_hash_vectors() -> None:
    rfc = load("cometbft/rfc6962.json")
    for case in rfc["roots"]:
        assert merkle_root([bytes.fromhex(i) for i in case["items_hex"]]).hex() == case["root"], case["name"]
    for case in load("cometbft/header_hash.json")["cases"]:
        assert header_hash(case["header"]).hex().upper() == case["hash"]
    # The test chain builder hashes headers the same way (checked on CometBFT's vector).
    cometbft_case = load("cometbft/header_hash.json")["cases"][0]
    assert builder_header_hash(cometbft_case["header"]).hex().upper() == cometbft_case["hash"]


def test_mainnet_genesis_anchor_is_its_gentx_set() -> None:
    data = load("gonka/genesis_gen_txs.json")
    validators = [
        {
            "address": hashlib.sha256(base64.b64decode(m["pubkey"]["key"])).digest()[:20].hex().upper(),
            "pub_key": {"type": "tendermint/PubKeyEd25519", "value": m["pubkey"]["key"]},
            "voting_power": m["value"]["amount"],
        }
        for m in (tx["body"]["messages"][0] for tx in data["gen_txs"])
    ]
    state = TrustedState.mainnet_genesis()
    assert len(validators) == 11
    assert state.next_validators_hash == validator_set_hash({"validators": validators})
    assert state.chain_id == data["chain_id"]


def test_tendermint_rs_light_client_steps() -> None:
    data = load("tendermint-rs/light-client/MC10_3_faulty_TestSuccess.json")
    initial = data["initial"]
    h = int(initial["signed_header"]["header"]["height"])
    state = TrustedState.from_checkpoint(
        h,
        header_hash(initial["signed_header"]["header"]),
        initial["signed_header"],
        initial["next_validator_set"],
    )
    options = TrustOptions(trusting_period=int(initial["trusting_period"]) / 1e9)
    verdicts = []
    for step in data["input"]:
        block = step["block"]
        now = step["now"].replace("Z", "+00:00")
        from datetime import datetime

        try:
            header = verify_header(
                state,
                block["signed_header"],
                block["validator_set"],
                now=datetime.fromisoformat(now),
                options=options,
            )
        except TrustError as e:
            verdicts.append(e.step)
            continue
        state = state.advance(header, block["next_validator_set"])
        verdicts.append("ok")
    assert verdicts == ["trust.level", "ok", "ok"]
    assert [s["verdict"] for s in data["input"]] == ["NOT_ENOUGH_TRUST", "SUCCESS", "SUCCESS"]


def test_tx_proofs_from_a_real_node() -> None:
    answer = load("tendermint-rs/rpc/tx_search_with_prove.json")
    for entry in answer["result"]["txs"]:
        proven = verify_tx(entry, tx_hash=entry["hash"])
        assert proven.height == int(entry["height"])
        assert proven.data_hash.hex().upper() == entry["proof"]["root_hash"]
