"""The durable store of validation jobs: batches received on ``/pow/validate``, kept until their verdict is
spooled.

Each job is one JSON file (the batch as received) named by its id, so the files sort in arrival order. A PoC
session of the same block resumes the jobs an earlier one left; jobs of an earlier PoC stage are removed (the
node's model is built from a later block now, and the verdict would come after that stage closed); a job that
cannot be read, or whose batch failed to compute, is moved to ``failed/`` with the reason and never resumed.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from gonka.errors import InvalidInput
from gonka.node.errors import StorageError
from gonka.node.logs import logger
from gonka.node.storage import DurableDirectory
from gonka.poc.proofs import ProofBatch


@dataclass(frozen=True)
class ValidationJob:
    id: str
    batch: ProofBatch


class ValidationJobStore:
    """Validation jobs on disk under ``directory`` (the node's ``spool_dir/validation``)."""

    def __init__(self, directory: Path) -> None:
        self.store = DurableDirectory(Path(directory))
        self.directory = self.store.path
        self.failed = DurableDirectory(self.directory / "failed")

    @property
    def error(self) -> str | None:
        """Why the last write failed, until one succeeds again."""
        return self.store.error or self.failed.error

    def add(self, batch: ProofBatch) -> ValidationJob:
        """Persist a received batch; durable on return (:class:`StorageError` if it cannot be written)."""
        job = ValidationJob(f"{time.time_ns():020d}-{uuid.uuid4().hex}", batch)
        self.store.write(f"{job.id}.json", json.dumps(batch.to_dict()).encode())
        return job

    def resume(self, block_hash: str, block_height: int) -> list[ValidationJob]:
        """The jobs of ``block_hash`` in arrival order; removes those of earlier block heights."""
        resumed: list[ValidationJob] = []
        expired: list[ProofBatch] = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                batch = ProofBatch.from_dict(json.loads(path.read_bytes()))
            except (OSError, ValueError, TypeError, InvalidInput) as exc:
                self._set_aside(path, f"unreadable: {exc}")
                continue
            if batch.block_hash == block_hash:
                resumed.append(ValidationJob(path.stem, batch))
            elif batch.block_height < block_height:
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
            logger.info("resumed validation of batches received before", extra={"batches": len(resumed)})
        return resumed

    def done(self, job: ValidationJob) -> None:
        """The job's verdict is spooled: forget it."""
        (self.directory / f"{job.id}.json").unlink(missing_ok=True)

    def fail(self, job: ValidationJob, reason: str) -> None:
        """Move the job to ``failed/`` with ``reason``; it is not resumed again."""
        record = {"id": job.id, "error": reason, "batch": job.batch.to_dict()}
        try:
            self.failed.write(f"{job.id}.json", json.dumps(record).encode())
        except StorageError as exc:
            logger.error("cannot set a failed validation job aside", extra={"job": job.id, "error": str(exc)})
            return
        self.done(job)

    def _set_aside(self, path: Path, reason: str) -> None:
        target = self.failed.path / (path.name + ".unreadable")
        try:
            path.replace(target)
        except OSError as exc:
            logger.error(
                "cannot set an unreadable validation job aside", extra={"file": str(path), "error": str(exc)}
            )
            return
        logger.error("unreadable validation job set aside", extra={"file": str(target), "error": reason})
