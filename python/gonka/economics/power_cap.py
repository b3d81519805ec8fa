"""The power cap: no host may hold more than a fraction p of the total weight.

Launch (v0.2.0 - v0.2.4, ``module/power_capping.go``): p =
``genesis_only_params.max_individual_power_percentage`` (0.25); unset or 0 disables capping. From v0.2.5
(``keeper/bitcoin_rewards.go`` ``ApplyPowerCappingForWeights``) that parameter only switches capping on or off
and p is 0.30; the same routine caps the reward weights at settlement. In both, networks of fewer than 4
entries use at least {1: 1.0, 2: 0.5, 3: 0.4}[N], and one entry is never capped.

Algorithm (shopspring decimals): sort ascending; at the first k with ``w[k] > p * (sum_prev + w[k] * (N -
k))`` the cap is ``IntPart(Div(p * sum_prev, 1 - p * (N - k)))`` (or ``w[k]`` if that denominator is <= 0);
every weight above the cap becomes the cap, in the original order. No such k: unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gonka.economics.release import V0_2_5, Release
from gonka.economics.shop_decimal import ONE, ZERO, ShopDecimal

LATER_CAP = ShopDecimal(30, -2)
_SMALL_NETWORK = {1: ShopDecimal(1), 2: ShopDecimal(5, -1), 3: ShopDecimal(4, -1)}


@dataclass(frozen=True)
class CapResult:
    weights: tuple[int, ...]
    cap: int | None
    limit: ShopDecimal | None

    @property
    def capped(self) -> bool:
        return self.cap is not None


def find_cap(weights: Sequence[int], limit: ShopDecimal) -> int | None:
    """The cap the chain computes for ``weights`` at fraction ``limit`` (after the small-network rule is
    applied to ``limit``), or ``None`` when no weight exceeds its share.

    Follows v0.2.0 - v0.2.16 (the algorithm; the limit depends on the release).
    """
    ordered = sorted(weights)
    count = len(ordered)
    sum_prev = 0
    for k, power in enumerate(ordered):
        threshold = limit * ShopDecimal(sum_prev + power * (count - k))
        if ShopDecimal(power) > threshold:
            denominator = ONE - limit * ShopDecimal(count - k)
            if denominator <= ZERO:
                return power
            return (limit * ShopDecimal(sum_prev)).div(denominator).int_part()
        sum_prev += power
    return None


def effective_limit(count: int, limit: ShopDecimal) -> ShopDecimal:
    """``limit`` raised for networks of fewer than 4 entries.

    Follows v0.2.0 - v0.2.16.
    """
    small = _SMALL_NETWORK.get(count)
    return small if small is not None and small > limit else limit


def apply_power_cap(
    weights: Sequence[int], max_percentage: ShopDecimal | None, release: Release
) -> CapResult:
    """The capped weights as the chain at ``release`` computes them; ``max_percentage`` is
    ``genesis_only_params.max_individual_power_percentage`` (``None`` or 0 disables capping).

    Follows launch (v0.2.0 - v0.2.4, p from the parameter) and v0.2.5+ (p = 0.30).
    """
    values = tuple(int(w) for w in weights)
    if len(values) <= 1 or max_percentage is None or max_percentage.is_zero():
        return CapResult(values, None, None)
    return cap_weights(values, max_percentage if release < V0_2_5 else LATER_CAP)


def cap_weights(weights: Sequence[int], limit: ShopDecimal) -> CapResult:
    """Cap ``weights`` at fraction ``limit`` (the settlement-time cap of v0.2.5+ passes 0.30 directly)."""
    values = tuple(int(w) for w in weights)
    if len(values) <= 1:
        return CapResult(values, None, None)
    applied = effective_limit(len(values), limit)
    cap = find_cap(values, applied)
    if cap is None:
        return CapResult(values, None, applied)
    return CapResult(tuple(min(w, cap) for w in values), cap, applied)
