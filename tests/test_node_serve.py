"""`gonka node serve` as a process: it serves, stops its workers on SIGTERM, leaves none behind on SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("torch")

import httpx
from gonka.poc import PARAMS_SMALL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
    return value


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "GONKA_NODE_DTYPE": "float32",
        "GONKA_NODE_BATCH_SIZE": "8",
        "GONKA_NODE_LOG_FORMAT": "json",
    }
    command = [sys.executable, "-c", "from gonka.cli import main; main()", "node", "serve"]
    args = [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--devices",
        "cpu",
        "--spool-dir",
        str(tmp_path / "spool"),
    ]
    process = subprocess.Popen([*command, *args], env=env, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(url + "/readyz").status_code == 200
        except httpx.HTTPError:
            assert process.poll() is None, process.stderr.read().decode()
            return False

    wait_for(up, 120, "the node to serve")
    body = {
        "node_id": 0,
        "node_count": 1,
        "block_hash": "serve-test",
        "block_height": 1,
        "public_key": "pk",
        "batch_size": 8,
        "r_target": 1.345,
        "fraud_threshold": 1e-7,
        "params": PARAMS_SMALL.to_dict(),
        "url": "http://127.0.0.1:9/cb",
    }
    assert httpx.post(url + "/api/v1/pow/init/generate", json=body, timeout=60).status_code == 200
    (worker,) = wait_for(lambda: [p for p in children(process.pid) if is_worker(p)], 30, "the worker process")
    try:
        yield process, worker, url, children(process.pid)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_sigterm_stops_the_workers_and_exits(served):
    process, worker, url, _ = served
    assert httpx.get(url + "/api/v1/state").json() == {"state": "POW"}
    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it captured.
    assert process.wait(30) in (0, -signal.SIGTERM)
    assert not alive(worker)
    log = process.stderr.read().decode()
    assert '"msg": "PoC session stopped"' in log  # structured JSON log lines
    assert '"msg": "ML node stopped"' in log


def test_workers_die_with_a_killed_node(served):
    process, worker, _, spawned = served
    assert worker in spawned
    process.kill()
    process.wait(10)
    # The worker and multiprocessing's resource tracker both go with the node.
    wait_for(lambda: not any(alive(pid) for pid in spawned), 10, f"the orphaned processes {spawned} to die")
