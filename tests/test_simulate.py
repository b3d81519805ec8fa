"""`gonka poc simulate`: the FAQ's PoC round as one command, on an in-process node or a node given by URL."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("torch")

from gonka.cli import app
from gonka.node import NodeSettings
from gonka.node.server import BackgroundNode
from gonka.poc import PARAMS_SMALL, R_TARGET_SMALL
from typer.testing import CliRunner


def summary(result) -> dict:
    assert result.stdout.strip(), result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


# A block hash whose nonces 2 and 8 are valid for the small params: however few nonces a slow or busy machine
# computes in 3 s, the first batch holds valid ones (with the default hash the first valid nonce is 80).
EARLY_VALID_BLOCK_HASH = "simulate-test-6"


def test_simulate_in_process_on_cpu_is_honest():
    args = ["poc", "simulate", "--seconds", "3", "--devices", "cpu", "--block-hash", EARLY_VALID_BLOCK_HASH]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    s = summary(result)
    assert s["params"] == PARAMS_SMALL.to_dict() and s["r_target"] == R_TARGET_SMALL
    assert s["hardware"] == "cpu"
    assert s["nonces_computed"] > 0 and s["nonces_per_s"] > 0
    assert s["weight"] > 0 and s["validated_nonces"] == min(s["weight"], 200)
    assert s["n_invalid"] == 0 and s["fraud_detected"] is False and s["probability_honest"] == 1.0


def test_simulate_against_a_running_node_catches_tampering(tmp_path):
    settings = NodeSettings(
        host="127.0.0.1",
        port=0,
        spool_dir=tmp_path / "spool",
        devices="cpu",
        flush_interval=0.5,
        log_format="text",
    )
    with BackgroundNode(settings) as node:
        args = ["poc", "simulate", "--node", node.url, "--params", "small", "--seconds", "3", "--json"]
        # At 1e-7, 3 mismatches are fraud only among fewer than ~20 nonces, and how many are generated
        # in 3 s depends on the machine; at 0.01 they are fraud for any sample of up to 200.
        tamper = ["--r-target", "1.36", "--tamper", "3", "--fraud-threshold", "0.01"]
        result = CliRunner().invoke(app, [*args, *tamper])
        assert result.exit_code == 0, result.output
        s = summary(result)
        assert s["node"] == node.url and s["r_target"] == 1.36
        assert s["n_invalid"] == 3 and s["fraud_detected"] is True
        assert node.app.state.pow.session is None  # the simulation stopped PoC on the node


def test_simulate_reports_an_unreachable_node():
    result = CliRunner().invoke(app, ["poc", "simulate", "--node", "http://127.0.0.1:9", "--params", "small"])
    assert result.exit_code == 1
    assert "simulation failed" in result.output
