"""HTTP transport shared by the sync and async clients.

Requests are plain :class:`Call` values (which API, method, path, body, how to parse the answer), so the query
catalogue and the multi-step tx flows are written once, without I/O, and run by either driver:
:class:`SyncTransport` (``httpx.Client``) or :class:`AsyncTransport` (``httpx.AsyncClient``). Only transport
errors are retried, with bounded exponential backoff; for calls that are not idempotent (broadcast) only
failures to connect are retried, because then the request provably never reached the node.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import urlsplit

import httpx

from gonka.client.errors import (
    BadResponse,
    NodeUnreachable,
    NotFound,
    RequestRejected,
    Timeout,
    chain_error,
    pruned_height,
)
from gonka.errors import GonkaError, InvalidInput

T = TypeVar("T")
Api = Literal["rest", "rpc", "dapi", "admin"]

DEFAULT_NODE_URL = "http://node2.gonka.ai:8000"
NODE_URL_ENV = "GONKA_NODE_URL"
DEFAULT_ADMIN_URL = "http://localhost:9200"
ADMIN_URL_ENV = "GONKA_ADMIN_URL"


def _identity(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP request to one of the node's APIs and how to turn its JSON into a result."""

    api: Api
    method: str
    path: str
    params: dict[str, Any] | None = None
    body: Any = None
    parse: Callable[[Any], T] = field(default=_identity)
    idempotent: bool = True


@dataclass(frozen=True)
class Sleep:
    """A pause requested by a flow (polling for inclusion)."""

    seconds: float


Flow = Generator["Call[Any] | Sleep", Any, T]


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the APIs a client talks to. A public node serves REST, RPC and dapi behind one proxy."""

    rest: str = ""
    rpc: str = ""
    dapi: str = ""
    admin: str = ""

    @classmethod
    def for_node(
        cls,
        node_url: str | None = None,
        *,
        rest_url: str | None = None,
        rpc_url: str | None = None,
        dapi_url: str | None = None,
    ) -> Endpoints:
        base = _check_url(node_url or os.environ.get(NODE_URL_ENV) or DEFAULT_NODE_URL, "node URL")
        return cls(
            rest=_check_url(rest_url, "REST URL") if rest_url else f"{base}/chain-api",
            rpc=_check_url(rpc_url, "RPC URL") if rpc_url else f"{base}/chain-rpc",
            dapi=_check_url(dapi_url, "dapi URL") if dapi_url else base,
        )

    @classmethod
    def for_admin(cls, admin_url: str | None = None) -> Endpoints:
        return cls(
            admin=_check_url(admin_url or os.environ.get(ADMIN_URL_ENV) or DEFAULT_ADMIN_URL, "admin URL")
        )

    def url(self, call: Call[Any]) -> str:
        base: str = getattr(self, call.api)
        if not base:
            raise InvalidInput(f"this client has no {call.api} endpoint")
        return base + call.path


def _check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(f"{what} must be an http(s) URL such as {DEFAULT_NODE_URL}, got {url!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries of transport errors: ``attempts`` tries in all, sleeping ``backoff * 2**i``
    (capped).
    """

    attempts: int = 3
    backoff: float = 0.25
    max_backoff: float = 4.0

    def delay(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2.0**attempt)

    def should_retry(self, call: Call[Any], error: httpx.TransportError, attempt: int) -> bool:
        if attempt + 1 >= self.attempts:
            return False
        never_sent = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
        return never_sent or call.idempotent


def _transport_failure(call: Call[Any], url: str, error: httpx.TransportError) -> GonkaError:
    if isinstance(error, httpx.TimeoutException):
        return Timeout(f"{call.method} {url} timed out: {error.__class__.__name__}")
    return NodeUnreachable(f"{call.method} {url} failed: {error.__class__.__name__}: {error}")


def decode(call: Call[T], response: httpx.Response) -> T:
    """The parsed result of a response, or the matching error."""
    status = response.status_code
    text = response.text
    try:
        payload = json.loads(text) if text.strip() else None
    except ValueError:
        payload = None
        if 200 <= status < 300:
            raise BadResponse(
                f"{call.method} {call.path}: the node answered {status} with non-JSON: {text[:200]!r}",
                status=status,
                body=text,
            ) from None
    if call.api == "rpc" and isinstance(payload, dict) and "error" in payload:
        raise _rpc_error(call, status, payload["error"], text)
    if not 200 <= status < 300:
        raise _http_error(call, status, payload, text)
    if call.api == "rpc":
        if not isinstance(payload, dict) or "result" not in payload:
            raise BadResponse(f"{call.path}: not a JSON-RPC answer: {text[:200]!r}", status=status, body=text)
        payload = payload["result"]
    try:
        return call.parse(payload)
    except GonkaError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise BadResponse(
            f"{call.method} {call.path}: unexpected answer shape: {e}", status=status, body=text
        ) from None


def _rpc_error(call: Call[Any], status: int, error: Any, text: str) -> GonkaError:
    detail = error.get("data") or error.get("message") if isinstance(error, dict) else str(error)
    if isinstance(detail, str) and pruned_height(detail):
        return chain_error(code=0, codespace="", raw_log=detail)
    if isinstance(detail, str) and "not found" in detail:
        return NotFound(f"{call.path}: {detail}", raw_log=detail)
    return BadResponse(f"{call.path}: CometBFT RPC error: {detail}", status=status, body=text)


def _http_error(call: Call[Any], status: int, payload: Any, text: str) -> GonkaError:
    # grpc-gateway (the Cosmos REST API) reports every error as {"code": <gRPC status>, "message": ...},
    # even the chain's own rejections (e.g. a failed simulation comes back as 500 / gRPC Unknown).
    if (
        call.api == "rest"
        and isinstance(payload, dict)
        and isinstance(payload.get("code"), int)
        and "message" in payload
    ):
        return chain_error(code=payload["code"], codespace="", raw_log=str(payload["message"]), grpc=True)
    message = ""
    if isinstance(payload, dict):
        message = str(payload.get("error") or payload.get("message") or "")
    message = message or text[:200]
    if status == 404 and call.api != "admin":
        return NotFound(f"{call.method} {call.path}: not found ({message})", code=404, raw_log=message)
    if 400 <= status < 500:
        return RequestRejected(f"{call.method} {call.path}: HTTP {status}: {message}", status=status)
    return BadResponse(f"{call.method} {call.path}: HTTP {status}: {message}", status=status, body=text)


def _request_kwargs(call: Call[Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"params": call.params}
    if call.body is not None:
        kwargs["json"] = call.body
    return kwargs


class SyncTransport:
    """Runs calls and flows with a blocking ``httpx.Client``."""

    def __init__(
        self, endpoints: Endpoints, *, timeout: float, retry: RetryPolicy, http: httpx.Client | None
    ):
        self.endpoints = endpoints
        self.retry = retry
        self._owns_http = http is None
        self.http = http or httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def run(self, call: Call[T]) -> T:
        url = self.endpoints.url(call)
        attempt = 0
        while True:
            try:
                response = self.http.request(call.method, url, **_request_kwargs(call))
            except httpx.TransportError as e:
                if not self.retry.should_retry(call, e, attempt):
                    raise _transport_failure(call, url, e) from None
                time.sleep(self.retry.delay(attempt))
                attempt += 1
                continue
            return decode(call, response)

    def drive(self, flow: Flow[T]) -> T:
        send: Any = None
        error: BaseException | None = None
        while True:
            try:
                step = flow.throw(error) if error is not None else flow.send(send)
            except StopIteration as stop:
                result: T = stop.value
                return result
            send, error = None, None
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
                continue
            try:
                send = self.run(step)
            except GonkaError as e:
                error = e


class AsyncTransport:
    """Runs calls and flows with an ``httpx.AsyncClient``."""

    def __init__(
        self, endpoints: Endpoints, *, timeout: float, retry: RetryPolicy, http: httpx.AsyncClient | None
    ):
        self.endpoints = endpoints
        self.retry = retry
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(timeout=timeout)

    async def close(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def run(self, call: Call[T]) -> T:
        url = self.endpoints.url(call)
        attempt = 0
        while True:
            try:
                response = await self.http.request(call.method, url, **_request_kwargs(call))
            except httpx.TransportError as e:
                if not self.retry.should_retry(call, e, attempt):
                    raise _transport_failure(call, url, e) from None
                await asyncio.sleep(self.retry.delay(attempt))
                attempt += 1
                continue
            return decode(call, response)

    async def drive(self, flow: Flow[T]) -> T:
        send: Any = None
        error: BaseException | None = None
        while True:
            try:
                step = flow.throw(error) if error is not None else flow.send(send)
            except StopIteration as stop:
                result: T = stop.value
                return result
            send, error = None, None
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
                continue
            try:
                send = await self.run(step)
            except GonkaError as e:
                error = e


__all__ = [
    "DEFAULT_NODE_URL",
    "NODE_URL_ENV",
    "AsyncTransport",
    "Call",
    "Endpoints",
    "Flow",
    "RetryPolicy",
    "Sleep",
    "SyncTransport",
    "decode",
]
