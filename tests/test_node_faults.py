"""Faults injected into a running ML node: a full disk, a receiver that answers garbage or hangs, a worker or
the whole node killed mid-batch, a stop mid-batch, a chunk that fails in the engine, a dead delivery thread.

Outcomes are counted by witnesses independent of the node: the probe in the worker processes records what was
computed (``fixtures/worker_probe``) and the callback receiver records what was delivered, by idempotency key.
"""

from __future__ import annotations

import errno
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("torch")

import httpx
from fixtures.ml_node import (
    BLOCK_HASH,
    NODE_COUNT,
    NODE_ID,
    PUBLIC_KEY,
    FaultyProxy,
    init_body,
    install_probe,
    node_settings,
    received,
    wait_for,
)
from gonka.node.receiver import CallbackReceiver
from gonka.node.server import BackgroundNode
from gonka.poc import PARAMS_SMALL, PocModel, nonce_iterator


@pytest.fixture(scope="module")
def oracle() -> tuple[PocModel, float]:
    """The node's model in this process, and an r_target that keeps about 3 nonces in 4 (every batch of 8
    then almost surely carries valid nonces, so a lost batch shows)."""
    model = PocModel(PARAMS_SMALL, BLOCK_HASH, dtype="float32")
    nonces = list(itertools.islice(nonce_iterator(NODE_ID, NODE_COUNT), 64))
    return model, float(np.quantile(model.distances(PUBLIC_KEY, nonces), 0.75))


def assert_delivered_exactly_once(receiver: CallbackReceiver, computed_valid: set[int]) -> None:
    got = received(receiver)
    assert len(got) == len(set(got)), "a nonce was delivered twice"
    assert set(got) == computed_valid, (
        f"computed but not delivered: {sorted(computed_valid - set(got))[:10]}, "
        f"delivered but not computed: {sorted(set(got) - computed_valid)[:10]}"
    )
    keys = receiver.keys()
    assert len(keys) == len(set(keys))


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_stop_delivers_the_batch_the_workers_finish_during_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oracle: tuple[PocModel, float]
) -> None:
    _, r_target = oracle
    probe = install_probe(monkeypatch, tmp_path / "computed.jsonl", delay=0.4)
    with (
        CallbackReceiver() as receiver,
        BackgroundNode(node_settings(tmp_path / "spool")) as node,
        httpx.Client(base_url=node.url, timeout=60) as client,
    ):
        assert (
            client.post("/api/v1/pow/init/generate", json=init_body(receiver.url, r_target)).status_code
            == 200
        )
        wait_for(lambda: len(probe.calls()) >= 2, what="two computed batches")
        time.sleep(0.1)  # the next batch is under way
        assert client.post("/api/v1/pow/stop").status_code == 200
        assert node.app.state.spool.wait_idle(10)
    assert len(probe.calls()) >= 3
    assert_delivered_exactly_once(receiver, probe.valid(r_target))


def test_a_full_disk_loses_nothing_and_readyz_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oracle: tuple[PocModel, float]
) -> None:
    _, r_target = oracle
    probe = install_probe(monkeypatch, tmp_path / "computed.jsonl")
    spool = tmp_path / "spool"
    disk_full = threading.Event()
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        # The spool's filesystem is full: every durable write into it fails, as on a full disk.
        if disk_full.is_set() and os.readlink(f"/proc/self/fd/{fd}").startswith(str(spool)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with (
        CallbackReceiver() as receiver,
        BackgroundNode(node_settings(spool)) as node,
        httpx.Client(base_url=node.url, timeout=60) as client,
    ):
        client.post("/api/v1/pow/init/generate", json=init_body(receiver.url, r_target))
        wait_for(lambda: receiver.batches("generated"), what="a first delivery")
        disk_full.set()
        wait_for(lambda: client.get("/readyz").status_code == 503, timeout=10, what="/readyz to fail")
        assert "No space left on device" in client.get("/readyz").text
        computed = len(probe.calls())
        wait_for(lambda: len(probe.calls()) >= computed + 5, what="work computed while the disk is full")
        disk_full.clear()
        wait_for(lambda: client.get("/readyz").status_code == 200, timeout=10, what="/readyz to recover")
        assert client.post("/api/v1/pow/stop").status_code == 200
        assert node.app.state.spool.wait_idle(10)
        assert client.get("/health").status_code == 200
    assert not list(spool.glob(".*.tmp"))
    assert_delivered_exactly_once(receiver, probe.valid(r_target))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the death is the point
def test_a_dead_delivery_thread_fails_readyz_and_is_restarted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = httpx.Client.post
    killed = threading.Event()

    def post(self: httpx.Client, url: object, *args: object, **kwargs: object) -> httpx.Response:
        if "/cb/" in str(url) and not killed.is_set():
            killed.set()
            raise SystemExit("the delivery thread dies")  # not an Exception: nothing below catches it
        return original(self, url, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx.Client, "post", post)
    batch = {
        "public_key": "k",
        "block_hash": "b",
        "block_height": 1,
        "nonces": [1],
        "dist": [1.0],
        "node_id": 0,
    }
    with (
        CallbackReceiver(path="/cb") as receiver,
        BackgroundNode(node_settings(tmp_path / "spool")) as node,
        httpx.Client(base_url=node.url, timeout=10) as client,
    ):
        node.app.state.spool.enqueue("generated", receiver.url, batch)
        seen = set()

        def delivered() -> bool:
            seen.add(client.get("/readyz").status_code)
            return bool(receiver.batches("generated"))

        wait_for(delivered, timeout=15, what="delivery by a restarted thread")
        assert killed.is_set() and 503 in seen
        assert client.get("/readyz").status_code == 200
        threads = client.get("/health").json()["threads"]
        assert threads["callbacks"]["alive"] is True and threads["callbacks"]["restarts"] == 1
    assert receiver.batches("generated") == [batch]


def test_a_receiver_answering_garbage_or_hanging_gets_every_batch_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oracle: tuple[PocModel, float]
) -> None:
    _, r_target = oracle
    probe = install_probe(monkeypatch, tmp_path / "computed.jsonl")
    with (
        CallbackReceiver() as receiver,
        FaultyProxy((receiver.host, receiver.port)) as proxy,
        BackgroundNode(node_settings(tmp_path / "spool", callback_timeout=0.5)) as node,
        httpx.Client(base_url=node.url, timeout=60) as client,
    ):
        url = f"http://127.0.0.1:{proxy.port}{receiver.path}"
        client.post("/api/v1/pow/init/generate", json=init_body(url, r_target))
        wait_for(lambda: receiver.batches("generated"), what="a first delivery")
        for mode in ("garbage", "hang"):
            proxy.mode = mode
            met = partial(lambda m: proxy.connections[m] >= 2, mode)
            wait_for(met, timeout=20, what=f"attempts meeting {mode}")
            assert node.app.state.spool.pending() > 0
            assert client.get("/readyz").status_code == 200  # a bad receiver is not the node's fault
        proxy.mode = "forward"
        assert client.post("/api/v1/pow/stop").status_code == 200
        assert node.app.state.spool.wait_idle(15)
    assert_delivered_exactly_once(receiver, probe.valid(r_target))


def test_a_worker_killed_mid_batch_is_restarted_and_nothing_is_lost_or_repeated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oracle: tuple[PocModel, float]
) -> None:
    _, r_target = oracle
    probe = install_probe(monkeypatch, tmp_path / "computed.jsonl", delay=0.3)
    with (
        CallbackReceiver() as receiver,
        BackgroundNode(node_settings(tmp_path / "spool", worker_restarts=1)) as node,
        httpx.Client(base_url=node.url, timeout=60) as client,
    ):
        client.post("/api/v1/pow/init/generate", json=init_body(receiver.url, r_target))
        wait_for(lambda: len(probe.calls()) >= 2, what="two computed batches")
        (first,) = probe.pids()
        os.kill(first, signal.SIGKILL)  # the probe sleeps before each batch: this lands mid-batch

        def restarted() -> set[int]:
            return probe.pids() - {first}

        (second,) = wait_for(restarted, timeout=60, what="a restarted worker")
        wait_for(lambda: sum(c["pid"] == second for c in probe.calls()) >= 3, what="the restarted worker")
        assert client.get("/readyz").status_code == 200
        assert client.get("/api/v1/pow/status").json()["status"] == "GENERATING"
        health = client.get("/health").json()
        assert health["status"] == "healthy" and health["managers"]["pow"]["worker_restarts"] == 1

        os.kill(second, signal.SIGKILL)  # beyond the restart budget: the node says it is not fit
        wait_for(lambda: client.get("/readyz").status_code == 503, timeout=20, what="/readyz to fail")
        assert client.get("/health").status_code == 503
        assert "restart" in client.get("/readyz").text
        assert client.post("/api/v1/pow/stop").status_code == 200
        assert node.app.state.spool.wait_idle(10)
        assert client.get("/readyz").status_code == 200
    assert_delivered_exactly_once(receiver, probe.valid(r_target))


def test_a_chunk_that_fails_in_the_engine_fails_its_batch_not_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oracle: tuple[PocModel, float]
) -> None:
    model, r_target = oracle
    poison = 99
    probe = install_probe(monkeypatch, tmp_path / "computed.jsonl", poison=poison)
    spool = tmp_path / "spool"

    def batch(nonces: list[int]) -> dict[str, Any]:
        dist = [float(d) for d in model.distances(PUBLIC_KEY, nonces)]
        return {
            "public_key": PUBLIC_KEY,
            "block_hash": BLOCK_HASH,
            "block_height": 42,
            "nonces": nonces,
            "dist": dist,
            "node_id": 0,
        }

    with (
        CallbackReceiver() as receiver,
        BackgroundNode(node_settings(spool)) as node,
        httpx.Client(base_url=node.url, timeout=60) as client,
    ):
        client.post("/api/v1/pow/init/validate", json=init_body(receiver.url, r_target))
        assert client.post("/api/v1/pow/validate", json=batch([1, 3])).status_code == 200
        wait_for(lambda: receiver.batches("validated"), what="the first verdict")
        (pid,) = probe.pids()
        bad = batch([NODE_ID, poison, 3])
        assert client.post("/api/v1/pow/validate", json=bad).status_code == 200
        assert client.post("/api/v1/pow/validate", json=batch([5, 7, 11])).status_code == 200
        wait_for(lambda: len(receiver.batches("validated")) == 2, what="the verdict after the failed batch")
        assert probe.pids() == {pid}
        assert [len(v["nonces"]) for v in receiver.batches("validated")] == [2, 3]
        assert client.get("/readyz").status_code == 200 and client.get("/health").status_code == 200
        assert not list((spool / "validation").glob("*.json"))
        (failed,) = (spool / "validation" / "failed").glob("*.json")
        assert "poisoned nonce" in failed.read_text()
        client.post("/api/v1/stop")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_a_node_killed_with_spooled_and_in_flight_work_delivers_it_once_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oracle: tuple[PocModel, float]
) -> None:
    model, r_target = oracle
    probe = install_probe(monkeypatch, tmp_path / "computed.jsonl", delay=0.1)
    spool = tmp_path / "spool"
    down = CallbackReceiver()
    receiver_port = down.port
    down._server.server_close()  # the receiver is down: batches stay spooled
    body = init_body(f"http://127.0.0.1:{receiver_port}/v1/poc-batches", r_target)

    port = free_port()
    env = {
        **os.environ,
        "GONKA_NODE_HOST": "127.0.0.1",
        "GONKA_NODE_PORT": str(port),
        "GONKA_NODE_SPOOL_DIR": str(spool),
        "GONKA_NODE_DEVICES": "cpu",
        "GONKA_NODE_DTYPE": "float32",
        "GONKA_NODE_BATCH_SIZE": "8",
        "GONKA_NODE_FLUSH_INTERVAL": "0.3",
        "GONKA_NODE_RETRY_MAX_DELAY": "0.3",
        "GONKA_NODE_LOG_FORMAT": "text",
    }
    command = [sys.executable, "-c", "from gonka.cli import main; main()", "node", "serve"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return httpx.get(url + "/readyz").status_code == 200
            except httpx.HTTPError:
                assert first.poll() is None
                return False

        wait_for(up, timeout=120, what="the first node")
        assert httpx.post(url + "/api/v1/pow/init/generate", json=body, timeout=60).status_code == 200
        wait_for(lambda: len(list(spool.glob("*.json"))) >= 2, what="spooled batches")
        sample = sorted(probe.valid(r_target))[:6]
        submitted = {
            "public_key": PUBLIC_KEY,
            "block_hash": BLOCK_HASH,
            "block_height": 42,
            "nonces": sample,
            "dist": [float(d) for d in model.distances(PUBLIC_KEY, sample)],
            "node_id": 0,
        }
        # Waits on disk for the validation phase.
        assert httpx.post(url + "/api/v1/pow/validate", json=submitted, timeout=60).status_code == 200
        computed = len(probe.calls())
        wait_for(lambda: len(probe.calls()) >= computed + 2, what="generation under way")
    finally:
        first.kill()
        first.wait(10)
    workers = probe.pids()
    wait_for(lambda: not any(alive(pid) for pid in workers), timeout=10, what="the workers to die")

    with (
        CallbackReceiver(port=receiver_port) as receiver,
        BackgroundNode(node_settings(spool)) as node,
        httpx.Client(base_url=node.url, timeout=60) as client,
    ):
        assert client.post("/api/v1/pow/init/generate", json=body).status_code == 200
        wait_for(lambda: len(probe.pids() - workers) == 1, what="the new worker")
        (worker,) = probe.pids() - workers
        wait_for(lambda: sum(c["pid"] == worker for c in probe.calls()) >= 3, what="generation after restart")
        assert client.post("/api/v1/pow/init/validate", json=body).status_code == 200
        (verdict,) = wait_for(lambda: receiver.batches("validated"), what="the verdict")
        assert verdict["nonces"] == sample and verdict["n_invalid"] == 0
        assert client.post("/api/v1/pow/stop").status_code == 200
        assert node.app.state.spool.wait_idle(10)
    assert len(receiver.batches("validated")) == 1
    assert_delivered_exactly_once(receiver, probe.valid(r_target))
    assert not list(spool.glob("*.json")) and not list((spool / "validation").glob("*.json"))
