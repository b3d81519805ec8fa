"""PoC on the ML node end to end: uvicorn on loopback, spawned CPU workers, a real callback receiver."""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("torch")

import httpx
from fixtures import ml_node
from fixtures.ml_node import install_probe
from gonka.node import NodeSettings
from gonka.node.receiver import CallbackReceiver
from gonka.node.server import BackgroundNode
from gonka.poc import PARAMS_SMALL, PocModel, nonce_iterator

BLOCK_HASH = "node-test-block"
PUBLIC_KEY = "node-test-key"
NODE_ID, NODE_COUNT = 1, 2
GENERATED_FIELDS = {"public_key", "block_hash", "block_height", "nonces", "dist", "node_id"}
VALIDATED_FIELDS = GENERATED_FIELDS | {
    "received_dist",
    "r_target",
    "fraud_threshold",
    "n_invalid",
    "probability_honest",
    "fraud_detected",
}


@pytest.fixture(scope="module")
def oracle():
    """The same model in this process: the distances the node must report, and an r_target keeping ~40 %."""
    model = PocModel(PARAMS_SMALL, BLOCK_HASH, dtype="float32")
    nonces = list(__import__("itertools").islice(nonce_iterator(NODE_ID, NODE_COUNT), 96))
    dist = model.distances(PUBLIC_KEY, nonces)
    return model, float(np.quantile(dist, 0.4))


def node_settings(spool: Path, **changes) -> NodeSettings:
    return ml_node.node_settings(spool, **{"worker_stop_timeout": 2.0, **changes})


def init_body(url: str, r_target: float, **changes) -> dict:
    return ml_node.init_body(url, r_target, **{"block_hash": BLOCK_HASH, "public_key": PUBLIC_KEY, **changes})


# Whole PoC runs on CPU workers: a longer wait than the fixtures' default.
wait_for = functools.partial(ml_node.wait_for, timeout=120.0)


def worker_pids(node: BackgroundNode) -> list[int]:
    session = node.app.state.pow.session
    return [p.pid for p in session.processes] if session else []


def gone(pid: int) -> bool:
    return not os.path.exists(f"/proc/{pid}") or " Z " in open(f"/proc/{pid}/stat").read()


def metric(client: httpx.Client, name: str) -> float:
    total = 0.0
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def valid_nonces(receiver: CallbackReceiver) -> int:
    return sum(len(b["nonces"]) for b in receiver.batches("generated"))


@pytest.fixture
def receiver():
    with CallbackReceiver() as rx:
        yield rx


@pytest.fixture
def node(tmp_path):
    with BackgroundNode(node_settings(tmp_path / "spool")) as running:
        yield running


@pytest.fixture
def client(node):
    with httpx.Client(base_url=node.url, timeout=60) as c:
        yield c


def test_generate_then_validate_round(node, client, receiver, oracle):
    model, r_target = oracle
    body = init_body(receiver.url, r_target)
    r = client.post("/api/v1/pow/init/generate", json=body)
    assert r.status_code == 200
    assert r.json()["status"] == "OK" and r.json()["pow_status"]["status"] == "GENERATING"
    assert client.get("/api/v1/state").json() == {"state": "POW"}
    (pid,) = worker_pids(node)

    wait_for(lambda: valid_nonces(receiver) >= 24, what="24 valid nonces")
    assert client.get("/api/v1/pow/status").json() == {"status": "GENERATING", "is_model_initialized": True}
    received_nonces, received_dist = [], []
    for batch in receiver.batches("generated"):
        assert set(batch) == GENERATED_FIELDS
        assert (batch["public_key"], batch["block_hash"], batch["block_height"], batch["node_id"]) == (
            PUBLIC_KEY,
            BLOCK_HASH,
            42,
            NODE_ID,
        )
        received_nonces += batch["nonces"]
        received_dist += batch["dist"]
    assert all(n % NODE_COUNT == NODE_ID for n in received_nonces)  # the reference interleaving, one group
    assert len(set(received_nonces)) == len(received_nonces)
    assert all(d < r_target for d in received_dist)
    expected = model.distances(PUBLIC_KEY, received_nonces)
    np.testing.assert_allclose(received_dist, expected, rtol=0, atol=1e-6)
    # Every valid nonce below the highest received one was found: nothing computed was dropped.
    scanned = [n for n in range(NODE_ID, max(received_nonces) + 1, NODE_COUNT)]
    all_dist = model.distances(PUBLIC_KEY, scanned)
    assert sorted(received_nonces) == [n for n, d in zip(scanned, all_dist, strict=True) if d < r_target]

    # The identical request switches the phase without rebuilding the model.
    r = client.post("/api/v1/pow/init/validate", json=body)
    assert r.json() == {"status": "OK", "pow_status": {"status": "VALIDATING", "is_model_initialized": True}}
    assert worker_pids(node) == [pid]

    honest_nonces, honest_dist = received_nonces[:30], received_dist[:30]
    invalid = [n for n, d in zip(scanned, all_dist, strict=True) if d > r_target][:5]
    fraud_nonces = honest_nonces + invalid
    fraud_dist = honest_dist + [r_target * 0.99] * len(invalid)  # altered: claimed under r_target
    for nonces, dist in ((honest_nonces, honest_dist), (fraud_nonces, fraud_dist)):
        r = client.post(
            "/api/v1/pow/validate",
            json={
                "public_key": PUBLIC_KEY,
                "block_hash": BLOCK_HASH,
                "block_height": 42,
                "nonces": nonces,
                "dist": dist,
                "node_id": 0,
            },
        )
        assert r.status_code == 200 and r.json() is None
    validated = wait_for(lambda: len(receiver.batches("validated")) == 2 and receiver.batches("validated"))
    by_size = {len(v["nonces"]): v for v in validated}
    honest, fraud = by_size[len(honest_nonces)], by_size[len(fraud_nonces)]
    for v in (honest, fraud):
        assert set(v) == VALIDATED_FIELDS
        assert v["r_target"] == r_target and v["fraud_threshold"] == 0.01 and v["node_id"] == 0
    assert (
        honest["n_invalid"] == 0 and honest["fraud_detected"] is False and honest["probability_honest"] == 1.0
    )
    assert honest["received_dist"] == honest_dist
    np.testing.assert_allclose(honest["dist"], honest_dist, rtol=0, atol=1e-6)
    assert fraud["n_invalid"] == len(invalid) == 5
    assert fraud["fraud_detected"] is True and fraud["probability_honest"] < 0.01

    r = client.post("/api/v1/pow/stop")
    assert r.json() == {"status": "OK", "pow_status": {"status": "NOT_LOADED"}}
    assert client.get("/api/v1/state").json() == {"state": "STOPPED"}
    assert gone(pid)
    assert metric(client, "gonka_node_nonces_valid_total") == valid_nonces(receiver)
    assert metric(client, "gonka_node_nonces_validated_total") == len(honest_nonces) + len(fraud_nonces)


def test_restart_only_when_the_request_changes(node, client, receiver, oracle):
    _, r_target = oracle
    body = init_body(receiver.url, r_target)
    r = client.post("/api/v1/pow/init", json={**body, "node_id": -1})
    assert r.json()["pow_status"]["status"] in ("LOADING", "IDLE")
    r = client.post("/api/v1/pow/phase/generate")
    assert (
        r.status_code == 400
        and r.json()["detail"] == "Node ID and node count must be set to start generating"
    )
    assert client.post("/api/v1/pow/phase/validate").json()["pow_status"]["status"] == "VALIDATING"

    client.post("/api/v1/pow/init/generate", json=body)
    (first,) = worker_pids(node)
    client.post("/api/v1/pow/init/validate", json=body)
    client.post("/api/v1/pow/phase/generate")
    client.post("/api/v1/pow/init/generate", json={**body, "params": {**body["params"], "rope_theta": 10000}})
    assert worker_pids(node) == [first]  # 10000 == 10000.0: the same request

    wrong = {"public_key": "k", "block_hash": "other", "block_height": 42, "nonces": [1], "dist": [1.0]}
    r = client.post("/api/v1/pow/validate", json=wrong)
    assert r.status_code == 400 and "block_hash 'other' differs" in r.json()["detail"]

    client.post("/api/v1/pow/init/generate", json={**body, "block_height": 43})
    (second,) = worker_pids(node)
    assert second != first and gone(first)


def test_stop_during_model_build_is_prompt_and_leaves_no_process(node, client, receiver, oracle):
    _, r_target = oracle
    client.post("/api/v1/pow/init/generate", json=init_body(receiver.url, r_target))
    (pid,) = worker_pids(node)
    assert client.get("/api/v1/pow/status").json()["is_model_initialized"] is False
    started = time.monotonic()
    assert client.post("/api/v1/stop").json() == {"status": "OK"}
    assert time.monotonic() - started < 8
    assert gone(pid) and not multiprocessing.active_children()
    assert client.get("/api/v1/state").json() == {"state": "STOPPED"}


def test_stop_during_generation_is_prompt_and_keeps_what_was_computed(
    node, client, receiver, oracle, tmp_path, monkeypatch
):
    _, r_target = oracle
    # What the worker computed, as the probe inside it saw it: not the node's own metrics.
    probe = install_probe(monkeypatch, tmp_path / "computed.jsonl")
    client.post("/api/v1/pow/init/generate", json=init_body(receiver.url, r_target))
    wait_for(lambda: len(probe.computed()) >= 32, what="generation")
    (pid,) = worker_pids(node)
    started = time.monotonic()
    r = client.post("/api/v1/pow/stop")
    assert time.monotonic() - started < 5
    assert r.json()["status"] == "OK"
    assert gone(pid) and not multiprocessing.active_children()
    assert node.app.state.spool.wait_idle(10)
    delivered = [n for b in receiver.batches("generated") for n in b["nonces"]]
    assert len(delivered) == len(set(delivered)) and set(delivered) == probe.valid(r_target) != set()
    assert len(delivered) == metric(client, "gonka_node_nonces_valid_total")


def test_callback_outage_and_phase_switch_lose_nothing_and_duplicate_nothing(node, client, oracle):
    _, r_target = oracle
    down = CallbackReceiver()
    port = down.port
    down._server.server_close()  # nobody listens: connections are refused
    body = init_body(f"http://127.0.0.1:{port}/v1/poc-batches", r_target)
    client.post("/api/v1/pow/init/generate", json=body)
    wait_for(lambda: node.app.state.spool.pending("generated") >= 2, what="spooled batches")
    client.post("/api/v1/pow/init/validate", json=body)  # phase switch while batches are undelivered
    receiver = CallbackReceiver(port=port)
    receiver.fail_with = 500
    receiver.start()
    try:
        wait_for(lambda: receiver.attempts >= 3, what="failing attempts")
        assert receiver.batches("generated") == []
        receiver.fail_with = None
        assert node.app.state.spool.wait_idle(30)
        client.post("/api/v1/pow/stop")
        assert node.app.state.spool.wait_idle(10)
        assert receiver.duplicates == 0
        keys = receiver.keys()
        assert len(keys) == len(set(keys)) == len(receiver.batches("generated"))
        nonces = [n for b in receiver.batches("generated") for n in b["nonces"]]
        assert len(nonces) == len(set(nonces)) == metric(client, "gonka_node_nonces_valid_total")
    finally:
        receiver.stop()


def test_spooled_batches_are_delivered_after_a_node_restart(tmp_path, oracle):
    _, r_target = oracle
    spool = tmp_path / "spool"
    down = CallbackReceiver()
    port = down.port
    down._server.server_close()
    with BackgroundNode(node_settings(spool)) as first:
        with httpx.Client(base_url=first.url, timeout=60) as c:
            c.post("/api/v1/pow/init/generate", json=init_body(f"http://127.0.0.1:{port}/cb", r_target))
            wait_for(lambda: first.app.state.spool.pending() >= 2, what="spooled batches")
            c.post("/api/v1/stop")
            produced = metric(c, "gonka_node_nonces_valid_total")
    files = list(spool.glob("*.json"))
    assert len(files) >= 2

    with CallbackReceiver(port=port, path="/cb") as receiver, BackgroundNode(node_settings(spool)) as second:
        assert second.app.state.spool.wait_idle(30)
    assert len(receiver.batches("generated")) == len(files) and receiver.duplicates == 0
    assert valid_nonces(receiver) == produced
    assert not list(spool.glob("*.json"))


def test_batches_received_for_validation_survive_a_node_restart(tmp_path, receiver, oracle):
    model, r_target = oracle
    spool = tmp_path / "spool"
    body = init_body(receiver.url, r_target)
    nonces = list(range(NODE_ID, NODE_ID + 2 * 24, NODE_COUNT))
    dist = model.distances(PUBLIC_KEY, nonces)
    claimed = [(n, float(d)) for n, d in zip(nonces, dist, strict=True) if d < r_target]
    batch = {
        "public_key": PUBLIC_KEY,
        "block_hash": BLOCK_HASH,
        "block_height": 42,
        "nonces": [n for n, _ in claimed],
        "dist": [d for _, d in claimed],
        "node_id": 0,
    }
    with BackgroundNode(node_settings(spool)) as first, httpx.Client(base_url=first.url, timeout=60) as c:
        c.post("/api/v1/pow/init", json=body)  # phase IDLE: the batch waits for the validation phase
        assert c.post("/api/v1/pow/validate", json=batch).status_code == 200
    assert len(list((spool / "validation").glob("*.json"))) == 1

    with BackgroundNode(node_settings(spool)) as second, httpx.Client(base_url=second.url, timeout=60) as c:
        c.post("/api/v1/pow/init/validate", json=body)
        (validated,) = wait_for(lambda: receiver.batches("validated"), what="the resumed verdict")
        assert validated["nonces"] == batch["nonces"] and validated["received_dist"] == batch["dist"]
        assert validated["n_invalid"] == 0 and validated["fraud_detected"] is False
        c.post("/api/v1/stop")
    assert not list((spool / "validation").glob("*.json"))


def test_validation_jobs_of_earlier_stages_are_dropped_and_others_kept(tmp_path, receiver, oracle):
    _, r_target = oracle
    spool = tmp_path / "spool"
    jobs = spool / "validation"
    jobs.mkdir(parents=True)

    def job(name: str, block_hash: str, height: int) -> Path:
        batch = {
            "public_key": PUBLIC_KEY,
            "block_hash": block_hash,
            "block_height": height,
            "nonces": [1, 2],
            "dist": [0.5, 0.6],
            "node_id": 0,
        }
        path = jobs / f"{name}.json"
        path.write_text(json.dumps(batch))
        return path

    earlier = job("0-earlier", "ab" * 32, 41)
    later = job("1-later", "cd" * 32, 43)  # not this node's block, and not over: kept for its own session
    with BackgroundNode(node_settings(spool)) as node, httpx.Client(base_url=node.url, timeout=60) as c:
        assert c.post("/api/v1/pow/init", json=init_body(receiver.url, r_target)).status_code == 200
        wait_for(lambda: not earlier.exists(), what="the earlier stage's job to be dropped")
        c.post("/api/v1/stop")
    assert later.exists() and not receiver.batches("validated")
