"""The ML node's FastAPI application: the reference ML node API plus health, readiness and metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import gonka
from gonka.node.callbacks import CallbackSpool
from gonka.node.errors import (
    POW_NOT_RUNNING,
    BatchRejected,
    InferenceNotConfigured,
    InferenceStartError,
    InvalidSettings,
    NodeError,
    NotEnoughDeviceMemory,
    PowNotRunning,
    SpoolInUse,
    StorageError,
)
from gonka.node.inference import InferenceManager
from gonka.node.jobs import ValidationJobStore
from gonka.node.logs import logger
from gonka.node.metrics import CONTENT_TYPE_LATEST, NodeMetrics
from gonka.node.models import (
    InferenceInitRequest,
    Phase,
    PowInitRequestUrl,
    PowResponse,
    ServiceState,
    StateResponse,
    StatusOK,
    ValidationBatch,
)
from gonka.node.pow import PowManager
from gonka.node.settings import NodeSettings

API_PREFIX = "/api/v1"
#: HTTP status of each node error (the most specific class listed wins); node errors become HTTP answers in
#: the handler create_app registers.
ERROR_STATUS: dict[type[NodeError], int] = {
    PowNotRunning: 400,
    BatchRejected: 400,
    InvalidSettings: 503,
    NotEnoughDeviceMemory: 503,
    StorageError: 503,
    SpoolInUse: 503,
    InferenceNotConfigured: 503,
    InferenceStartError: 500,
}
# The inference routes answer errors in the reference's {"status": "ERROR", "message": ...} shape.
_INFERENCE_ERRORS = (InferenceNotConfigured, InferenceStartError)


def error_status(exc: NodeError) -> int:
    for cls in type(exc).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 500


class BodySizeLimit:
    """Answer 413 to request bodies above ``max_bytes`` before they are buffered."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = f"request body exceeds the node's limit of {self.max_bytes} bytes"
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await JSONResponse({"detail": too_big}, status_code=413)(scope, receive, send)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(status_code=413, detail=too_big)
            return message

        await self.app(scope, limited, send)


def _managers(request: Request) -> tuple[PowManager, InferenceManager]:
    return request.app.state.pow, request.app.state.inference


async def derive_state(request: Request) -> ServiceState:
    """The node's state from what actually runs; more than one running service is a fault: stop all, 409.

    Checking is a few non-blocking ``waitpid`` calls, done on the event loop; only the fault path blocks.
    """
    pow_manager, inference = _managers(request)
    pow_running, inference_running = pow_manager.is_running(), inference.is_running()
    if pow_running and inference_running:

        def stop_all() -> None:
            pow_manager.stop()
            inference.down()

        await run_in_threadpool(stop_all)
        raise HTTPException(
            status_code=409,
            detail="Multiple services detected. MLNode allows only one service to run at a time. "
            "All running services have been stopped.",
        )
    if pow_running:
        return ServiceState.POW
    if inference_running:
        return ServiceState.INFERENCE
    return ServiceState.STOPPED


async def guard_service(request: Request) -> None:
    """409 unless the node is STOPPED or already runs the service this path belongs to."""
    current = await derive_state(request)
    requested = request.url.path.removeprefix(API_PREFIX).lstrip("/").split("/")[0].upper()
    if current != ServiceState.STOPPED and current.value != requested:
        raise HTTPException(
            status_code=409,
            detail=f"Cannot run {requested} because MLNode is currently in {current.value} mode. "
            f"Please stop {current.value} first.",
        )


def _pow_response(manager: PowManager) -> dict[str, Any]:
    return {"status": "OK", "pow_status": manager.status()}


def _require_node_numbering(request: PowInitRequestUrl | None, detail: str) -> None:
    if request is None or request.node_id == -1 or request.node_count == -1:
        raise HTTPException(status_code=400, detail=detail)


pow_router = APIRouter(prefix="/pow", tags=["PoW"], dependencies=[Depends(guard_service)])


@pow_router.post("/init", response_model=PowResponse)
async def pow_init(request: Request, body: PowInitRequestUrl) -> dict[str, Any]:
    """(Re)create the PoC workers for this request; phase IDLE."""
    manager = request.app.state.pow
    await run_in_threadpool(lambda: manager.switch_to_pow(body))
    return _pow_response(manager)


@pow_router.post("/init/generate", response_model=PowResponse)
async def pow_init_generate(request: Request, body: PowInitRequestUrl) -> dict[str, Any]:
    """Start generating; restarts the workers only if the request differs from the running one."""
    _require_node_numbering(body, "Node ID and node count must be set")
    manager = request.app.state.pow

    def run() -> None:
        manager.ensure(body)
        manager.set_phase(Phase.GENERATE)

    await run_in_threadpool(run)
    return _pow_response(manager)


@pow_router.post("/init/validate", response_model=PowResponse)
async def pow_init_validate(request: Request, body: PowInitRequestUrl) -> dict[str, Any]:
    """Start validating; restarts the workers only if the request differs from the running one."""
    manager = request.app.state.pow

    def run() -> None:
        manager.ensure(body)
        manager.set_phase(Phase.VALIDATE)

    await run_in_threadpool(run)
    return _pow_response(manager)


@pow_router.post("/phase/generate", response_model=PowResponse)
async def pow_phase_generate(request: Request) -> dict[str, Any]:
    manager = request.app.state.pow
    if not manager.is_running():
        raise PowNotRunning()
    _require_node_numbering(manager.init_request, "Node ID and node count must be set to start generating")
    await run_in_threadpool(lambda: manager.set_phase(Phase.GENERATE))
    return _pow_response(manager)


@pow_router.post("/phase/validate", response_model=PowResponse)
async def pow_phase_validate(request: Request) -> dict[str, Any]:
    manager = request.app.state.pow
    if not manager.is_running():
        raise PowNotRunning()
    await run_in_threadpool(lambda: manager.set_phase(Phase.VALIDATE))
    return _pow_response(manager)


@pow_router.post("/validate")
async def pow_validate(request: Request, body: Annotated[ValidationBatch, Body()]) -> None:
    """Queue a generator's batch for recomputation; the verdict arrives at ``{url}/validated``."""
    manager = request.app.state.pow
    await run_in_threadpool(lambda: manager.submit(body))
    return None


@pow_router.get("/status")
async def pow_status(request: Request) -> dict[str, Any]:
    manager: PowManager = request.app.state.pow
    return manager.status()


@pow_router.post("/stop", response_model=PowResponse)
async def pow_stop(request: Request) -> dict[str, Any]:
    manager = request.app.state.pow
    if not manager.is_running() and manager.session is None:
        return {"status": "OK", "pow_status": POW_NOT_RUNNING}
    await run_in_threadpool(manager.stop)
    return _pow_response(manager)


inference_router = APIRouter(prefix="/inference", tags=["Inference"], dependencies=[Depends(guard_service)])


@inference_router.post("/up", response_model=StatusOK)
async def inference_up(request: Request, body: InferenceInitRequest) -> Any:
    """Start the configured inference server (restarting it if it runs); 503 if none is configured."""
    manager: InferenceManager = request.app.state.inference
    await run_in_threadpool(manager.up, body)
    return {"status": "OK"}


@inference_router.post("/down", response_model=StatusOK)
async def inference_down(request: Request) -> dict[str, str]:
    await run_in_threadpool(request.app.state.inference.down)
    return {"status": "OK"}


train_router = APIRouter(prefix="/train", tags=["Train"], dependencies=[Depends(guard_service)])


@train_router.post("/start")
async def train_start() -> None:
    raise HTTPException(status_code=501, detail="training is not supported by this node")


@train_router.post("/stop")
async def train_stop() -> None:
    raise HTTPException(status_code=400, detail="Training is not running")


@train_router.get("/status")
async def train_status() -> dict[str, bool]:
    return {"status": False}


api_router = APIRouter(tags=["API"])


@api_router.get("/state", response_model=StateResponse)
async def state(request: Request) -> dict[str, str]:
    return {"state": (await derive_state(request)).value}


@api_router.post("/stop", response_model=StatusOK)
async def stop_all(request: Request) -> dict[str, str]:
    """Stop every service (PoC workers, inference server)."""
    pow_manager, inference = _managers(request)

    def run() -> None:
        pow_manager.stop()
        inference.down()

    await run_in_threadpool(run)
    return {"status": "OK"}


def _gpu_summary() -> dict[str, Any]:
    from gonka.node.resources import cuda_devices

    try:
        devices = cuda_devices("auto")
    except Exception:
        devices = []
    return {
        "available": bool(devices),
        "count": len(devices),
        "devices": [
            {"index": d.index, "name": d.name, "total_gib": round(d.total_bytes / 2**30, 1)} for d in devices
        ],
    }


ops_router = APIRouter(tags=["Operations"])


def _failures(request: Request) -> list[str]:
    """What keeps the node from working: dead or failing threads, failed services."""
    state = request.app.state
    found = []
    delivery = state.spool.thread
    if not delivery.alive:
        found.append("the callback delivery thread is not running")
    elif delivery.failing:
        found.append(f"callback delivery is failing: {delivery.failing}")
    pow_v2 = state.pow_v2
    if pow_v2 is not None and pow_v2.last_error:
        found.append(f"the PoC v2 worker is failing: {pow_v2.last_error}")
    found += state.pow.failures()
    if not state.inference.is_healthy():
        found.append(f"the inference server failed: {state.inference.error or 'it exited'}")
    return found


def _write_errors(request: Request) -> list[str]:
    """Durable stores whose last write failed (a full disk, say)."""
    state = request.app.state
    errors = [state.spool.write_error, *state.pow.write_errors()]
    return [e for e in dict.fromkeys(errors) if e is not None]


@ops_router.get("/health")
async def health(request: Request) -> JSONResponse:
    """Liveness: 200 while every background thread runs and every running service is healthy, else 503.

    A disk that refuses writes is listed but makes the node unready, not dead: a restart would not free it.
    """
    pow_manager, inference = _managers(request)
    state = request.app.state
    failures = _failures(request)
    session = pow_manager.session
    body = {
        "status": "unhealthy" if failures else "healthy",
        "version": gonka.__version__,
        "service_state": (await derive_state(request)).value,
        "gpu": state.gpu_summary,
        "problems": failures + _write_errors(request),
        "managers": {
            "pow": {
                "running": pow_manager.is_running(),
                "healthy": pow_manager.is_healthy(),
                "errors": list(session.errors[-3:]) if session else [],
                "worker_restarts": session.worker_restarts if session else 0,
            },
            "inference": {"running": inference.is_running(), "healthy": inference.is_healthy()},
        },
        "threads": {
            "callbacks": state.spool.thread.status(),
            "poc_session": session.thread.status() if session else None,
        },
        "callbacks_pending": state.spool.pending(),
    }
    return JSONResponse(body, status_code=503 if failures else 200)


@ops_router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Readiness: the node takes commands and keeps their results (started, callback delivery and PoC
    threads running, every durable store writable, no failed service); a 503 lists what is wrong."""
    problems = [] if request.app.state.started else ["the node is not started"]
    problems += _failures(request) + _write_errors(request)
    if not problems:
        return JSONResponse({"ready": True})
    return JSONResponse({"ready": False, "problems": problems}, status_code=503)


@ops_router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)


async def _watch_threads(app: FastAPI, interval: float) -> None:
    """Restart a background thread that ended (the readiness check reports it until then)."""
    while True:
        await asyncio.sleep(interval)
        try:
            app.state.spool.ensure_running()
            app.state.pow.ensure_running()
            if app.state.pow_v2 is not None:
                app.state.pow_v2.ensure_running()
        except Exception:
            logger.exception("restarting a background thread failed")


def create_app(settings: NodeSettings | None = None) -> FastAPI:
    """Build a node application; ``settings`` defaults to :meth:`NodeSettings.from_env`."""
    settings = settings or NodeSettings.from_env()
    metrics_ = NodeMetrics()
    spool = CallbackSpool(
        settings.spool_dir,
        metrics_,
        timeout=settings.callback_timeout,
        base_delay=settings.retry_base_delay,
        max_delay=settings.retry_max_delay,
    )
    jobs = ValidationJobStore(settings.spool_dir / "validation")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.gpu_summary = await run_in_threadpool(_gpu_summary)
        spool.start()
        watchdog = asyncio.create_task(_watch_threads(app, settings.watchdog_interval))
        app.state.started = True
        logger.info(
            "ML node started", extra={"spool_dir": str(settings.spool_dir), "version": gonka.__version__}
        )
        try:
            yield
        finally:
            app.state.started = False
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
            await run_in_threadpool(app.state.pow.stop)
            if app.state.pow_v2 is not None:
                await run_in_threadpool(app.state.pow_v2.close)
            await run_in_threadpool(app.state.inference.down)
            await run_in_threadpool(spool.close)
            logger.info("ML node stopped", extra={"callbacks_pending": spool.pending()})

    app = FastAPI(
        title="gonka ML node",
        version=gonka.__version__,
        description="Proof of Compute worker node speaking the Gonka ML node API.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics_
    app.state.spool = spool
    app.state.jobs = jobs
    app.state.pow = PowManager(settings, spool, jobs, metrics_)
    app.state.pow_v2 = None
    if settings.poc == "v2":
        from gonka.node.pow_v2 import PocV2Service

        dtype = "float32" if settings.dtype == "auto" else settings.dtype
        app.state.pow_v2 = PocV2Service(spool, settings.model, dtype)
    app.state.inference = InferenceManager(settings)
    app.state.started = False
    app.state.gpu_summary = {"available": False, "count": 0, "devices": []}
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    @app.exception_handler(NodeError)
    async def node_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, NodeError)
        status = error_status(exc)
        if isinstance(exc, _INFERENCE_ERRORS):
            return JSONResponse({"status": "ERROR", "message": str(exc)}, status_code=status)
        if status >= 500:
            logger.error("request failed", extra={"path": request.url.path, "error": str(exc)})
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", extra={"path": request.url.path})
        return JSONResponse({"detail": f"internal error: {type(exc).__name__}: {exc}"}, status_code=500)

    if settings.poc == "v2":
        from gonka.node.pow_v2 import router as pow_v2_router

        app.include_router(pow_v2_router, prefix=API_PREFIX)
    routers = (
        (inference_router, train_router, api_router)
        if settings.poc == "v2"
        else (pow_router, inference_router, train_router, api_router)
    )
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(ops_router)
    return app
