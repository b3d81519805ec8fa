"""PoC process supervision: a session of worker processes (one per GPU group) and the manager that owns it.

A :class:`PowSession` belongs to one init request. Everything that can fail on bad input or a bad disk (the
device plan, the validation jobs and generation progress left by earlier sessions) is settled before the
first worker is spawned. Its session thread then reads each worker's result pipe, hands the results to the
:class:`~gonka.node.collector.ResultCollector`, sends validation chunks to the workers (a few at a time per
worker, so a dead worker's chunks are known and sent again), and restarts a worker that died, from where its
group stood in the nonce sequence, up to ``worker_restarts`` times per session; after that the session reports
itself failed. On a stop, the workers finish and report the batch in hand, everything they reported is
collected, and what they computed is committed before the session ends.
"""

from __future__ import annotations

import collections
import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from gonka.node.callbacks import CallbackSpool
from gonka.node.collector import Chunk, ResultCollector
from gonka.node.errors import BatchRejected, NotEnoughDeviceMemory, PowNotRunning
from gonka.node.jobs import ValidationJob, ValidationJobStore
from gonka.node.logs import logger, redact_url
from gonka.node.metrics import NodeMetrics
from gonka.node.models import Phase, PowInitRequestUrl, PowState
from gonka.node.progress import GenerationProgress, progress_key
from gonka.node.resources import (
    GpuGroup,
    cpu_memory_need,
    cuda_devices,
    group_memory_need,
    physical_memory,
    plan_groups,
)
from gonka.node.settings import NodeSettings
from gonka.node.threads import ServiceThread
from gonka.node.worker import CHUNK_FAILED, ERROR, GENERATED, READY, VALIDATED, WorkerConfig, run_worker
from gonka.poc.engines import CPU_BATCH_SIZE
from gonka.poc.params import Params
from gonka.poc.proofs import ProofBatch

_PHASE_STATE = {
    Phase.IDLE: PowState.IDLE,
    Phase.GENERATE: PowState.GENERATING,
    Phase.VALIDATE: PowState.VALIDATING,
    Phase.STOP: PowState.IDLE,
}
# Weight on the newest sample of a group's nonce rate.
_RATE_SMOOTHING = 0.3
# Chunks sent to one worker ahead of its results: few enough that a pipe never fills (the node never blocks
# on a worker), enough that a worker never waits for the next one.
_CHUNKS_IN_FLIGHT = 2
# Largest validation chunk (nonces); keeps the chunks in flight well inside a pipe's buffer.
MAX_CHUNK = 1024
# A chunk whose workers died this many times fails its batch instead of killing more workers.
_CHUNK_ATTEMPTS = 2
_POLL = 0.05


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


@dataclass
class _Worker:
    """One worker process and the node's ends of its two pipes."""

    group: int
    process: Any
    results: Connection
    tasks: Connection
    in_flight: dict[tuple[str, int], Chunk] = field(default_factory=dict)
    drained: bool = False  # its result pipe reached its end: the process is gone or going


class PowSession:
    """Worker processes, their supervision and result collection for one init request."""

    def __init__(
        self,
        request: PowInitRequestUrl,
        settings: NodeSettings,
        spool: CallbackSpool,
        jobs: ValidationJobStore,
        metrics: NodeMetrics,
    ) -> None:
        self.request = request
        self.settings = settings
        self.spool = spool
        self.jobs = jobs
        self.metrics = metrics
        self.params: Params = request.params
        devices = cuda_devices(settings.devices)
        on_gpu = bool(devices)
        self.engine = resolve_engine(settings, on_gpu)
        self.dtype = resolve_dtype(settings, on_gpu)
        self._device_groups = self._plan(devices)
        self.groups = [
            GroupStats(devices=list(g.torch_names) if g is not None else ["cpu"]) for g in self._device_groups
        ]
        identity = {
            "block_hash": request.block_hash,
            "block_height": request.block_height,
            "public_key": request.public_key,
            "node_id": request.node_id,
            "node_count": request.node_count,
            "r_target": request.r_target,
            "params": self.params.to_dict(),
            "groups": len(self.groups),
        }
        self.progress = GenerationProgress(
            settings.spool_dir / "progress", progress_key(identity), request.block_height
        )
        self._ctx = multiprocessing.get_context("spawn")
        # A raw value: a worker killed while holding a lock could never block the node on it.
        self.phase = self._ctx.RawValue("i", Phase.IDLE)
        self.workers: list[_Worker | None] = [None] * len(self.groups)
        self.errors: list[str] = []
        self.worker_restarts = 0
        self.failed: str | None = None
        self.collector: ResultCollector | None = None
        self._queue: collections.deque[Chunk] = collections.deque()
        self._chunk_deaths: collections.Counter[tuple[str, int]] = collections.Counter()
        self._lock = threading.RLock()
        self._stopping = False
        self.thread = ServiceThread("gonka-poc-session", self._step, on_stop=self._finish)

    def _plan(self, devices: list[Any]) -> list[GpuGroup | None]:
        if devices:
            need = group_memory_need(self.params, self.engine, self.dtype)
            # PocModel runs on one device, so a group is one GPU that holds the whole model.
            planned = plan_groups(devices, need, max_group_size=1)
            if not planned:
                biggest = max(d.total_bytes for d in devices) / 2**30
                raise NotEnoughDeviceMemory(
                    f"no GPU has the {need / 2**30:.1f} GiB these params need with the {self.engine} engine "
                    f"({self.dtype}; largest GPU: {biggest:.1f} GiB)"
                )
            return list(planned)
        batch = self.settings.batch_size or CPU_BATCH_SIZE
        need, total = cpu_memory_need(self.params, self.dtype, batch), physical_memory()
        if total is not None and need > total:
            raise NotEnoughDeviceMemory(
                f"these params need about {need / 2**30:.1f} GiB of RAM for a CPU worker ({self.dtype}) "
                f"and this machine has {total / 2**30:.1f} GiB; run them on a GPU node"
            )
        return [None]

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Settle what earlier sessions left on disk, then spawn the workers and the session thread.

        Raises (spawning nothing) if the disk refuses what must be written first.
        """
        self.progress.drop_earlier_stages()
        committed, handover = self.progress.load(len(self.groups))
        self.collector = ResultCollector(
            self.request, self.spool, self.jobs, self.progress, self.metrics, committed
        )
        if handover is not None:
            self.collector.hand_over(handover)
        resumed = self.jobs.resume(self.request.block_hash, self.request.block_height)
        logger.info(
            "PoC session starting",
            extra={
                "groups": [g.devices for g in self.groups],
                "engine": self.engine,
                "dtype": self.dtype,
                "block_height": self.request.block_height,
                "node_id": self.request.node_id,
                "node_count": self.request.node_count,
                "resumed_from": committed,
                "callback": redact_url(self.request.url),
            },
        )
        try:
            for group in range(len(self.groups)):
                self.workers[group] = self._spawn(group, committed[group])
            with self._lock:
                for job in resumed:
                    self._queue_job(job)
            self.thread.start()
        except BaseException:
            self.stop()
            raise

    def _spawn(self, group: int, first_index: int) -> _Worker:
        device_group = self._device_groups[group]
        devices = tuple(device_group.torch_names) if device_group is not None else ("cpu",)
        request = self.request
        config = WorkerConfig(
            group_id=group,
            n_groups=len(self.groups),
            params=self.params.to_dict(),
            block_hash=request.block_hash,
            block_height=request.block_height,
            public_key=request.public_key,
            node_id=request.node_id,
            node_count=request.node_count,
            r_target=request.r_target,
            devices=devices,
            engine=self.engine,
            dtype=self.dtype,
            batch_size=self.settings.batch_size,
            first_index=first_index,
        )
        results_in, results_out = self._ctx.Pipe(duplex=False)
        tasks_in, tasks_out = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(
            target=run_worker,
            args=(config, self.phase, tasks_in, results_out),
            name=f"gonka-poc-worker-{group}",
            daemon=True,
        )
        try:
            process.start()
        finally:
            # Only the worker keeps these ends: its death then closes the result pipe for the node.
            results_out.close()
            tasks_in.close()
        self.groups[group].ready = False
        return _Worker(group, process, results_in, tasks_out)

    def stop(self) -> None:
        """Stop the workers (they report the batch in hand; join, then terminate, then kill), collect what
        they reported and commit it."""
        self._stopping = True
        self.phase.value = Phase.STOP
        processes = [w.process for w in self.workers if w is not None and w.process.pid is not None]
        deadline = time.monotonic() + self.settings.worker_stop_timeout
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(2.0)
            if process.is_alive():
                logger.error("worker ignored SIGTERM, killing it", extra={"pid": process.pid})
                process.kill()
                process.join(2.0)
        if self.thread.alive:
            if not self.thread.stop(10.0):
                logger.error("the PoC session thread did not finish")
        else:
            self._finish()
        pending = self.collector.pending_jobs() if self.collector is not None else []
        if pending:
            # They stay on disk: a later session of the same block validates them.
            logger.warning(
                "PoC stopped with batches still being validated",
                extra={"batches": len(pending), "nonces": sum(len(j.batch.nonces) for j in pending)},
            )
        logger.info("PoC session stopped", extra={"block_height": self.request.block_height})

    def _finish(self) -> None:
        """Read what the stopped workers reported until their pipes end, commit it, close the pipes."""
        with self._lock:
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline:
                open_pipes = [w for w in self.workers if w is not None and not w.drained]
                if not open_pipes:
                    break
                self._receive(open_pipes, wait([w.results for w in open_pipes], 0.1))
            if self.collector is not None and not self.collector.flush():
                logger.error(
                    "PoC stopped with results the disk did not take; they are recomputed if PoC restarts "
                    "for this block",
                    extra={"nonces": self.collector.uncommitted_nonces},
                )
            for worker in self.workers:
                if worker is not None:
                    worker.results.close()
                    worker.tasks.close()

    # -- state -----------------------------------------------------------------------------------------------
    @property
    def processes(self) -> list[Any]:
        """The current worker processes (a restarted worker replaces the dead one)."""
        return [w.process for w in self.workers if w is not None]

    def is_running(self) -> bool:
        return self.failed is None and not self._stopping

    def is_model_initialized(self) -> bool:
        return all(g.ready for g in self.groups)

    def failures(self) -> list[str]:
        """What keeps this session from working: a spent restart budget, a dead or failing thread."""
        found = []
        if self.failed is not None:
            found.append(self.failed)
        if not self.thread.alive and not self._stopping:
            found.append("the PoC session thread is not running")
        elif self.thread.failing:
            found.append(f"the PoC session thread is failing: {self.thread.failing}")
        return found

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
    def submit(self, batch: ProofBatch) -> str:
        """Queue a batch for recomputation; it is on disk when this returns, until its verdict is spooled."""
        if batch.block_hash != self.request.block_hash:
            raise BatchRejected(
                f"batch block_hash {batch.block_hash!r} differs from the block_hash this node's PoC model "
                f"was built from ({self.request.block_hash!r}); initialize PoC with that block first"
            )
        job = self.jobs.add(batch)
        with self._lock:
            self._queue_job(job)
        return job.id

    def _queue_job(self, job: ValidationJob) -> None:
        assert self.collector is not None
        sizes = [g.batch_size for g in self.groups if g.batch_size] or [
            self.settings.batch_size or self.request.batch_size
        ]
        self._queue.extend(self.collector.add_job(job, max(1, min(*sizes, MAX_CHUNK))))

    # -- the session thread ----------------------------------------------------------------------------------
    def _step(self) -> None:
        open_pipes = [w for w in self.workers if w is not None and not w.drained]
        # Wait outside the lock: submit() takes it from the HTTP threads.
        ready = wait([w.results for w in open_pipes], _POLL) if open_pipes else []
        if not open_pipes:
            time.sleep(_POLL)
        with self._lock:
            self._receive(open_pipes, ready)
            self._supervise()
            self._dispatch()
            assert self.collector is not None
            if self.collector.flush_due(self.settings.flush_interval):
                self.collector.flush()

    def _receive(self, workers: list[_Worker], ready: list[Any]) -> None:
        """Handle one message from each worker whose result pipe is ready."""
        by_pipe = {id(w.results): w for w in workers}
        for pipe in ready:
            worker = by_pipe[id(pipe)]
            try:
                message = worker.results.recv()
            except (EOFError, OSError):
                # The worker is gone; a message it was writing when it died is incomplete and dropped.
                worker.drained = True
                continue
            self._handle(worker, message)

    def _handle(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        assert self.collector is not None
        kind, group = message[0], worker.group
        stats = self.groups[group]
        label = str(group)
        if kind == READY:
            stats.ready, stats.build_seconds, stats.batch_size = True, message[1], message[2]
            self.metrics.model_build_seconds.labels(label).set(message[1])
            logger.info(
                "PoC model ready",
                extra={"group": group, "build_s": round(message[1], 3), "batch_size": message[2]},
            )
        elif kind == GENERATED:
            _, first_index, n_computed, payload, _seconds = message
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
            self.collector.generated(group, first_index, n_computed, payload)
        elif kind == VALIDATED:
            _, job_id, index, nonces, dists = message
            worker.in_flight.pop((job_id, index), None)
            self.collector.chunk_done(job_id, index, nonces, dists)
        elif kind == CHUNK_FAILED:
            _, job_id, index, error = message
            worker.in_flight.pop((job_id, index), None)
            self._fail_job(job_id, index, error)
        elif kind == ERROR:
            self.errors.append(message[1])
            logger.error("PoC worker failed", extra={"group": group, "error": message[1]})

    def _fail_job(self, job_id: str, index: int, error: str) -> None:
        assert self.collector is not None
        self.collector.chunk_failed(job_id, index, error)
        self._queue = collections.deque(c for c in self._queue if c[0] != job_id)

    def _supervise(self) -> None:
        """Restart a worker that died (once its result pipe is drained), within the session's budget."""
        if self._stopping or self.phase.value == Phase.STOP:
            return
        for group, worker in enumerate(self.workers):
            if worker is None or not worker.drained or worker.process.is_alive():
                continue
            worker.results.close()
            worker.tasks.close()
            self.workers[group] = None
            self.groups[group].ready = False
            exitcode = worker.process.exitcode
            self._requeue(worker)
            if self.worker_restarts >= self.settings.worker_restarts:
                self.failed = (
                    f"the PoC worker of group {group} died (exit code {exitcode}) and the session's restart "
                    f"budget ({self.settings.worker_restarts}) is spent"
                )
                logger.error("PoC worker died, not restarted", extra={"group": group, "exitcode": exitcode})
                continue
            self.worker_restarts += 1
            assert self.collector is not None
            first_index = self.collector.computed[group]
            logger.warning(
                "PoC worker died, restarting it",
                extra={"group": group, "exitcode": exitcode, "resume_at": first_index},
            )
            self.workers[group] = self._spawn(group, first_index)

    def _requeue(self, worker: _Worker) -> None:
        """Send the chunks a dead worker held again, unless they already outlived two workers."""
        assert self.collector is not None
        for key, chunk in worker.in_flight.items():
            if not self.collector.has_job(chunk[0]):
                continue
            self._chunk_deaths[key] += 1
            if self._chunk_deaths[key] >= _CHUNK_ATTEMPTS:
                self._fail_job(chunk[0], chunk[1], f"{_CHUNK_ATTEMPTS} workers died while computing it")
            else:
                self._queue.appendleft(chunk)
        worker.in_flight.clear()

    def _dispatch(self) -> None:
        for worker in self.workers:
            if worker is None or worker.drained or not self._queue:
                continue
            while self._queue and len(worker.in_flight) < _CHUNKS_IN_FLIGHT:
                chunk = self._queue.popleft()
                if self.collector is not None and not self.collector.has_job(chunk[0]):
                    continue
                try:
                    worker.tasks.send(chunk)
                except OSError:
                    self._queue.appendleft(chunk)  # the worker is dying; supervision hands this on
                    break
                worker.in_flight[(chunk[0], chunk[1])] = chunk


class PowManager:
    """Owns at most one :class:`PowSession`; restarts it only when the init request really changes."""

    def __init__(
        self, settings: NodeSettings, spool: CallbackSpool, jobs: ValidationJobStore, metrics: NodeMetrics
    ) -> None:
        self.settings = settings
        self.spool = spool
        self.jobs = jobs
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

    def failures(self) -> list[str]:
        session = self.session
        return [] if session is None else session.failures()

    def write_errors(self) -> list[str]:
        """Why the validation jobs or the session's progress could not be written, if they could not."""
        session = self.session
        errors = [self.jobs.error, session.progress.error if session is not None else None]
        return [e for e in errors if e is not None]

    def is_healthy(self) -> bool:
        session = self.session
        return session is None or (session.failed is None and session.thread.alive)

    def ensure_running(self) -> bool:
        """Restart the session thread if it ended unexpectedly (True if it did)."""
        session = self.session
        return session is not None and not session._stopping and session.thread.ensure_running()

    def switch_to_pow(self, request: PowInitRequestUrl) -> None:
        with self._lock:
            self._stop_locked()
            session = PowSession(request, self.settings, self.spool, self.jobs, self.metrics)
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
                raise PowNotRunning()
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

    def submit(self, batch: ProofBatch) -> str:
        session = self.session
        if session is None or not session.is_running():
            raise PowNotRunning()
        return session.submit(batch)
