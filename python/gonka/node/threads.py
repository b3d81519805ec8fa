"""Background loops the node's health checks watch, and restart when they end."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from gonka.node.logs import logger


class ServiceThread:
    """A daemon thread that runs ``step()`` again and again until :meth:`stop`.

    An exception in a step is logged and counted and the loop goes on after ``pause`` seconds, so no input can
    end it; ``failing`` holds the error until a step succeeds again. Should the thread end anyway (a
    ``BaseException`` such as ``SystemExit``), ``alive`` turns False and :meth:`ensure_running` starts a new
    one. ``on_stop`` runs in the thread once a stop was asked for (a last flush, closing a client).
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], None],
        *,
        pause: float = 0.5,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self._step = step
        self._pause = pause
        self._on_stop = on_stop
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.failures = 0
        self.restarts = 0
        self.failing: str | None = None

    @property
    def alive(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    @property
    def healthy(self) -> bool:
        return self.alive and self.failing is None

    def start(self) -> None:
        with self._lock:
            if self.alive:
                return
            self.stopping.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def ensure_running(self) -> bool:
        """Start the thread again if it ended without being asked to; True if it was restarted."""
        with self._lock:
            thread = self._thread
            if thread is None or thread.is_alive() or self.stopping.is_set():
                return False
            self.restarts += 1
            logger.error("background thread ended unexpectedly, restarting it", extra={"service": self.name})
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
            return True

    def stop(self, timeout: float | None = None) -> bool:
        """Ask the loop to end, run ``on_stop`` and wait up to ``timeout``; True once the thread is gone."""
        self.stopping.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def status(self) -> dict[str, Any]:
        return {
            "alive": self.alive,
            "restarts": self.restarts,
            "failures": self.failures,
            "failing": self.failing,
        }

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._step()
            except Exception as exc:
                self.failures += 1
                self.failing = f"{type(exc).__name__}: {exc}"
                logger.exception("background step failed, going on", extra={"service": self.name})
                self.stopping.wait(self._pause)
            else:
                self.failing = None
        if self._on_stop is not None:
            try:
                self._on_stop()
            except Exception:
                logger.exception("background thread failed to finish cleanly", extra={"service": self.name})
