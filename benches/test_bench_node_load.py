"""Loopback load test of the ML node: concurrent status and validate requests while a worker generates.

Bounded (a fixed number of requests over loopback) and self-contained: it starts a node on 127.0.0.1 with one
CPU worker on the small params, fires ``REQUESTS`` requests from ``CONCURRENCY`` concurrent clients, first
with the node idle (STOPPED) and then while it generates, and prints latency percentiles and the ratio between
the two. Run with ``make bench`` or ``pytest benches/test_bench_node_load.py -s``.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from gonka.node import NodeSettings
from gonka.node.receiver import CallbackReceiver
from gonka.node.server import BackgroundNode
from gonka.poc import PARAMS_SMALL

REQUESTS = 2000
CONCURRENCY = 32
VALIDATE_EVERY = 4  # one request in four is a /pow/validate of an 8-nonce batch


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": ordered[-1] * 1000}


async def fire(url: str, *, with_validate: bool) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(REQUESTS):
        queue.put_nowait(i)
    batch = {
        "public_key": "bench-key",
        "block_hash": "bench-block",
        "block_height": 1,
        "nonces": list(range(8)),
        "dist": [1.0] * 8,
        "node_id": 0,
    }
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                if with_validate and i % VALIDATE_EVERY == 0:
                    response = await client.post("/api/v1/pow/validate", json=batch)
                else:
                    response = await client.get("/api/v1/pow/status")
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200

        wall = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        wall = time.perf_counter() - wall
    return latencies, wall, errors


@pytest.mark.slow
def test_status_and_validate_latency_while_generating():
    with tempfile.TemporaryDirectory() as tmp, CallbackReceiver() as receiver:
        settings = NodeSettings(
            host="127.0.0.1",
            port=0,
            spool_dir=Path(tmp) / "spool",
            devices="cpu",
            dtype="float32",
            batch_size=8,
            flush_interval=1.0,
            log_format="text",
            log_level="WARNING",
        )
        with BackgroundNode(settings) as node, httpx.Client(base_url=node.url, timeout=60) as client:
            idle, idle_wall, idle_errors = asyncio.run(fire(node.url, with_validate=False))
            body = {
                "node_id": 0,
                "node_count": 1,
                "block_hash": "bench-block",
                "block_height": 1,
                "public_key": "bench-key",
                "batch_size": 8,
                "r_target": 1.345,
                "fraud_threshold": 1e-7,
                "params": PARAMS_SMALL.to_dict(),
                "url": receiver.url,
            }
            assert client.post("/api/v1/pow/init/generate", json=body).status_code == 200
            deadline = time.monotonic() + 120
            while not client.get("/api/v1/pow/status").json().get("is_model_initialized"):
                assert time.monotonic() < deadline, "model did not load"
                time.sleep(0.2)
            busy, busy_wall, busy_errors = asyncio.run(fire(node.url, with_validate=True))
            client.post("/api/v1/stop")

    idle_p, busy_p = percentiles(idle), percentiles(busy)
    print(f"\nML node loopback load: {REQUESTS} requests, {CONCURRENCY} concurrent clients")
    print(f"{'':28}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>9}")
    for name, p, wall in (
        ("idle (status)", idle_p, idle_wall),
        ("generating (status+validate)", busy_p, busy_wall),
    ):
        print(f"{name:28}{p['p50']:9.2f}{p['p90']:9.2f}{p['p99']:9.2f}{p['max']:9.2f}{REQUESTS / wall:9.0f}")
    print(f"p50 ratio generating/idle: {busy_p['p50'] / idle_p['p50']:.2f}x; "
          f"mean {statistics.mean(busy) * 1000:.2f} ms")  # fmt: skip
    assert idle_errors == 0 and busy_errors == 0
