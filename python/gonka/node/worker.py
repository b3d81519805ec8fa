"""The PoC worker: one spawned process per GPU group, owning one ``PocModel``.

The worker builds its model, reports ``ready``, then follows the shared phase: GENERATE computes its
interleaved share of nonces batch by batch (from ``first_index`` of its sequence, where an earlier worker of
the group stopped) and reports every finished batch, with the nonces under ``r_target``; VALIDATE recomputes
the chunks of submitted batches the node sends it; STOP ends the process once the batch in hand is reported.

It talks to the node through the phase value and two pipes of its own (tasks in, results out): no lock is
shared with other workers, so a worker killed at any moment cannot block the others or the node, and the node
sees its death as the end of its result pipe. A chunk that fails to compute is reported as failed; the worker
goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from gonka.node.models import Phase

# Messages on the result pipe (tuples, first item the kind):
#   ("ready", build_seconds, batch_size)
#   ("generated", first_index, n_computed, valid_batch_dict_or_None, compute_seconds)
#   ("validated", job_id, chunk_index, nonces, dists)
#   ("chunk_failed", job_id, chunk_index, error)
#   ("error", traceback)  (the worker is about to exit)
# Tasks on the task pipe: (job_id, chunk_index, public_key, nonces).
READY, GENERATED, VALIDATED, CHUNK_FAILED, ERROR = "ready", "generated", "validated", "chunk_failed", "error"

_IDLE_POLL = 0.01
_TASK_POLL = 0.05
_PARENT_POLL = 0.5


@dataclass(frozen=True)
class WorkerConfig:
    group_id: int
    n_groups: int
    params: dict[str, Any]
    block_hash: str
    block_height: int
    public_key: str
    node_id: int
    node_count: int
    r_target: float
    devices: tuple[str, ...]
    engine: str
    dtype: str
    batch_size: int  # 0: the model's default (sized from free device memory on CUDA)
    first_index: int = 0  # position in the group's nonce sequence to generate from


def _build_model(cfg: WorkerConfig) -> Any:
    from gonka.poc import Params, PocModel

    return PocModel(
        Params.from_dict(cfg.params),
        cfg.block_hash,
        device=cfg.devices[0],
        dtype=cfg.dtype,
        engine=cfg.engine,
        batch_size=cfg.batch_size or None,
    )


def _die_with_parent() -> None:
    """Exit as soon as the node process is gone, even if it was killed with SIGKILL.

    A watchdog thread polls the parent pid; it covers the model build too, when the main loop does not run.
    (``PR_SET_PDEATHSIG`` would follow the node's thread that spawned us, not the node process.)
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    parent_pid = parent.pid

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def run_worker(cfg: WorkerConfig, phase: Any, tasks: Connection, results: Connection) -> None:
    """Process entry point (spawn context)."""
    _die_with_parent()
    try:
        _run(cfg, phase, tasks, results)
    except BaseException:
        try:
            results.send((ERROR, traceback.format_exc(limit=20)))
        except OSError:
            pass
        raise SystemExit(1) from None


def _run(cfg: WorkerConfig, phase: Any, tasks: Connection, results: Connection) -> None:
    import gonka.poc.model  # noqa: F401  (torch: its import is not part of the model's build time)

    started = time.monotonic()
    model = _build_model(cfg)
    batch_size = model.batch_size
    results.send((READY, time.monotonic() - started, batch_size))

    # Made on the first GENERATE: a node initialized without node numbering only validates.
    nonces: Iterator[int] | None = None
    index = cfg.first_index
    while True:
        current = phase.value
        if current == Phase.STOP:
            return
        if current == Phase.GENERATE:
            if nonces is None:
                from gonka.poc import nonce_iterator

                nonces = nonce_iterator(
                    cfg.node_id, cfg.node_count, cfg.group_id, cfg.n_groups, first_index=cfg.first_index
                )
            index = _generate(cfg, model, nonces, index, batch_size, results)
        elif current == Phase.VALIDATE:
            if tasks.poll(_TASK_POLL):
                _validate(model, tasks.recv(), results)
        else:
            time.sleep(_IDLE_POLL)


def _generate(
    cfg: WorkerConfig, model: Any, nonces: Iterator[int], index: int, batch_size: int, results: Connection
) -> int:
    """Compute one batch and report it, even when a stop came meanwhile (the node delivers finished work)."""
    from gonka.poc import ProofBatch

    batch = [next(nonces) for _ in range(batch_size)]
    t0 = time.monotonic()
    dist = model.distances(cfg.public_key, batch, batch_size=batch_size)
    elapsed = time.monotonic() - t0
    computed = ProofBatch(
        cfg.public_key, cfg.block_hash, cfg.block_height, batch, [float(d) for d in dist], cfg.node_id
    )
    valid = computed.sub_batch(cfg.r_target)
    payload = valid.to_dict() if len(valid.nonces) else None
    results.send((GENERATED, index, len(batch), payload, elapsed))
    return index + len(batch)


def _validate(model: Any, task: tuple[Any, ...], results: Connection) -> None:
    job_id, chunk_index, public_key, nonces = task
    try:
        dist = model.distances(public_key, list(nonces))
    except Exception as exc:
        # This chunk fails its batch; the worker and the other batches go on.
        results.send((CHUNK_FAILED, job_id, chunk_index, f"{type(exc).__name__}: {exc}"))
        return
    results.send((VALIDATED, job_id, chunk_index, list(nonces), [float(d) for d in dist]))
