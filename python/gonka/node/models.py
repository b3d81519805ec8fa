"""Request and response bodies of the ML node HTTP API (the reference ML node's JSON, field for field).

``Params`` and ``ProofBatch`` here are the wire schemas (validation, OpenAPI); the PoC computations use
:class:`gonka.poc.Params` and :class:`gonka.poc.ProofBatch`.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

# Largest ProofBatch the node accepts on /pow/validate. dapi sends samples of 200 nonces; anything far larger
# is either a mistake or an attempt to tie up the validators' GPUs.
MAX_BATCH_NONCES = 100_000


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


class Params(BaseModel):
    """PoC model shape; the defaults are the reference ML node's, so omitted fields mean the same there."""

    dim: int = Field(default=2048, ge=1)
    n_layers: int = Field(default=16, ge=1)
    n_heads: int = Field(default=16, ge=1)
    n_kv_heads: int = Field(default=16, ge=1)
    vocab_size: int = Field(default=8192, ge=2)
    ffn_dim_multiplier: float = Field(default=1.3, gt=0)
    multiple_of: int = Field(default=1024, ge=1)
    norm_eps: float = Field(default=1e-5, gt=0)
    rope_theta: float = Field(default=500000.0, gt=0)
    use_scaled_rope: bool = False
    seq_len: int = Field(default=16, ge=1)

    @model_validator(mode="after")
    def _valid_shape(self) -> Params:
        # gonka.poc.Params holds the rules a model shape must follow (heads divide dim, even head_dim, ...).
        from gonka.errors import InvalidInput
        from gonka.poc import Params as PocParams

        try:
            PocParams.from_dict(self.model_dump())
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None
        return self


def _finite(name: str, value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return value


class PowInitRequest(BaseModel):
    node_id: int = -1
    node_count: int = -1
    block_hash: str = Field(min_length=1, max_length=256)
    block_height: int = Field(ge=0)
    public_key: str = Field(min_length=1, max_length=1024)
    batch_size: int = Field(ge=1, le=1_000_000)
    r_target: float = Field(gt=0)
    fraud_threshold: float = Field(ge=0)
    params: Params = Params()

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
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("url must be an http:// or https:// URL")
        return value.rstrip("/")


class ProofBatch(BaseModel):
    public_key: str = Field(min_length=1, max_length=1024)
    block_hash: str = Field(min_length=1, max_length=256)
    block_height: int = Field(ge=0)
    nonces: list[int] = Field(max_length=MAX_BATCH_NONCES)
    dist: list[float] = Field(max_length=MAX_BATCH_NONCES)
    node_id: int = 0

    @model_validator(mode="after")
    def _consistent(self) -> ProofBatch:
        if len(self.nonces) != len(self.dist):
            raise ValueError(
                f"nonces and dist must have the same length (got {len(self.nonces)} and {len(self.dist)})"
            )
        if any(n < 0 for n in self.nonces):
            raise ValueError("nonces must be non-negative")
        if not all(math.isfinite(d) for d in self.dist):
            raise ValueError("dist must contain finite numbers only")
        return self


class InferenceInitRequest(BaseModel):
    model: str = Field(min_length=1)
    dtype: str = Field(min_length=1)
    additional_args: list[str] = []


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
