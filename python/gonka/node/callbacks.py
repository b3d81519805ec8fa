"""Callback delivery that loses nothing: batches are spooled to disk, then POSTed until a receiver takes them.

Every batch is written atomically (temporary file, fsync, rename) to the spool directory before any delivery
is tried, so it survives receiver outages, PoC phase switches and node restarts. A delivery thread POSTs
spooled batches in creation order with an ``Idempotency-Key`` header (the batch id, stable across retries and
restarts). Every outcome of an attempt is a decision about the batch, never the end of the thread: on a
transport error (refused, reset, timeout, an answer that is not HTTP), a 5xx, 408, 425 or 429 it retries with
exponential backoff and jitter; on a 2xx the file is removed; on any other 4xx, or when no request can be
made for it (a malformed URL or scheme), the batch is moved to ``rejected/`` with the reason and logged.
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

from gonka.errors import InvalidInput
from gonka.node.errors import SpoolInUse, StorageError
from gonka.node.logs import logger, redact_url
from gonka.node.metrics import NodeMetrics
from gonka.node.storage import DurableDirectory
from gonka.node.threads import ServiceThread

KINDS = ("generated", "validated")
IDEMPOTENCY_HEADER = "Idempotency-Key"
# 4xx answers that mean "try later", not "this batch is wrong".
_RETRYABLE_4XX = {408, 425, 429}
# Errors raised before anything is sent: retrying cannot help.
_UNSENDABLE = (httpx.InvalidURL, httpx.UnsupportedProtocol)


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
        self.store = DurableDirectory(Path(directory))
        self.directory = self.store.path
        self.rejected = DurableDirectory(self.directory / "rejected")
        self.rejected_dir = self.rejected.path
        self.metrics = metrics or NodeMetrics()
        self.timeout = timeout
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._transport = transport
        self._clock = clock
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._pending: dict[str, SpooledBatch] = {}
        self._client: httpx.Client | None = None
        self.thread = ServiceThread("gonka-callbacks", self._round, on_stop=self._close_client)
        self._lock_fd = -1

    def _claim_directory(self) -> int:
        # Two nodes delivering from one spool would send every batch twice.
        fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SpoolInUse(
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
                    id=str(record["id"]),
                    kind=record["kind"],
                    url=str(record["url"]),
                    payload=dict(record["payload"]),
                    created=float(record["created"]),
                    path=path,
                )
                if batch.kind not in KINDS:
                    raise ValueError(f"unknown callback kind {batch.kind!r}")
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

    def enqueue(
        self, kind: str, base_url: str, payload: dict[str, Any], *, batch_id: str | None = None
    ) -> str:
        """Persist a batch for ``POST {base_url}/{kind}``; returns its idempotency id. Durable on return.

        ``batch_id`` makes the call idempotent: a batch with that id that is still pending is not spooled
        again. Raises :class:`~gonka.node.errors.StorageError` if the batch cannot be written (nothing is
        spooled then; the caller still holds the batch).
        """
        if kind not in KINDS:
            raise InvalidInput(f"unknown callback kind {kind!r}; expected one of {', '.join(KINDS)}")
        batch_id = batch_id or uuid.uuid4().hex
        with self._lock:
            if batch_id in self._pending:
                return batch_id
        created = time.time()
        url = f"{base_url.rstrip('/')}/{kind}"
        record = {"id": batch_id, "kind": kind, "url": url, "payload": payload, "created": created}
        path = self.store.write(f"{time.time_ns():020d}-{kind}-{batch_id}.json", json.dumps(record).encode())
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

    @property
    def write_error(self) -> str | None:
        """Why the last write into the spool failed, until one succeeds again."""
        return self.store.error or self.rejected.error

    @property
    def healthy(self) -> bool:
        """Delivering (the thread runs) and able to write."""
        return self.thread.healthy and self.write_error is None

    def _update_gauges(self) -> None:
        for kind in KINDS:
            self.metrics.batches_pending.labels(kind).set(
                sum(1 for b in self._pending.values() if b.kind == kind)
            )

    # -- delivery --------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Claim the spool directory, load what earlier runs left in it and start delivering."""
        if self.thread.alive:
            return
        if self._lock_fd < 0:
            self._lock_fd = self._claim_directory()
        with self._lock:
            self._load()
        self.thread.start()

    def ensure_running(self) -> bool:
        """Restart the delivery thread if it ended unexpectedly (True if it did)."""
        return self.thread.ensure_running()

    def stop(self, timeout: float | None = None) -> None:
        """Stop delivering; what is not delivered stays in the spool for the next start."""
        self.thread.stopping.set()
        with self._wake:
            self._wake.notify_all()
        self.thread.stop(timeout if timeout is not None else self.timeout + 1)

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
        return float(delay * random.uniform(0.5, 1.0))

    def _due(self) -> list[SpooledBatch]:
        now = self._clock()
        with self._lock:
            batches = sorted(self._pending.values(), key=lambda b: b.path.name)
        return [b for b in batches if b.next_attempt <= now]

    def _round(self) -> None:
        """One delivery round over the due batches, then a wait for new ones or the next due time."""
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, transport=self._transport)
        for batch in self._due():
            if self.thread.stopping.is_set():
                return
            if not self._deliver(self._client, batch):
                # The receiver is unavailable: wait for the backoff instead of hammering it.
                break
        with self._wake:
            if not self.thread.stopping.is_set():
                self._wake.wait(self._sleep_time())

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

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
        except _UNSENDABLE as exc:
            self._reject(batch, None, f"{type(exc).__name__}: {exc}")
            return True
        except httpx.HTTPError as exc:
            self._retry_later(batch, f"{type(exc).__name__}: {exc}")
            return False
        except Exception as exc:
            # Not a network outcome: the batch itself cannot be sent, and retrying would only repeat this.
            logger.exception("callback batch could not be sent", extra={"batch_id": batch.id})
            self._reject(batch, None, f"{type(exc).__name__}: {exc}")
            return True
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
            batch.path.unlink(missing_ok=True)
        except OSError as exc:
            # Delivered: a file left behind is sent again after a restart, under the same idempotency key.
            logger.error(
                "cannot remove a delivered spool file", extra={"file": str(batch.path), "error": str(exc)}
            )
        with self._lock:
            self._pending.pop(batch.id, None)
            self._update_gauges()

    def _reject(self, batch: SpooledBatch, status: int | None, reason: str) -> None:
        record = {
            "id": batch.id,
            "kind": batch.kind,
            "url": batch.url,
            "payload": batch.payload,
            "created": batch.created,
            "rejected_status": status,
            "rejected_body": reason,
        }
        try:
            self.rejected.write(batch.path.name, json.dumps(record).encode())
        except StorageError as exc:
            # It stays pending (and on disk): dropping it is retried after the backoff.
            self._retry_later(batch, f"rejected, but {exc}")
            return
        self._forget(batch)
        self.metrics.batches_failed.labels(batch.kind).inc()
        logger.error(
            "callback batch rejected and dropped",
            extra={
                "batch_id": batch.id,
                "kind": batch.kind,
                "url": redact_url(batch.url),
                "status": status,
                "reason": reason[:500],
            },
        )
