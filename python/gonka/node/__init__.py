"""The ML node service: a drop-in for the reference ML node's HTTP API (PoC, inference control, callbacks).

``create_app(settings)`` builds the FastAPI application; ``serve(settings)`` runs it with uvicorn. Every
setting has a ``GONKA_NODE_*`` environment variable (:class:`NodeSettings`). Errors derive from
:class:`~gonka.node.errors.NodeError`. Needs the ``gonka[node]`` extra (FastAPI, uvicorn, prometheus-client,
pydantic-settings) and ``gonka[poc]`` (PyTorch) for the PoC workers.
"""

from gonka.node.app import create_app
from gonka.node.callbacks import IDEMPOTENCY_HEADER, CallbackSpool
from gonka.node.errors import NodeError
from gonka.node.models import (
    InferenceInitRequest,
    PowInitRequestUrl,
    PowState,
    ServiceState,
)
from gonka.node.server import serve
from gonka.node.settings import NodeSettings

__all__ = [
    "IDEMPOTENCY_HEADER",
    "CallbackSpool",
    "InferenceInitRequest",
    "NodeError",
    "NodeSettings",
    "PowInitRequestUrl",
    "PowState",
    "ServiceState",
    "create_app",
    "serve",
]
