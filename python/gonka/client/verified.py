"""Reads verified down to validator signatures, written once as flows for both clients.

A flow fetches what a proof needs from the node (the API node's answer, ``/chain-rpc/commit`` and every
page of ``/chain-rpc/validators``), establishes trust from an anchor (the mainnet genesis, a pinned
``HEIGHT:HASH`` checkpoint, or a :class:`~gonka.proofs.TrustedState` verified before) and runs the
checks in Rust. When the trusted validators hold too little power in the target's commit, it verifies
intermediate heights first (bisection, at most ``max_steps`` headers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from gonka.client import queries
from gonka.client.errors import BadResponse
from gonka.client.transport import Flow
from gonka.errors import InvalidInput, TrustError
from gonka.proofs import (
    Checkpoint,
    ParticipantSet,
    TrustedState,
    TrustOptions,
    TxInclusion,
    VerifiedHeader,
    VerifiedParticipants,
    decode_active_participants,
    prove_participants,
    verify_header,
    verify_participants,
    verify_tx,
)

T = TypeVar("T")
Trust = Checkpoint | TrustedState | str | None
"""A trust anchor: a checkpoint (or its ``HEIGHT:HASH`` text), a trusted state, or None for the mainnet
genesis."""

# /validators pages: the mainnet set is a few hundred validators (100 per page).
MAX_VALIDATOR_PAGES = 50
DEFAULT_MAX_STEPS = 32


def validator_pages(height: int) -> Flow[list[dict[str, Any]]]:
    """Every page of the validator set of ``height``."""
    pages: list[dict[str, Any]] = []
    seen = 0
    for page in range(1, MAX_VALIDATOR_PAGES + 1):
        answer = yield queries.validators(height, page)
        pages.append(answer)
        listed = answer.get("validators") or []
        seen += len(listed)
        try:
            total = int(answer.get("total", seen))
        except (TypeError, ValueError):
            raise BadResponse(f"/validators?height={height}: bad total {answer.get('total')!r}") from None
        if seen >= total or not listed:
            return pages
    raise BadResponse(f"/validators?height={height}: more than {MAX_VALIDATOR_PAGES} pages")


def anchor_flow(trust: Trust) -> Flow[TrustedState]:
    """The trusted state of an anchor (a checkpoint's header and next validators are fetched)."""
    if trust is None:
        return TrustedState.mainnet_genesis()
    if isinstance(trust, TrustedState):
        return trust
    checkpoint = Checkpoint.parse(trust) if isinstance(trust, str) else trust
    commit = yield queries.commit(checkpoint.height)
    next_validators = yield from validator_pages(checkpoint.height + 1)
    return TrustedState.from_checkpoint(checkpoint.height, checkpoint.hash, commit, next_validators)


def _bisection_error(message: str) -> TrustError:
    error = TrustError(f"trust.bisection: {message}")
    error.step, error.expected, error.actual = "trust.bisection", None, None
    return error


def reach_flow(
    trusted: TrustedState,
    target: int,
    final: Callable[[TrustedState, dict[str, Any], list[dict[str, Any]]], T],
    *,
    now: datetime | float | None,
    options: TrustOptions,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> Flow[T]:
    """Runs ``final(state, commit, validator_pages)`` for ``target``. While the state's validators hold
    too little power in a commit (``trust.level``), a height halfway is verified and trusted first.
    """
    state = trusted
    pending = [target]
    blocks: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    while True:
        height = pending[-1]
        if height not in blocks:
            commit = yield queries.commit(height)
            blocks[height] = (commit, (yield from validator_pages(height)))
        commit, pages = blocks[height]
        try:
            if height == target:
                return final(state, commit, pages)
            header = verify_header(state, commit, pages, height=height, now=now, options=options)
        except TrustError as error:
            pivot = (state.height + height) // 2
            if error.step != "trust.level" or pivot <= state.height:
                raise
            if len(blocks) > max_steps:
                raise _bisection_error(
                    f"height {target} was not reached within {max_steps} intermediate headers"
                ) from error
            pending.append(pivot)
            continue
        next_validators = yield from validator_pages(height + 1)
        state = state.advance(header, next_validators)
        pending.pop()


def participants_flow(
    epoch: int | str,
    *,
    trust: Trust,
    now: datetime | float | None,
    options: TrustOptions,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> Flow[VerifiedParticipants]:
    """An epoch's participant set (``epoch`` or ``"current"``), verified from ``trust``."""
    requested = None if epoch == "current" else epoch
    if requested is not None and (isinstance(requested, bool) or not isinstance(requested, int)):
        raise InvalidInput(f"epoch must be a positive integer or 'current', got {epoch!r}")
    answer = yield queries.epoch_participants_raw(epoch)
    # The proof chain first: a bad answer fails before any header is fetched.
    proven = prove_participants(requested, answer)
    state = yield from anchor_flow(trust)

    def final(
        state: TrustedState, commit: dict[str, Any], pages: list[dict[str, Any]]
    ) -> VerifiedParticipants:
        return verify_participants(proven.epoch, answer, commit, pages, state, now=now, options=options)

    return (
        yield from reach_flow(
            state, proven.header_height, final, now=now, options=options, max_steps=max_steps
        )
    )


def unverified_participants_flow(epoch: int | str) -> Flow[ParticipantSet]:
    """An epoch's participant set decoded from the raw value the node serves, without any check."""
    answer = yield queries.epoch_participants_raw(epoch)
    text = answer.get("active_participants_bytes")
    if not isinstance(text, str):
        raise BadResponse("the participants answer has no active_participants_bytes")
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise BadResponse("active_participants_bytes is not hex") from None
    return decode_active_participants(value)


def header_flow(
    height: int,
    *,
    trust: Trust,
    now: datetime | float | None,
    options: TrustOptions,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> Flow[VerifiedHeader]:
    """The header of ``height``, verified from ``trust``."""
    state = yield from anchor_flow(trust)

    def final(state: TrustedState, commit: dict[str, Any], pages: list[dict[str, Any]]) -> VerifiedHeader:
        return verify_header(state, commit, pages, height=height, now=now, options=options)

    return (yield from reach_flow(state, height, final, now=now, options=options, max_steps=max_steps))


def tx_flow(
    txhash: str,
    *,
    trust: Trust,
    now: datetime | float | None,
    options: TrustOptions,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> Flow[TxInclusion]:
    """A transaction's inclusion in a block whose header is verified from ``trust``."""
    answer = yield queries.tx_with_proof(txhash)
    proven = verify_tx(answer, tx_hash=txhash)
    header = yield from header_flow(proven.height, trust=trust, now=now, options=options, max_steps=max_steps)
    return verify_tx(answer, tx_hash=txhash, header=header)


__all__ = [
    "Trust",
    "anchor_flow",
    "header_flow",
    "participants_flow",
    "reach_flow",
    "tx_flow",
    "unverified_participants_flow",
    "validator_pages",
]
