"""gonka.client against a scripted node on loopback serving recorded response shapes (tests/fixtures/node)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from fixtures.node_server import NodeServer, drop, fixture, json_reply, reply
from gonka.client import (
    AdminClient,
    AsyncAdminClient,
    AsyncClient,
    BadResponse,
    ChainError,
    Client,
    InsufficientFee,
    NodeUnreachable,
    NotFound,
    OutOfGas,
    RequestRejected,
    SequenceMismatch,
    Timeout,
    queries,
)
from gonka.client import admin as admin_calls
from gonka.client.transport import decode
from gonka.errors import GonkaError, InvalidInput
from hypothesis import given, settings
from hypothesis import strategies as st

A = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
ME = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l"
VALCONS = "gonkavalcons1zw0vk557mv9umazutq75mshae90kdv0g0q0s9t"
TXHASH = fixture("broadcast_ok")["tx_response"]["txhash"]
INF = "/chain-api/productscience/inference/inference"
RAW_TX = b"\x0a\x02\x0a\x00"


@pytest.fixture
def client(node: NodeServer) -> Iterator[Client]:
    with Client(node.url, timeout=1.0, retries=2, backoff=0.01) as c:
        yield c


# --- queries ---


def test_participant(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/participant/{A}", reply("participant"))
    p = client.participant(A)
    assert (p.address, p.weight, p.status, p.epochs_completed) == (A, 1284, "ACTIVE", 173)
    assert p.join_time == 1755852120000 and p.inference_url == "http://node1.gonka.ai:8000"
    assert p.current_epoch_stats is not None and p.current_epoch_stats.missed_requests == 3


def test_participant_not_found(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/participant/{ME}", reply("participant_not_found", status=404))
    with pytest.raises(NotFound) as e:
        client.participant(ME)
    assert e.value.code == 5 and "not found" in e.value.raw_log
    assert isinstance(e.value, ChainError) and isinstance(e.value, GonkaError)


def test_current_epoch_participants_from_dapi(node: NodeServer, client: Client) -> None:
    node.route("GET", "/v1/epochs/current/participants", reply("epoch_participants_current"))
    ep = client.epoch_participants()
    assert ep.epoch_id == 174 and ep.created_at_block_height == 1520860
    assert [p.index for p in ep.participants] == [A, ME]
    assert ep.total_weight == 1284 + 716
    assert ep.participants[0].ml_nodes[0].ml_nodes[0].poc_weight == 1284
    assert ep.excluded_participants[0].reason == "missed seed"
    assert ep.proof_ops is not None and len(ep.proof_ops["ops"]) == 2


def test_epoch_by_number_and_bad_epoch(node: NodeServer, client: Client) -> None:
    node.route("GET", "/v1/epochs/173/participants", reply("epoch_participants_current"))
    assert client.epoch_participants(173).epoch_id == 174  # served fixture; the path is what matters
    assert node.calls("GET", "/v1/epochs/173/participants")
    with pytest.raises(InvalidInput):
        client.epoch_participants(-1)


def test_epoch_performance_summary(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/epoch_performance_summary/173/{A}", reply("epoch_performance"))
    s = client.epoch_performance(173, A)
    assert (s.epoch_index, s.inference_count, s.rewarded_coins, s.claimed) == (
        173,
        5120,
        1203377000000,
        False,
    )
    assert s.unclaimed_rewards


def test_current_epoch(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/get_current_epoch", reply("current_epoch"))
    assert client.current_epoch() == 174


def test_inference_params_with_poc_and_fees(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/params", reply("params"))
    params = client.inference_params()
    assert params.r_target == pytest.approx(1.398077)
    assert params.min_gas_price_ngonka == 2
    assert params.poc_params is not None and params.poc_params.poc_v2_enabled
    model = params.poc_params.model_params
    assert model is not None and model.dim == 1792 and model.vocab_size == 8196
    assert model.norm_eps is not None and model.norm_eps.to_decimal() == Decimal("0.00001")
    # sections the model does not type are kept as they came
    assert params.model_extra is not None or params.epoch_params is not None
    assert params.epoch_params is not None and params.epoch_params["epoch_length"] == "15391"


def test_inference_params_launch_shape_has_no_r_target(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/params", reply("params_launch"))
    params = client.inference_params()
    assert params.r_target is None and params.min_gas_price_ngonka == 0
    assert "dynamic_pricing_params" in (params.model_extra or {})


def test_proposal_and_tally(node: NodeServer, client: Client) -> None:
    node.route("GET", "/chain-api/cosmos/gov/v1/proposals/12", reply("proposal"))
    node.route("GET", "/chain-api/cosmos/gov/v1/proposals/12/tally", reply("tally"))
    node.route("GET", "/chain-api/cosmos/gov/v1/proposals/999", reply("proposal_not_found", status=404))
    p = client.proposal(12)
    assert p.id == 12 and p.status == "PROPOSAL_STATUS_VOTING_PERIOD" and p.title == "Upgrade v0.2.6"
    assert p.voting_end_time is not None and p.voting_end_time.year == 2026
    assert p.total_deposit[0].amount == 500_000_000_000
    t = client.tally(12)
    assert (t.yes_count, t.no_count, t.abstain_count, t.no_with_veto_count) == (918273, 150000, 1200, 0)
    assert t.total == 918273 + 150000 + 1200
    assert t.yes_ratio == pytest.approx(918273 / (918273 + 150000))
    with pytest.raises(NotFound):
        client.proposal(999)


def test_signing_info_and_slashing_window(node: NodeServer, client: Client) -> None:
    node.route("GET", f"/chain-api/cosmos/slashing/v1beta1/signing_infos/{VALCONS}", reply("signing_info"))
    node.route("GET", "/chain-api/cosmos/slashing/v1beta1/params", reply("slashing_params"))
    info = client.signing_info(VALCONS)
    assert info.missed_blocks_counter == 37 and not info.tombstoned
    params = client.slashing_params()
    assert params.signed_blocks_window == 100 and params.min_signed_per_window == Decimal("0.5")


def test_node_status_and_seed_list(node: NodeServer, client: Client) -> None:
    node.route("GET", "/chain-rpc/status", reply("status"))
    node.route("GET", "/chain-rpc/net_info", reply("net_info"))
    status = client.node_status()
    assert status.network == "gonka-mainnet" and status.latest_block_height == 1523377
    assert status.node_id == "645fbce2dedcc7166f4df7931d2c87ca5188b569" and not status.catching_up
    assert client.chain_id() == "gonka-mainnet"
    info = client.net_info()
    assert info.n_peers == 4 and len(info.peers) == 4
    # advertised address kept; 0.0.0.0 replaced by the peer's remote IP; duplicates removed, order kept
    assert info.seed_list() == [
        "0772f16cc65cb4d19341b192bd7eba964f11d124@node1.gonka.ai:5000",
        "78f3279bd30fe6f1b84a9c40c3b97bd74e575981@185.216.21.98:5000",
        "6140f7090137d93c272ff5ccd863484d1592949d@node3.gonka.ai:5000",
    ]


def test_accounts_and_balances(node: NodeServer, client: Client) -> None:
    node.route("GET", f"/chain-api/cosmos/auth/v1beta1/accounts/{ME}", reply("account"))
    node.route("GET", f"/chain-api/cosmos/auth/v1beta1/accounts/{A}", reply("account_vesting"))
    node.route("GET", f"/chain-api/cosmos/bank/v1beta1/balances/{ME}", reply("balances"))
    acct = client.account(ME)
    assert (acct.account_number, acct.sequence) == (12345, 7)
    vesting = client.account(A)  # a vesting account nests its BaseAccount
    assert (vesting.address, vesting.account_number, vesting.sequence) == (A, 3, 0)
    assert [(c.denom, c.amount) for c in client.balances(ME)] == [("ngonka", 1_500_000_000_000)]


def test_unknown_account_says_it_needs_funds(node: NodeServer, client: Client) -> None:
    node.route("GET", f"/chain-api/cosmos/auth/v1beta1/accounts/{ME}", reply("account_not_found", status=404))
    with pytest.raises(NotFound, match="must receive funds"):
        client.account(ME)


# --- transport errors and garbage ---


def test_5xx_without_chain_error_is_bad_response(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/get_current_epoch", reply(status=502, raw=b"<html>502 Bad Gateway</html>"))
    with pytest.raises(BadResponse) as e:
        client.current_epoch()
    assert e.value.status == 502 and "Bad Gateway" in str(e.value)
    assert len(node.calls("GET", f"{INF}/get_current_epoch")) == 1  # HTTP errors are not retried


def test_garbage_json_is_bad_response(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/get_current_epoch", reply(raw=b'{"epoch": "17'))
    with pytest.raises(BadResponse, match="non-JSON"):
        client.current_epoch()


def test_unexpected_shape_is_bad_response(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/participant/{A}", json_reply({"participant": {"weight": "heavy"}}))
    node.route("GET", "/chain-rpc/status", json_reply({"jsonrpc": "2.0", "id": -1}))
    with pytest.raises(BadResponse, match="unexpected answer shape"):
        client.participant(A)
    with pytest.raises(BadResponse, match="JSON-RPC"):
        client.node_status()


def test_timeout_is_retried_then_raised(node: NodeServer) -> None:
    node.route("GET", f"{INF}/get_current_epoch", reply("current_epoch", delay=0.6))
    with Client(node.url, timeout=0.15, retries=2, backoff=0.01) as c, pytest.raises(Timeout):
        c.current_epoch()
    assert len(node.calls("GET", f"{INF}/get_current_epoch")) == 2  # bounded: exactly `retries` attempts


def test_dropped_connection_is_retried(node: NodeServer, client: Client) -> None:
    node.route("GET", f"{INF}/get_current_epoch", drop(), reply("current_epoch"))
    assert client.current_epoch() == 174
    assert len(node.calls("GET", f"{INF}/get_current_epoch")) == 2


def test_unreachable_node() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before use: nothing listens there
    with Client(f"http://127.0.0.1:{port}", timeout=0.5, retries=2, backoff=0.01) as c:
        with pytest.raises(NodeUnreachable):
            c.current_epoch()


def test_bad_node_url() -> None:
    with pytest.raises(InvalidInput, match="http"):
        Client("node2.gonka.ai:8000")


def test_node_url_from_environment(monkeypatch: pytest.MonkeyPatch, node: NodeServer) -> None:
    node.route("GET", f"{INF}/get_current_epoch", reply("current_epoch"))
    monkeypatch.setenv("GONKA_NODE_URL", node.url)
    with Client() as c:
        assert c.current_epoch() == 174


# --- tx endpoints ---


def test_broadcast_ok_sends_sync_mode(node: NodeServer, client: Client) -> None:
    node.route("POST", "/chain-api/cosmos/tx/v1beta1/txs", reply("broadcast_ok"))
    result = client.broadcast(RAW_TX)
    assert result.txhash == TXHASH and result.code == 0 and not result.included
    (req,) = node.calls("POST", "/chain-api/cosmos/tx/v1beta1/txs")
    assert req.body == {"tx_bytes": "CgIKAA==", "mode": "BROADCAST_MODE_SYNC"}


@pytest.mark.parametrize(
    ("fixture_name", "error", "attrs"),
    [
        ("broadcast_sequence_mismatch", SequenceMismatch, {"expected": 8, "got": 7, "code": 32}),
        ("broadcast_insufficient_fee", InsufficientFee, {"code": 13, "codespace": "sdk"}),
        ("broadcast_out_of_gas", OutOfGas, {"gas_wanted": 50000, "gas_used": 51231, "code": 11}),
    ],
)
def test_broadcast_rejections_are_typed(
    node: NodeServer, client: Client, fixture_name: str, error: type, attrs: dict[str, object]
) -> None:
    node.route("POST", "/chain-api/cosmos/tx/v1beta1/txs", reply(fixture_name))
    with pytest.raises(error) as e:
        client.broadcast(RAW_TX)
    for name, value in attrs.items():
        assert getattr(e.value, name) == value
    assert e.value.txhash == TXHASH and e.value.raw_log == fixture(fixture_name)["tx_response"]["raw_log"]


def test_broadcast_is_not_resent_after_a_read_timeout(node: NodeServer) -> None:
    node.route("POST", "/chain-api/cosmos/tx/v1beta1/txs", reply("broadcast_ok", delay=0.6))
    with Client(node.url, timeout=0.15, retries=3, backoff=0.01) as c, pytest.raises(Timeout):
        c.broadcast(RAW_TX)
    assert len(node.calls("POST", "/chain-api/cosmos/tx/v1beta1/txs")) == 1


def test_simulate_and_its_sequence_mismatch(node: NodeServer, client: Client) -> None:
    node.route(
        "POST",
        "/chain-api/cosmos/tx/v1beta1/simulate",
        reply("simulate"),
        reply("simulate_sequence_mismatch", status=500),
    )
    assert client.simulate(RAW_TX).gas_used == 81340
    with pytest.raises(SequenceMismatch) as e:
        client.simulate(RAW_TX)
    assert (e.value.expected, e.value.got) == (9, 7)


def test_get_tx_failed_in_block_is_typed(node: NodeServer, client: Client) -> None:
    node.route("GET", f"/chain-api/cosmos/tx/v1beta1/txs/{TXHASH}", reply("tx_out_of_gas"))
    with pytest.raises(OutOfGas) as e:
        client.get_tx(TXHASH.lower())
    assert (e.value.gas_wanted, e.value.gas_used) == (60000, 60112)


def test_wait_for_tx_polls_until_included(node: NodeServer, client: Client) -> None:
    path = f"/chain-api/cosmos/tx/v1beta1/txs/{TXHASH}"
    node.route(
        "GET",
        path,
        reply("tx_not_found", status=404),
        reply("tx_not_found", status=404),
        reply("tx_included"),
    )
    result = client.wait_for_tx(TXHASH, timeout=5, poll_interval=0.02)
    assert result.included and result.height == 1523377 and result.gas_used == 81340
    assert len(node.calls("GET", path)) == 3


def test_wait_for_tx_deadline(node: NodeServer, client: Client) -> None:
    path = f"/chain-api/cosmos/tx/v1beta1/txs/{TXHASH}"
    node.route("GET", path, reply("tx_not_found", status=404))
    with pytest.raises(Timeout) as e:
        client.wait_for_tx(TXHASH, timeout=0.2, poll_interval=0.05)
    assert e.value.txhash == TXHASH
    assert 2 <= len(node.calls("GET", path)) <= 10  # bounded polling


# --- async client ---


def test_async_client_queries_and_errors(node: NodeServer) -> None:
    node.route("GET", f"{INF}/participant/{A}", reply("participant"))
    node.route("GET", "/chain-api/cosmos/gov/v1/proposals/12/tally", reply("tally"))
    node.route("GET", f"{INF}/get_current_epoch", reply(raw=b"not json"))
    node.route("POST", "/chain-api/cosmos/tx/v1beta1/txs", reply("broadcast_insufficient_fee"))
    node.route("GET", "/chain-rpc/net_info", reply("net_info"))
    tx_path = f"/chain-api/cosmos/tx/v1beta1/txs/{TXHASH}"
    node.route("GET", tx_path, reply("tx_not_found", status=404), reply("tx_included"))

    async def scenario() -> None:
        async with AsyncClient(node.url, timeout=1.0, retries=2, backoff=0.01) as c:
            participant, tally = await asyncio.gather(c.participant(A), c.tally(12))
            assert participant.weight == 1284 and tally.yes_count == 918273
            with pytest.raises(BadResponse):
                await c.current_epoch()
            with pytest.raises(InsufficientFee):
                await c.broadcast(RAW_TX)
            assert len((await c.net_info()).seed_list()) == 3
            included = await c.wait_for_tx(TXHASH, timeout=5, poll_interval=0.02)
            assert included.height == 1523377

    asyncio.run(scenario())


def test_async_timeout(node: NodeServer) -> None:
    node.route("GET", f"{INF}/get_current_epoch", reply("current_epoch", delay=0.6))

    async def scenario() -> None:
        async with AsyncClient(node.url, timeout=0.15, retries=2, backoff=0.01) as c:
            with pytest.raises(Timeout):
                await c.current_epoch()

    asyncio.run(scenario())
    assert len(node.calls("GET", f"{INF}/get_current_epoch")) == 2


# --- admin API ---


def test_admin_client(node: NodeServer) -> None:
    node.route("GET", "/admin/v1/nodes", reply("admin_nodes"))
    node.route("POST", "/admin/v1/nodes/node2/enable", reply("admin_enable"))
    node.route("POST", "/admin/v1/nodes/node1/disable", reply("admin_disable"))
    node.route("POST", "/admin/v1/nodes/node9/disable", reply("admin_unknown_node", status=404))
    node.route("POST", "/admin/v1/claim-reward/recover", reply("admin_claim_recover"))
    with AdminClient(node.url, timeout=1.0) as admin:
        nodes = admin.nodes()
        assert [n.node.id for n in nodes] == ["node1", "node2"]
        assert [n.state.enabled for n in nodes] == [True, False]
        assert nodes[0].node.models and nodes[0].state.current_status == "INFERENCE"
        assert admin.enable_node("node2").node_id == "node2"
        assert admin.disable_node("node1").message == "node disabled successfully"
        with pytest.raises(RequestRejected, match="node not found") as e:
            admin.disable_node("node9")
        assert e.value.status == 404
        result = admin.claim_recover(epoch_index=173, force_claim=True)
        assert result.claim_executed and result.missed_validations == 2 and result.seed == 7952041935070796118
    (req,) = node.calls("POST", "/admin/v1/claim-reward/recover")
    assert req.body == {"force_claim": True, "epoch_index": 173}


def test_async_admin_client(node: NodeServer) -> None:
    node.route("GET", "/admin/v1/nodes", reply("admin_nodes"))
    node.route("POST", "/admin/v1/claim-reward/recover", reply("admin_claim_recover"))

    async def scenario() -> None:
        async with AsyncAdminClient(node.url, timeout=1.0) as admin:
            assert len(await admin.nodes()) == 2
            assert (await admin.claim_recover()).success

    asyncio.run(scenario())
    (req,) = node.calls("POST", "/admin/v1/claim-reward/recover")
    assert req.body == {"force_claim": False, "epoch_index": 0}


# --- robustness: any answer maps to a result or a GonkaError ---


@settings(max_examples=150, deadline=None)
@given(
    status=st.sampled_from([200, 201, 400, 404, 429, 500, 502, 503]),
    body=st.one_of(
        st.binary(max_size=120),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=9), inner, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
    ),
    api=st.sampled_from(["rest", "rpc", "dapi", "admin"]),
)
def test_decoder_never_leaks_foreign_exceptions(status: int, body: bytes, api: str) -> None:
    calls = [
        queries.participant(A),
        queries.broadcast(RAW_TX),
        queries.node_status(),
        queries.net_info(),
        queries.epoch_participants(),
        admin_calls.list_nodes(),
    ]
    for call in calls:
        call = dataclasses.replace(call, api=api)
        try:
            decode(call, httpx.Response(status, content=body))
        except GonkaError:
            pass
