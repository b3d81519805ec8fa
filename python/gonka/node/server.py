"""Running a node with uvicorn, in the foreground or in a background thread (embedding, tests, simulation)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from gonka.node.app import create_app
from gonka.node.errors import StartupError
from gonka.node.logs import configure_logging
from gonka.node.settings import NodeSettings


def serve(settings: NodeSettings | None = None) -> None:
    """Serve the node on ``settings.host:settings.port`` until interrupted (SIGINT/SIGTERM stop it
    cleanly)."""
    settings = settings or NodeSettings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


class BackgroundNode:
    """A node served by uvicorn in a daemon thread on an already bound socket (port 0 picks a free one)."""

    def __init__(self, settings: NodeSettings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it keep-alive responses stall on delayed ACKs (~40 ms).
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((settings.host, settings.port))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, timeout_graceful_shutdown=10)
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="gonka-node-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.port}"

    def _run(self) -> None:
        self.server.run(sockets=[self._socket])

    def start(self, timeout: float = 30.0) -> BackgroundNode:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise StartupError("the node did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> BackgroundNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
