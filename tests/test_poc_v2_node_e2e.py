"""PoC v2 end to end over HTTP: two real ML node processes (`gonka node serve --poc v2`), API-node
stand-ins that spool artifacts into sum-tree stores and serve the signed proof API, cross-validation
through the nodes' /generate with validation, votes and weights. One host generates with a wrong block
hash and is rejected; nothing the honest node generated is lost."""

from __future__ import annotations

import base64
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from gonka.keys import PrivateKey, PublicKey
from gonka.poc import nonce_iterator
from gonka.poc.v2 import ArtifactStore, sample_leaf_indices, seed_input, stat_test_for
from gonka.poc.v2.proof_api import ProofRequest, ProofServer, fetch_proofs
from gonka.poc.v2.proof_http import proof_api_router
from gonka.poc.v2.validation import check_proofs
from gonka.poc.v2.weights import poc_weight, tally

BH = "E2E0" * 16
STAGE, MODEL, SEQ_LEN, TARGET, SAMPLE = 500, "tiny", 8, 80, 50
KEYS = [PrivateKey.from_bytes(bytes([40 + i]) * 32) for i in range(2)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


class ApiNodes:
    """Both hosts' API-node side in one server: /h{i}/generated, /h{i}/validated, /h{i}/v1/poc/proofs."""

    def __init__(self) -> None:
        self.stores = [ArtifactStore(STAGE, MODEL) for _ in KEYS]
        self.validated: list[list[dict[str, Any]]] = [[] for _ in KEYS]
        self.generated_batches = [0 for _ in KEYS]
        keys: dict[str, PublicKey] = {k.address(): k.public_key for k in KEYS}
        app = FastAPI()
        for i, key in enumerate(KEYS):
            server = ProofServer(
                {(STAGE, MODEL): self.stores[i]}, key, lambda v, s: keys.get(s) if v == s else None
            )
            app.include_router(proof_api_router(server), prefix=f"/h{i}")
            app.post(f"/h{i}/generated")(self._generated(i))
            app.post(f"/h{i}/validated")(self._validated(i))
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def _generated(self, i: int) -> Callable[[Request], Any]:
        async def receive(request: Request) -> dict[str, str]:
            body = await request.json()
            self.stores[i].add_b64((a["nonce"], a["vector_b64"]) for a in body["artifacts"])
            self.generated_batches[i] += 1
            return {"status": "OK"}

        return receive

    def _validated(self, i: int) -> Callable[[Request], Any]:
        async def receive(request: Request) -> dict[str, str]:
            self.validated[i].append(await request.json())
            return {"status": "OK"}

        return receive

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.port}/h{i}"


@pytest.fixture(scope="module")
def api_nodes() -> Iterator[ApiNodes]:
    nodes = ApiNodes()
    nodes.thread.start()
    wait_for(lambda: nodes.server.started, 30, "the API-node stand-in")
    yield nodes
    nodes.server.should_exit = True
    nodes.thread.join(10)


@pytest.fixture(scope="module")
def ml_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    procs, urls = [], []
    env = {**os.environ, "GONKA_NODE_LOG_FORMAT": "json"}
    for i in range(2):
        port = free_port()
        spool = tmp_path_factory.mktemp(f"spool{i}")
        command = [
            sys.executable,
            "-c",
            "from gonka.cli import main; main()",
            "node",
            "serve",
            "--poc",
            "v2",
            "--model",
            "tiny",
            "--dtype",
            "float32",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--devices",
            "cpu",
            "--spool-dir",
            str(spool),
        ]
        procs.append(subprocess.Popen(command, env=env, stderr=subprocess.PIPE))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for proc, url in zip(procs, urls, strict=True):

            def up(url: str = url, proc: subprocess.Popen[bytes] = proc) -> bool:
                try:
                    return httpx.get(url + "/readyz").status_code == 200
                except httpx.HTTPError:
                    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                    return False

            wait_for(up, 240, "an ML node to serve")
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)


def test_round_over_http(api_nodes: ApiNodes, ml_nodes: list[str]) -> None:
    params = {"model": MODEL, "seq_len": SEQ_LEN}
    for i, url in enumerate(ml_nodes):
        body = {
            "block_hash": BH if i == 0 else "BAD0" * 16,  # host 1 seeds with the wrong block hash
            "block_height": STAGE,
            "public_key": KEYS[i].public_key.compressed.hex(),
            "node_id": i + 1,
            "node_count": 2,
            "batch_size": 20,
            "params": params,
            "url": api_nodes.url(i),
        }
        response = httpx.post(url + "/api/v1/pow/init/generate", json=body, timeout=60)
        assert response.json() == {"status": "OK", "pow_status": {"status": "GENERATING"}}
        assert httpx.post(url + "/api/v1/pow/init/generate", json=body, timeout=60).status_code == 409
    wait_for(lambda: all(s.count >= TARGET for s in api_nodes.stores), 300, "artifacts")
    for url in ml_nodes:
        status = httpx.get(url + "/api/v1/pow/status", timeout=30).json()
        assert status["status"] == "GENERATING" and status["stats"]["total_processed"] >= TARGET
        assert httpx.post(url + "/api/v1/pow/stop", timeout=30).json()["pow_status"]["status"] == "STOPPED"
        assert httpx.get(url + "/api/v1/pow/status", timeout=30).json()["status"] == "IDLE"
    # Nothing lost: once the spools drain, each store holds a gapless prefix of its node's nonce sequence.
    time.sleep(1.0)
    for i, store in enumerate(api_nodes.stores):
        nonces = sorted(store.nonces())
        assert nonces == list(itertools.islice(nonce_iterator(i + 1, 2), len(nonces)))
        assert store.duplicates == 0
    commits = [store.commit() for store in api_nodes.stores]

    # Every host validates every host (itself too) through the proof API and its own ML node.
    test = stat_test_for("v0.2.14")
    for v, key in enumerate(KEYS):
        for p, commitment in enumerate(commits):
            seed = seed_input(key.public_key.compressed.hex(), "5EED" * 16, STAGE, MODEL)
            indices = sample_leaf_indices(seed, commitment.count, SAMPLE)
            request = ProofRequest.signed(
                key,
                stage=STAGE,
                model_id=MODEL,
                root_hash=commitment.root,
                count=commitment.count,
                validator_address=key.address(),
                leaf_indices=indices,
            )
            response = fetch_proofs(api_nodes.url(p), request)
            assert response.verify_signature(KEYS[p].public_key, request)
            received = check_proofs(indices, response.proofs, commitment.root, commitment.count)
            body = {
                "block_hash": BH,
                "block_height": STAGE,
                "public_key": KEYS[p].public_key.compressed.hex(),
                "node_id": v + 1,
                "node_count": 2,
                "nonces": sorted(received),
                "params": params,
                "url": api_nodes.url(v),
                "batch_size": 50,
                "validation": {
                    "artifacts": [
                        {"nonce": n, "vector_b64": base64.b64encode(vec).decode()}
                        for n, vec in sorted(received.items())
                    ]
                },
                # What the API node sends: the chain's name for the threshold is ignored by the ML node.
                "stat_test": {
                    "dist_threshold": test.dist_threshold,
                    "p_mismatch": test.p_mismatch,
                    "p_value_threshold": 0.05,
                },
            }
            queued = httpx.post(ml_nodes[v] + "/api/v1/pow/generate", json=body, timeout=60).json()
            assert queued["status"] == "queued" and queued["queued_count"] == SAMPLE
    wait_for(lambda: all(len(v) == 2 for v in api_nodes.validated), 300, "validation callbacks")

    votes: dict[int, dict[str, int]] = {0: {}, 1: {}}
    for v, results in enumerate(api_nodes.validated):
        for result in results:
            p = next(i for i, k in enumerate(KEYS) if k.public_key.compressed.hex() == result["public_key"])
            assert result["n_total"] == SAMPLE
            weight = -1 if result["fraud_detected"] or result["n_total"] <= 0 else result["n_total"]
            votes[p][KEYS[v].address()] = weight
    assert votes[0] == {KEYS[0].address(): SAMPLE, KEYS[1].address(): SAMPLE}
    assert votes[1] == {KEYS[0].address(): -1, KEYS[1].address(): -1}
    power = {k.address(): 1 for k in KEYS}
    outcome = {p: tally(votes[p], power, 2) for p in votes}
    assert outcome[0].accepted and not outcome[1].accepted
    assert poc_weight(commits[0].count, "v0.2.14") == commits[0].count
