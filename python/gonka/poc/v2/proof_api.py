"""The off-chain proof API: validators fetch a participant's sampled leaves with their proofs.

``POST /v1/poc/proofs`` (by dense leaf index) and ``POST /v1/poc/proofs/by-nonce``, at most 500
items. Requests are signed by the validator (or its authz grantee for
``MsgSubmitPocValidationsV2``) and responses by the participant; each signature is secp256k1 over
the ASCII hex of a SHA-256 of a length-prefixed little-endian payload:

* request: ``LE64 stage ‖ str model ‖ root(32) ‖ LE32 count ‖ LE32 n ‖ LE32 index… ‖ LE64 timestamp
  ‖ str validator ‖ str signer`` (by nonce: ``str "poc-proofs-by-nonce-v1"`` first, int32 nonces);
* response: ``LE64 stage ‖ str model ‖ root ‖ LE32 count ‖ SHA-256(per proof: LE32 index ‖ LE32
  nonce ‖ vector base64 text ‖ proof elements' base64 text) ‖ LE64 timestamp ‖ str signer``,

where ``str`` is ``LE32 length ‖ bytes``. Timestamps are Unix nanoseconds; servers accept ±5 minutes.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gonka.errors import InvalidInput
from gonka.keys import PrivateKey, PublicKey
from gonka.poc.v2.store import ArtifactStore, ProofItem, StoreNotFound

__all__ = [
    "BY_NONCE_DOMAIN",
    "MAX_ITEMS",
    "PROOFS_MSG_TYPE_URL",
    "TIMESTAMP_WINDOW_NS",
    "ProofRequest",
    "ProofRequestRejected",
    "ProofResponse",
    "ProofServer",
    "fetch_proofs",
    "request_sign_payload",
    "response_sign_payload",
]

MAX_ITEMS = 500
TIMESTAMP_WINDOW_NS = 5 * 60 * 1_000_000_000
BY_NONCE_DOMAIN = "poc-proofs-by-nonce-v1"
#: The message type whose authz grant lets a warm key sign for a validator.
PROOFS_MSG_TYPE_URL = "/inference.inference.MsgSubmitPocValidationsV2"


def _str(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<I", len(raw)) + raw


def _hex_sha256(payload: bytes) -> bytes:
    return hashlib.sha256(payload).hexdigest().encode("ascii")


@dataclass(frozen=True)
class ProofRequest:
    """A signed request; exactly one of ``leaf_indices`` and ``nonces`` is given."""

    poc_stage_start_block_height: int
    model_id: str
    root_hash: bytes
    count: int
    validator_address: str
    validator_signer_address: str
    timestamp: int
    leaf_indices: tuple[int, ...] | None = None
    nonces: tuple[int, ...] | None = None
    signature: bytes = b""

    @property
    def by_nonce(self) -> bool:
        return self.nonces is not None

    @classmethod
    def signed(
        cls,
        key: PrivateKey,
        *,
        stage: int,
        model_id: str,
        root_hash: bytes,
        count: int,
        validator_address: str,
        leaf_indices: Sequence[int] | None = None,
        nonces: Sequence[int] | None = None,
        timestamp: int | None = None,
    ) -> ProofRequest:
        """A request signed by ``key`` (whose address is the signer; the validator may differ)."""
        unsigned = cls(
            stage,
            model_id,
            bytes(root_hash),
            count,
            validator_address,
            key.address(),
            time.time_ns() if timestamp is None else timestamp,
            None if leaf_indices is None else tuple(leaf_indices),
            None if nonces is None else tuple(nonces),
        )
        unsigned.check()
        return cls(**{**unsigned.__dict__, "signature": key.sign(request_sign_payload(unsigned))})

    def check(self) -> None:
        if (self.leaf_indices is None) == (self.nonces is None):
            raise InvalidInput("a proof request names leaf_indices or nonces (exactly one)")
        items = self.nonces if self.nonces is not None else self.leaf_indices
        assert items is not None
        if not items:
            raise InvalidInput("leaf_indices required" if self.nonces is None else "nonces required")
        if len(items) > MAX_ITEMS:
            raise InvalidInput(f"too many items (max {MAX_ITEMS})")
        if len(self.root_hash) != 32:
            raise InvalidInput("invalid root_hash (must be 32 bytes base64)")
        for name in ("model_id", "validator_address", "validator_signer_address"):
            if not getattr(self, name):
                raise InvalidInput(f"{name} required")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "poc_stage_start_block_height": self.poc_stage_start_block_height,
            "model_id": self.model_id,
            "root_hash": base64.b64encode(self.root_hash).decode(),
            "count": self.count,
            "validator_address": self.validator_address,
            "validator_signer_address": self.validator_signer_address,
            "timestamp": self.timestamp,
            "signature": base64.b64encode(self.signature).decode(),
        }
        if self.nonces is not None:
            body["nonces"] = list(self.nonces)
        else:
            body["leaf_indices"] = list(self.leaf_indices or ())
        return body

    @classmethod
    def from_json(cls, data: Any, *, by_nonce: bool) -> ProofRequest:
        """Parses a request body (integers as JSON numbers or decimal strings)."""
        if not isinstance(data, dict):
            raise InvalidInput("invalid request body")
        items_key = "nonces" if by_nonce else "leaf_indices"
        raw_items = data.get(items_key)
        if not isinstance(raw_items, list):
            raise InvalidInput(f"{items_key} required")
        low, high = (-(2**31), 2**31 - 1) if by_nonce else (0, 2**32 - 1)
        try:
            items = tuple(_int(v, low, high, items_key) for v in raw_items)
            root = base64.b64decode(str(data.get("root_hash", "")), validate=True)
            signature = base64.b64decode(str(data.get("signature", "")), validate=True)
        except ValueError as err:
            raise InvalidInput(f"invalid request body: {err}") from None
        request = cls(
            _int(
                data.get("poc_stage_start_block_height"), -(2**63), 2**63 - 1, "poc_stage_start_block_height"
            ),
            str(data.get("model_id") or ""),
            root,
            _int(data.get("count"), 0, 2**32 - 1, "count"),
            str(data.get("validator_address") or ""),
            str(data.get("validator_signer_address") or ""),
            _int(data.get("timestamp"), -(2**63), 2**63 - 1, "timestamp"),
            None if by_nonce else items,
            items if by_nonce else None,
            signature,
        )
        if not signature:
            raise InvalidInput("signature required")
        request.check()
        return request


def _int(value: Any, low: int, high: int, name: str) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be an integer")
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return value


def request_sign_payload(request: ProofRequest) -> bytes:
    """What a request's signature signs (hex text of the SHA-256 of the payload)."""
    parts = []
    if request.nonces is not None:
        parts.append(_str(BY_NONCE_DOMAIN))
    parts += [
        struct.pack("<q", request.poc_stage_start_block_height),
        _str(request.model_id),
        request.root_hash,
        struct.pack("<I", request.count),
    ]
    if request.nonces is not None:
        parts.append(struct.pack(f"<I{len(request.nonces)}i", len(request.nonces), *request.nonces))
    else:
        indices = request.leaf_indices or ()
        parts.append(struct.pack(f"<I{len(indices)}I", len(indices), *indices))
    parts += [
        struct.pack("<q", request.timestamp),
        _str(request.validator_address),
        _str(request.validator_signer_address),
    ]
    return _hex_sha256(b"".join(parts))


def response_sign_payload(
    stage: int,
    model_id: str,
    root: bytes,
    count: int,
    proofs: Sequence[ProofItem],
    timestamp: int,
    signer: str,
) -> bytes:
    """What a response's signature signs; the proofs enter through their JSON (base64) text."""
    digest = hashlib.sha256()
    for item in proofs:
        wire = item.to_json()
        digest.update(struct.pack("<Ii", item.leaf_index, item.nonce_value))
        digest.update(wire["vector_bytes"].encode())
        for element in wire["proof"]:
            digest.update(element.encode())
    payload = (
        struct.pack("<q", stage)
        + _str(model_id)
        + root
        + struct.pack("<I", count)
        + digest.digest()
        + struct.pack("<q", timestamp)
        + _str(signer)
    )
    return _hex_sha256(payload)


@dataclass(frozen=True)
class ProofResponse:
    """The proofs with the participant's signature (``signer_address`` empty when unsigned)."""

    proofs: tuple[ProofItem, ...]
    signer_address: str = ""
    timestamp: int = 0
    signature: bytes = b""

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"proofs": [p.to_json() for p in self.proofs]}
        if self.signature:
            body.update(
                signer_address=self.signer_address,
                timestamp=self.timestamp,
                signature=base64.b64encode(self.signature).decode(),
            )
        return body

    @classmethod
    def from_json(cls, data: Any) -> ProofResponse:
        if not isinstance(data, dict) or not isinstance(data.get("proofs"), list):
            raise InvalidInput("a proof response is an object with a proofs list")
        try:
            signature = base64.b64decode(str(data.get("signature", "")), validate=True)
        except ValueError as err:
            raise InvalidInput(f"response signature is not base64: {err}") from None
        return cls(
            tuple(ProofItem.from_json(p) for p in data["proofs"]),
            str(data.get("signer_address", "")),
            int(data.get("timestamp", 0) or 0),
            signature,
        )

    def verify_signature(self, public_key: PublicKey, request: ProofRequest) -> bool:
        """Whether the participant's key signed these proofs for ``request``'s commitment."""
        payload = response_sign_payload(
            request.poc_stage_start_block_height,
            request.model_id,
            request.root_hash,
            request.count,
            self.proofs,
            self.timestamp,
            self.signer_address,
        )
        return len(self.signature) == 64 and public_key.verify(payload, self.signature)


class ProofRequestRejected(InvalidInput):
    """A request the server refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ProofServer:
    """Serves proofs from a participant's stores, checking each request's signature.

    ``authorized_key(validator_address, signer_address)`` returns the signer's public key when it may
    sign for the validator (itself, or an authz grantee for :data:`PROOFS_MSG_TYPE_URL`), else None.
    """

    def __init__(
        self,
        stores: Mapping[tuple[int, str], ArtifactStore],
        key: PrivateKey,
        authorized_key: Callable[[str, str], PublicKey | None],
        *,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self.stores = stores
        self.key = key
        self.authorized_key = authorized_key
        self.clock_ns = clock_ns

    def handle(self, body: Any, *, by_nonce: bool) -> ProofResponse:
        try:
            request = ProofRequest.from_json(body, by_nonce=by_nonce)
        except InvalidInput as err:
            raise ProofRequestRejected(400, str(err)) from None
        now = self.clock_ns()
        if abs(request.timestamp - now) > TIMESTAMP_WINDOW_NS:
            raise ProofRequestRejected(400, "timestamp out of acceptable window")
        public_key = self.authorized_key(request.validator_address, request.validator_signer_address)
        if public_key is None:
            raise ProofRequestRejected(401, "signer not authorized for validator")
        if len(request.signature) != 64 or not public_key.verify(
            request_sign_payload(request), request.signature
        ):
            raise ProofRequestRejected(401, "invalid signature")
        store = self.stores.get((request.poc_stage_start_block_height, request.model_id))
        if store is None:
            raise ProofRequestRejected(404, "not found for height (may be pruned or not yet created)")
        try:
            if request.nonces is not None:
                proofs = store.proofs_by_nonce(request.nonces, request.count, request.root_hash)
            else:
                proofs = store.proofs(request.leaf_indices or (), request.count, request.root_hash)
        except StoreNotFound as err:
            raise ProofRequestRejected(400, str(err)) from None
        except InvalidInput as err:
            raise ProofRequestRejected(400, str(err)) from None
        timestamp = self.clock_ns()
        signer = self.key.address()
        payload = response_sign_payload(
            request.poc_stage_start_block_height,
            request.model_id,
            request.root_hash,
            request.count,
            proofs,
            timestamp,
            signer,
        )
        return ProofResponse(tuple(proofs), signer, timestamp, self.key.sign(payload))


def fetch_proofs(base_url: str, request: ProofRequest, *, timeout: float = 30.0) -> ProofResponse:
    """POSTs ``request`` to a participant's ``/v1/poc/proofs`` (or ``/by-nonce``) and parses the answer.

    Raises :class:`ProofRequestRejected` with the HTTP status for a non-200 answer.
    """
    import httpx

    path = "v1/poc/proofs/by-nonce" if request.by_nonce else "v1/poc/proofs"
    response = httpx.post(f"{base_url.rstrip('/')}/{path}", json=request.to_json(), timeout=timeout)
    if response.status_code != 200:
        raise ProofRequestRejected(response.status_code, f"proof request failed: {response.text[:200]}")
    try:
        return ProofResponse.from_json(response.json())
    except ValueError as err:
        raise InvalidInput(f"proof response is not JSON: {err}") from None
