"""The inference service: starts and stops a configured OpenAI-compatible server (e.g. vLLM) as a child."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
import time

import httpx

from gonka.node.errors import InferenceNotConfigured, InferenceStartError, InvalidSettings
from gonka.node.logs import logger
from gonka.node.models import InferenceInitRequest, check_command_value
from gonka.node.settings import INFERENCE_FIELDS, NodeSettings, template_fields

_STOP_GRACE = 20.0


class InferenceManager:
    def __init__(self, settings: NodeSettings) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        self.request: InferenceInitRequest | None = None
        self.error: str | None = None
        self._lock = threading.RLock()

    @property
    def configured(self) -> bool:
        return bool(self.settings.inference_command.strip())

    def command_for(self, request: InferenceInitRequest) -> list[str]:
        """The command line: the template split into arguments first, then ``{model}`` and ``{dtype}``
        filled in per argument, so a value can never add an argument; ``additional_args`` are appended."""
        try:
            values = {name: check_command_value(name, getattr(request, name)) for name in INFERENCE_FIELDS}
        except ValueError as exc:
            raise InferenceStartError(str(exc)) from None
        command = []
        for token in shlex.split(self.settings.inference_command):
            unknown = [name for name in template_fields(token) if name not in values]
            if unknown:
                raise InvalidSettings(
                    f"inference_command may use only the {{model}} and {{dtype}} fields, not {{{unknown[0]}}}"
                )
            command.append(token.format(**values))
        return [*command, *request.additional_args]

    def is_running(self) -> bool:
        process = self.process
        return process is not None and process.poll() is None

    def is_healthy(self) -> bool:
        return self.error is None and (self.process is None or self.is_running())

    def up(self, request: InferenceInitRequest) -> None:
        if not self.configured:
            raise InferenceNotConfigured(
                "no inference backend is configured on this node: set GONKA_NODE_INFERENCE_COMMAND "
                "(e.g. 'vllm serve {model} --dtype {dtype} --port 5001') or pass --inference-command"
            )
        with self._lock:
            self._stop_locked()
            command = self.command_for(request)
            self.error = None
            try:
                self.process = subprocess.Popen(command, start_new_session=True)
            except OSError as exc:
                self.error = f"cannot start {command[0]!r}: {exc}"
                raise InferenceStartError(self.error) from None
            self.request = request
            logger.info("inference server starting", extra={"model": request.model, "pid": self.process.pid})
            try:
                self._wait_started()
            except InferenceStartError as exc:
                self.error = str(exc)
                self._stop_locked()
                raise

    def _wait_started(self) -> None:
        assert self.process is not None
        health = self.settings.inference_health_url
        timeout = self.settings.inference_start_timeout if health else 1.0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise InferenceStartError(f"inference server exited with code {code} while starting")
            if health:
                try:
                    if httpx.get(health, timeout=2.0).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(1.0)
            else:
                time.sleep(0.1)
        if health:
            raise InferenceStartError(f"inference server not healthy at {health} after {timeout:.0f} s")

    def down(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        process, self.process = self.process, None
        self.request = None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(_STOP_GRACE)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5.0)
        logger.info("inference server stopped", extra={"pid": process.pid})
