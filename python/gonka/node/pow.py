"""PoC orchestration: a session of worker processes (one per GPU group) and the manager that restarts it.

A :class:`PowSession` belongs to one init request. Its collector thread turns worker results into callback
batches: valid generated nonces are merged every ``flush_interval`` seconds into one ``/generated`` batch, and
recomputed chunks of a submitted batch are assembled into one ``/validated`` batch once every nonce is back.
Both go to the durable :class:`~gonka.node.callbacks.CallbackSpool`, never straight to the network, so a phase
switch, a stop or a crash of the receiver loses nothing that was computed.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gonka.node import models as api
from gonka.node.callbacks import CallbackSpool, write_atomic
from gonka.node.logs import logger, redact_url
from gonka.node.metrics import NodeMetrics
from gonka.node.models import Phase, PowInitRequestUrl, PowState
from gonka.node.resources import (
    GpuGroup,
    cpu_memory_need,
    cuda_devices,
    group_memory_need,
    physical_memory,
    plan_groups,
)
from gonka.node.settings import NodeSettings
from gonka.node.worker import ERROR, GENERATED, READY, VALIDATED, WorkerConfig, run_worker

_PHASE_STATE = {
    Phase.IDLE: PowState.IDLE,
    Phase.GENERATE: PowState.GENERATING,
    Phase.VALIDATE: PowState.VALIDATING,
    Phase.STOP: PowState.IDLE,
}
# Weight on the newest sample of a group's nonce rate.
_RATE_SMOOTHING = 0.3


class NotEnoughDeviceMemory(RuntimeError):
    """No GPU group can hold the PoC model these params describe."""


class BatchRejected(ValueError):
    """A submitted batch cannot be validated by this session (message says why)."""


@dataclass
class _Job:
    batch: api.ProofBatch
    chunks_left: int
    path: Path
    dists: dict[int, float] = field(default_factory=dict)


@dataclass
class GroupStats:
    devices: list[str]
    ready: bool = False
    build_seconds: float | None = None
    batch_size: int | None = None
    computed: int = 0
    valid: int = 0
    rate: float = 0.0
    last_report: float | None = None


def resolve_engine(settings: NodeSettings, on_gpu: bool) -> str:
    """The configured engine; ``auto``: Triton on CUDA when it imports there, else the PyTorch engine."""
    if settings.engine != "auto":
        return settings.engine
    if on_gpu:
        from gonka.poc import available_engines

        if "triton" in available_engines():
            return "triton"
    return "torch"


def resolve_dtype(settings: NodeSettings, on_gpu: bool) -> str:
    if settings.dtype != "auto":
        return settings.dtype
    return "float16" if on_gpu else "float32"


class PowSession:
    """Worker processes, queues and result collection for one init request."""

    def __init__(
        self,
        request: PowInitRequestUrl,
        settings: NodeSettings,
        spool: CallbackSpool,
        metrics: NodeMetrics,
    ) -> None:
        from gonka.poc import Params

        self.request = request
        self.settings = settings
        self.spool = spool
        self.metrics = metrics
        params = Params.from_dict(request.params.model_dump())
        devices = cuda_devices(settings.devices)
        on_gpu = bool(devices)
        self.engine = resolve_engine(settings, on_gpu)
        self.dtype = resolve_dtype(settings, on_gpu)
        groups: list[GpuGroup | None]
        if on_gpu:
            need = group_memory_need(params, self.engine)
            # PocModel runs on one device, so a group is one GPU that holds the whole model.
            planned = plan_groups(devices, need, max_group_size=1)
            if not planned:
                biggest = max(d.total_bytes for d in devices) / 2**30
                raise NotEnoughDeviceMemory(
                    f"no GPU has the {need / 2**30:.1f} GiB these params need with the "
                    f"{self.engine} engine (largest GPU: {biggest:.1f} GiB)"
                )
            groups = list(planned)
        else:
            need, total = cpu_memory_need(params, self.dtype), physical_memory()
            if total is not None and need > total:
                raise NotEnoughDeviceMemory(
                    f"these params need about {need / 2**30:.1f} GiB of RAM for a CPU worker ({self.dtype}) "
                    f"and this machine has {total / 2**30:.1f} GiB; run them on a GPU node"
                )
            groups = [None]
        ctx = multiprocessing.get_context("spawn")
        self.phase = ctx.Value("i", Phase.IDLE)
        self.to_validate = ctx.Queue()
        self.results = ctx.Queue()
        self.groups: list[GroupStats] = []
        self.processes: list[Any] = []
        for group_id, group in enumerate(groups):
            names = tuple(group.torch_names) if group is not None else ("cpu",)
            cfg = WorkerConfig(
                group_id=group_id,
                n_groups=len(groups),
                params=params.to_dict(),
                block_hash=request.block_hash,
                block_height=request.block_height,
                public_key=request.public_key,
                node_id=request.node_id,
                node_count=request.node_count,
                r_target=request.r_target,
                devices=names,
                engine=self.engine,
                dtype=self.dtype,
                batch_size=settings.batch_size,
            )
            self.groups.append(GroupStats(devices=list(names)))
            self.processes.append(
                ctx.Process(
                    target=run_worker,
                    args=(cfg, self.phase, self.to_validate, self.results),
                    name=f"gonka-poc-worker-{group_id}",
                    daemon=True,
                )
            )
        self.errors: list[str] = []
        self._jobs_dir = Path(settings.spool_dir) / "validation"
        self._jobs_dir.mkdir(parents=True, exist_ok=True)
        self._jobs: dict[int, _Job] = {}
        self._job_ids = itertools.count(1)
        self._pending_generated: list[dict[str, Any]] = []
        self._last_flush = time.monotonic()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._collector = threading.Thread(target=self._collect, name="gonka-poc-collector", daemon=True)

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> None:
        for process in self.processes:
            process.start()
        self._collector.start()
        self._resume_jobs()
        logger.info(
            "PoC session started",
            extra={
                "groups": [g.devices for g in self.groups],
                "engine": self.engine,
                "dtype": self.dtype,
                "block_height": self.request.block_height,
                "node_id": self.request.node_id,
                "node_count": self.request.node_count,
                "callback": redact_url(self.request.url),
            },
        )

    def stop(self) -> None:
        """Stop the workers (join, then terminate, then kill), then spool whatever they had computed."""
        self.phase.value = Phase.STOP
        deadline = time.monotonic() + self.settings.worker_stop_timeout
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(2.0)
            if process.is_alive():
                logger.error("worker ignored SIGTERM, killing it", extra={"pid": process.pid})
                process.kill()
                process.join(2.0)
        self._closing.set()
        self._collector.join(5.0)
        for q in (self.to_validate, self.results):
            q.cancel_join_thread()
            q.close()
        if self._jobs:
            # They stay on disk: a later session of the same block validates them.
            logger.warning(
                "PoC stopped with batches still being validated",
                extra={
                    "batches": len(self._jobs),
                    "nonces": sum(len(j.batch.nonces) for j in self._jobs.values()),
                },
            )
        logger.info("PoC session stopped", extra={"block_height": self.request.block_height})

    def is_running(self) -> bool:
        return all(p.is_alive() for p in self.processes)

    def is_model_initialized(self) -> bool:
        return all(g.ready for g in self.groups)

    def set_phase(self, phase: int) -> None:
        self.phase.value = phase
        logger.info("PoC phase changed", extra={"phase": _PHASE_STATE[phase].value})

    def status(self) -> dict[str, Any]:
        state = _PHASE_STATE.get(self.phase.value, PowState.IDLE)
        initialized = self.is_model_initialized()
        if state == PowState.IDLE and not initialized:
            state = PowState.LOADING
        return {"status": state.value, "is_model_initialized": initialized}

    # -- validation ------------------------------------------------------------------------------------------
    def _resume_jobs(self) -> None:
        """Queue again the submitted batches an earlier session of this block received but did not finish.

        Batches of an earlier PoC stage (a lower block height) can no longer be validated by this node, whose
        model is built from a later block, and their verdict would come after that stage closed: their files
        are removed, with a warning, so that they do not pile up."""
        resumed = 0
        expired = []
        for path in sorted(self._jobs_dir.glob("*.json")):
            try:
                batch = api.ProofBatch.model_validate_json(path.read_bytes())
            except (OSError, ValueError) as exc:
                logger.error(
                    "unreadable validation job kept aside", extra={"file": str(path), "error": str(exc)}
                )
                os.replace(path, path.with_name(path.name + ".unreadable"))
                continue
            if batch.block_hash == self.request.block_hash:
                self.submit(batch, path=path)
                resumed += 1
            elif batch.block_height < self.request.block_height:
                expired.append(batch)
                path.unlink(missing_ok=True)
        if expired:
            logger.warning(
                "dropped validation jobs of earlier PoC stages",
                extra={
                    "batches": len(expired),
                    "nonces": sum(len(b.nonces) for b in expired),
                    "block_heights": sorted({b.block_height for b in expired}),
                },
            )
        if resumed:
            logger.info("resumed validation of batches received before a restart", extra={"batches": resumed})

    def submit(self, batch: api.ProofBatch, *, path: Path | None = None) -> int:
        """Queue a batch for recomputation; it is kept on disk until its verdict is spooled."""
        if batch.block_hash != self.request.block_hash:
            raise BatchRejected(
                f"batch block_hash {batch.block_hash!r} differs from the block_hash this node's PoC model "
                f"was built from ({self.request.block_hash!r}); initialize PoC with that block first"
            )
        chunk = max(1, min((g.batch_size or self.request.batch_size) for g in self.groups))
        job_id = next(self._job_ids)
        chunks = [batch.nonces[i : i + chunk] for i in range(0, len(batch.nonces), chunk)]
        if path is None:
            path = self._jobs_dir / f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"
            write_atomic(path, batch.model_dump_json().encode())
        with self._lock:
            self._jobs[job_id] = _Job(batch=batch, chunks_left=len(chunks), path=path)
            if not chunks:
                self._finish_job(job_id)
        for index, nonces in enumerate(chunks):
            self.to_validate.put((job_id, index, batch.public_key, nonces))
        return job_id

    def _finish_job(self, job_id: int) -> None:
        from gonka.poc import ProofBatch, ValidatedBatch

        job = self._jobs.pop(job_id)
        b = job.batch
        received = ProofBatch(
            b.public_key, b.block_hash, b.block_height, list(b.nonces), list(b.dist), b.node_id
        )
        recomputed = [job.dists[n] for n in b.nonces]
        validated = ValidatedBatch.from_recomputed(
            received, recomputed, r_target=self.request.r_target, fraud_threshold=self.request.fraud_threshold
        )
        payload = validated.to_dict()
        self.metrics.nonces_validated.inc(len(b.nonces))
        logger.info(
            "batch validated",
            extra={
                "nonces": len(b.nonces),
                "n_invalid": payload.get("n_invalid"),
                "fraud_detected": payload.get("fraud_detected"),
            },
        )
        self.spool.enqueue("validated", self.request.url, payload)
        job.path.unlink(missing_ok=True)

    # -- result collection -----------------------------------------------------------------------------------
    def _collect(self) -> None:
        while True:
            try:
                message = self.results.get(timeout=0.05)
            except queue.Empty:
                message = None
            except (EOFError, OSError, ValueError):
                break
            if message is not None:
                try:
                    self._handle(message)
                except Exception:
                    logger.exception("failed to handle a worker result")
            elif self._closing.is_set():
                break
            if time.monotonic() - self._last_flush >= self.settings.flush_interval:
                self._flush_generated()
        self._flush_generated()

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind, group_id = message[0], message[1]
        stats = self.groups[group_id]
        label = str(group_id)
        if kind == READY:
            stats.ready, stats.build_seconds, stats.batch_size = True, message[2], message[3]
            self.metrics.model_build_seconds.labels(label).set(message[2])
            logger.info(
                "PoC model ready",
                extra={"group": group_id, "build_s": round(message[2], 3), "batch_size": message[3]},
            )
        elif kind == GENERATED:
            _, _, n_computed, payload, _seconds = message
            now = time.monotonic()
            if stats.last_report is not None and now > stats.last_report:
                sample = n_computed / (now - stats.last_report)
                stats.rate = (
                    sample
                    if stats.rate == 0
                    else (1 - _RATE_SMOOTHING) * stats.rate + _RATE_SMOOTHING * sample
                )
            stats.last_report = now
            stats.computed += n_computed
            self.metrics.nonces_computed.labels(label).inc(n_computed)
            self.metrics.group_rate.labels(label).set(stats.rate)
            if payload is not None:
                stats.valid += len(payload["nonces"])
                self.metrics.nonces_valid.labels(label).inc(len(payload["nonces"]))
                self._pending_generated.append(payload)
        elif kind == VALIDATED:
            _, _, job_id, _index, nonces, dists = message
            with self._lock:
                job = self._jobs.get(job_id)
                if job is None:
                    return
                job.dists.update(zip(nonces, dists, strict=True))
                job.chunks_left -= 1
                if job.chunks_left == 0:
                    self._finish_job(job_id)
        elif kind == ERROR:
            self.errors.append(message[2])
            logger.error("PoC worker failed", extra={"group": group_id, "error": message[2]})

    def _flush_generated(self) -> None:
        self._last_flush = time.monotonic()
        if not self._pending_generated:
            return
        from gonka.poc import ProofBatch

        merged = ProofBatch.merge([ProofBatch.from_dict(p) for p in self._pending_generated])
        self._pending_generated = []
        self.spool.enqueue("generated", self.request.url, merged.to_dict())


class PowManager:
    """Owns at most one :class:`PowSession`; restarts it only when the init request really changes."""

    def __init__(self, settings: NodeSettings, spool: CallbackSpool, metrics: NodeMetrics) -> None:
        self.settings = settings
        self.spool = spool
        self.metrics = metrics
        self.session: PowSession | None = None
        self._lock = threading.RLock()

    @property
    def init_request(self) -> PowInitRequestUrl | None:
        session = self.session
        return session.request if session is not None else None

    def is_running(self) -> bool:
        session = self.session
        return session is not None and session.is_running()

    def is_healthy(self) -> bool:
        session = self.session
        return session is None or (session.is_running() and not session.errors)

    def switch_to_pow(self, request: PowInitRequestUrl) -> None:
        with self._lock:
            self._stop_locked()
            session = PowSession(request, self.settings, self.spool, self.metrics)
            session.start()
            self.session = session

    def ensure(self, request: PowInitRequestUrl) -> None:
        """Start a session for ``request`` unless one is already running for an identical request."""
        with self._lock:
            if not self.is_running() or self.init_request != request:
                self.switch_to_pow(request)

    def set_phase(self, phase: int) -> None:
        with self._lock:
            if self.session is None:
                raise RuntimeError("PoW is not running")
            self.session.set_phase(phase)

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            session.stop()

    def status(self) -> dict[str, Any]:
        session = self.session
        if session is None:
            return {"status": PowState.NOT_LOADED.value}
        return session.status()

    def submit(self, batch: api.ProofBatch) -> int:
        session = self.session
        if session is None or not session.is_running():
            raise RuntimeError("PoW is not running")
        return session.submit(batch)
