"""The epoch reward R(e) and the supply it mints (``bitcoin_rewards.go`` ``CalculateFixedEpochReward``).

e is the index of the epoch being settled, n = e - genesis_epoch, I = initial_epoch_reward, d = decay_rate.

- **v0.2.0 - v0.2.7** (launch): ``R = IntPart(I * NewFromFloat(math.Exp(float64(d * n))))``; R < 1 gives 0.
  Python's ``math.exp`` is the C library's; Go's may differ in the last bit, which changes R only when
  ``I * exp(d n)`` lies within ~0.04 ngonka of an integer.
- **v0.2.8+**: ``R = IntPart(I * q^n)`` with q from a fixed table (``types.GetExponent``): d = -0.000475 gives
  q = 0.9995251127946402. Any other d is an error the chain turns into a reward of 0, as is n >= 2^31 - 1.
  The power is exact; :func:`epoch_rewards` computes long runs of it with narrow integer bounds and falls back
  to the exact power whenever the bounds cannot decide the floor.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from gonka.economics.params import BitcoinRewardParams
from gonka.economics.release import V0_2_8, Release
from gonka.economics.shop_decimal import ShopDecimal, pow10
from gonka.errors import InvalidInput

# types.GetExponent: decay rate -> q = exp(decay rate), as the chain hard-codes them.
DECAY_TABLE: dict[ShopDecimal, ShopDecimal] = {
    ShopDecimal(-475, -6): ShopDecimal(9995251127946402, -16),
    ShopDecimal(-1, -6): ShopDecimal(9999990000005, -13),
    ShopDecimal(1, -4): ShopDecimal(10001000050001667, -16),
    ShopDecimal(0): ShopDecimal(1),
}
MAX_TABLE_EPOCHS = 2**31 - 1
_GUARD_DIGITS = 60


def decay_factor(decay_rate: ShopDecimal) -> ShopDecimal | None:
    """The table's q for ``decay_rate`` (v0.2.8+), or ``None`` when the chain would refuse it."""
    return DECAY_TABLE.get(decay_rate)


def _epochs_since_genesis(epoch: int, params: BitcoinRewardParams) -> int:
    if epoch < params.genesis_epoch:
        raise InvalidInput(
            f"epoch {epoch} precedes the reward genesis epoch {params.genesis_epoch}; it is never settled"
        )
    return epoch - params.genesis_epoch


def launch_reward(epoch: int, params: BitcoinRewardParams) -> int:
    """R(e) by the launch formula (v0.2.0 - v0.2.7)."""
    n = _epochs_since_genesis(epoch, params)
    initial = params.initial_epoch_reward
    if initial == 0:
        return 0
    if n == 0:
        return initial
    x = float(params.decay_rate * ShopDecimal(n))
    try:
        y = math.exp(x)
    except OverflowError:
        return 0  # Go's Exp gives +Inf, which the chain maps to 0
    reward = ShopDecimal(initial) * ShopDecimal.from_float(y)
    if reward < ShopDecimal(1):
        return 0
    return reward.int_part()


def _table_exact(initial: int, q: ShopDecimal, n: int) -> int:
    # IntPart(I * q^n) for q = c * 10^k: I * c^n scaled by 10^(k n), truncated (all terms positive).
    scale = q.exponent * n
    value: int = initial * q.coefficient**n
    return value * pow10(scale) if scale >= 0 else value // pow10(-scale)


def _scaled(q: ShopDecimal) -> int:
    # q * 10^G exactly (table entries have at most 16 fractional digits).
    return q.coefficient * pow10(q.exponent + _GUARD_DIGITS)


def _mul_bounds(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    unit = 10**_GUARD_DIGITS
    return (a[0] * b[0]) // unit, -((-a[1] * b[1]) // unit)


def _power_bounds(q: ShopDecimal, n: int) -> tuple[int, int]:
    """Lower and upper bounds of q^n * 10^G by square-and-multiply with floor/ceil at each step."""
    unit = 10**_GUARD_DIGITS
    result = (unit, unit)
    base = (_scaled(q), _scaled(q))
    while n:
        if n & 1:
            result = _mul_bounds(result, base)
        n >>= 1
        if n:
            base = _mul_bounds(base, base)
    return result


def table_reward(epoch: int, params: BitcoinRewardParams) -> int:
    """R(e) by the table formula (v0.2.8+); 0 where the chain's calculation fails."""
    n = _epochs_since_genesis(epoch, params)
    initial = params.initial_epoch_reward
    if initial == 0:
        return 0
    if n == 0:
        return initial
    q = decay_factor(params.decay_rate)
    if q is None or n >= MAX_TABLE_EPOCHS:
        return 0
    low, high = _power_bounds(q, n)
    unit = 10**_GUARD_DIGITS
    if high == 0 or (initial * high) // unit == 0:
        return 0
    r_low, r_high = (initial * low) // unit, (initial * high) // unit
    return r_low if r_low == r_high else _table_exact(initial, q, n)


def epoch_reward(epoch: int, params: BitcoinRewardParams, release: Release) -> int:
    """R(e) as the chain at ``release`` computes it.

    Follows v0.2.0 - v0.2.7 (launch formula) and v0.2.8+ (table formula).
    """
    return table_reward(epoch, params) if release >= V0_2_8 else launch_reward(epoch, params)


def epoch_rewards(first: int, last: int, params: BitcoinRewardParams, release: Release) -> Iterator[int]:
    """R(e) for e = first..last, each exactly as :func:`epoch_reward` gives it, in linear time.

    Follows v0.2.0 - v0.2.7 (launch formula) and v0.2.8+ (table formula).
    """
    if last < first:
        raise InvalidInput(f"empty epoch range {first}..{last}")
    n0 = _epochs_since_genesis(first, params)
    q = decay_factor(params.decay_rate)
    if release < V0_2_8 or q is None or params.initial_epoch_reward == 0:
        for epoch in range(first, last + 1):
            yield epoch_reward(epoch, params, release)
        return
    unit = 10**_GUARD_DIGITS
    initial = params.initial_epoch_reward
    bounds = _power_bounds(q, n0)
    step = (_scaled(q), _scaled(q))
    for epoch in range(first, last + 1):
        n = epoch - params.genesis_epoch
        if n == 0:
            yield initial
        elif n >= MAX_TABLE_EPOCHS:
            yield 0
        else:
            r_low, r_high = (initial * bounds[0]) // unit, (initial * bounds[1]) // unit
            yield r_low if r_low == r_high else _table_exact(initial, q, n)
        bounds = _mul_bounds(bounds, step)
        if bounds[1] == 0:  # q < 1 and the reward has decayed below one ngonka for good
            yield from (0 for _ in range(epoch + 1, last + 1))
            return


@dataclass(frozen=True)
class SupplyPoint:
    epoch: int
    reward: int
    minted_before: int
    minted: int

    @property
    def cumulative(self) -> int:
        return self.minted_before + self.minted


def supply_projection(
    first: int,
    last: int,
    params: BitcoinRewardParams,
    release: Release,
    *,
    minted_before: int,
    supply_cap: int,
) -> list[SupplyPoint]:
    """Epoch by epoch: R(e), what is actually minted under the cap (``standard_reward_amount``; settlement
    mints ``cap - minted`` in the epoch that reaches it and 0 afterwards) and the cumulative total.
    ``minted_before`` is ``tokenomics_data.total_subsidies`` before epoch ``first`` is settled.

    Follows v0.2.0 - v0.2.16 (the cap check of settlement).
    """
    if minted_before < 0 or supply_cap < 0:
        raise InvalidInput("minted supply and the supply cap must not be negative")
    points: list[SupplyPoint] = []
    minted_total = minted_before
    for epoch, reward in zip(
        range(first, last + 1), epoch_rewards(first, last, params, release), strict=True
    ):
        minted = 0 if minted_total >= supply_cap else min(reward, supply_cap - minted_total)
        points.append(SupplyPoint(epoch, reward, minted_total, minted))
        minted_total += minted
    return points
