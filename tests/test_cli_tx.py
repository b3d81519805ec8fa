"""`gonka tx ...` end to end through typer's CliRunner: key from a mnemonic file, a hidden prompt or the file
keyring; account, simulation, fee and broadcast against a scripted loopback node; the broadcast TxRaw is
decoded and its signature verified.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import gonka.keys as keys
import gonka.tx as tx
import pytest
from fixtures.node_server import NodeServer, fixture, reply
from gonka.cli import app
from typer.testing import CliRunner

MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
TXHASH = fixture("broadcast_ok")["tx_response"]["txhash"]
SIMULATE = "/chain-api/cosmos/tx/v1beta1/simulate"
BROADCAST = "/chain-api/cosmos/tx/v1beta1/txs"
PARAMS = "/chain-api/productscience/inference/inference/params"

runner = CliRunner(env={"COLUMNS": "220", "KEYRING_PASSWORD": None})


def account_path(address: str) -> str:
    return f"/chain-api/cosmos/auth/v1beta1/accounts/{address}"


@pytest.fixture
def key() -> object:
    return keys.PrivateKey.from_mnemonic(MNEMONIC)


@pytest.fixture
def mnemonic_file(tmp_path: Path) -> Path:
    path = tmp_path / "mnemonic.txt"
    path.write_text(MNEMONIC + "\n")
    return path


@pytest.fixture
def node(key: object) -> Iterator[NodeServer]:
    server = NodeServer()
    server.start()
    address = key.public_key.address()  # type: ignore[attr-defined]
    server.route("GET", account_path(address), reply("account"))  # account 12345, sequence 7
    server.route("POST", SIMULATE, reply("simulate"))
    server.route("GET", PARAMS, reply("params"))
    server.route("GET", "/chain-rpc/status", reply("status"))  # chain id gonka-mainnet
    server.route("POST", BROADCAST, reply("broadcast_ok"))
    server.route("GET", f"/chain-api/cosmos/tx/v1beta1/txs/{TXHASH}", reply("tx_included"))
    yield server
    server.stop()


def broadcast_txs(node: NodeServer) -> list[bytes]:
    return [base64.b64decode(r.body["tx_bytes"]) for r in node.calls("POST", BROADCAST)]


def decoded(raw: bytes) -> dict:
    return tx.decode_tx(raw).json


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input, env=env)
    return result.exit_code, result.stdout, result.stderr


def test_vote_from_mnemonic_file(node: NodeServer, mnemonic_file: Path, key: object) -> None:
    code, out, err = invoke(
        "tx", "vote", "12", "yes", "--mnemonic-file", str(mnemonic_file), "--node", node.url, "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["txhash"] == TXHASH and result["height"] == 1523377
    (raw,) = broadcast_txs(node)
    tx.decode_tx(raw).verify("gonka-mainnet", 12345)  # signed for the node's chain id and account number
    text = json.dumps(decoded(raw))
    assert "/cosmos.gov.v1.MsgVote" in text and key.public_key.address() in text  # type: ignore[attr-defined]
    assert "122010" in text and "244020" in text  # gas = ceil(81340 x 1.5); fee = gas x min gas price 2


def test_sequence_mismatch_then_success(node: NodeServer, mnemonic_file: Path) -> None:
    node.route("POST", BROADCAST, reply("broadcast_sequence_mismatch"), reply("broadcast_ok"))
    code, out, err = invoke(
        "tx", "vote", "12", "no", "--mnemonic-file", str(mnemonic_file), "--node", node.url
    )
    assert code == 0, err
    assert TXHASH in out
    assert len(broadcast_txs(node)) == 2


def test_dry_run_prints_the_decoded_tx_and_sends_nothing(node: NodeServer, mnemonic_file: Path) -> None:
    code, out, err = invoke(
        "tx",
        "vote",
        "12",
        "abstain",
        "--mnemonic-file",
        str(mnemonic_file),
        "--node",
        node.url,
        "--dry-run",
        "--json",
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["sequence"] == 7 and summary["account_number"] == 12345 and summary["gas_limit"] == 122010
    assert "/cosmos.gov.v1.MsgVote" in json.dumps(summary["tx"])
    assert not node.calls("POST", BROADCAST)


def test_mnemonic_prompt_is_hidden_input(node: NodeServer) -> None:
    code, out, err = invoke(
        "tx",
        "claim",
        "--epoch",
        "173",
        "--seed",
        "7952041935070796118",
        "--mnemonic",
        "--node",
        node.url,
        "--gas",
        "300000",
        "--fees",
        "0",
        "--no-wait",
        input=MNEMONIC + "\n",
    )
    assert code == 0, err
    assert MNEMONIC not in out
    text = json.dumps(decoded(broadcast_txs(node)[0]))
    assert "/inference.inference.MsgClaimRewards" in text and "7952041935070796118" in text
    assert not node.calls("POST", SIMULATE) and not node.calls("GET", PARAMS)  # fixed gas and fee


def test_register_and_unordered(node: NodeServer, mnemonic_file: Path) -> None:
    code, _, err = invoke(
        "tx",
        "register",
        "http://203.0.113.7:8000",
        "--validator-key",
        "OPwcpfQYOoWDuHKYivRVq5jxrELH0moP5qdznvj3Dps=",
        "--mnemonic-file",
        str(mnemonic_file),
        "--node",
        node.url,
        "--unordered",
        "--timeout-duration",
        "60",
    )
    assert code == 0, err
    text = json.dumps(decoded(broadcast_txs(node)[0]))
    assert "/inference.inference.MsgSubmitNewParticipant" in text and "http://203.0.113.7:8000" in text
    assert "unordered" in text


def test_key_sources_are_exclusive_and_required(node: NodeServer, mnemonic_file: Path) -> None:
    code, _, err = invoke("tx", "vote", "12", "yes", "--node", node.url)
    assert code == 2 and "choose exactly one key source" in err
    code, _, err = invoke(
        "tx", "vote", "12", "yes", "--node", node.url, "--mnemonic-file", str(mnemonic_file), "--mnemonic"
    )
    assert code == 2 and "--mnemonic-file, --mnemonic" in err
    # a mnemonic on the command line is not accepted anywhere
    code, _, _ = invoke("tx", "vote", "12", "yes", "--node", node.url, "--mnemonic", MNEMONIC)
    assert code == 2
    assert not node.calls("POST", BROADCAST)


def test_bad_vote_option(node: NodeServer, mnemonic_file: Path) -> None:
    code, _, err = invoke(
        "tx", "vote", "12", "maybe", "--mnemonic-file", str(mnemonic_file), "--node", node.url
    )
    assert code == 2 and "vote option" in err


def test_insufficient_fee_is_reported(node: NodeServer, mnemonic_file: Path) -> None:
    node.route("POST", BROADCAST, reply("broadcast_insufficient_fee"))
    code, _, err = invoke(
        "tx", "vote", "12", "yes", "--mnemonic-file", str(mnemonic_file), "--node", node.url
    )
    assert code == 1 and "insufficient fee" in err and "Traceback" not in err


def test_unjail_with_the_file_keyring(node: NodeServer, tmp_path: Path) -> None:
    from gonka.address import VALOPER_HRP, convert_hrp
    from test_keyring import ADDRESS, PASSWORD, local_record, write_item

    directory = tmp_path / "keyring-file"
    directory.mkdir()
    write_item(directory, "cold.info", local_record("cold"))
    node.route("GET", account_path(ADDRESS), reply("account"))
    args = ("tx", "unjail", "--from", "cold", "--home", str(tmp_path), "--node", node.url, "--no-wait")

    code, _, err = invoke(*args, env={"KEYRING_PASSWORD": PASSWORD})
    assert code == 0, err
    text = json.dumps(decoded(broadcast_txs(node)[-1]))
    assert "/cosmos.slashing.v1beta1.MsgUnjail" in text and convert_hrp(ADDRESS, VALOPER_HRP) in text

    code, out, err = invoke(*args, input=PASSWORD + "\n")  # hidden passphrase prompt
    assert code == 0, err
    assert PASSWORD not in out

    code, _, err = invoke(*args, env={"KEYRING_PASSWORD": "wrong"})
    assert code == 1 and "incorrect keyring passphrase" in err
    assert len(broadcast_txs(node)) == 2


def test_grant_ml_ops(node: NodeServer, mnemonic_file: Path) -> None:
    warm = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
    code, _, err = invoke(
        "tx",
        "grant-ml-ops",
        warm,
        "--mnemonic-file",
        str(mnemonic_file),
        "--node",
        node.url,
        "--gas",
        "2000000",
    )
    assert code == 0, err
    messages = decoded(broadcast_txs(node)[0])["body"]["messages"]
    grants = [m for m in messages if m["@type"] == "/cosmos.authz.v1beta1.MsgGrant"]
    assert len(grants) == 20 and all(m["grantee"] == warm for m in grants)
    assert messages[-1]["@type"] == "/cosmos.feegrant.v1beta1.MsgGrantAllowance"
    code, _, err = invoke(
        "tx",
        "grant-ml-ops",
        warm,
        "--permissions",
        "launch",
        "--mnemonic-file",
        str(mnemonic_file),
        "--node",
        node.url,
        "--gas",
        "2000000",
    )
    assert code == 0, err
    assert len(decoded(broadcast_txs(node)[1])["body"]["messages"]) == 25


def test_unknown_permission_set_is_a_usage_error(node: NodeServer, mnemonic_file: Path) -> None:
    code, _, err = invoke(
        "tx",
        "grant-ml-ops",
        "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le",
        "--permissions",
        "v9",
        "--mnemonic-file",
        str(mnemonic_file),
        "--node",
        node.url,
    )
    assert code == 2 and "v9" in err
    assert not node.calls("POST", BROADCAST)


def test_broadcast_timeout_reports_the_hash(node: NodeServer, mnemonic_file: Path) -> None:
    node.route("POST", BROADCAST, reply("broadcast_ok", delay=1.5))
    code, _, err = invoke(
        "tx",
        "vote",
        "12",
        "yes",
        "--mnemonic-file",
        str(mnemonic_file),
        "--node",
        node.url,
        "--gas",
        "200000",
        "--fees",
        "0",
        "--timeout",
        "0.3",
    )
    assert code == 1 and "timed out" in err
    (raw,) = broadcast_txs(node)
    assert tx.tx_hash(raw) in err
