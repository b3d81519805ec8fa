"""From worker results to callback batches, without letting anything go before it is on disk.

Valid generated nonces are merged and committed with the generation progress every ``flush_interval``
seconds (see :mod:`gonka.node.progress`); recomputed chunks of a submitted batch are assembled into its
verdict once every nonce is back, spooled under the job's id, and only then is the job removed from disk.
When the disk refuses a write, everything stays in memory and is tried again at the next flush.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from gonka.node.callbacks import CallbackSpool
from gonka.node.errors import StorageError
from gonka.node.jobs import ValidationJob, ValidationJobStore
from gonka.node.logs import logger
from gonka.node.metrics import NodeMetrics
from gonka.node.models import PowInitRequestUrl
from gonka.node.progress import GenerationProgress, Handover
from gonka.poc.proofs import ProofBatch, ValidatedBatch

#: A unit of validation work for one worker: (job id, chunk index, public key, nonces).
Chunk = tuple[str, int, str, list[int]]


@dataclass
class _Job:
    job: ValidationJob
    chunks: int
    dists: dict[int, float] = field(default_factory=dict)
    done: set[int] = field(default_factory=set)
    verdict: dict[str, Any] | None = None


class ResultCollector:
    """Generated and validated results of one PoC session, on their way to the spool."""

    def __init__(
        self,
        request: PowInitRequestUrl,
        spool: CallbackSpool,
        jobs: ValidationJobStore,
        progress: GenerationProgress,
        metrics: NodeMetrics,
        committed: list[int],
    ) -> None:
        self.request = request
        self.spool = spool
        self.jobs = jobs
        self.progress = progress
        self.metrics = metrics
        #: Nonces each group has reported (the position its next worker starts from).
        self.computed = list(committed)
        self._committed = list(committed)
        self._generated: list[ProofBatch] = []
        self._jobs: dict[str, _Job] = {}
        self._last_flush = time.monotonic()
        self._last_error: str | None = None

    # -- generation ------------------------------------------------------------------------------------------
    def generated(self, group: int, first_index: int, count: int, payload: dict[str, Any] | None) -> None:
        if first_index != self.computed[group]:
            logger.warning(
                "a worker reported an unexpected position in its nonce sequence",
                extra={"group": group, "expected": self.computed[group], "reported": first_index},
            )
        self.computed[group] = first_index + count
        if payload is not None:
            self._generated.append(ProofBatch.from_dict(payload))

    def hand_over(self, handover: Handover) -> None:
        """Spool a batch an earlier session committed but may not have spooled (idempotent by its id)."""
        self.spool.enqueue(handover.kind, handover.url, handover.payload, batch_id=handover.id)
        self.progress.save(self._committed)

    @property
    def uncommitted_nonces(self) -> int:
        return sum(len(b.nonces) for b in self._generated)

    def flush_due(self, interval: float) -> bool:
        return time.monotonic() - self._last_flush >= interval

    def flush(self) -> bool:
        """Spool finished verdicts and commit the generated results; False if the disk refused a write."""
        self._last_flush = time.monotonic()
        ok = self._spool_verdicts()
        try:
            self._commit_generated()
        except StorageError as exc:
            ok = False
            self._report(exc)
        if ok:
            self._last_error = None
        return ok

    def _commit_generated(self) -> None:
        if not self._generated and self.computed == self._committed:
            return
        counts = list(self.computed)
        if not self._generated:
            self.progress.save(counts)
            self._committed = counts
            return
        merged = ProofBatch.merge(self._generated)
        handover = Handover(uuid.uuid4().hex, "generated", self.request.url, merged.to_dict())
        self.progress.save(counts, handover)
        self.spool.enqueue(handover.kind, handover.url, handover.payload, batch_id=handover.id)
        # From here the batch is in the spool: it and the progress have left memory together.
        self._generated = []
        self._committed = counts
        try:
            self.progress.save(counts)
        except StorageError as exc:
            # The handover stays on disk; spooling it again after a restart is idempotent.
            self._report(exc)

    # -- validation ------------------------------------------------------------------------------------------
    def add_job(self, job: ValidationJob, chunk_size: int) -> list[Chunk]:
        """Register a job; its chunks, for the workers."""
        nonces = job.batch.nonces
        chunks = [
            (job.id, index, job.batch.public_key, nonces[start : start + chunk_size])
            for index, start in enumerate(range(0, len(nonces), chunk_size))
        ]
        self._jobs[job.id] = _Job(job, len(chunks))
        if not chunks:
            self._finish(job.id)
        return chunks

    def has_job(self, job_id: str) -> bool:
        return job_id in self._jobs

    def chunk_done(self, job_id: str, index: int, nonces: list[int], dists: list[float]) -> None:
        state = self._jobs.get(job_id)
        if state is None or index in state.done:
            return  # a failed job, or a chunk computed twice after a worker restart
        state.dists.update(zip(nonces, dists, strict=True))
        state.done.add(index)
        if len(state.done) == state.chunks:
            self._finish(job_id)

    def chunk_failed(self, job_id: str, index: int, error: str) -> None:
        state = self._jobs.pop(job_id, None)
        if state is None:
            return
        logger.error(
            "validation batch failed and was set aside",
            extra={"job": job_id, "chunk": index, "nonces": len(state.job.batch.nonces), "error": error},
        )
        self.jobs.fail(state.job, f"chunk {index}: {error}")

    def pending_jobs(self) -> list[ValidationJob]:
        return [state.job for state in self._jobs.values()]

    def _finish(self, job_id: str) -> None:
        state = self._jobs[job_id]
        batch = state.job.batch
        validated = ValidatedBatch.from_recomputed(
            batch,
            [state.dists[n] for n in batch.nonces],
            r_target=self.request.r_target,
            fraud_threshold=self.request.fraud_threshold,
        )
        state.verdict = validated.to_dict()
        self.metrics.nonces_validated.inc(len(batch.nonces))
        logger.info(
            "batch validated",
            extra={
                "nonces": len(batch.nonces),
                "n_invalid": validated.n_invalid,
                "fraud_detected": validated.fraud_detected,
            },
        )
        self._spool_verdicts()

    def _spool_verdicts(self) -> bool:
        for job_id, state in list(self._jobs.items()):
            if state.verdict is None:
                continue
            try:
                # The job's id is the verdict's idempotency key: a job resumed after a crash delivers once.
                self.spool.enqueue("validated", self.request.url, state.verdict, batch_id=job_id)
            except StorageError as exc:
                self._report(exc)
                return False
            del self._jobs[job_id]
            self.jobs.done(state.job)
        return True

    def _report(self, exc: StorageError) -> None:
        message = str(exc)
        if message != self._last_error:
            logger.error(
                "results kept in memory: the disk refuses writes",
                extra={"error": message, "nonces": self.uncommitted_nonces},
            )
        self._last_error = message
