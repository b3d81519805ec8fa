"""Durable files: written whole or not at all, and the record of whether the disk still takes writes."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

from gonka.node.errors import StorageError


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that it is either absent or complete, even across a crash (tmp, fsync, rename).

    On failure (a full disk, say) the temporary file is removed and :class:`OSError` propagates.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
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


class DurableDirectory:
    """A directory of durable records that knows whether the disk takes its writes.

    ``write`` raises :class:`~gonka.node.errors.StorageError` instead of ``OSError``. ``error`` holds the last
    failure until a write succeeds again; while it is set, reading it tries a small probe write (at most once
    per ``PROBE_INTERVAL`` seconds), so the readiness check sees a disk recover even if nothing else is
    written.
    """

    PROBE_INTERVAL = 1.0
    PROBE_NAME = ".write-probe"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._error: str | None = None
        self._probed = 0.0

    @property
    def error(self) -> str | None:
        with self._lock:
            if self._error is None or time.monotonic() - self._probed < self.PROBE_INTERVAL:
                return self._error
            self._probed = time.monotonic()
        try:
            write_atomic(self.path / self.PROBE_NAME, b"")
        except OSError:
            pass
        else:
            with self._lock:
                self._error = None
        with self._lock:
            return self._error

    def write(self, name: str, data: bytes) -> Path:
        path = self.path / name
        try:
            write_atomic(path, data)
        except OSError as exc:
            # Per directory, not per file: one message for as long as the disk refuses writes.
            message = f"cannot write to {self.path}: {exc.strerror or exc}"
            with self._lock:
                self._error = message
                self._probed = time.monotonic()
            raise StorageError(message) from exc
        with self._lock:
            self._error = None
        return path
