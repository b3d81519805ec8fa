"""Liveness jailing and its slashes (the chain's Cosmos SDK fork, ``x/slashing/keeper/infractions.go`` and
``x/staking/keeper/slash.go``; the same from v0.2.0 to v0.2.16 apart from v0.2.14's maintenance windows,
during which absent blocks are not counted).

Each validator has its own window of ``signed_blocks_window`` slots; a block's slot is ``index_offset %
window``. ``min_signed = RoundInt64(min_signed_per_window * window)`` (half to even), ``max_missed = window -
min_signed``. The validator is jailed at the first block with ``height > start_height + window`` and more than
``max_missed`` misses in the window (mainnet: the 51st miss of 100). On jail: ``jailed_until = block time +
downtime_jail_duration``, the window is cleared, and the staking power is cut by ``min(trunc(power * f),
tokens)`` until the next epoch resets it; the collateral hook then slashes ``f_eff = QuoRoundUp(burned,
tokens)`` (v0.2.11+: of the required collateral). Power below 1/f (100 on mainnet) burns nothing.

Unjail: ``MsgUnjail`` from the block whose time is at least ``jailed_until`` (not if tombstoned), or
automatically at the next epoch switch if the host is in the new epoch's active set (``SetComputeValidators``
clears the jail).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gonka.economics.collateral import CollateralSlash, slash_collateral
from gonka.economics.legacy_dec import ONE, LegacyDec, min_dec
from gonka.economics.params import SlashingParams
from gonka.economics.release import Release
from gonka.errors import InvalidInput


def max_missed(params: SlashingParams) -> int:
    """Misses the window may hold without jailing.

    Follows v0.2.0 - v0.2.16 (the Cosmos SDK fork's x/slashing).
    """
    window = params.signed_blocks_window
    return window - params.min_signed_per_window.mul_int(window).round_int()


@dataclass(frozen=True)
class SigningState:
    """A validator's signing info (``/cosmos/slashing/v1beta1/signing_infos/{consaddr}``), plus its
    missed-block bitmap when the node serves it (``missed[i]``: slot i of the window holds a miss).
    """

    start_height: int
    index_offset: int
    missed_blocks_counter: int
    jailed_until: datetime | None = None
    tombstoned: bool = False
    missed: tuple[bool, ...] | None = None


@dataclass(frozen=True)
class Liveness:
    window: int
    max_missed: int
    missed: int
    jail_possible_from: int
    """First height at which a jail can happen (``start_height + window + 1``)."""
    misses_to_jail: int
    """Consecutive misses, from block ``next_height`` on, that jail the validator."""
    exact: bool
    """True when the bitmap was known: ``misses_to_jail`` accounts for misses rolling out of the window;
    otherwise it is a lower bound that assumes none do."""

    @property
    def margin(self) -> int:
        """Blocks that may still be missed in a row without being jailed."""
        return self.misses_to_jail - 1


def liveness(state: SigningState, params: SlashingParams, *, next_height: int) -> Liveness:
    """How many misses in a row, starting with block ``next_height``, would jail the validator (v0.2.0+)."""
    window = params.signed_blocks_window
    if state.index_offset < 0 or state.missed_blocks_counter < 0 or state.start_height < 0:
        raise InvalidInput("signing info counters must not be negative")
    limit = max_missed(params)
    bitmap = state.missed
    if bitmap is not None and len(bitmap) != window:
        raise InvalidInput(f"the missed-block bitmap has {len(bitmap)} slots, the window {window}")
    if limit >= window:
        raise InvalidInput("with min_signed_per_window 0 no run of misses ever jails a validator")
    grace_end = state.start_height + window
    waiting = max(0, grace_end + 1 - next_height)  # blocks that cannot jail, whatever is missed

    def found(k: int) -> Liveness:
        return Liveness(window, limit, state.missed_blocks_counter, grace_end + 1, k, bitmap is not None)

    if bitmap is None:
        # Lower bound: every miss is assumed to land on a slot that held a signature.
        return found(max(waiting + 1, limit - state.missed_blocks_counter + 1))
    if waiting >= window:
        # After `window` misses every slot holds one: the first block past the grace period jails.
        return found(waiting + 1)
    counter = state.missed_blocks_counter
    offset = state.index_offset
    for k in range(1, waiting + window + 2):
        if not bitmap[offset % window]:
            counter += 1
        offset += 1
        if k > waiting and counter > limit:
            return found(k)
    raise InvalidInput("the signing info is inconsistent: no run of misses would jail the validator")


@dataclass(frozen=True)
class DowntimeSlash:
    power_burned: int
    tokens_after: int
    fraction: LegacyDec
    """``f_eff`` handed to the collateral module."""
    collateral: CollateralSlash | None


def downtime_slash(
    power: int,
    tokens: int,
    params: SlashingParams,
    release: Release,
    *,
    collateral_active: int = 0,
    collateral_unbonding: Sequence[int] = (),
    required_collateral: int = 0,
) -> DowntimeSlash:
    """The staking cut and collateral slash of a downtime jail for a validator with consensus ``power`` (at
    the infraction) and ``tokens``.

    Follows v0.2.0 - v0.2.16; the collateral side uses the required-collateral base from v0.2.11.
    """
    if power < 0 or tokens < 0:
        raise InvalidInput("power and tokens must not be negative")
    burned = min(LegacyDec.from_int(power).mul(params.slash_fraction_downtime).truncate_int(), tokens)
    if burned <= 0 or tokens == 0:
        return DowntimeSlash(0, tokens, LegacyDec(0), None)
    fraction = min_dec(LegacyDec.from_int(burned).quo_round_up(LegacyDec.from_int(tokens)), ONE)
    collateral = slash_collateral(
        collateral_active, collateral_unbonding, fraction, release, required=required_collateral
    )
    return DowntimeSlash(burned, tokens - burned, fraction, collateral)


@dataclass(frozen=True)
class UnjailOptions:
    jailed: bool
    tombstoned: bool
    manual_from: datetime | None
    """Time from which ``MsgUnjail`` succeeds (``None``: not jailed, or never for a tombstoned validator)."""
    manual_now: bool
    automatic_at_height: int | None
    """The next epoch switch, which unjails the host if it is in the new active set."""


def unjail_options(
    *,
    jailed: bool,
    state: SigningState,
    now: datetime | None,
    next_epoch_switch: int | None,
) -> UnjailOptions:
    """When and how a jailed validator gets out (``now``: the latest block time, if known).

    Follows v0.2.0 - v0.2.16 (``MsgUnjail`` and ``SetComputeValidators``).
    """
    if not jailed:
        return UnjailOptions(False, state.tombstoned, None, False, None)
    if state.tombstoned:
        return UnjailOptions(True, True, None, False, None)
    manual_from = state.jailed_until
    return UnjailOptions(
        jailed=True,
        tombstoned=False,
        manual_from=manual_from,
        manual_now=now is not None and (manual_from is None or now >= manual_from),
        automatic_at_height=next_epoch_switch,
    )


def jailed_until(block_time: datetime, params: SlashingParams) -> datetime:
    """``jailed_until`` of a jail in the block with ``block_time``.

    Follows v0.2.0 - v0.2.16.
    """
    return block_time + timedelta(microseconds=params.downtime_jail_duration_ns // 1000)
