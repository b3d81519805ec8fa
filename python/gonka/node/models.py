"""Request and response bodies of the ML node HTTP API (the reference ML node's JSON, field for field).

The PoC values are :class:`gonka.poc.Params` and :class:`gonka.poc.ProofBatch` themselves, validated by
pydantic and by their own rules, so the API and the engine share one definition of what a valid shape or
batch is; this module adds only the limits of the HTTP edge (sizes, a callback URL that can really be
requested, values that become command-line arguments).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from pydantic import (
    BaseModel,
    Field,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from gonka.errors import InvalidInput
from gonka.poc.params import Params
from gonka.poc.proofs import ProofBatch

# Largest ProofBatch the node accepts on /pow/validate. dapi sends samples of 200 nonces; anything far larger
# is either a mistake or an attempt to tie up the validators' GPUs.
MAX_BATCH_NONCES = 100_000
MAX_PUBLIC_KEY = 1024
MAX_BLOCK_HASH = 256


class ServiceState(str, Enum):
    POW = "POW"
    INFERENCE = "INFERENCE"
    TRAIN = "TRAIN"
    STOPPED = "STOPPED"


class PowState(str, Enum):
    IDLE = "IDLE"
    NOT_LOADED = "NOT_LOADED"
    LOADING = "LOADING"
    GENERATING = "GENERATING"
    VALIDATING = "VALIDATING"
    STOPPED = "STOPPED"
    MIXED = "MIXED"


class Phase:
    """The shared phase the workers poll (the reference's integer codes)."""

    IDLE = 0
    GENERATE = 1
    VALIDATE = 2
    STOP = 3


def _checked_by(parse: Callable[[Any], Any], cls: type) -> WrapValidator:
    """Validate with the PoC class's own parser and rules, its errors becoming validation errors (422)."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value if isinstance(value, cls) else parse(value))
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None

    return WrapValidator(validate)


def _parse_validation_batch(value: Any) -> ProofBatch:
    if isinstance(value, Mapping):
        for name in ("nonces", "dist"):
            items = value.get(name)
            if isinstance(items, list) and len(items) > MAX_BATCH_NONCES:
                raise InvalidInput(f"{name} may hold at most {MAX_BATCH_NONCES} values, got {len(items)}")
    batch = ProofBatch.from_dict(value)
    if not 1 <= len(batch.public_key) <= MAX_PUBLIC_KEY:
        raise InvalidInput(f"public_key must have 1 to {MAX_PUBLIC_KEY} characters")
    if not 1 <= len(batch.block_hash) <= MAX_BLOCK_HASH:
        raise InvalidInput(f"block_hash must have 1 to {MAX_BLOCK_HASH} characters")
    if batch.block_height < 0:
        raise InvalidInput("block_height must be non-negative")
    if not all(math.isfinite(d) for d in batch.dist):
        raise InvalidInput("dist must contain finite numbers only")
    return batch


#: A PoC model shape in a request: :class:`gonka.poc.Params` and its rules.
PocParams = Annotated[Params, _checked_by(Params.from_dict, Params)]
#: A batch submitted for validation: :class:`gonka.poc.ProofBatch`, its rules and the edge's size limits.
ValidationBatch = Annotated[ProofBatch, _checked_by(_parse_validation_batch, ProofBatch)]


def check_callback_url(value: str) -> str:
    """``value`` without a trailing slash if batches can be POSTed to ``{value}/generated``, else ValueError
    naming the problem."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value if not ch.isspace()):
        raise ValueError("url must not contain control characters")
    if any(ch.isspace() for ch in value):
        raise ValueError("url must not contain whitespace")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"url has an invalid host or port: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("url must be an http:// or https:// URL")
    if not parts.hostname:
        raise ValueError("url must name a host")
    if port == 0:
        raise ValueError("url port must be in 1..65535")
    if parts.query or parts.fragment:
        part = "query" if parts.query else "fragment"
        raise ValueError(
            f"url must not have a {part}: batches are posted to {{url}}/generated and /validated"
        )
    base = value.rstrip("/")
    try:
        httpx.URL(f"{base}/generated")
    except httpx.InvalidURL as exc:
        raise ValueError(f"url is not a valid URL: {exc}") from None
    return base


def check_command_value(name: str, value: str) -> str:
    """A value substituted into one argument of a command: one token that cannot pass for an option."""
    if any(ch.isspace() for ch in value):
        raise ValueError(f"{name} must not contain whitespace, got {value!r}")
    if value.startswith("-"):
        raise ValueError(f"{name} must not start with '-', got {value!r}")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError(f"{name} must not contain control characters")
    return value


def _finite(name: str, value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return value


class PowInitRequest(BaseModel):
    node_id: int = -1
    node_count: int = -1
    block_hash: str = Field(min_length=1, max_length=MAX_BLOCK_HASH)
    block_height: int = Field(ge=0)
    public_key: str = Field(min_length=1, max_length=MAX_PUBLIC_KEY)
    batch_size: int = Field(ge=1, le=1_000_000)
    r_target: float = Field(gt=0)
    fraud_threshold: float = Field(ge=0)
    params: PocParams = Params()

    @field_validator("r_target", "fraud_threshold")
    @classmethod
    def _is_finite(cls, value: float, info: Any) -> float:
        return _finite(info.field_name, value)

    @model_validator(mode="after")
    def _node_numbering(self) -> PowInitRequest:
        # -1 means "not set" (checked per route); any other value must describe a real slot.
        if self.node_count != -1 and self.node_count < 1:
            raise ValueError("node_count must be -1 (unset) or at least 1")
        if self.node_id < -1:
            raise ValueError("node_id must be -1 (unset) or non-negative")
        return self


class PowInitRequestUrl(PowInitRequest):
    url: str = Field(
        min_length=1, max_length=2048, description="Callback base URL; batches go to {url}/generated"
    )

    @field_validator("url")
    @classmethod
    def _requestable(cls, value: str) -> str:
        return check_callback_url(value)


class InferenceInitRequest(BaseModel):
    model: str = Field(min_length=1)
    dtype: str = Field(min_length=1)
    additional_args: list[str] = []

    @field_validator("model", "dtype")
    @classmethod
    def _one_token(cls, value: str, info: Any) -> str:
        return check_command_value(info.field_name, value)


class StateResponse(BaseModel):
    state: ServiceState


class PowStatus(BaseModel):
    status: PowState
    is_model_initialized: bool | None = None


class PowResponse(BaseModel):
    status: str = "OK"
    pow_status: dict[str, Any] | str


class StatusOK(BaseModel):
    status: str = "OK"
