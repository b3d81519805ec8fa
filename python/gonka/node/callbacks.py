"""Callback delivery that loses nothing: batches are spooled to disk, then POSTed until a receiver takes them.

Every batch is written atomically (temporary file, fsync, rename) to the spool directory before any delivery
is tried, so it survives receiver outages, PoC phase switches and node restarts. A delivery thread POSTs
spooled batches in creation order with an ``Idempotency-Key`` header (the batch id, stable across retries and
restarts); on a transport error, a 5xx, 408, 425 or 429 it retries with exponential backoff and jitter; on a
2xx the file is removed; on any other 4xx the batch is moved to ``rejected/`` with the receiver's answer and
logged.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gonka.node.logs import logger, redact_url
from gonka.node.metrics import NodeMetrics

KINDS = ("generated", "validated")
IDEMPOTENCY_HEADER = "Idempotency-Key"
# 4xx answers that mean "try later", not "this batch is wrong".
_RETRYABLE_4XX = {408, 425, 429}


@dataclass
class SpooledBatch:
    id: str
    kind: str
    url: str
    payload: dict[str, Any]
    created: float
    path: Path
    attempts: int = 0
    next_attempt: float = 0.0


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that it is either absent or complete, even across a crash (tmp, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class CallbackSpool:
    """Durable outbox of callback batches plus the thread that delivers them."""

    def __init__(
        self,
        directory: Path,
        metrics: NodeMetrics | None = None,
        *,
        timeout: float = 10.0,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = Path(directory)
        self.rejected_dir = self.directory / "rejected"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rejected_dir.mkdir(exist_ok=True)
        self.metrics = metrics or NodeMetrics()
        self.timeout = timeout
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._transport = transport
        self._clock = clock
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._pending: dict[str, SpooledBatch] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_fd = -1

    def _claim_directory(self) -> int:
        # Two nodes delivering from one spool would send every batch twice.
        fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RuntimeError(
                f"spool directory {self.directory} is in use by another node; "
                "give each node its own spool_dir"
            ) from None
        return fd

    def close(self) -> None:
        """Stop delivering and release the spool directory."""
        self.stop()
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    # -- spool -----------------------------------------------------------------------------------------------
    def _load(self) -> None:
        for path in sorted(self.directory.glob("*.json")):
            try:
                record = json.loads(path.read_text())
                batch = SpooledBatch(
                    id=record["id"],
                    kind=record["kind"],
                    url=record["url"],
                    payload=record["payload"],
                    created=float(record["created"]),
                    path=path,
                )
            except (OSError, ValueError, KeyError, TypeError) as exc:
                # A file we cannot read is kept aside, never deleted: it may still be recoverable by hand.
                target = self.rejected_dir / (path.name + ".unreadable")
                os.replace(path, target)
                logger.error(
                    "unreadable spool file moved aside", extra={"file": str(target), "error": str(exc)}
                )
                continue
            self._pending.setdefault(batch.id, batch)
        if self._pending:
            logger.info("loaded spooled callback batches", extra={"count": len(self._pending)})
        self._update_gauges()

    def enqueue(self, kind: str, base_url: str, payload: dict[str, Any]) -> str:
        """Persist a batch for ``POST {base_url}/{kind}``; returns its idempotency id. Durable on return."""
        if kind not in KINDS:
            raise ValueError(f"unknown callback kind {kind!r}")
        batch_id = uuid.uuid4().hex
        created = time.time()
        path = self.directory / f"{time.time_ns():020d}-{kind}-{batch_id}.json"
        url = f"{base_url.rstrip('/')}/{kind}"
        record = {"id": batch_id, "kind": kind, "url": url, "payload": payload, "created": created}
        write_atomic(path, json.dumps(record).encode())
        with self._wake:
            self._pending[batch_id] = SpooledBatch(batch_id, kind, url, payload, created, path)
            self._update_gauges()
            self._wake.notify_all()
        logger.info(
            "callback batch spooled",
            extra={"batch_id": batch_id, "kind": kind, "nonces": len(payload.get("nonces", []))},
        )
        return batch_id

    def pending(self, kind: str | None = None) -> int:
        with self._lock:
            return sum(1 for b in self._pending.values() if kind is None or b.kind == kind)

    def _update_gauges(self) -> None:
        for kind in KINDS:
            self.metrics.batches_pending.labels(kind).set(
                sum(1 for b in self._pending.values() if b.kind == kind)
            )

    # -- delivery --------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Claim the spool directory, load what earlier runs left in it and start delivering."""
        if self._thread is not None:
            return
        if self._lock_fd < 0:
            self._lock_fd = self._claim_directory()
        with self._lock:
            self._load()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gonka-callbacks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop delivering; what is not delivered stays in the spool for the next start."""
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout if timeout is not None else self.timeout + 1)
            self._thread = None

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is pending (True) or the timeout passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pending() == 0:
                return True
            time.sleep(0.02)
        return self.pending() == 0

    def _backoff(self, attempts: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
        return delay * random.uniform(0.5, 1.0)

    def _due(self) -> list[SpooledBatch]:
        now = self._clock()
        with self._lock:
            batches = sorted(self._pending.values(), key=lambda b: b.path.name)
        return [b for b in batches if b.next_attempt <= now]

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, transport=self._transport) as client:
            while not self._stop.is_set():
                for batch in self._due():
                    if self._stop.is_set():
                        break
                    if not self._deliver(client, batch):
                        # The receiver is unavailable: wait for the backoff instead of hammering it.
                        break
                with self._wake:
                    if self._stop.is_set():
                        break
                    self._wake.wait(self._sleep_time())

    def _sleep_time(self) -> float:
        now = self._clock()
        waits = [b.next_attempt - now for b in self._pending.values()]
        if not waits:
            return 1.0
        return max(0.01, min(1.0, min(waits)))

    def _deliver(self, client: httpx.Client, batch: SpooledBatch) -> bool:
        """One attempt; True unless the receiver is unavailable (so the caller stops this round)."""
        started = time.monotonic()
        try:
            response = client.post(batch.url, json=batch.payload, headers={IDEMPOTENCY_HEADER: batch.id})
        except httpx.HTTPError as exc:
            self._retry_later(batch, f"{type(exc).__name__}: {exc}")
            return False
        finally:
            self.metrics.callback_seconds.labels(batch.kind).observe(time.monotonic() - started)
        status = response.status_code
        if 200 <= status < 300:
            self._forget(batch)
            self.metrics.batches_sent.labels(batch.kind).inc()
            logger.info(
                "callback batch delivered",
                extra={
                    "batch_id": batch.id,
                    "kind": batch.kind,
                    "status": status,
                    "attempts": batch.attempts + 1,
                },
            )
            return True
        if 400 <= status < 500 and status not in _RETRYABLE_4XX:
            self._reject(batch, status, response.text[:2000])
            return True
        self._retry_later(batch, f"HTTP {status}: {response.text[:200]}")
        return status < 500

    def _retry_later(self, batch: SpooledBatch, reason: str) -> None:
        batch.attempts += 1
        delay = self._backoff(batch.attempts)
        batch.next_attempt = self._clock() + delay
        self.metrics.callback_retries.labels(batch.kind).inc()
        logger.warning(
            "callback delivery failed, will retry",
            extra={
                "batch_id": batch.id,
                "kind": batch.kind,
                "url": redact_url(batch.url),
                "attempts": batch.attempts,
                "retry_in_s": round(delay, 3),
                "reason": reason,
            },
        )

    def _forget(self, batch: SpooledBatch) -> None:
        try:
            batch.path.unlink()
        except FileNotFoundError:
            pass
        with self._lock:
            self._pending.pop(batch.id, None)
            self._update_gauges()

    def _reject(self, batch: SpooledBatch, status: int, body: str) -> None:
        record = {
            "id": batch.id,
            "kind": batch.kind,
            "url": batch.url,
            "payload": batch.payload,
            "created": batch.created,
            "rejected_status": status,
            "rejected_body": body,
        }
        write_atomic(self.rejected_dir / batch.path.name, json.dumps(record).encode())
        self._forget(batch)
        self.metrics.batches_failed.labels(batch.kind).inc()
        logger.error(
            "callback batch rejected by the receiver and dropped",
            extra={
                "batch_id": batch.id,
                "kind": batch.kind,
                "url": redact_url(batch.url),
                "status": status,
                "reason": body[:500],
            },
        )
