"""Errors of the chain client, and how node responses map onto them.

A :class:`ChainError` carries what the chain said (``code``, ``codespace``, ``raw_log``); its subclasses name
the failures a caller reacts to differently (refetch the sequence, raise gas, raise fees). Transport-level
failures (:class:`Timeout`, :class:`NodeUnreachable`) and unusable answers (:class:`BadResponse`) are not
chain errors.
"""

from __future__ import annotations

import re
from typing import Any

from gonka.errors import GonkaError

# ABCI codes of the Cosmos SDK root codespace ("sdk"), types/errors/errors.go.
SDK_CODESPACE = "sdk"
CODE_OUT_OF_GAS = 11
CODE_INSUFFICIENT_FEE = 13
CODE_NOT_FOUND = 38
CODE_WRONG_SEQUENCE = 32
# gRPC status code NotFound, as grpc-gateway reports it in its JSON error body.
GRPC_NOT_FOUND = 5

_SEQUENCE_RE = re.compile(r"account sequence mismatch, expected (\d+), got (\d+)")
_GAS_RE = re.compile(r"gasWanted: (\d+), gasUsed: (\d+)")
# CometBFT: "height 5 is not available, lowest height is 1000"; the SDK: "failed to load state at height 5".
_PRUNED_RE = re.compile(
    r"height (\d+) is not available, lowest height is (\d+)|failed to load state at height"
)


class ChainError(GonkaError):
    """The chain (or its REST gateway) rejected a request; ``code``/``codespace``/``raw_log`` say why."""

    def __init__(
        self,
        message: str,
        *,
        code: int = 0,
        codespace: str = "",
        raw_log: str = "",
        txhash: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.codespace = codespace
        self.raw_log = raw_log
        self.txhash = txhash


class NotFound(ChainError):
    """The queried object (account, participant, tx, proposal, ...) does not exist on chain."""


class HeightNotAvailable(NotFound):
    """The node no longer (or does not yet) hold the state or block at the requested height; ``lowest_height``
    is the lowest it serves when it says so.
    """

    def __init__(self, message: str, *, lowest_height: int | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.lowest_height = lowest_height


class UnknownChainVersion(GonkaError):
    """The chain's release could not be determined (no applied upgrade plan and no parsable node version);
    give it explicitly.
    """


class SequenceMismatch(ChainError):
    """The signer's sequence is stale; ``expected`` is the node's current value when the log states it."""

    def __init__(
        self, message: str, *, expected: int | None = None, got: int | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.expected = expected
        self.got = got


class OutOfGas(ChainError):
    """The tx ran out of gas; ``gas_wanted``/``gas_used`` come from the log when present."""

    def __init__(
        self, message: str, *, gas_wanted: int | None = None, gas_used: int | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.gas_wanted = gas_wanted
        self.gas_used = gas_used


class InsufficientFee(ChainError):
    """The fee is below what the chain requires (gas limit x minimum gas price)."""


class Timeout(GonkaError):
    """A request, or the wait for a tx to be included in a block, ran past its deadline."""

    def __init__(self, message: str, *, txhash: str | None = None) -> None:
        super().__init__(message)
        self.txhash = txhash


class NodeUnreachable(GonkaError):
    """The node could not be reached (connection refused/reset, DNS) after the allowed retries."""


class BadResponse(GonkaError):
    """The node answered with something unusable: a 5xx without a chain error, non-JSON, or an unexpected
    shape.
    """

    def __init__(self, message: str, *, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class RequestRejected(GonkaError):
    """The node refused a request that is not a chain error (HTTP 4xx from the dapi or its admin API)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def pruned_height(text: str) -> bool:
    """Whether a node's message says the requested height is outside what it stores."""
    return _PRUNED_RE.search(text) is not None


def chain_error(
    *, code: int, codespace: str, raw_log: str, txhash: str | None = None, grpc: bool = False
) -> ChainError:
    """The most specific :class:`ChainError` for a chain answer.

    ``grpc`` marks a grpc-gateway error body, whose ``code`` is a gRPC status rather than an ABCI code;
    the SDK's message text is then the only reliable hint (e.g. a failed simulation reports a sequence
    mismatch as gRPC "Unknown").
    """
    kw: dict[str, Any] = {"code": code, "codespace": codespace, "raw_log": raw_log, "txhash": txhash}
    sdk = codespace == SDK_CODESPACE and not grpc
    where = f" (tx {txhash})" if txhash else ""
    if (sdk and code == CODE_WRONG_SEQUENCE) or _SEQUENCE_RE.search(raw_log):
        m = _SEQUENCE_RE.search(raw_log)
        expected, got = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        return SequenceMismatch(
            f"account sequence mismatch{where}: {raw_log}", expected=expected, got=got, **kw
        )
    if (sdk and code == CODE_OUT_OF_GAS) or "out of gas" in raw_log:
        m = _GAS_RE.search(raw_log)
        wanted, used = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        return OutOfGas(f"out of gas{where}: {raw_log}", gas_wanted=wanted, gas_used=used, **kw)
    if (sdk and code == CODE_INSUFFICIENT_FEE) or "insufficient fee" in raw_log:
        return InsufficientFee(f"insufficient fee{where}: {raw_log}", **kw)
    pruned = _PRUNED_RE.search(raw_log)
    if pruned:
        lowest = int(pruned.group(2)) if pruned.group(2) else None
        return HeightNotAvailable(f"height not available: {raw_log}", lowest_height=lowest, **kw)
    if (grpc and code == GRPC_NOT_FOUND) or (sdk and code == CODE_NOT_FOUND):
        return NotFound(f"not found: {raw_log}", **kw)
    label = f"{codespace or 'grpc'} code {code}"
    return ChainError(f"chain error {label}{where}: {raw_log}", **kw)
