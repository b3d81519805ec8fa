"""`gonka query|admin|node seeds|verify-binary` via typer's CliRunner against a scripted loopback node."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fixtures.node_server import NodeServer, reply
from gonka.cli import app
from typer.testing import CliRunner

A = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
VALOPER = "gonkavaloper1y2a9p56kv044327uycmqdexl7zs82fs5lyang5"
VALCONS = "gonkavalcons1zw0vk557mv9umazutq75mshae90kdv0g0q0s9t"
INF = "/chain-api/productscience/inference/inference"

runner = CliRunner(env={"COLUMNS": "220"})


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_query_tally(node: NodeServer) -> None:
    node.route("GET", "/chain-api/cosmos/gov/v1/proposals/12", reply("proposal"))
    node.route("GET", "/chain-api/cosmos/gov/v1/proposals/12/tally", reply("tally"))
    code, out, _ = invoke("query", "tally", "12", "--node", node.url)
    assert code == 0, out
    assert "Upgrade v0.2.6" in out and "918273" in out and "85.96%" in out  # yes share of yes+no+abstain
    code, out, _ = invoke("query", "tally", "12", "--node", node.url, "--json")
    data = json.loads(out)
    assert data["tally"]["yes_count"] == 918273 and data["proposal"]["id"] == 12


def test_query_participant_json_and_text(node: NodeServer) -> None:
    node.route("GET", f"{INF}/participant/{A}", reply("participant"))
    code, out, _ = invoke("query", "participant", A, "--node", node.url, "--json")
    assert code == 0 and json.loads(out)["weight"] == 1284
    code, out, _ = invoke("query", "participant", A, "--node", node.url)
    assert code == 0 and "ACTIVE" in out and "http://node1.gonka.ai:8000" in out


def test_query_uses_node_url_from_environment(node: NodeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    node.route("GET", f"{INF}/participant/{A}", reply("participant"))
    monkeypatch.setenv("GONKA_NODE_URL", node.url)
    code, out, _ = invoke("query", "participant", A, "--json")
    assert code == 0 and json.loads(out)["address"] == A


def test_query_epoch(node: NodeServer) -> None:
    node.route("GET", "/v1/epochs/current/participants", reply("epoch_participants_current"))
    code, out, _ = invoke("query", "epoch", "--node", node.url)
    assert code == 0 and "Epoch 174" in out and "64.20%" in out and "missed seed" in out
    code, out, _ = invoke("query", "epoch", "--node", node.url, "--json")
    assert json.loads(out)["participants"][0]["index"] == A
    code, _, _ = invoke("query", "epoch", "last", "--node", node.url)
    assert code == 2  # usage error: not a number


def test_query_perf_defaults_to_last_settled_epoch(node: NodeServer) -> None:
    node.route("GET", f"{INF}/get_current_epoch", reply("current_epoch"))
    node.route("GET", f"{INF}/epoch_performance_summary/173/{A}", reply("epoch_performance"))
    code, out, _ = invoke("query", "perf", A, "--node", node.url)
    assert code == 0, out
    assert "5120" in out and "claim-recover --epoch 173" in out
    code, out, _ = invoke("query", "perf", A, "--epoch", "173", "--node", node.url, "--json")
    assert json.loads(out)["claimed"] is False


def test_query_params_r_target(node: NodeServer) -> None:
    node.route("GET", f"{INF}/params", reply("params"))
    code, out, _ = invoke("query", "params", "--node", node.url)
    assert code == 0 and "1.398077" in out
    code, out, _ = invoke("query", "params", "--node", node.url, "--json")
    assert json.loads(out)["poc_params"]["model_params"]["r_target"] == {"value": 1398077, "exponent": -6}


def test_query_signing_info(node: NodeServer) -> None:
    node.route("GET", f"/chain-api/cosmos/staking/v1beta1/validators/{VALOPER}", reply("validator"))
    node.route("GET", f"/chain-api/cosmos/slashing/v1beta1/signing_infos/{VALCONS}", reply("signing_info"))
    node.route("GET", "/chain-api/cosmos/slashing/v1beta1/params", reply("slashing_params"))
    code, out, _ = invoke("query", "signing-info", A, "--node", node.url, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["jailed"] is True and data["missed_blocks"] == 37 and data["window"] == 100
    assert data["consensus_address"] == VALCONS and data["operator_address"] == VALOPER
    code, out, _ = invoke("query", "signing-info", VALCONS, "--node", node.url)
    assert code == 0 and "37 of the last 100" in out and "jailed above 50" in out


def test_query_errors_are_one_line(node: NodeServer) -> None:
    node.route("GET", f"{INF}/participant/{A}", reply("participant_not_found", status=404))
    node.route("GET", f"{INF}/get_current_epoch", reply(status=503, raw=b"upstream down"))
    code, _, err = invoke("query", "participant", A, "--node", node.url)
    assert code == 1 and "error:" in err and "not found" in err and "Traceback" not in err
    code, _, err = invoke("query", "perf", A, "--node", node.url)
    assert code == 1 and "HTTP 503" in err


def test_admin_nodes_and_claim_recover(node: NodeServer) -> None:
    node.route("GET", "/admin/v1/nodes", reply("admin_nodes"))
    node.route("POST", "/admin/v1/nodes/node1/disable", reply("admin_disable"))
    node.route("POST", "/admin/v1/nodes/node2/enable", reply("admin_enable"))
    node.route("POST", "/admin/v1/nodes/node9/enable", reply("admin_unknown_node", status=404))
    node.route("POST", "/admin/v1/claim-reward/recover", reply("admin_claim_recover"))
    code, out, _ = invoke("admin", "nodes", "list", "--admin-url", node.url)
    assert code == 0 and "node1" in out and "node2" in out and "4x NVIDIA H100 80GB HBM3" in out
    code, out, _ = invoke("admin", "nodes", "list", "--admin-url", node.url, "--json")
    assert [n["node"]["id"] for n in json.loads(out)] == ["node1", "node2"]
    code, out, _ = invoke("admin", "nodes", "disable", "node1", "--admin-url", node.url)
    assert code == 0 and "node disabled successfully" in out and "next PoC" in out
    code, out, _ = invoke("admin", "nodes", "enable", "node2", "--admin-url", node.url)
    assert code == 0 and "node enabled successfully" in out
    code, _, err = invoke("admin", "nodes", "enable", "node9", "--admin-url", node.url)
    assert code == 1 and "node not found: node9" in err
    code, out, _ = invoke(
        "admin", "claim-recover", "--epoch", "173", "--force", "--admin-url", node.url, "--json"
    )
    assert code == 0 and json.loads(out)["claim_executed"] is True
    (req,) = node.calls("POST", "/admin/v1/claim-reward/recover")
    assert req.body == {"force_claim": True, "epoch_index": 173}


def test_node_seeds(node: NodeServer) -> None:
    node.route("GET", "/chain-rpc/status", reply("status"))
    node.route("GET", "/chain-rpc/net_info", reply("net_info"))
    code, out, _ = invoke("node", "seeds", "--node", node.url)
    assert code == 0, out
    assert f"export SEED_API_URL={node.url}" in out
    assert f"export SEED_NODE_RPC_URL={node.url}/chain-rpc" in out
    assert "export SEED_NODE_P2P_URL=tcp://127.0.0.1:26656" in out  # 0.0.0.0 -> the node's own host
    code, out, _ = invoke("node", "seeds", "--node", node.url, "--json")
    seeds = json.loads(out)["seeds"]
    assert seeds[0] == "645fbce2dedcc7166f4df7931d2c87ca5188b569@127.0.0.1:26656"
    assert seeds[1:] == [
        "0772f16cc65cb4d19341b192bd7eba964f11d124@node1.gonka.ai:5000",
        "78f3279bd30fe6f1b84a9c40c3b97bd74e575981@185.216.21.98:5000",
        "6140f7090137d93c272ff5ccd863484d1592949d@node3.gonka.ai:5000",
    ]


def test_verify_binary(tmp_path: Path) -> None:
    binary = tmp_path / "inferenced"
    binary.write_bytes(b"\x7fELF" + bytes(range(256)) * 9000)  # > 1 chunk
    digest = hashlib.sha256(binary.read_bytes()).hexdigest()
    code, out, _ = invoke("verify-binary", str(binary), digest.upper())
    assert code == 0 and f"OK  {binary}" in out
    code, out, _ = invoke("verify-binary", str(binary), f"sha256:{digest}")
    assert code == 0
    wrong = ("0" if digest[0] != "0" else "1") + digest[1:]
    code, _, err = invoke("verify-binary", str(binary), wrong)
    assert code == 1 and "MISMATCH" in err and digest in err
    code, _, _ = invoke("verify-binary", str(binary), "abc")
    assert code == 2
    code, _, _ = invoke("verify-binary", str(tmp_path / "missing"), digest)
    assert code == 2
