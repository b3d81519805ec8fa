"""The tx procedure (account -> simulate -> fee -> sign -> broadcast -> wait) against a scripted loopback
node.

Signing is replaced by a recorder that encodes what it was asked to sign, so each broadcast body shows which
account number, sequence, gas limit and fee the flow chose; the real signer is exercised in test_client_tx.py.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Iterator

import pytest
from fixtures.node_server import NodeServer, fixture, reply
from gonka.client import GasSettings, InsufficientFee, OutOfGas, SequenceMismatch, Timeout
from gonka.client.flows import prepare_flow, send_flow
from gonka.client.transport import AsyncTransport, Endpoints, RetryPolicy, SyncTransport
from gonka.errors import InvalidInput

ME = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l"
TXHASH = fixture("broadcast_ok")["tx_response"]["txhash"]
ACCOUNT = f"/chain-api/cosmos/auth/v1beta1/accounts/{ME}"
SIMULATE = "/chain-api/cosmos/tx/v1beta1/simulate"
BROADCAST = "/chain-api/cosmos/tx/v1beta1/txs"
GET_TX = f"/chain-api/cosmos/tx/v1beta1/txs/{TXHASH}"
PARAMS = "/chain-api/productscience/inference/inference/params"


def recorder(account_number: int, sequence: int, gas_limit: int, fee: int) -> bytes:
    return json.dumps({"an": account_number, "seq": sequence, "gas": gas_limit, "fee": fee}).encode()


def signed(request_body: dict[str, str]) -> dict[str, int]:
    return json.loads(base64.b64decode(request_body["tx_bytes"]))


@pytest.fixture
def node() -> Iterator[NodeServer]:
    server = NodeServer()
    server.start()
    server.route("GET", ACCOUNT, reply("account"))  # account_number 12345, sequence 7
    server.route("POST", SIMULATE, reply("simulate"))  # gas_used 81340
    server.route("GET", PARAMS, reply("params"))  # min_gas_price_ngonka 2
    server.route("GET", GET_TX, reply("tx_included"))
    yield server
    server.stop()


@pytest.fixture
def transport(node: NodeServer) -> Iterator[SyncTransport]:
    t = SyncTransport(Endpoints.for_node(node.url), timeout=1.0, retry=RetryPolicy(backoff=0.01), http=None)
    yield t
    t.close()


def test_ordered_send_simulates_prices_and_waits(node: NodeServer, transport: SyncTransport) -> None:
    node.route("POST", BROADCAST, reply("broadcast_ok"))
    result = transport.drive(send_flow(ME, recorder, GasSettings(gas_adjustment=1.5), poll_interval=0.02))
    assert result.included and result.height == 1523377
    (sim,) = node.calls("POST", SIMULATE)
    assert signed(sim.body) == {"an": 12345, "seq": 7, "gas": 0, "fee": 0}  # simulation: no gas, no fee
    (bcast,) = node.calls("POST", BROADCAST)
    # gas = ceil(81340 * 1.5) = 122010; fee = gas x min_gas_price_ngonka (2)
    assert signed(bcast.body) == {"an": 12345, "seq": 7, "gas": 122010, "fee": 244020}
    assert bcast.body["mode"] == "BROADCAST_MODE_SYNC"


def test_sequence_mismatch_on_broadcast_refetches_and_retries_once(
    node: NodeServer, transport: SyncTransport
) -> None:
    node.route("POST", BROADCAST, reply("broadcast_sequence_mismatch"), reply("broadcast_ok"))
    result = transport.drive(send_flow(ME, recorder, GasSettings(), poll_interval=0.02))
    assert result.txhash == TXHASH and result.included
    first, second = node.calls("POST", BROADCAST)
    assert signed(first.body)["seq"] == 7
    assert signed(second.body)["seq"] == 8  # "expected 8" from the node's log (mempool-aware)
    assert len(node.calls("GET", ACCOUNT)) == 2  # refetched


def test_sequence_mismatch_twice_is_raised(node: NodeServer, transport: SyncTransport) -> None:
    node.route("POST", BROADCAST, reply("broadcast_sequence_mismatch"))
    with pytest.raises(SequenceMismatch) as e:
        transport.drive(send_flow(ME, recorder, GasSettings(), poll_interval=0.02))
    assert e.value.expected == 8
    assert len(node.calls("POST", BROADCAST)) == 2  # one retry only
    assert not node.calls("GET", GET_TX)


def test_sequence_mismatch_from_simulation(node: NodeServer, transport: SyncTransport) -> None:
    node.route("POST", SIMULATE, reply("simulate_sequence_mismatch", status=500), reply("simulate"))
    node.route("POST", BROADCAST, reply("broadcast_ok"))
    transport.drive(send_flow(ME, recorder, GasSettings(), wait=False))
    (bcast,) = node.calls("POST", BROADCAST)
    assert signed(bcast.body)["seq"] == 9


def test_unordered_uses_sequence_zero_and_never_retries(node: NodeServer, transport: SyncTransport) -> None:
    node.route("POST", BROADCAST, reply("broadcast_sequence_mismatch"))
    with pytest.raises(SequenceMismatch):
        transport.drive(send_flow(ME, recorder, GasSettings(gas=200000, fee=0), unordered=True))
    (bcast,) = node.calls("POST", BROADCAST)
    assert signed(bcast.body) == {"an": 12345, "seq": 0, "gas": 200000, "fee": 0}


def test_insufficient_fee_is_not_retried(node: NodeServer, transport: SyncTransport) -> None:
    node.route("POST", BROADCAST, reply("broadcast_insufficient_fee"))
    with pytest.raises(InsufficientFee) as e:
        transport.drive(send_flow(ME, recorder, GasSettings(gas=61005, fee=100)))
    assert "required: 122010ngonka" in e.value.raw_log
    assert len(node.calls("POST", BROADCAST)) == 1
    assert not node.calls("POST", SIMULATE) and not node.calls("GET", PARAMS)  # fixed gas and fee


def test_out_of_gas_in_block_is_raised_with_the_hash(node: NodeServer, transport: SyncTransport) -> None:
    node.route("POST", BROADCAST, reply("broadcast_ok"))
    node.route("GET", GET_TX, reply("tx_not_found", status=404), reply("tx_out_of_gas"))
    with pytest.raises(OutOfGas) as e:
        transport.drive(send_flow(ME, recorder, GasSettings(gas=60000), poll_interval=0.02))
    assert e.value.txhash == TXHASH and e.value.gas_used == 60112


def test_wait_deadline(node: NodeServer, transport: SyncTransport) -> None:
    node.route("POST", BROADCAST, reply("broadcast_ok"))
    node.route("GET", GET_TX, reply("tx_not_found", status=404))
    with pytest.raises(Timeout) as e:
        transport.drive(send_flow(ME, recorder, GasSettings(gas=1), wait_timeout=0.2, poll_interval=0.05))
    assert e.value.txhash == TXHASH


def test_no_wait_returns_the_checktx_result(node: NodeServer, transport: SyncTransport) -> None:
    node.route("POST", BROADCAST, reply("broadcast_ok"))
    result = transport.drive(send_flow(ME, recorder, GasSettings(gas=1), wait=False))
    assert result.txhash == TXHASH and not result.included
    assert not node.calls("GET", GET_TX)


def test_prepare_only_signs(node: NodeServer, transport: SyncTransport) -> None:
    prepared = transport.drive(prepare_flow(ME, recorder, GasSettings(gas_adjustment=2.0)))
    assert json.loads(prepared.raw) == {"an": 12345, "seq": 7, "gas": 162680, "fee": 325360}
    assert (prepared.sequence, prepared.gas_limit, prepared.fee) == (7, 162680, 325360)
    assert not node.calls("POST", BROADCAST)


def test_gas_settings_validation() -> None:
    with pytest.raises(InvalidInput):
        GasSettings(gas=0)
    with pytest.raises(InvalidInput):
        GasSettings(gas_adjustment=0.5)
    with pytest.raises(InvalidInput):
        GasSettings(fee=-1)


def test_async_driver_runs_the_same_flow(node: NodeServer) -> None:
    node.route("POST", BROADCAST, reply("broadcast_sequence_mismatch"), reply("broadcast_ok"))
    node.route("GET", GET_TX, reply("tx_not_found", status=404), reply("tx_included"))

    async def scenario() -> None:
        t = AsyncTransport(
            Endpoints.for_node(node.url), timeout=1.0, retry=RetryPolicy(backoff=0.01), http=None
        )
        try:
            result = await t.drive(send_flow(ME, recorder, GasSettings(), poll_interval=0.02))
        finally:
            await t.close()
        assert result.height == 1523377

    asyncio.run(scenario())
    assert [signed(r.body)["seq"] for r in node.calls("POST", BROADCAST)] == [7, 8]


def test_broadcast_timeout_reports_the_tx_hash(node: NodeServer) -> None:
    node.route("POST", BROADCAST, reply("broadcast_ok", delay=0.6))
    t = SyncTransport(Endpoints.for_node(node.url), timeout=0.15, retry=RetryPolicy(backoff=0.01), http=None)
    try:
        with pytest.raises(Timeout) as e:
            t.drive(send_flow(ME, recorder, GasSettings(gas=1, fee=0)))
    finally:
        t.close()
    raw = recorder(12345, 7, 1, 0)
    assert e.value.txhash == hashlib.sha256(raw).hexdigest().upper()
    assert len(node.calls("POST", BROADCAST)) == 1  # never re-sent
