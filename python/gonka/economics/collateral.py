"""Collateral: how much of a host's PoC weight counts, how much collateral that takes, and collateral slashes.

Weight (``keeper/collateral.go`` ``AdjustWeightsByCollateral``, unchanged v0.2.0 - v0.2.16; LegacyDec): for
the upcoming epoch U, if ``U <= grace_period_end_epoch`` the potential weight W counts in full (mainnet:
epochs 1..180). Otherwise ``base = W * base_weight_ratio``, ``eligible = W - base``, ``activated =
min(eligible, collateral Quo collateral_per_weight_unit)`` (0 without collateral; all of ``eligible`` when the
unit is 0) and the weight is ``TruncateInt64(base + activated)``. Collateral counts from the end-of-validation
block of the epoch it is deposited before.

Slash (``x/collateral/keeper/keeper.go`` ``Slash``): launch takes ``trunc(amount * f)`` from the active
collateral and from each unbonding entry and burns it. From v0.2.11 the fraction applies to the required
collateral: with ``required > 0`` and ``total = active + unbonding > 0``, ``f_eff = min(1, (min(required,
total) * f) Quo total)``; the slashed coins go to the governance account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gonka.economics.legacy_dec import ONE, ZERO, LegacyDec, min_dec
from gonka.economics.params import CollateralParams
from gonka.economics.release import V0_2_11, Release
from gonka.errors import InvalidInput

# The official host documentation recommends holding twice the requirement: weights move between epochs.
SUGGESTED_BUFFER = 2


@dataclass(frozen=True)
class WeightAdjustment:
    potential_weight: int
    effective_weight: int
    base_weight: LegacyDec
    eligible_weight: LegacyDec
    activated_weight: LegacyDec
    in_grace_period: bool


def _non_negative(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{what} must be a non-negative integer, got {value!r}")
    return value


def in_grace_period(upcoming_epoch: int, params: CollateralParams) -> bool:
    """Whether weights for ``upcoming_epoch`` count in full, without collateral.

    Follows v0.2.0 - v0.2.16 (unchanged).
    """
    return upcoming_epoch <= params.grace_period_end_epoch


def adjust_weight(
    potential_weight: int, collateral: int, params: CollateralParams, *, upcoming_epoch: int
) -> WeightAdjustment:
    """The weight that counts for ``upcoming_epoch`` given ``collateral`` ngonka of active collateral.

    Follows v0.2.0 - v0.2.16 (unchanged).
    """
    weight = LegacyDec.from_int(_non_negative(potential_weight, "potential weight"))
    _non_negative(collateral, "collateral")
    if in_grace_period(upcoming_epoch, params):
        return WeightAdjustment(potential_weight, potential_weight, weight, ZERO, ZERO, True)
    base = weight.mul(params.base_weight_ratio)
    eligible = weight - base
    if collateral == 0:
        activated = ZERO
    elif params.collateral_per_weight_unit.is_zero():
        activated = eligible
    else:
        activated = min_dec(eligible, LegacyDec.from_int(collateral).quo(params.collateral_per_weight_unit))
    effective = (base + activated).truncate_int()
    return WeightAdjustment(potential_weight, effective, base, eligible, activated, False)


@dataclass(frozen=True)
class CollateralNeed:
    potential_weight: int
    full_activation: int
    """Smallest collateral (ngonka) that activates all of the eligible weight."""
    suggested: int
    """``full_activation`` times :data:`SUGGESTED_BUFFER`."""
    slash_base: int
    """What the chain calls the required collateral (v0.2.11+ slash base): ``TruncateInt(W * (1 - bwr) *
    cpwu)`` of the effective weight, 0 during the grace period or with a zero unit."""
    in_grace_period: bool


def _smallest_collateral(weight: int, target: int, params: CollateralParams, upcoming_epoch: int) -> int:
    """Smallest c with adjusted weight >= target (the weight is non-decreasing in c)."""

    def reaches(c: int) -> bool:
        return adjust_weight(weight, c, params, upcoming_epoch=upcoming_epoch).effective_weight >= target

    if reaches(0):
        return 0
    unit = params.collateral_per_weight_unit
    if unit.is_zero():
        return 1
    # Enough: the exact product rounded up, plus one unit of slack for Quo's rounding.
    high = max(1, LegacyDec.from_int(weight).mul_round_up(unit).ceil().truncate_int() + 1)
    for _ in range(512):
        if reaches(high):
            break
        high *= 2
    else:
        raise InvalidInput(f"no collateral reaches weight {target}")
    low = 0
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return high


def collateral_for_weight(
    potential_weight: int, params: CollateralParams, *, upcoming_epoch: int, target_weight: int | None = None
) -> int:
    """Smallest collateral (ngonka) for which the adjusted weight reaches ``target_weight`` (default: the
    whole potential weight).

    Follows v0.2.0 - v0.2.16 (unchanged).
    """
    weight = _non_negative(potential_weight, "potential weight")
    target = weight if target_weight is None else _non_negative(target_weight, "target weight")
    if target > weight:
        raise InvalidInput(f"target weight {target} exceeds the potential weight {weight}")
    return _smallest_collateral(weight, target, params, upcoming_epoch)


def required_collateral(
    potential_weight: int, params: CollateralParams, *, upcoming_epoch: int
) -> CollateralNeed:
    """What a host with ``potential_weight`` needs to have deposited for ``upcoming_epoch``.

    Follows v0.2.0 - v0.2.16 (unchanged).
    """
    grace = in_grace_period(upcoming_epoch, params)
    if grace:
        full = 0
    else:
        full = _smallest_collateral(potential_weight, potential_weight, params, upcoming_epoch)
    return CollateralNeed(
        potential_weight=potential_weight,
        full_activation=full,
        suggested=full * SUGGESTED_BUFFER,
        slash_base=0 if grace else slash_base(potential_weight, params),
        in_grace_period=grace,
    )


def slash_base(effective_weight: int, params: CollateralParams) -> int:
    """``calculateRequiredCollateral`` (v0.2.11+) for an effective weight outside the grace period."""
    bwr, unit = params.base_weight_ratio, params.collateral_per_weight_unit
    if effective_weight <= 0 or bwr.is_negative() or bwr >= ONE or unit.is_negative() or unit.is_zero():
        return 0
    return LegacyDec.from_int(effective_weight).mul(ONE - bwr).mul(unit).truncate_int()


@dataclass(frozen=True)
class CollateralSlash:
    fraction: LegacyDec
    """The fraction applied to each holding (after the v0.2.11 required-collateral rule)."""
    active_after: int
    unbonding_after: tuple[int, ...]
    slashed: int
    destination: str
    """``burned`` (launch) or ``governance`` (v0.2.11+)."""


def slash_collateral(
    active: int,
    unbonding: Sequence[int],
    fraction: LegacyDec,
    release: Release,
    *,
    required: int = 0,
) -> CollateralSlash:
    """A collateral slash of ``fraction``; ``required`` is the required collateral (v0.2.11+; 0 = unknown,
    which slashes the actual holdings as at launch).
    """
    _non_negative(active, "active collateral")
    entries = [_non_negative(e, "unbonding amount") for e in unbonding]
    if fraction.is_negative() or fraction > ONE:
        raise InvalidInput(f"slash fraction must be between 0 and 1, got {fraction}")
    effective = fraction
    total = active + sum(entries)
    if release >= V0_2_11 and required > 0 and total > 0:
        base = min(required, total)
        effective = LegacyDec.from_int(base).mul(fraction).quo(LegacyDec.from_int(total))
        effective = min_dec(effective, ONE)

    def cut(amount: int) -> int:
        return LegacyDec.from_int(amount).mul(effective).truncate_int()

    active_cut = cut(active)
    entry_cuts = [cut(e) for e in entries]
    return CollateralSlash(
        fraction=effective,
        active_after=active - active_cut,
        unbonding_after=tuple(e - c for e, c in zip(entries, entry_cuts, strict=True) if e - c > 0),
        slashed=active_cut + sum(entry_cuts),
        destination="governance" if release >= V0_2_11 else "burned",
    )
