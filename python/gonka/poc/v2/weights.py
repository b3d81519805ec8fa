"""Votes, acceptance and weight, with the chain's exact integer and fixed-point arithmetic.

* Acceptance of a (participant, model): valid votes (``validated_weight > 0``) weighted by the
  validators' voting power; accept iff ``valid·10000 > total·bps``, reject iff the same holds for
  invalid weight, else unanimous genesis guardians decide, else reject. ``bps`` 0 means 5000.
  A pair nobody voted on gets no weight.
* Weight from the committed leaf count (``trunc`` = the chain's ``TruncateInt64``):
  v0.2.9 ``trunc(count·0.262)``; v0.2.10-11 ``trunc(count·(wsf·norm))`` with ``wsf = 0.3593``;
  v0.2.12+ PoC weight ``trunc(count·norm)`` per model (per node likewise), and consensus weight
  ``Σ_models trunc(coefficient_m · Σ_nodes node_weight_m)``.
* ``norm = (stage + exchange blocks) · 5.41 s / (exchange_end − generation_start)``, 1 without
  timestamps; the chain divides with 16 decimals, rounding half away from zero.

Decimals are ``cosmossdk.io/math.LegacyDec``: 18 decimals, products rounded half to even.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from gonka.errors import InvalidInput

__all__ = [
    "DEFAULT_VOTE_THRESHOLD_BPS",
    "LegacyDec",
    "Tally",
    "consensus_weight",
    "node_weights",
    "passes_vote_threshold",
    "poc_weight",
    "tally",
    "time_normalization",
    "weight_distribution",
]

DEFAULT_VOTE_THRESHOLD_BPS = 5000
_PRECISION = 10**18
#: Seconds per block the time normalisation assumes.
REFERENCE_BLOCK_SECONDS = Decimal("5.41")


@dataclass(frozen=True, order=True)
class LegacyDec:
    """A ``LegacyDec``: an integer count of 10^-18."""

    raw: int

    @classmethod
    def parse(cls, text: str | int | Decimal) -> LegacyDec:
        value = Decimal(str(text))
        scaled = value * _PRECISION
        if scaled != scaled.to_integral_value():
            raise InvalidInput(f"{text} has more than 18 decimals")
        return cls(int(scaled))

    def mul(self, other: LegacyDec) -> LegacyDec:
        """Product rounded half to even at 18 decimals (``chopPrecisionAndRound``)."""
        quotient, remainder = divmod(abs(self.raw * other.raw), _PRECISION)
        if remainder * 2 > _PRECISION or (remainder * 2 == _PRECISION and quotient % 2 == 1):
            quotient += 1
        sign = -1 if (self.raw < 0) != (other.raw < 0) else 1
        return LegacyDec(sign * quotient)

    def mul_int_truncate(self, n: int) -> int:
        """``LegacyNewDec(n).Mul(self).TruncateInt64()``: exact product, truncated toward zero."""
        product = n * self.raw
        return abs(product) // _PRECISION * (1 if product >= 0 else -1)

    def __str__(self) -> str:
        sign = "-" if self.raw < 0 else ""
        whole, frac = divmod(abs(self.raw), _PRECISION)
        return f"{sign}{whole}.{frac:018d}"


ONE = LegacyDec(_PRECISION)


def time_normalization(
    generation_start: int, exchange_end: int, stage_blocks: int, exchange_blocks: int
) -> LegacyDec:
    """``CalculateTimeNormalizationFactor`` (timestamps in seconds); 1 when a timestamp is 0 or the
    duration is not positive."""
    if generation_start == 0 or exchange_end == 0 or exchange_end - generation_start <= 0:
        return ONE
    expected = Decimal(stage_blocks + exchange_blocks) * REFERENCE_BLOCK_SECONDS
    with localcontext() as ctx:
        ctx.prec = 80
        quotient = (expected / Decimal(exchange_end - generation_start)).quantize(
            Decimal(1).scaleb(-16), rounding=ROUND_HALF_UP
        )
    return LegacyDec.parse(quotient)


def poc_weight(
    count: int,
    version: str,
    *,
    weight_scale_factor: str | LegacyDec | None = None,
    normalization: LegacyDec = ONE,
) -> int:
    """The weight of a committed ``count`` under a release's rule (see the module doc).

    ``weight_scale_factor`` defaults to the release's (0.262 in v0.2.9, 0.3593 in v0.2.10-11); from
    v0.2.12 the per-model coefficient applies later, in :func:`consensus_weight`.
    """
    from gonka.poc.v2.params import _version_tuple

    v = _version_tuple(version)
    if count < 0:
        raise InvalidInput(f"count must be >= 0, got {count}")
    if not normalization.raw > 0:
        normalization = ONE
    if v < (0, 2, 10):
        factor = _dec(weight_scale_factor or "0.262")
        return factor.mul_int_truncate(count)
    if v < (0, 2, 12):
        factor = _dec(weight_scale_factor or "0.3593").mul(normalization)
        return factor.mul_int_truncate(count)
    return normalization.mul_int_truncate(count)


def node_weights(
    distribution: Mapping[str, int],
    version: str,
    *,
    weight_scale_factor: str | LegacyDec | None = None,
    normalization: LegacyDec = ONE,
) -> dict[str, int]:
    """Per-node weights from a ``MsgMLNodeWeightDistribution`` (each node's count scaled alike)."""
    return {
        node: poc_weight(count, version, weight_scale_factor=weight_scale_factor, normalization=normalization)
        for node, count in sorted(distribution.items())
    }


def consensus_weight(
    model_node_weights: Mapping[str, Mapping[str, int]], coefficients: Mapping[str, str]
) -> int:
    """v0.2.12+: ``Σ_models trunc(coefficient · Σ_nodes weight)``; models without a coefficient count
    nothing (delegation, collateral and caps are applied later by the chain)."""
    total = 0
    for model in sorted(model_node_weights):
        if model not in coefficients:
            continue
        total += _dec(coefficients[model]).mul_int_truncate(sum(model_node_weights[model].values()))
    return total


def weight_distribution(local_counts: Mapping[str, int], committed: int) -> dict[str, int]:
    """Per-node counts rescaled to the committed count (``getWeightDistribution``): each
    ``uint32(count·committed/local_sum)`` in node-id order, the remainder +1 round-robin."""
    if not local_counts or committed <= 0:
        raise InvalidInput("need per-node counts and a positive committed count")
    local_sum = sum(local_counts.values())
    if local_sum <= 0:
        raise InvalidInput("the per-node counts sum to 0")
    keys = sorted(local_counts)
    if local_sum == committed:
        return {k: local_counts[k] for k in keys}
    ratio = float(committed) / float(local_sum)
    scaled = {k: int(float(local_counts[k]) * ratio) for k in keys}
    diff = committed - sum(scaled.values())
    i = 0
    while diff > 0:
        scaled[keys[i % len(keys)]] += 1
        diff -= 1
        i += 1
    return scaled


def passes_vote_threshold(votes: int, total: int, bps: int = DEFAULT_VOTE_THRESHOLD_BPS) -> bool:
    """``votes·10000 > total·bps`` (exact integers); false for non-positive inputs."""
    if votes <= 0 or total <= 0 or bps <= 0:
        return False
    return votes * 10000 > total * bps


@dataclass(frozen=True)
class Tally:
    """The outcome for one (participant, model): ``accepted`` and how it was decided
    (``"valid"``, ``"invalid"``, ``"guardians"``, ``"no-majority"`` or ``"no-votes"``)."""

    accepted: bool
    decided_by: str
    valid_weight: int
    invalid_weight: int
    total_weight: int


def tally(
    votes: Mapping[str, int],
    voting_power: Mapping[str, int],
    total_weight: int,
    *,
    bps: int = 0,
    guardians: frozenset[str] = frozenset(),
) -> Tally:
    """Acceptance from the validators' ``validated_weight`` votes (``> 0`` valid).

    Only validators with voting power for the model count toward the weights; guardians' votes are
    read from all votes for the tiebreak.
    """
    threshold = bps or DEFAULT_VOTE_THRESHOLD_BPS
    if not votes:
        return Tally(False, "no-votes", 0, 0, total_weight)
    valid = sum(voting_power[v] for v, w in votes.items() if v in voting_power and w > 0)
    invalid = sum(voting_power[v] for v, w in votes.items() if v in voting_power and w <= 0)
    if passes_vote_threshold(valid, total_weight, threshold):
        return Tally(True, "valid", valid, invalid, total_weight)
    if passes_vote_threshold(invalid, total_weight, threshold):
        return Tally(False, "invalid", valid, invalid, total_weight)
    guardian_votes = [w for v, w in votes.items() if v in guardians]
    yes = sum(1 for w in guardian_votes if w > 0)
    if yes and yes == len(guardian_votes):
        return Tally(True, "guardians", valid, invalid, total_weight)
    if guardian_votes and yes == 0:
        return Tally(False, "guardians", valid, invalid, total_weight)
    return Tally(False, "no-majority", valid, invalid, total_weight)


def _dec(value: str | LegacyDec) -> LegacyDec:
    return value if isinstance(value, LegacyDec) else LegacyDec.parse(value)
