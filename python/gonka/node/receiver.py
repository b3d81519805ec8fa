"""A loopback callback receiver: what the API node's PoC batch endpoint does, for simulations and tests.

It accepts ``POST .../generated`` and ``POST .../validated`` with the ML node's JSON, records each batch once
per ``Idempotency-Key`` (a repeated key is acknowledged, not recorded again) and can be told to fail with
a status code to rehearse outages.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gonka.node.callbacks import IDEMPOTENCY_HEADER


@dataclass
class Delivery:
    kind: str
    payload: dict[str, Any]
    key: str | None


@dataclass
class _Record:
    deliveries: list[Delivery] = field(default_factory=list)
    duplicates: int = 0
    attempts: int = 0
    keys: set[str] = field(default_factory=set)


class CallbackReceiver:
    """Records callback batches on ``http://127.0.0.1:{port}{path}``; ``fail_with`` makes it answer that
    status."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, path: str = "/v1/poc-batches") -> None:
        self.host = host
        self.path = path.rstrip("/")
        self.fail_with: int | None = None
        self._record = _Record()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to put in a PoC init request's ``url`` field."""
        return f"http://{self.host}:{self.port}{self.path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, status: int, body: bytes = b"") -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                kind = self.path.rstrip("/").rsplit("/", 1)[-1]
                if not self.path.startswith(receiver.path + "/") or kind not in ("generated", "validated"):
                    self._answer(404, b"unknown path")
                    return
                with receiver._lock:
                    receiver._record.attempts += 1
                    failing = receiver.fail_with
                if failing is not None:
                    self._answer(failing, b"receiver told to fail")
                    return
                try:
                    payload = json.loads(raw)
                except ValueError:
                    self._answer(400, b"undecodable body")
                    return
                key = self.headers.get(IDEMPOTENCY_HEADER)
                with receiver._lock:
                    if key is not None and key in receiver._record.keys:
                        receiver._record.duplicates += 1
                    else:
                        if key is not None:
                            receiver._record.keys.add(key)
                        receiver._record.deliveries.append(Delivery(kind, payload, key))
                self._answer(200)

        return Handler

    def start(self) -> CallbackReceiver:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="callback-receiver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> CallbackReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what arrived ----------------------------------------------------------------------------------------
    def batches(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [d.payload for d in self._record.deliveries if d.kind == kind]

    @property
    def duplicates(self) -> int:
        with self._lock:
            return self._record.duplicates

    @property
    def attempts(self) -> int:
        with self._lock:
            return self._record.attempts

    def keys(self) -> list[str | None]:
        with self._lock:
            return [d.key for d in self._record.deliveries]
