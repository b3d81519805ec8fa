"""PoC v2 on the ML node: the vLLM fork's ``/api/v1/pow`` routes over a Hugging Face causal LM.

* ``POST /init/generate``: generate artifacts for ``nonce_iterator(node_id, node_count, group_id,
  n_groups)`` in batches until ``/stop``; each batch goes to ``{url}/generated`` through the node's
  durable callback spool (retried until delivered, kept across restarts).
* ``POST /generate``: artifacts of given ``nonces``; with ``validation`` the validator's test (L2 per
  nonce against the received vectors, binomial test with ``stat_test``) and a ``{url}/validated``
  callback. ``wait=true`` answers inline, else the job is queued (429 beyond 100,000 nonces) and its
  result is also at ``GET /generate/{request_id}``.
* ``GET /status``, ``POST /stop``.

One worker thread runs queued jobs first and generation batches otherwise (the model is not re-entrant);
the node's watchdog restarts it if it ends and the health checks report it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from gonka.node.callbacks import CallbackSpool
from gonka.poc.nonces import nonce_iterator

logger = logging.getLogger("gonka.node.pow_v2")

MAX_QUEUED_NONCES = 100_000
DEFAULT_BATCH_SIZE = 32
RESULTS_KEPT = 1000


class PoCParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str
    seq_len: int = Field(gt=0, le=65536)
    k_dim: int = Field(default=12, gt=0, le=4096)


class InitGenerate(BaseModel):
    block_hash: str
    block_height: int
    public_key: str
    node_id: int = Field(ge=0)
    node_count: int = Field(ge=1)
    group_id: int = Field(default=0, ge=0)
    n_groups: int = Field(default=1, ge=1)
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, ge=1, le=4096)
    params: PoCParams
    url: str | None = None
    poc_stronger_rng: bool = False


class Artifact(BaseModel):
    nonce: int
    vector_b64: str


class Validation(BaseModel):
    artifacts: list[Artifact]


class StatTestModel(BaseModel):
    """The ML node's field names; unknown keys (the API node's ``p_value_threshold``) are ignored, so
    ``fraud_threshold`` keeps its default 0.01 (see :data:`gonka.poc.v2.FRAUD_THRESHOLD_DISCREPANCY`)."""

    dist_threshold: float = Field(default=0.02, gt=0)
    p_mismatch: float = Field(default=0.001, gt=0, lt=1)
    fraud_threshold: float = Field(default=0.01, gt=0, lt=1)


class Generate(BaseModel):
    block_hash: str
    block_height: int
    public_key: str
    node_id: int = 0
    node_count: int = Field(default=1, ge=1)
    nonces: list[int] = Field(max_length=MAX_QUEUED_NONCES)
    params: PoCParams
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, ge=1, le=4096)
    wait: bool = False
    url: str | None = None
    validation: Validation | None = None
    stat_test: StatTestModel | None = None
    poc_stronger_rng: bool = False


class PocV2Service:
    """Generation session, queued jobs and their results, served by one worker thread."""

    def __init__(self, spool: CallbackSpool, model: str = "tiny", dtype: str = "float32") -> None:
        self.spool = spool
        self.model_spec = model
        self.dtype = dtype
        self._model: Any = None
        self._generators: dict[int, Any] = {}
        self._lock = threading.Condition()
        self._jobs: deque[tuple[str, Generate]] = deque()
        self._queued_nonces = 0
        self._results: dict[str, dict[str, Any]] = {}
        self._session: dict[str, Any] | None = None
        self._nonces: Iterator[int] | None = None
        self._stats = {"total_processed": 0, "start_time": 0.0}
        self._thread: threading.Thread | None = None
        self._closing = False
        self.last_error: str | None = None

    # ------------------------------------------------------------------ model

    def _generator(self, seq_len: int) -> Any:
        from gonka.poc.v2.model import ArtifactGenerator, load_model

        if self._model is None:
            self._model = load_model(self.model_spec, self.dtype)
        gen = self._generators.get(seq_len)
        if gen is None:
            gen = self._generators[seq_len] = ArtifactGenerator(self._model, seq_len=seq_len)
        return gen

    def _artifacts(
        self, block_hash: str, public_key: str, nonces: list[int], params: PoCParams, stronger: bool
    ) -> list[dict[str, Any]]:
        gen = self._generator(params.seq_len)
        gen.k_dim = params.k_dim
        return list(gen.generate(block_hash, public_key, nonces, stronger_rng=stronger).as_dicts())

    # ------------------------------------------------------------------ thread

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def ensure_running(self) -> bool:
        """Starts the worker if it is not running; True when it had to."""
        if self.alive or self._closing:
            return False
        self._thread = threading.Thread(target=self._run, name="gonka-pocv2-worker", daemon=True)
        self._thread.start()
        return True

    def close(self) -> None:
        with self._lock:
            self._closing = True
            self._session = None
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._closing and not self._jobs and self._session is None:
                    self._lock.wait()
                if self._closing:
                    return
                job = self._jobs.popleft() if self._jobs else None
                session = self._session
            try:
                if job is not None:
                    self._process_job(*job)
                elif session is not None:
                    self._generate_batch(session)
                self.last_error = None
            except Exception as exc:  # the worker survives a failed step; /health shows the error
                self.last_error = f"{type(exc).__name__}: {exc}"
                logger.exception("PoC v2 step failed")
                time.sleep(0.5)

    def _generate_batch(self, session: dict[str, Any]) -> None:
        body: InitGenerate = session["body"]
        assert self._nonces is not None
        nonces = list(itertools.islice(self._nonces, body.batch_size))
        artifacts = self._artifacts(
            body.block_hash, body.public_key, nonces, body.params, body.poc_stronger_rng
        )
        with self._lock:
            if self._session is not session:
                return  # stopped meanwhile: the batch belongs to no round any more
            self._stats["total_processed"] += len(nonces)
        if body.url and artifacts:
            payload = {
                "public_key": body.public_key,
                "block_hash": body.block_hash,
                "block_height": body.block_height,
                "node_id": body.node_id,
                "artifacts": artifacts,
                "encoding": {"dtype": "f16", "k_dim": body.params.k_dim, "endian": "le"},
            }
            self.spool.enqueue("generated", body.url, payload, batch_id=f"v2-{session['id']}-{nonces[0]}")

    def _compute(self, body: Generate) -> dict[str, Any]:
        artifacts: list[dict[str, Any]] = []
        for start in range(0, len(body.nonces), body.batch_size):
            chunk = body.nonces[start : start + body.batch_size]
            artifacts += self._artifacts(
                body.block_hash, body.public_key, chunk, body.params, body.poc_stronger_rng
            )
        if body.validation is None:
            return {
                "artifacts": artifacts,
                "encoding": {"dtype": "f16", "k_dim": body.params.k_dim, "endian": "le"},
            }
        from gonka.poc.v2.params import StatTest
        from gonka.poc.v2.validation import compare

        stat = body.stat_test or StatTestModel()
        test = StatTest(stat.dist_threshold, stat.p_mismatch, stat.fraud_threshold, None)
        received = {a.nonce: a.vector_b64 for a in body.validation.artifacts}
        computed = {a["nonce"]: a["vector_b64"] for a in artifacts}
        result = compare(computed, received, body.nonces, test, k_dim=body.params.k_dim)
        return result.to_callback()

    def _process_job(self, request_id: str, body: Generate) -> None:
        with self._lock:
            self._results[request_id] = {"status": "running", "request_id": request_id}
        try:
            result = {"status": "completed", "request_id": request_id, **self._compute(body)}
        except Exception as exc:
            result = {"status": "failed", "request_id": request_id, "error": f"{type(exc).__name__}: {exc}"}
        finally:
            with self._lock:
                self._queued_nonces -= len(body.nonces)
        with self._lock:
            self._results[request_id] = result
            while len(self._results) > RESULTS_KEPT:
                self._results.pop(next(iter(self._results)))
        if body.url and result["status"] == "completed":
            meta = {
                "request_id": request_id,
                "block_hash": body.block_hash,
                "block_height": body.block_height,
                "public_key": body.public_key,
                "node_id": body.node_id,
            }
            kind = "validated" if body.validation is not None else "generated"
            fields = ("n_total", "n_mismatch", "mismatch_nonces", "p_value", "fraud_detected")
            extra = (
                {k: result[k] for k in fields}
                if kind == "validated"
                else {"artifacts": result["artifacts"], "encoding": result["encoding"]}
            )
            self.spool.enqueue(kind, body.url, {**meta, **extra}, batch_id=f"v2-{request_id}")

    # ------------------------------------------------------------------ API

    def init_generate(self, body: InitGenerate) -> dict[str, Any]:
        with self._lock:
            if self._session is not None:
                raise HTTPException(409, "Already generating")
            if body.group_id >= body.n_groups:
                raise HTTPException(400, "group_id must be below n_groups")
            self._session = {"id": uuid.uuid4().hex[:12], "body": body}
            self._nonces = nonce_iterator(body.node_id, body.node_count, body.group_id, body.n_groups)
            self._stats = {"total_processed": 0, "start_time": time.time()}
            self._lock.notify_all()
        self.ensure_running()
        return {"status": "OK", "pow_status": {"status": "GENERATING"}}

    def generate(self, body: Generate) -> dict[str, Any]:
        if body.validation is not None and {a.nonce for a in body.validation.artifacts} != set(body.nonces):
            raise HTTPException(400, "validation.artifacts nonces must match nonces field")
        if body.wait:
            return {"status": "completed", "request_id": str(uuid.uuid4()), **self._compute(body)}
        request_id = str(uuid.uuid4())
        with self._lock:
            if self._queued_nonces + len(body.nonces) > MAX_QUEUED_NONCES:
                raise HTTPException(429, f"Queue full: {self._queued_nonces} nonces queued")
            self._queued_nonces += len(body.nonces)
            self._jobs.append((request_id, body))
            self._results[request_id] = {"status": "queued", "request_id": request_id}
            self._lock.notify_all()
        self.ensure_running()
        return {"status": "queued", "request_id": request_id, "queued_count": len(body.nonces)}

    def result(self, request_id: str) -> dict[str, Any]:
        with self._lock:
            record = self._results.get(request_id)
        if record is None:
            raise HTTPException(404, f"Request {request_id} not found")
        return record

    def status(self) -> dict[str, Any]:
        with self._lock:
            session, stats = self._session, dict(self._stats)
        if session is None:
            return {"status": "IDLE", "config": None, "stats": None}
        body: InitGenerate = session["body"]
        elapsed = time.time() - stats["start_time"]
        return {
            "status": "GENERATING",
            "config": {
                "block_hash": body.block_hash,
                "block_height": body.block_height,
                "public_key": body.public_key,
                "node_id": body.node_id,
                "node_count": body.node_count,
                "group_id": body.group_id,
                "n_groups": body.n_groups,
                "seq_len": body.params.seq_len,
                "k_dim": body.params.k_dim,
            },
            "stats": {
                "total_processed": stats["total_processed"],
                "nonces_per_second": stats["total_processed"] / elapsed if elapsed > 0 else 0.0,
            },
        }

    def stop(self) -> dict[str, Any]:
        with self._lock:
            self._session = None
            self._nonces = None
            self._jobs.clear()
            self._queued_nonces = 0
        return {"status": "OK", "pow_status": {"status": "STOPPED"}}


def _service(request: Request) -> PocV2Service:
    service: PocV2Service = request.app.state.pow_v2
    return service


router = APIRouter(prefix="/pow", tags=["PoC v2"])


@router.post("/init/generate")
def init_generate(request: Request, body: InitGenerate) -> dict[str, Any]:
    return _service(request).init_generate(body)


@router.post("/generate")
def generate(request: Request, body: Generate) -> dict[str, Any]:
    return _service(request).generate(body)


@router.get("/generate/{request_id}")
def generate_result(request: Request, request_id: str) -> dict[str, Any]:
    return _service(request).result(request_id)


@router.get("/status")
def status(request: Request) -> dict[str, Any]:
    return _service(request).status()


@router.post("/stop")
def stop(request: Request) -> dict[str, Any]:
    return _service(request).stop()
