"""Client.send / prepare with real signing (gonka.keys + gonka.tx) against a scripted loopback node; every
broadcast TxRaw is decoded and its signature verified for the node's chain id and account number."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator

import pytest
from fixtures.node_server import NodeServer, fixture, reply
from gonka.address import encode
from gonka.client import AsyncClient, Client, GasSettings, SequenceMismatch
from gonka.errors import InvalidAddress, InvalidInput
from gonka.keys import PrivateKey
from gonka.tx import Coin, MsgSend, MsgVote, decode_tx

KEY = PrivateKey.from_hex("150b11d8da849e844a79beef5ead6177bd589dc393d6b26d9d07fba72d3009c4")
ME = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l"
A = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
VALOPER = "gonkavaloper1y2a9p56kv044327uycmqdexl7zs82fs5lyang5"
VALCONS = "gonkavalcons1zw0vk557mv9umazutq75mshae90kdv0g0q0s9t"
TXHASH = fixture("broadcast_ok")["tx_response"]["txhash"]
BROADCAST = "/chain-api/cosmos/tx/v1beta1/txs"


@pytest.fixture
def node() -> Iterator[NodeServer]:
    server = NodeServer()
    server.start()
    server.route("GET", f"/chain-api/cosmos/auth/v1beta1/accounts/{ME}", reply("account"))
    server.route("POST", "/chain-api/cosmos/tx/v1beta1/simulate", reply("simulate"))
    server.route("GET", "/chain-api/productscience/inference/inference/params", reply("params"))
    server.route("GET", "/chain-rpc/status", reply("status"))
    server.route("POST", BROADCAST, reply("broadcast_ok"))
    server.route("GET", f"/chain-api/cosmos/tx/v1beta1/txs/{TXHASH}", reply("tx_included"))
    yield server
    server.stop()


def broadcasts(node: NodeServer) -> list[bytes]:
    return [base64.b64decode(r.body["tx_bytes"]) for r in node.calls("POST", BROADCAST)]


def vote() -> list[MsgVote]:
    return [MsgVote(proposal_id=12, voter=ME, option="yes")]


def test_key_matches_the_spec_address() -> None:
    assert KEY.public_key.address() == ME


def test_send_resigns_after_a_sequence_mismatch(node: NodeServer) -> None:
    node.route("POST", BROADCAST, reply("broadcast_sequence_mismatch"), reply("broadcast_ok"))
    with Client(node.url, timeout=2.0) as client:
        result = client.send(vote(), KEY, memo="gonka", poll_interval=0.02)
    assert result.included and result.txhash == TXHASH
    first, second = (decode_tx(raw) for raw in broadcasts(node))
    for tx in (first, second):
        tx.verify("gonka-mainnet", 12345)  # chain id from the node's /status, account number from the chain
        assert tx.memo == "gonka" and tx.gas_limit == 122010 and tx.fee == (Coin("ngonka", 244020),)
    assert [first.signers[0].sequence, second.signers[0].sequence] == [7, 8]


def test_send_gives_up_after_one_retry(node: NodeServer) -> None:
    node.route("POST", BROADCAST, reply("broadcast_sequence_mismatch"))
    with Client(node.url, timeout=2.0) as client, pytest.raises(SequenceMismatch):
        client.send(vote(), KEY)
    assert len(broadcasts(node)) == 2


def test_unordered_send_with_fee_granter(node: NodeServer) -> None:
    msg = MsgSend(from_address=ME, to_address=A, amount=[Coin("ngonka", 1000)])
    with Client(node.url, timeout=2.0, chain_id="gonka-mainnet") as client:
        client.send(
            [msg],
            KEY,
            gas=GasSettings(gas=200000, fee=0),
            unordered=True,
            timeout_duration=30,
            fee_granter=A,
            wait=False,
        )
    (raw,) = broadcasts(node)
    tx = decode_tx(raw)
    tx.verify("gonka-mainnet", 12345)
    assert tx.unordered and tx.signers[0].sequence == 0 and tx.granter == A and tx.fee == ()
    assert tx.timeout_timestamp is not None
    ahead = tx.timeout_timestamp.unix_nanos / 1e9 - time.time()
    assert 20 < ahead <= 30
    assert not node.calls("GET", "/chain-rpc/status")  # chain id given


def test_prepare_signs_without_sending(node: NodeServer) -> None:
    with Client(node.url, timeout=2.0) as client:
        prepared = client.prepare(vote(), KEY, gas=GasSettings(gas_adjustment=1.2))
    tx = decode_tx(prepared.raw)
    tx.verify("gonka-mainnet", 12345)
    assert tx.gas_limit == prepared.gas_limit == 97608  # ceil(81340 x 1.2)
    assert prepared.fee == 2 * 97608 and prepared.sequence == 7
    assert not node.calls("POST", BROADCAST)


def test_spec_validation(node: NodeServer) -> None:
    with Client(node.url, timeout=2.0, chain_id="gonka-mainnet") as client:
        with pytest.raises(InvalidInput, match="at least one message"):
            client.send([], KEY)
        with pytest.raises(InvalidInput, match="timeout duration"):
            client.send(vote(), KEY, unordered=True, timeout_duration=601)
    assert not node.requests


def test_async_send_and_validator_signing(node: NodeServer) -> None:
    node.route("POST", BROADCAST, reply("broadcast_sequence_mismatch"), reply("broadcast_ok"))
    node.route("GET", f"/chain-api/cosmos/staking/v1beta1/validators/{VALOPER}", reply("validator"))
    node.route("GET", f"/chain-api/cosmos/slashing/v1beta1/signing_infos/{VALCONS}", reply("signing_info"))
    node.route("GET", "/chain-api/cosmos/slashing/v1beta1/params", reply("slashing_params"))

    async def scenario() -> None:
        async with AsyncClient(node.url, timeout=2.0) as client:
            result = await client.send(vote(), KEY, poll_interval=0.02)
            assert result.height == 1523377
            signing = await client.validator_signing(A)
            assert signing.jailed and signing.consensus_address == VALCONS and signing.max_missed == 50

    asyncio.run(scenario())
    assert [decode_tx(raw).signers[0].sequence for raw in broadcasts(node)] == [7, 8]


def test_validator_signing_by_consensus_address(node: NodeServer) -> None:
    node.route("GET", f"/chain-api/cosmos/slashing/v1beta1/signing_infos/{VALCONS}", reply("signing_info"))
    node.route("GET", "/chain-api/cosmos/slashing/v1beta1/params", reply("slashing_params"))
    with Client(node.url, timeout=2.0) as client:
        signing = client.validator_signing(VALCONS)
        assert signing.operator_address is None and signing.missed_blocks == 37
        # jailed_until (2026-02-10) decides when the operator is unknown
        assert signing.jailed == (
            signing.jailed_until is not None and signing.jailed_until.timestamp() > time.time()
        )
        with pytest.raises(InvalidInput, match="gonkavalcons1"):
            client.validator_signing(encode("gonkapub", bytes(20)))
        with pytest.raises(InvalidAddress):
            client.validator_signing("gonka1notanaddress")
