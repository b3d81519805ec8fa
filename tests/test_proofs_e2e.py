"""End to end over HTTP: a loopback server plays the API node and the chain RPC of a chain built as a real
one is (ed25519 validators signing headers and commits; an app hash over a multistore over an IAVL
proof). The client and the CLI accept the honest server and reject each forgery with the right error.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fixtures.chain import Chain, Participant, make_validators, participants_state
from fixtures.node_server import NodeServer, Reply, Request, json_reply
from gonka.cli import app
from gonka.client import AsyncClient, Client
from gonka.errors import (
    AppHashMismatch,
    EpochMismatch,
    InsufficientVotingPower,
    MembershipError,
    TrustError,
    ValidatorSetMismatch,
)
from gonka.proofs import Checkpoint, TrustedState
from typer.testing import CliRunner

NOW = datetime.now(timezone.utc)
H = 40  # the participant sets are in the state after block H; header H+1 commits to it

SETS = {
    6: [Participant("gonka1old", "b2xk", 3, "http://old:8000", ("m",))],
    7: [
        Participant("gonka1alice", "YWxpY2U=", 30, "http://alice:8000/", ("qwen", "llama")),
        Participant("gonka1bob", "Ym9i", 12, "http://bob:8000", ("qwen",)),
        Participant("gonka1carol", "Y2Fyb2w=", 5, "", ("qwen",)),
    ],
}


class Network:
    """The honest chain and answers, and what the server serves (tests swap parts for forgeries)."""

    def __init__(self, **grow: Any) -> None:
        self.states = {e: participants_state(SETS, created_at=H, epoch=e) for e in SETS}
        self.chain = Chain("gonka-mainnet", NOW - timedelta(hours=2), make_validators(4, seed=21))
        # The whole validator set is replaced at 30: skipping from genesis to 41 needs a midpoint.
        self.chain.changes[30] = make_validators(5, seed=22, power=3)
        self.chain.app_hashes[H + 1] = self.states[7].app_hash
        self.chain.grow(H + 5, **grow)
        self.participants: dict[int, dict[str, Any]] = {e: s.answer for e, s in self.states.items()}
        self.validators: Callable[[int, int, int], dict[str, Any]] = self.chain.validators_answer
        self.commits: Callable[[int], dict[str, Any]] = self.chain.commit_answer

    def anchor(self) -> TrustedState:
        c = self.chain
        return TrustedState.genesis(
            c.chain_id, c.genesis_time.isoformat(), [(v.public, v.power) for v in c.genesis_validators]
        )

    def serve(self, node: NodeServer) -> None:
        def rpc(result: dict[str, Any]) -> Reply:
            return json_reply({"jsonrpc": "2.0", "id": -1, "result": result})

        def height(request: Request) -> int:
            return int(request.query["height"][0])

        def validators(request: Request) -> Reply:
            # Pages of at most 2 (CometBFT caps per_page; the client must fetch them all).
            per_page = min(int(request.query.get("per_page", ["30"])[0]), 2)
            return rpc(self.validators(height(request), int(request.query.get("page", ["1"])[0]), per_page))

        def tx(request: Request) -> Reply:
            wanted = request.query["hash"][0].removeprefix("0x").upper()
            for block in self.chain.blocks.values():
                for i in range(len(block.txs)):
                    answer = self.chain.tx_answer(block.height, i)
                    if answer["hash"] == wanted:
                        return rpc(answer)
            return json_reply({"jsonrpc": "2.0", "id": -1, "error": {"code": -32603, "data": "tx not found"}})

        for epoch in SETS:
            node.handle(
                "GET", f"/v1/epochs/{epoch}/participants", lambda r, e=epoch: json_reply(self.participants[e])
            )
        node.handle("GET", "/v1/epochs/current/participants", lambda r: json_reply(self.participants[7]))
        node.handle("GET", "/chain-rpc/commit", lambda r: rpc(self.commits(height(r))))
        node.handle("GET", "/chain-rpc/validators", validators)
        node.handle("GET", "/chain-rpc/tx", tx)


def served(node: NodeServer, **grow: Any) -> Network:
    network = Network(**grow)
    network.serve(node)
    return network


def test_honest_node_verifies_with_bisection(node: NodeServer) -> None:
    network = served(node)
    with Client(node.url, timeout=2.0) as client:
        verified = client.participants(7, trust=network.anchor())
    assert verified.epoch == 7 and verified.header.height == H + 1
    assert [p.address for p in verified.participants] == ["gonka1alice", "gonka1bob", "gonka1carol"]
    assert verified.header.hash == network.chain.blocks[H + 1].hash
    heights = sorted({int(r.query["height"][0]) for r in node.calls("GET", "/chain-rpc/commit")})
    # Genesis's validators no longer sign 41: a midpoint was verified first.
    assert H + 1 in heights and any(h < H + 1 for h in heights), heights
    # Every page of the 5-validator set was fetched (pages of 2).
    pages = {(r.query["height"][0], r.query["page"][0]) for r in node.calls("GET", "/chain-rpc/validators")}
    assert {(str(H + 1), "1"), (str(H + 1), "2"), (str(H + 1), "3")} <= pages


def test_async_client_and_current_epoch(node: NodeServer) -> None:
    network = served(node)

    async def run() -> Any:
        async with AsyncClient(node.url, timeout=2.0) as client:
            return await client.participants("current", trust=network.anchor())

    verified = asyncio.run(run())
    assert verified.epoch == 7 and len(verified.participants) == 3


def test_checkpoint_trust_and_endpoint_discovery(node: NodeServer) -> None:
    network = served(node)
    pin = str(Checkpoint(35, network.chain.blocks[35].hash))
    with Client(node.url, timeout=2.0) as client:
        verified = client.participants(7, trust=pin)
        endpoints = client.inference_endpoints(7, verify=True, trust=pin, model="qwen")
        unverified = client.inference_endpoints(7)
        plain = client.participants(7, verify=False)
    assert verified.header.height == H + 1
    assert [(e.address, e.url) for e in endpoints] == [
        ("gonka1alice", "http://alice:8000"),
        ("gonka1bob", "http://bob:8000"),
    ]
    assert [e.address for e in unverified] == ["gonka1alice", "gonka1bob"]
    assert plain.created_at_block_height == H and len(plain.participants) == 3


def expect(node: NodeServer, network: Network, error: type, step: str) -> None:
    with Client(node.url, timeout=2.0) as client, pytest.raises(error) as e:
        client.participants(7, trust=network.anchor())
    assert e.value.step == step, e.value


def test_forgery_proof_for_another_epoch(node: NodeServer) -> None:
    network = served(node)
    network.participants[7] = network.states[6].answer
    expect(node, network, EpochMismatch, "epoch.key")


def test_forgery_header_signed_by_less_than_two_thirds(node: NodeServer) -> None:
    # The target is signed by 2 of the 5 validators of its height.
    network = served(node, signers={H + 1: 2})
    expect(node, network, InsufficientVotingPower, "commit.power")


def test_forgery_validator_set_not_hashing_to_the_header(node: NodeServer) -> None:
    network = served(node)
    honest = network.validators

    def stronger(height: int, page: int, per_page: int) -> dict[str, Any]:
        answer = copy.deepcopy(honest(height, page, per_page))
        if height == H + 1 and page == 1:
            answer["validators"][0]["voting_power"] = "1000"
        return answer

    network.validators = stronger
    expect(node, network, ValidatorSetMismatch, "validators.hash")


def test_forgery_value_changed_after_proving(node: NodeServer) -> None:
    network = served(node)
    answer = copy.deepcopy(network.participants[7])
    value = bytearray(bytes.fromhex(answer["active_participants_bytes"]))
    value[value.index(b"http://bob:8000") + 7] ^= 0x01  # bob's URL now points elsewhere
    answer["active_participants_bytes"] = value.hex()
    network.participants[7] = answer
    expect(node, network, MembershipError, "iavl.value")


def test_forgery_state_of_another_block(node: NodeServer) -> None:
    network = served(node)
    honest = network.commits
    other = Network()
    other.chain.blocks.clear()
    other.chain.app_hashes.clear()
    # The same validators sign an honest-looking chain whose state is not the proven one.
    other.chain.grow(H + 5)
    network.commits = lambda h: other.chain.commit_answer(h) if h == H + 1 else honest(h)
    expect(node, network, AppHashMismatch, "app_hash")


def test_expired_trust_is_refused(node: NodeServer) -> None:
    network = served(node)
    from gonka.proofs import TrustOptions

    with Client(node.url, timeout=2.0) as client, pytest.raises(TrustError) as e:
        client.participants(7, trust=network.anchor(), options=TrustOptions(trusting_period=3600))
    assert e.value.step == "trust.period"


def test_verified_tx(node: NodeServer) -> None:
    network = served(node)
    answer = network.chain.tx_answer(35, 1)
    pin = Checkpoint(31, network.chain.blocks[31].hash)
    with Client(node.url, timeout=2.0) as client:
        proven = client.verify_tx(answer["hash"], trust=pin)
    assert (proven.height, proven.index, proven.tx) == (35, 1, b"tx 35 1")
    assert proven.header is not None and proven.header.data_hash == proven.data_hash


def test_cli_verify_participants_and_tx(node: NodeServer) -> None:
    network = served(node)
    pin = str(Checkpoint(35, network.chain.blocks[35].hash))
    runner = CliRunner()
    result = runner.invoke(
        app, ["verify", "participants", "--epoch", "7", "--trust", pin, "--node", node.url, "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["epoch"] == 7 and doc["header"]["height"] == H + 1
    assert [p["address"] for p in doc["participants"]] == ["gonka1alice", "gonka1bob", "gonka1carol"]
    result = runner.invoke(
        app, ["verify", "participants", "--epoch", "7", "--trust", pin, "--node", node.url]
    )
    assert result.exit_code == 0 and "VERIFIED" in result.output
    txhash = network.chain.tx_answer(37, 0)["hash"]
    result = runner.invoke(app, ["verify", "tx", txhash, "--trust", pin, "--node", node.url])
    assert result.exit_code == 0, result.output
    assert f"tx {txhash} is tx 0 of block 37" in result.output
    # A forgery: exit status 1 and the failed step on stderr.
    network.participants[7] = network.states[6].answer
    result = runner.invoke(
        app, ["verify", "participants", "--epoch", "7", "--trust", pin, "--node", node.url]
    )
    assert result.exit_code == 1
    assert "epoch.key" in result.output
    result = runner.invoke(app, ["verify", "participants", "--epoch", "x", "--node", node.url])
    assert result.exit_code == 2
