"""Multi-request procedures written once, without I/O, as generators of :class:`Call`/:class:`Sleep` steps.

A driver (sync or async transport) runs each yielded call and sends back its result, or throws its error into
the generator, so a flow handles chain errors with ordinary ``try``/``except``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from gonka.client import queries
from gonka.client.errors import NotFound, SequenceMismatch, Timeout
from gonka.client.models import Account, TxResult, ValidatorSigning
from gonka.client.transport import Flow, Sleep
from gonka.errors import InvalidInput

# Signs a tx for the given account number, sequence, gas limit and fee (ngonka); returns TxRaw bytes.
SignFn = Callable[[int, int, int, int], bytes]


@dataclass(frozen=True)
class GasSettings:
    """``gas=None`` simulates and multiplies the gas used by ``gas_adjustment``; ``fee=None`` pays gas x
    the chain's minimum gas price (``fee_params.min_gas_price_ngonka``).
    """

    gas: int | None = None
    gas_adjustment: float = 1.5
    fee: int | None = None

    def __post_init__(self) -> None:
        if self.gas is not None and self.gas <= 0:
            raise InvalidInput(f"gas must be a positive integer, got {self.gas}")
        if not self.gas_adjustment >= 1.0:
            raise InvalidInput(f"gas adjustment must be >= 1.0, got {self.gas_adjustment}")
        if self.fee is not None and self.fee < 0:
            raise InvalidInput(f"fee must be >= 0 ngonka, got {self.fee}")


@dataclass(frozen=True)
class Prepared:
    """A signed tx ready to broadcast, with what it was signed for."""

    raw: bytes
    account: Account
    sequence: int
    gas_limit: int
    fee: int


def account_flow(address: str) -> Flow[Account]:
    try:
        # A flow is sent back what its call returned.
        account: Account = yield queries.account(address)
        return account
    except NotFound as e:
        raise NotFound(
            f"account {address} is not on chain yet (it must receive funds before it can sign)",
            code=e.code,
            raw_log=e.raw_log,
        ) from None


def prepare_flow(
    address: str, sign: SignFn, gas: GasSettings, *, unordered: bool = False, sequence: int | None = None
) -> Flow[Prepared]:
    """Fetch the account, size gas (simulate) and fee, and sign. Unordered txs always use sequence 0."""
    account = yield from account_flow(address)
    seq = 0 if unordered else (account.sequence if sequence is None else sequence)
    gas_limit = gas.gas
    if gas_limit is None:
        # Simulation runs with an infinite gas meter and skips fee checks: a zero gas limit and fee are fine.
        simulated = yield queries.simulate(sign(account.account_number, seq, 0, 0))
        gas_limit = max(1, math.ceil(simulated.gas_used * gas.gas_adjustment))
    fee = gas.fee
    if fee is None:
        params = yield queries.inference_params()
        fee = gas_limit * params.min_gas_price_ngonka
    raw = sign(account.account_number, seq, gas_limit, fee)
    return Prepared(raw=raw, account=account, sequence=seq, gas_limit=gas_limit, fee=fee)


def send_flow(
    address: str,
    sign: SignFn,
    gas: GasSettings,
    *,
    unordered: bool = False,
    wait: bool = True,
    wait_timeout: float = 60.0,
    poll_interval: float = 1.0,
) -> Flow[TxResult]:
    """Prepare, broadcast (sync mode) and optionally wait for inclusion.

    A sequence mismatch (from simulation or CheckTx) is handled once: the account is fetched again and the
    tx is re-signed with the sequence the node expects (parsed from its log: it counts txs still in the
    mempool, which the committed account state does not), falling back to the refetched one.
    """
    sequence: int | None = None
    for attempt in (1, 2):
        try:
            prepared = yield from prepare_flow(address, sign, gas, unordered=unordered, sequence=sequence)
            result = yield from _broadcast_flow(prepared.raw)
            break
        except SequenceMismatch as mismatch:
            if unordered or attempt == 2:
                raise
            # prepare_flow refetches the account; the node's expected sequence wins when the log states it.
            sequence = mismatch.expected
    if not wait:
        return result
    return (yield from wait_flow(result.txhash, timeout=wait_timeout, poll_interval=poll_interval))


def _broadcast_flow(raw: bytes) -> Flow[TxResult]:
    try:
        result: TxResult = yield queries.broadcast(raw)
        return result
    except Timeout:
        # The node may have accepted it: return the hash so the caller looks it up instead of resending.
        from gonka.tx import tx_hash

        txhash = tx_hash(raw)
        raise Timeout(
            f"broadcast of tx {txhash} timed out; it may still be included", txhash=txhash
        ) from None


def wait_flow(txhash: str, *, timeout: float = 60.0, poll_interval: float = 1.0) -> Flow[TxResult]:
    """Poll for the tx until it is in a block or ``timeout`` seconds pass (then :class:`Timeout`, with the
    hash).
    """
    if timeout <= 0 or poll_interval <= 0:
        raise InvalidInput("wait timeout and poll interval must be positive")
    deadline = time.monotonic() + timeout
    while True:
        try:
            included: TxResult = yield queries.get_tx(txhash)
            return included
        except NotFound:
            pass
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout(
                f"tx {txhash} was not included within {timeout:g} s; it may still be", txhash=txhash
            )
        yield Sleep(min(poll_interval, remaining))


def validator_signing_flow(
    consensus_address: str, operator_address: str | None = None, validator_jailed: bool | None = None
) -> Flow[ValidatorSigning]:
    """Signing info + slashing window. ``jailed`` is the staking validator's flag when known, else whether
    ``jailed_until`` lies in the future.
    """
    info = yield queries.signing_info(consensus_address)
    params = yield queries.slashing_params()
    jailed_until = info.jailed_until
    if validator_jailed is None:
        validator_jailed = jailed_until is not None and jailed_until > datetime.now(timezone.utc)
    return ValidatorSigning(
        consensus_address=info.address,
        operator_address=operator_address,
        jailed=validator_jailed,
        jailed_until=jailed_until,
        tombstoned=info.tombstoned,
        missed_blocks=info.missed_blocks_counter,
        window=params.signed_blocks_window,
        min_signed_per_window=params.min_signed_per_window,
    )
