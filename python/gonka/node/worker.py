"""The PoC worker: one spawned process per GPU group, owning one ``PocModel``.

The worker builds its model, reports ``ready``, then follows the shared phase: GENERATE computes its
interleaved share of nonces batch by batch and reports the ones under ``r_target``; VALIDATE recomputes chunks
of submitted batches; STOP ends the process. It talks to the node only through the phase value and two queues,
so a stuck or killed worker never blocks the HTTP server.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

from gonka.node.models import Phase

# Messages on the result queue (tuples, first item the kind): ("ready", group_id, build_seconds, batch_size)
# ("generated", group_id, n_computed, valid_batch_dict_or_None, compute_seconds) ("validated", group_id,
# job_id, chunk_index, nonces, dists) ("error", group_id, message)
READY, GENERATED, VALIDATED, ERROR = "ready", "generated", "validated", "error"

_IDLE_POLL = 0.01
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


def run_worker(cfg: WorkerConfig, phase: Any, to_validate: Any, results: Any) -> None:
    """Process entry point (spawn context)."""
    _die_with_parent()
    try:
        _run(cfg, phase, to_validate, results)
    except BaseException:
        results.put((ERROR, cfg.group_id, traceback.format_exc(limit=20)))
        raise SystemExit(1) from None


def _run(cfg: WorkerConfig, phase: Any, to_validate: Any, results: Any) -> None:
    from gonka.poc import ProofBatch, nonce_iterator
    from gonka.poc.model import PocModel  # noqa: F401  (torch import, kept out of the build time)

    started = time.monotonic()
    model = _build_model(cfg)
    batch_size = model.batch_size
    results.put((READY, cfg.group_id, time.monotonic() - started, batch_size))

    nonces_iter = iter(nonce_iterator(cfg.node_id, cfg.node_count, cfg.group_id, cfg.n_groups))
    while True:
        current = phase.value
        if current == Phase.STOP:
            return
        if current == Phase.GENERATE:
            nonces = [next(nonces_iter) for _ in range(batch_size)]
            t0 = time.monotonic()
            dist = model.distances(cfg.public_key, nonces, batch_size=batch_size)
            elapsed = time.monotonic() - t0
            if phase.value == Phase.STOP:
                return
            computed = ProofBatch(
                cfg.public_key,
                cfg.block_hash,
                cfg.block_height,
                nonces,
                [float(d) for d in dist],
                cfg.node_id,
            )
            valid = computed.sub_batch(cfg.r_target)
            payload = valid.to_dict() if len(valid.nonces) else None
            results.put((GENERATED, cfg.group_id, len(nonces), payload, elapsed))
        elif current == Phase.VALIDATE:
            try:
                job_id, chunk_index, public_key, nonces = to_validate.get(timeout=0.05)
            except queue.Empty:
                continue
            dist = model.distances(public_key, list(nonces))
            results.put(
                (VALIDATED, cfg.group_id, job_id, chunk_index, list(nonces), [float(d) for d in dist])
            )
        else:
            time.sleep(_IDLE_POLL)
