"""What the client signs with: a tx description bound to a key and chain, and validator address resolution."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gonka.client import queries
from gonka.client.flows import validator_signing_flow
from gonka.client.models import ValidatorSigning
from gonka.client.transport import Flow
from gonka.errors import InvalidInput

FEE_DENOM = "ngonka"


@dataclass
class TxSpec:
    """Messages signed by ``key`` for ``chain_id``; ``sign`` fills in account number, sequence, gas and
    fee.

    Unordered txs get a fresh unique timeout (now + ``timeout_duration``) at every signing, so a re-signed
    tx never collides with an earlier one of the same signer.
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
        from gonka.tx import MAX_UNORDERED_TTL

        if not self.messages:
            raise InvalidInput("a tx needs at least one message")
        if self.unordered and not 0 < self.timeout_duration <= MAX_UNORDERED_TTL:
            raise InvalidInput(
                f"timeout duration of an unordered tx must be in (0, {MAX_UNORDERED_TTL:g}] s, "
                f"got {self.timeout_duration:g}"
            )
        self.address = self.key.public_key.address()

    def sign(self, account_number: int, sequence: int, gas_limit: int, fee: int) -> bytes:
        from gonka.tx import Coin, Tx

        tx = Tx(
            list(self.messages),
            memo=self.memo,
            gas_limit=gas_limit,
            fee=[Coin(FEE_DENOM, fee)] if fee else [],
            granter=self.fee_granter or "",
            unordered=self.unordered,
            ttl=self.timeout_duration,
        )
        raw: bytes = tx.sign(
            self.key, chain_id=self.chain_id, account_number=account_number, sequence=sequence
        )
        return raw


def resolve_signing_target(address: str) -> Flow[ValidatorSigning]:
    """Liveness of the validator behind ``address``: a consensus address (gonkavalcons1) is used directly;
    an operator (gonkavaloper1) or account (gonka1) address is mapped to its validator's consensus key.
    """
    from gonka.address import ACCOUNT_HRP, VALCONS_HRP, VALOPER_HRP, convert_hrp, decode
    from gonka.keys import ConsensusPublicKey

    prefix, _ = decode(address.strip())
    if prefix == VALCONS_HRP:
        return (yield from validator_signing_flow(address.strip(), None))
    if prefix not in (ACCOUNT_HRP, VALOPER_HRP):
        raise InvalidInput(f"expected a gonka1, gonkavaloper1 or gonkavalcons1 address, got {address!r}")
    operator = convert_hrp(address.strip(), VALOPER_HRP)
    validator = yield queries.validator(operator)
    consensus = ConsensusPublicKey.from_base64(validator["consensus_pubkey"]["key"]).address()
    return (yield from validator_signing_flow(consensus, operator, bool(validator.get("jailed", False))))
