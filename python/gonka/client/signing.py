"""What the client signs with: a tx description bound to a key and chain, and address resolution for
validators.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gonka.client import queries
from gonka.client.flows import validator_signing_flow
from gonka.client.models import ValidatorSigning
from gonka.client.transport import Flow
from gonka.errors import InvalidInput

FEE_DENOM = "ngonka"
MAX_UNORDERED_TTL = 600.0  # the SDK rejects unordered txs whose timeout is more than 10 min ahead

_last_timeout_ns = 0


def _unique_timeout_ns(ttl: float) -> int:
    """now + ttl in ns, strictly increasing within this process: the chain keys unordered txs by (signer,
    timeout_timestamp), so two txs of one signer must never share a timestamp.
    """
    global _last_timeout_ns
    candidate = time.time_ns() + int(ttl * 1e9)
    _last_timeout_ns = max(candidate, _last_timeout_ns + 1)
    return _last_timeout_ns


@dataclass
class TxSpec:
    """Messages signed by ``key`` for ``chain_id``; ``sign`` fills in account number, sequence, gas and
    fee.
    """

    messages: Sequence[Any]
    key: Any
    chain_id: str
    memo: str = ""
    fee_granter: str | None = None
    unordered: bool = False
    timeout_duration: float = 60.0
    address: str = field(init=False)

    def __post_init__(self) -> None:
        if not self.messages:
            raise InvalidInput("a tx needs at least one message")
        if self.unordered and not 0 < self.timeout_duration <= MAX_UNORDERED_TTL:
            raise InvalidInput(
                f"timeout duration of an unordered tx must be in (0, {MAX_UNORDERED_TTL:g}] s, "
                f"got {self.timeout_duration:g}"
            )
        self.address = self.key.public_key.address()

    def build(self, gas_limit: int, fee: int) -> Any:
        from gonka.tx import Coin, Tx

        options: dict[str, Any] = {}
        if self.unordered:
            options["unordered"] = True
            options["timeout_timestamp_ns"] = _unique_timeout_ns(self.timeout_duration)
        return Tx(
            list(self.messages),
            memo=self.memo,
            gas_limit=gas_limit,
            fee=[Coin(FEE_DENOM, fee)] if fee else [],
            fee_granter=self.fee_granter,
            **options,
        )

    def sign(self, account_number: int, sequence: int, gas_limit: int, fee: int) -> bytes:
        tx = self.build(gas_limit, fee)
        raw: bytes = tx.sign(
            self.key, chain_id=self.chain_id, account_number=account_number, sequence=sequence
        )
        return raw


def _consensus_address(ed25519_pubkey_b64: str) -> str:
    from gonka.address import consensus_address

    try:
        pubkey = base64.b64decode(ed25519_pubkey_b64, validate=True)
    except ValueError:
        raise InvalidInput(f"validator key is not base64: {ed25519_pubkey_b64!r}") from None
    return consensus_address(pubkey)


def resolve_signing_target(address: str) -> Flow[ValidatorSigning]:
    """Liveness of the validator behind ``address``: a consensus address (gonkavalcons1) is used directly;
    an operator (gonkavaloper1) or account (gonka1) address is mapped to its validator's consensus key.
    """
    from gonka.address import VALCONS_HRP, VALOPER_HRP, convert_hrp, hrp_of

    prefix = hrp_of(address)
    if prefix == VALCONS_HRP:
        return (yield from validator_signing_flow(address, None))
    operator = address if prefix == VALOPER_HRP else convert_hrp(address, VALOPER_HRP)
    validator = yield queries.validator(operator)
    consensus = _consensus_address(validator["consensus_pubkey"]["key"])
    return (yield from validator_signing_flow(consensus, operator, bool(validator.get("jailed", False))))
