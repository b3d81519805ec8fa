"""Which inferences a host must validate (``calculations/should_validate.go``) and the reputation that lowers
the sampling rate (``calculations/reputation.go``); shopspring decimals throughout.

Minimum validation average by recent traffic t (``min_validation_average.go``): ``t >= full`` (10000) gives
``min_validation_average``; ``t >= half = Div(full, 2)`` interpolates ``(halfway - min) * Div(full - t, half)
+ min``; ``t > min_traffic_cutoff`` (100) gives ``halfway + (max - halfway) * Div(half - t, half - cutoff)``;
below, ``max_validation_average``. The target rate is ``max - (max - min_avg) * reputation/100`` (launch
writes it as ``min_avg + (max - min_avg) * (1 - reputation/100)``, the same value), the probability ``p =
min(1, Div(target * validator_power, total_power - executor_power))``, and the inference is validated iff
``Div(uint64_be(sha256(f"{seed}:{inference_id}")[:8]), 2^64 - 1) < p``. From v0.2.13 (at the latest) a total
power not above the executor's gives False; launch divided by zero there.

Reputation: per past epoch miss = ``Div(missed, inference_count)`` (0 without inferences); ``cost = (sum over
miss > miss_percentage_cutoff of miss * Div(1, epochs_to_max) * penalty) * epochs_to_max``; ``actual = epochs
- cost``; reputation 100 if ``actual > epochs_to_max``, 0 if ``actual <= 0``, else
``IntPart(Truncate(Div(actual, epochs_to_max), 2) * 100)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from gonka.economics.params import ValidationParams
from gonka.economics.shop_decimal import ONE, ZERO, ShopDecimal
from gonka.errors import InvalidInput

MAX_UINT64 = 2**64 - 1
_HUNDRED = ShopDecimal(100)


def _need(value: ShopDecimal | None, name: str) -> ShopDecimal:
    if value is None:
        raise InvalidInput(f"validation parameter {name} is needed for validation sampling")
    return value


def min_validation_average(recent_requests: int, params: ValidationParams) -> ShopDecimal:
    """The minimum validation rate at ``recent_requests`` of recent traffic.

    Follows v0.2.0 - v0.2.16 (same values; launch spelled the target differently).
    """
    minimum = _need(params.min_validation_average, "min_validation_average")
    maximum = _need(params.max_validation_average, "max_validation_average")
    halfway = _need(params.min_validation_halfway, "min_validation_halfway")
    full = ShopDecimal(params.full_validation_traffic_cutoff)
    cutoff = ShopDecimal(params.min_validation_traffic_cutoff)
    traffic = ShopDecimal(recent_requests)
    if traffic >= full:
        return minimum
    half = full.div(ShopDecimal(2))
    if traffic >= half:
        return (halfway - minimum) * (full - traffic).div(half) + minimum
    if traffic > cutoff:
        return halfway + (maximum - halfway) * (half - traffic).div(half - cutoff)
    return maximum


def deterministic_fraction(seed: int, inference_id: str) -> ShopDecimal:
    """``Div(first 8 bytes of sha256("{seed}:{id}") as a big-endian uint64, 2^64 - 1)``.

    Follows v0.2.0 - v0.2.16 (same values; launch spelled the target differently).
    """
    digest = hashlib.sha256(f"{seed}:{inference_id}".encode()).digest()
    return ShopDecimal(int.from_bytes(digest[:8], "big")).div(ShopDecimal(MAX_UINT64))


@dataclass(frozen=True)
class SamplingDecision:
    validate: bool
    probability: ShopDecimal
    draw: ShopDecimal
    target_rate: ShopDecimal


def should_validate(
    seed: int,
    inference_id: str,
    *,
    executor_reputation: int,
    traffic_basis: int,
    total_power: int,
    validator_power: int,
    executor_power: int,
    params: ValidationParams,
) -> SamplingDecision:
    """Whether the host with ``validator_power`` (of ``total_power`` in the inference's model group) must
    validate inference ``inference_id`` given its claim ``seed``.

    Follows v0.2.0 - v0.2.16 (same values; launch spelled the target differently).
    """
    if not -(2**63) <= seed < 2**63:
        raise InvalidInput(f"seed must be a signed 64-bit integer, got {seed}")
    for name, power in (("total", total_power), ("validator", validator_power), ("executor", executor_power)):
        if not 0 <= power < 2**32:
            raise InvalidInput(f"{name} power must be an unsigned 32-bit integer, got {power}")
    draw = deterministic_fraction(seed, inference_id)
    if total_power <= executor_power:
        return SamplingDecision(False, ZERO, draw, ZERO)
    maximum = _need(params.max_validation_average, "max_validation_average")
    minimum = min_validation_average(traffic_basis, params)
    reputation = ShopDecimal(executor_reputation, -2)
    target = maximum - (maximum - minimum) * reputation
    probability = (target * ShopDecimal(validator_power)).div(ShopDecimal(total_power - executor_power))
    if probability > ONE:
        probability = ONE
    return SamplingDecision(draw < probability, probability, draw, target)


def miss_rate(missed: int, inference_count: int) -> ShopDecimal:
    """One epoch's miss rate as reputation reads it.

    Follows v0.2.0 - v0.2.16 (same values; launch spelled the target differently).
    """
    if inference_count == 0:
        return ZERO
    return ShopDecimal(missed).div(ShopDecimal(inference_count))


def reputation(epoch_miss_rates: Sequence[ShopDecimal], params: ValidationParams) -> int:
    """Reputation (0..100) from the miss rates of the host's past epochs (one per performance summary).

    Follows v0.2.0 - v0.2.16 (same values; launch spelled the target differently).
    """
    if params.epochs_to_max <= 0:
        raise InvalidInput("epochs_to_max must be positive for reputation")
    cutoff = _need(params.miss_percentage_cutoff, "miss_percentage_cutoff")
    penalty = _need(params.miss_requests_penalty, "miss_requests_penalty")
    epochs_to_max = ShopDecimal(params.epochs_to_max)
    single_epoch = ONE.div(epochs_to_max)
    cost = ZERO
    for rate in epoch_miss_rates:
        if rate > cutoff:
            cost = cost + rate * single_epoch * penalty
    actual = ShopDecimal(len(epoch_miss_rates)) - cost * epochs_to_max
    if actual > epochs_to_max:
        return 100
    if actual <= ZERO:
        return 0
    return (actual.div(epochs_to_max).truncate(2) * _HUNDRED).int_part()
